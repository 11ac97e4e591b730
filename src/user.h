/*
 * user -- the users table row, its loaders and the PostHog user object
 * (spec 4): nested team/organization/organizations, auto-selection of the
 * current organisation and team, scene personalisation, 2FA flag.
 *
 * All strings point into the request arena.
 */
#ifndef USER_H
#define USER_H

#include <stdbool.h>

#include <json-c/json.h>

#include "prickle.h"

struct ctx;
struct db_res;

struct user {
	long long	 id;
	const char	*uuid;
	const char	*password;
	const char	*first_name;
	const char	*last_name;
	const char	*email;
	const char	*pending_email;
	int		 is_email_verified;	/* -1 NULL, 0, 1 */
	bool		 is_staff;
	bool		 is_active;
	const char	*date_joined;		/* DB text */
	const char	*distinct_id;
	const char	*current_organization_id;	/* NULL = none */
	long long	 current_team_id;	/* 0 = none */
	const char	*notification_settings;	/* JSON text or NULL */
	int		 anonymize_data;
	int		 allow_impersonation;
	const char	*toolbar_mode;
	const char	*events_column_config;	/* JSON text */
	const char	*has_seen_product_intro_for;
	const char	*theme_mode;
	const char	*hedgehog_config;
	int		 allow_sidebar_suggestions;
	const char	*shortcut_position;
	const char	*role_at_organization;
	int		 passkeys_enabled_for_2fa;
	bool		 is_2fa_enabled;	/* a 'default' TOTP device */
};

/* SELECT list matching user_from_row(), for a users table aliased "u". */
#define USER_COLUMNS \
	"u.id, u.uuid, u.password, u.first_name, u.last_name, u.email, " \
	"u.pending_email, u.is_email_verified, u.is_staff, u.is_active, " \
	"u.date_joined, u.distinct_id, u.current_organization_id, " \
	"u.current_team_id, u.notification_settings, u.anonymize_data, " \
	"u.allow_impersonation, u.toolbar_mode, u.events_column_config, " \
	"u.has_seen_product_intro_for, u.theme_mode, u.hedgehog_config, " \
	"u.allow_sidebar_suggestions, u.shortcut_position, " \
	"u.role_at_organization, u.passkeys_enabled_for_2fa, " \
	"EXISTS (SELECT 1 FROM totp_devices d WHERE d.user_id = u.id " \
	"AND d.name = 'default')"
#define USER_NCOLUMNS 27

/* Fill u from columns col .. col+USER_NCOLUMNS-1 of a result row. */
void user_from_row(struct user *u, const struct db_res *, size_t row,
    size_t col);

/* Active user by canonical uuid; *found false when none. */
enum prk_err user_load_active_by_uuid(struct ctx *, const char *uuid,
    struct user *out, bool *found);
/* Any user by id (active or not). */
enum prk_err user_load_by_id(struct ctx *, long long id, struct user *out,
    bool *found);

/*
 * Render users[0..n-1] as PostHog user objects (spec 4.1) into out[]
 * (new json-c objects owned by the caller), from the point of view of the
 * authenticated user in ctx (membership levels are the requester's).
 * Saves auto-selected current organisation/team (spec 4.5).
 */
enum prk_err user_render(struct ctx *, struct user *users, size_t n,
    json_object **out);

/* Datetime text from MariaDB ("2025-03-04 10:11:12.123456") in Django's
 * model style ("2025-03-04T10:11:12.123456Z", no fraction when zero). */
const char *user_iso_datetime(struct ctx *, const char *dbtext);

/* Default notification settings merged with stored overrides (spec 5.3.6). */
json_object *user_notification_settings(const char *stored_json);

#endif
