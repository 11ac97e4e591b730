/*
 * res_users -- list and retrieve users (spec 5.1, 5.2), OPTIONS (spec 11),
 * and the target resolution every detail route shares (spec 3).
 */
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "buf.h"
#include "ctx.h"
#include "db.h"
#include "http.h"
#include "json.h"
#include "mecache.h"
#include "res_users.h"
#include "router.h"
#include "user.h"
#include "util.h"
#include "uuid.h"

#define DEFAULT_LIMIT 100

bool
users_resolve_target(struct ctx *c, struct user *out)
{
	char uuid[37];
	bool found;
	enum prk_err e;

	if (strcmp(c->lookup, "@me") == 0) {
		*out = c->auth.user;
		return true;
	}
	/* before any lookup, so nothing is revealed about the uuid */
	if (!c->auth.user.is_staff) {
		api_permission_denied(c, "As a non-staff user you're only "
		    "allowed to access the `@me` user instance.");
		return false;
	}
	if (!uuid_parse(c->lookup, uuid)) {
		api_not_found(c);
		return false;
	}
	if ((e = user_load_active_by_uuid(c, uuid, out, &found)) != PRK_OK) {
		api_db_error(c, e);
		return false;
	}
	if (!found) {
		api_not_found(c);
		return false;
	}
	return true;
}

void
users_respond_object(struct ctx *c, struct user *u)
{
	json_object *o;
	enum prk_err e;

	if ((e = user_render(c, u, 1, &o)) != PRK_OK) {
		api_db_error(c, e);
		return;
	}
	resp_json(c->resp, 200, o);
	json_object_put(o);
}

/* GET @me with a key: the worker's copy of the body, if still exact. */
static bool
respond_cached_me(struct ctx *c)
{
	const char *body;
	size_t len;

	if (!c->auth.me_cacheable ||
	    (body = mecache_get(&c->auth.me_key, &len)) == NULL)
		return false;
	resp_json_text(c->resp, 200, body, len);
	return true;
}

/* The rest of the users row the @me key lookup left out. */
static bool
complete_me(struct ctx *c)
{
	bool found;
	enum prk_err e;

	if (!c->auth.user_partial)
		return true;
	if ((e = user_load_by_id(c, c->auth.user.id, &c->auth.user,
	    &found)) != PRK_OK) {
		api_db_error(c, e);
		return false;
	}
	if (!found) {		/* deleted since the key was looked up */
		api_not_found(c);
		return false;
	}
	c->auth.user_partial = false;
	return true;
}

/* Keep what was rendered unless rendering itself changed the row. */
static void
remember_me(struct ctx *c)
{
	if (c->auth.me_cacheable && !c->user_saved && c->resp->status == 200)
		mecache_put(&c->auth.me_key, c->resp->body.data,
		    c->resp->body.len);
}

/*
 * GET /api/users/:id/ -- 200 user object; 403 non-staff on another id;
 * 404 unknown, inactive or malformed id (staff).
 */
void
res_users_retrieve(struct ctx *c)
{
	struct user u;

	if (respond_cached_me(c) || !complete_me(c) ||
	    !users_resolve_target(c, &u))
		return;
	users_respond_object(c, &u);
	remember_me(c);
}

/* The last value of a query parameter (Django's QueryDict.get). */
static const char *
query_last(const struct req *r, const char *name)
{
	const char *v = NULL;
	size_t i;

	for (i = 0; i < r->nqs; i++)
		if (strcmp(r->qs[i].key, name) == 0)
			v = r->qs[i].val;
	return v;
}

/* DRF's _positive_int: limit must be > 0, offset >= 0; else default. */
static long long
query_count(const struct req *r, const char *name, bool strict,
    long long dflt)
{
	const char *v;
	long long n;

	v = query_last(r, name);
	if (v == NULL || !py_int(v, &n) || n < 0 || (strict && n == 0))
		return dflt;
	return n;
}

/* is_staff filter: 1/0 for true/false spellings, -1 to ignore it. */
static int
staff_filter(const struct req *r)
{
	const char *v;

	v = query_last(r, "is_staff");
	if (v == NULL)
		return -1;
	if (str_ieq(v, "true") || strcmp(v, "1") == 0)
		return 1;
	if (str_ieq(v, "false") || strcmp(v, "0") == 0)
		return 0;
	return -1;
}

/* Django's escape_uri_path: quote() with safe "/:@&+$,-_.!~*'()". */
static void
escape_path(struct buf *b, const char *p)
{
	static const char safe[] = "/:@&+$,-_.!~*'()";
	const unsigned char *s;

	for (s = (const unsigned char *)p; *s != '\0'; s++) {
		if ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		    (*s >= '0' && *s <= '9') || strchr(safe, *s) != NULL)
			buf_putc(b, (char)*s);
		else
			buf_printf(b, "%%%02X", *s);
	}
}

static int
kv_cmp(const void *a, const void *b)
{
	const struct kv *x = a, *y = b;
	int d;

	d = strcmp(x->key, y->key);
	if (d != 0)
		return d;
	/* equal keys keep their original order (stable by position) */
	return x < y ? -1 : x > y;
}

/*
 * DRF's replace_query_param/remove_query_param + urlencode(sorted(...)):
 * the request URL with limit set, offset set (or removed when offset is
 * negative), every parameter sorted by name and form-encoded.
 */
static char *
page_url(struct ctx *c, long long limit, long long offset)
{
	const struct req *r = c->req;
	struct kv *kv;
	struct buf b;
	size_t i, n;
	char *s;

	kv = arena_alloc(c->arena, (r->nqs + 2) * sizeof(*kv));
	n = 0;
	for (i = 0; i < r->nqs; i++)
		if (strcmp(r->qs[i].key, "limit") != 0 &&
		    strcmp(r->qs[i].key, "offset") != 0)
			kv[n++] = r->qs[i];
	kv[n].key = "limit";
	kv[n++].val = arena_printf(c->arena, "%lld", limit);
	if (offset >= 0) {
		kv[n].key = "offset";
		kv[n++].val = arena_printf(c->arena, "%lld", offset);
	}
	qsort(kv, n, sizeof(*kv), kv_cmp);
	buf_init(&b);
	buf_printf(&b, "%s://%s", r->scheme, r->host);
	escape_path(&b, r->path);
	for (i = 0; i < n; i++)
		buf_printf(&b, "%c%s=%s", i == 0 ? '?' : '&',
		    http_form_encode(c->arena, kv[i].key),
		    http_form_encode(c->arena, kv[i].val));
	s = arena_strdup(c->arena, b.data);
	buf_free(&b);
	return s;
}

#define LIST_WHERE \
	" FROM users u WHERE u.is_active = 1 AND (? IS NULL OR u.id = ?) " \
	"AND (? IS NULL OR u.email = ?) AND (? IS NULL OR u.is_staff = ?)"

/*
 * GET /api/users/ -- 200 {"count","next","previous","results"}.
 * Non-staff callers only ever see themselves.
 */
void
res_users_list(struct ctx *c)
{
	struct dbv p[8];
	struct db_res res;
	struct user *users;
	json_object *o, *results, **objs;
	const char *email;
	long long limit, offset, count;
	int staff;
	enum prk_err e;
	size_t i;

	limit = query_count(c->req, "limit", true, DEFAULT_LIMIT);
	offset = query_count(c->req, "offset", false, 0);
	email = query_last(c->req, "email");
	if (email != NULL && *email == '\0')
		email = NULL;
	staff = staff_filter(c->req);
	p[0] = p[1] = c->auth.user.is_staff ? DBV_NULLV :
	    DBV_I(c->auth.user.id);
	p[2] = p[3] = DBV_S(email);
	p[4] = p[5] = DBV_TRI(staff);
	/* unfiltered: the count the triggers keep (schema 0004), if there */
	res.nrows = 0;
	e = PRK_OK;
	if (c->auth.user.is_staff && email == NULL && staff < 0)
		e = db_exec(c->db, c->arena, "SELECT active FROM user_counts "
		    "WHERE id = 1", NULL, 0, &res);
	if (e == PRK_OK && res.nrows == 0)
		e = db_exec(c->db, c->arena, "SELECT COUNT(*)" LIST_WHERE, p,
		    6, &res);
	if (e != PRK_OK) {
		api_db_error(c, e);
		return;
	}
	count = db_int(&res, 0, 0);
	res.nrows = 0;
	if (count > 0 && offset <= count) {
		p[6] = DBV_I(limit);
		p[7] = DBV_I(offset);
		e = db_exec(c->db, c->arena, "SELECT " USER_COLUMNS LIST_WHERE
		    " ORDER BY u.id LIMIT ? OFFSET ?", p, 8, &res);
		if (e != PRK_OK) {
			api_db_error(c, e);
			return;
		}
	}
	users = arena_alloc(c->arena, (res.nrows + 1) * sizeof(*users));
	objs = arena_alloc(c->arena, (res.nrows + 1) * sizeof(*objs));
	for (i = 0; i < res.nrows; i++)
		user_from_row(&users[i], &res, i, 0);
	if ((e = user_render(c, users, res.nrows, objs)) != PRK_OK) {
		api_db_error(c, e);
		return;
	}
	o = json_object_new_object();
	json_add(o, "count", json_object_new_int64(count));
	json_add(o, "next", offset + limit >= count ? NULL :
	    json_str(page_url(c, limit, offset + limit)));
	json_add(o, "previous", offset <= 0 ? NULL :
	    json_str(page_url(c, limit, offset - limit <= 0 ? -1 :
	    offset - limit)));
	results = json_object_new_array_ext((int)res.nrows);
	for (i = 0; i < res.nrows; i++)
		json_object_array_add(results, objs[i]);
	json_add(o, "results", results);
	resp_json(c->resp, 200, o);
	json_object_put(o);
}

/* OPTIONS on list and detail -- 200 metadata (spec 11). */
void
res_users_options(struct ctx *c)
{
	static const char body[] = "{\"name\":\"User\",\"renders\":"
	    "[\"application/json\"],\"parses\":[\"application/json\","
	    "\"application/x-www-form-urlencoded\",\"multipart/form-data\"]}";

	c->resp->status = 200;
	c->resp->content_type = "application/json";
	buf_reset(&c->resp->body);
	buf_append(&c->resp->body, body, sizeof(body) - 1);
	resp_header(c->resp, "Allow: %s", route_allow(c->route, c->arena));
}
