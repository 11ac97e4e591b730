/*
 * app -- the request pipeline (spec 2.5):
 *
 *   1. route match               404 "Endpoint not found."
 *   2. authentication            401 (an authenticator that fails):
 *      session, then personal API key; for sessions org-enforced 2FA
 *      and CSRF                  403
 *   3. is authenticated          401 not_authenticated
 *      scope (keys only)         403
 *      re-auth (sessions only)   403 sensitive_action_required_reauth
 *   4. password throttle         429 (users_password_throttle)
 *   5. method dispatch           405
 *   6. the handler               everything else
 */
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "arena.h"
#include "auth.h"
#include "conf.h"
#include "csrf.h"
#include "ctx.h"
#include "db.h"
#include "http.h"
#include "json.h"
#include "log.h"
#include "mecache.h"
#include "nestcache.h"
#include "res_2fa.h"
#include "res_users_update.h"
#include "router.h"
#include "session.h"
#include "util.h"

struct app {
	const struct conf	*conf;
	struct db		*db;
};

struct app *
app_new(const struct conf *conf)
{
	struct app *app;

	app = xcalloc(1, sizeof(*app));
	app->conf = conf;
	app->db = db_new(conf);
	return app;
}

void
app_free(struct app *app)
{
	if (app == NULL)
		return;
	db_free(app->db);
	mecache_free();
	nestcache_free();
	free(app);
}

void
api_error(struct ctx *c, int status, const char *type, const char *code,
    const char *detail, const char *attr)
{
	resp_error(c->resp, status, type, code, detail, attr);
}

void
api_validation(struct ctx *c, const char *code, const char *detail,
    const char *attr)
{
	api_error(c, 400, "validation_error", code, detail, attr);
}

void
api_not_found(struct ctx *c)
{
	api_error(c, 404, "invalid_request", "not_found", "Not found.", NULL);
}

void
api_permission_denied(struct ctx *c, const char *detail)
{
	api_error(c, 403, "authentication_error", "permission_denied", detail,
	    NULL);
}

void
api_db_error(struct ctx *c, enum prk_err e)
{
	if (db_in_txn(c->db))
		db_rollback(c->db);
	if (e == PRK_EDBGONE || e == PRK_ELOCKED) {
		api_error(c, 503, "server_error", "service_unavailable",
		    "Database is unavailable, try again shortly.", NULL);
		resp_header(c->resp, "Retry-After: 5");
		return;
	}
	log_err("app", "%s %s: %s", c->req->method_name, c->req->path,
	    prk_strerror(e));
	api_error(c, 500, "server_error", "error", "A server error occurred.",
	    NULL);
}

/* The media type without parameters, lower-cased, for matching. */
static char *
media_type(struct arena *a, const char *ct)
{
	const char *end;
	char *s;
	size_t n;

	end = strchr(ct, ';');
	n = end != NULL ? (size_t)(end - ct) : strlen(ct);
	while (n > 0 && (ct[n - 1] == ' ' || ct[n - 1] == '\t'))
		n--;
	while (n > 0 && (*ct == ' ' || *ct == '\t')) {
		ct++;
		n--;
	}
	s = arena_strndup(a, ct, n);
	str_lower(s);
	return s;
}

/* A form body as an object of strings; a repeated key keeps its last value. */
static json_object *
form_to_object(struct arena *a, const struct kv *kv, size_t n)
{
	json_object *o;
	size_t i;

	o = json_object_new_object();
	json_arena_own(a, o);
	for (i = 0; i < n; i++)
		json_object_object_add(o, kv[i].key,
		    json_object_new_string(kv[i].val));
	return o;
}

static bool
parse_body(struct ctx *c)
{
	struct req *r = c->req;
	const char *mt;
	struct kv *kv;
	size_t n;
	char err[256];

	if (r->body == NULL || r->body_len == 0) {
		c->body = json_object_new_object();
		json_arena_own(c->arena, c->body);
		return true;
	}
	mt = media_type(c->arena, r->content_type ? r->content_type : "");
	if (strcmp(mt, "application/json") == 0) {
		c->body = json_parse_arena(c->arena, r->body, r->body_len,
		    &c->body_null, err, sizeof(err));
		if (c->body == NULL && !c->body_null) {
			api_error(c, 400, "invalid_request", "parse_error", err,
			    NULL);
			return false;
		}
		return true;
	}
	if (strcmp(mt, "application/x-www-form-urlencoded") == 0) {
		n = http_parse_form(c->arena, r->body, r->body_len, &kv);
		c->body = form_to_object(c->arena, kv, n);
		return true;
	}
	if (strcmp(mt, "multipart/form-data") == 0) {
		if (http_parse_multipart(c->arena, r->content_type, r->body,
		    r->body_len, &kv, &n) != 0) {
			api_error(c, 400, "invalid_request", "parse_error",
			    "Multipart form parse error - Invalid boundary in "
			    "multipart: None", NULL);
			return false;
		}
		c->body = form_to_object(c->arena, kv, n);
		return true;
	}
	api_error(c, 415, "invalid_request", "unsupported_media_type",
	    arena_printf(c->arena, "Unsupported media type \"%s\" in request.",
	    r->content_type ? r->content_type : ""), NULL);
	return false;
}

bool
ctx_body(struct ctx *c, json_object **out)
{
	if (!c->body_parsed) {
		c->body_parsed = true;
		c->body_failed = !parse_body(c);
	}
	*out = c->body;
	return !c->body_failed;
}

bool
ctx_body_field(struct ctx *c, const char *name, json_object **out)
{
	json_object *body;

	*out = NULL;
	if (!ctx_body(c, &body))
		return false;
	if (body == NULL || !json_object_is_type(body, json_type_object) ||
	    !json_object_object_get_ex(body, name, out)) {
		api_validation(c, "required", "This field is required.", name);
		return false;
	}
	return true;
}

static void
not_authenticated(struct ctx *c)
{
	api_error(c, 401, "authentication_error", "not_authenticated",
	    "Authentication credentials were not provided.", NULL);
	resp_header(c->resp, "WWW-Authenticate: Session");
}

static unsigned
authenticators(const struct route *r, const struct method_spec *ms)
{
	if (ms->fn != NULL)
		return ms->authn != 0 ? ms->authn : AUTHN_ALL;
	return r->authn_default != 0 ? r->authn_default : AUTHN_ALL;
}

/* Steps 2-3: returns false when the request was answered. */
static bool
authenticate(struct ctx *c, const struct method_spec *ms)
{
	enum authn res;
	unsigned authn;

	authn = authenticators(c->route, ms);
	res = AUTHN_NONE;
	/* spec 2.1: the session first; with a valid one the key is ignored */
	if (authn & AUTHN_SESSION)
		res = auth_session(c);
	if (res == AUTHN_NONE && (authn & AUTHN_KEY))
		res = auth_personal_api_key(c);
	if (res == AUTHN_FAILED)
		return false;
	/* spec 2.2.4, then 2.2.3: org-enforced 2FA and CSRF (sessions) */
	if (c->auth.kind == AUTH_SESSION &&
	    (!twofa_enforce(c) || !csrf_check(c)))
		return false;
	if (c->auth.kind == AUTH_NONE) {
		if (c->route->flags & RF_ANONYMOUS)
			return true;
		not_authenticated(c);
		return false;
	}
	if (c->auth.kind == AUTH_KEY &&
	    !auth_check_scope(c, ms->fn != NULL ? ms->scope : NULL))
		return false;
	/* spec 2.6: re-authentication freshness (sessions only) */
	return session_check_freshness(c);
}

void
app_handle(struct app *app, struct req *req, struct resp *resp)
{
	struct ctx c;
	const struct method_spec *ms;

	memset(&c, 0, sizeof(c));
	c.conf = app->conf;
	c.db = app->db;
	c.arena = req->arena;
	c.req = req;
	c.resp = resp;
	c.route = router_match(req->path, req->arena, &c.lookup);
	if (c.route == NULL) {
		api_error(&c, 404, "invalid_request", "not_found",
		    "Endpoint not found.", NULL);
		return;
	}
	ms = route_method(c.route, req->method);
	c.want_me_cache = (c.route->flags & RF_ME_CACHE) &&
	    (req->method == HTTP_GET || req->method == HTTP_HEAD) &&
	    strcmp(c.lookup, "@me") == 0;
	if (!authenticate(&c, ms))
		goto out;
	/* spec 2.5 step 4: the password throttle, before method dispatch */
	if (!users_password_throttle(&c))
		goto out;
	if (ms->fn == NULL) {
		api_error(&c, 405, "invalid_request", "method_not_allowed",
		    arena_printf(c.arena, "Method \"%s\" not allowed.",
		    req->method_name), NULL);
		resp_header(resp, "Allow: %s", route_allow(c.route, c.arena));
		goto out;
	}
	ms->fn(&c);
out:
	if (db_in_txn(c.db))
		db_rollback(c.db);
	if (resp->status == 0) {
		log_err("app", "%s %s: handler left no response",
		    req->method_name, req->path);
		api_error(&c, 500, "server_error", "error",
		    "A server error occurred.", NULL);
	}
}
