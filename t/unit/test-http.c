/*
 * test-http -- request parsing: parameters, query strings, cookies, form
 * and multipart bodies, URL encoding.
 */
#include <string.h>

#include "arena.h"
#include "http.h"
#include "tap.h"

static void
test_req_init(struct arena *a)
{
	static const struct kv params[] = {
		{ "REQUEST_METHOD", "PATCH" },
		{ "DOCUMENT_URI", "/api/users/@me/" },
		{ "QUERY_STRING", "a=1&b=x+y&c=%40&a=2&flag&=v&&bad=%zz" },
		{ "HTTPS", "on" },
		{ "HTTP_HOST", "example.com:8443" },
		{ "REMOTE_ADDR", "127.0.0.2" },
		{ "CONTENT_TYPE", "application/json" },
		{ "HTTP_COOKIE", "sessionid=abc; posthog_csrftoken=\"tok\" ;x=" },
	};
	struct req r;

	req_init(&r, a, params, sizeof(params) / sizeof(params[0]), "{}", 2);
	is_int(r.method, HTTP_PATCH, "method parsed");
	is_str(r.path, "/api/users/@me/", "path from DOCUMENT_URI");
	is_str(r.scheme, "https", "HTTPS=on gives https");
	is_str(r.host, "example.com:8443", "host from HTTP_HOST");
	is_str(r.remote_addr, "127.0.0.2", "remote address");
	is_int((long long)r.nqs, 7, "seven query pairs (empty pair skipped)");
	is_str(req_query(&r, "a"), "1", "first value of a repeated key");
	is_str(req_query(&r, "b"), "x y", "plus is a space");
	is_str(req_query(&r, "c"), "@", "percent escape decoded");
	is_str(req_query(&r, "flag"), "", "name without '=' has an empty value");
	is_str(req_query(&r, ""), "v", "empty name kept");
	is_str(req_query(&r, "bad"), "%zz", "invalid escape kept literally");
	is_str(req_cookie(&r, "sessionid"), "abc", "cookie value");
	is_str(req_cookie(&r, "posthog_csrftoken"), "tok", "quoted cookie");
	is_str(req_cookie(&r, "x"), "", "empty cookie");
	ok(req_cookie(&r, "nope") == NULL, "absent cookie is NULL");
	is_str(req_param(&r, "REMOTE_ADDR"), "127.0.0.2", "raw parameter");
}

static void
test_defaults(struct arena *a)
{
	static const struct kv params[] = {
		{ "REQUEST_METHOD", "BREW" },
		{ "SCRIPT_NAME", "/x" },
		{ "SERVER_NAME", "h" },
		{ "SERVER_PORT", "8080" },
	};
	struct req r;

	req_init(&r, a, params, 4, NULL, 0);
	is_int(r.method, HTTP_OTHER, "unknown method is OTHER");
	is_str(r.method_name, "BREW", "method name kept as sent");
	is_str(r.scheme, "http", "no HTTPS gives http");
	is_str(r.host, "h:8080", "host from SERVER_NAME and port");
	is_str(r.query, "", "missing query is empty");
	ok(r.content_type == NULL, "no content type");
	is_int((long long)r.body_len, 0, "no body");
	ok(http_method_is_safe(HTTP_HEAD) && !http_method_is_safe(HTTP_POST),
	    "safe methods");
}

static void
test_encode(struct arena *a)
{
	is_str(http_form_encode(a, "a@b.com"), "a%40b.com", "@ encoded");
	is_str(http_form_encode(a, "x y/z"), "x+y%2Fz", "space and slash");
	is_str(http_form_encode(a, "A-z_0.9~"), "A-z_0.9~", "safe set kept");
	is_str(http_form_encode(a, "\xc3\xa9"), "%C3%A9", "UTF-8 bytes");
}

static void
test_multipart(struct arena *a)
{
	static const char body[] =
	    "--XyZ\r\n"
	    "Content-Disposition: form-data; name=\"email\"\r\n\r\n"
	    "a@b.com\r\n"
	    "--XyZ\r\n"
	    "Content-Disposition: form-data; name=\"f\"; filename=\"n.txt\"\r\n"
	    "Content-Type: text/plain\r\n\r\n"
	    "line1\r\nline2\r\n"
	    "--XyZ--\r\n";
	struct kv *kv;
	size_t n;

	is_int(http_parse_multipart(a, "multipart/form-data; boundary=XyZ",
	    body, sizeof(body) - 1, &kv, &n), 0, "multipart parses");
	is_int((long long)n, 2, "two parts");
	if (n == 2) {
		is_str(kv[0].key, "email", "first name");
		is_str(kv[0].val, "a@b.com", "first value");
		is_str(kv[1].key, "f", "name, not filename");
		is_str(kv[1].val, "line1\r\nline2", "content keeps inner CRLF");
	}
	is_int(http_parse_multipart(a, "multipart/form-data", body,
	    sizeof(body) - 1, &kv, &n), -1, "missing boundary refused");
	is_int(http_parse_multipart(a, "multipart/form-data; boundary=Q",
	    body, sizeof(body) - 1, &kv, &n), -1, "wrong boundary refused");
	is_int(http_parse_multipart(a, "multipart/form-data; boundary=XyZ",
	    "--XyZ\r\nno end", 14, &kv, &n), -1, "truncated body refused");
}

static void
test_form(struct arena *a)
{
	struct kv *kv;
	size_t n;

	n = http_parse_form(a, "x=1&y=%E2%9C%93&z", 17, &kv);
	is_int((long long)n, 3, "three form pairs");
	is_str(kv[1].val, "\xe2\x9c\x93", "UTF-8 escape decoded");
	n = http_parse_form(a, "", 0, &kv);
	is_int((long long)n, 0, "empty form");
}

int
main(void)
{
	struct arena *a;

	a = arena_new();
	test_req_init(a);
	test_defaults(a);
	test_encode(a);
	test_multipart(a);
	test_form(a);
	is_str(http_status_text(415), "Unsupported Media Type", "status text");
	arena_free(a);
	return done_testing();
}
