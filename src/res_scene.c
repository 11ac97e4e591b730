/*
 * res_scene -- POST /api/users/:id/scene_personalisation/ (spec 5.6):
 * pin a dashboard to a scene for the target's current team.
 *
 * Validation mirrors PostHog's serializer: field errors first, in field
 * order (scene, then dashboard, whose checks include "belongs to the
 * current team"), and only then the presence checks (dashboard first).
 */
#include <math.h>
#include <string.h>

#include "arena.h"
#include "buf.h"
#include "ctx.h"
#include "db.h"
#include "http.h"
#include "json.h"
#include "res_scene.h"
#include "res_users.h"
#include "user.h"
#include "util.h"
#include "validate.h"

#define SCENE_MAX_LENGTH 200

/* The dashboard's pk as Django reads it; false: "incorrect_type". */
static bool
dashboard_pk(json_object *v, long long *pk)
{
	double d;

	switch (json_object_get_type(v)) {
	case json_type_int:
		*pk = (long long)json_object_get_int64(v);
		return true;
	case json_type_double:
		/* int(1.0) == 1: Django's AutoField accepts it */
		d = json_object_get_double(v);
		if (!isfinite(d) || fabs(d) > 9e18)
			return false;
		*pk = (long long)trunc(d);
		return true;
	case json_type_string:
		return py_int(json_object_get_string(v), pk);
	default:
		return false;
	}
}

/*
 * PrimaryKeyRelatedField + validate_dashboard.  *team_id receives the
 * dashboard's team; false once the 400 is answered.
 */
static bool
check_dashboard(struct ctx *c, json_object *v, long long target_team,
    long long *id)
{
	struct dbv p[1];
	struct db_res res;
	struct buf b;
	const char *type;
	enum prk_err e;

	if (v == NULL) {
		api_validation(c, "null", "This field may not be null.",
		    "dashboard");
		return false;
	}
	type = json_object_is_type(v, json_type_boolean) ? "bool" :
	    json_py_type(v);
	if (json_object_is_type(v, json_type_boolean) || !dashboard_pk(v, id)) {
		api_validation(c, "incorrect_type", arena_printf(c->arena,
		    "Incorrect type. Expected pk value, received %s.", type),
		    "dashboard");
		return false;
	}
	p[0] = DBV_I(*id);
	e = db_exec(c->db, c->arena, "SELECT team_id FROM dashboards WHERE "
	    "id = ?", p, 1, &res);
	if (e != PRK_OK) {
		api_db_error(c, e);
		return false;
	}
	if (res.nrows == 0) {
		buf_init(&b);
		json_py_str(&b, v);
		api_validation(c, "does_not_exist", arena_printf(c->arena,
		    "Invalid pk \"%s\" - object does not exist.", b.data),
		    "dashboard");
		buf_free(&b);
		return false;
	}
	if (target_team == 0 || db_int(&res, 0, 0) != target_team) {
		api_validation(c, "invalid_input", "Dashboard must belong to the "
		    "user's current team.", "dashboard");
		return false;
	}
	return true;
}

/* The target's current team, auto-selected as rendering does (4.5). */
static bool
current_team(struct ctx *c, struct user *u)
{
	json_object *o;
	enum prk_err e;

	if (u->current_team_id != 0)
		return true;
	if ((e = user_render(c, u, 1, &o)) != PRK_OK) {
		api_db_error(c, e);
		return false;
	}
	json_object_put(o);
	return true;
}

static enum prk_err
upsert(struct ctx *c, const struct user *u, const char *scene,
    long long dashboard)
{
	struct dbv p[4];

	p[0] = DBV_I(u->id);
	p[1] = DBV_I(u->current_team_id);
	p[2] = DBV_S(scene);
	p[3] = DBV_I(dashboard);
	return db_exec(c->db, NULL, "INSERT INTO user_scene_personalisation "
	    "(user_id, team_id, scene, dashboard_id) VALUES (?, ?, ?, ?) "
	    "ON DUPLICATE KEY UPDATE dashboard_id = VALUES(dashboard_id)",
	    p, 4, NULL);
}

/*
 * POST /api/users/:id/scene_personalisation/ -- 200 full user object;
 * 400 scene/dashboard errors; 403/404 target.
 */
void
res_scene_personalisation(struct ctx *c)
{
	struct user u;
	json_object *body, *sv = NULL, *dv = NULL;
	const char *scene = NULL;
	struct verr err;
	long long dashboard = 0;
	bool has_scene, has_dashboard, found;
	enum prk_err e;

	if (!users_resolve_target(c, &u) || !ctx_body(c, &body))
		return;
	if (body == NULL || !json_object_is_type(body, json_type_object)) {
		api_validation(c, "invalid_input", arena_printf(c->arena,
		    "Invalid data. Expected a dictionary, but got %s.",
		    json_py_type(body)), NULL);
		return;
	}
	has_scene = json_object_object_get_ex(body, "scene", &sv);
	has_dashboard = json_object_object_get_ex(body, "dashboard", &dv);
	if (has_scene && !v_string(c->arena, sv, SCENE_MAX_LENGTH, 0, &scene,
	    &err)) {
		api_validation(c, err.code, err.detail, "scene");
		return;
	}
	if (has_dashboard && (!current_team(c, &u) ||
	    !check_dashboard(c, dv, u.current_team_id, &dashboard)))
		return;
	if (!has_dashboard) {
		api_validation(c, "invalid_input", "Dashboard must be provided.",
		    NULL);
		return;
	}
	if (!has_scene) {
		api_validation(c, "invalid_input", "Scene must be provided.",
		    NULL);
		return;
	}
	if ((e = upsert(c, &u, scene, dashboard)) != PRK_OK ||
	    (e = user_load_by_id(c, u.id, &u, &found)) != PRK_OK) {
		api_db_error(c, e);
		return;
	}
	users_respond_object(c, &u);
}
