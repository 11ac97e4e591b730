/*
 * res_users -- handlers of the /api/users resource (spec 5.1, 5.2, 11).
 * Each handler's comment lists the statuses it can answer (on top of the
 * pipeline's 401/403/404/405 and the database's 503).
 */
#ifndef RES_USERS_H
#define RES_USERS_H

#include <stdbool.h>

struct ctx;
struct user;

void res_users_list(struct ctx *);
void res_users_retrieve(struct ctx *);
void res_users_options(struct ctx *);

/*
 * Resolve the :id of the request (spec 3): "@me" is the caller; other
 * values are refused for non-staff (403) and looked up among active
 * users for staff (404).  Returns false once the error is answered.
 */
bool users_resolve_target(struct ctx *, struct user *out);

/* Answer 200 with the rendered user object of u. */
void users_respond_object(struct ctx *, struct user *u);

#endif
