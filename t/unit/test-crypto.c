/*
 * test-crypto -- known answers for the libcrypto wrappers and UUIDs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "crypto.h"
#include "uuid.h"
#include "../tap.h"

static void
test_sha256(void)
{
	char hex[65];

	crypto_sha256_hex("", 0, hex);
	is_str(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b"
	    "7852b855", "sha256 of empty string");
	crypto_sha256_hex("abc", 3, hex);
	is_str(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61"
	    "f20015ad", "sha256 of \"abc\"");
	crypto_sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnop"
	    "nopq", 56, hex);
	is_str(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd4"
	    "19db06c1", "sha256 of the 448-bit FIPS message");
}

static void
test_hmac(void)
{
	unsigned char key[20], mac[32];
	char hex[65];

	/* RFC 4231 test case 1 */
	memset(key, 0x0b, sizeof(key));
	crypto_hmac_sha256(key, 20, "Hi There", 8, mac);
	crypto_hex(mac, 32, hex);
	is_str(hex, "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c"
	    "2e32cff7", "HMAC-SHA256 RFC 4231 case 1");
	/* RFC 4231 test case 2 */
	crypto_hmac_sha256("Jefe", 4, "what do ya want for nothing?", 28, mac);
	crypto_hex(mac, 32, hex);
	is_str(hex, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b9"
	    "64ec3843", "HMAC-SHA256 RFC 4231 case 2");
	/* RFC 2202 test case 1 */
	crypto_hmac_sha1(key, 20, "Hi There", 8, mac);
	crypto_hex(mac, 20, hex);
	is_str(hex, "b617318655057264e28bc0b6fb378c8ef146be00",
	    "HMAC-SHA1 RFC 2202 case 1");
}

/* RFC 4648 section 10 test vectors. */
static const char *const rfc4648_in[] = {
	"", "f", "fo", "foo", "foob", "fooba", "foobar"
};
static const char *const rfc4648_b64[] = {
	"", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"
};
static const char *const rfc4648_b32[] = {
	"", "MY", "MZXQ", "MZXW6", "MZXW6YQ", "MZXW6YTB", "MZXW6YTBOI"
};
static const char *const rfc4648_b32_padded[] = {
	"", "my======", "mzxq====", "mzxw6===", "mzxw6yq=", "mzxw6ytb",
	"mzxw6ytboi======"
};

static void
test_base64(void)
{
	char out[64];
	size_t i;

	for (i = 0; i < sizeof(rfc4648_in) / sizeof(rfc4648_in[0]); i++) {
		crypto_base64(rfc4648_in[i], strlen(rfc4648_in[i]), out);
		is_str(out, rfc4648_b64[i], "base64 \"%s\"", rfc4648_in[i]);
	}
}

static void
test_base32(void)
{
	unsigned char bin[32], rnd[20];
	char out[64];
	size_t i, len;
	int n;

	for (i = 0; i < sizeof(rfc4648_in) / sizeof(rfc4648_in[0]); i++) {
		len = strlen(rfc4648_in[i]);
		crypto_base32(rfc4648_in[i], len, out);
		is_str(out, rfc4648_b32[i], "base32 \"%s\"", rfc4648_in[i]);
		n = crypto_unbase32(rfc4648_b32[i], bin, sizeof(bin));
		ok(n == (int)len && memcmp(bin, rfc4648_in[i], len) == 0,
		    "unbase32 \"%s\"", rfc4648_b32[i]);
		n = crypto_unbase32(rfc4648_b32_padded[i], bin, sizeof(bin));
		ok(n == (int)len && memcmp(bin, rfc4648_in[i], len) == 0,
		    "unbase32 lower case, padded \"%s\"",
		    rfc4648_b32_padded[i]);
	}
	crypto_random(rnd, sizeof(rnd));
	crypto_base32(rnd, sizeof(rnd), out);
	is_int((long long)strlen(out), 32, "20 bytes give 32 base32 chars");
	ok(strspn(out, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") == 32,
	    "base32 alphabet is A-Z2-7");
	n = crypto_unbase32(out, bin, sizeof(bin));
	ok(n == 20 && memcmp(bin, rnd, 20) == 0, "base32 round trip");
	is_int(crypto_unbase32("M", bin, sizeof(bin)), -1,
	    "unbase32 rejects impossible length 1");
	is_int(crypto_unbase32("MZX", bin, sizeof(bin)), -1,
	    "unbase32 rejects impossible length 3");
	is_int(crypto_unbase32("MY1", bin, sizeof(bin)), -1,
	    "unbase32 rejects '1'");
	is_int(crypto_unbase32("M=Y", bin, sizeof(bin)), -1,
	    "unbase32 rejects inner padding");
	is_int(crypto_unbase32("MZXW6YTBOI", bin, 5), -1,
	    "unbase32 rejects output overflow");
}

static void
test_hex(void)
{
	unsigned char bin[4];
	char out[9];

	crypto_hex("\x00\x01\xab\xff", 4, out);
	is_str(out, "0001abff", "hex encodes lowercase");
	is_int(crypto_unhex("0001ABff", bin, sizeof(bin)), 4,
	    "unhex accepts either case");
	ok(memcmp(bin, "\x00\x01\xab\xff", 4) == 0, "unhex round trip");
	is_int(crypto_unhex("abc", bin, sizeof(bin)), -1,
	    "unhex rejects odd length");
	is_int(crypto_unhex("0g", bin, sizeof(bin)), -1,
	    "unhex rejects non-hex");
	is_int(crypto_unhex("0011223344", bin, sizeof(bin)), -1,
	    "unhex rejects output overflow");
	is_int(crypto_unhex("", bin, sizeof(bin)), 0, "unhex of empty string");
}

static void
test_base62(void)
{
	unsigned char big[35];
	char out[2 * sizeof(big) + 1];
	size_t i;

	crypto_base62((const unsigned char *)"\x00", 1, out);
	is_str(out, "0", "base62 of zero");
	crypto_base62((const unsigned char *)"\x3d", 1, out);
	is_str(out, "z", "base62 of 61");
	crypto_base62((const unsigned char *)"\x3e", 1, out);
	is_str(out, "10", "base62 of 62");
	crypto_base62((const unsigned char *)"\x00\x00\x01\x00", 4, out);
	is_str(out, "48", "base62 drops leading zero digits");
	memset(big, 0xff, sizeof(big));
	crypto_base62(big, sizeof(big), out);
	is_str(out, "16vOJpATGwTWxCXNXOCpSE5m8czaweV6z3vkI4XUMnw7fqCV",
	    "base62 of 2^280-1");
	for (i = 0; i < sizeof(big); i++)
		big[i] = (unsigned char)(i + 1);
	crypto_base62(big, sizeof(big), out);
	is_str(out, "Gp5uvDxgLTOpvmZxMbHDMkmqwsB6acXk71hwVCsCcSxnXv",
	    "base62 of 01 02 .. 23");
}

static void
test_random(void)
{
	char a[41], b[41];

	crypto_random_alnum(a, 40);
	crypto_random_alnum(b, 40);
	is_int((long long)strlen(a), 40, "random_alnum length");
	ok(strspn(a, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrs"
	    "tuvwxyz") == 40, "random_alnum alphabet");
	ok(strcmp(a, b) != 0, "random_alnum differs between calls");
}

static void
test_gcm(void)
{
	static const char msg[] = "the quick brown fox";
	unsigned char key[32], other[32], sealed[128], sealed2[128];
	unsigned char plain[128];
	int n, n2, m;

	crypto_random(key, sizeof(key));
	memcpy(other, key, sizeof(key));
	other[0] ^= 1;
	n = crypto_seal(key, msg, sizeof(msg), sealed, sizeof(sealed));
	is_int(n, (int)sizeof(msg) + 28, "seal adds nonce and tag");
	n2 = crypto_seal(key, msg, sizeof(msg), sealed2, sizeof(sealed2));
	ok(n2 == n && memcmp(sealed, sealed2, (size_t)n) != 0,
	    "seal uses a fresh nonce");
	m = crypto_open(key, sealed, (size_t)n, plain, sizeof(plain));
	ok(m == (int)sizeof(msg) && memcmp(plain, msg, sizeof(msg)) == 0,
	    "open round trip");
	is_int(crypto_open(other, sealed, (size_t)n, plain, sizeof(plain)), -1,
	    "open with the wrong key fails");
	sealed[15] ^= 0x80;
	is_int(crypto_open(key, sealed, (size_t)n, plain, sizeof(plain)), -1,
	    "open detects a modified ciphertext");
	sealed[15] ^= 0x80;
	sealed[n - 1] ^= 0x01;
	is_int(crypto_open(key, sealed, (size_t)n, plain, sizeof(plain)), -1,
	    "open detects a modified tag");
	sealed[n - 1] ^= 0x01;
	sealed[0] ^= 0x01;
	is_int(crypto_open(key, sealed, (size_t)n, plain, sizeof(plain)), -1,
	    "open detects a modified nonce");
	is_int(crypto_open(key, sealed, 27, plain, sizeof(plain)), -1,
	    "open rejects input shorter than nonce and tag");
	is_int(crypto_seal(key, msg, sizeof(msg), sealed, sizeof(msg) + 27),
	    -1, "seal refuses a short output buffer");
	n = crypto_seal(key, "", 0, sealed, sizeof(sealed));
	is_int(n, 28, "seal of empty plaintext");
	is_int(crypto_open(key, sealed, (size_t)n, plain, sizeof(plain)), 0,
	    "open of empty plaintext");
}

static void
test_eq_derive(void)
{
	unsigned char k1[32], k2[32];
	char hex[65];

	ok(crypto_eq("abcd", "abcd", 4), "crypto_eq equal");
	ok(!crypto_eq("abcd", "abce", 4), "crypto_eq different");
	ok(crypto_streq("token", "token"), "crypto_streq equal");
	ok(!crypto_streq("token", "token2"), "crypto_streq length differs");
	ok(!crypto_streq("token", "tokem"), "crypto_streq content differs");
	ok(crypto_streq("", ""), "crypto_streq empty");

	crypto_derive_key("server-secret", "session", k1);
	crypto_hex(k1, 32, hex);
	is_str(hex, "7dc32da13c06ac3e974219121146a8af335ae88942c07cab319e0da8"
	    "2828e66f", "derive_key = HMAC-SHA256(secret, \"prickle:\" purpose)");
	crypto_derive_key("server-secret", "totp", k2);
	ok(memcmp(k1, k2, 32) != 0, "derive_key separates purposes");
}

static void
test_uuid_v7(void)
{
	char prev[37], cur[37], stamp[13];
	unsigned long long ms;
	bool fmt = true, order = true;
	time_t now;
	int i;

	uuid_v7(prev);
	ok(uuid_is_canonical(prev), "uuid_v7 is canonical: %s", prev);
	is_int(prev[14], '7', "uuid_v7 version nibble");
	ok(strchr("89ab", prev[19]) != NULL, "uuid_v7 variant bits");
	/* The first 48 bits are the Unix time in milliseconds. */
	memcpy(stamp, prev, 8);
	memcpy(stamp + 8, prev + 9, 4);
	stamp[12] = '\0';
	ms = strtoull(stamp, NULL, 16);
	now = time(NULL);
	ok(ms / 1000 + 5 >= (unsigned long long)now &&
	    ms / 1000 <= (unsigned long long)now + 5,
	    "uuid_v7 timestamp is the current time");
	for (i = 0; i < 20000; i++) {
		uuid_v7(cur);
		if (!uuid_is_canonical(cur) || cur[14] != '7' ||
		    strchr("89ab", cur[19]) == NULL)
			fmt = false;
		if (strcmp(cur, prev) <= 0)
			order = false;
		memcpy(prev, cur, sizeof(cur));
	}
	ok(fmt, "20000 uuid_v7 values well-formed");
	ok(order, "20000 uuid_v7 values strictly increasing");
}

static void
test_uuid_parse(void)
{
	static const char canon[] = "12345678-1234-5678-1234-567812345678";
	static const char *const good[] = {
		"12345678-1234-5678-1234-567812345678",
		"12345678123456781234567812345678",
		"{12345678-1234-5678-1234-567812345678}",
		"{{12345678-1234-5678-1234-567812345678}}",
		"{12345678123456781234567812345678",
		"urn:uuid:12345678-1234-5678-1234-567812345678",
		"uuurn:id:12345678123456781234567812345678",
		"urn:{12345678123456781234567812345678}",
		"1234567812345678123456781234567-8-",
		"1-2345678123456781234567812345678",
	};
	static const char *const bad[] = {
		"",
		"1234567812345678123456781234567",
		"123456781234567812345678123456789",
		"12345678-1234-5678-1234-56781234567G",
		"URN:UUID:12345678123456781234567812345678",
		" 12345678123456781234567812345678",
		"12345678123456781234567812345678 ",
		"+1234567812345678123456781234567",
		"0x345678123456781234567812345678",
		"1-2-3-4-5-6-7-8-12345678123456781234567812",
		"(12345678123456781234567812345678)",
	};
	char out[37];
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		memset(out, 0, sizeof(out));
		ok(uuid_parse(good[i], out) && strcmp(out, canon) == 0,
		    "uuid_parse accepts \"%s\"", good[i]);
	}
	ok(uuid_parse("{urn:uuid:ABCDEF00-1234-5678-1234-567812345678}", out) &&
	    strcmp(out, "abcdef00-1234-5678-1234-567812345678") == 0,
	    "uuid_parse lowercases");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ok(!uuid_parse(bad[i], out), "uuid_parse rejects \"%s\"",
		    bad[i]);
	ok(!uuid_parse(NULL, out), "uuid_parse rejects NULL");

	ok(uuid_is_canonical(canon), "canonical form recognised");
	ok(!uuid_is_canonical("12345678-1234-5678-1234-56781234567A"),
	    "upper case is not canonical");
	ok(!uuid_is_canonical("12345678123456781234567812345678"),
	    "no hyphens is not canonical");
	ok(!uuid_is_canonical("12345678-1234-5678-1234-5678123456789"),
	    "too long is not canonical");
	ok(!uuid_is_canonical("12345678-1234-5678-1234-56781234567"),
	    "too short is not canonical");
}

int
main(void)
{
	test_sha256();
	test_hmac();
	test_base64();
	test_base32();
	test_hex();
	test_base62();
	test_random();
	test_gcm();
	test_eq_derive();
	test_uuid_v7();
	test_uuid_parse();
	return done_testing();
}
