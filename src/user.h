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
 * What the user objects of a set of users link to, in two statements of
 * tagged rows (a tag, the fields, NULL padding to the statement's width);
 * each part is an index lookup per id of a JSON_TABLE.
 *
 * USER_RENDER_LINKS, USER_LINKS_WIDTH columns; its one parameter, a JSON
 * array of the user ids and the requester's, comes twice:
 *   'm' memberships: user_id, organization, level
 *   's' scene personalisations: user_id, scene, dashboard, row id
 *   'g' render_generation.n (none when the row was deleted by hand)
 *
 * USER_RENDER_NESTED, USER_NESTED_WIDTH columns, for the objects the
 * worker has no copy of (nestcache.h); its parameters are JSON arrays:
 * organisation ids, team ids, and the organisations whose teams are all
 * wanted (those the requester belongs to: an organisation lists its teams
 * to members only; those where a team is to be auto-selected, spec 4.5).
 *   'o' organisations: ORG_COLUMNS (active members counted by triggers)
 *   't' teams: TEAM_COLUMNS; a team may come twice.
 */
#define USER_LINKS_WIDTH 5
#define USER_NESTED_WIDTH (1 + ORG_NCOLUMNS)
#define USER_PAD1 "NULL"
#define USER_PAD2 USER_PAD1 ", " USER_PAD1
#define USER_PAD3 USER_PAD2 ", " USER_PAD1
#define USER_PAD4 USER_PAD2 ", " USER_PAD2
#define USER_PAD5 USER_PAD4 ", " USER_PAD1
#define USER_PAD8 USER_PAD4 ", " USER_PAD4
#define USER_PAD10 USER_PAD8 ", " USER_PAD2
#define USER_PAD16 USER_PAD8 ", " USER_PAD8
#define USER_PAD23 USER_PAD16 ", " USER_PAD4 ", " USER_PAD3
#define USER_JT_INTS(alias) "JSON_TABLE(?, '$[*]' COLUMNS (id BIGINT " \
	"PATH '$')) " alias
/* The ids compare with ascii columns, so the index serves the join. */
#define USER_JT_UUIDS(alias) "JSON_TABLE(?, '$[*]' COLUMNS (id CHAR(36) " \
	"CHARACTER SET ascii PATH '$')) " alias
#define USER_RENDER_LINKS \
	"SELECT " USER_PAD5 " FROM DUAL WHERE FALSE" \
	" UNION ALL SELECT 'm', m.user_id, m.organization_id, m.level, NULL " \
	"FROM " USER_JT_INTS("j") " JOIN organization_memberships m ON " \
	"m.user_id = j.id" \
	" UNION ALL SELECT 's', s.user_id, s.scene, s.dashboard_id, s.id " \
	"FROM " USER_JT_INTS("j") " JOIN user_scene_personalisation s ON " \
	"s.user_id = j.id" \
	" UNION ALL SELECT 'g', g.n, NULL, NULL, NULL FROM render_generation g " \
	"WHERE g.id = 1"
#define USER_RENDER_NESTED \
	"SELECT " USER_PAD23 " FROM DUAL WHERE FALSE" \
	" UNION ALL SELECT 'o', " ORG_COLUMNS " FROM " USER_JT_UUIDS("j") \
	" JOIN organizations o ON o.id = j.id" ORG_JOINS \
	" UNION ALL SELECT 't', " TEAM_COLUMNS ", " USER_PAD10 " FROM " \
	USER_JT_INTS("j") " JOIN teams t ON t.id = j.id" \
	" UNION ALL SELECT 't', " TEAM_COLUMNS ", " USER_PAD10 " FROM " \
	USER_JT_UUIDS("j") " JOIN teams t ON t.organization_id = j.id"

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
 * (new json-c objects owned by the caller, already serialised: they print
 * as the user object and must not outlive the request's arena), from the
 * point of view of the authenticated user in ctx (membership levels are
 * the requester's).
 * Saves auto-selected current organisation/team (spec 4.5).
 */
enum prk_err user_render(struct ctx *, struct user *users, size_t n,
    json_object **out);

/* Datetime text from MariaDB ("2025-03-04 10:11:12.123456") in Django's
 * model style ("2025-03-04T10:11:12.123456Z", no fraction when zero). */
const char *user_iso_datetime(struct ctx *, const char *dbtext);


#endif
