/*
 * totp -- RFC 4226 HOTP / RFC 6238 TOTP (HMAC-SHA1, 6 digits).
 */
#ifndef TOTP_H
#define TOTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* HOTP value (0..10^digits-1) for a counter. */
uint32_t hotp(const unsigned char *key, size_t keylen, uint64_t counter,
    int digits);
/* TOTP value at UNIX time t with step 30, t0 0, 6 digits. */
uint32_t totp_at(const unsigned char *key, size_t keylen, int64_t t);

/*
 * Verify code against key for steps T+drift-tolerance .. T+drift+tolerance
 * (T = floor(now/30)), accepting only steps > last_t.  On success sets
 * *matched_step and *matched_offset (step - T) and returns true.
 */
bool totp_verify(const unsigned char *key, size_t keylen, uint32_t code,
    int64_t now, int drift, int tolerance, int64_t last_t,
    int64_t *matched_step, int *matched_offset);

/*
 * Parse a user-supplied code with Python int() semantics (surrounding
 * whitespace, optional '+', digits only; optional trailing ".0" when
 * allow_dot_zero).  Returns false when it is not an integer in 0..999999.
 */
bool totp_parse_code(const char *s, bool allow_dot_zero, uint32_t *code);

#endif
