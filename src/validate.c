/*
 * validate -- DRF field coercions (spec 1.6) and the notification settings
 * validator (spec 5.3.6).  Messages are DRF's and PostHog's texts, byte
 * for byte; Python type names and str() renderings come from json.c.
 */
#include <arpa/inet.h>

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "arena.h"
#include "buf.h"
#include "json.h"
#include "util.h"
#include "validate.h"

#define EMAIL_MAX_LENGTH 254

static bool
fail(struct verr *err, const char *code, const char *detail)
{
	err->code = code;
	err->detail = detail;
	return false;
}

size_t
v_strlen(const char *s)
{
	size_t n = 0;

	for (; *s != '\0'; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

/* Code points of s[0..len) (may hold NULs). */
static size_t
chars_in(const char *s, size_t len)
{
	size_t i, n = 0;

	for (i = 0; i < len; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			n++;
	return n;
}

/*
 * Length in bytes of the Python whitespace character at s (str.isspace():
 * bidi class WS, B or S, or category Zs), 0 if s does not start with one.
 */
static size_t
space_at(const unsigned char *s, size_t len)
{
	unsigned cp;

	if (len >= 1 && ((s[0] >= 0x09 && s[0] <= 0x0d) ||
	    (s[0] >= 0x1c && s[0] <= 0x20)))
		return 1;
	if (len >= 2 && s[0] == 0xc2 && (s[1] == 0x85 || s[1] == 0xa0))
		return 2;
	if (len >= 3 && (s[0] == 0xe1 || s[0] == 0xe2 || s[0] == 0xe3)) {
		cp = ((s[0] & 0x0fu) << 12) | ((s[1] & 0x3fu) << 6) |
		    (s[2] & 0x3fu);
		if (cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200a) ||
		    cp == 0x2028 || cp == 0x2029 || cp == 0x202f ||
		    cp == 0x205f || cp == 0x3000)
			return 3;
	}
	return 0;
}

/* Start of the UTF-8 character that ends at s[end - 1]. */
static size_t
char_start(const unsigned char *s, size_t end)
{
	size_t i = end - 1;

	while (i > 0 && (s[i] & 0xc0) == 0x80)
		i--;
	return i;
}

/* Trim s[0..*len) in place of the indices: returns the new start. */
static const char *
strip_span(const char *s, size_t *len)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t n = *len, k, start;

	while (n > 0 && (k = space_at(u, n)) > 0) {
		u += k;
		n -= k;
	}
	while (n > 0) {
		start = char_start(u, n);
		if (space_at(u + start, n - start) != n - start)
			break;
		n = start;
	}
	*len = n;
	return (const char *)u;
}

char *
v_strip(struct arena *a, const char *s)
{
	size_t len = strlen(s);
	const char *p;

	p = strip_span(s, &len);
	return arena_strndup(a, p, len);
}

/* Python's str() of a JSON value, as an arena string. */
static char *
py_str(struct arena *a, json_object *v)
{
	struct buf b;
	char *s;

	buf_init(&b);
	json_py_str(&b, v);
	s = arena_strdup(a, b.data != NULL ? b.data : "");
	buf_free(&b);
	return s;
}

bool
v_string(struct arena *a, json_object *v, size_t max_length, unsigned flags,
    const char **out, struct verr *err)
{
	const char *s;
	size_t len;

	*out = NULL;
	if (v == NULL) {
		if (flags & VS_ALLOW_NULL)
			return true;
		return fail(err, "null", "This field may not be null.");
	}
	switch (json_object_get_type(v)) {
	case json_type_string:
		s = json_object_get_string(v);
		len = (size_t)json_object_get_string_len(v);
		break;
	case json_type_int:
	case json_type_double:
		s = py_str(a, v);
		len = strlen(s);
		break;
	default:
		return fail(err, "invalid_input", "Not a valid string.");
	}
	if (!(flags & VS_NO_TRIM))
		s = strip_span(s, &len);
	if (len == 0) {
		if (!(flags & VS_ALLOW_BLANK))
			return fail(err, "blank", "This field may not be blank.");
		*out = "";
		return true;
	}
	/* validators in DRF's order: max_length, then NUL characters */
	if (max_length > 0 && chars_in(s, len) > max_length)
		return fail(err, "max_length", arena_printf(a, "Ensure this "
		    "field has no more than %zu characters.", max_length));
	if (memchr(s, '\0', len) != NULL)
		return fail(err, "null_characters_not_allowed",
		    "Null characters are not allowed.");
	*out = arena_strndup(a, s, len);
	return true;
}

static bool
str_in(const char *s, const char *const *set)
{
	for (; *set != NULL; set++)
		if (strcmp(s, *set) == 0)
			return true;
	return false;
}

bool
v_bool(json_object *v, bool nullable, int *out, struct verr *err)
{
	static const char *const truthy[] = { "t", "T", "y", "Y", "yes",
	    "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON", "1",
	    NULL };
	static const char *const falsy[] = { "f", "F", "n", "N", "no", "No",
	    "NO", "false", "False", "FALSE", "off", "Off", "OFF", "0",
	    NULL };
	static const char *const nulls[] = { "null", "Null", "NULL", "",
	    NULL };
	const char *s;
	double d;

	*out = -1;
	if (v == NULL) {
		if (nullable)
			return true;
		return fail(err, "null", "This field may not be null.");
	}
	switch (json_object_get_type(v)) {
	case json_type_boolean:
		*out = json_object_get_boolean(v) ? 1 : 0;
		return true;
	case json_type_int:
	case json_type_double:
		/* Python: 1 == 1.0 == True, so both are in TRUE_VALUES */
		d = json_object_get_double(v);
		if (d == 1.0 || d == 0.0) {
			*out = d == 1.0;
			return true;
		}
		break;
	case json_type_string:
		s = json_object_get_string(v);
		if ((size_t)json_object_get_string_len(v) != strlen(s))
			break;
		if (nullable && str_in(s, nulls))
			return true;
		if (str_in(s, truthy)) {
			*out = 1;
			return true;
		}
		if (str_in(s, falsy)) {
			*out = 0;
			return true;
		}
		break;
	default:
		break;
	}
	return fail(err, "invalid_input", "Must be a valid boolean.");
}

bool
v_choice(struct arena *a, json_object *v, const char *const *choices,
    unsigned flags, const char **out, struct verr *err)
{
	const char *s;

	*out = NULL;
	if (v == NULL) {
		if (flags & VS_ALLOW_NULL)
			return true;
		return fail(err, "null", "This field may not be null.");
	}
	s = py_str(a, v);
	if (json_object_is_type(v, json_type_string) && *s == '\0' &&
	    (flags & VS_ALLOW_BLANK)) {
		*out = "";
		return true;
	}
	if (!json_object_is_type(v, json_type_string) ||
	    (size_t)json_object_get_string_len(v) == strlen(s)) {
		if (str_in(s, choices)) {
			*out = s;
			return true;
		}
	}
	return fail(err, "invalid_choice", arena_printf(a,
	    "\"%s\" is not a valid choice.", s));
}

/* ------------------------------------------------------------------ */
/* Email syntax (Django's EmailValidator).                             */

static bool
is_alnum(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9');
}

/* dot-atom: atext runs separated by single dots. */
static bool
local_dot_atom(const char *s, size_t len)
{
	size_t i;

	if (len == 0 || s[0] == '.' || s[len - 1] == '.')
		return false;
	for (i = 0; i < len; i++) {
		if (s[i] == '.') {
			if (s[i + 1] == '.')
				return false;
		} else if (!is_alnum((unsigned char)s[i]) &&
		    strchr("-!#$%&'*+/=?^_`{}|~", s[i]) == NULL)
			return false;
	}
	return true;
}

/*
 * quoted-string: "..." of \001-\010 \013 \014 \016-\037 ! #-[ ]-\177,
 * or a backslash and any of \001-\011 \013 \014 \016-\177.
 */
static bool
local_quoted(const char *s, size_t len)
{
	size_t i;
	unsigned char c;

	if (len < 2 || s[0] != '"' || s[len - 1] != '"')
		return false;
	for (i = 1; i < len - 1; i++) {
		c = (unsigned char)s[i];
		if (c == '\\') {
			/* an escape may not swallow the closing quote */
			if (++i >= len - 1)
				return false;
			c = (unsigned char)s[i];
			if (c == 0 || c == '\n' || c == '\r' || c > 0x7f)
				return false;
		} else if (c == 0 || c == '\t' || c == '\n' || c == '\r' ||
		    c == ' ' || c == '"' || c > 0x7f)
			return false;
	}
	return true;
}

/*
 * One hostname label: 1..63 characters of letters (ASCII or any code
 * point U+00A1..U+FFFF), digits and '-', not starting or ending with '-'.
 */
static bool
host_label(const char *s, size_t len)
{
	size_t i, n;
	unsigned char c;

	if (len == 0 || s[0] == '-' || s[len - 1] == '-')
		return false;
	n = 0;
	for (i = 0; i < len; i++) {
		c = (unsigned char)s[i];
		if (c >= 0xf0)
			return false;	/* beyond U+FFFF */
		if (c >= 0x80) {
			if (c == 0xc2 && i + 1 < len &&
			    (unsigned char)s[i + 1] < 0xa1)
				return false;	/* U+0080..U+00A0 */
			if ((c & 0xc0) != 0x80)
				n++;
			continue;
		}
		if (!is_alnum(c) && c != '-')
			return false;
		n++;
	}
	return n <= 63;
}

/* TLD: 2..63 letters or '-' (no edge '-'), or xn-- + 1..59 alnum. */
static bool
tld_label(const char *s, size_t len)
{
	size_t i;

	if (len > 4 && strncasecmp(s, "xn--", 4) == 0) {
		for (i = 4; i < len; i++)
			if (!is_alnum((unsigned char)s[i]))
				break;
		if (i == len && len - 4 <= 59)
			return true;
	}
	if (!host_label(s, len) || chars_in(s, len) < 2)
		return false;
	for (i = 0; i < len; i++)
		if (s[i] >= '0' && s[i] <= '9')
			return false;
	return true;
}

static bool
domain_part(const char *d)
{
	char buf[64];
	unsigned char addr[16];
	const char *dot, *label;
	size_t len, n;
	int labels;

	if (strcmp(d, "localhost") == 0)
		return true;
	len = strlen(d);
	if (len >= 2 && d[0] == '[' && d[len - 1] == ']') {
		n = len - 2;
		if (n == 0 || n >= sizeof(buf))
			return false;
		memcpy(buf, d + 1, n);
		buf[n] = '\0';
		return inet_pton(AF_INET, buf, addr) == 1 ||
		    inet_pton(AF_INET6, buf, addr) == 1;
	}
	if (len > 0 && d[len - 1] == '.')
		len--;			/* one trailing dot is allowed */
	labels = 0;
	for (label = d;; label = dot + 1) {
		dot = memchr(label, '.', len - (size_t)(label - d));
		if (dot == NULL)
			break;
		if (!host_label(label, (size_t)(dot - label)))
			return false;
		labels++;
	}
	return labels > 0 && tld_label(label, len - (size_t)(label - d));
}

bool
v_email_syntax(const char *s)
{
	const char *at;

	if (*s == '\0' || (at = strrchr(s, '@')) == NULL || v_strlen(s) > 320)
		return false;
	if (!local_dot_atom(s, (size_t)(at - s)) &&
	    !local_quoted(s, (size_t)(at - s)))
		return false;
	return domain_part(at + 1);
}

bool
v_email(struct arena *a, json_object *v, const char **out, struct verr *err)
{
	if (!v_string(a, v, EMAIL_MAX_LENGTH, 0, out, err))
		return false;
	if (!v_email_syntax(*out))
		return fail(err, "invalid_input", "Enter a valid email address.");
	return true;
}

bool
v_pk(const char *s, long long *out)
{
	return py_int(s, out);
}

/* ------------------------------------------------------------------ */
/* Notification settings (spec 5.3.6).                                 */

enum ns_kind { NS_BOOL, NS_MAP, NS_NUMBER };

static const struct ns_key {
	const char	*name;
	enum ns_kind	 kind;
	int		 dflt;		/* NS_BOOL */
} ns_keys[] = {
	{ "plugin_disabled", NS_BOOL, 1 },
	{ "discussions_mentioned", NS_BOOL, 1 },
	{ "project_weekly_digest_disabled", NS_MAP, 0 },
	{ "all_weekly_digest_disabled", NS_BOOL, 0 },
	{ "error_tracking_issue_assigned", NS_BOOL, 1 },
	{ "error_tracking_weekly_digest", NS_BOOL, 1 },
	{ "data_pipeline_error_threshold", NS_NUMBER, 0 },
	{ "project_api_key_exposed", NS_BOOL, 1 },
	{ "materialized_view_sync_failed", NS_BOOL, 0 },
	{ "web_analytics_weekly_digest", NS_BOOL, 1 },
	{ "organization_member_join_email_disabled", NS_MAP, 0 },
};
#define NS_NKEYS (sizeof(ns_keys) / sizeof(ns_keys[0]))
#define NS_DEFAULT_THRESHOLD 0.01

static const struct ns_key *
ns_find(const char *name)
{
	size_t i;

	for (i = 0; i < NS_NKEYS; i++)
		if (strcmp(ns_keys[i].name, name) == 0)
			return &ns_keys[i];
	return NULL;
}

/* A private copy of v (doubles keep Python's float repr). */
static json_object *
ns_copy(json_object *v)
{
	json_object *copy = NULL;

	if (v == NULL)
		return NULL;
	if (json_object_is_type(v, json_type_double))
		return json_double(json_object_get_double(v));
	if (json_object_deep_copy(v, &copy, NULL) != 0)
		abort();
	return copy;
}

/* Defaults overlaid with the stored overrides (known keys only). */
json_object *
v_notification_settings_current(const char *stored)
{
	json_object *cur, *over, *v;
	size_t i;

	over = stored != NULL ? json_tokener_parse(stored) : NULL;
	if (over != NULL && !json_object_is_type(over, json_type_object)) {
		json_object_put(over);
		over = NULL;
	}
	cur = json_object_new_object();
	for (i = 0; i < NS_NKEYS; i++) {
		const struct ns_key *k = &ns_keys[i];

		/* the names live in the static table: no copies */
		if (over != NULL && json_object_object_get_ex(over, k->name,
		    &v)) {
			json_add_static(cur, k->name, ns_copy(v));
			continue;
		}
		switch (k->kind) {
		case NS_BOOL:
			json_add_static(cur, k->name,
			    json_object_new_boolean(k->dflt));
			break;
		case NS_MAP:
			json_add_static(cur, k->name, json_object_new_object());
			break;
		case NS_NUMBER:
			json_add_static(cur, k->name,
			    json_double(NS_DEFAULT_THRESHOLD));
			break;
		}
	}
	json_object_put(over);
	return cur;
}

/* Merge the map value v into cur[key] entry by entry. */
static const char *
ns_merge_map(struct arena *a, json_object *cur, const char *key,
    json_object *v)
{
	struct json_object_iterator it, end;
	json_object *dst, *e;

	if (v == NULL || !json_object_is_type(v, json_type_object))
		return arena_printf(a, "%s must be a dictionary mapping IDs "
		    "to boolean values", key);
	it = json_object_iter_begin(v);
	end = json_object_iter_end(v);
	for (; !json_object_iter_equal(&it, &end); json_object_iter_next(&it)) {
		e = json_object_iter_peek_value(&it);
		if (e == NULL || !json_object_is_type(e, json_type_boolean))
			return arena_printf(a, "Notification setting values "
			    "must be boolean, got <class '%s'> instead",
			    json_py_type(e));
	}
	if (!json_object_object_get_ex(cur, key, &dst) || dst == NULL ||
	    !json_object_is_type(dst, json_type_object)) {
		dst = json_object_new_object();
		json_object_object_add(cur, key, dst);
	}
	it = json_object_iter_begin(v);
	for (; !json_object_iter_equal(&it, &end); json_object_iter_next(&it))
		json_object_object_add(dst, json_object_iter_peek_name(&it),
		    json_object_get(json_object_iter_peek_value(&it)));
	return NULL;
}

static const char *
ns_set_threshold(struct arena *a, json_object *cur, json_object *v)
{
	double d;

	/* Python: isinstance(True, int) holds, so booleans pass as 1/0 */
	if (v == NULL || !(json_object_is_type(v, json_type_int) ||
	    json_object_is_type(v, json_type_double) ||
	    json_object_is_type(v, json_type_boolean)))
		return arena_printf(a, "data_pipeline_error_threshold must be "
		    "a number, got <class '%s'> instead", json_py_type(v));
	d = json_object_get_double(v);
	if (d < 0.0 || d > 1.0)
		return arena_printf(a, "data_pipeline_error_threshold must be "
		    "between 0.0 and 1.0, got %s", py_str(a, v));
	json_object_object_add(cur, "data_pipeline_error_threshold",
	    json_double(d));
	return NULL;
}

json_object *
v_notification_settings(struct arena *a, json_object *submitted,
    const char *stored, struct verr *err)
{
	struct json_object_iterator it, end;
	const struct ns_key *k;
	json_object *cur, *v;
	const char *key, *msg;

	cur = v_notification_settings_current(stored);
	it = json_object_iter_begin(submitted);
	end = json_object_iter_end(submitted);
	msg = NULL;
	for (; msg == NULL && !json_object_iter_equal(&it, &end);
	    json_object_iter_next(&it)) {
		key = json_object_iter_peek_name(&it);
		v = json_object_iter_peek_value(&it);
		if ((k = ns_find(key)) == NULL) {
			msg = arena_printf(a, "Key %s is not valid as a key for "
			    "notification settings", key);
			break;
		}
		switch (k->kind) {
		case NS_MAP:
			msg = ns_merge_map(a, cur, key, v);
			break;
		case NS_NUMBER:
			msg = ns_set_threshold(a, cur, v);
			break;
		case NS_BOOL:
			if (v == NULL || !json_object_is_type(v,
			    json_type_boolean)) {
				msg = arena_printf(a, "%s is not a valid type "
				    "for notification settings, should be "
				    "<class 'bool'>", py_str(a, v));
				break;
			}
			json_object_object_add(cur, key,
			    json_object_new_boolean(json_object_get_boolean(v)));
			break;
		}
	}
	if (msg != NULL) {
		json_object_put(cur);
		fail(err, "invalid_input", msg);
		return NULL;
	}
	return cur;
}
