/*
 * auth -- personal API key authentication and scope checks (spec 2.3,
 * 2.4).  Keys are looked up by "sha256$" + hex(SHA-256(key)); the key
 * itself is never stored, so the lookup is an exact index match and no
 * secret is compared byte by byte in C.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "apikey.h"
#include "arena.h"
#include "auth.h"
#include "conf.h"
#include "ctx.h"
#include "db.h"
#include "http.h"
#include "json.h"
#include "log.h"

/*
 * PostHog matches "^Bearer\s+(\S.+)$" and strips the token: a token of
 * one character does not match (the key is then looked for elsewhere).
 */
static const char *
bearer_token(struct arena *a, const char *h)
{
	const char *p, *end;

	if (strncmp(h, "Bearer", 6) != 0 || !isspace((unsigned char)h[6]))
		return NULL;
	for (p = h + 6; isspace((unsigned char)*p); p++)
		;
	end = p + strlen(p);
	if (end > p && end[-1] == '\n')	/* '$' matches before a final \n */
		end--;
	if (memchr(p, '\n', (size_t)(end - p)) != NULL || end - p < 2)
		return NULL;
	while (end > p && isspace((unsigned char)end[-1]))
		end--;
	return arena_strndup(a, p, (size_t)(end - p));
}

static void
invalid_key(struct ctx *c, const char *source)
{
	api_error(c, 401, "authentication_error", "authentication_failed",
	    arena_printf(c->arena, "Personal API key found in request %s is "
	    "invalid.", source), NULL);
	resp_header(c->resp, "WWW-Authenticate: Session");
}

/* The key's columns (id, scopes, last_used_at due), then the user's. */
#define KEY_LOOKUP(user_cols, joins) \
	"SELECT k.id, k.scopes, (k.last_used_at IS NULL OR k.last_used_at < " \
	"UTC_TIMESTAMP(6) - INTERVAL 1 HOUR), " user_cols " " \
	"FROM personal_api_keys k JOIN users u ON u.id = k.user_id" joins \
	" WHERE k.secure_value = ?"
#define KEY_USER_COL 3
#define KEY_LOOKUP_SQL KEY_LOOKUP(USER_COLUMNS, "")
/*
 * GET @me reads only what the worker's copy of the body is checked
 * against (mecache.h): most answers need nothing more.
 */
#define KEY_LOOKUP_ME_SQL KEY_LOOKUP("u.id, u.is_active, u.is_staff, " \
	"u.render_version, g.n", " LEFT JOIN render_generation g ON g.id = 1")

/*
 * The partial user of KEY_LOOKUP_ME_SQL and the cache key.  Without the
 * render_generation row (deleted by hand) nothing can be trusted to
 * change it: the copy is not used, the handler renders.
 */
static void
me_from_row(struct ctx *c, const struct db_res *res)
{
	memset(&c->auth.user, 0, sizeof(c->auth.user));
	c->auth.user.id = db_int(res, 0, 3);
	c->auth.user.is_active = db_int(res, 0, 4) != 0;
	c->auth.user.is_staff = db_int(res, 0, 5) != 0;
	c->auth.user_partial = true;
	c->auth.me_cacheable = !db_isnull(res, 0, 7);
	if (!c->auth.me_cacheable)
		return;
	c->auth.me_key.user_id = c->auth.user.id;
	c->auth.me_key.version = strtoull(db_str(res, 0, 6), NULL, 10);
	c->auth.me_key.generation = strtoull(db_str(res, 0, 7), NULL, 10);
}

/* Look the key up; fills ctx->auth on success. */
static enum authn
validate_key(struct ctx *c, const char *key, const char *source)
{
	char secure[72];
	struct dbv p[1];
	struct db_res res;
	enum prk_err e;
	const char *scopes;
	bool is_null;
	char err[128];

	apikey_secure_value(key, secure);
	p[0] = DBV_S(secure);
	e = db_exec(c->db, c->arena, c->want_me_cache ? KEY_LOOKUP_ME_SQL :
	    KEY_LOOKUP_SQL, p, 1, &res);
	if (e != PRK_OK) {
		api_db_error(c, e);
		return AUTHN_FAILED;
	}
	if (res.nrows == 0) {
		invalid_key(c, source);
		return AUTHN_FAILED;
	}
	if (c->want_me_cache)
		me_from_row(c, &res);
	else
		user_from_row(&c->auth.user, &res, 0, KEY_USER_COL);
	if (!c->auth.user.is_active) {
		invalid_key(c, source);
		return AUTHN_FAILED;
	}
	c->auth.kind = AUTH_KEY;
	c->auth.key_id = db_int(&res, 0, 0);
	c->auth.scopes = NULL;
	if ((scopes = db_str(&res, 0, 1)) != NULL)
		c->auth.scopes = json_parse_arena(c->arena, scopes,
		    strlen(scopes), &is_null, err, sizeof(err));
	if (db_int(&res, 0, 2) != 0) {
		/* last_used_at: at most one write an hour per key */
		p[0] = DBV_I(c->auth.key_id);
		e = db_exec(c->db, c->arena, "UPDATE personal_api_keys SET "
		    "last_used_at = UTC_TIMESTAMP(6) WHERE id = ?", p, 1, NULL);
		if (e != PRK_OK)
			log_warn("auth", "cannot update last_used_at of key "
			    "%lld: %s", c->auth.key_id, prk_strerror(e));
	}
	return AUTHN_OK;
}

enum authn
auth_personal_api_key(struct ctx *c)
{
	const char *h, *token;
	json_object *body, *v;

	h = req_param(c->req, "HTTP_AUTHORIZATION");
	if (h != NULL && (token = bearer_token(c->arena, h)) != NULL) {
		if (strncmp(token, "pha_", 4) == 0) {
			/* OAuth access token: none is valid here */
			api_error(c, 401, "authentication_error",
			    "authentication_failed", "Invalid access token.",
			    NULL);
			resp_header(c->resp, "WWW-Authenticate: Session");
			return AUTHN_FAILED;
		}
		return validate_key(c, token, "Authorization header");
	}
	if (!ctx_body(c, &body))
		return AUTHN_FAILED;
	if (body != NULL && json_object_is_type(body, json_type_object) &&
	    json_object_object_get_ex(body, "personal_api_key", &v)) {
		/* a NUL inside the key would cut the C string short */
		if (!json_object_is_type(v, json_type_string) ||
		    strlen(json_object_get_string(v)) !=
		    (size_t)json_object_get_string_len(v)) {
			invalid_key(c, "body");
			return AUTHN_FAILED;
		}
		return validate_key(c, json_object_get_string(v), "body");
	}
	if ((token = req_query(c->req, "personal_api_key")) != NULL)
		return validate_key(c, token, "query string");
	return AUTHN_NONE;
}

static bool
has_scope(json_object *scopes, const char *want)
{
	size_t i, n;
	const char *s;

	n = json_object_array_length(scopes);
	for (i = 0; i < n; i++) {
		s = json_object_get_string(json_object_array_get_idx(scopes, i));
		if (s != NULL && strcmp(s, want) == 0)
			return true;
	}
	return false;
}

bool
auth_check_scope(struct ctx *c, const char *scope)
{
	json_object *scopes = c->auth.scopes;
	const char *colon;
	char *write;

	if (scope == NULL) {
		api_permission_denied(c, "This action does not support "
		    "personal API key access");
		return false;
	}
	if (scopes != NULL && !json_object_is_type(scopes, json_type_array))
		scopes = NULL;
	if (scopes != NULL && has_scope(scopes, "*"))
		return true;
	if (scopes != NULL && has_scope(scopes, scope))
		return true;
	/* X:read is also granted by X:write */
	colon = strchr(scope, ':');
	if (scopes != NULL && colon != NULL && strcmp(colon, ":read") == 0) {
		write = arena_printf(c->arena, "%.*s:write",
		    (int)(colon - scope), scope);
		if (has_scope(scopes, write))
			return true;
	}
	api_permission_denied(c, arena_printf(c->arena,
	    "API key missing required scope '%s'", scope));
	return false;
}

json_object *
auth_session_sensitive_expiry(struct ctx *c)
{
	double t;
	time_t secs;
	struct tm tm;
	char day[32];
	long usec;

	t = c->auth.session_created_at + c->conf->auth_sensitive_action_age;
	secs = (time_t)t;
	usec = (long)((t - (double)secs) * 1e6 + 0.5);
	if (usec >= 1000000) {
		secs++;
		usec -= 1000000;
	}
	gmtime_r(&secs, &tm);
	strftime(day, sizeof(day), "%Y-%m-%dT%H:%M:%S", &tm);
	/* Python's isoformat(): no fraction when microseconds are zero */
	if (usec == 0)
		return json_object_new_string(arena_printf(c->arena,
		    "%s+00:00", day));
	return json_object_new_string(arena_printf(c->arena, "%s.%06ld+00:00",
	    day, usec));
}
