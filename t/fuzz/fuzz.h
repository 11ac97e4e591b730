/*
 * fuzz.h -- small helpers shared by the libFuzzer targets in t/fuzz/.
 *
 * Each target links the real libprickle objects (built with clang and
 * -fsanitize=fuzzer-no-link,address,undefined by t/fuzz/run.sh) and
 * exercises one parser with arbitrary bytes.  Everything a target
 * allocates is released before it returns, so LeakSanitizer reports real
 * leaks only.
 */
#ifndef FUZZ_H
#define FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);
int LLVMFuzzerInitialize(int *, char ***);

/* A NUL-terminated heap copy of n bytes. */
static inline char *
fuzz_copy(const uint8_t *p, size_t n)
{
	char	*s = malloc(n + 1);

	if (s == NULL)
		abort();
	memcpy(s, p, n);
	s[n] = '\0';
	return s;
}

/*
 * Split the input at NUL bytes into at most max (>= 1) fields, each a
 * NUL-terminated heap copy (a C string cannot hold a NUL anyway, just as
 * a CGI/FastCGI parameter cannot once libfcgi has stored it).  The last
 * field keeps the rest of the input, NULs included, with its length in
 * *restlen.  Returns the number of fields; free with fuzz_free_fields().
 */
static inline size_t
fuzz_fields(const uint8_t *data, size_t size, char **out, size_t max,
    size_t *restlen)
{
	size_t	 n = 0, start = 0, i;

	for (i = 0; i < size && n + 1 < max; i++) {
		if (data[i] != '\0')
			continue;
		out[n++] = fuzz_copy(data + start, i - start);
		start = i + 1;
	}
	out[n++] = fuzz_copy(data + start, size - start);
	*restlen = size - start;
	return n;
}

static inline void
fuzz_free_fields(char **f, size_t n)
{
	while (n > 0)
		free(f[--n]);
}

#endif
