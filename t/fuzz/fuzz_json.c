/*
 * fuzz_json -- json_parse_arena() (strict body parsing) and what is done
 * with a parsed body: Python's type names, repr()/str() (json_py_str),
 * compact serialisation, and Python's float repr.
 *
 * Input: the body bytes.
 */
#include "config.h"

#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "arena.h"
#include "buf.h"
#include "json.h"
#include "fuzz.h"

static void
walk(struct buf *b, json_object *o, int depth)
{
	struct json_object_iterator it, end;
	size_t i, n;

	buf_puts(b, json_py_type(o));
	json_py_str(b, o);
	if (depth > JSON_MAX_DEPTH + 2)
		__builtin_trap();	/* the parser's depth limit leaked */
	switch (json_object_get_type(o)) {
	case json_type_array:
		n = json_object_array_length(o);
		for (i = 0; i < n; i++)
			walk(b, json_object_array_get_idx(o, i), depth + 1);
		break;
	case json_type_object:
		it = json_object_iter_begin(o);
		end = json_object_iter_end(o);
		for (; !json_object_iter_equal(&it, &end);
		    json_object_iter_next(&it))
			walk(b, json_object_iter_peek_value(&it), depth + 1);
		break;
	default:
		break;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena	*a;
	struct buf	 b;
	json_object	*o;
	bool		 is_null;
	char		*text, err[256], tmp[64];
	double		 d;

	text = fuzz_copy(data, size);
	a = arena_new();
	buf_init(&b);
	err[0] = '\0';
	o = json_parse_arena(a, text, size, &is_null, err, sizeof(err));
	if (o == NULL && !is_null) {
		/* Errors carry PostHog's prefix. */
		if (strncmp(err, "JSON parse error - ", 19) != 0)
			__builtin_trap();
	} else {
		walk(&b, o, 0);
		json_write(&b, o);
	}

	/* Python's float repr on the input's first 8 bytes as a double. */
	if (size >= sizeof(d)) {
		memcpy(&d, data, sizeof(d));
		if (isfinite(d)) {
			json_py_float(d, tmp, sizeof(tmp));
			if (strtod(tmp, NULL) != d)
				__builtin_trap();	/* must round-trip */
		}
	}
	buf_free(&b);
	arena_free(a);
	free(text);
	return 0;
}
