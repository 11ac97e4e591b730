/*
 * fuzz_validate -- the serializer field validators of validate.h on
 * parsed JSON values: every field function on every member of the body,
 * the notification settings merge, and the plain-text helpers.
 *
 * Input: JSON body \0 stored notification settings (JSON text or junk).
 */
#include "config.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "arena.h"
#include "json.h"
#include "validate.h"
#include "fuzz.h"

static const char *const choices[] = { "light", "dark", "system", NULL };

static void
fields(struct arena *a, json_object *v, volatile size_t *sink)
{
	struct verr	 e;
	const char	*s;
	int		 t;
	long long	 pk;

	memset(&e, 0, sizeof(e));
	if (v_string(a, v, 150, 0, &s, &e))
		*sink += s != NULL ? v_strlen(s) : 0;
	else if (e.code == NULL || e.detail == NULL)
		__builtin_trap();	/* an error needs its code and text */
	if (v_string(a, v, 0, VS_ALLOW_BLANK | VS_ALLOW_NULL | VS_NO_TRIM,
	    &s, &e) && s != NULL)
		*sink += strlen(v_strip(a, s));
	if (v_bool(v, true, &t, &e) && (t < -1 || t > 1))
		__builtin_trap();
	(void)v_bool(v, false, &t, &e);
	if (v_choice(a, v, choices, VS_ALLOW_BLANK | VS_ALLOW_NULL, &s, &e) &&
	    s != NULL)
		*sink += strlen(s);
	if (v_email(a, v, &s, &e) && s != NULL)
		*sink += strlen(s);
	if (v != NULL && json_object_is_type(v, json_type_string)) {
		s = json_object_get_string(v);
		*sink += v_email_syntax(s);
		if (v_pk(s, &pk))
			*sink += (size_t)(pk & 1);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct json_object_iterator it, end;
	char		*f[2], err[256];
	struct arena	*a;
	json_object	*body, *merged;
	struct verr	 e;
	bool		 is_null;
	size_t		 nf, n, restlen, i;
	volatile size_t	 sink = 0;

	nf = fuzz_fields(data, size, f, 2, &restlen);
	a = arena_new();
	body = json_parse_arena(a, f[0], strlen(f[0]), &is_null, err,
	    sizeof(err));
	if (body != NULL || is_null)
		fields(a, body, &sink);
	if (body != NULL && json_object_is_type(body, json_type_object)) {
		it = json_object_iter_begin(body);
		end = json_object_iter_end(body);
		for (; !json_object_iter_equal(&it, &end);
		    json_object_iter_next(&it))
			fields(a, json_object_iter_peek_value(&it), &sink);
		memset(&e, 0, sizeof(e));
		merged = v_notification_settings(a, body,
		    nf == 2 ? f[1] : NULL, &e);
		if (merged != NULL) {
			if (!json_object_is_type(merged, json_type_object))
				__builtin_trap();
			sink += strlen(json_object_to_json_string(merged));
			json_object_put(merged);
		} else if (e.code == NULL || e.detail == NULL)
			__builtin_trap();
	}
	if (body != NULL && json_object_is_type(body, json_type_array)) {
		n = json_object_array_length(body);
		for (i = 0; i < n && i < 64; i++)
			fields(a, json_object_array_get_idx(body, i), &sink);
	}
	(void)sink;
	arena_free(a);
	fuzz_free_fields(f, nf);
	return 0;
}
