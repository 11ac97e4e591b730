/*
 * auth -- who is making the request: personal API keys (this file),
 * scopes, and the authenticated user.
 */
#ifndef AUTH_H
#define AUTH_H

#include <stdbool.h>

#include <json-c/json.h>

#include "mecache.h"
#include "user.h"

struct ctx;
struct db_res;

enum auth_kind {
	AUTH_NONE,
	AUTH_SESSION,
	AUTH_KEY,
};

struct auth {
	enum auth_kind	 kind;
	struct user	 user;		/* valid unless kind == AUTH_NONE */
	long long	 key_id;	/* AUTH_KEY */
	json_object	*scopes;	/* AUTH_KEY: array or NULL (arena) */
	double		 session_created_at;	/* AUTH_SESSION: UNIX time */
	/*
	 * GET @me with a key: what mecache needs, read with the key.  The
	 * lookup then fills only user.id, is_active and is_staff (user_partial);
	 * the handler loads the rest when it has to render.
	 */
	bool		 me_cacheable;
	bool		 user_partial;
	struct mecache_key me_key;
	long long	 session_id;	/* AUTH_SESSION: sessions.id */
	bool		 session_2fa_verified;	/* AUTH_SESSION: second factor done */
};

/* Authenticator outcome. */
enum authn {
	AUTHN_NONE,	/* no credentials of this kind: try the next */
	AUTHN_OK,	/* ctx->auth filled */
	AUTHN_FAILED,	/* response already written (401/400/415/503) */
};

/*
 * Personal API key authenticator (spec 2.3): header, then body, then
 * query string.  A "Bearer pha_..." header answers 401 "Invalid access
 * token." (OAuth tokens are not issued by prickle).
 */
enum authn auth_personal_api_key(struct ctx *);

/*
 * Does the key in ctx->auth satisfy `scope` ("user:read")?  On refusal
 * writes the 403 and returns false.  scope NULL = route refuses keys.
 */
bool auth_check_scope(struct ctx *, const char *scope);

/*
 * sensitive_session_expires_at of a session request: session creation +
 * auth.sensitive_action_age, "2025-03-04T12:11:12.123456+00:00".
 */
json_object *auth_session_sensitive_expiry(struct ctx *);

#endif
