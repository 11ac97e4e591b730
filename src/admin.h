/*
 * admin -- the operations behind the `prickle` admin CLI: users, personal
 * API keys, organisations, teams, memberships and dashboards.
 *
 * Every function works on a struct admin that bundles the borrowed
 * database, arena and config; strings it returns live in that arena.
 * On failure a function returns the error and leaves a one-line,
 * human-readable message in ad->err (e.g. "no user with email 'x'").
 */
#ifndef ADMIN_H
#define ADMIN_H

#include <stdbool.h>
#include <stddef.h>

#include "prickle.h"

struct arena;
struct conf;
struct db;

#define ADMIN_ERR_MAX 512

struct admin {
	struct db		*db;		/* borrowed */
	struct arena		*arena;		/* borrowed: results live here */
	const struct conf	*conf;		/* borrowed */
	char			 err[ADMIN_ERR_MAX];
};

/* Organisation membership levels (spec §4.3). */
enum admin_level {
	ADMIN_LEVEL_MEMBER = 1,
	ADMIN_LEVEL_ADMIN = 8,
	ADMIN_LEVEL_OWNER = 15
};

struct admin_new_user {
	const char	*email;
	const char	*password;	/* NULL = no usable password */
	const char	*first_name;	/* NULL = "" */
	const char	*last_name;	/* NULL = "" */
	bool		 staff;
};

struct admin_user {
	long long	 id;
	const char	*uuid;
	const char	*email;
	const char	*first_name;
	const char	*last_name;
	const char	*date_joined;	/* "YYYY-MM-DD HH:MM:SS.ffffff" UTC */
	bool		 is_active;
	bool		 is_staff;
	bool		 has_password;
};

struct admin_key {
	long long	 id;
	const char	*label;
	const char	*mask;
	const char	*scopes;	/* JSON array text, NULL = none */
	const char	*created_at;
	const char	*last_used_at;	/* NULL = never used */
};

void admin_init(struct admin *, struct db *, struct arena *,
    const struct conf *);

/* Email as Django's EmailField accepts it (already trimmed). */
bool admin_email_valid(const char *email);
/* Django's slugify() for ASCII and Latin-1 letters; out has len+1. */
void admin_slugify(const char *name, char *out, size_t outsz);

/* Users.  A new user's uuid is written to uuid_out[37]. */
enum prk_err admin_user_add(struct admin *, const struct admin_new_user *,
    char uuid_out[37]);
enum prk_err admin_user_list(struct admin *, struct admin_user **users,
    size_t *n);
enum prk_err admin_user_set_active(struct admin *, const char *email,
    bool active);
enum prk_err admin_user_set_staff(struct admin *, const char *email,
    bool staff);
/* New password (min length from the config); ends the user's sessions. */
enum prk_err admin_user_set_password(struct admin *, const char *email,
    const char *password);

/*
 * Personal API keys.  scopes is a comma-separated list ("" = none);
 * the new key (shown once, never stored) goes to key_out[APIKEY_MAX].
 */
enum prk_err admin_key_add(struct admin *, const char *email,
    const char *scopes, const char *label, char *key_out);
enum prk_err admin_key_list(struct admin *, const char *email,
    struct admin_key **keys, size_t *n);
enum prk_err admin_key_revoke(struct admin *, const char *id);

/*
 * Organisations are named by uuid or slug, teams by numeric id or uuid.
 */
enum prk_err admin_org_add(struct admin *, const char *name,
    char uuid_out[37]);
enum prk_err admin_org_set_enforce_2fa(struct admin *, const char *org,
    bool enforce);
enum prk_err admin_team_add(struct admin *, const char *org,
    const char *name, long long *id);
enum prk_err admin_member_add(struct admin *, const char *org,
    const char *email, enum admin_level);
enum prk_err admin_dashboard_add(struct admin *, const char *team,
    const char *name, long long *id);

#endif
