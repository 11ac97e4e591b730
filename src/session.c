/*
 * session -- server-side sessions in MariaDB (spec 2.2, 2.6, 7, 8).
 *
 * A session key is 32 characters of [a-z0-9] (Django's session key
 * alphabet, ~165 bits); the table holds SHA-256(key) only.  Logging in
 * always issues a new key (the old row is deleted), so a key planted
 * before login is worthless afterwards.  Times are UNIX seconds with
 * microseconds, stored as DECIMAL(17,6) so they round-trip exactly.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "arena.h"
#include "conf.h"
#include "crypto.h"
#include "csrf.h"
#include "ctx.h"
#include "db.h"
#include "http.h"
#include "json.h"
#include "log.h"
#include "router.h"
#include "session.h"
#include "user.h"

#define SESSION_KEY_LEN	32

double
session_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A time as the DECIMAL(17,6) text bound into statements. */
static const char *
time_text(struct ctx *c, double t)
{
	return arena_printf(c->arena, "%.6f", t);
}

static double
time_cell(const struct db_res *r, size_t row, size_t col)
{
	const char *s;

	s = db_str(r, row, col);
	return s != NULL ? strtod(s, NULL) : 0.0;
}

/* 32 random characters of [a-z0-9], unbiased (out has 33). */
static void
new_session_key(char out[SESSION_KEY_LEN + 1])
{
	static const char alphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";
	unsigned char pool[64];
	size_t used = sizeof(pool), i = 0;

	while (i < SESSION_KEY_LEN) {
		if (used == sizeof(pool)) {
			crypto_random(pool, sizeof(pool));
			used = 0;
		}
		/* 252 = 7 * 36: larger bytes would bias the result */
		if (pool[used] < 252)
			out[i++] = alphabet[pool[used] % 36];
		used++;
	}
	out[SESSION_KEY_LEN] = '\0';
}

static bool
valid_session_key(const char *s)
{
	size_t i;

	if (s == NULL || strlen(s) != SESSION_KEY_LEN)
		return false;
	for (i = 0; i < SESSION_KEY_LEN; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' &&
		    s[i] <= '9')))
			return false;
	return true;
}

/* The session auth hash: HMAC-SHA256(derived key, password hash), hex. */
static void
session_auth_hash(const struct conf *conf, const char *password,
    char out[65])
{
	unsigned char key[32], mac[32];

	crypto_derive_key(conf->secret_key, "session-auth", key);
	crypto_hmac_sha256(key, sizeof(key), password != NULL ? password : "",
	    password != NULL ? strlen(password) : 0, mac);
	crypto_hex(mac, sizeof(mac), out);
}

/* --- cookies -------------------------------------------------------------- */

/* Python's email.utils.formatdate(usegmt=True). */
static const char *
http_date(struct ctx *c, time_t t)
{
	static const char *const days[] = {
		"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat",
	};
	static const char *const months[] = {
		"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep",
		"Oct", "Nov", "Dec",
	};
	struct tm tm;

	gmtime_r(&t, &tm);
	return arena_printf(c->arena, "%s, %02d %s %04d %02d:%02d:%02d GMT",
	    days[tm.tm_wday], tm.tm_mday, months[tm.tm_mon], tm.tm_year + 1900,
	    tm.tm_hour, tm.tm_min, tm.tm_sec);
}

void
session_set_cookie(struct ctx *c, const char *name, const char *value,
    int max_age, bool httponly, const char *samesite, bool secure)
{
	/* SimpleCookie's attribute order: expires, HttpOnly, Max-Age, ... */
	resp_header(c->resp, "Set-Cookie: %s=%s; expires=%s;%s Max-Age=%d; "
	    "Path=/; SameSite=%s%s", name, value,
	    http_date(c, time(NULL) + max_age), httponly ? " HttpOnly;" : "",
	    max_age, samesite, secure ? "; Secure" : "");
}

void
session_delete_cookie(struct ctx *c, const char *name)
{
	resp_header(c->resp, "Set-Cookie: %s=\"\"; expires=Thu, 01 Jan 1970 "
	    "00:00:00 GMT; Max-Age=0; Path=/; SameSite=Lax", name);
}

static void
set_session_cookie(struct ctx *c, const char *key)
{
	session_set_cookie(c, c->conf->session_cookie_name, key,
	    c->conf->session_max_age, true, "Lax",
	    c->conf->session_cookie_secure != 0);
}

/* --- lookup ---------------------------------------------------------------- */

#define SESSION_SELECT \
	"SELECT s.id, s.user_id, s.auth_hash, s.created_at, " \
	"s.two_factor_verified, s.otp_device_id, s.pending_at, " \
	"s.setup_secret_sealed, s.setup_at, u.id IS NOT NULL, " USER_COLUMNS \
	" FROM sessions s LEFT JOIN users u ON u.id = s.user_id " \
	"WHERE s.key_hash = ?"
#define SESSION_NCOLS 10

static void
session_from_row(struct session *s, const struct db_res *r)
{
	memset(s, 0, sizeof(*s));
	s->id = db_int(r, 0, 0);
	s->user_id = db_int(r, 0, 1);
	s->auth_hash = db_str(r, 0, 2);
	s->created_at = time_cell(r, 0, 3);
	s->two_factor_verified = db_int(r, 0, 4) != 0;
	s->otp_device_id = db_int(r, 0, 5);
	s->pending = !db_isnull(r, 0, 6);
	s->pending_at = time_cell(r, 0, 6);
	s->setup_secret_sealed = db_str(r, 0, 7);
	s->setup_at = time_cell(r, 0, 8);
}

enum prk_err
session_find(struct ctx *c, struct session *out, bool *found,
    struct user *user, bool *user_found)
{
	const char *key;
	char hash[65];
	struct dbv p[1];
	struct db_res res;
	enum prk_err e;

	*found = false;
	if (user_found != NULL)
		*user_found = false;
	key = req_cookie(c->req, c->conf->session_cookie_name);
	if (!valid_session_key(key))
		return PRK_OK;
	crypto_sha256_hex(key, strlen(key), hash);
	p[0] = DBV_S(hash);
	if ((e = db_exec(c->db, c->arena, SESSION_SELECT, p, 1, &res)) != 0)
		return e;
	if (res.nrows == 0)
		return PRK_OK;
	session_from_row(out, &res);
	/* absolute expiry, counted from login (spec 2.2.1) */
	if (out->created_at + c->conf->session_max_age <= session_now())
		return PRK_OK;
	*found = true;
	if (user != NULL && db_int(&res, 0, 9) != 0) {
		user_from_row(user, &res, 0, SESSION_NCOLS);
		*user_found = true;
	}
	return PRK_OK;
}

enum authn
auth_session(struct ctx *c)
{
	struct session s;
	struct user u;
	bool found, ufound;
	char want[65];
	enum prk_err e;

	if ((e = session_find(c, &s, &found, &u, &ufound)) != PRK_OK) {
		api_db_error(c, e);
		return AUTHN_FAILED;
	}
	if (!found || s.pending || !ufound || !u.is_active)
		return AUTHN_NONE;
	session_auth_hash(c->conf, u.password, want);
	if (s.auth_hash == NULL || !crypto_streq(s.auth_hash, want))
		return AUTHN_NONE;	/* the password changed since login */
	c->auth.kind = AUTH_SESSION;
	c->auth.user = u;
	c->auth.session_id = s.id;
	c->auth.session_created_at = s.created_at;
	c->auth.session_2fa_verified = s.two_factor_verified;
	return AUTHN_OK;
}

/* --- creating and ending sessions ----------------------------------------- */

/* Delete the session named by the request's cookie, if any. */
static enum prk_err
delete_current(struct ctx *c)
{
	const char *key;
	char hash[65];
	struct dbv p[1];

	key = req_cookie(c->req, c->conf->session_cookie_name);
	if (!valid_session_key(key))
		return PRK_OK;
	crypto_sha256_hex(key, strlen(key), hash);
	p[0] = DBV_S(hash);
	return db_exec(c->db, NULL, "DELETE FROM sessions WHERE key_hash = ?",
	    p, 1, NULL);
}

/* Expired rows are useless; drop a few whenever a session is created. */
static void
delete_expired(struct ctx *c, double now)
{
	struct dbv p[1];
	enum prk_err e;

	p[0] = DBV_S(time_text(c, now - c->conf->session_max_age));
	e = db_exec(c->db, NULL, "DELETE FROM sessions WHERE created_at < ? "
	    "LIMIT 100", p, 1, NULL);
	if (e != PRK_OK)
		log_warn("session", "cannot delete expired sessions: %s",
		    prk_strerror(e));
}

/*
 * Replace the request's session by a new row for u; pending records a
 * login waiting for its second factor.  Sets the session cookie.
 */
static enum prk_err
session_replace(struct ctx *c, const struct user *u, bool pending,
    bool verified, long long device_id)
{
	char key[SESSION_KEY_LEN + 1], hash[65], ahash[65];
	struct dbv p[7];
	double now;
	enum prk_err e;

	now = session_now();
	if ((e = delete_current(c)) != PRK_OK)
		return e;
	delete_expired(c, now);
	new_session_key(key);
	crypto_sha256_hex(key, strlen(key), hash);
	session_auth_hash(c->conf, u->password, ahash);
	p[0] = DBV_S(hash);
	p[1] = DBV_I(u->id);
	p[2] = DBV_S(ahash);
	p[3] = DBV_S(time_text(c, now));
	p[4] = DBV_I(verified ? 1 : 0);
	p[5] = device_id != 0 ? DBV_I(device_id) : DBV_NULLV;
	p[6] = pending ? DBV_S(time_text(c, now)) : DBV_NULLV;
	e = db_exec(c->db, NULL, "INSERT INTO sessions (key_hash, user_id, "
	    "auth_hash, created_at, two_factor_verified, otp_device_id, "
	    "pending_at) VALUES (?, ?, ?, ?, ?, ?, ?)", p, 7, NULL);
	if (e != PRK_OK)
		return e;
	set_session_cookie(c, key);
	return PRK_OK;
}

enum prk_err
session_login(struct ctx *c, const struct user *u, bool verified,
    long long device_id)
{
	enum prk_err e;

	if ((e = session_replace(c, u, false, verified, device_id)) != 0)
		return e;
	csrf_rotate(c);
	return PRK_OK;
}

enum prk_err
session_begin_pending(struct ctx *c, const struct user *u)
{
	return session_replace(c, u, true, false, 0);
}

enum prk_err
session_logout(struct ctx *c)
{
	enum prk_err e;

	if ((e = delete_current(c)) != PRK_OK)
		return e;
	/* SessionMiddleware deletes the cookie only when one was sent */
	if (req_cookie(c->req, c->conf->session_cookie_name) != NULL)
		session_delete_cookie(c, c->conf->session_cookie_name);
	return PRK_OK;
}

enum prk_err
session_set_setup_secret(struct ctx *c, const char *sealed_hex)
{
	struct dbv p[3];

	p[0] = DBV_S(sealed_hex);
	p[1] = DBV_S(time_text(c, session_now()));
	p[2] = DBV_I(c->auth.session_id);
	return db_exec(c->db, NULL, "UPDATE sessions SET setup_secret_sealed "
	    "= ?, setup_at = ? WHERE id = ?", p, 3, NULL);
}

enum prk_err
session_clear_setup_secret(struct ctx *c)
{
	struct dbv p[1];

	p[0] = DBV_I(c->auth.session_id);
	return db_exec(c->db, NULL, "UPDATE sessions SET setup_secret_sealed "
	    "= NULL, setup_at = NULL WHERE id = ?", p, 1, NULL);
}

enum prk_err
session_mark_verified(struct ctx *c, long long device_id)
{
	struct dbv p[2];

	p[0] = DBV_I(device_id);
	p[1] = DBV_I(c->auth.session_id);
	c->auth.session_2fa_verified = true;
	return db_exec(c->db, NULL, "UPDATE sessions SET two_factor_verified "
	    "= 1, otp_device_id = ? WHERE id = ?", p, 2, NULL);
}

enum prk_err
session_password_changed(struct ctx *c, long long user_id,
    const char *new_hash)
{
	char key[SESSION_KEY_LEN + 1], hash[65], ahash[65];
	struct dbv p[3];
	long long keep;
	enum prk_err e;

	keep = c->auth.kind == AUTH_SESSION && c->auth.user.id == user_id ?
	    c->auth.session_id : 0;
	p[0] = DBV_I(user_id);
	p[1] = DBV_I(keep);
	e = db_exec(c->db, NULL, "DELETE FROM sessions WHERE user_id = ? AND "
	    "id <> ?", p, 2, NULL);
	if (e == PRK_OK && keep != 0) {
		/* Django's update_session_auth_hash(): cycle the key too */
		new_session_key(key);
		crypto_sha256_hex(key, strlen(key), hash);
		session_auth_hash(c->conf, new_hash, ahash);
		p[0] = DBV_S(hash);
		p[1] = DBV_S(ahash);
		p[2] = DBV_I(keep);
		e = db_exec(c->db, NULL, "UPDATE sessions SET key_hash = ?, "
		    "auth_hash = ? WHERE id = ?", p, 3, NULL);
		if (e == PRK_OK)
			set_session_cookie(c, key);
	}
	if (e != PRK_OK)
		log_err("session", "cannot end the sessions of user %lld: %s",
		    user_id, prk_strerror(e));
	return e;
}

/* --- re-authentication freshness (spec 2.6) -------------------------------- */

/* PATCH/PUT fields that never need a fresh session. */
static const char *const reauth_exempt_fields[] = {
	"theme_mode", "set_current_organization", "set_current_team",
	"allow_sidebar_suggestions", "shortcut_position",
	"has_seen_product_intro_for", "events_column_config",
	"role_at_organization", NULL,
};

static bool
exempt_field(const char *key)
{
	size_t i;

	for (i = 0; reauth_exempt_fields[i] != NULL; i++)
		if (strcmp(key, reauth_exempt_fields[i]) == 0)
			return true;
	return false;
}

/* A non-empty object whose keys are all exempt. */
static bool
only_exempt_fields(json_object *body)
{
	if (body == NULL || !json_object_is_type(body, json_type_object) ||
	    json_object_object_length(body) == 0)
		return false;
	json_object_object_foreach(body, key, val) {
		(void)val;
		if (!exempt_field(key))
			return false;
	}
	return true;
}

bool
session_check_freshness(struct ctx *c)
{
	json_object *body;
	enum http_method m = c->req->method;

	if (c->auth.kind != AUTH_SESSION || http_method_is_safe(m) ||
	    (c->route->flags & RF_REAUTH_EXEMPT))
		return true;
	if (session_now() <= c->auth.session_created_at +
	    c->conf->auth_sensitive_action_age)
		return true;
	if ((c->route->flags & RF_REAUTH_FIELDS) &&
	    (m == HTTP_PATCH || m == HTTP_PUT)) {
		if (!ctx_body(c, &body))
			return false;
		if (only_exempt_fields(body))
			return true;
	}
	api_error(c, 403, "authentication_error",
	    "sensitive_action_required_reauth",
	    "This action requires you to be recently authenticated.", NULL);
	return false;
}
