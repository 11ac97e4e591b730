/*
 * fuzz_request -- req_init(): the query-string and cookie parsers and the
 * other derived request fields, then the lookups handlers use.
 *
 * Input: NUL-separated fields
 *   QUERY_STRING \0 HTTP_COOKIE \0 REQUEST_METHOD \0 DOCUMENT_URI \0
 *   HTTP_HOST \0 CONTENT_TYPE \0 HTTPS \0 SERVER_PORT \0 body (the rest)
 * (missing trailing fields are absent parameters).
 */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "arena.h"
#include "http.h"
#include "fuzz.h"

static const char *const names[] = {
	"QUERY_STRING", "HTTP_COOKIE", "REQUEST_METHOD", "DOCUMENT_URI",
	"HTTP_HOST", "CONTENT_TYPE", "HTTPS", "SERVER_PORT",
};
#define NNAMES (sizeof(names) / sizeof(names[0]))

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char		*f[NNAMES + 1];
	struct kv	 params[NNAMES + 2];
	struct arena	*a;
	struct req	 r;
	struct kv	*form;
	size_t		 n, np = 0, i, restlen, nform;
	const char	*body = NULL;
	volatile size_t	 sink = 0;

	n = fuzz_fields(data, size, f, NNAMES + 1, &restlen);
	for (i = 0; i < n && i < NNAMES; i++) {
		params[np].key = names[i];
		params[np].val = f[i];
		np++;
	}
	params[np].key = "REMOTE_ADDR";
	params[np].val = "127.0.0.1";
	np++;
	if (n == NNAMES + 1)
		body = f[NNAMES];

	a = arena_new();
	req_init(&r, a, params, np, body, body != NULL ? restlen : 0);

	/* What handlers look at. */
	sink += strlen(r.method_name) + strlen(r.path) + strlen(r.query) +
	    strlen(r.scheme) + strlen(r.host) + strlen(r.remote_addr);
	for (i = 0; i < r.nqs; i++)
		sink += strlen(r.qs[i].key) + strlen(r.qs[i].val) +
		    strlen(http_form_encode(a, r.qs[i].val));
	for (i = 0; i < r.ncookies; i++)
		sink += strlen(r.cookies[i].key) + strlen(r.cookies[i].val);
	if (req_query(&r, "personal_api_key") != NULL)
		sink++;
	if (req_query(&r, "email") != NULL)
		sink++;
	if (req_cookie(&r, "sessionid") != NULL)
		sink++;
	if (req_cookie(&r, "posthog_csrftoken") != NULL)
		sink++;
	if (req_param(&r, "HTTP_AUTHORIZATION") != NULL)
		sink++;
	sink += http_method_is_safe(r.method);
	sink += strlen(http_method_name(r.method));

	/* A form body goes through the same decoder as the query string. */
	if (body != NULL) {
		nform = http_parse_form(a, body, restlen, &form);
		for (i = 0; i < nform; i++)
			sink += strlen(form[i].key) + strlen(form[i].val);
	}
	(void)sink;

	arena_free(a);
	fuzz_free_fields(f, n);
	return 0;
}
