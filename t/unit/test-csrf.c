/*
 * test-csrf -- Django's CSRF token format, masking and every failure
 * reason of the check (spec 2.2.3), on requests built in memory.
 */
#include <string.h>

#include "arena.h"
#include "csrf.h"
#include "http.h"
#include "tap.h"

/* Django's own test vectors (tests/csrf_tests). */
#define TEST_SECRET	"lcccccccX2kcccccccY2jcccccccssIC"
#define MASKED1	"1bcdefghij2bcdefghij3bcdefghij4bcdefghij5bcdefghij6bcdefghijABCD"
#define MASKED2	"2JgchWvM1tpxT2lfz9aydoXW9yT1DN3NdLiejYxOOlzzV4nhBbYqmqZYbAV3V5Bf"
#define OTHER_SECRET	"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"

static void
test_format(void)
{
	ok(csrf_token_format(TEST_SECRET) == NULL, "32 alphanumerics: ok");
	ok(csrf_token_format(MASKED1) == NULL, "64 alphanumerics: ok");
	is_str(csrf_token_format(""), "has incorrect length", "empty token");
	is_str(csrf_token_format("abc"), "has incorrect length", "3 chars");
	is_str(csrf_token_format(TEST_SECRET "x"), "has incorrect length",
	    "33 chars");
	is_str(csrf_token_format("lcccccccX2kcccccccY2jcccccccssI-"),
	    "has invalid characters", "a '-' in 32 chars");
	is_str(csrf_token_format("lcccccccX2kcccccccY2jcccccccssI\xc3"),
	    "has invalid characters", "a non-ASCII byte");
}

static void
test_mask(void)
{
	char out[65], plain[33], again[65];

	csrf_unmask(MASKED1, plain);
	is_str(plain, TEST_SECRET, "unmask Django vector 1");
	csrf_unmask(MASKED2, plain);
	is_str(plain, TEST_SECRET, "unmask Django vector 2");
	csrf_mask_with(TEST_SECRET, "1bcdefghij2bcdefghij3bcdefghij4b", out);
	is_str(out, MASKED1, "mask with a known mask gives Django's token");
	csrf_mask(TEST_SECRET, out);
	ok(strlen(out) == 64 && csrf_token_format(out) == NULL,
	    "a random mask gives a well-formed 64-char token");
	csrf_mask(TEST_SECRET, again);
	ok(strcmp(out, again) != 0, "two maskings differ");
	csrf_unmask(out, plain);
	is_str(plain, TEST_SECRET, "mask then unmask round-trips");
	ok(csrf_token_matches(TEST_SECRET, TEST_SECRET), "plain token matches");
	ok(csrf_token_matches(MASKED2, TEST_SECRET), "masked token matches");
	ok(!csrf_token_matches(OTHER_SECRET, TEST_SECRET),
	    "other plain token does not match");
	ok(!csrf_token_matches("2JgchWvM1tpxT2lfz9aydoXW9yT1DN3NdLiejYxOOlzzV4nh"
	    "BbYqmqZYbAV3V5Bg", TEST_SECRET), "one changed char: no match");
}

/*
 * Run the check on an https POST to app.example.com with these extra
 * parameters.
 */
static const char *
reason_for(struct arena *a, const char *trusted, const char *form,
    const char *k1, const char *v1, const char *k2, const char *v2,
    const char *k3, const char *v3)
{
	struct kv params[12];
	struct req *r;
	size_t n = 0;

	params[n++] = (struct kv){ "REQUEST_METHOD", "POST" };
	params[n++] = (struct kv){ "DOCUMENT_URI", "/api/logout/" };
	params[n++] = (struct kv){ "HTTP_HOST", "app.example.com" };
	params[n++] = (struct kv){ "SERVER_PORT", "443" };
	params[n++] = (struct kv){ "HTTPS", "on" };
	if (k1 != NULL)
		params[n++] = (struct kv){ k1, v1 };
	if (k2 != NULL)
		params[n++] = (struct kv){ k2, v2 };
	if (k3 != NULL)
		params[n++] = (struct kv){ k3, v3 };
	r = arena_alloc(a, sizeof(*r));
	req_init(r, a, params, n, NULL, 0);
	return csrf_reason(a, r, trusted, form);
}

#define GOOD_REF "HTTP_REFERER", "https://app.example.com/x"
#define COOKIE(v) "HTTP_COOKIE", "posthog_csrftoken=" v
#define HDR(v) "HTTP_X_CSRFTOKEN", v

static void
test_origin_referer(struct arena *a)
{
	const char *r;

	r = reason_for(a, NULL, NULL, "HTTP_ORIGIN", "https://evil.example",
	    COOKIE(TEST_SECRET), HDR(TEST_SECRET));
	is_str(r, "Origin checking failed - https://evil.example does not "
	    "match any trusted origins.", "foreign Origin");
	r = reason_for(a, NULL, NULL, "HTTP_ORIGIN", "http://app.example.com",
	    COOKIE(TEST_SECRET), HDR(TEST_SECRET));
	is_str(r, "Origin checking failed - http://app.example.com does not "
	    "match any trusted origins.", "Origin with the wrong scheme");
	r = reason_for(a, NULL, NULL, "HTTP_ORIGIN", "https://app.example.com",
	    COOKIE(TEST_SECRET), HDR(TEST_SECRET));
	ok(r == NULL, "own Origin passes (no Referer needed)");
	r = reason_for(a, "https://other.example https://*.trusted.example",
	    NULL, "HTTP_ORIGIN", "https://a.trusted.example",
	    COOKIE(TEST_SECRET), HDR(TEST_SECRET));
	ok(r == NULL, "wildcard trusted origin passes");
	r = reason_for(a, "https://other.example", NULL, "HTTP_ORIGIN",
	    "https://other.example", COOKIE(TEST_SECRET), HDR(TEST_SECRET));
	ok(r == NULL, "exact trusted origin passes");

	r = reason_for(a, NULL, NULL, COOKIE(TEST_SECRET), HDR(TEST_SECRET),
	    NULL, NULL);
	is_str(r, "Referer checking failed - no Referer.", "no Referer");
	r = reason_for(a, NULL, NULL, "HTTP_REFERER", "app.example.com/x",
	    COOKIE(TEST_SECRET), HDR(TEST_SECRET));
	is_str(r, "Referer checking failed - Referer is malformed.",
	    "Referer without a scheme");
	r = reason_for(a, NULL, NULL, "HTTP_REFERER", "https://[::1/",
	    COOKIE(TEST_SECRET), HDR(TEST_SECRET));
	is_str(r, "Referer checking failed - Referer is malformed.",
	    "Referer with a broken IPv6 literal");
	r = reason_for(a, NULL, NULL, "HTTP_REFERER", "http://app.example.com/",
	    COOKIE(TEST_SECRET), HDR(TEST_SECRET));
	is_str(r, "Referer checking failed - Referer is insecure while host is "
	    "secure.", "http Referer");
	r = reason_for(a, NULL, NULL, "HTTP_REFERER", "https://evil.example/p",
	    COOKIE(TEST_SECRET), HDR(TEST_SECRET));
	is_str(r, "Referer checking failed - https://evil.example/p does not "
	    "match any trusted origins.", "foreign Referer");
	r = reason_for(a, "https://*.example.org", NULL, "HTTP_REFERER",
	    "https://x.example.org/p", COOKIE(TEST_SECRET), HDR(TEST_SECRET));
	ok(r == NULL, "Referer of a trusted subdomain passes");
	r = reason_for(a, NULL, NULL, GOOD_REF, COOKIE(TEST_SECRET),
	    HDR(TEST_SECRET));
	ok(r == NULL, "same-host Referer passes");
}

static void
test_tokens(struct arena *a)
{
	const char *r;

	r = reason_for(a, NULL, NULL, GOOD_REF, HDR(TEST_SECRET), NULL, NULL);
	is_str(r, "CSRF cookie not set.", "no cookie");
	r = reason_for(a, NULL, NULL, GOOD_REF, COOKIE("short"),
	    HDR(TEST_SECRET));
	is_str(r, "CSRF cookie has incorrect length.", "short cookie");
	r = reason_for(a, NULL, NULL, GOOD_REF,
	    COOKIE("lcccccccX2kcccccccY2jcccccccss!C"), HDR(TEST_SECRET));
	is_str(r, "CSRF cookie has invalid characters.", "bad cookie chars");
	r = reason_for(a, NULL, NULL, GOOD_REF, COOKIE(TEST_SECRET), NULL,
	    NULL);
	is_str(r, "CSRF token missing.", "no header");
	r = reason_for(a, NULL, NULL, GOOD_REF, COOKIE(TEST_SECRET), HDR(""));
	is_str(r, "CSRF token from the 'X-Csrftoken' HTTP header has incorrect "
	    "length.", "empty header");
	r = reason_for(a, NULL, NULL, GOOD_REF, COOKIE(TEST_SECRET),
	    HDR("lcccccccX2kcccccccY2jcccccccss C"));
	is_str(r, "CSRF token from the 'X-Csrftoken' HTTP header has invalid "
	    "characters.", "bad header chars");
	r = reason_for(a, NULL, NULL, GOOD_REF, COOKIE(TEST_SECRET),
	    HDR(OTHER_SECRET));
	is_str(r, "CSRF token from the 'X-Csrftoken' HTTP header incorrect.",
	    "wrong header token");
	r = reason_for(a, NULL, NULL, GOOD_REF, COOKIE(TEST_SECRET),
	    HDR(MASKED1));
	ok(r == NULL, "masked header token passes");
	r = reason_for(a, NULL, NULL, GOOD_REF, COOKIE(MASKED2), HDR(MASKED1));
	ok(r == NULL, "masked cookie and masked header pass");
	r = reason_for(a, NULL, OTHER_SECRET, GOOD_REF, COOKIE(TEST_SECRET),
	    HDR(TEST_SECRET));
	is_str(r, "CSRF token from POST incorrect.",
	    "a form token is used before the header");
	r = reason_for(a, NULL, "x", GOOD_REF, COOKIE(TEST_SECRET),
	    HDR(TEST_SECRET));
	is_str(r, "CSRF token from POST has incorrect length.",
	    "malformed form token");
	r = reason_for(a, NULL, TEST_SECRET, GOOD_REF, COOKIE(TEST_SECRET),
	    NULL, NULL);
	ok(r == NULL, "form token alone passes");
	r = reason_for(a, NULL, "", GOOD_REF, COOKIE(TEST_SECRET),
	    HDR(TEST_SECRET));
	ok(r == NULL, "an empty form token falls back to the header");
}

static void
test_plain_http(struct arena *a)
{
	static const struct kv params[] = {
		{ "REQUEST_METHOD", "DELETE" },
		{ "HTTP_HOST", "app.example.com" },
		{ "HTTP_COOKIE", "posthog_csrftoken=" TEST_SECRET },
		{ "HTTP_X_CSRFTOKEN", TEST_SECRET },
	};
	struct req r;

	req_init(&r, a, params, 4, NULL, 0);
	ok(csrf_reason(a, &r, NULL, NULL) == NULL,
	    "plain http: no Referer needed");
}

int
main(void)
{
	struct arena *a;

	a = arena_new();
	test_format();
	test_mask();
	test_origin_referer(a);
	test_tokens(a);
	test_plain_http(a);
	arena_free(a);
	return done_testing();
}
