/*
 * csrf -- Django 5.2's CSRF check as DRF's SessionAuthentication applies
 * it (spec 2.2.3): only to session-authenticated requests with an unsafe
 * method.  The secret is 32 characters of [a-zA-Z0-9] kept in the
 * posthog_csrftoken cookie; clients send it back, plain or masked (64
 * characters), in the X-CSRFToken header or a form's csrfmiddlewaretoken.
 */
#ifndef CSRF_H
#define CSRF_H

#include <stdbool.h>

struct arena;
struct ctx;
struct req;

#define CSRF_COOKIE_NAME	"posthog_csrftoken"
#define CSRF_SECRET_LENGTH	32
#define CSRF_TOKEN_LENGTH	64

/*
 * Django's _check_token_format(): NULL when token is 32 or 64 characters
 * of [a-zA-Z0-9], else "has incorrect length" / "has invalid characters".
 */
const char *csrf_token_format(const char *token);

/* Mask secret (32) with mask (32): out = mask + cipher, 64 + NUL. */
void csrf_mask_with(const char *secret, const char *mask, char out[65]);
/* The same with a fresh random mask (Django's _mask_cipher_secret). */
void csrf_mask(const char *secret, char out[65]);
/* Recover the secret from a 64-char masked token (out 32 + NUL). */
void csrf_unmask(const char *token, char out[33]);
/*
 * Does a well-formed token (32 plain or 64 masked) carry secret (32)?
 * Constant time in the secret.
 */
bool csrf_token_matches(const char *token, const char *secret);

/*
 * Why the request fails the check, or NULL when it passes.  form_token is
 * the csrfmiddlewaretoken field of a form POST (NULL: none); trusted is
 * the space-separated csrf.trusted_origins list (may be NULL).  The
 * reason is the text after "CSRF Failed: " (arena string or constant).
 */
const char *csrf_reason(struct arena *, const struct req *,
    const char *trusted, const char *form_token);

/*
 * Pipeline step: for a session-authenticated request with an unsafe
 * method, answer 403 "CSRF Failed: <reason>" and return false on failure.
 */
bool csrf_check(struct ctx *);

/* Issue a new CSRF secret cookie (Django's rotate_token, on login). */
void csrf_rotate(struct ctx *);

#endif
