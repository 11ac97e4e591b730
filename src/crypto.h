/*
 * crypto -- thin wrappers over OpenSSL for what prickle needs.
 * All output buffers are caller-owned with the sizes given.
 */
#ifndef CRYPTO_H
#define CRYPTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Fill buf with cryptographically secure random bytes; aborts on failure. */
void crypto_random(void *buf, size_t len);
/* Constant-time equality of two byte strings of the same length. */
bool crypto_eq(const void *a, const void *b, size_t len);
/* Constant-time equality of two C strings (length leak only). */
bool crypto_streq(const char *a, const char *b);

/* SHA-256 of data as 64 lowercase hex chars + NUL (out[65]). */
void crypto_sha256_hex(const void *data, size_t len, char out[65]);
/* HMAC-SHA256 (out[32]) and HMAC-SHA1 (out[20]). */
void crypto_hmac_sha256(const void *key, size_t keylen, const void *data,
    size_t len, unsigned char out[32]);
void crypto_hmac_sha1(const void *key, size_t keylen, const void *data,
    size_t len, unsigned char out[20]);

/* Hex encode (out has 2*len+1) / decode (returns bytes or -1). */
void crypto_hex(const void *data, size_t len, char *out);
int crypto_unhex(const char *hex, unsigned char *out, size_t outsz);

/* Standard base64 with padding (out has 4*((len+2)/3)+1). */
void crypto_base64(const void *data, size_t len, char *out);

/* RFC 4648 base32, upper case, no padding (out has (len*8+4)/5+1). */
void crypto_base32(const void *data, size_t len, char *out);
/* Decode base32 (case-insensitive, padding optional): bytes or -1. */
int crypto_unbase32(const char *s, unsigned char *out, size_t outsz);

/*
 * Random string of n chars from [A-Za-z0-9] (Django's get_random_string),
 * out has n+1.
 */
void crypto_random_alnum(char *out, size_t n);
/*
 * Base62 (digits, then A-Z, then a-z) of a big-endian byte string, leading
 * zero digits dropped; out must hold 2*len+1.
 */
void crypto_base62(const unsigned char *data, size_t len, char *out);

/*
 * AES-256-GCM with a 32-byte key.  seal: out = 12-byte nonce || ciphertext
 * || 16-byte tag (outsz >= len+28), returns bytes written or -1.
 * open: returns plaintext length or -1 when authentication fails.
 */
int crypto_seal(const unsigned char key[32], const void *plain, size_t len,
    unsigned char *out, size_t outsz);
int crypto_open(const unsigned char key[32], const unsigned char *in,
    size_t len, unsigned char *out, size_t outsz);

/* Derive a 32-byte subkey from the config secret for a named purpose. */
void crypto_derive_key(const char *secret, const char *purpose,
    unsigned char out[32]);

#endif
