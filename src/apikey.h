/*
 * apikey -- personal API keys (spec §2.3.1): generation, the stored
 * hash ("sha256$<hex>"), the display mask and scope syntax.
 * All output buffers are caller-owned with the sizes given.
 */
#ifndef APIKEY_H
#define APIKEY_H

#include <stdbool.h>

#define APIKEY_MAX		64	/* "phx_" + <= 48 base62 chars + NUL */
#define APIKEY_SECURE_MAX	72	/* "sha256$" + 64 hex + NUL */
#define APIKEY_MASK_MAX		12	/* "phx_...a1b2" + NUL */

/* New key: "phx_" + base62 of 35 random bytes. */
void apikey_generate(char out[APIKEY_MAX]);
/* "sha256$" + lowercase hex SHA-256 of the whole key string. */
void apikey_secure_value(const char *key, char out[APIKEY_SECURE_MAX]);
/* First 4 chars + "..." + last 4 chars, e.g. "phx_...a1b2". */
void apikey_mask(const char *key, char out[APIKEY_MASK_MAX]);
/* A scope string: "*" or "<object>:read" / "<object>:write". */
bool apikey_scope_valid(const char *scope);

#endif
