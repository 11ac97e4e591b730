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
#include "res_health.h"
#include "res_users.h"
#include "res_users_update.h"
#include "res_users_delete.h"
#include "res_2fa.h"
#include "res_auth.h"
#include "res_scene.h"

#define USER_READ	"user:read"
#define USER_WRITE	"user:write"

enum route_id {
	ROUTE_USERS_LIST,
	ROUTE_USERS_DETAIL,
	ROUTE_USERS_HEDGEHOG_CONFIG,
	ROUTE_USERS_VERIFY_EMAIL,
	ROUTE_USERS_CANCEL_EMAIL_CHANGE,
	ROUTE_USERS_SCENE,
	ROUTE_USERS_2FA_START_SETUP,
	ROUTE_USERS_2FA_VALIDATE,
	ROUTE_USERS_2FA_STATUS,
	ROUTE_USERS_2FA_BACKUP_CODES,
	ROUTE_USERS_2FA_DISABLE,
	ROUTE_LOGIN,
	ROUTE_LOGIN_TOKEN,
	ROUTE_API_LOGOUT,
	ROUTE_LOGOUT,
	ROUTE_HEALTH,
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
		.flags = RF_ME_CACHE | RF_REAUTH_FIELDS,
		.methods = {
			[HTTP_GET] = { res_users_retrieve, USER_READ, 0 },
			[HTTP_PUT] = { res_users_update, USER_WRITE, 0 },
			[HTTP_PATCH] = { res_users_partial_update, USER_WRITE,
			    0 },
			/* session only: a key is not even looked at (2.1) */
			[HTTP_DELETE] = { res_users_delete, NULL,
			    AUTHN_SESSION },
			[HTTP_OPTIONS] = { res_users_options, USER_READ, 0 },
		},
	},
	[ROUTE_USERS_HEDGEHOG_CONFIG] = {
		.name = "users-hedgehog-config",
		.flags = RF_REAUTH_EXEMPT | RF_NO_THROTTLE,
		.methods = {
			[HTTP_GET] = { res_users_hedgehog_get, USER_READ, 0 },
			[HTTP_PATCH] = { res_users_hedgehog_patch, USER_WRITE,
			    0 },
		},
	},
	/* AllowAny in PostHog: a session may be present, keys play no part */
	[ROUTE_USERS_VERIFY_EMAIL] = {
		.name = "users-verify-email",
		.flags = RF_ANONYMOUS,
		.methods = {
			[HTTP_POST] = { res_users_verify_email, NULL,
			    AUTHN_SESSION },
		},
		.authn_default = AUTHN_SESSION,
	},
	[ROUTE_USERS_CANCEL_EMAIL_CHANGE] = {
		.name = "users-cancel-email-change-request",
		.methods = {
			[HTTP_PATCH] = { res_users_cancel_email_change,
			    USER_WRITE, 0 },
		},
	},
	/* Keys are refused on these (no scope, spec 2.4). */
	[ROUTE_USERS_SCENE] = {
		.name = "users-scene-personalisation",
		.flags = RF_REAUTH_EXEMPT,
		.methods = {
			[HTTP_POST] = { res_scene_personalisation, NULL, 0 },
		},
	},
	[ROUTE_USERS_2FA_START_SETUP] = {
		.name = "users-two-factor-start-setup",
		.methods = {
			[HTTP_GET] = { res_2fa_start_setup, NULL, 0 },
		},
	},
	[ROUTE_USERS_2FA_VALIDATE] = {
		.name = "users-two-factor-validate",
		.methods = {
			[HTTP_POST] = { res_2fa_validate, NULL, 0 },
		},
	},
	[ROUTE_USERS_2FA_STATUS] = {
		.name = "users-two-factor-status",
		.methods = {
			[HTTP_GET] = { res_2fa_status, NULL, 0 },
		},
	},
	[ROUTE_USERS_2FA_BACKUP_CODES] = {
		.name = "users-two-factor-backup-codes",
		.methods = {
			[HTTP_POST] = { res_2fa_backup_codes, NULL, 0 },
		},
	},
	[ROUTE_USERS_2FA_DISABLE] = {
		.name = "users-two-factor-disable",
		.methods = {
			[HTTP_POST] = { res_2fa_disable, NULL, 0 },
		},
	},
	/*
	 * Login and logout: session only, anonymous allowed (spec 2.1); CSRF
	 * applies when a valid session is present; never re-auth-checked.
	 */
	[ROUTE_HEALTH] = {
		.name = "health",
		.flags = RF_ANONYMOUS | RF_REAUTH_EXEMPT,
		.methods = {
			[HTTP_GET] = { res_health, NULL, AUTHN_NOBODY },
		},
		.authn_default = AUTHN_NOBODY,
	},
	[ROUTE_LOGIN] = {
		.name = "login",
		.flags = RF_ANONYMOUS | RF_REAUTH_EXEMPT,
		.methods = {
			[HTTP_POST] = { res_auth_login, NULL, AUTHN_SESSION },
		},
		.authn_default = AUTHN_SESSION,
	},
	[ROUTE_LOGIN_TOKEN] = {
		.name = "login-token",
		.flags = RF_ANONYMOUS | RF_REAUTH_EXEMPT,
		.methods = {
			[HTTP_POST] = { res_auth_login_token, NULL,
			    AUTHN_SESSION },
		},
		.authn_default = AUTHN_SESSION,
	},
	[ROUTE_API_LOGOUT] = {
		.name = "api-logout",
		.flags = RF_ANONYMOUS | RF_REAUTH_EXEMPT,
		.methods = {
			[HTTP_POST] = { res_auth_logout, NULL, AUTHN_SESSION },
		},
		.authn_default = AUTHN_SESSION,
	},
	[ROUTE_LOGOUT] = {
		.name = "logout",
		.flags = RF_ANONYMOUS | RF_REAUTH_EXEMPT,
		.methods = {
			[HTTP_POST] = { res_auth_logout_redirect, NULL,
			    AUTHN_SESSION },
		},
		.authn_default = AUTHN_SESSION,
	},
};

/* A detail action: /api/users/:id/<action>/ */
struct action {
	const char		*name;
	const struct route	*route;
};

static const struct action detail_actions[] = {
	{ "hedgehog_config", &routes[ROUTE_USERS_HEDGEHOG_CONFIG] },
	{ "scene_personalisation", &routes[ROUTE_USERS_SCENE] },
	{ "start_2fa_setup", &routes[ROUTE_USERS_2FA_START_SETUP] },
	{ "two_factor_start_setup", &routes[ROUTE_USERS_2FA_START_SETUP] },
	{ "two_factor_validate", &routes[ROUTE_USERS_2FA_VALIDATE] },
	{ "validate_2fa", &routes[ROUTE_USERS_2FA_VALIDATE] },
	{ "two_factor_status", &routes[ROUTE_USERS_2FA_STATUS] },
	{ "two_factor_backup_codes", &routes[ROUTE_USERS_2FA_BACKUP_CODES] },
	{ "two_factor_disable", &routes[ROUTE_USERS_2FA_DISABLE] },
	{ NULL, NULL },
};

static const struct action list_actions[] = {
	{ "verify_email", &routes[ROUTE_USERS_VERIFY_EMAIL] },
	{ "cancel_email_change_request",
	    &routes[ROUTE_USERS_CANCEL_EMAIL_CHANGE] },
	{ NULL, NULL },
};

/* Top-level paths other than /api/users. */
static const struct action exact_paths[] = {
	{ "/api/users", &routes[ROUTE_USERS_LIST] },
	{ "/api/login", &routes[ROUTE_LOGIN] },
	{ "/api/login/token", &routes[ROUTE_LOGIN_TOKEN] },
	{ "/api/logout", &routes[ROUTE_API_LOGOUT] },
	{ "/logout", &routes[ROUTE_LOGOUT] },
	{ "/_health", &routes[ROUTE_HEALTH] },
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
