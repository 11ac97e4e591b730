#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"

static int test_count, fail_count, planned = -1;

void
plan(int n)
{
	planned = n;
	printf("1..%d\n", n);
}

static int
vreport(int cond, const char *fmt, va_list ap)
{
	test_count++;
	if (!cond)
		fail_count++;
	printf("%sok %d - ", cond ? "" : "not ", test_count);
	vprintf(fmt, ap);
	putchar('\n');
	fflush(stdout);
	return cond;
}

int
ok(int cond, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(cond, fmt, ap);
	va_end(ap);
	return cond;
}

int
is_int(long long got, long long want, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(got == want, fmt, ap);
	va_end(ap);
	if (got != want)
		diag("got %lld, want %lld", got, want);
	return got == want;
}

int
is_str(const char *got, const char *want, const char *fmt, ...)
{
	va_list ap;
	int same;

	same = (got == NULL && want == NULL) ||
	    (got != NULL && want != NULL && strcmp(got, want) == 0);
	va_start(ap, fmt);
	vreport(same, fmt, ap);
	va_end(ap);
	if (!same) {
		diag("got:  %s", got ? got : "(null)");
		diag("want: %s", want ? want : "(null)");
	}
	return same;
}

void
diag(const char *fmt, ...)
{
	va_list ap;

	fputs("# ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

void
bail_out(const char *fmt, ...)
{
	va_list ap;

	fputs("Bail out! ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	exit(255);
}

int
done_testing(void)
{
	if (planned < 0)
		printf("1..%d\n", test_count);
	else if (planned != test_count) {
		diag("planned %d tests but ran %d", planned, test_count);
		return 255;
	}
	return fail_count > 255 ? 255 : fail_count;
}
