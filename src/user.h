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

#define ORG_COLUMNS \
	"o.id, o.name, o.slug, o.logo_media_id, o.created_at, o.updated_at, " \
	"o.plugins_access_level, o.available_product_features, " \
	"o.is_member_join_email_enabled, o.customer_id, o.enforce_2fa, " \
	"o.members_can_invite, o.members_can_use_personal_api_keys, " \
	"o.allow_publicly_shared_resources, o.is_ai_data_processing_approved, " \
	"o.default_experiment_stats_method, o.default_anonymize_ips, " \
	"o.default_role_id, o.is_active, o.is_not_active_reason, " \
	"o.is_pending_deletion, COALESCE(mc.members, 0)"
#define ORG_NCOLUMNS 22
/* What ORG_COLUMNS needs joined to organizations o. */
#define ORG_JOINS \
	" LEFT JOIN organization_member_counts mc ON mc.organization_id = o.id"

#define TEAM_COLUMNS \
	"t.id, t.uuid, t.organization_id, t.project_id, t.api_token, t.name, " \
	"t.completed_snippet_onboarding, t.has_completed_onboarding_for, " \
	"t.ingested_event, t.is_demo, t.timezone, t.access_control"
#define TEAM_NCOLUMNS 12

/*
 * Everything nested in the user objects of a set of users, as tagged rows
 * of one UNION ALL (USER_ROW_WIDTH columns: a tag, then the fields, then
 * NULL padding):
 *   'm' memberships: user_id, organization, level
 *   'o' organisations the users belong to or have current: ORG_COLUMNS
 *       (the active members are counted by triggers, schema 0004)
 *   't' teams: TEAM_COLUMNS.  Only those the objects can show: the users'
 *       current teams, the teams of the requester's organisations (an
 *       organisation lists its teams to members only), and for a user
 *       without a current team the teams of the organisation that is or
 *       becomes current (spec 4.5 picks the lowest team id there).
 *   's' scene personalisations: user_id, scene, dashboard, row id
 * 't' rows may repeat, so the reader sorts and de-duplicates.  Each part
 * is an index lookup.  IDS is a parenthesised, uncorrelated set of user
 * ids holding one parameter, which comes USER_RENDER_NIDS times; the
 * requester's id is the last parameter.  Append to a first SELECT of the
 * same width.
 */
#define USER_ROW_WIDTH 31
#define USER_PAD1 "NULL"
#define USER_PAD2 USER_PAD1 ", " USER_PAD1
#define USER_PAD4 USER_PAD2 ", " USER_PAD2
#define USER_PAD8 USER_PAD4 ", " USER_PAD4
#define USER_PAD16 USER_PAD8 ", " USER_PAD8
#define USER_PAD30 USER_PAD16 ", " USER_PAD8 ", " USER_PAD4 ", " USER_PAD2
#define USER_TEAM_ROW "SELECT 't', " TEAM_COLUMNS ", " USER_PAD16 ", " \
	USER_PAD2
#define USER_RENDER_ROWS(ids) \
	" UNION ALL SELECT 'm', m.user_id, m.organization_id, m.level, " \
	USER_PAD16 ", " USER_PAD8 ", " USER_PAD2 ", " USER_PAD1 \
	" FROM organization_memberships m WHERE m.user_id IN " ids \
	" UNION ALL SELECT 'o', " ORG_COLUMNS ", " USER_PAD8 \
	" FROM organizations o JOIN (SELECT m2.organization_id AS id FROM " \
	"organization_memberships m2 WHERE m2.user_id IN " ids " UNION " \
	"SELECT u2.current_organization_id FROM users u2 WHERE u2.id IN " \
	ids ") ro ON o.id = ro.id" ORG_JOINS \
	" UNION ALL " USER_TEAM_ROW " FROM users u4 JOIN teams t ON " \
	"t.id = u4.current_team_id WHERE u4.id IN " ids \
	" UNION ALL " USER_TEAM_ROW " FROM users u5 JOIN teams t ON " \
	"t.organization_id = COALESCE(u5.current_organization_id, (SELECT " \
	"MIN(m6.organization_id) FROM organization_memberships m6 WHERE " \
	"m6.user_id = u5.id)) WHERE u5.id IN " ids " AND " \
	"u5.current_team_id IS NULL" \
	" UNION ALL SELECT 's', s.user_id, s.scene, s.dashboard_id, s.id, " \
	USER_PAD16 ", " USER_PAD8 ", " USER_PAD2 \
	" FROM user_scene_personalisation s WHERE s.user_id IN " ids \
	" UNION ALL " USER_TEAM_ROW " FROM teams t WHERE t.organization_id " \
	"IN (SELECT m3.organization_id FROM organization_memberships m3 " \
	"WHERE m3.user_id = ?)"
#define USER_RENDER_NIDS 6

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


#endif
