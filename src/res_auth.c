/*
 * res_auth -- POST /api/login, /api/login/token, /api/logout and /logout
 * (spec 2.7, 7).
 *
 * The remember-device cookie ("remember-cookie_<uuid4>", 30 days) lets a
 * later password login skip the second factor.  Its value is
 * "<base62 time>:<md5 hex of the device id>:<hmac hex>", the HMAC-SHA256
 * (key derived from secret_key) covering the device id, the user id, the
 * user's password hash and the time: it dies when the password changes or
 * the device is recreated.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>

#include "arena.h"
#include "conf.h"
#include "crypto.h"
#include "ctx.h"
#include "db.h"
#include "http.h"
#include "json.h"
#include "log.h"
#include "mail.h"
#include "password.h"
#include "res_2fa.h"
#include "res_auth.h"
#include "res_users_update.h"
#include "session.h"
#include "throttle.h"
#include "user.h"
#include "validate.h"

#define REMEMBER_PREFIX		"remember-cookie_"
#define LOCKOUT_SCOPE		"login"

/* --- remember-device cookie ---------------------------------------------- */

static const char base62_digits[] =
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/* Django's baseconv.base62 of a non-negative integer. */
static char *
base62_encode(struct arena *a, unsigned long long v)
{
	char buf[16], *p = buf + sizeof(buf) - 1;

	*p = '\0';
	do {
		*--p = base62_digits[v % 62];
		v /= 62;
	} while (v > 0);
	return arena_strdup(a, p);
}

static bool
base62_decode(const char *s, size_t len, unsigned long long *out)
{
	const char *d;
	unsigned long long v = 0;
	size_t i;

	if (len == 0 || len > 10)
		return false;
	for (i = 0; i < len; i++) {
		if (s[i] == '\0' || (d = strchr(base62_digits, s[i])) == NULL)
			return false;
		v = v * 62 + (unsigned long long)(d - base62_digits);
	}
	*out = v;
	return true;
}

/* django-otp's persistent id of a TOTP device. */
static const char *
device_persistent_id(struct arena *a, long long device_id)
{
	return arena_printf(a, "otp_totp.totpdevice/%lld", device_id);
}

static void
md5_hex(const char *s, char out[33])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;

	if (EVP_Digest(s, strlen(s), md, &n, EVP_md5(), NULL) != 1 || n != 16)
		abort();	/* the default provider always has MD5 */
	crypto_hex(md, 16, out);
}

static void
remember_mac(struct ctx *c, const char *pid, const struct user *u,
    const char *ts, char out[65])
{
	unsigned char key[32], mac[32];
	const char *msg;

	crypto_derive_key(c->conf->secret_key, "remember-device", key);
	msg = arena_printf(c->arena, "%s\n%lld\n%s\n%s", pid, u->id,
	    u->password != NULL ? u->password : "", ts);
	crypto_hmac_sha256(key, sizeof(key), msg, strlen(msg), mac);
	crypto_hex(mac, sizeof(mac), out);
}

static const char *
remember_value(struct ctx *c, long long device_id, const struct user *u)
{
	const char *pid, *ts;
	char md5[33], mac[65];

	pid = device_persistent_id(c->arena, device_id);
	ts = base62_encode(c->arena, (unsigned long long)time(NULL));
	md5_hex(pid, md5);
	remember_mac(c, pid, u, ts, mac);
	return arena_printf(c->arena, "%s:%s:%s", ts, md5, mac);
}

static bool
remember_valid(struct ctx *c, const char *value, long long device_id,
    const struct user *u)
{
	const char *pid, *c1, *c2, *ts;
	char md5[33], mac[65];
	unsigned long long t;
	time_t now;

	if ((c1 = strchr(value, ':')) == NULL ||
	    (c2 = strchr(c1 + 1, ':')) == NULL)
		return false;
	if (!base62_decode(value, (size_t)(c1 - value), &t))
		return false;
	now = time(NULL);
	if (t > (unsigned long long)now ||
	    (unsigned long long)now - t > SESSION_REMEMBER_AGE)
		return false;
	pid = device_persistent_id(c->arena, device_id);
	md5_hex(pid, md5);
	if ((size_t)(c2 - c1 - 1) != 32 || memcmp(c1 + 1, md5, 32) != 0)
		return false;
	ts = arena_strndup(c->arena, value, (size_t)(c1 - value));
	remember_mac(c, pid, u, ts, mac);
	return crypto_streq(c2 + 1, mac);
}

/* Does the request carry a valid remember cookie for this device? */
static bool
remembered(struct ctx *c, long long device_id, const struct user *u)
{
	size_t i, n = sizeof(REMEMBER_PREFIX) - 1;
	const struct kv *k;

	for (i = 0; i < c->req->ncookies; i++) {
		k = &c->req->cookies[i];
		if (strncmp(k->key, REMEMBER_PREFIX, n) == 0 &&
		    *k->val != '\0' && remember_valid(c, k->val, device_id, u))
			return true;
	}
	return false;
}

/* uuid4 in canonical text (out[37]). */
static void
uuid4(char out[37])
{
	unsigned char b[16];
	char hex[33];

	crypto_random(b, sizeof(b));
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
	crypto_hex(b, sizeof(b), hex);
	snprintf(out, 37, "%.8s-%.4s-%.4s-%.4s-%.12s", hex, hex + 8, hex + 12,
	    hex + 16, hex + 20);
}

static void
set_remember_cookie(struct ctx *c, long long device_id, const struct user *u)
{
	char id[37];

	uuid4(id);
	session_set_cookie(c, arena_printf(c->arena, REMEMBER_PREFIX "%s", id),
	    remember_value(c, device_id, u), SESSION_REMEMBER_AGE, true,
	    "Strict", true);
}

/* --- responses ----------------------------------------------------------- */

static void
respond_success(struct ctx *c)
{
	static const char body[] = "{\"success\":true}";

	c->resp->status = 200;
	c->resp->content_type = "application/json";
	buf_reset(&c->resp->body);
	buf_append(&c->resp->body, body, sizeof(body) - 1);
}

static void
locked_out(struct ctx *c)
{
	int minutes;

	minutes = (c->conf->auth_login_lockout_seconds + 59) / 60;
	api_error(c, 403, "authentication_error", "too_many_failed_attempts",
	    arena_printf(c->arena, "Too many failed login attempts. Please try "
	    "again in %d minute%s.", minutes, minutes == 1 ? "" : "s"), NULL);
}

/*
 * Has the client address reached the lockout limit?  True once answered
 * (403 too_many_failed_attempts, or a database error).
 */
static bool
lockout_reached(struct ctx *c, const char *ip)
{
	enum prk_err e;
	int n = 0;

	e = throttle_failures(c->db, c->arena, LOCKOUT_SCOPE, ip,
	    c->conf->auth_login_lockout_seconds, &n);
	if (e != PRK_OK) {
		api_db_error(c, e);
		return true;
	}
	if (n >= c->conf->auth_login_lockout_limit) {
		locked_out(c);
		return true;
	}
	return false;
}

static void
expired_2fa(struct ctx *c)
{
	api_validation(c, "2fa_expired", "Login attempt has expired. Re-enter "
	    "username/password.", NULL);
}

/* --- POST /api/login ----------------------------------------------------- */

/* One serializer field; false once the 400 is answered. */
static bool
login_field(struct ctx *c, json_object *body, const char *name, bool email,
    const char **out)
{
	json_object *v;
	struct verr err;
	bool ok;

	if (!json_object_object_get_ex(body, name, &v)) {
		api_validation(c, "required", "This field is required.", name);
		return false;
	}
	/* LoginSerializer's EmailField has no max_length of its own */
	ok = v_string(c->arena, v, 0, 0, out, &err);
	if (ok && email && !v_email_syntax(*out)) {
		err.code = "invalid_input";
		err.detail = "Enter a valid email address.";
		ok = false;
	}
	if (!ok)
		api_validation(c, err.code, err.detail, name);
	return ok;
}

/* The body as a serializer sees it: an object, else 400. */
static bool
body_object(struct ctx *c, json_object **out)
{
	if (!ctx_body(c, out))
		return false;
	if (*out == NULL || !json_object_is_type(*out, json_type_object)) {
		api_validation(c, "invalid_input", arena_printf(c->arena,
		    "Invalid data. Expected a dictionary, but got %s.",
		    json_py_type(*out)), NULL);
		return false;
	}
	return true;
}

/*
 * Django's authenticate(): the active user with this email (any case)
 * whose password verifies.  A missing user still costs one hash, so
 * timing does not reveal which emails exist.  Transparently upgrades the
 * stored hash when the iteration count changed.
 */
static enum prk_err
authenticate_password(struct ctx *c, const char *email, const char *password,
    struct user *u, bool *ok)
{
	struct dbv p[2];
	struct db_res res;
	char hash[PASSWORD_HASH_MAX];
	bool rehash = false;
	enum prk_err e;

	*ok = false;
	p[0] = DBV_S(email);
	e = db_exec(c->db, c->arena, "SELECT " USER_COLUMNS " FROM users u "
	    "WHERE u.email_lower = LOWER(?)", p, 1, &res);
	if (e != PRK_OK)
		return e;
	if (res.nrows == 0) {
		(void)password_hash(password, c->conf->password_iterations,
		    hash, sizeof(hash));
		return PRK_OK;
	}
	user_from_row(u, &res, 0, 0);
	if (!password_verify(password, u->password,
	    c->conf->password_iterations, &rehash) || !u->is_active)
		return PRK_OK;
	*ok = true;
	if (rehash && password_hash(password, c->conf->password_iterations,
	    hash, sizeof(hash)) == 0) {
		p[0] = DBV_S(hash);
		p[1] = DBV_I(u->id);
		e = db_exec(c->db, NULL, "UPDATE users SET password = ? WHERE "
		    "id = ?", p, 2, NULL);
		if (e != PRK_OK)
			log_warn("auth", "cannot upgrade the password hash of "
			    "user %lld: %s", u->id, prk_strerror(e));
		else
			u->password = arena_strdup(c->arena, hash);
	}
	return PRK_OK;
}

/* A failed attempt: count it, then 403 at the limit, else 400. */
static void
login_failed(struct ctx *c)
{
	const char *ip = c->req->remote_addr;
	enum prk_err e;

	log_notice("auth", "security: login failed ip=%s", ip);
	e = throttle_record_failure(c->db, c->arena, LOCKOUT_SCOPE, ip);
	if (e != PRK_OK) {
		api_db_error(c, e);
		return;
	}
	if (lockout_reached(c, ip))
		return;
	api_validation(c, "invalid_credentials", "Invalid email or password.",
	    NULL);
}

/* Password accepted: second factor, then the session (7.1 steps 5-6). */
static void
login_complete(struct ctx *c, struct user *u)
{
	struct totp_device d;
	bool found = false;
	enum prk_err e;

	if (u->is_2fa_enabled &&
	    (e = twofa_default_device(c, u->id, &d, &found)) != PRK_OK) {
		api_db_error(c, e);
		return;
	}
	if (found && !remembered(c, d.id, u)) {
		if ((e = session_begin_pending(c, u)) != PRK_OK) {
			api_db_error(c, e);
			return;
		}
		api_error(c, 401, "server_error", "2fa_required",
		    "2FA is required.", NULL);
		return;
	}
	if ((e = session_login(c, u, found, found ? d.id : 0)) != PRK_OK) {
		api_db_error(c, e);
		return;
	}
	respond_success(c);
}

/*
 * POST /api/login -- 200 {"success":true} + session and CSRF cookies;
 * 400 required/invalid_input/invalid_credentials/not_verified;
 * 401 2fa_required (+ pending session cookie); 403 too_many_failed_attempts.
 */
void
res_auth_login(struct ctx *c)
{
	json_object *body;
	const char *email, *password, *ip = c->req->remote_addr;
	struct user u;
	bool ok;
	enum prk_err e;

	if (!body_object(c, &body) ||
	    !login_field(c, body, "email", true, &email) ||
	    !login_field(c, body, "password", false, &password))
		return;
	if (lockout_reached(c, ip))
		return;
	if ((e = authenticate_password(c, email, password, &u, &ok)) != 0) {
		api_db_error(c, e);
		return;
	}
	if (!ok) {
		login_failed(c);
		return;
	}
	if ((e = throttle_clear(c->db, c->arena, LOCKOUT_SCOPE, ip)) != 0)
		log_warn("auth", "cannot clear login failures of %s: %s", ip,
		    prk_strerror(e));
	/* legacy users (NULL) may log in; only an explicit false waits */
	/* spec 7.1 step 4: (re)send the verification mail first */
	if (mail_configured(c->conf) && u.is_email_verified != 1 &&
	    (e = users_request_verification(c, &u, u.email)) != PRK_OK)
		log_warn("auth", "user %lld: cannot send the verification "
		    "mail: %s", u.id, prk_strerror(e));
	if (mail_configured(c->conf) && u.is_email_verified == 0) {
		api_validation(c, "not_verified", "Your account is awaiting "
		    "verification. Please check your email for a verification "
		    "link.", NULL);
		return;
	}
	login_complete(c, &u);
}

/* --- POST /api/login/token ----------------------------------------------- */

/*
 * The pending login of the request's session: the user, still active and
 * with the password the first step checked, within the time limit.
 */
static enum prk_err
pending_login(struct ctx *c, struct user *u, bool *ok)
{
	struct session s;
	bool found, ufound;
	enum prk_err e;

	*ok = false;
	if ((e = session_find(c, &s, &found, u, &ufound)) != PRK_OK)
		return e;
	if (!found || !s.pending || !ufound || !u->is_active ||
	    session_now() - s.pending_at > c->conf->auth_two_factor_login_timeout)
		return PRK_OK;
	*ok = true;
	return PRK_OK;
}

static void
token_success(struct ctx *c, struct user *u, long long device_id)
{
	enum prk_err e;

	if (device_id != 0 && (e = twofa_device_reset(c, device_id)) != 0) {
		api_db_error(c, e);
		return;
	}
	if ((e = session_login(c, u, true, device_id)) != PRK_OK) {
		api_db_error(c, e);
		return;
	}
	if (device_id != 0)
		set_remember_cookie(c, device_id, u);
	respond_success(c);
}

/*
 * POST /api/login/token -- 200 {"success":true} + session, CSRF and
 * remember-device cookies; 400 2fa_expired, 2fa_too_many_attempts,
 * required (token), 2fa_invalid.
 */
void
res_auth_login_token(struct ctx *c)
{
	struct user u;
	struct totp_device d;
	json_object *tok;
	const char *token;
	bool ok, found;
	enum prk_err e;

	if ((e = pending_login(c, &u, &ok)) != PRK_OK) {
		api_db_error(c, e);
		return;
	}
	if (!ok) {
		expired_2fa(c);
		return;
	}
	if ((e = twofa_default_device(c, u.id, &d, &found)) != PRK_OK) {
		api_db_error(c, e);
		return;
	}
	if (found && twofa_device_throttled(&d)) {
		api_validation(c, "2fa_too_many_attempts", "Too many attempts.",
		    NULL);
		return;
	}
	if (!ctx_body_field(c, "token", &tok))
		return;
	token = twofa_token_text(c, tok);
	if (found) {
		if ((e = twofa_verify_totp(c, &d, token, &ok)) != PRK_OK) {
			api_db_error(c, e);
			return;
		}
		if (ok) {
			token_success(c, &u, d.id);
			return;
		}
	}
	if ((e = twofa_use_backup_code(c, u.id, token, &ok)) != PRK_OK) {
		api_db_error(c, e);
		return;
	}
	if (ok) {
		twofa_mail(c, u.email, "A backup code was used to log in",
		    "One of your two-factor backup codes was just used to log "
		    "in to your account.  If this was not you, reset your "
		    "password and contact your administrator.\n");
		token_success(c, &u, found ? d.id : 0);
		return;
	}
	/* the view counts a failure on top of verify_token's (spec 7.2) */
	if (found && (e = twofa_device_failed(c, d.id)) != PRK_OK) {
		api_db_error(c, e);
		return;
	}
	api_validation(c, "2fa_invalid", "Invalid authentication code", NULL);
}

/* --- logout --------------------------------------------------------------- */

/* POST /api/logout -- 204; the session ends and its cookie is expired. */
void
res_auth_logout(struct ctx *c)
{
	enum prk_err e;

	if ((e = session_logout(c)) != PRK_OK) {
		api_db_error(c, e);
		return;
	}
	resp_no_content(c->resp);
}

/*
 * A `next` worth keeping: a local path ("/x"), never absolute, scheme-
 * relative ("//host", "/\host") or carrying control characters.
 */
static bool
safe_next(const char *v)
{
	const unsigned char *p;

	if (v == NULL || v[0] != '/' || v[1] == '/' || v[1] == '\\')
		return false;
	for (p = (const unsigned char *)v; *p != '\0'; p++)
		if (*p < 0x20 || *p == 0x7f || *p == '\\')
			return false;
	return true;
}

/* Python's quote(v, safe="/"), as QueryDict.urlencode(safe="/") does. */
static const char *
quote_path(struct arena *a, const char *v)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *p;
	char *out, *o;

	out = o = arena_alloc(a, 3 * strlen(v) + 1);
	for (p = (const unsigned char *)v; *p != '\0'; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr("_.-~/", *p) != NULL) {
			*o++ = (char)*p;
			continue;
		}
		*o++ = '%';
		*o++ = hex[*p >> 4];
		*o++ = hex[*p & 15];
	}
	*o = '\0';
	return out;
}

/* The `next` parameter: form body first, then the query string. */
static const char *
next_param(struct ctx *c)
{
	json_object *body, *v;

	if (c->req->body_len > 0 && ctx_body(c, &body) && body != NULL &&
	    json_object_is_type(body, json_type_object) &&
	    json_object_object_get_ex(body, "next", &v) &&
	    json_object_is_type(v, json_type_string))
		return json_object_get_string(v);
	return req_query(c->req, "next");
}

/*
 * POST /logout -- 302 to /login (keeping a safe relative `next`); the
 * session ends and its cookie is expired.
 */
void
res_auth_logout_redirect(struct ctx *c)
{
	const char *next;
	enum prk_err e;

	next = next_param(c);
	if (c->resp->status != 0)
		return;		/* the body could not be parsed */
	if ((e = session_logout(c)) != PRK_OK) {
		api_db_error(c, e);
		return;
	}
	c->resp->status = 302;
	c->resp->content_type = "text/html; charset=utf-8";
	buf_reset(&c->resp->body);
	if (safe_next(next))
		resp_header(c->resp, "Location: /login?next=%s",
		    quote_path(c->arena, next));
	else
		resp_header(c->resp, "Location: /login");
}
