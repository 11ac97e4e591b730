/*
 * fuzz_multipart -- http_parse_multipart().
 *
 * Input: CONTENT_TYPE \0 body (the rest, NULs included).
 */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "arena.h"
#include "http.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char		*f[2];
	struct arena	*a;
	struct kv	*kv;
	size_t		 n, nkv, i, restlen;
	volatile size_t	 sink = 0;

	n = fuzz_fields(data, size, f, 2, &restlen);
	a = arena_new();
	if (n == 2 &&
	    http_parse_multipart(a, f[0], f[1], restlen, &kv, &nkv) == 0) {
		for (i = 0; i < nkv; i++)
			sink += strlen(kv[i].key) + strlen(kv[i].val);
	}
	/* Also the whole input as a body under a fixed boundary. */
	if (http_parse_multipart(a, "multipart/form-data; boundary=xYzZY",
	    (const char *)data, size, &kv, &nkv) == 0) {
		for (i = 0; i < nkv; i++)
			sink += strlen(kv[i].key) + strlen(kv[i].val);
	}
	(void)sink;
	arena_free(a);
	fuzz_free_fields(f, n);
	return 0;
}
