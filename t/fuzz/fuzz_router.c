/*
 * fuzz_router -- router_match() on arbitrary decoded paths, and the
 * per-route helpers (route_method for every method, route_allow).
 *
 * Input: the path (up to the first NUL).
 */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "arena.h"
#include "http.h"
#include "router.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char			*path;
	struct arena		*a;
	const struct route	*r;
	const char		*lookup;
	int			 m;
	volatile size_t		 sink = 0;

	path = fuzz_copy(data, size);
	a = arena_new();
	r = router_match(path, a, &lookup);
	if (r != NULL) {
		sink += strlen(r->name);
		for (m = 0; m < HTTP__MAX; m++)
			sink += route_method(r, (enum http_method)m)->fn != NULL;
		sink += strlen(route_allow(r, a));
	}
	if (lookup != NULL) {
		/* The lookup is one path segment without '.' (spec 1.1). */
		if (r == NULL || strchr(lookup, '/') != NULL ||
		    strchr(lookup, '.') != NULL || *lookup == '\0')
			__builtin_trap();
		sink += strlen(lookup);
	}
	(void)sink;
	arena_free(a);
	free(path);
	return 0;
}
