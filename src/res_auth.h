/*
 * res_auth -- session login, second factor and logout (spec 7).
 */
#ifndef RES_AUTH_H
#define RES_AUTH_H

struct ctx;

void res_auth_login(struct ctx *);		/* POST /api/login */
void res_auth_login_token(struct ctx *);	/* POST /api/login/token */
void res_auth_logout(struct ctx *);		/* POST /api/logout */
void res_auth_logout_redirect(struct ctx *);	/* POST /logout */

#endif
