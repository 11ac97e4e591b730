/*
 * router -- URL shapes of the API (spec 1.1, 2.1, 2.4).
 *
 * PostHog's router makes the trailing slash optional everywhere and
 * matches a user lookup segment against [^/.]+; list-level actions
 * (/api/users/verify_email/) are tried before the detail route, as DRF's
 * SimpleRouter orders them.
 */
#include <string.h>

#include "arena.h"
#include "router.h"
#include "res_users.h"

#define USER_READ	"user:read"
#define USER_WRITE	"user:write"

enum route_id {
	ROUTE_USERS_LIST,
	ROUTE_USERS_DETAIL,
	ROUTE__MAX
};

static const struct route routes[ROUTE__MAX] = {
	[ROUTE_USERS_LIST] = {
		.name = "users-list",
		.methods = {
			[HTTP_GET] = { res_users_list, USER_READ, 0 },
			[HTTP_OPTIONS] = { res_users_options, USER_READ, 0 },
		},
	},
	[ROUTE_USERS_DETAIL] = {
		.name = "users-detail",
		.flags = RF_PREFETCH_ME,
		.methods = {
			[HTTP_GET] = { res_users_retrieve, USER_READ, 0 },
			[HTTP_OPTIONS] = { res_users_options, USER_READ, 0 },
		},
	},
};

/* A detail action: /api/users/:id/<action>/ */
struct action {
	const char		*name;
	const struct route	*route;
};

static const struct action detail_actions[] = {
	{ NULL, NULL },
};

static const struct action list_actions[] = {
	{ NULL, NULL },
};

/* Top-level paths other than /api/users. */
static const struct action exact_paths[] = {
	{ "/api/users", &routes[ROUTE_USERS_LIST] },
	{ NULL, NULL },
};

static const struct route *
find_action(const struct action *t, const char *name, size_t len)
{
	for (; t->name != NULL; t++)
		if (strlen(t->name) == len && memcmp(t->name, name, len) == 0)
			return t->route;
	return NULL;
}

/* PostHog's lookup pattern [^/.]+ (the slash is already split off). */
static bool
valid_lookup(const char *s, size_t len)
{
	return len > 0 && memchr(s, '.', len) == NULL;
}

const struct route *
router_match(const char *path, struct arena *a, const char **lookup)
{
	static const char users[] = "/api/users/";
	const char *rest, *slash;
	size_t len, n1;
	const struct route *r;

	*lookup = NULL;
	len = strlen(path);
	/* one optional trailing slash */
	if (len > 1 && path[len - 1] == '/')
		len--;
	if ((r = find_action(exact_paths, path, len)) != NULL)
		return r;
	if (len <= sizeof(users) - 1 ||
	    strncmp(path, users, sizeof(users) - 1) != 0)
		return NULL;
	rest = path + sizeof(users) - 1;
	len -= sizeof(users) - 1;
	slash = memchr(rest, '/', len);
	n1 = slash != NULL ? (size_t)(slash - rest) : len;
	if (!valid_lookup(rest, n1))
		return NULL;
	if (slash == NULL) {
		if ((r = find_action(list_actions, rest, n1)) != NULL)
			return r;
		*lookup = arena_strndup(a, rest, n1);
		return &routes[ROUTE_USERS_DETAIL];
	}
	r = find_action(detail_actions, slash + 1, len - n1 - 1);
	if (r != NULL)
		*lookup = arena_strndup(a, rest, n1);
	return r;
}

const struct method_spec *
route_method(const struct route *r, enum http_method m)
{
	if (m == HTTP_HEAD)
		m = HTTP_GET;
	return &r->methods[m];
}

const char *
route_allow(const struct route *r, struct arena *a)
{
	/* DRF's order: GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS */
	static const enum http_method order[] = {
		HTTP_GET, HTTP_POST, HTTP_PUT, HTTP_PATCH, HTTP_DELETE,
		HTTP_HEAD, HTTP_OPTIONS,
	};
	char buf[128];
	size_t i;

	buf[0] = '\0';
	for (i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		if (route_method(r, order[i])->fn == NULL)
			continue;
		if (buf[0] != '\0')
			strcat(buf, ", ");
		strcat(buf, http_method_name(order[i]));
	}
	return arena_strdup(a, buf);
}
