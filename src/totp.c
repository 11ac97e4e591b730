/*
 * totp -- RFC 4226 HOTP and RFC 6238 TOTP with HMAC-SHA1, verified the
 * way django-otp's TOTPDevice does it (tolerance window around the
 * device drift, replay guard on the last accepted time step).
 */
#include <limits.h>
#include <stdint.h>

#include "crypto.h"
#include "totp.h"

#define TOTP_STEP	30
#define TOTP_DIGITS	6
#define TOTP_CODE_MAX	999999

/*
 * 10^digits for 1..9.  The truncated value is below 2^31 < 10^10, so
 * for 10 or more digits no reduction is needed; 0 or fewer digits leave
 * only the value 0.
 */
static uint32_t
hotp_modulus(int digits)
{
	uint32_t m = 1;

	if (digits >= 10)
		return 0;
	while (digits-- > 0)
		m *= 10;
	return m;
}

uint32_t
hotp(const unsigned char *key, size_t keylen, uint64_t counter, int digits)
{
	unsigned char msg[8], mac[20];
	uint32_t bin, mod;
	int i, off;

	for (i = 7; i >= 0; i--) {
		msg[i] = (unsigned char)(counter & 0xff);
		counter >>= 8;
	}
	crypto_hmac_sha1(key, keylen, msg, sizeof(msg), mac);
	/* RFC 4226 5.3 dynamic truncation */
	off = mac[19] & 0x0f;
	bin = (uint32_t)(mac[off] & 0x7f) << 24 |
	    (uint32_t)mac[off + 1] << 16 |
	    (uint32_t)mac[off + 2] << 8 |
	    (uint32_t)mac[off + 3];
	mod = hotp_modulus(digits);
	return mod == 0 ? bin : bin % mod;
}

/* floor(t / 30), also for times before the epoch. */
static int64_t
time_step(int64_t t)
{
	int64_t q = t / TOTP_STEP;

	if (t % TOTP_STEP != 0 && t < 0)
		q--;
	return q;
}

uint32_t
totp_at(const unsigned char *key, size_t keylen, int64_t t)
{
	return hotp(key, keylen, (uint64_t)time_step(t), TOTP_DIGITS);
}

/*
 * Offsets are tried from -tolerance upwards and the first match wins,
 * as in django-otp; steps at or below last_t are skipped, which makes
 * every accepted code single-use.  Arithmetic is done in 64 bits so no
 * drift/tolerance value can overflow.
 */
bool
totp_verify(const unsigned char *key, size_t keylen, uint32_t code,
    int64_t now, int drift, int tolerance, int64_t last_t,
    int64_t *matched_step, int *matched_offset)
{
	int64_t t, off, rel, step;

	if (tolerance < 0)
		return false;
	t = time_step(now);
	for (off = -(int64_t)tolerance; off <= tolerance; off++) {
		rel = drift + off;
		if (rel < INT_MIN || rel > INT_MAX)
			continue;
		step = t + rel;
		if (step <= last_t || step < 0)
			continue;
		if (hotp(key, keylen, (uint64_t)step, TOTP_DIGITS) != code)
			continue;
		if (matched_step != NULL)
			*matched_step = step;
		if (matched_offset != NULL)
			*matched_offset = (int)rel;
		return true;
	}
	return false;
}

/* Python's str.strip() whitespace, ASCII part. */
static bool
py_isspace(char c)
{
	return c == ' ' || (c >= '\t' && c <= '\r') ||
	    (c >= '\x1c' && c <= '\x1f');
}

/*
 * Digits with Python's optional single '_' between digits; returns the
 * position after them or NULL when there are none or an '_' is
 * misplaced.  *value saturates above TOTP_CODE_MAX.
 */
static const char *
parse_digits(const char *p, uint32_t *value)
{
	uint32_t v = 0;
	bool any = false;

	for (;;) {
		if (*p >= '0' && *p <= '9') {
			if (v <= TOTP_CODE_MAX)
				v = v * 10 + (uint32_t)(*p - '0');
			any = true;
			p++;
		} else if (*p == '_' && any && p[1] >= '0' && p[1] <= '9') {
			p++;
		} else
			break;
	}
	*value = v;
	return any ? p : NULL;
}

/*
 * Python int() semantics: surrounding whitespace, an optional sign,
 * decimal digits (with '_' separators); "-0" is 0 like in Python.  With
 * allow_dot_zero a single trailing ".0" is also tolerated (a JSON
 * number such as 123456.0).  Non-ASCII digits are not accepted.
 */
bool
totp_parse_code(const char *s, bool allow_dot_zero, uint32_t *code)
{
	bool negative = false;
	uint32_t v;

	if (s == NULL)
		return false;
	while (py_isspace(*s))
		s++;
	if (*s == '+' || *s == '-')
		negative = *s++ == '-';
	if ((s = parse_digits(s, &v)) == NULL)
		return false;
	if (allow_dot_zero && s[0] == '.' && s[1] == '0')
		s += 2;
	while (py_isspace(*s))
		s++;
	if (*s != '\0' || v > TOTP_CODE_MAX || (negative && v != 0))
		return false;
	*code = v;
	return true;
}
