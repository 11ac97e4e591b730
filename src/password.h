/*
 * password -- Django-compatible password hashing and strength checks.
 *
 * Format: pbkdf2_sha256$<iterations>$<salt>$<base64(PBKDF2-HMAC-SHA256)>
 * (Django's PBKDF2PasswordHasher).  An "unusable" password starts with '!'.
 */
#ifndef PASSWORD_H
#define PASSWORD_H

#include <stdbool.h>
#include <stddef.h>

#define PASSWORD_HASH_MAX 256

/*
 * Encode password with the given salt ([A-Za-z0-9], Django style) and
 * iterations into out (PASSWORD_HASH_MAX).  0 on success, -1 on bad input.
 */
int password_encode(const char *password, const char *salt, int iterations,
    char *out, size_t outsz);
/* Hash with a fresh 22-char random salt. */
int password_hash(const char *password, int iterations, char *out,
    size_t outsz);
/*
 * Verify password against an encoded hash in constant time.  Unknown
 * algorithms, malformed and unusable hashes never verify.
 * If needs_rehash is non-NULL it is set when the stored iteration count
 * differs from `iterations` (Django's transparent upgrade).
 */
bool password_verify(const char *password, const char *encoded,
    int iterations, bool *needs_rehash);
/* True when encoded is a usable password (non-empty, not '!'-prefixed). */
bool password_usable(const char *encoded);
/* Django's make_password(None): '!' + 40 random alphanumerics. */
void password_unusable(char *out, size_t outsz);

/*
 * Strength as PostHog's validator sees it (zxcvbn score >= 3 passes).
 * Returns true when strong enough; otherwise writes zxcvbn-style
 * suggestions joined by spaces into msg, or "This password is too weak.".
 */
bool password_strong_enough(const char *password, char *msg, size_t msgsz);

#endif
