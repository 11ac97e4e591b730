/*
 * res_users_delete -- DELETE /api/users/:id/ (spec 5.4).
 */
#ifndef RES_USERS_DELETE_H
#define RES_USERS_DELETE_H

struct ctx;

void res_users_delete(struct ctx *);

#endif
