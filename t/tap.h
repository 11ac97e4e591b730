/*
 * tap -- a tiny TAP producer for the C unit tests (redis testhelp style).
 * done_testing() prints the plan and returns the exit status (failures).
 */
#ifndef TAP_H
#define TAP_H

#include <stddef.h>

void plan(int n);
int ok(int cond, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int is_int(long long got, long long want, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int is_str(const char *got, const char *want, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void bail_out(const char *fmt, ...) __attribute__((format(printf, 1, 2),
    noreturn));
int done_testing(void);

#endif
