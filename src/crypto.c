/*
 * crypto -- thin wrappers over OpenSSL's libcrypto.
 *
 * All output buffers are caller-owned with the sizes documented in
 * crypto.h.  Failures of the primitives themselves (which only happen
 * on allocation failure or a broken library) abort: there is no useful
 * way for a request to continue without randomness or hashing.
 *
 * Key derivation (crypto_derive_key): subkey = HMAC-SHA256(key = the
 * configured secret, message = "prickle:" || purpose).  HMAC with a
 * high-entropy secret is a PRF, so distinct purposes give independent
 * keys; this is HKDF-Expand with a single block and no salt step, which
 * is sufficient because the secret is already uniformly random.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include "crypto.h"
#include "util.h"

#define GCM_NONCE_LEN	12
#define GCM_TAG_LEN	16
/* Largest multiple of 3 whose base64 length still fits in an int. */
#define B64_CHUNK	(INT_MAX / 4 / 3 * 3)

static const char hex_digits[] = "0123456789abcdef";
static const char base32_alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
static const char base62_alphabet[] =
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

static void __attribute__((noreturn))
crypto_fatal(const char *what)
{
	fprintf(stderr, "prickle: crypto: %s failed\n", what);
	abort();
}

void
crypto_random(void *buf, size_t len)
{
	unsigned char *p = buf;
	int chunk;

	/* RAND_bytes takes an int length. */
	while (len > 0) {
		chunk = len > INT_MAX ? INT_MAX : (int)len;
		if (RAND_bytes(p, chunk) != 1)
			crypto_fatal("RAND_bytes");
		p += chunk;
		len -= (size_t)chunk;
	}
}

bool
crypto_eq(const void *a, const void *b, size_t len)
{
	return CRYPTO_memcmp(a, b, len) == 0;
}

bool
crypto_streq(const char *a, const char *b)
{
	size_t alen, blen;

	alen = strlen(a);
	blen = strlen(b);
	if (alen != blen)
		return false;
	return CRYPTO_memcmp(a, b, alen) == 0;
}

void
crypto_sha256_hex(const void *data, size_t len, char out[65])
{
	unsigned char md[32];
	unsigned int mdlen = 0;

	if (EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL) != 1 ||
	    mdlen != sizeof(md))
		crypto_fatal("SHA-256");
	crypto_hex(md, sizeof(md), out);
}

static void
hmac(const EVP_MD *md, const void *key, size_t keylen, const void *data,
    size_t len, unsigned char *out, unsigned int outlen)
{
	unsigned int got = 0;
	static const unsigned char empty;

	if (keylen > INT_MAX)
		crypto_fatal("HMAC key length");
	/* HMAC() rejects a NULL key even when keylen is 0. */
	if (key == NULL)
		key = &empty;
	if (HMAC(md, key, (int)keylen, data, len, out, &got) == NULL ||
	    got != outlen)
		crypto_fatal("HMAC");
}

void
crypto_hmac_sha256(const void *key, size_t keylen, const void *data,
    size_t len, unsigned char out[32])
{
	hmac(EVP_sha256(), key, keylen, data, len, out, 32);
}

void
crypto_hmac_sha1(const void *key, size_t keylen, const void *data,
    size_t len, unsigned char out[20])
{
	hmac(EVP_sha1(), key, keylen, data, len, out, 20);
}

void
crypto_hex(const void *data, size_t len, char *out)
{
	const unsigned char *p = data;
	size_t i;

	for (i = 0; i < len; i++) {
		out[2 * i] = hex_digits[p[i] >> 4];
		out[2 * i + 1] = hex_digits[p[i] & 0x0f];
	}
	out[2 * len] = '\0';
}

/* Either case is accepted; odd length, junk or overflow give -1. */
int
crypto_unhex(const char *hex, unsigned char *out, size_t outsz)
{
	size_t len, i;
	int hi, lo;

	len = strlen(hex);
	if (len % 2 != 0 || len / 2 > outsz || len / 2 > INT_MAX)
		return -1;
	for (i = 0; i < len / 2; i++) {
		hi = hex_digit_value(hex[2 * i]);
		lo = hex_digit_value(hex[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return -1;
		out[i] = (unsigned char)(hi << 4 | lo);
	}
	return (int)(len / 2);
}

void
crypto_base64(const void *data, size_t len, char *out)
{
	const unsigned char *p = data;
	int chunk, n;

	/*
	 * EVP_EncodeBlock takes an int; feed it multiples of 3 bytes so
	 * the concatenated output is identical to a single call.
	 */
	while (len > 0) {
		chunk = len > B64_CHUNK ? B64_CHUNK : (int)len;
		n = EVP_EncodeBlock((unsigned char *)out, p, chunk);
		p += chunk;
		out += n;
		len -= (size_t)chunk;
	}
	*out = '\0';
}

void
crypto_base32(const void *data, size_t len, char *out)
{
	const unsigned char *p = data;
	unsigned int acc = 0;
	int bits = 0;
	size_t i;

	for (i = 0; i < len; i++) {
		acc = (acc << 8) | p[i];
		bits += 8;
		while (bits >= 5) {
			bits -= 5;
			*out++ = base32_alphabet[(acc >> bits) & 0x1f];
		}
	}
	if (bits > 0)
		*out++ = base32_alphabet[(acc << (5 - bits)) & 0x1f];
	*out = '\0';
}

static int
base32_value(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a';
	if (c >= '2' && c <= '7')
		return c - '2' + 26;
	return -1;
}

/*
 * Case-insensitive; '=' padding is optional but, when present, only at
 * the end.  Lengths no encoder can produce (1, 3 or 6 symbols in the
 * last group) are rejected.
 */
int
crypto_unbase32(const char *s, unsigned char *out, size_t outsz)
{
	size_t len, i, n = 0;
	unsigned int acc = 0;
	int bits = 0, v;

	len = strlen(s);
	while (len > 0 && s[len - 1] == '=')
		len--;
	switch (len % 8) {
	case 1:
	case 3:
	case 6:
		return -1;
	default:
		break;
	}
	for (i = 0; i < len; i++) {
		if ((v = base32_value(s[i])) < 0)
			return -1;
		acc = (acc << 5) | (unsigned int)v;
		bits += 5;
		if (bits >= 8) {
			bits -= 8;
			if (n >= outsz || n >= INT_MAX)
				return -1;
			out[n++] = (unsigned char)(acc >> bits);
		}
	}
	return (int)n;
}

/* Uniform choice from 62 symbols by rejection sampling of random bytes. */
void
crypto_random_alnum(char *out, size_t n)
{
	unsigned char pool[64];
	size_t used = sizeof(pool), i = 0;

	while (i < n) {
		if (used == sizeof(pool)) {
			crypto_random(pool, sizeof(pool));
			used = 0;
		}
		/* 248 = 4 * 62: larger bytes would bias the result. */
		if (pool[used] < 248)
			out[i++] = base62_alphabet[pool[used] % 62];
		used++;
	}
	out[n] = '\0';
	OPENSSL_cleanse(pool, sizeof(pool));
}

/*
 * Schoolbook base conversion: out[] first holds little-endian base-62
 * digit values, multiplied by 256 and added to for every input byte,
 * then is reversed and mapped to the alphabet.  The number of base-62
 * digits of a len-byte number is at most ceil(len * 8 / log2(62)) <=
 * 2 * len, so the caller's 2*len+1 bytes always suffice.  A value of
 * zero (or an empty input) encodes as "0" when there is room for it.
 */
void
crypto_base62(const unsigned char *data, size_t len, char *out)
{
	size_t ndigits = 0, i, j;
	unsigned int carry;
	char tmp;

	for (i = 0; i < len; i++) {
		carry = data[i];
		for (j = 0; j < ndigits; j++) {
			carry += (unsigned int)(unsigned char)out[j] * 256;
			out[j] = (char)(carry % 62);
			carry /= 62;
		}
		while (carry > 0) {
			out[ndigits++] = (char)(carry % 62);
			carry /= 62;
		}
	}
	if (ndigits == 0) {
		if (len == 0) {
			out[0] = '\0';
			return;
		}
		out[ndigits++] = 0;
	}
	for (i = 0, j = ndigits - 1; i < j; i++, j--) {
		tmp = out[i];
		out[i] = out[j];
		out[j] = tmp;
	}
	for (i = 0; i < ndigits; i++)
		out[i] = base62_alphabet[(unsigned char)out[i]];
	out[ndigits] = '\0';
}

int
crypto_seal(const unsigned char key[32], const void *plain, size_t len,
    unsigned char *out, size_t outsz)
{
	EVP_CIPHER_CTX *ctx;
	unsigned char *nonce, *ct;
	int n, fin, rc = -1;

	if (len > INT_MAX - GCM_NONCE_LEN - GCM_TAG_LEN ||
	    outsz < len + GCM_NONCE_LEN + GCM_TAG_LEN)
		return -1;
	nonce = out;
	ct = out + GCM_NONCE_LEN;
	crypto_random(nonce, GCM_NONCE_LEN);
	if ((ctx = EVP_CIPHER_CTX_new()) == NULL)
		crypto_fatal("EVP_CIPHER_CTX_new");
	if (EVP_EncryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, key, nonce) != 1 ||
	    EVP_EncryptUpdate(ctx, ct, &n, plain, (int)len) != 1 ||
	    EVP_EncryptFinal_ex(ctx, ct + n, &fin) != 1 ||
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, GCM_TAG_LEN,
	    ct + n + fin) != 1)
		goto out;
	rc = GCM_NONCE_LEN + n + fin + GCM_TAG_LEN;
out:
	EVP_CIPHER_CTX_free(ctx);
	return rc;
}

int
crypto_open(const unsigned char key[32], const unsigned char *in,
    size_t len, unsigned char *out, size_t outsz)
{
	EVP_CIPHER_CTX *ctx;
	const unsigned char *ct, *tag;
	size_t ctlen;
	int n, fin, rc = -1;

	if (len < GCM_NONCE_LEN + GCM_TAG_LEN || len > INT_MAX)
		return -1;
	ctlen = len - GCM_NONCE_LEN - GCM_TAG_LEN;
	if (outsz < ctlen)
		return -1;
	ct = in + GCM_NONCE_LEN;
	tag = ct + ctlen;
	if ((ctx = EVP_CIPHER_CTX_new()) == NULL)
		crypto_fatal("EVP_CIPHER_CTX_new");
	if (EVP_DecryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, key, in) != 1 ||
	    EVP_DecryptUpdate(ctx, out, &n, ct, (int)ctlen) != 1 ||
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, GCM_TAG_LEN,
	    (void *)tag) != 1)
		goto out;
	/* Final fails when the tag does not authenticate the input. */
	if (EVP_DecryptFinal_ex(ctx, out + n, &fin) != 1) {
		OPENSSL_cleanse(out, ctlen);
		goto out;
	}
	rc = n + fin;
out:
	EVP_CIPHER_CTX_free(ctx);
	return rc;
}

void
crypto_derive_key(const char *secret, const char *purpose,
    unsigned char out[32])
{
	static const char prefix[] = "prickle:";
	size_t plen, len;
	unsigned char *msg;

	plen = strlen(purpose);
	len = sizeof(prefix) - 1 + plen;
	msg = xmalloc(len);
	memcpy(msg, prefix, sizeof(prefix) - 1);
	memcpy(msg + sizeof(prefix) - 1, purpose, plen);
	crypto_hmac_sha256(secret, strlen(secret), msg, len, out);
	free(msg);
}
