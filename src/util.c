/*
 * util -- allocation wrappers and small string helpers.
 *
 * The x*alloc() family never returns NULL: on exhaustion it prints a
 * message and aborts.  A worker that cannot allocate dies and is
 * respawned, which is simpler and safer than half-handled OOM paths.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

static void __attribute__((noreturn))
oom(size_t size)
{
	fprintf(stderr, "prickle: out of memory (%zu bytes)\n", size);
	abort();
}

void *
xmalloc(size_t size)
{
	void *p;

	/* malloc(0) may return NULL legitimately; always ask for a byte. */
	if ((p = malloc(size ? size : 1)) == NULL)
		oom(size);
	return p;
}

void *
xcalloc(size_t nmemb, size_t size)
{
	void *p;

	if (nmemb == 0 || size == 0)
		nmemb = size = 1;
	if ((p = calloc(nmemb, size)) == NULL)
		oom(nmemb * size);
	return p;
}

void *
xrealloc(void *ptr, size_t size)
{
	void *p;

	if ((p = realloc(ptr, size ? size : 1)) == NULL)
		oom(size);
	return p;
}

char *
xstrdup(const char *s)
{
	size_t len;
	char *p;

	len = strlen(s) + 1;
	p = xmalloc(len);
	memcpy(p, s, len);
	return p;
}

/*
 * The whole string must be an optionally signed decimal number: no
 * leading or trailing whitespace, no empty digit string.
 */
bool
str_to_ll(const char *s, long long *out)
{
	const char *p;
	char *end;
	long long v;

	if (s == NULL)
		return false;
	p = s;
	if (*p == '+' || *p == '-')
		p++;
	if (*p < '0' || *p > '9')
		return false;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0')
		return false;
	*out = v;
	return true;
}

static int
ascii_lower(int c)
{
	return (c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c;
}

bool
str_ieq(const char *a, const char *b)
{
	for (; *a != '\0' && *b != '\0'; a++, b++)
		if (ascii_lower((unsigned char)*a) !=
		    ascii_lower((unsigned char)*b))
			return false;
	return *a == *b;
}

void
str_lower(char *s)
{
	for (; *s != '\0'; s++)
		*s = (char)ascii_lower((unsigned char)*s);
}

/*
 * Python's int(str): surrounding whitespace, an optional sign, ASCII
 * digits with single underscores between them.  False on anything else
 * or on overflow.
 */
bool
py_int(const char *s, long long *out)
{
	const char *p, *end;
	unsigned long long v;
	bool neg, digit_before;

	for (p = s; isspace((unsigned char)*p); p++)
		;
	end = p + strlen(p);
	while (end > p && isspace((unsigned char)end[-1]))
		end--;
	neg = false;
	if (p < end && (*p == '+' || *p == '-'))
		neg = *p++ == '-';
	if (p == end)
		return false;
	v = 0;
	digit_before = false;
	for (; p < end; p++) {
		if (*p == '_' && digit_before && p + 1 < end &&
		    isdigit((unsigned char)p[1])) {
			digit_before = false;
			continue;
		}
		if (!isdigit((unsigned char)*p))
			return false;
		if (v > (unsigned long long)LLONG_MAX / 10)
			return false;
		v = v * 10 + (unsigned long long)(*p - '0');
		if (v > (unsigned long long)LLONG_MAX)
			return false;
		digit_before = true;
	}
	*out = neg ? -(long long)v : (long long)v;
	return true;
}

int
hex_digit_value(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}
