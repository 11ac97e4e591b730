/*
 * res_users_update -- writing users: PATCH/PUT of the user object (spec
 * 5.3), hedgehog_config (5.5), the email change flow (5.3.5, 5.12) and
 * the password throttle step of the request pipeline (2.7).
 */
#ifndef RES_USERS_UPDATE_H
#define RES_USERS_UPDATE_H

#include <stdbool.h>

#include "prickle.h"

struct ctx;
struct user;

/* PATCH /api/users/:id/ -- partial update. */
void res_users_partial_update(struct ctx *);
/* PUT /api/users/:id/ -- full update (email required). */
void res_users_update(struct ctx *);
/* GET and PATCH /api/users/:id/hedgehog_config/ */
void res_users_hedgehog_get(struct ctx *);
void res_users_hedgehog_patch(struct ctx *);
/* POST /api/users/verify_email/ (anonymous) */
void res_users_verify_email(struct ctx *);
/* PATCH /api/users/cancel_email_change_request/ */
void res_users_cancel_email_change(struct ctx *);

/*
 * Pipeline step (spec 2.7), run after the permission checks: a non-GET
 * request to a /api/users route whose body holds the key
 * "current_password" counts against auth.password_throttle_rate for the
 * caller (user id; client address when anonymous).  Returns false once
 * it has answered (429, or the body's parse error, or 503).  Routes with
 * RF_NO_THROTTLE are never counted.
 */
bool users_password_throttle(struct ctx *);

/*
 * Hooks run after a change is committed.  u is the user as stored after
 * the change.
 *
 * users_password_changed: the password of u was changed by this request
 * (PATCH/PUT).  Sends the "password changed" mail; the place to re-key
 * the current session and end the user's other sessions.
 *
 * users_email_verified: u verified an email address with a token
 * (verify_email).  The place to log the user in.
 */
/*
 * Issue a single-use verification token for address and mail it (no-op
 * when mail is not configured).
 */
enum prk_err users_request_verification(struct ctx *, const struct user *u,
    const char *address);
void users_password_changed(struct ctx *, const struct user *u);
void users_email_verified(struct ctx *, const struct user *u);

#endif
