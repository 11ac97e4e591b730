/*
 * res_users_delete -- hard deletion of a user (spec 5.4).
 *
 * A user who still belongs to an organisation is refused (409): the
 * memberships must go first.  Otherwise the user row and everything that
 * hangs off it (personal API keys, TOTP devices, backup codes, scene
 * personalisation, sessions: all ON DELETE CASCADE) go in one
 * transaction.  The user row is locked first, so a membership added
 * concurrently (its foreign key needs that row) either lands before the
 * check and is seen, or waits and then fails.
 */
#include "ctx.h"
#include "db.h"
#include "http.h"
#include "res_users.h"
#include "res_users_delete.h"
#include "user.h"

static void
conflict(struct ctx *c)
{
	api_error(c, 409, "server_error", "conflict",
	    "Cannot delete user with organization memberships.", NULL);
}

/* Delete u unless it has memberships; *has_memberships tells which. */
static enum prk_err
delete_user(struct ctx *c, long long id, bool *has_memberships)
{
	struct dbv p[1];
	struct db_res res;
	enum prk_err e;

	*has_memberships = false;
	if ((e = db_begin(c->db)) != PRK_OK)
		return e;
	p[0] = DBV_I(id);
	e = db_exec(c->db, c->arena, "SELECT id FROM users WHERE id = ? "
	    "FOR UPDATE", p, 1, &res);
	if (e == PRK_OK)
		e = db_exec(c->db, c->arena, "SELECT COUNT(*) FROM "
		    "organization_memberships WHERE user_id = ?", p, 1, &res);
	if (e != PRK_OK)
		return e;
	if (db_int(&res, 0, 0) > 0) {
		*has_memberships = true;
		db_rollback(c->db);
		return PRK_OK;
	}
	e = db_exec(c->db, NULL, "DELETE FROM sessions WHERE user_id = ?", p,
	    1, NULL);
	if (e == PRK_OK)
		e = db_exec(c->db, NULL, "DELETE FROM users WHERE id = ?", p, 1,
		    NULL);
	if (e == PRK_OK)
		e = db_commit(c->db);
	return e;
}

/*
 * DELETE /api/users/:id/ -- 204 (empty body, no Content-Type); 403/404
 * target; 409 memberships.  Session only (keys get 401 in the pipeline).
 */
void
res_users_delete(struct ctx *c)
{
	struct user u;
	bool has_memberships;
	enum prk_err e;

	if (!users_resolve_target(c, &u))
		return;
	if ((e = delete_user(c, u.id, &has_memberships)) != PRK_OK) {
		api_db_error(c, e);
		return;
	}
	if (has_memberships) {
		conflict(c);
		return;
	}
	resp_no_content(c->resp);
}
