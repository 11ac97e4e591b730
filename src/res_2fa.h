/*
 * res_2fa -- two-factor authentication: the /api/users/:id/ 2FA actions
 * (spec 5.7-5.11), TOTP devices and backup codes (spec 6) as the login
 * flow uses them (spec 7.2), and organisation-enforced 2FA (spec 2.2.4).
 */
#ifndef RES_2FA_H
#define RES_2FA_H

#include <stdbool.h>
#include <stddef.h>

#include <json-c/json.h>

#include "prickle.h"

struct ctx;

void res_2fa_start_setup(struct ctx *);
void res_2fa_validate(struct ctx *);
void res_2fa_status(struct ctx *);
void res_2fa_backup_codes(struct ctx *);
void res_2fa_disable(struct ctx *);

/*
 * Pipeline step (spec 2.2.4), for session requests: answers 403
 * two_factor_setup_required / two_factor_verification_required and
 * returns false when the user's current organisation enforces 2FA and
 * the path is not on the allow-list.
 */
bool twofa_enforce(struct ctx *);

/* A user's TOTP device (django-otp TOTPDevice), secret unsealed. */
struct totp_device {
	long long	 id;
	unsigned char	 key[64];
	size_t		 keylen;
	int		 drift;
	int		 tolerance;
	long long	 last_t;
	int		 failures;	/* throttling_failure_count */
	long long	 since_failure_us;	/* -1: no failure recorded */
};

/* The user's first device named "default"; *found false when none. */
enum prk_err twofa_default_device(struct ctx *, long long user_id,
    struct totp_device *, bool *found);
/* django-otp's back-off: refused until 2^(n-1) s after the n-th failure. */
bool twofa_device_throttled(const struct totp_device *);
/*
 * TOTPDevice.verify_token(): an integer code for a step after last_t
 * within the tolerance; on success last_t/drift are saved and the
 * throttle reset (a concurrent use of the same step loses), on failure
 * the failure counter grows.
 */
enum prk_err twofa_verify_totp(struct ctx *, struct totp_device *,
    const char *token, bool *ok);
/* One more failure on the device (the login view's second increment). */
enum prk_err twofa_device_failed(struct ctx *, long long device_id);
enum prk_err twofa_device_reset(struct ctx *, long long device_id);
/*
 * Redeem a backup code of user (exactly once, also under concurrency);
 * the backup-code container's own throttle applies.
 */
enum prk_err twofa_use_backup_code(struct ctx *, long long user_id,
    const char *token, bool *ok);

/*
 * A token from a JSON body as text: strings as sent, integers in decimal,
 * floats truncated like Python's int(); NULL for anything else.
 */
const char *twofa_token_text(struct ctx *, json_object *);

/* Mail the user about a 2FA event (logged when it fails). */
void twofa_mail(struct ctx *, const char *to, const char *subject,
    const char *body);

#endif
