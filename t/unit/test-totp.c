/*
 * test-totp -- RFC 4226 / RFC 6238 vectors, verification window, replay
 * guard, drift and code parsing.
 */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "totp.h"
#include "../tap.h"

static const unsigned char rfc_key[] = "12345678901234567890";
#define RFC_KEYLEN 20

static void
test_rfc4226(void)
{
	static const unsigned int want[10] = {
		755224, 287082, 359152, 969429, 338314,
		254676, 287922, 162583, 399871, 520489
	};
	uint64_t c;

	for (c = 0; c < 10; c++)
		is_int(hotp(rfc_key, RFC_KEYLEN, c, 6), want[c],
		    "RFC 4226 HOTP counter %llu", (unsigned long long)c);
}

static void
test_rfc6238(void)
{
	static const struct {
		long long	t;
		unsigned int	code;
	} v[] = {
		{ 59, 94287082 },
		{ 1111111109, 7081804 },
		{ 1111111111, 14050471 },
		{ 1234567890, 89005924 },
		{ 2000000000, 69279037 },
		{ 20000000000LL, 65353130 },
	};
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		is_int(hotp(rfc_key, RFC_KEYLEN, (uint64_t)(v[i].t / 30), 8),
		    v[i].code, "RFC 6238 SHA-1 T=%lld, 8 digits", v[i].t);
		is_int(totp_at(rfc_key, RFC_KEYLEN, v[i].t),
		    v[i].code % 1000000, "totp_at T=%lld, 6 digits", v[i].t);
	}
	is_int(totp_at(rfc_key, RFC_KEYLEN, 89), 359152,
	    "totp_at: 89 s is step 2 (30 s steps from t0 = 0)");
	is_int(totp_at(rfc_key, RFC_KEYLEN, 60), 359152,
	    "totp_at: 60 s starts step 2");
}

static void
test_verify(void)
{
	const int64_t now = 1111111111;	/* step 37037037 */
	const int64_t t = now / 30;
	int64_t step;
	uint32_t code;
	int off;

	code = totp_at(rfc_key, RFC_KEYLEN, now);
	ok(totp_verify(rfc_key, RFC_KEYLEN, code, now, 0, 1, -1, &step, &off),
	    "current code accepted");
	ok(step == t && off == 0, "matched current step, offset 0");

	code = hotp(rfc_key, RFC_KEYLEN, (uint64_t)(t - 1), 6);
	ok(totp_verify(rfc_key, RFC_KEYLEN, code, now, 0, 1, -1, &step, &off) &&
	    step == t - 1 && off == -1, "previous step accepted, offset -1");
	code = hotp(rfc_key, RFC_KEYLEN, (uint64_t)(t + 1), 6);
	ok(totp_verify(rfc_key, RFC_KEYLEN, code, now, 0, 1, -1, &step, &off) &&
	    step == t + 1 && off == 1, "next step accepted, offset +1");
	code = hotp(rfc_key, RFC_KEYLEN, (uint64_t)(t + 2), 6);
	ok(!totp_verify(rfc_key, RFC_KEYLEN, code, now, 0, 1, -1, &step, &off),
	    "two steps ahead refused with tolerance 1");
	code = hotp(rfc_key, RFC_KEYLEN, (uint64_t)(t - 2), 6);
	ok(!totp_verify(rfc_key, RFC_KEYLEN, code, now, 0, 1, -1, &step, &off),
	    "two steps behind refused with tolerance 1");
	code = hotp(rfc_key, RFC_KEYLEN, (uint64_t)(t + 1), 6);
	ok(!totp_verify(rfc_key, RFC_KEYLEN, code, now, 0, 0, -1, &step, &off),
	    "next step refused with tolerance 0");

	/* replay guard */
	code = totp_at(rfc_key, RFC_KEYLEN, now);
	ok(!totp_verify(rfc_key, RFC_KEYLEN, code, now, 0, 1, t, &step, &off),
	    "code of the last accepted step refused (replay)");
	code = hotp(rfc_key, RFC_KEYLEN, (uint64_t)(t - 1), 6);
	ok(!totp_verify(rfc_key, RFC_KEYLEN, code, now, 0, 1, t, &step, &off),
	    "code older than the last accepted step refused");
	code = hotp(rfc_key, RFC_KEYLEN, (uint64_t)(t + 1), 6);
	ok(totp_verify(rfc_key, RFC_KEYLEN, code, now, 0, 1, t, &step, &off) &&
	    step == t + 1, "newer step accepted after the last one");

	/* drift moves the window */
	code = hotp(rfc_key, RFC_KEYLEN, (uint64_t)(t + 3), 6);
	ok(totp_verify(rfc_key, RFC_KEYLEN, code, now, 2, 1, -1, &step, &off) &&
	    step == t + 3 && off == 3, "drift 2: step T+3 accepted, offset 3");
	code = totp_at(rfc_key, RFC_KEYLEN, now);
	ok(!totp_verify(rfc_key, RFC_KEYLEN, code, now, 2, 1, -1, &step, &off),
	    "drift 2: current step outside the window");
	code = hotp(rfc_key, RFC_KEYLEN, (uint64_t)(t - 1), 6);
	ok(totp_verify(rfc_key, RFC_KEYLEN, code, now, -1, 1, -1, NULL, &off) &&
	    off == -1, "drift -1: previous step is the centre");

	code = (totp_at(rfc_key, RFC_KEYLEN, now) + 1) % 1000000;
	ok(!totp_verify(rfc_key, RFC_KEYLEN, code, now, 0, 1, -1, NULL, NULL),
	    "wrong code refused");
	ok(totp_verify(rfc_key, RFC_KEYLEN, 287082, 89, 0, 1, -1, &step,
	    &off) && step == 1 && off == -1, "step 1 code accepted at 89 s");
	ok(!totp_verify(rfc_key, RFC_KEYLEN, 755224, 89, 0, 1, -1, NULL, NULL),
	    "step 0 code refused at 89 s");
	code = totp_at(rfc_key, RFC_KEYLEN, now);
	ok(!totp_verify(rfc_key, RFC_KEYLEN, code, now, 0, -1, -1, NULL, NULL),
	    "negative tolerance refused");
	ok(!totp_verify(rfc_key, RFC_KEYLEN, code, now, INT_MAX, 2, -1, NULL,
	    NULL), "extreme drift handled without overflow");
	ok(!totp_verify(rfc_key, RFC_KEYLEN, code, now, INT_MIN, 2, -1, NULL,
	    NULL), "extreme negative drift handled without overflow");
}

/* Printable form of s for test names (control characters escaped). */
static const char *
visible(const char *s)
{
	static char out[128];
	size_t o = 0;

	for (; *s != '\0' && o + 5 < sizeof(out); s++) {
		if (*s == '\t' || *s == '\n')
			o += (size_t)snprintf(out + o, sizeof(out) - o, "\\%c",
			    *s == '\t' ? 't' : 'n');
		else
			out[o++] = *s;
	}
	out[o] = '\0';
	return out;
}

static void
test_parse(void)
{
	static const struct {
		const char	*in;
		bool		 dot_zero;
		bool		 ok;
		unsigned int	 code;
	} v[] = {
		{ "123456", false, true, 123456 },
		{ " 123456 ", false, true, 123456 },
		{ "\t123456\n", false, true, 123456 },
		{ "+123456", false, true, 123456 },
		{ "012345", false, true, 12345 },
		{ "0000000000012345", false, true, 12345 },
		{ "42", false, true, 42 },
		{ "0", false, true, 0 },
		{ "-0", false, true, 0 },
		{ "999999", false, true, 999999 },
		{ "123_456", false, true, 123456 },
		{ "123456.0", false, false, 0 },
		{ "123456.0", true, true, 123456 },
		{ " 123456.0 ", true, true, 123456 },
		{ "123456.00", true, false, 0 },
		{ "123456.", true, false, 0 },
		{ "123456.5", true, false, 0 },
		{ ".0", true, false, 0 },
		{ "12a", false, false, 0 },
		{ "-1", false, false, 0 },
		{ "1000000", false, false, 0 },
		{ "99999999999999999999", false, false, 0 },
		{ "", false, false, 0 },
		{ "   ", false, false, 0 },
		{ "+", false, false, 0 },
		{ "++1", false, false, 0 },
		{ "1 2", false, false, 0 },
		{ "_123", false, false, 0 },
		{ "123_", false, false, 0 },
		{ "1__23", false, false, 0 },
		{ "0x10", false, false, 0 },
		{ "1e5", false, false, 0 },
	};
	uint32_t code;
	size_t i;
	bool r;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		code = 4242;
		r = totp_parse_code(v[i].in, v[i].dot_zero, &code);
		if (v[i].ok)
			ok(r && code == v[i].code, "parse \"%s\"%s -> %u",
			    visible(v[i].in), v[i].dot_zero ? " (.0 allowed)" : "",
			    v[i].code);
		else
			ok(!r, "parse \"%s\"%s refused", visible(v[i].in),
			    v[i].dot_zero ? " (.0 allowed)" : "");
	}
	ok(!totp_parse_code(NULL, true, &code), "parse NULL refused");
}

int
main(void)
{
	test_rfc4226();
	test_rfc6238();
	test_verify();
	test_parse();
	return done_testing();
}
