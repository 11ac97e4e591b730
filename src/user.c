/*
 * user -- loading users and rendering the PostHog user object (spec 4).
 *
 * Rendering is batched: whatever the number of users (one for @me, a page
 * for the list), the nested data costs the same two statements at most,
 * with the ids passed as JSON array parameters and expanded server-side by
 * JSON_TABLE.  So a page of 100 users makes as many round trips as one.
 * The organisation and team objects come from the worker's copies
 * (nestcache.h) when it has them all, and the second statement is skipped.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "auth.h"
#include "ctx.h"
#include "db.h"
#include "json.h"
#include "log.h"
#include "nestcache.h"
#include "user.h"
#include "validate.h"

void
user_from_row(struct user *u, const struct db_res *r, size_t row, size_t c)
{
	memset(u, 0, sizeof(*u));
	u->id = db_int(r, row, c + 0);
	u->uuid = db_str(r, row, c + 1);
	u->password = db_str(r, row, c + 2);
	u->first_name = db_str(r, row, c + 3);
	u->last_name = db_str(r, row, c + 4);
	u->email = db_str(r, row, c + 5);
	u->pending_email = db_str(r, row, c + 6);
	u->is_email_verified = db_tri(r, row, c + 7);
	u->is_staff = db_int(r, row, c + 8) != 0;
	u->is_active = db_int(r, row, c + 9) != 0;
	u->date_joined = db_str(r, row, c + 10);
	u->distinct_id = db_str(r, row, c + 11);
	u->current_organization_id = db_str(r, row, c + 12);
	u->current_team_id = db_int(r, row, c + 13);
	u->notification_settings = db_str(r, row, c + 14);
	u->anonymize_data = db_tri(r, row, c + 15);
	u->allow_impersonation = db_tri(r, row, c + 16);
	u->toolbar_mode = db_str(r, row, c + 17);
	u->events_column_config = db_str(r, row, c + 18);
	u->has_seen_product_intro_for = db_str(r, row, c + 19);
	u->theme_mode = db_str(r, row, c + 20);
	u->hedgehog_config = db_str(r, row, c + 21);
	u->allow_sidebar_suggestions = db_tri(r, row, c + 22);
	u->shortcut_position = db_str(r, row, c + 23);
	u->role_at_organization = db_str(r, row, c + 24);
	u->passkeys_enabled_for_2fa = db_tri(r, row, c + 25);
	u->is_2fa_enabled = db_int(r, row, c + 26) != 0;
}

static enum prk_err
load_one(struct ctx *c, const char *sql, struct dbv p, struct user *out,
    bool *found)
{
	struct db_res res;
	enum prk_err e;

	*found = false;
	if ((e = db_exec(c->db, c->arena, sql, &p, 1, &res)) != PRK_OK)
		return e;
	if (res.nrows > 0) {
		user_from_row(out, &res, 0, 0);
		*found = true;
	}
	return PRK_OK;
}

enum prk_err
user_load_active_by_uuid(struct ctx *c, const char *uuid, struct user *out,
    bool *found)
{
	return load_one(c, "SELECT " USER_COLUMNS " FROM users u "
	    "WHERE u.uuid = ? AND u.is_active = 1", DBV_S(uuid), out, found);
}

enum prk_err
user_load_by_id(struct ctx *c, long long id, struct user *out, bool *found)
{
	return load_one(c, "SELECT " USER_COLUMNS " FROM users u "
	    "WHERE u.id = ?", DBV_I(id), out, found);
}

const char *
user_iso_datetime(struct ctx *c, const char *t)
{
	const char *frac;
	size_t n;

	if (t == NULL)
		return NULL;
	/* "YYYY-MM-DD HH:MM:SS[.ffffff]" */
	frac = strchr(t, '.');
	n = frac != NULL ? (size_t)(frac - t) : strlen(t);
	if (n < 19)
		return arena_strdup(c->arena, t);
	if (frac != NULL && strspn(frac + 1, "0") != strlen(frac + 1))
		return arena_printf(c->arena, "%.10sT%.8s%.7sZ", t, t + 11,
		    frac);
	return arena_printf(c->arena, "%.10sT%.8sZ", t, t + 11);
}

/* A stored JSON text as a value; NULL text (or junk) is JSON null. */
static json_object *
stored_json(const char *text)
{
	json_object *o;

	if (text == NULL)
		return NULL;
	o = json_tokener_parse(text);
	if (o != NULL && json_object_is_type(o, json_type_double)) {
		json_object *d = json_double(json_object_get_double(o));

		json_object_put(o);
		return d;
	}
	return o;
}

/* ------------------------------------------------------------------ */
/* Batch loading of memberships, organisations, teams and scenes.     */

struct membership {
	long long	 user_id;
	const char	*org_id;
	int		 level;
};

struct render {
	struct ctx		*c;
	struct user		*users;
	size_t			 n;
	long long		 requester;	/* 0: none */
	struct membership	*ms;
	size_t			 nms;
	struct db_res		 orgs;
	json_object		**org_basic;	/* per orgs row, lazily */
	json_object		**org_full;
	struct db_res		 teams;
	json_object		**team_json;	/* per teams row, lazily */
	struct db_res		 scenes;
	bool			 cacheable;	/* generation known */
	bool			 have_nested;	/* orgs and teams fetched */
	/*
	 * Shared by every object of the render (json-c counts references):
	 * the two booleans, and the notification settings of users who never
	 * changed them.  A render makes thousands of objects otherwise.
	 */
	json_object		*yes, *no;
	json_object		*ns_defaults;
};

/* true, false or (v < 0) null. */
static json_object *
tri(struct render *r, int v)
{
	if (v < 0)
		return NULL;
	return json_object_get(v ? r->yes : r->no);
}

/* arr's JSON text as an arena string; arr is released. */
static const char *
array_text(struct arena *a, json_object *arr)
{
	const char *s;

	s = arena_strdup(a, json_object_to_json_string_ext(arr,
	    JSON_C_TO_STRING_PLAIN));
	json_object_put(arr);
	return s;
}

/* JSON array text of integers, e.g. "[1,2,3]" (an arena string). */
static const char *
ids_json(struct arena *a, const long long *ids, size_t n)
{
	json_object *arr;
	size_t i;

	arr = json_object_new_array_ext((int)n);
	for (i = 0; i < n; i++)
		json_object_array_add(arr, json_object_new_int64(ids[i]));
	return array_text(a, arr);
}

/* The same for strings (organisation ids), e.g. "[\"a\",\"b\"]". */
static const char *
strs_json(struct arena *a, const char *const *v, size_t n)
{
	json_object *arr;
	size_t i;

	arr = json_object_new_array_ext((int)n);
	for (i = 0; i < n; i++)
		json_object_array_add(arr, json_object_new_string(v[i]));
	return array_text(a, arr);
}

/* Row comparators for sort_rows(): by a text or an integer column. */
struct row_order {
	const struct db_res	*res;
	size_t			 col;
	size_t			 col2;	/* tie-break (text); == col: none */
	bool			 numeric;
};

static int
cmp_rows(const void *a, const void *b, void *arg)
{
	const struct row_order *o = arg;
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	long long i, j;
	int d;

	if (o->numeric) {
		i = db_int(o->res, x, o->col);
		j = db_int(o->res, y, o->col);
		d = (i > j) - (i < j);
	} else
		d = strcmp(db_str(o->res, x, o->col) ? db_str(o->res, x, o->col)
		    : "", db_str(o->res, y, o->col) ? db_str(o->res, y, o->col) :
		    "");
	if (d == 0 && o->col2 != o->col)
		d = strcmp(db_str(o->res, x, o->col2) ? db_str(o->res, x,
		    o->col2) : "", db_str(o->res, y, o->col2) ?
		    db_str(o->res, y, o->col2) : "");
	return d;
}

/*
 * The rows tagged `tag` of a USER_RENDER_ROWS result as their own result
 * (ncols fields after the tag; cells borrowed), sorted by column col
 * (then col2), and without repeated rows when dedupe is set (the same
 * key twice).
 */
static void
take_rows(struct arena *a, const struct db_res *all, char tag, size_t ncols,
    struct row_order order, bool dedupe, struct db_res *out)
{
	size_t i, j, n, *idx;
	struct db_res tmp;
	const char *t;

	memset(out, 0, sizeof(*out));
	out->ncols = ncols;
	n = 0;
	for (i = 0; i < all->nrows; i++)
		if ((t = db_str(all, i, 0)) != NULL && t[0] == tag)
			n++;
	tmp.ncols = ncols;
	tmp.nrows = n;
	tmp.cells = arena_alloc(a, (n * ncols + 1) * sizeof(char *));
	tmp.lens = arena_alloc(a, (n * ncols + 1) * sizeof(size_t));
	for (i = 0, n = 0; i < all->nrows; i++) {
		if ((t = db_str(all, i, 0)) == NULL || t[0] != tag)
			continue;
		for (j = 0; j < ncols; j++) {
			tmp.cells[n * ncols + j] = all->cells[i * all->ncols +
			    1 + j];
			tmp.lens[n * ncols + j] = all->lens[i * all->ncols +
			    1 + j];
		}
		n++;
	}
	idx = arena_alloc(a, (n + 1) * sizeof(*idx));
	for (i = 0; i < n; i++)
		idx[i] = i;
	order.res = &tmp;
	qsort_r(idx, n, sizeof(*idx), cmp_rows, &order);
	out->cells = arena_alloc(a, (n * ncols + 1) * sizeof(char *));
	out->lens = arena_alloc(a, (n * ncols + 1) * sizeof(size_t));
	for (i = 0; i < n; i++) {
		if (dedupe && out->nrows > 0 &&
		    cmp_rows(&idx[i], &idx[i - 1], &order) == 0)
			continue;
		memcpy(&out->cells[out->nrows * ncols],
		    &tmp.cells[idx[i] * ncols], ncols * sizeof(char *));
		memcpy(&out->lens[out->nrows * ncols],
		    &tmp.lens[idx[i] * ncols], ncols * sizeof(size_t));
		out->nrows++;
	}
}

#define BY_TEXT(c)	((struct row_order){ NULL, (c), (c), false })
#define BY_INT_TEXT(c, d) ((struct row_order){ NULL, (c), (d), true })
#define BY_INT(c)	((struct row_order){ NULL, (c), (c), true })

/*
 * The render's links from a USER_RENDER_LINKS result: memberships by
 * (user, organisation), scenes in insertion order, the generation.
 */
static void
links_from_rows(struct render *r, const struct db_res *all)
{
	struct arena *a = r->c->arena;
	struct db_res ms, g;
	size_t i;

	take_rows(a, all, 'm', 3, BY_INT_TEXT(0, 1), false, &ms);
	take_rows(a, all, 's', 4, BY_INT(3), false, &r->scenes);
	take_rows(a, all, 'g', 1, BY_INT(0), false, &g);
	r->nms = ms.nrows;
	r->ms = arena_alloc(a, (ms.nrows + 1) * sizeof(*r->ms));
	for (i = 0; i < ms.nrows; i++) {
		r->ms[i].user_id = db_int(&ms, i, 0);
		r->ms[i].org_id = db_str(&ms, i, 1);
		r->ms[i].level = (int)db_int(&ms, i, 2);
	}
	/*
	 * Without the row nothing says when a copy goes stale: none used.
	 * Nor inside a transaction: it may see its own changes under a
	 * generation number that a rollback gives back for reuse.
	 */
	r->cacheable = g.nrows == 1 && !db_isnull(&g, 0, 0) &&
	    !db_in_txn(r->c->db);
	if (r->cacheable)
		nestcache_begin(strtoull(db_str(&g, 0, 0), NULL, 10));
}

/* Whether user id is one of the users rendered (the requester may not be). */
static bool
on_page(const struct render *r, long long id)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		if (r->users[i].id == id)
			return true;
	return false;
}

/* First statement: memberships, scenes and the render generation. */
static enum prk_err
fetch_links(struct render *r)
{
	long long *ids;
	struct db_res res;
	struct dbv p[2];
	enum prk_err e;
	size_t n;

	/* Each id once: the joins return a row per id given. */
	ids = arena_alloc(r->c->arena, (r->n + 1) * sizeof(*ids));
	for (n = 0; n < r->n; n++)
		ids[n] = r->users[n].id;
	if (r->requester != 0 && !on_page(r, r->requester))
		ids[n++] = r->requester;
	p[0] = DBV_S(ids_json(r->c->arena, ids, n));
	p[1] = p[0];
	e = db_exec(r->c->db, r->c->arena, USER_RENDER_LINKS, p, 2, &res);
	if (e != PRK_OK)
		return e;
	links_from_rows(r, &res);
	return PRK_OK;
}

/* Append s to the set v[0..*n-1] unless it is there already. */
static void
add_unique(const char **v, size_t *n, const char *s)
{
	size_t i;

	for (i = 0; i < *n; i++)
		if (strcmp(v[i], s) == 0)
			return;
	v[(*n)++] = s;
}

/*
 * Second statement: the organisations the users show (current ones and
 * memberships), their current teams, and every team of the organisations
 * the requester belongs to or where a team is to be auto-selected.
 */
static enum prk_err
fetch_nested(struct render *r)
{
	struct arena *a = r->c->arena;
	const char **orgs, **team_orgs;
	long long *teams;
	size_t norgs = 0, nteam_orgs = 0, nteams = 0, i;
	const struct user *u;
	struct db_res res;
	struct dbv p[3];
	enum prk_err e;

	orgs = arena_alloc(a, (r->n + r->nms + 1) * sizeof(*orgs));
	team_orgs = arena_alloc(a, (r->n + r->nms + 1) * sizeof(*team_orgs));
	teams = arena_alloc(a, (r->n + 1) * sizeof(*teams));
	for (i = 0; i < r->n; i++) {
		u = &r->users[i];
		if (u->current_organization_id != NULL) {
			add_unique(orgs, &norgs, u->current_organization_id);
			if (u->current_team_id == 0)
				add_unique(team_orgs, &nteam_orgs,
				    u->current_organization_id);
		}
		if (u->current_team_id != 0)
			teams[nteams++] = u->current_team_id;
	}
	for (i = 0; i < r->nms; i++) {
		if (on_page(r, r->ms[i].user_id))
			add_unique(orgs, &norgs, r->ms[i].org_id);
		if (r->ms[i].user_id == r->requester)
			add_unique(team_orgs, &nteam_orgs, r->ms[i].org_id);
	}
	p[0] = DBV_S(strs_json(a, orgs, norgs));
	p[1] = DBV_S(ids_json(a, teams, nteams));
	p[2] = DBV_S(strs_json(a, team_orgs, nteam_orgs));
	e = db_exec(r->c->db, a, USER_RENDER_NESTED, p, 3, &res);
	if (e != PRK_OK)
		return e;
	take_rows(a, &res, 'o', ORG_NCOLUMNS, BY_TEXT(0), true, &r->orgs);
	take_rows(a, &res, 't', TEAM_NCOLUMNS, BY_INT(0), true, &r->teams);
	r->org_basic = arena_alloc(a, (r->orgs.nrows + 1) *
	    sizeof(json_object *));
	r->org_full = arena_alloc(a, (r->orgs.nrows + 1) *
	    sizeof(json_object *));
	r->team_json = arena_alloc(a, (r->teams.nrows + 1) *
	    sizeof(json_object *));
	r->have_nested = true;
	return PRK_OK;
}

/* A team id as the cache's key text. */
static const char *
team_key(char *buf, size_t sz, long long id)
{
	snprintf(buf, sz, "%lld", id);
	return buf;
}

/* Whose view a copy is: organisations show the requester's level. */
static long long
copy_owner(const struct render *r, enum nest_kind kind)
{
	return kind == NEST_TEAM ? 0 : r->requester;
}

/* The worker's copy of a nested object's text, or NULL. */
static const char *
copy_of(const struct render *r, enum nest_kind kind, const char *id,
    size_t *len)
{
	if (!r->cacheable)
		return NULL;
	return nestcache_get(kind, id, copy_owner(r, kind), len);
}

/*
 * Whether the worker holds a copy of every organisation and team object
 * the users show, and no team is to be auto-selected (that needs the
 * organisation's teams): then the second statement is not needed.
 */
static bool
nested_all_cached(const struct render *r)
{
	const struct user *u;
	char key[32];
	size_t i, len;

	if (!r->cacheable)
		return false;
	for (i = 0; i < r->n; i++) {
		u = &r->users[i];
		if (u->current_organization_id != NULL &&
		    (u->current_team_id == 0 || copy_of(r, NEST_ORG_FULL,
		    u->current_organization_id, &len) == NULL))
			return false;
		if (u->current_team_id != 0 && copy_of(r, NEST_TEAM,
		    team_key(key, sizeof(key), u->current_team_id), &len) ==
		    NULL)
			return false;
	}
	for (i = 0; i < r->nms; i++)
		if (on_page(r, r->ms[i].user_id) && copy_of(r, NEST_ORG_BASIC,
		    r->ms[i].org_id, &len) == NULL)
			return false;
	return true;
}

/* Level of user in org, or -1 when not a member. */
static int
level_of(const struct render *r, long long user, const char *org)
{
	size_t i;

	for (i = 0; i < r->nms; i++)
		if (r->ms[i].user_id == user &&
		    strcmp(r->ms[i].org_id, org) == 0)
			return r->ms[i].level;
	return -1;
}

/* Spec 4.5: the first organisation (lowest id) becomes current. */
static bool
select_current_org(struct render *r, struct user *u)
{
	size_t i;

	if (u->current_organization_id != NULL)
		return false;
	for (i = 0; i < r->nms; i++)
		if (r->ms[i].user_id == u->id) {
			u->current_organization_id = r->ms[i].org_id;
			return true;
		}
	return false;
}

/* Binary search: orgs are sorted by id (text), teams by id (integer). */
static long
org_row(const struct render *r, const char *id)
{
	size_t lo = 0, hi = r->orgs.nrows, mid;
	int d;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if ((d = strcmp(db_str(&r->orgs, mid, 0), id)) == 0)
			return (long)mid;
		if (d < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

static long
team_row(const struct render *r, long long id)
{
	size_t lo = 0, hi = r->teams.nrows, mid;
	long long v;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if ((v = db_int(&r->teams, mid, 0)) == id)
			return (long)mid;
		if (v < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

/* Spec 4.5: the lowest-id team of the current organisation. */
static bool
select_current_team(struct render *r, struct user *u)
{
	size_t i;

	if (u->current_team_id != 0 || u->current_organization_id == NULL)
		return false;
	for (i = 0; i < r->teams.nrows; i++)
		if (strcmp(db_str(&r->teams, i, 2),
		    u->current_organization_id) == 0) {
			u->current_team_id = db_int(&r->teams, i, 0);
			return true;
		}
	return false;
}

static enum prk_err
save_current(struct render *r, const struct user *u)
{
	struct dbv p[3];

	p[0] = DBV_S(u->current_organization_id);
	p[1] = u->current_team_id != 0 ? DBV_I(u->current_team_id) : DBV_NULLV;
	p[2] = DBV_I(u->id);
	return db_exec(r->c->db, r->c->arena, "UPDATE users SET "
	    "current_organization_id = ?, current_team_id = ? WHERE id = ?",
	    p, 3, NULL);
}

/* ------------------------------------------------------------------ */
/* JSON builders.                                                      */

static json_object *
int_or_null(const struct db_res *res, size_t row, size_t col)
{
	return db_isnull(res, row, col) ? NULL :
	    json_object_new_int64(db_int(res, row, col));
}

static json_object *
bool_col(struct render *r, const struct db_res *res, size_t row, size_t col)
{
	return tri(r, db_tri(res, row, col));
}

/* The worker's copy of a nested object as a new json-c object, or NULL. */
static json_object *
cached_object(struct render *r, enum nest_kind kind, const char *id)
{
	const char *text;
	size_t len;

	if ((text = copy_of(r, kind, id, &len)) == NULL)
		return NULL;
	return json_frozen_text(r->c->arena, text, len);
}

/* Freeze a nested object just built and keep a copy for later renders. */
static void
keep_object(struct render *r, enum nest_kind kind, const char *id,
    json_object *o)
{
	const char *text;
	size_t len;

	text = json_freeze(r->c->arena, o, &len);
	if (r->cacheable && text != NULL)
		nestcache_put(kind, id, copy_owner(r, kind), text, len);
}

static json_object *
team_json(struct render *r, size_t i)
{
	const struct db_res *t = &r->teams;
	json_object *o;

	if (r->team_json[i] != NULL)
		return json_object_get(r->team_json[i]);
	o = json_object_new_object();
	json_add_lit(o, "id", json_object_new_int64(db_int(t, i, 0)));
	json_add_lit(o, "uuid", json_str(db_str(t, i, 1)));
	json_add_lit(o, "organization", json_str(db_str(t, i, 2)));
	json_add_lit(o, "project_id", int_or_null(t, i, 3));
	json_add_lit(o, "api_token", json_str(db_str(t, i, 4)));
	json_add_lit(o, "name", json_str(db_str(t, i, 5)));
	json_add_lit(o, "completed_snippet_onboarding", bool_col(r, t, i, 6));
	json_add_lit(o, "has_completed_onboarding_for", stored_json(db_str(t, i, 7)));
	json_add_lit(o, "ingested_event", bool_col(r, t, i, 8));
	json_add_lit(o, "is_demo", bool_col(r, t, i, 9));
	json_add_lit(o, "timezone", json_str(db_str(t, i, 10)));
	json_add_lit(o, "access_control", bool_col(r, t, i, 11));
	r->team_json[i] = o;
	json_arena_own(r->c->arena, o);
	keep_object(r, NEST_TEAM, db_str(t, i, 0), o);
	return json_object_get(o);
}

static json_object *
level_json(int level)
{
	return level < 0 ? NULL : json_object_new_int(level);
}

static json_object *
org_basic(struct render *r, size_t i)
{
	const struct db_res *o = &r->orgs;
	json_object *j;

	if (r->org_basic[i] != NULL)
		return json_object_get(r->org_basic[i]);
	j = json_object_new_object();
	json_add_lit(j, "id", json_str(db_str(o, i, 0)));
	json_add_lit(j, "name", json_str(db_str(o, i, 1)));
	json_add_lit(j, "slug", json_str(db_str(o, i, 2)));
	json_add_lit(j, "logo_media_id", json_str(db_str(o, i, 3)));
	json_add_lit(j, "membership_level",
	    level_json(level_of(r, r->requester, db_str(o, i, 0))));
	json_add_lit(j, "members_can_use_personal_api_keys", bool_col(r, o, i, 12));
	json_add_lit(j, "is_active", bool_col(r, o, i, 18));
	json_add_lit(j, "is_not_active_reason", json_str(db_str(o, i, 19)));
	json_add_lit(j, "is_pending_deletion", bool_col(r, o, i, 20));
	r->org_basic[i] = j;
	json_arena_own(r->c->arena, j);
	keep_object(r, NEST_ORG_BASIC, db_str(o, i, 0), j);
	return json_object_get(j);
}

/* teams and projects of an organisation the requester belongs to. */
static void
org_teams(struct render *r, const char *org, json_object *teams,
    json_object *projects)
{
	json_object *p;
	size_t i;

	if (level_of(r, r->requester, org) < 0)
		return;
	for (i = 0; i < r->teams.nrows; i++) {
		if (strcmp(db_str(&r->teams, i, 2), org) != 0)
			continue;
		json_object_array_add(teams, team_json(r, i));
		p = json_object_new_object();
		json_add_lit(p, "id", int_or_null(&r->teams, i, 3));
		json_add_lit(p, "organization_id", json_str(org));
		json_add_lit(p, "name", json_str(db_str(&r->teams, i, 5)));
		json_object_array_add(projects, p);
	}
}

static json_object *
org_full(struct render *r, size_t i)
{
	const struct db_res *o = &r->orgs;
	const char *id = db_str(o, i, 0);
	json_object *j, *teams, *projects, *meta;

	if (r->org_full[i] != NULL)
		return json_object_get(r->org_full[i]);
	j = json_object_new_object();
	json_add_lit(j, "id", json_str(id));
	json_add_lit(j, "name", json_str(db_str(o, i, 1)));
	json_add_lit(j, "slug", json_str(db_str(o, i, 2)));
	json_add_lit(j, "logo_media_id", json_str(db_str(o, i, 3)));
	json_add_lit(j, "created_at", json_str(user_iso_datetime(r->c,
	    db_str(o, i, 4))));
	json_add_lit(j, "updated_at", json_str(user_iso_datetime(r->c,
	    db_str(o, i, 5))));
	json_add_lit(j, "membership_level", level_json(level_of(r, r->requester,
	    id)));
	json_add_lit(j, "plugins_access_level", int_or_null(o, i, 6));
	teams = json_object_new_array();
	projects = json_object_new_array();
	org_teams(r, id, teams, projects);
	json_add_lit(j, "teams", teams);
	json_add_lit(j, "projects", projects);
	json_add_lit(j, "available_product_features", stored_json(db_str(o, i, 7)));
	json_add_lit(j, "is_member_join_email_enabled", bool_col(r, o, i, 8));
	meta = json_object_new_object();
	json_add_lit(meta, "instance_tag", json_object_new_string("none"));
	json_add_lit(j, "metadata", meta);
	json_add_lit(j, "customer_id", json_str(db_str(o, i, 9)));
	json_add_lit(j, "enforce_2fa", bool_col(r, o, i, 10));
	json_add_lit(j, "members_can_invite", bool_col(r, o, i, 11));
	json_add_lit(j, "members_can_use_personal_api_keys", bool_col(r, o, i, 12));
	json_add_lit(j, "allow_publicly_shared_resources", bool_col(r, o, i, 13));
	json_add_lit(j, "member_count", int_or_null(o, i, 21));
	json_add_lit(j, "is_ai_data_processing_approved", bool_col(r, o, i, 14));
	json_add_lit(j, "default_experiment_stats_method",
	    json_str(db_str(o, i, 15)));
	json_add_lit(j, "default_anonymize_ips", bool_col(r, o, i, 16));
	json_add_lit(j, "default_role_id", json_str(db_str(o, i, 17)));
	json_add_lit(j, "is_active", bool_col(r, o, i, 18));
	json_add_lit(j, "is_not_active_reason", json_str(db_str(o, i, 19)));
	r->org_full[i] = j;
	json_arena_own(r->c->arena, j);
	keep_object(r, NEST_ORG_FULL, id, j);
	return json_object_get(j);
}

static json_object *
user_team(struct render *r, const struct user *u)
{
	json_object *o;
	char key[32];
	long i;

	if (u->current_team_id == 0)
		return NULL;
	if ((o = cached_object(r, NEST_TEAM, team_key(key, sizeof(key),
	    u->current_team_id))) != NULL)
		return o;
	if (!r->have_nested || (i = team_row(r, u->current_team_id)) < 0)
		return NULL;
	return team_json(r, (size_t)i);
}

static json_object *
user_org(struct render *r, const struct user *u)
{
	json_object *o;
	long i;

	if (u->current_organization_id == NULL)
		return NULL;
	if ((o = cached_object(r, NEST_ORG_FULL, u->current_organization_id))
	    != NULL)
		return o;
	if (!r->have_nested || (i = org_row(r, u->current_organization_id)) <
	    0)
		return NULL;
	return org_full(r, (size_t)i);
}

static json_object *
user_orgs(struct render *r, const struct user *u)
{
	json_object *a, *o;
	size_t i;
	long row;

	a = json_object_new_array();
	for (i = 0; i < r->nms; i++) {
		if (r->ms[i].user_id != u->id)
			continue;
		if ((o = cached_object(r, NEST_ORG_BASIC, r->ms[i].org_id)) !=
		    NULL)
			json_object_array_add(a, o);
		else if (r->have_nested &&
		    (row = org_row(r, r->ms[i].org_id)) >= 0)
			json_object_array_add(a, org_basic(r, (size_t)row));
	}
	return a;
}

static json_object *
user_scenes(struct render *r, const struct user *u)
{
	json_object *a, *s;
	size_t i;

	a = json_object_new_array();
	for (i = 0; i < r->scenes.nrows; i++) {
		if (db_int(&r->scenes, i, 0) != u->id)
			continue;
		s = json_object_new_object();
		json_add_lit(s, "scene", json_str(db_str(&r->scenes, i, 1)));
		json_add_lit(s, "dashboard", int_or_null(&r->scenes, i, 2));
		json_object_array_add(a, s);
	}
	return a;
}

static json_object *
sensitive_expiry(struct ctx *c)
{
	/* Only sessions have an age; key requests report null (spec 4.1). */
	if (c->auth.kind != AUTH_SESSION)
		return NULL;
	return auth_session_sensitive_expiry(c);
}

static json_object *
notification_settings(struct render *r, const struct user *u)
{
	size_t len;

	if (u->notification_settings != NULL)
		return v_notification_settings_current(u->notification_settings);
	if (r->ns_defaults == NULL) {
		r->ns_defaults = v_notification_settings_current(NULL);
		json_arena_own(r->c->arena, r->ns_defaults);
		json_freeze(r->c->arena, r->ns_defaults, &len);
	}
	return json_object_get(r->ns_defaults);
}

static json_object *
user_json(struct render *r, const struct user *u)
{
	struct ctx *c = r->c;
	json_object *o;
	bool has_pw;

	has_pw = u->password != NULL && u->password[0] != '\0' &&
	    u->password[0] != '!';
	o = json_object_new_object();
	json_add_lit(o, "date_joined", json_str(user_iso_datetime(c,
	    u->date_joined)));
	json_add_lit(o, "uuid", json_str(u->uuid));
	json_add_lit(o, "distinct_id", json_str(u->distinct_id));
	json_add_lit(o, "first_name", json_str(u->first_name));
	json_add_lit(o, "last_name", json_str(u->last_name));
	json_add_lit(o, "email", json_str(u->email));
	json_add_lit(o, "pending_email", json_str(u->pending_email));
	json_add_lit(o, "is_email_verified", tri(r, u->is_email_verified));
	json_add_lit(o, "notification_settings",
	    notification_settings(r, u));
	json_add_lit(o, "anonymize_data", tri(r, u->anonymize_data));
	json_add_lit(o, "allow_impersonation", tri(r, u->allow_impersonation));
	json_add_lit(o, "toolbar_mode", json_str(u->toolbar_mode));
	json_add_lit(o, "has_password", tri(r, has_pw));
	json_add_lit(o, "id", json_object_new_int64(u->id));
	json_add_lit(o, "is_staff", tri(r, u->is_staff));
	json_add_lit(o, "is_impersonated", tri(r, 0));
	json_add_lit(o, "is_impersonated_until", NULL);
	json_add_lit(o, "is_impersonated_read_only", NULL);
	json_add_lit(o, "sensitive_session_expires_at", sensitive_expiry(c));
	json_add_lit(o, "team", user_team(r, u));
	json_add_lit(o, "organization", user_org(r, u));
	json_add_lit(o, "organizations", user_orgs(r, u));
	json_add_lit(o, "events_column_config",
	    stored_json(u->events_column_config));
	json_add_lit(o, "is_2fa_enabled", tri(r, u->is_2fa_enabled));
	json_add_lit(o, "has_social_auth", tri(r, 0));
	json_add_lit(o, "has_sso_enforcement", tri(r, 0));
	json_add_lit(o, "has_seen_product_intro_for",
	    stored_json(u->has_seen_product_intro_for));
	json_add_lit(o, "scene_personalisation", user_scenes(r, u));
	json_add_lit(o, "theme_mode", json_str(u->theme_mode));
	json_add_lit(o, "hedgehog_config", stored_json(u->hedgehog_config));
	json_add_lit(o, "allow_sidebar_suggestions",
	    tri(r, u->allow_sidebar_suggestions));
	json_add_lit(o, "shortcut_position", json_str(u->shortcut_position != NULL ?
	    u->shortcut_position : "above"));
	json_add_lit(o, "role_at_organization", json_str(u->role_at_organization));
	json_add_lit(o, "passkeys_enabled_for_2fa",
	    tri(r, u->passkeys_enabled_for_2fa > 0));
	return o;
}

enum prk_err
user_render(struct ctx *c, struct user *users, size_t n, json_object **out)
{
	struct render r;
	bool *dirty;
	enum prk_err e;
	size_t i;

	memset(&r, 0, sizeof(r));
	r.c = c;
	r.users = users;
	r.n = n;
	r.requester = c->auth.kind != AUTH_NONE ? c->auth.user.id : 0;
	if (n == 0)
		return PRK_OK;
	dirty = arena_alloc(c->arena, n * sizeof(*dirty));
	if ((e = fetch_links(&r)) != PRK_OK)
		return e;
	for (i = 0; i < n; i++)
		dirty[i] = select_current_org(&r, &users[i]);
	if (!nested_all_cached(&r) && (e = fetch_nested(&r)) != PRK_OK)
		return e;
	for (i = 0; i < n; i++) {
		if (select_current_team(&r, &users[i]))
			dirty[i] = true;
		if (!dirty[i])
			continue;
		if ((e = save_current(&r, &users[i])) != PRK_OK)
			return e;
		c->user_saved = true;
	}
	r.yes = json_object_new_boolean(1);
	r.no = json_object_new_boolean(0);
	json_arena_own(c->arena, r.yes);
	json_arena_own(c->arena, r.no);
	for (i = 0; i < n; i++)
		/*
		 * Serialised and released before the next user's: a page
		 * reuses the same few hundred small blocks instead of holding
		 * thousands of objects until the end.
		 */
		out[i] = json_frozen_copy(c->arena, user_json(&r, &users[i]));
	return PRK_OK;
}
