/*
 * password -- Django-compatible password hashing and strength checks.
 *
 * Hashes use Django's PBKDF2PasswordHasher format
 *
 *	pbkdf2_sha256$<iterations>$<salt>$<base64(PBKDF2-HMAC-SHA256, 32 bytes)>
 *
 * and verification recomputes the whole encoded string from the stored
 * salt and iteration count and compares it in constant time, as Django
 * does.  A verified hash "needs rehash" when its iteration count differs
 * from the configured one or its salt carries less than 128 bits of
 * entropy (fewer than 22 alphanumerics), Django's two upgrade triggers.
 *
 * Strength calibration (PostHog requires python zxcvbn 4.4 score >= 3,
 * i.e. more than 10^8 estimated guesses, with no user inputs):
 *
 *   libzxcvbn 2.5 (the C port) reports an entropy in bits, and its
 *   model differs from the python port's: for "a_new_password" python
 *   estimates 10^8.0000 guesses, just on the score-3 side of the
 *   boundary, while libzxcvbn gives 24.97 bits (10^7.52); for
 *   "correcthorse" python says 10^6.21 and libzxcvbn 20.16 bits
 *   (10^6.07).  Translating python's boundary directly (log2(10^8) =
 *   26.6 bits) would therefore reject passwords PostHog accepts.
 *
 *   Over the 30 reference passwords of python zxcvbn 4.4.28, every
 *   password python rejects scores at most 20.16 bits in libzxcvbn
 *   ("correcthorse"; then "hedgehog2024" 19.86, "Summer2024!" 19.00) and
 *   every password python accepts scores at least 24.97 bits
 *   ("a_new_password"; then "posthog123" 25.45, "NewSecurePassword123!"
 *   29.59).  The acceptance threshold is set in the middle of that gap,
 *   PASSWORD_MIN_BITS = 22.5 bits (about 10^6.77 guesses), which leaves
 *   a margin of over two bits on both sides and reproduces python's
 *   verdict for every password in the table.  Passwords far from the
 *   boundary agree between the two estimators; close to it they may
 *   differ in either direction.  One known divergence: libzxcvbn stops
 *   analysing very long inputs, so a single character repeated several
 *   thousand times passes here while python rejects it.
 *
 *   The rejection message mirrors python zxcvbn's feedback.py: take the
 *   longest match (the first one on ties) of libzxcvbn's match list,
 *   derive python's suggestions for its pattern, prefix "Add another
 *   word or two. Uncommon words are better." and join with single
 *   spaces.  libzxcvbn match types map to python patterns as follows:
 *   dictionary -> dictionary (capitalisation advice from the matched
 *   token), dictionary+l33t -> dictionary with l33t advice, any match
 *   flagged "multiple" -> repeat, sequence -> sequence, spatial ->
 *   spatial, date -> date, year -> recent_year regex, brute force and
 *   long-password matches -> bruteforce (no extra advice).  libzxcvbn
 *   does not report reversed words, so "Reversed words aren't much
 *   harder to guess." is never produced, and token lengths are counted
 *   in bytes rather than code points.  An empty password gets python's
 *   default feedback.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <zxcvbn.h>

#include "crypto.h"
#include "password.h"

#define PBKDF2_PREFIX		"pbkdf2_sha256$"
#define PBKDF2_DKLEN		32
#define PBKDF2_B64LEN		44
#define SALT_LEN		22	/* 22 * log2(62) >= 128 bits */
#define UNUSABLE_LEN		40
#define PASSWORD_MIN_BITS	22.5

#define MSG_MORE_WORDS	"Add another word or two. Uncommon words are better."
#define MSG_TOO_WEAK	"This password is too weak."

/* Django: the salt must be non-empty and must not contain '$'. */
static bool
salt_ok(const char *salt)
{
	return salt != NULL && *salt != '\0' && strchr(salt, '$') == NULL;
}

int
password_encode(const char *password, const char *salt, int iterations,
    char *out, size_t outsz)
{
	unsigned char dk[PBKDF2_DKLEN];
	char b64[PBKDF2_B64LEN + 1];
	size_t pwlen;
	int n;

	if (password == NULL || !salt_ok(salt) || iterations < 1)
		return -1;
	pwlen = strlen(password);
	if (pwlen > INT_MAX || strlen(salt) > INT_MAX)
		return -1;
	if (PKCS5_PBKDF2_HMAC(password, (int)pwlen,
	    (const unsigned char *)salt, (int)strlen(salt), iterations,
	    EVP_sha256(), sizeof(dk), dk) != 1)
		return -1;
	crypto_base64(dk, sizeof(dk), b64);
	OPENSSL_cleanse(dk, sizeof(dk));
	n = snprintf(out, outsz, PBKDF2_PREFIX "%d$%s$%s", iterations, salt,
	    b64);
	if (n < 0 || (size_t)n >= outsz) {
		if (outsz > 0)
			out[0] = '\0';
		return -1;
	}
	return 0;
}

int
password_hash(const char *password, int iterations, char *out, size_t outsz)
{
	char salt[SALT_LEN + 1];

	crypto_random_alnum(salt, SALT_LEN);
	return password_encode(password, salt, iterations, out, outsz);
}

/*
 * Split "pbkdf2_sha256$<iterations>$<salt>$<hash>" into its iteration
 * count and salt (copied into salt, saltsz bytes).  The hash part is
 * not examined: the caller compares whole encoded strings.
 */
static bool
pbkdf2_decode(const char *encoded, int *iterations, char *salt,
    size_t saltsz)
{
	const char *p, *end;
	long long v = 0;
	size_t len;

	if (strncmp(encoded, PBKDF2_PREFIX, strlen(PBKDF2_PREFIX)) != 0)
		return false;
	p = encoded + strlen(PBKDF2_PREFIX);
	if (*p < '1' || *p > '9')
		return false;
	for (; *p >= '0' && *p <= '9'; p++) {
		v = v * 10 + (*p - '0');
		if (v > INT_MAX)
			return false;
	}
	if (*p++ != '$')
		return false;
	if ((end = strchr(p, '$')) == NULL)
		return false;
	len = (size_t)(end - p);
	if (len == 0 || len >= saltsz)
		return false;
	memcpy(salt, p, len);
	salt[len] = '\0';
	*iterations = (int)v;
	return true;
}

bool
password_verify(const char *password, const char *encoded, int iterations,
    bool *needs_rehash)
{
	char salt[PASSWORD_HASH_MAX], computed[PASSWORD_HASH_MAX];
	int stored_iterations;
	bool ok;

	if (needs_rehash != NULL)
		*needs_rehash = false;
	if (password == NULL || encoded == NULL || !password_usable(encoded))
		return false;
	if (strlen(encoded) >= PASSWORD_HASH_MAX ||
	    !pbkdf2_decode(encoded, &stored_iterations, salt, sizeof(salt)))
		return false;
	if (password_encode(password, salt, stored_iterations, computed,
	    sizeof(computed)) != 0)
		return false;
	ok = crypto_streq(computed, encoded);
	OPENSSL_cleanse(computed, sizeof(computed));
	if (ok && needs_rehash != NULL)
		*needs_rehash = stored_iterations != iterations ||
		    strlen(salt) < SALT_LEN;
	return ok;
}

bool
password_usable(const char *encoded)
{
	return encoded != NULL && encoded[0] != '\0' && encoded[0] != '!';
}

void
password_unusable(char *out, size_t outsz)
{
	size_t n;

	if (outsz == 0)
		return;
	if (outsz == 1) {
		out[0] = '\0';
		return;
	}
	n = outsz - 2 < UNUSABLE_LEN ? outsz - 2 : UNUSABLE_LEN;
	out[0] = '!';
	crypto_random_alnum(out + 1, n);
}

/* ---- strength ---------------------------------------------------- */

/* Suggestions collected for one password, in python's order. */
struct feedback {
	const char	*items[4];
	size_t		 n;
};

static void
feedback_add(struct feedback *fb, const char *s)
{
	if (fb->n < sizeof(fb->items) / sizeof(fb->items[0]))
		fb->items[fb->n++] = s;
}

static bool
is_ascii_upper(char c)
{
	return c >= 'A' && c <= 'Z';
}

/*
 * python: START_UPPER = ^[A-Z][^A-Z]+$ ; ALL_UPPER = ^[^a-z]+$ combined
 * with "token.lower() != token" (at least one upper-case letter).
 */
static void
capitalisation_feedback(const char *tok, size_t len, struct feedback *fb)
{
	size_t i, upper = 0, lower = 0;

	for (i = 0; i < len; i++) {
		if (is_ascii_upper(tok[i]))
			upper++;
		else if (tok[i] >= 'a' && tok[i] <= 'z')
			lower++;
	}
	if (len >= 2 && is_ascii_upper(tok[0]) && upper == 1)
		feedback_add(fb, "Capitalization doesn't help very much.");
	else if (len >= 1 && lower == 0 && upper > 0)
		feedback_add(fb, "All-uppercase is almost as easy to guess as "
		    "all-lowercase.");
}

static void
match_feedback(const char *pwd, const ZxcMatch_t *m, struct feedback *fb)
{
	if (m->Type & MULTIPLE_MATCH) {
		feedback_add(fb, "Avoid repeated words and characters.");
		return;
	}
	switch (m->Type) {
	case DICTIONARY_MATCH:
	case USER_MATCH:
		capitalisation_feedback(pwd + m->Begin, (size_t)m->Length, fb);
		break;
	case DICT_LEET_MATCH:
	case USER_LEET_MATCH:
		capitalisation_feedback(pwd + m->Begin, (size_t)m->Length, fb);
		feedback_add(fb, "Predictable substitutions like '@' instead "
		    "of 'a' don't help very much.");
		break;
	case REPEATS_MATCH:
		feedback_add(fb, "Avoid repeated words and characters.");
		break;
	case SEQUENCE_MATCH:
		feedback_add(fb, "Avoid sequences.");
		break;
	case SPATIAL_MATCH:
		feedback_add(fb, "Use a longer keyboard pattern with more "
		    "turns.");
		break;
	case DATE_MATCH:
		feedback_add(fb, "Avoid dates and years that are associated "
		    "with you.");
		break;
	case YEAR_MATCH:
		feedback_add(fb, "Avoid recent years.");
		feedback_add(fb, "Avoid years that are associated with you.");
		break;
	default:
		/* Brute force and long-password runs: no specific advice. */
		break;
	}
}

static const ZxcMatch_t *
longest_match(const ZxcMatch_t *list)
{
	const ZxcMatch_t *best = list, *m;

	for (m = list; m != NULL; m = m->Next)
		if (m->Length > best->Length)
			best = m;
	return best;
}

/* Join suggestions with single spaces into msg (truncating safely). */
static void
feedback_write(const struct feedback *fb, char *msg, size_t msgsz)
{
	size_t i, off = 0;
	int n;

	if (msg == NULL || msgsz == 0)
		return;
	msg[0] = '\0';
	if (fb->n == 0) {
		snprintf(msg, msgsz, "%s", MSG_TOO_WEAK);
		return;
	}
	for (i = 0; i < fb->n && off < msgsz; i++) {
		n = snprintf(msg + off, msgsz - off, "%s%s", i ? " " : "",
		    fb->items[i]);
		if (n < 0)
			return;
		off += (size_t)n;
	}
}

bool
password_strong_enough(const char *password, char *msg, size_t msgsz)
{
	struct feedback fb = { .n = 0 };
	ZxcMatch_t *info = NULL;
	double bits;

	if (msg != NULL && msgsz > 0)
		msg[0] = '\0';
	if (password == NULL || password[0] == '\0') {
		/* python's default feedback for an empty match sequence */
		feedback_add(&fb, "Use a few words, avoid common phrases.");
		feedback_add(&fb, "No need for symbols, digits, or uppercase "
		    "letters.");
		feedback_write(&fb, msg, msgsz);
		return false;
	}
	bits = ZxcvbnMatch(password, NULL, &info);
	if (bits >= PASSWORD_MIN_BITS) {
		ZxcvbnFreeInfo(info);
		return true;
	}
	if (info != NULL) {
		feedback_add(&fb, MSG_MORE_WORDS);
		match_feedback(password, longest_match(info), &fb);
	}
	ZxcvbnFreeInfo(info);
	feedback_write(&fb, msg, msgsz);
	return false;
}
