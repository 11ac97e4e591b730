/*
 * uuid -- UUIDv7 generation and lenient UUID parsing.
 *
 * UUIDv7 layout (RFC 9562 section 5.7): 48-bit big-endian Unix time in
 * milliseconds, 4-bit version (7), 12-bit rand_a, 2-bit variant (10),
 * 62-bit rand_b.  rand_a is used as a per-thread counter (RFC 9562
 * section 6.2, method 1): it starts at a random value below 2048 each
 * new millisecond and is incremented for every further UUID in the same
 * millisecond, so UUIDs from one thread sort in creation order.  When
 * the counter runs out, or the clock steps backwards, the timestamp
 * is advanced past the last one used instead of going back in time.
 * rand_b is always fresh random.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "crypto.h"
#include "util.h"
#include "uuid.h"

#define UUID_COUNTER_MAX 0xfff

struct uuid_clock {
	uint64_t	last_ms;
	unsigned int	counter;
};

static _Thread_local struct uuid_clock uuid_clock;

static uint64_t
now_ms(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_REALTIME, &ts) != 0)
		abort();
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static unsigned int
random_counter_start(void)
{
	unsigned char r[2];

	crypto_random(r, sizeof(r));
	/* Top bit clear leaves at least 2048 increments in the ms. */
	return ((unsigned int)r[0] << 8 | r[1]) & 0x7ff;
}

/* Pick (ms, counter) strictly greater than the previous pair. */
static void
uuid_next_stamp(uint64_t *ms, unsigned int *counter)
{
	struct uuid_clock *c = &uuid_clock;
	uint64_t now;

	now = now_ms();
	if (now > c->last_ms) {
		c->last_ms = now;
		c->counter = random_counter_start();
	} else if (c->counter < UUID_COUNTER_MAX) {
		c->counter++;
	} else {
		c->last_ms++;
		c->counter = random_counter_start();
	}
	*ms = c->last_ms & 0xffffffffffffULL;
	*counter = c->counter;
}

static void
uuid_format(const unsigned char b[16], char out[37])
{
	static const char hex[] = "0123456789abcdef";
	size_t i, o = 0;

	for (i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			out[o++] = '-';
		out[o++] = hex[b[i] >> 4];
		out[o++] = hex[b[i] & 0x0f];
	}
	out[o] = '\0';
}

void
uuid_v7(char out[37])
{
	unsigned char b[16];
	unsigned int counter;
	uint64_t ms;
	int i;

	uuid_next_stamp(&ms, &counter);
	crypto_random(b + 8, 8);
	for (i = 0; i < 6; i++)
		b[i] = (unsigned char)(ms >> (40 - 8 * i));
	b[6] = (unsigned char)(0x70 | (counter >> 8));
	b[7] = (unsigned char)(counter & 0xff);
	b[8] = (unsigned char)(0x80 | (b[8] & 0x3f));
	uuid_format(b, out);
}

/* Remove every occurrence of needle from s, in place (str.replace). */
static void
remove_all(char *s, const char *needle)
{
	size_t nlen = strlen(needle);
	char *r = s, *w = s;

	while (*r != '\0') {
		if (strncmp(r, needle, nlen) == 0) {
			r += nlen;
			continue;
		}
		*w++ = *r++;
	}
	*w = '\0';
}

/* Python: s.strip('{}').replace('-', '') as a view into s. */
static size_t
strip_braces_and_hyphens(char *s, char **start)
{
	size_t len;

	while (*s == '{' || *s == '}')
		s++;
	len = strlen(s);
	while (len > 0 && (s[len - 1] == '{' || s[len - 1] == '}'))
		len--;
	s[len] = '\0';
	remove_all(s, "-");
	*start = s;
	return strlen(s);
}

bool
uuid_parse(const char *in, char out[37])
{
	unsigned char b[16];
	char *copy, *hex;
	bool ok = false;
	int hi, lo;
	size_t i;

	if (in == NULL)
		return false;
	copy = xstrdup(in);
	/* Same order as CPython: urn: first, then uuid:. */
	remove_all(copy, "urn:");
	remove_all(copy, "uuid:");
	if (strip_braces_and_hyphens(copy, &hex) != 32)
		goto out;
	for (i = 0; i < 16; i++) {
		hi = hex_digit_value(hex[2 * i]);
		lo = hex_digit_value(hex[2 * i + 1]);
		if (hi < 0 || lo < 0)
			goto out;
		b[i] = (unsigned char)(hi << 4 | lo);
	}
	uuid_format(b, out);
	ok = true;
out:
	free(copy);
	return ok;
}

bool
uuid_is_canonical(const char *s)
{
	size_t i;

	if (s == NULL)
		return false;
	for (i = 0; i < UUID_STR_LEN; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return false;
		} else if (!((s[i] >= '0' && s[i] <= '9') ||
		    (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	}
	return s[UUID_STR_LEN] == '\0';
}
