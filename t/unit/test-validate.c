/*
 * test-validate -- DRF coercions (spec 1.6), email syntax, notification
 * settings validation and merge (spec 5.3.6).
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "arena.h"
#include "buf.h"
#include "json.h"
#include "validate.h"
#include "../tap.h"

static struct arena *A;

/* Parse a JSON literal for a test (owned by the arena). */
static json_object *
J(const char *text)
{
	bool null;
	char err[256];
	json_object *o;

	o = json_parse_arena(A, text, strlen(text), &null, err, sizeof(err));
	if (o == NULL && !null)
		bail_out("bad test JSON %s: %s", text, err);
	return o;
}

static void
string_ok(const char *in, size_t max, unsigned flags, const char *want)
{
	struct verr err = { 0 };
	const char *out = "unset";
	bool r;

	r = v_string(A, J(in), max, flags, &out, &err);
	ok(r, "v_string(%s) accepted", in);
	if (want == NULL)
		ok(out == NULL, "v_string(%s) is null", in);
	else
		is_str(out != NULL ? out : "(null)", want, "v_string(%s)", in);
}

static void
string_err(const char *in, size_t max, unsigned flags, const char *code,
    const char *detail)
{
	struct verr err = { 0 };
	const char *out;

	ok(!v_string(A, J(in), max, flags, &out, &err), "v_string(%s) refused",
	    in);
	is_str(err.code ? err.code : "", code, "v_string(%s) code", in);
	is_str(err.detail ? err.detail : "", detail, "v_string(%s) detail",
	    in);
}

static void
test_strings(void)
{
	string_ok("\"  Ada  \"", 150, VS_ALLOW_BLANK, "Ada");
	string_ok("\"\\t\\u00a0x\\u3000\\n\"", 150, 0, "x");
	string_ok("12", 150, 0, "12");
	string_ok("-3", 150, 0, "-3");
	string_ok("1.5", 150, 0, "1.5");
	string_ok("1e20", 150, 0, "1e+20");
	string_ok("2.0", 150, 0, "2.0");
	string_ok("\"   \"", 150, VS_ALLOW_BLANK, "");
	string_ok("null", 150, VS_ALLOW_NULL, NULL);
	string_ok("\" keep \"", 150, VS_NO_TRIM, " keep ");
	/* 150 code points of two bytes each fit */
	{
		char in[512], want[512];
		size_t i;

		strcpy(in, "\"");
		want[0] = '\0';
		for (i = 0; i < 150; i++) {
			strcat(in, "\xc3\xa9");
			strcat(want, "\xc3\xa9");
		}
		strcat(in, "\"");
		string_ok(in, 150, 0, want);
		in[strlen(in) - 1] = '\0';
		strcat(in, "x\"");
		string_err(in, 150, 0, "max_length",
		    "Ensure this field has no more than 150 characters.");
	}
	string_err("true", 150, 0, "invalid_input", "Not a valid string.");
	string_err("[\"a\"]", 150, 0, "invalid_input", "Not a valid string.");
	string_err("{}", 150, 0, "invalid_input", "Not a valid string.");
	string_err("null", 150, VS_ALLOW_BLANK, "null",
	    "This field may not be null.");
	string_err("\"\"", 150, 0, "blank", "This field may not be blank.");
	string_err("\" \\n \"", 150, 0, "blank",
	    "This field may not be blank.");
	string_err("\"a\\u0000b\"", 150, 0, "null_characters_not_allowed",
	    "Null characters are not allowed.");
	string_err("\"abcdef\"", 5, 0, "max_length",
	    "Ensure this field has no more than 5 characters.");
	/* trimmed before the length check */
	string_ok("\"  abcde  \"", 5, 0, "abcde");
}

static void
bool_case(const char *in, bool nullable, int want)
{
	struct verr err = { 0 };
	int out = 99;
	bool r;

	r = v_bool(J(in), nullable, &out, &err);
	if (want == 99) {
		ok(!r, "v_bool(%s%s) refused", in, nullable ? ", nullable" : "");
		is_str(err.code ? err.code : "", strcmp(in, "null") == 0 &&
		    !nullable ? "null" : "invalid_input", "v_bool(%s) code",
		    in);
		return;
	}
	ok(r && out == want, "v_bool(%s%s) = %d (got %d)", in,
	    nullable ? ", nullable" : "", want, out);
}

static void
test_bools(void)
{
	static const char *const t[] = { "true", "1", "1.0", "\"true\"",
	    "\"True\"", "\"TRUE\"", "\"t\"", "\"T\"", "\"yes\"", "\"Yes\"",
	    "\"YES\"", "\"y\"", "\"Y\"", "\"on\"", "\"On\"", "\"ON\"", "\"1\"",
	    NULL };
	static const char *const f[] = { "false", "0", "0.0", "\"false\"",
	    "\"False\"", "\"FALSE\"", "\"f\"", "\"F\"", "\"no\"", "\"No\"",
	    "\"NO\"", "\"n\"", "\"N\"", "\"off\"", "\"Off\"", "\"OFF\"",
	    "\"0\"", NULL };
	size_t i;
	struct verr err = { 0 };
	int out;

	for (i = 0; t[i] != NULL; i++)
		bool_case(t[i], false, 1);
	for (i = 0; f[i] != NULL; i++)
		bool_case(f[i], false, 0);
	bool_case("null", true, -1);
	bool_case("\"\"", true, -1);
	bool_case("\"null\"", true, -1);
	bool_case("\"Null\"", true, -1);
	bool_case("\"NULL\"", true, -1);
	bool_case("null", false, 99);
	bool_case("\"\"", false, 99);
	bool_case("\"null\"", false, 99);
	bool_case("2", false, 99);
	bool_case("\"abc\"", true, 99);
	bool_case("\"tRUE\"", true, 99);
	bool_case("[]", true, 99);
	bool_case("{}", true, 99);
	v_bool(J("\"x\""), true, &out, &err);
	is_str(err.detail, "Must be a valid boolean.", "boolean message");
}

static void
test_choices(void)
{
	static const char *const modes[] = { "light", "dark", "system", NULL };
	struct verr err;
	const char *out;

	memset(&err, 0, sizeof(err));
	ok(v_choice(A, J("\"dark\""), modes, 0, &out, &err) &&
	    strcmp(out, "dark") == 0, "choice: exact value");
	ok(!v_choice(A, J("\"Dark\""), modes, 0, &out, &err),
	    "choice: case-sensitive");
	is_str(err.code, "invalid_choice", "choice: code");
	is_str(err.detail, "\"Dark\" is not a valid choice.", "choice: text");
	ok(!v_choice(A, J("\" dark\""), modes, 0, &out, &err),
	    "choice: not trimmed");
	ok(v_choice(A, J("\"\""), modes, VS_ALLOW_BLANK, &out, &err) &&
	    strcmp(out, "") == 0, "choice: blank allowed");
	ok(!v_choice(A, J("\"\""), modes, 0, &out, &err),
	    "choice: blank refused");
	is_str(err.detail, "\"\" is not a valid choice.", "choice: blank text");
	ok(v_choice(A, J("null"), modes, VS_ALLOW_NULL, &out, &err) &&
	    out == NULL, "choice: null allowed");
	ok(!v_choice(A, J("null"), modes, 0, &out, &err), "choice: null");
	is_str(err.code, "null", "choice: null code");
	ok(!v_choice(A, J("5"), modes, 0, &out, &err), "choice: number");
	is_str(err.detail, "\"5\" is not a valid choice.", "choice: number text");
	ok(!v_choice(A, J("true"), modes, 0, &out, &err), "choice: bool");
	is_str(err.detail, "\"True\" is not a valid choice.",
	    "choice: bool text (Python str)");
	ok(!v_choice(A, J("[1, \"a\"]"), modes, 0, &out, &err),
	    "choice: list");
	is_str(err.detail, "\"[1, 'a']\" is not a valid choice.",
	    "choice: list text (Python str)");
}

static void
test_email(void)
{
	static const char *const good[] = { "a@example.com",
	    "first.last+tag@sub.example.co.uk", "x@localhost",
	    "\"quoted\\ user\"@example.com", "a@[127.0.0.1]", "a@[::1]",
	    "o'brien@example.ie", "user@xn--bcher-kva.example",
	    "user@b\xc3\xbc" "cher.de", "a@example.com.", "A@EXAMPLE.COM",
	    "a@x-y.example.org", NULL };
	static const char *const bad[] = { "", "plain", "@example.com",
	    "a@", "a@b", "a@example", "a@-example.com", "a@example-.com",
	    "a@example.c", "a@example.123", "a..b@example.com",
	    ".a@example.com", "a.@example.com", "a b@example.com",
	    "a@exa mple.com", "a@[300.1.1.1]", "a@@example.com",
	    "a@example..com", "\"unterminated@example.com",
	    "\"esc\\\"@example.com", "a@.example.com",
	    "\"quoted user\"@example.com", NULL };
	struct verr err;
	const char *out;
	size_t i;
	char big[300];

	for (i = 0; good[i] != NULL; i++)
		ok(v_email_syntax(good[i]), "valid email: %s", good[i]);
	for (i = 0; bad[i] != NULL; i++)
		ok(!v_email_syntax(bad[i]), "invalid email: '%s'", bad[i]);
	memset(&err, 0, sizeof(err));
	ok(v_email(A, J("\"  ada@example.com \""), &out, &err) &&
	    strcmp(out, "ada@example.com") == 0, "v_email trims");
	ok(!v_email(A, J("\"nope\""), &out, &err), "v_email refuses junk");
	is_str(err.code, "invalid_input", "v_email code");
	is_str(err.detail, "Enter a valid email address.", "v_email text");
	ok(!v_email(A, J("\"\""), &out, &err), "v_email refuses blank");
	is_str(err.code, "blank", "v_email blank code");
	ok(!v_email(A, J("null"), &out, &err), "v_email refuses null");
	is_str(err.code, "null", "v_email null code");
	/* 255 characters: the length message comes before the syntax one */
	memset(big, 'a', sizeof(big));
	big[0] = '"';
	strcpy(big + 256 - 12, "@example.com\"");
	ok(!v_email(A, J(big), &out, &err), "v_email refuses 255 chars");
	is_str(err.code, "max_length", "v_email length code");
	is_str(err.detail, "Ensure this field has no more than 254 characters.",
	    "v_email length text");
}

static void
test_pk_strip(void)
{
	long long n;

	ok(v_pk("42", &n) && n == 42, "pk 42");
	ok(v_pk(" +7 ", &n) && n == 7, "pk with whitespace and sign");
	ok(!v_pk("4x", &n), "pk junk");
	ok(!v_pk("12.0", &n), "pk float text");
	ok(!v_pk("", &n), "pk empty");
	is_str(v_strip(A, " \xe2\x80\x83x y\xc2\xa0"), "x y",
	    "strip: Unicode spaces");
	is_int((long long)v_strlen("h\xc3\xa9llo"), 5, "strlen counts code points");
}

/* Validate+merge; returns the merged JSON text or "ERR:<detail>". */
static const char *
ns(const char *submitted, const char *stored)
{
	struct verr err = { 0 };
	json_object *m;
	struct buf b;
	const char *s;

	m = v_notification_settings(A, J(submitted), stored, &err);
	if (m == NULL) {
		ok(strcmp(err.code, "invalid_input") == 0,
		    "notification error code for %s", submitted);
		return arena_printf(A, "ERR:%s", err.detail);
	}
	buf_init(&b);
	json_write(&b, m);
	s = arena_strdup(A, b.data);
	buf_free(&b);
	json_object_put(m);
	return s;
}

#define NS_DEFAULTS_WITH(pwd, thr, omj) \
	"{\"plugin_disabled\":true,\"discussions_mentioned\":true," \
	"\"project_weekly_digest_disabled\":" pwd "," \
	"\"all_weekly_digest_disabled\":false," \
	"\"error_tracking_issue_assigned\":true," \
	"\"error_tracking_weekly_digest\":true," \
	"\"data_pipeline_error_threshold\":" thr "," \
	"\"project_api_key_exposed\":true," \
	"\"materialized_view_sync_failed\":false," \
	"\"web_analytics_weekly_digest\":true," \
	"\"organization_member_join_email_disabled\":" omj "}"

static void
test_notifications(void)
{
	is_str(ns("{}", NULL), NS_DEFAULTS_WITH("{}", "0.01", "{}"),
	    "empty submission: the defaults");
	is_str(ns("{\"project_weekly_digest_disabled\":{\"1\":true}}",
	    "{\"project_weekly_digest_disabled\":{\"2\":false,\"1\":false}}"),
	    NS_DEFAULTS_WITH("{\"2\":false,\"1\":true}", "0.01", "{}"),
	    "map entries merged one by one, positions kept");
	is_str(ns("{\"data_pipeline_error_threshold\":1}", NULL),
	    NS_DEFAULTS_WITH("{}", "1.0", "{}"), "threshold int stored as float");
	is_str(ns("{\"data_pipeline_error_threshold\":true}", NULL),
	    NS_DEFAULTS_WITH("{}", "1.0", "{}"), "threshold: true counts as 1");
	is_str(ns("{\"data_pipeline_error_threshold\":0.5}",
	    "{\"plugin_disabled\":false}"),
	    "{\"plugin_disabled\":false,\"discussions_mentioned\":true,"
	    "\"project_weekly_digest_disabled\":{},"
	    "\"all_weekly_digest_disabled\":false,"
	    "\"error_tracking_issue_assigned\":true,"
	    "\"error_tracking_weekly_digest\":true,"
	    "\"data_pipeline_error_threshold\":0.5,"
	    "\"project_api_key_exposed\":true,"
	    "\"materialized_view_sync_failed\":false,"
	    "\"web_analytics_weekly_digest\":true,"
	    "\"organization_member_join_email_disabled\":{}}",
	    "stored overrides kept");
	is_str(ns("{\"foo\":true}", NULL),
	    "ERR:Key foo is not valid as a key for notification settings",
	    "unknown key");
	is_str(ns("{\"plugin_disabled\":false,\"foo\":1,\"bar\":2}", NULL),
	    "ERR:Key foo is not valid as a key for notification settings",
	    "first failure in the order sent");
	is_str(ns("{\"project_weekly_digest_disabled\":[1]}", NULL),
	    "ERR:project_weekly_digest_disabled must be a dictionary mapping "
	    "IDs to boolean values", "map not an object");
	is_str(ns("{\"organization_member_join_email_disabled\":{\"a\":\"x\"}}",
	    NULL), "ERR:Notification setting values must be boolean, got "
	    "<class 'str'> instead", "map entry str");
	is_str(ns("{\"project_weekly_digest_disabled\":{\"a\":1}}", NULL),
	    "ERR:Notification setting values must be boolean, got "
	    "<class 'int'> instead", "map entry int");
	is_str(ns("{\"project_weekly_digest_disabled\":{\"a\":null}}", NULL),
	    "ERR:Notification setting values must be boolean, got "
	    "<class 'NoneType'> instead", "map entry null");
	is_str(ns("{\"project_weekly_digest_disabled\":{\"a\":1.5}}", NULL),
	    "ERR:Notification setting values must be boolean, got "
	    "<class 'float'> instead", "map entry float");
	is_str(ns("{\"data_pipeline_error_threshold\":\"0.5\"}", NULL),
	    "ERR:data_pipeline_error_threshold must be a number, got "
	    "<class 'str'> instead", "threshold string");
	is_str(ns("{\"data_pipeline_error_threshold\":null}", NULL),
	    "ERR:data_pipeline_error_threshold must be a number, got "
	    "<class 'NoneType'> instead", "threshold null");
	is_str(ns("{\"data_pipeline_error_threshold\":2}", NULL),
	    "ERR:data_pipeline_error_threshold must be between 0.0 and 1.0, "
	    "got 2", "threshold int out of range");
	is_str(ns("{\"data_pipeline_error_threshold\":-0.5}", NULL),
	    "ERR:data_pipeline_error_threshold must be between 0.0 and 1.0, "
	    "got -0.5", "threshold float out of range");
	is_str(ns("{\"plugin_disabled\":\"yes\"}", NULL),
	    "ERR:yes is not a valid type for notification settings, should be "
	    "<class 'bool'>", "bool key: str");
	is_str(ns("{\"plugin_disabled\":1}", NULL),
	    "ERR:1 is not a valid type for notification settings, should be "
	    "<class 'bool'>", "bool key: int");
	is_str(ns("{\"plugin_disabled\":null}", NULL),
	    "ERR:None is not a valid type for notification settings, should "
	    "be <class 'bool'>", "bool key: null");
	is_str(ns("{\"plugin_disabled\":[1,2]}", NULL),
	    "ERR:[1, 2] is not a valid type for notification settings, should "
	    "be <class 'bool'>", "bool key: list");
	is_str(ns("{\"plugin_disabled\":{\"a\":1}}", NULL),
	    "ERR:{'a': 1} is not a valid type for notification settings, "
	    "should be <class 'bool'>", "bool key: dict");
}

int
main(void)
{
	A = arena_new();
	test_strings();
	test_bools();
	test_choices();
	test_email();
	test_pk_strip();
	test_notifications();
	arena_free(A);
	return done_testing();
}
