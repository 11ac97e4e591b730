/*
 * test-password -- Django pbkdf2_sha256 vectors and the zxcvbn table.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "password.h"
#include "../tap.h"

#define LINE_MAX_LEN 1024

static FILE *
open_vector(const char *name)
{
	const char *dirs[] = { getenv("VECTORS"), "t/unit/data", "data",
	    "../t/unit/data", "../../t/unit/data" };
	char path[512];
	size_t i;
	FILE *f;

	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		if (dirs[i] == NULL)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dirs[i], name);
		if ((f = fopen(path, "r")) != NULL)
			return f;
	}
	bail_out("cannot find %s (set VECTORS)", name);
}

/*
 * Parse a Python repr string at the start of line ('...' with \\ and
 * \' escapes) into out; returns a pointer just past the closing quote
 * or NULL.
 */
static char *
parse_repr(char *line, char *out, size_t outsz)
{
	char *p = line;
	size_t n = 0;

	if (*p++ != '\'')
		return NULL;
	for (; *p != '\0' && *p != '\''; p++) {
		if (*p == '\\' && (p[1] == '\\' || p[1] == '\''))
			p++;
		if (n + 1 >= outsz)
			return NULL;
		out[n++] = *p;
	}
	if (*p != '\'')
		return NULL;
	out[n] = '\0';
	return p + 1;
}

/* Next " | "-separated field of s (modified in place), or NULL. */
static char *
next_field(char **s)
{
	char *start = *s, *sep;

	if (start == NULL)
		return NULL;
	if ((sep = strstr(start, " | ")) != NULL) {
		*sep = '\0';
		*s = sep + 3;
	} else {
		start[strcspn(start, "\n")] = '\0';
		*s = NULL;
	}
	return start;
}

static void
test_django_vector(const char *password, const char *encoded)
{
	char out[PASSWORD_HASH_MAX], salt[64];
	const char *p, *q;
	bool rehash = true;
	int iterations;

	iterations = atoi(encoded + strlen("pbkdf2_sha256$"));
	/* under valgrind a million rounds take minutes: other runs check them */
	if (getenv("PRICKLE_TEST_MAX_ITERATIONS") != NULL &&
	    iterations > atoi(getenv("PRICKLE_TEST_MAX_ITERATIONS"))) {
		diag("not checked here (over PRICKLE_TEST_MAX_ITERATIONS): %s",
		    encoded);
		return;
	}
	p = strchr(encoded + strlen("pbkdf2_sha256$"), '$') + 1;
	q = strchr(p, '$');
	snprintf(salt, sizeof(salt), "%.*s", (int)(q - p), p);

	ok(password_verify(password, encoded, iterations, &rehash),
	    "verifies %s", encoded);
	ok(!rehash, "no rehash at the stored iteration count");
	is_int(password_encode(password, salt, iterations, out, sizeof(out)),
	    0, "encode succeeds");
	is_str(out, encoded, "re-encodes identically");
	ok(!password_verify("wrong password", encoded, iterations, NULL),
	    "wrong password fails");
	if (iterations == 1000) {
		ok(password_verify(password, encoded, 1000000, &rehash) &&
		    rehash, "needs rehash at another iteration count");
	}
}

static void
test_django_vectors(void)
{
	char line[LINE_MAX_LEN], password[256], *rest, *encoded;
	FILE *f;
	int n = 0;

	f = open_vector("django-pbkdf2.txt");
	while (fgets(line, sizeof(line), f) != NULL) {
		if (line[0] != '\'')
			continue;
		if ((rest = parse_repr(line, password, sizeof(password))) ==
		    NULL || strncmp(rest, " | ", 3) != 0)
			bail_out("bad vector line: %s", line);
		rest += 3;
		encoded = next_field(&rest);
		test_django_vector(password, encoded);
		n++;
	}
	fclose(f);
	ok(n >= 6, "read %d Django vectors", n);
}

static void
test_malformed(void)
{
	static const char *const bad[] = {
		"",
		"!",
		"!pbkdf2_sha256$1000$Pd9yD1zWQm8nM6l2kT4bXa$lOxlynUc4eT45fg7NC6C"
		    "FiEn2XCMNdAMVql5EF7WvRY=",
		"pbkdf2_sha1$1000$Pd9yD1zWQm8nM6l2kT4bXa$lOxlynUc4eT45fg7NC6CFiE"
		    "n2XCMNdAMVql5EF7WvRY=",
		"argon2$argon2id$v=19$m=102400,t=2,p=8$c29tZXNhbHQ$aGFzaA",
		"md5$salt$5f4dcc3b5aa765d61d8327deb882cf99",
		"pbkdf2_sha256$1000$Pd9yD1zWQm8nM6l2kT4bXa",
		"pbkdf2_sha256$$Pd9yD1zWQm8nM6l2kT4bXa$lOxlynUc4eT45fg7NC6CFiEn2"
		    "XCMNdAMVql5EF7WvRY=",
		"pbkdf2_sha256$01000$Pd9yD1zWQm8nM6l2kT4bXa$lOxlynUc4eT45fg7NC6C"
		    "FiEn2XCMNdAMVql5EF7WvRY=",
		"pbkdf2_sha256$1e3$Pd9yD1zWQm8nM6l2kT4bXa$lOxlynUc4eT45fg7NC6CFi"
		    "En2XCMNdAMVql5EF7WvRY=",
		"pbkdf2_sha256$0$Pd9yD1zWQm8nM6l2kT4bXa$lOxlynUc4eT45fg7NC6CFiEn"
		    "2XCMNdAMVql5EF7WvRY=",
		"pbkdf2_sha256$1000$$lOxlynUc4eT45fg7NC6CFiEn2XCMNdAMVql5EF7WvRY=",
		"pbkdf2_sha256$1000$Pd9yD1zWQm8nM6l2kT4bXa$lOxlynUc4eT45fg7NC6CFi"
		    "En2XCMNdAMVql5EF7WvRY",
		"pbkdf2_sha256$1000$Pd9yD1zWQm8nM6l2kT4bXa$lOxlynUc4eT45fg7NC6CFi"
		    "En2XCMNdAMVql5EF7WvRY=\n",
		"PBKDF2_SHA256$1000$Pd9yD1zWQm8nM6l2kT4bXa$lOxlynUc4eT45fg7NC6CFi"
		    "En2XCMNdAMVql5EF7WvRY=",
	};
	size_t i;
	bool rehash;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		rehash = true;
		ok(!password_verify("correct-Horse-battery-9-staple", bad[i],
		    1000, &rehash) && !rehash, "rejects hash #%zu", i);
	}
	ok(!password_verify("x", NULL, 1000, NULL), "rejects NULL hash");
}

static void
test_hash_and_usable(void)
{
	char enc[PASSWORD_HASH_MAX], enc2[PASSWORD_HASH_MAX], un[64], tiny[20];
	bool rehash = true;

	is_int(password_hash("s3cret pass", 1000, enc, sizeof(enc)), 0,
	    "password_hash succeeds");
	ok(strncmp(enc, "pbkdf2_sha256$1000$", 19) == 0 &&
	    strspn(enc + 19, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghij"
	    "klmnopqrstuvwxyz") == 22 && enc[41] == '$' &&
	    strlen(enc + 42) == 44, "password_hash format: %s", enc);
	ok(password_verify("s3cret pass", enc, 1000, &rehash) && !rehash,
	    "fresh hash verifies");
	password_hash("s3cret pass", 1000, enc2, sizeof(enc2));
	ok(strcmp(enc, enc2) != 0, "fresh salts differ");
	is_int(password_hash("s3cret pass", 1000, tiny, sizeof(tiny)), -1,
	    "password_hash reports a short buffer");
	is_int(password_encode("x", "", 1000, enc, sizeof(enc)), -1,
	    "empty salt refused");
	is_int(password_encode("x", "a$b", 1000, enc, sizeof(enc)), -1,
	    "salt with '$' refused");
	is_int(password_encode("x", "salt", 0, enc, sizeof(enc)), -1,
	    "zero iterations refused");
	is_int(password_encode("x", "posthog_personal_api_key", 1000, enc,
	    sizeof(enc)), 0, "legacy API key salt accepted");
	ok(password_verify("x", enc, 1000, &rehash) && !rehash,
	    "long non-alphanumeric salt verifies");
	password_encode("x", "short", 1000, enc, sizeof(enc));
	ok(password_verify("x", enc, 1000, &rehash) && rehash,
	    "salt under 128 bits needs rehash");

	password_unusable(un, sizeof(un));
	is_int((long long)strlen(un), 41, "unusable is 41 chars");
	ok(un[0] == '!' && strspn(un + 1, "0123456789ABCDEFGHIJKLMNOPQRSTUVWX"
	    "YZabcdefghijklmnopqrstuvwxyz") == 40, "unusable format");
	ok(!password_usable(un), "unusable is not usable");
	ok(!password_usable(""), "empty is not usable");
	ok(!password_usable(NULL), "NULL is not usable");
	ok(password_usable(enc), "a hash is usable");
	ok(!password_verify("", un, 1000, NULL), "unusable never verifies");
}

static void
test_zxcvbn_table(void)
{
	char line[LINE_MAX_LEN], password[256], msg[512], *rest;
	char *score, *suggestions;
	bool strong, want;
	FILE *f;
	int n = 0;

	f = open_vector("zxcvbn-python-4.4.28.txt");
	while (fgets(line, sizeof(line), f) != NULL) {
		if (line[0] != '\'')
			continue;
		if ((rest = parse_repr(line, password, sizeof(password))) ==
		    NULL || strncmp(rest, " | ", 3) != 0)
			bail_out("bad vector line: %s", line);
		rest += 3;
		score = next_field(&rest);
		(void)next_field(&rest);	/* guesses_log10 */
		suggestions = next_field(&rest);
		if (score == NULL || suggestions == NULL)
			bail_out("bad vector line: %s", line);
		want = atoi(score) >= 3;
		strong = password_strong_enough(password, msg, sizeof(msg));
		is_int(strong, want, "'%s' %s", password,
		    want ? "accepted" : "rejected");
		if (!want)
			is_str(msg, suggestions, "'%s' message", password);
		n++;
	}
	fclose(f);
	ok(n >= 30, "read %d zxcvbn vectors", n);
}

static void
test_strength_misc(void)
{
	char msg[512], small[12];

	ok(!password_strong_enough("", msg, sizeof(msg)),
	    "empty password rejected");
	is_str(msg, "Use a few words, avoid common phrases. No need for "
	    "symbols, digits, or uppercase letters.", "empty password message");
	ok(!password_strong_enough("PASSWORD", msg, sizeof(msg)),
	    "upper-case common password rejected");
	is_str(msg, "Add another word or two. Uncommon words are better. "
	    "All-uppercase is almost as easy to guess as all-lowercase.",
	    "all-uppercase advice");
	ok(!password_strong_enough("qwerty", small, sizeof(small)),
	    "rejection with a small message buffer");
	is_int((long long)strlen(small), (long long)sizeof(small) - 1,
	    "message truncated to the buffer");
	ok(password_strong_enough("Vq8#tLz!w2Rk", NULL, 0),
	    "random password accepted without a message buffer");
}

int
main(void)
{
	test_django_vectors();
	test_malformed();
	test_hash_and_usable();
	test_zxcvbn_table();
	test_strength_misc();
	return done_testing();
}
