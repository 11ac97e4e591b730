/*
 * test-router -- path matching (spec 1.1) and the parts of the request
 * pipeline that answer before any database access (spec 2.5): unknown
 * routes, anonymous requests, OAuth tokens, body parse errors.
 */
#include <string.h>

#include "app.h"
#include "arena.h"
#include "conf.h"
#include "http.h"
#include "router.h"
#include "tap.h"

static void
check_match(struct arena *a, const char *path, const char *want_route,
    const char *want_lookup)
{
	const struct route *r;
	const char *lookup;

	r = router_match(path, a, &lookup);
	if (want_route == NULL) {
		ok(r == NULL, "%s matches nothing", path);
		return;
	}
	ok(r != NULL && strcmp(r->name, want_route) == 0, "%s -> %s", path,
	    want_route);
	is_str(lookup, want_lookup, "%s lookup", path);
}

static void
test_match(struct arena *a)
{
	check_match(a, "/api/users", "users-list", NULL);
	check_match(a, "/api/users/", "users-list", NULL);
	check_match(a, "/api/users/@me", "users-detail", "@me");
	check_match(a, "/api/users/@me/", "users-detail", "@me");
	check_match(a, "/api/users/0190-ab/", "users-detail", "0190-ab");
	check_match(a, "/api/users//", NULL, NULL);
	check_match(a, "/api/users/a.b/", NULL, NULL);
	check_match(a, "/api/users/@me.json", NULL, NULL);
	check_match(a, "/api/users/@me/foo/", NULL, NULL);
	check_match(a, "/api/users/@me/x/y/", NULL, NULL);
	check_match(a, "/api/users/@me//", NULL, NULL);
	check_match(a, "/api/usersx", NULL, NULL);
	check_match(a, "/api/", NULL, NULL);
	check_match(a, "/", NULL, NULL);
}

struct call {
	struct arena	*arena;
	struct req	 req;
	struct resp	 resp;
};

static void
call(struct app *app, struct call *c, const char *method, const char *path,
    const char *auth, const char *ctype, const char *body)
{
	struct kv *p;
	size_t n;

	arena_reset(c->arena);
	resp_reset(&c->resp, c->arena);
	p = arena_alloc(c->arena, 8 * sizeof(*p));
	n = 0;
	p[n].key = "REQUEST_METHOD";
	p[n++].val = method;
	p[n].key = "DOCUMENT_URI";
	p[n++].val = path;
	p[n].key = "HTTPS";
	p[n++].val = "on";
	p[n].key = "HTTP_HOST";
	p[n++].val = "127.0.0.1:8443";
	if (auth != NULL) {
		p[n].key = "HTTP_AUTHORIZATION";
		p[n++].val = auth;
	}
	if (ctype != NULL) {
		p[n].key = "CONTENT_TYPE";
		p[n++].val = ctype;
	}
	req_init(&c->req, c->arena, p, n, body, body ? strlen(body) : 0);
	app_handle(app, &c->req, &c->resp);
}

#define NOT_AUTH "{\"type\":\"authentication_error\",\"code\":" \
	"\"not_authenticated\",\"detail\":\"Authentication credentials were " \
	"not provided.\",\"attr\":null}"

static void
test_pipeline(struct app *app)
{
	struct call c;

	c.arena = arena_new();
	resp_init(&c.resp, c.arena);

	call(app, &c, "GET", "/api/users/@me/foo/", NULL, NULL, NULL);
	is_int(c.resp.status, 404, "unknown action: 404 without auth");
	is_str(c.resp.body.data, "{\"type\":\"invalid_request\",\"code\":"
	    "\"not_found\",\"detail\":\"Endpoint not found.\",\"attr\":null}",
	    "404 body");

	call(app, &c, "GET", "/api/users/", NULL, NULL, NULL);
	is_int(c.resp.status, 401, "anonymous list: 401");
	is_str(c.resp.body.data, NOT_AUTH, "401 body");
	is_str(c.resp.content_type, "application/json", "JSON content type");

	call(app, &c, "POST", "/api/users/", NULL, NULL, NULL);
	is_int(c.resp.status, 401, "anonymous POST: 401 before 405");

	call(app, &c, "FOO", "/api/users/@me", NULL, NULL, NULL);
	is_int(c.resp.status, 401, "unknown method anonymous: 401");

	call(app, &c, "GET", "/api/users/@me/", "Bearer pha_abc", NULL, NULL);
	is_int(c.resp.status, 401, "OAuth token: 401");
	ok(strstr(c.resp.body.data, "\"Invalid access token.\"") != NULL,
	    "OAuth token: Invalid access token.");

	call(app, &c, "GET", "/api/users/@me/", "Basic eDp5", NULL, NULL);
	is_str(c.resp.body.data, NOT_AUTH, "Basic auth ignored");

	call(app, &c, "GET", "/api/users/@me/", "bearer phx_x", NULL, NULL);
	is_str(c.resp.body.data, NOT_AUTH, "scheme is case-sensitive");

	call(app, &c, "PATCH", "/api/users/@me/", NULL, "text/plain", "x");
	is_int(c.resp.status, 415, "body of an unknown type: 415");
	is_str(c.resp.body.data, "{\"type\":\"invalid_request\",\"code\":"
	    "\"unsupported_media_type\",\"detail\":\"Unsupported media type "
	    "\\\"text/plain\\\" in request.\",\"attr\":null}", "415 body");

	call(app, &c, "PATCH", "/api/users/@me/", NULL, "application/json",
	    "{");
	is_int(c.resp.status, 400, "malformed JSON: 400");
	ok(strstr(c.resp.body.data, "\"code\":\"parse_error\",\"detail\":"
	    "\"JSON parse error - ") != NULL, "parse_error body");

	call(app, &c, "PATCH", "/api/users/@me/", NULL,
	    "application/json; charset=utf-8", "{}");
	is_int(c.resp.status, 401, "empty object, no key: 401");

	resp_free(&c.resp);
	arena_free(c.arena);
}

int
main(void)
{
	struct arena *a;
	struct conf conf;
	struct app *app;

	a = arena_new();
	test_match(a);
	conf_defaults(&conf);
	app = app_new(&conf);
	test_pipeline(app);
	app_free(app);
	conf_free(&conf);
	arena_free(a);
	return done_testing();
}
