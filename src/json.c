/*
 * json -- json-c helpers shared by every handler.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "buf.h"
#include "http.h"
#include "json.h"

#define SERIALIZE_FLAGS (JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)

static void
put_deferred(void *p)
{
	json_object_put(p);
}

/* Python's json refuses NaN and infinities in strict mode: so do we. */
static bool
all_finite(json_object *o)
{
	struct json_object_iterator it, end;
	size_t i, n;

	switch (json_object_get_type(o)) {
	case json_type_double:
		return isfinite(json_object_get_double(o));
	case json_type_array:
		n = json_object_array_length(o);
		for (i = 0; i < n; i++)
			if (!all_finite(json_object_array_get_idx(o, i)))
				return false;
		return true;
	case json_type_object:
		it = json_object_iter_begin(o);
		end = json_object_iter_end(o);
		for (; !json_object_iter_equal(&it, &end);
		    json_object_iter_next(&it))
			if (!all_finite(json_object_iter_peek_value(&it)))
				return false;
		return true;
	default:
		return true;
	}
}

/* Line/column of a byte offset, 1-based, as Python reports them. */
static void
position(const char *text, size_t off, size_t *line, size_t *col)
{
	size_t i;

	*line = 1;
	*col = 1;
	for (i = 0; i < off; i++) {
		if (text[i] == '\n') {
			(*line)++;
			*col = 1;
		} else
			(*col)++;
	}
}

void
json_arena_own(struct arena *a, json_object *o)
{
	if (o != NULL)
		arena_defer(a, put_deferred, o);
}

/*
 * Strict UTF-8 as Python decodes a request body (RFC 3629: no overlong
 * forms, no UTF-16 surrogates, nothing above U+10FFFF); json-c's own check
 * lets those through.  Returns true, or false with Python's message.
 */
static bool
utf8_strict(const unsigned char *s, size_t len, char *err, size_t errsz)
{
	size_t i, n, k;
	unsigned int cp, min;
	const char *why;

	for (i = 0; i < len; i += n) {
		if (s[i] < 0x80) {
			n = 1;
			continue;
		}
		if (s[i] >= 0xc2 && s[i] <= 0xdf) {
			n = 2;
			cp = s[i] & 0x1f;
			min = 0x80;
		} else if (s[i] >= 0xe0 && s[i] <= 0xef) {
			n = 3;
			cp = s[i] & 0x0f;
			min = 0x800;
		} else if (s[i] >= 0xf0 && s[i] <= 0xf4) {
			n = 4;
			cp = s[i] & 0x07;
			min = 0x10000;
		} else {
			why = "invalid start byte";
			goto bad;
		}
		for (k = 1; k < n; k++) {
			if (i + k >= len) {
				why = "unexpected end of data";
				goto bad;
			}
			if ((s[i + k] & 0xc0) != 0x80) {
				why = "invalid continuation byte";
				goto bad;
			}
			cp = (cp << 6) | (s[i + k] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
			why = "invalid continuation byte";
			goto bad;
		}
	}
	return true;
bad:
	snprintf(err, errsz, "JSON parse error - 'utf-8' codec can't decode "
	    "byte 0x%02x in position %zu: %s", s[i], i, why);
	return false;
}

json_object *
json_parse_arena(struct arena *a, const char *text, size_t len,
    bool *is_null, char *err, size_t errsz)
{
	json_tokener *tok;
	json_object *o;
	enum json_tokener_error e;
	size_t end, line, col;
	const char *why;

	*is_null = false;
	if (!utf8_strict((const unsigned char *)text, len, err, errsz))
		return NULL;
	tok = json_tokener_new_ex(JSON_MAX_DEPTH);
	if (tok == NULL)
		abort();
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT |
	    JSON_TOKENER_VALIDATE_UTF8);
	/* text is NUL-terminated: passing the NUL marks the end of input */
	o = json_tokener_parse_ex(tok, text, (int)len + 1);
	e = json_tokener_get_error(tok);
	end = json_tokener_get_parse_end(tok);
	json_tokener_free(tok);
	if (e == json_tokener_success && end < len) {
		/* an embedded NUL ended the value early */
		json_object_put(o);
		o = NULL;
		why = "Extra data";
	} else if (e != json_tokener_success) {
		why = e == json_tokener_error_depth ? "Maximum nesting depth exceeded" :
		    e == json_tokener_error_parse_utf8_string ? "Invalid UTF-8 in string" :
		    e == json_tokener_error_parse_eof ? "Expecting value" :
		    end == 0 ? "Expecting value" : json_tokener_error_desc(e);
	} else if (!all_finite(o)) {
		json_object_put(o);
		snprintf(err, errsz, "JSON parse error - Out of range float "
		    "values are not JSON compliant");
		return NULL;
	} else {
		if (o == NULL)
			*is_null = true;
		else
			arena_defer(a, put_deferred, o);
		return o;
	}
	if (end > len)
		end = len;
	position(text, end, &line, &col);
	snprintf(err, errsz, "JSON parse error - %s: line %zu column %zu "
	    "(char %zu)", why, line, col, end);
	return NULL;
}

/* o's compact text (json-c's buffer, valid until o changes or is freed). */
static const char *
serialise(json_object *o, size_t *len)
{
	return json_object_to_json_string_length(o, SERIALIZE_FLAGS, len);
}

struct frozen {
	size_t	 len;
	char	 text[];
};

static int
frozen_serializer(json_object *o, struct printbuf *pb, int level, int flags)
{
	const struct frozen *f = json_object_get_userdata(o);

	(void)level;
	(void)flags;
	return printbuf_memappend(pb, f->text, (int)f->len);
}

/* The frozen text as an arena copy, and its serializer set on o. */
static const char *
set_frozen(struct arena *a, json_object *o, const char *text, size_t len)
{
	struct frozen *f;

	f = arena_alloc(a, sizeof(*f) + len + 1);
	f->len = len;
	memcpy(f->text, text, len);
	f->text[len] = '\0';
	/* No delete function: the arena frees the text. */
	json_object_set_serializer(o, frozen_serializer, f, NULL);
	return f->text;
}

const char *
json_freeze(struct arena *a, json_object *o, size_t *len)
{
	const char *s;

	if (o == NULL)
		return NULL;
	s = serialise(o, len);
	return set_frozen(a, o, s, *len);
}

json_object *
json_frozen_text(struct arena *a, const char *text, size_t len)
{
	json_object *o;

	o = json_object_new_object();
	set_frozen(a, o, text, len);
	return o;
}

json_object *
json_frozen_copy(struct arena *a, json_object *o)
{
	json_object *copy;
	const char *s;
	size_t len;

	if (o == NULL)
		return NULL;
	s = serialise(o, &len);
	copy = json_frozen_text(a, s, len);
	json_object_put(o);
	return copy;
}

void
json_write(struct buf *b, json_object *o)
{
	const char *s;
	size_t len;

	if (o == NULL) {
		buf_puts(b, "null");
		return;
	}
	s = serialise(o, &len);
	buf_append(b, s, len);
}

void
resp_json(struct resp *rs, int status, json_object *obj)
{
	rs->status = status;
	rs->content_type = "application/json";
	buf_reset(&rs->body);
	json_write(&rs->body, obj);
}

void
resp_json_text(struct resp *rs, int status, const char *text, size_t len)
{
	rs->status = status;
	rs->content_type = "application/json";
	buf_reset(&rs->body);
	buf_append(&rs->body, text, len);
}

void
resp_error(struct resp *rs, int status, const char *type, const char *code,
    const char *detail, const char *attr)
{
	json_object *o;

	o = json_object_new_object();
	json_add(o, "type", json_object_new_string(type));
	json_add(o, "code", json_object_new_string(code));
	json_add(o, "detail", json_object_new_string(detail));
	json_add(o, "attr", attr != NULL ? json_object_new_string(attr) : NULL);
	resp_json(rs, status, o);
	json_object_put(o);
}

/*
 * Python's float repr: the shortest digit string that reads back as the
 * same double, fixed notation for exponents -4..15, else "1e-05" style,
 * and always a ".0" on integral values in fixed notation.
 */
void
json_py_float(double d, char *out, size_t outsz)
{
	char tmp[64];
	int prec, exp10;
	char *e;

	for (prec = 1; prec <= 17; prec++) {
		snprintf(tmp, sizeof(tmp), "%.*e", prec - 1, d);
		if (strtod(tmp, NULL) == d)
			break;
	}
	e = strchr(tmp, 'e');
	exp10 = e != NULL ? atoi(e + 1) : 0;
	if (exp10 >= -4 && exp10 < 16) {
		snprintf(out, outsz, "%.*f",
		    prec - 1 - exp10 > 0 ? prec - 1 - exp10 : 0, d);
		if (strchr(out, '.') == NULL)
			strncat(out, ".0", outsz - strlen(out) - 1);
	} else {
		/* mantissa without trailing zeros, exponent as C prints it */
		snprintf(out, outsz, "%.*e", prec - 1, d);
	}
}

static int
py_float_serializer(json_object *o, struct printbuf *pb, int level,
    int flags)
{
	char tmp[64];

	json_py_float(json_object_get_double(o), tmp, sizeof(tmp));
	return printbuf_memappend(pb, tmp, (int)strlen(tmp));
}

json_object *
json_double(double d)
{
	json_object *o;

	o = json_object_new_double(d);
	json_object_set_serializer(o, py_float_serializer, NULL, NULL);
	return o;
}

json_object *
json_str(const char *s)
{
	return s != NULL ? json_object_new_string(s) : NULL;
}

/* Keys are unique by construction: skip json-c's duplicate check. */
static void
add_new_key(json_object *obj, const char *key, json_object *val,
    unsigned flags)
{
	if (json_object_object_add_ex(obj, key, val,
	    JSON_C_OBJECT_ADD_KEY_IS_NEW | flags) != 0)
		abort();
}

void
json_add(json_object *obj, const char *key, json_object *val)
{
	add_new_key(obj, key, val, 0);
}

void
json_add_static(json_object *obj, const char *key, json_object *val)
{
	add_new_key(obj, key, val, JSON_C_OBJECT_ADD_CONSTANT_KEY);
}

const char *
json_py_type(json_object *o)
{
	switch (json_object_get_type(o)) {
	case json_type_null: return "NoneType";
	case json_type_boolean: return "bool";
	case json_type_int: return "int";
	case json_type_double: return "float";
	case json_type_string: return "str";
	case json_type_array: return "list";
	case json_type_object: return "dict";
	}
	return "object";
}

/* Python repr() of a str: single quotes unless it holds ' but no ". */
static void
py_repr_str(struct buf *b, const char *s)
{
	const unsigned char *p;
	char q;

	q = (strchr(s, '\'') != NULL && strchr(s, '"') == NULL) ? '"' : '\'';
	buf_putc(b, q);
	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if (*p == '\\' || *p == (unsigned char)q) {
			buf_putc(b, '\\');
			buf_putc(b, (char)*p);
		} else if (*p == '\n')
			buf_puts(b, "\\n");
		else if (*p == '\r')
			buf_puts(b, "\\r");
		else if (*p == '\t')
			buf_puts(b, "\\t");
		else if (*p < 0x20 || *p == 0x7f)
			buf_printf(b, "\\x%02x", *p);
		else
			buf_putc(b, (char)*p);
	}
	buf_putc(b, q);
}

static void py_repr(struct buf *, json_object *);

static void
py_repr_container(struct buf *b, json_object *o)
{
	struct json_object_iterator it, end;
	size_t i, n;
	bool first;

	if (json_object_is_type(o, json_type_array)) {
		buf_putc(b, '[');
		n = json_object_array_length(o);
		for (i = 0; i < n; i++) {
			if (i > 0)
				buf_puts(b, ", ");
			py_repr(b, json_object_array_get_idx(o, i));
		}
		buf_putc(b, ']');
		return;
	}
	buf_putc(b, '{');
	first = true;
	it = json_object_iter_begin(o);
	end = json_object_iter_end(o);
	for (; !json_object_iter_equal(&it, &end); json_object_iter_next(&it)) {
		if (!first)
			buf_puts(b, ", ");
		first = false;
		py_repr_str(b, json_object_iter_peek_name(&it));
		buf_puts(b, ": ");
		py_repr(b, json_object_iter_peek_value(&it));
	}
	buf_putc(b, '}');
}

static void
py_scalar(struct buf *b, json_object *o, bool repr)
{
	char tmp[64];

	switch (json_object_get_type(o)) {
	case json_type_null:
		buf_puts(b, "None");
		break;
	case json_type_boolean:
		buf_puts(b, json_object_get_boolean(o) ? "True" : "False");
		break;
	case json_type_double:
		json_py_float(json_object_get_double(o), tmp, sizeof(tmp));
		buf_puts(b, tmp);
		break;
	case json_type_int:
		buf_puts(b, json_object_to_json_string(o));
		break;
	case json_type_string:
		if (repr)
			py_repr_str(b, json_object_get_string(o));
		else
			buf_puts(b, json_object_get_string(o));
		break;
	default:
		py_repr_container(b, o);
	}
}

static void
py_repr(struct buf *b, json_object *o)
{
	py_scalar(b, o, true);
}

void
json_py_str(struct buf *b, json_object *o)
{
	py_scalar(b, o, false);
}
