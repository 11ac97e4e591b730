/*
 * res_2fa -- TOTP two-factor authentication (spec 2.2.4, 5.7-5.11, 6).
 *
 * Secrets: the pending setup secret (in the session) and the device key
 * (totp_devices.key_sealed) are AES-256-GCM sealed with a key derived
 * from secret_key, stored as hex.  Backup codes are stored as SHA-256 and
 * redeemed by deleting their row, so a code works once even when many
 * logins race for it.  The TOTP replay guard is a conditional UPDATE on
 * last_t, which serialises concurrent uses of one time step across
 * workers.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "arena.h"
#include "conf.h"
#include "crypto.h"
#include "ctx.h"
#include "db.h"
#include "http.h"
#include "json.h"
#include "log.h"
#include "mail.h"
#include "res_2fa.h"
#include "res_users.h"
#include "session.h"
#include "totp.h"
#include "user.h"
#include "util.h"

#define TOTP_SECRET_LEN		20	/* 160 bits (spec 6) */
#define BACKUP_CODE_COUNT	10
#define BACKUP_CODE_BYTES	5	/* base32: 8 chars */
#define SEALED_MAX		256

/* --- sealing ------------------------------------------------------------- */

static void
totp_seal_key(const struct conf *conf, unsigned char key[32])
{
	crypto_derive_key(conf->secret_key, "totp", key);
}

/* Seal a secret as hex into the arena; NULL when it does not fit. */
static char *
seal_hex(struct ctx *c, const unsigned char *secret, size_t len)
{
	unsigned char key[32], out[SEALED_MAX];
	char *hex;
	int n;

	totp_seal_key(c->conf, key);
	n = crypto_seal(key, secret, len, out, sizeof(out));
	if (n < 0)
		return NULL;
	hex = arena_alloc(c->arena, 2 * (size_t)n + 1);
	crypto_hex(out, (size_t)n, hex);
	return hex;
}

/* Open a sealed hex secret into out; returns its length or -1. */
static int
open_hex(const struct conf *conf, const char *hex, unsigned char *out,
    size_t outsz)
{
	unsigned char key[32], sealed[SEALED_MAX];
	int n;

	if (hex == NULL || (n = crypto_unhex(hex, sealed, sizeof(sealed))) < 0)
		return -1;
	totp_seal_key(conf, key);
	return crypto_open(key, sealed, (size_t)n, out, outsz);
}

/* --- devices ------------------------------------------------------------- */

enum prk_err
twofa_default_device(struct ctx *c, long long user_id,
    struct totp_device *d, bool *found)
{
	struct dbv p[1];
	struct db_res res;
	enum prk_err e;
	int n;

	*found = false;
	p[0] = DBV_I(user_id);
	e = db_exec(c->db, c->arena, "SELECT id, key_sealed, drift, tolerance, "
	    "last_t, throttling_failure_count, IFNULL(TIMESTAMPDIFF("
	    "MICROSECOND, throttling_failure_timestamp, UTC_TIMESTAMP(6)), -1) "
	    "FROM totp_devices WHERE user_id = ? AND name = 'default' "
	    "ORDER BY id LIMIT 1", p, 1, &res);
	if (e != PRK_OK || res.nrows == 0)
		return e;
	memset(d, 0, sizeof(*d));
	d->id = db_int(&res, 0, 0);
	n = open_hex(c->conf, db_str(&res, 0, 1), d->key, sizeof(d->key));
	if (n <= 0) {
		/* wrong secret_key or a damaged row: no code can match */
		log_err("2fa", "cannot unseal TOTP device %lld", d->id);
		n = 0;
	}
	d->keylen = (size_t)n;
	d->drift = (int)db_int(&res, 0, 2);
	d->tolerance = (int)db_int(&res, 0, 3);
	d->last_t = db_int(&res, 0, 4);
	d->failures = (int)db_int(&res, 0, 5);
	d->since_failure_us = db_int(&res, 0, 6);
	*found = true;
	return PRK_OK;
}

/* ThrottlingMixin.verify_is_allowed() with OTP_*_THROTTLE_FACTOR 1. */
static bool
throttled(int failures, long long since_us)
{
	double required;

	if (failures <= 0 || since_us < 0)
		return false;
	required = ldexp(1.0, failures - 1 > 60 ? 60 : failures - 1);
	return (double)since_us / 1e6 < required;
}

bool
twofa_device_throttled(const struct totp_device *d)
{
	return throttled(d->failures, d->since_failure_us);
}

enum prk_err
twofa_device_failed(struct ctx *c, long long device_id)
{
	struct dbv p[1];

	p[0] = DBV_I(device_id);
	return db_exec(c->db, NULL, "UPDATE totp_devices SET "
	    "throttling_failure_count = throttling_failure_count + 1, "
	    "throttling_failure_timestamp = UTC_TIMESTAMP(6) WHERE id = ?",
	    p, 1, NULL);
}

enum prk_err
twofa_device_reset(struct ctx *c, long long device_id)
{
	struct dbv p[1];

	p[0] = DBV_I(device_id);
	return db_exec(c->db, NULL, "UPDATE totp_devices SET "
	    "throttling_failure_count = 0, throttling_failure_timestamp = NULL "
	    "WHERE id = ?", p, 1, NULL);
}

enum prk_err
twofa_verify_totp(struct ctx *c, struct totp_device *d, const char *token,
    bool *ok)
{
	long long n;
	int64_t step;
	int offset;
	struct dbv p[4];
	struct db_res res;
	enum prk_err e;

	*ok = false;
	if (twofa_device_throttled(d))
		return PRK_OK;
	/* Python int(): whitespace and a sign allowed, nothing else */
	if (token != NULL && py_int(token, &n) && n >= 0 && n <= 999999 &&
	    d->keylen > 0 &&
	    totp_verify(d->key, d->keylen, (uint32_t)n, time(NULL), d->drift,
	    d->tolerance, d->last_t, &step, &offset)) {
		p[0] = DBV_I(step);
		p[1] = DBV_I(offset);
		p[2] = DBV_I(d->id);
		p[3] = DBV_I(step);
		e = db_exec(c->db, c->arena, "UPDATE totp_devices SET last_t = "
		    "?, drift = ?, throttling_failure_count = 0, "
		    "throttling_failure_timestamp = NULL WHERE id = ? AND "
		    "last_t < ?", p, 4, &res);
		if (e != PRK_OK)
			return e;
		/* zero rows: another request used this step first */
		if (res.affected == 1) {
			d->last_t = step;
			d->drift = offset;
			*ok = true;
			return PRK_OK;
		}
	}
	return twofa_device_failed(c, d->id);
}

enum prk_err
twofa_use_backup_code(struct ctx *c, long long user_id, const char *token,
    bool *ok)
{
	struct dbv p[2];
	struct db_res res;
	char hash[65];
	enum prk_err e;

	*ok = false;
	p[0] = DBV_I(user_id);
	e = db_exec(c->db, c->arena, "SELECT throttling_failure_count, "
	    "IFNULL(TIMESTAMPDIFF(MICROSECOND, throttling_failure_timestamp, "
	    "UTC_TIMESTAMP(6)), -1) FROM otp_static_devices WHERE user_id = ?",
	    p, 1, &res);
	if (e != PRK_OK || res.nrows == 0)
		return e;	/* no backup codes were ever made */
	if (throttled((int)db_int(&res, 0, 0), db_int(&res, 0, 1)))
		return PRK_OK;
	if (token == NULL)
		token = "";
	crypto_sha256_hex(token, strlen(token), hash);
	p[1] = DBV_S(hash);
	e = db_exec(c->db, c->arena, "DELETE FROM otp_static_tokens WHERE "
	    "user_id = ? AND token_hash = ? LIMIT 1", p, 2, &res);
	if (e != PRK_OK)
		return e;
	*ok = res.affected == 1;
	if (*ok)
		return db_exec(c->db, NULL, "UPDATE otp_static_devices SET "
		    "throttling_failure_count = 0, throttling_failure_timestamp "
		    "= NULL WHERE user_id = ?", p, 1, NULL);
	return db_exec(c->db, NULL, "UPDATE otp_static_devices SET "
	    "throttling_failure_count = throttling_failure_count + 1, "
	    "throttling_failure_timestamp = UTC_TIMESTAMP(6) WHERE user_id = ?",
	    p, 1, NULL);
}

const char *
twofa_token_text(struct ctx *c, json_object *v)
{
	double d;

	switch (json_object_get_type(v)) {
	case json_type_string:
		return json_object_get_string(v);
	case json_type_int:
		return arena_printf(c->arena, "%lld",
		    (long long)json_object_get_int64(v));
	case json_type_double:
		d = json_object_get_double(v);
		if (!isfinite(d) || fabs(d) > 1e15)
			return NULL;
		return arena_printf(c->arena, "%lld", (long long)trunc(d));
	case json_type_boolean:
		return json_object_get_boolean(v) ? "1" : "0";
	default:
		return NULL;
	}
}

void
twofa_mail(struct ctx *c, const char *to, const char *subject,
    const char *body)
{
	enum prk_err e;

	if (!mail_configured(c->conf))
		return;
	if ((e = mail_send(c->conf, to, subject, body)) != PRK_OK)
		log_warn("2fa", "cannot send \"%s\" mail: %s", subject,
		    prk_strerror(e));
}

/* --- organisation-enforced 2FA (spec 2.2.4) ------------------------------- */

/* Exact paths, trailing slash included: "/api/users/@me" is not here. */
static const char *const enforce_allow[] = {
	"/api/users/@me/two_factor_start_setup/",
	"/api/users/@me/two_factor_validate/",
	"/api/users/@me/two_factor_status/",
	"/api/users/@me/two_factor_backup_codes/",
	"/api/users/@me/two_factor_disable/",
	"/logout/", "/api/logout/", "/api/login/", "/api/login/token/",
	"/api/users/@me/", "/_health/", NULL,
};

static bool
enforce_allowed(const char *path)
{
	size_t i;

	for (i = 0; enforce_allow[i] != NULL; i++)
		if (strcmp(path, enforce_allow[i]) == 0)
			return true;
	return false;
}

bool
twofa_enforce(struct ctx *c)
{
	const struct user *u = &c->auth.user;
	struct dbv p[2];
	struct db_res res;
	enum prk_err e;

	if (c->auth.kind != AUTH_SESSION || enforce_allowed(c->req->path))
		return true;
	/* the current organisation, or the one render would select (4.5) */
	p[0] = DBV_S(u->current_organization_id);
	p[1] = DBV_I(u->id);
	e = db_exec(c->db, c->arena, "SELECT o.enforce_2fa FROM organizations "
	    "o WHERE o.id = IFNULL(?, (SELECT m.organization_id FROM "
	    "organization_memberships m WHERE m.user_id = ? ORDER BY "
	    "m.organization_id LIMIT 1))", p, 2, &res);
	if (e != PRK_OK) {
		api_db_error(c, e);
		return false;
	}
	if (res.nrows == 0 || db_int(&res, 0, 0) != 1)
		return true;
	if (!u->is_2fa_enabled) {
		api_error(c, 403, "authentication_error",
		    "two_factor_setup_required", "2FA setup required", NULL);
		return false;
	}
	if (!c->auth.session_2fa_verified) {
		api_error(c, 403, "authentication_error",
		    "two_factor_verification_required",
		    "2FA verification required", NULL);
		return false;
	}
	return true;
}

/* --- handlers ------------------------------------------------------------ */

/*
 * GET /api/users/:id/two_factor_start_setup/ (and start_2fa_setup) --
 * 200 {"success":true,"secret":"<base32>"}.  Acts on the caller; the
 * secret waits in the session for two_factor_validate.
 */
void
res_2fa_start_setup(struct ctx *c)
{
	unsigned char secret[TOTP_SECRET_LEN];
	char b32[(TOTP_SECRET_LEN * 8 + 4) / 5 + 1];
	const char *sealed;
	json_object *o;
	enum prk_err e;

	crypto_random(secret, sizeof(secret));
	crypto_base32(secret, sizeof(secret), b32);
	if ((sealed = seal_hex(c, secret, sizeof(secret))) == NULL) {
		api_db_error(c, PRK_EDB);
		return;
	}
	if ((e = session_set_setup_secret(c, sealed)) != PRK_OK) {
		api_db_error(c, e);
		return;
	}
	o = json_object_new_object();
	json_add(o, "success", json_object_new_boolean(1));
	json_add(o, "secret", json_str(b32));
	resp_json(c->resp, 200, o);
	json_object_put(o);
}

static void
respond_success(struct ctx *c)
{
	json_object *o;

	o = json_object_new_object();
	json_add(o, "success", json_object_new_boolean(1));
	resp_json(c->resp, 200, o);
	json_object_put(o);
}

/* The pending setup secret of the session, if it has not expired. */
static enum prk_err
pending_secret(struct ctx *c, unsigned char *out, size_t outsz, int *len)
{
	struct session s;
	bool found;
	enum prk_err e;

	*len = -1;
	if ((e = session_find(c, &s, &found, NULL, NULL)) != PRK_OK)
		return e;
	if (!found || s.id != c->auth.session_id ||
	    s.setup_secret_sealed == NULL ||
	    s.setup_at + c->conf->auth_two_factor_setup_timeout <
	    session_now())
		return PRK_OK;
	*len = open_hex(c->conf, s.setup_secret_sealed, out, outsz);
	return PRK_OK;
}

/* TOTPDeviceForm's token: Django IntegerField, 0..999999. */
static bool
validate_token_code(struct ctx *c, json_object *v, uint32_t *code)
{
	const char *s;

	if (json_object_is_type(v, json_type_double)) {
		/* str(float) then the trailing ".0" rule */
		double d = json_object_get_double(v);

		if (!isfinite(d) || d != trunc(d) || d < 0 || d > 999999)
			return false;
		*code = (uint32_t)d;
		return true;
	}
	if (json_object_is_type(v, json_type_boolean))
		return false;
	s = twofa_token_text(c, v);
	return s != NULL && totp_parse_code(s, true, code);
}

/* Save the device and mark the session; one transaction. */
static enum prk_err
create_device(struct ctx *c, const unsigned char *secret, size_t len,
    int offset, long long *id)
{
	struct dbv p[3];
	struct db_res res;
	const char *sealed;
	enum prk_err e;

	if ((sealed = seal_hex(c, secret, len)) == NULL)
		return PRK_EDB;
	if ((e = db_begin(c->db)) != PRK_OK)
		return e;
	p[0] = DBV_I(c->auth.user.id);
	p[1] = DBV_S(sealed);
	p[2] = DBV_I(offset);
	e = db_exec(c->db, c->arena, "INSERT INTO totp_devices (user_id, name, "
	    "key_sealed, step, t0, digits, tolerance, drift, last_t, "
	    "created_at) VALUES (?, 'default', ?, 30, 0, 6, 1, ?, -1, "
	    "UTC_TIMESTAMP(6))", p, 3, &res);
	if (e == PRK_OK) {
		*id = (long long)res.insert_id;
		e = session_mark_verified(c, *id);
	}
	if (e == PRK_OK)
		e = session_clear_setup_secret(c);
	if (e == PRK_OK)
		e = db_commit(c->db);
	return e;
}

/*
 * POST /api/users/:id/two_factor_validate/ (and validate_2fa) -- 200
 * {"success":true}; 400 setup_expired, required (token), token_invalid.
 * Acts on the caller.
 */
void
res_2fa_validate(struct ctx *c)
{
	unsigned char secret[64];
	json_object *tok;
	uint32_t code;
	int len, offset;
	int64_t step;
	long long id;
	enum prk_err e;

	if ((e = pending_secret(c, secret, sizeof(secret), &len)) != PRK_OK) {
		api_db_error(c, e);
		return;
	}
	if (len <= 0) {
		api_validation(c, "setup_expired", "2FA setup session expired. "
		    "Please start setup again.", NULL);
		return;
	}
	if (!ctx_body_field(c, "token", &tok))
		return;
	/* TOTPDeviceForm.clean_token: T-1..T+1, no replay state yet */
	if (!validate_token_code(c, tok, &code) ||
	    !totp_verify(secret, (size_t)len, code, time(NULL), 0, 1, -1,
	    &step, &offset)) {
		api_validation(c, "token_invalid", "Token is not valid", NULL);
		return;
	}
	if ((e = create_device(c, secret, (size_t)len, offset, &id)) != 0) {
		api_db_error(c, e);
		return;
	}
	twofa_mail(c, c->auth.user.email, "Two-factor authentication enabled",
	    "Two-factor authentication was enabled on your account.  If this "
	    "was not you, reset your password and contact your "
	    "administrator.\n");
	respond_success(c);
}

/*
 * GET /api/users/:id/two_factor_status/ -- 200 {"is_enabled",
 * "backup_codes_remaining","method","has_passkeys","has_totp",
 * "passkeys_enabled_for_2fa"}; 403/404 target.
 */
void
res_2fa_status(struct ctx *c)
{
	struct user u;
	struct dbv p[2];
	struct db_res res;
	json_object *o;
	bool has_totp;
	enum prk_err e;

	if (!users_resolve_target(c, &u))
		return;
	p[0] = p[1] = DBV_I(u.id);
	e = db_exec(c->db, c->arena, "SELECT "
	    "EXISTS (SELECT 1 FROM totp_devices WHERE user_id = ?), "
	    "(SELECT COUNT(*) FROM otp_static_tokens WHERE user_id = ?)",
	    p, 2, &res);
	if (e != PRK_OK) {
		api_db_error(c, e);
		return;
	}
	has_totp = db_int(&res, 0, 0) != 0;
	/* passkeys are not modelled: a user never has one (spec 5.3.10) */
	o = json_object_new_object();
	json_add(o, "is_enabled", json_object_new_boolean(u.is_2fa_enabled));
	json_add(o, "backup_codes_remaining", json_object_new_int64(has_totp ?
	    db_int(&res, 0, 1) : 0));
	json_add(o, "method", has_totp ? json_str("TOTP") : NULL);
	json_add(o, "has_passkeys", json_object_new_boolean(0));
	json_add(o, "has_totp", json_object_new_boolean(has_totp));
	json_add(o, "passkeys_enabled_for_2fa", json_object_new_boolean(0));
	resp_json(c->resp, 200, o);
	json_object_put(o);
}

/* Replace the user's backup codes by n fresh ones (transaction). */
static enum prk_err
replace_backup_codes(struct ctx *c, long long user_id, json_object *codes)
{
	unsigned char raw[BACKUP_CODE_BYTES];
	char code[(BACKUP_CODE_BYTES * 8 + 4) / 5 + 1], hash[65];
	struct dbv p[2];
	enum prk_err e;
	int i;

	if ((e = db_begin(c->db)) != PRK_OK)
		return e;
	p[0] = DBV_I(user_id);
	e = db_exec(c->db, NULL, "INSERT IGNORE INTO otp_static_devices "
	    "(user_id) VALUES (?)", p, 1, NULL);
	if (e == PRK_OK)
		e = db_exec(c->db, NULL, "DELETE FROM otp_static_tokens WHERE "
		    "user_id = ?", p, 1, NULL);
	for (i = 0; e == PRK_OK && i < BACKUP_CODE_COUNT; i++) {
		crypto_random(raw, sizeof(raw));
		crypto_base32(raw, sizeof(raw), code);
		str_lower(code);
		crypto_sha256_hex(code, strlen(code), hash);
		p[1] = DBV_S(hash);
		e = db_exec(c->db, NULL, "INSERT INTO otp_static_tokens "
		    "(user_id, token_hash) VALUES (?, ?)", p, 2, NULL);
		json_object_array_add(codes, json_str(code));
	}
	if (e == PRK_OK)
		e = db_commit(c->db);
	return e;
}

/*
 * POST /api/users/:id/two_factor_backup_codes/ -- 200 {"backup_codes":
 * [10 codes]}; 400 2fa_not_enabled; 403/404 target.
 */
void
res_2fa_backup_codes(struct ctx *c)
{
	struct user u;
	json_object *o, *codes;
	enum prk_err e;

	if (!users_resolve_target(c, &u))
		return;
	if (!u.is_2fa_enabled) {
		api_validation(c, "2fa_not_enabled", "2FA must be enabled first",
		    NULL);
		return;
	}
	codes = json_object_new_array();
	if ((e = replace_backup_codes(c, u.id, codes)) != PRK_OK) {
		json_object_put(codes);
		api_db_error(c, e);
		return;
	}
	o = json_object_new_object();
	json_add(o, "backup_codes", codes);
	resp_json(c->resp, 200, o);
	json_object_put(o);
}

/*
 * POST /api/users/:id/two_factor_disable/ -- 200 {"success":true}, even
 * when 2FA was off; 403/404 target.
 */
void
res_2fa_disable(struct ctx *c)
{
	struct user u;
	struct dbv p[1];
	enum prk_err e;

	if (!users_resolve_target(c, &u))
		return;
	p[0] = DBV_I(u.id);
	if ((e = db_begin(c->db)) == PRK_OK)
		e = db_exec(c->db, NULL, "DELETE FROM totp_devices WHERE "
		    "user_id = ?", p, 1, NULL);
	if (e == PRK_OK)
		e = db_exec(c->db, NULL, "DELETE FROM otp_static_devices WHERE "
		    "user_id = ?", p, 1, NULL);
	if (e == PRK_OK)
		e = db_exec(c->db, NULL, "DELETE FROM otp_static_tokens WHERE "
		    "user_id = ?", p, 1, NULL);
	if (e == PRK_OK)
		e = db_commit(c->db);
	if (e != PRK_OK) {
		api_db_error(c, e);
		return;
	}
	twofa_mail(c, u.email, "Two-factor authentication disabled",
	    "Two-factor authentication was disabled on your account.  If "
	    "this was not you, reset your password and contact your "
	    "administrator.\n");
	respond_success(c);
}
