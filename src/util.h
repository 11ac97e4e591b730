/*
 * util -- allocation wrappers that abort on OOM, small string helpers.
 */
#ifndef UTIL_H
#define UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

void *xmalloc(size_t);
void *xcalloc(size_t, size_t);
void *xrealloc(void *, size_t);
char *xstrdup(const char *);

/* Parse a whole decimal integer (optional sign); false on junk/overflow. */
bool str_to_ll(const char *, long long *);
/* Python's int(str) for ASCII input (whitespace, sign, '_' separators). */
bool py_int(const char *, long long *);
/* Value of one hex digit (either case), -1 if c is not one. */
int hex_digit_value(int c);
/* Case-insensitive ASCII equality. */
bool str_ieq(const char *, const char *);
/* Lowercase ASCII copy in place. */
void str_lower(char *);

#endif
