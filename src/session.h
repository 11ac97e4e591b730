/*
 * session -- server-side login sessions (spec 2.2, 2.6, 7, 8).
 *
 * Sessions live in MariaDB (table `sessions`), so any worker serves any
 * request.  The cookie (conf->session_cookie_name, "sessionid") carries 32
 * random characters [a-z0-9]; the table stores only their SHA-256.  A
 * session authenticates its user while:
 *   - it is younger than conf->session_max_age (absolute, from login),
 *   - it is not a pending login (password accepted, second factor not yet),
 *   - the user exists and is active,
 *   - its auth hash (HMAC-SHA256 of the user's password hash under a key
 *     derived from conf->secret_key) matches the current password.
 * Anything else is "no session" (the request is anonymous).
 *
 * Every function that sets a cookie adds Set-Cookie headers to ctx->resp;
 * call them only on the path that answers success.
 */
#ifndef SESSION_H
#define SESSION_H

#include <stdbool.h>

#include "auth.h"
#include "prickle.h"

struct ctx;
struct user;

/* Cookie lifetime of the remember-device cookie (spec 2.2.1). */
#define SESSION_REMEMBER_AGE	2592000

/* One row of the sessions table; strings in the request arena. */
struct session {
	long long	 id;
	long long	 user_id;	/* 0 = none */
	const char	*auth_hash;
	double		 created_at;	/* session_created_at (UNIX) */
	bool		 two_factor_verified;
	long long	 otp_device_id;	/* 0 = none */
	bool		 pending;	/* user_authenticated_but_no_2fa */
	double		 pending_at;	/* user_authenticated_time */
	const char	*setup_secret_sealed;	/* pending 2FA setup or NULL */
	double		 setup_at;
};

/* Current UNIX time with microseconds. */
double session_now(void);

/*
 * The unexpired session named by the request's cookie.  *found is false
 * when there is no cookie, a malformed one, or no such live session.  When
 * user is non-NULL and the session names a user, the user row is loaded
 * into it (*user_found tells whether it still exists).
 */
enum prk_err session_find(struct ctx *, struct session *out, bool *found,
    struct user *user, bool *user_found);

/*
 * The session authenticator (spec 2.1, 2.2): AUTHN_OK fills ctx->auth
 * (kind AUTH_SESSION, user, session id, created_at, 2FA flag);
 * AUTHN_NONE when there is no valid session; AUTHN_FAILED (503 answered)
 * only when the database is unreachable.
 */
enum authn auth_session(struct ctx *);

/*
 * Log user in (spec 7.1, 7.2): the request's current session, if any, is
 * deleted and a fresh one created with session_created_at = now; sets the
 * session cookie and a new CSRF cookie.  verified/device_id record the
 * second factor used (false/0 without 2FA).
 */
enum prk_err session_login(struct ctx *, const struct user *, bool verified,
    long long device_id);

/*
 * Start a pending login (spec 7.1 step 5): replaces the current session by
 * an anonymous one recording user and now; sets the session cookie.
 */
enum prk_err session_begin_pending(struct ctx *, const struct user *);

/* Delete the request's session (if any) and expire its cookie (7.3). */
enum prk_err session_logout(struct ctx *);

/*
 * Pending 2FA setup secret of the authenticated session (spec 5.7):
 * store (sealed hex, replaces any previous one) or clear.
 */
enum prk_err session_set_setup_secret(struct ctx *, const char *sealed_hex);
enum prk_err session_clear_setup_secret(struct ctx *);
/* Mark the authenticated session 2FA-verified with device_id (5.8). */
enum prk_err session_mark_verified(struct ctx *, long long device_id);

/*
 * A user's password hash changed to new_hash (spec 2.2.1, 5.3.7): every
 * other session of that user ends; when the request's own session belongs
 * to that user it is re-keyed (new cookie) and stays valid.  Call it in
 * the same transaction that saves the new hash.  Failures are logged and
 * returned; the caller then rolls back.
 */
enum prk_err session_password_changed(struct ctx *, long long user_id,
    const char *new_hash);

/*
 * Pipeline step (spec 2.6), for session requests after authentication:
 * answers 403 sensitive_action_required_reauth and returns false when an
 * unsafe request on a stale session is not exempt.  May parse the body
 * (PATCH/PUT field rule) and then answers its 400/415 itself.
 */
bool session_check_freshness(struct ctx *);

/*
 * Set-Cookie helpers in Django's format ("name=value; expires=...;
 * HttpOnly; Max-Age=N; Path=/; SameSite=Lax; Secure").
 */
void session_set_cookie(struct ctx *, const char *name, const char *value,
    int max_age, bool httponly, const char *samesite, bool secure);
/* Django's delete_cookie(): value "", Max-Age=0, expired date. */
void session_delete_cookie(struct ctx *, const char *name);

#endif
