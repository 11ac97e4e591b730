/*
 * test-json -- strict parsing, error messages, compact output, Python
 * float reprs, frozen (pre-serialised) objects, type names and str()
 * renderings used in messages.
 */
#include <string.h>

#include "arena.h"
#include "buf.h"
#include "http.h"
#include "json.h"
#include "tap.h"

static const char *
parse_err(struct arena *a, const char *text, size_t len)
{
	static char err[256];
	bool is_null;

	err[0] = '\0';
	if (json_parse_arena(a, text, len, &is_null, err, sizeof(err)) != NULL
	    || is_null)
		return "(parsed)";
	return err;
}

static void
test_parse(struct arena *a)
{
	json_object *o;
	bool is_null;
	char err[256];

	o = json_parse_arena(a, " {\"a\":1,\"a\":2} ", 15, &is_null, err,
	    sizeof(err));
	ok(o != NULL && json_object_get_int(json_object_object_get(o, "a")) ==
	    2, "duplicate keys: the last wins, as in Python");
	o = json_parse_arena(a, "null", 4, &is_null, err, sizeof(err));
	ok(o == NULL && is_null, "null parses to NULL with is_null");
	is_str(parse_err(a, "x", 1),
	    "JSON parse error - Expecting value: line 1 column 1 (char 0)",
	    "junk at the start");
	is_str(parse_err(a, "", 0),
	    "JSON parse error - Expecting value: line 1 column 1 (char 0)",
	    "empty document");
	ok(strncmp(parse_err(a, "{} x", 4), "JSON parse error - ", 19) == 0,
	    "trailing garbage refused");
	ok(strncmp(parse_err(a, "[1,]", 4), "JSON parse error - ", 19) == 0,
	    "trailing comma refused");
	is_str(parse_err(a, "NaN", 3), "JSON parse error - Out of range float "
	    "values are not JSON compliant", "NaN refused");
	is_str(parse_err(a, "[1e400]", 7), "JSON parse error - Out of range "
	    "float values are not JSON compliant", "infinity refused");
	is_str(parse_err(a, "\"\xff\"", 3), "JSON parse error - 'utf-8' codec "
	    "can't decode byte 0xff in position 1: invalid start byte",
	    "invalid UTF-8 refused as Python does");
	ok(strstr(parse_err(a, "\"\xc0\xaf\"", 4), "0xc0") != NULL,
	    "overlong encoding refused");
	ok(strstr(parse_err(a, "\"\xed\xa0\x80\"", 5), "'utf-8'") != NULL,
	    "UTF-8-encoded surrogate refused");
	ok(strstr(parse_err(a, "\"\xf4\x90\x80\x80\"", 6), "'utf-8'") !=
	    NULL, "code point above U+10FFFF refused");
	is_str(parse_err(a, "\"\xc3\xa9\xe2\x9c\x93\"", 7), "(parsed)",
	    "valid multi-byte UTF-8 accepted");
	ok(strstr(parse_err(a, "{\n\"a\" 1}", 8), "line 2") != NULL,
	    "line numbers counted");
	is_str(parse_err(a, "{\"a\":1}\0junk", 11), "JSON parse error - "
	    "Extra data: line 1 column 8 (char 7)", "embedded NUL refused");
}

static void
test_depth(struct arena *a)
{
	char deep[2 * JSON_MAX_DEPTH + 10];
	size_t i, n;

	n = 0;
	for (i = 0; i < JSON_MAX_DEPTH + 2; i++)
		deep[n++] = '[';
	for (i = 0; i < JSON_MAX_DEPTH + 2; i++)
		deep[n++] = ']';
	deep[n] = '\0';
	ok(strstr(parse_err(a, deep, n), "nesting") != NULL,
	    "nesting beyond the limit refused");
}

static void
test_float(void)
{
	static const struct { double d; const char *want; } cases[] = {
		{ 0.01, "0.01" }, { 0.1, "0.1" }, { 1.0, "1.0" },
		{ 1e-05, "1e-05" }, { 1e16, "1e+16" }, { 123456.0, "123456.0" },
		{ 1e15, "1000000000000000.0" }, { 0.5, "0.5" },
		{ -2.5, "-2.5" }, { 0.30000000000000004, "0.30000000000000004" },
	};
	char out[64];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		json_py_float(cases[i].d, out, sizeof(out));
		is_str(out, cases[i].want, "repr of %s", cases[i].want);
	}
}

static void
test_write(void)
{
	json_object *o;
	struct buf b;

	o = json_object_new_object();
	json_add(o, "t", json_double(0.01));
	json_add(o, "s", json_object_new_string("é/\"x\""));
	json_add(o, "n", NULL);
	buf_init(&b);
	json_write(&b, o);
	is_str(b.data, "{\"t\":0.01,\"s\":\"é/\\\"x\\\"\",\"n\":null}",
	    "compact, raw UTF-8, no slash escaping");
	buf_free(&b);
	json_object_put(o);
}

/*
 * A frozen object shared twice serialises as it did before freezing, and
 * keeps doing so after it is (wrongly) changed: the text is what was frozen.
 */
static void
test_freeze(struct arena *a)
{
	json_object *shared, *inner, *o, *copy;
	struct buf before, after;
	const char *text;
	size_t len;

	shared = json_object_new_object();
	inner = json_object_new_array();
	json_object_array_add(inner, json_double(2.5));
	json_object_array_add(inner, json_object_new_string("a\"b/é"));
	json_add(shared, "inner", inner);
	json_add(shared, "none", NULL);
	o = json_object_new_array();
	json_object_array_add(o, json_object_get(shared));
	json_object_array_add(o, json_object_get(shared));
	buf_init(&before);
	buf_init(&after);
	json_write(&before, o);

	text = json_freeze(a, shared, &len);
	json_write(&after, o);
	is_str(after.data, before.data, "frozen text is the object's own");
	ok(text != NULL && len == strlen(text) && strncmp(before.data + 1,
	    text, len) == 0, "json_freeze returns the text");
	is_str(after.data, "[{\"inner\":[2.5,\"a\\\"b/é\"],\"none\":null},"
	    "{\"inner\":[2.5,\"a\\\"b/é\"],\"none\":null}]",
	    "frozen object shared twice");
	json_add(shared, "late", json_object_new_int(1));
	buf_reset(&after);
	json_write(&after, o);
	is_str(after.data, before.data, "serialised from the frozen text");
	json_object_put(o);

	copy = json_frozen_text(a, "{\"k\":[1]}", 9);
	o = json_object_new_object();
	json_add(o, "x", copy);
	buf_reset(&after);
	json_write(&after, o);
	is_str(after.data, "{\"x\":{\"k\":[1]}}", "an object made from frozen text");
	json_object_put(o);

	o = json_object_new_array();
	json_object_array_add(o, json_frozen_copy(a, json_object_get(shared)));
	json_object_array_add(o, json_frozen_copy(a, NULL));
	buf_reset(&after);
	json_write(&after, o);
	is_str(after.data, "[{\"inner\":[2.5,\"a\\\"b/é\"],\"none\":null},null]",
	    "a frozen copy prints as the object did; NULL stays null");
	buf_free(&before);
	buf_free(&after);
	json_object_put(o);
	json_object_put(shared);
}

static void
check_py(const char *text, const char *type, const char *str)
{
	json_object *o;
	struct buf b;

	o = json_tokener_parse(text);
	buf_init(&b);
	json_py_str(&b, o);
	is_str(json_py_type(o), type, "type of %s", text);
	is_str(b.data, str, "str() of %s", text);
	buf_free(&b);
	json_object_put(o);
}

static void
test_python(void)
{
	check_py("\"yes\"", "str", "yes");
	check_py("1", "int", "1");
	check_py("1.5", "float", "1.5");
	check_py("true", "bool", "True");
	check_py("null", "NoneType", "None");
	check_py("[1, 2]", "list", "[1, 2]");
	check_py("{\"a\": 1}", "dict", "{'a': 1}");
	check_py("[\"it's\", \"x\"]", "list", "[\"it's\", 'x']");
	check_py("{\"a\": [null, false]}", "dict", "{'a': [None, False]}");
}

static void
test_error(struct arena *a)
{
	struct resp rs;

	resp_init(&rs, a);
	resp_error(&rs, 404, "invalid_request", "not_found", "Not found.",
	    NULL);
	is_int(rs.status, 404, "error status");
	is_str(rs.content_type, "application/json", "error content type");
	is_str(rs.body.data, "{\"type\":\"invalid_request\",\"code\":"
	    "\"not_found\",\"detail\":\"Not found.\",\"attr\":null}",
	    "PostHog error envelope");
	resp_error(&rs, 400, "validation_error", "blank", "x", "first_name");
	ok(strstr(rs.body.data, "\"attr\":\"first_name\"") != NULL,
	    "attr as a string");
	resp_free(&rs);
}

int
main(void)
{
	struct arena *a;

	a = arena_new();
	test_parse(a);
	test_depth(a);
	test_float();
	test_write();
	test_freeze(a);
	test_python();
	test_error(a);
	arena_free(a);
	return done_testing();
}
