/*
 * throttle -- rate limits and failure counters shared by every worker
 * (stored in MariaDB, so all workers and a restarted pool see the same
 * state).  Keys are free-form strings within a scope ("password", user
 * id; "login", client address).
 */
#ifndef THROTTLE_H
#define THROTTLE_H

#include <stdbool.h>

#include "prickle.h"

struct arena;
struct db;

/*
 * DRF's SimpleRateThrottle: allow at most `rate` requests per sliding
 * `seconds` window.  An allowed request is recorded (*allowed = true);
 * a refused one is not, and *wait receives DRF's wait in whole seconds
 * (rounded up).  Safe under concurrent calls for the same key.
 */
enum prk_err throttle_allow(struct db *, struct arena *, const char *scope,
    const char *key, int rate, int seconds, bool *allowed, int *wait);

/* Failure counters (login lockout). */
enum prk_err throttle_record_failure(struct db *, struct arena *,
    const char *scope, const char *key);
/* Failures recorded for key within the last `seconds`. */
enum prk_err throttle_failures(struct db *, struct arena *,
    const char *scope, const char *key, int seconds, int *count);
enum prk_err throttle_clear(struct db *, struct arena *, const char *scope,
    const char *key);

#endif
