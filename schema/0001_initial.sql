-- prickle schema 0001: organizations, teams, users, memberships, personal
-- API keys, and what the user object renders (TOTP devices, dashboards,
-- scene personalisation).  Applied by `prickle migrate`, recorded in
-- schema_migrations.  Append-only: later changes go in new files.

CREATE TABLE IF NOT EXISTS organizations (
	id			CHAR(36) CHARACTER SET ascii NOT NULL,
	name			VARCHAR(64) NOT NULL,
	slug			VARCHAR(48) CHARACTER SET ascii NOT NULL,
	logo_media_id		CHAR(36) CHARACTER SET ascii NULL,
	created_at		DATETIME(6) NOT NULL,
	updated_at		DATETIME(6) NOT NULL,
	plugins_access_level	SMALLINT NOT NULL DEFAULT 9,
	available_product_features LONGTEXT NULL,
	is_member_join_email_enabled TINYINT(1) NOT NULL DEFAULT 1,
	customer_id		VARCHAR(200) NULL,
	enforce_2fa		TINYINT(1) NULL,
	members_can_invite	TINYINT(1) NULL DEFAULT 1,
	members_can_use_personal_api_keys TINYINT(1) NOT NULL DEFAULT 1,
	allow_publicly_shared_resources TINYINT(1) NOT NULL DEFAULT 1,
	is_ai_data_processing_approved TINYINT(1) NULL,
	default_experiment_stats_method VARCHAR(20) NULL DEFAULT 'bayesian',
	default_anonymize_ips	TINYINT(1) NOT NULL DEFAULT 0,
	default_role_id		CHAR(36) CHARACTER SET ascii NULL,
	is_active		TINYINT(1) NULL DEFAULT 1,
	is_not_active_reason	VARCHAR(200) NULL,
	is_pending_deletion	TINYINT(1) NULL DEFAULT 0,
	PRIMARY KEY (id),
	UNIQUE KEY organizations_slug (slug)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS teams (
	id			INT NOT NULL AUTO_INCREMENT,
	uuid			CHAR(36) CHARACTER SET ascii NOT NULL,
	organization_id		CHAR(36) CHARACTER SET ascii NOT NULL,
	project_id		INT NULL,
	api_token		VARCHAR(200) CHARACTER SET ascii NOT NULL,
	name			VARCHAR(200) NOT NULL,
	completed_snippet_onboarding TINYINT(1) NOT NULL DEFAULT 0,
	has_completed_onboarding_for LONGTEXT NULL,
	ingested_event		TINYINT(1) NOT NULL DEFAULT 0,
	is_demo			TINYINT(1) NOT NULL DEFAULT 0,
	timezone		VARCHAR(240) NOT NULL DEFAULT 'UTC',
	access_control		TINYINT(1) NOT NULL DEFAULT 0,
	created_at		DATETIME(6) NOT NULL,
	PRIMARY KEY (id),
	UNIQUE KEY teams_uuid (uuid),
	UNIQUE KEY teams_api_token (api_token),
	KEY teams_org (organization_id, id),
	CONSTRAINT teams_org_fk FOREIGN KEY (organization_id)
	    REFERENCES organizations (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS users (
	id			BIGINT NOT NULL AUTO_INCREMENT,
	uuid			CHAR(36) CHARACTER SET ascii NOT NULL,
	password		VARCHAR(128) CHARACTER SET ascii COLLATE ascii_bin NOT NULL DEFAULT '',
	last_login		DATETIME(6) NULL,
	first_name		VARCHAR(150) NOT NULL DEFAULT '',
	last_name		VARCHAR(150) NOT NULL DEFAULT '',
	-- Stored as given (case preserved, compared exactly); email_lower
	-- enforces case-insensitive uniqueness.
	email			VARCHAR(254) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
	email_lower		VARCHAR(254) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin
				    AS (LOWER(email)) STORED,
	pending_email		VARCHAR(254) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NULL,
	is_email_verified	TINYINT(1) NULL,
	is_staff		TINYINT(1) NOT NULL DEFAULT 0,
	is_active		TINYINT(1) NOT NULL DEFAULT 1,
	date_joined		DATETIME(6) NOT NULL,
	distinct_id		VARCHAR(200) CHARACTER SET ascii COLLATE ascii_bin NULL,
	current_organization_id	CHAR(36) CHARACTER SET ascii NULL,
	current_team_id		INT NULL,
	-- JSON columns hold the exact JSON text; SQL NULL is JSON null.
	notification_settings	LONGTEXT NULL,
	anonymize_data		TINYINT(1) NULL DEFAULT 0,
	allow_impersonation	TINYINT(1) NULL,
	toolbar_mode		VARCHAR(200) NULL DEFAULT 'toolbar',
	events_column_config	LONGTEXT NOT NULL DEFAULT '{"active":"DEFAULT"}',
	has_seen_product_intro_for LONGTEXT NULL,
	theme_mode		VARCHAR(20) NULL,
	hedgehog_config		LONGTEXT NULL,
	allow_sidebar_suggestions TINYINT(1) NULL,
	shortcut_position	VARCHAR(20) NULL,
	role_at_organization	VARCHAR(64) NULL,
	passkeys_enabled_for_2fa TINYINT(1) NULL DEFAULT 0,
	PRIMARY KEY (id),
	UNIQUE KEY users_uuid (uuid),
	UNIQUE KEY users_email_lower (email_lower),
	UNIQUE KEY users_distinct_id (distinct_id),
	KEY users_email (email),
	KEY users_active (is_active, id),
	CONSTRAINT users_cur_org_fk FOREIGN KEY (current_organization_id)
	    REFERENCES organizations (id) ON DELETE SET NULL,
	CONSTRAINT users_cur_team_fk FOREIGN KEY (current_team_id)
	    REFERENCES teams (id) ON DELETE SET NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- level: 1 member, 8 admin, 15 owner
CREATE TABLE IF NOT EXISTS organization_memberships (
	id			BIGINT NOT NULL AUTO_INCREMENT,
	organization_id		CHAR(36) CHARACTER SET ascii NOT NULL,
	user_id			BIGINT NOT NULL,
	level			SMALLINT NOT NULL DEFAULT 1,
	joined_at		DATETIME(6) NOT NULL,
	updated_at		DATETIME(6) NOT NULL,
	PRIMARY KEY (id),
	UNIQUE KEY memberships_org_user (organization_id, user_id),
	KEY memberships_user (user_id, id),
	CONSTRAINT memberships_org_fk FOREIGN KEY (organization_id)
	    REFERENCES organizations (id) ON DELETE CASCADE,
	CONSTRAINT memberships_user_fk FOREIGN KEY (user_id)
	    REFERENCES users (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- secure_value = "sha256$" + hex(sha256(key)); the key itself is never
-- stored.  scopes: JSON array text or NULL (= no access).
CREATE TABLE IF NOT EXISTS personal_api_keys (
	id			BIGINT NOT NULL AUTO_INCREMENT,
	user_id			BIGINT NOT NULL,
	label			VARCHAR(40) NOT NULL DEFAULT '',
	secure_value		VARCHAR(300) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
	mask_value		VARCHAR(11) CHARACTER SET ascii NOT NULL,
	scopes			LONGTEXT NULL,
	scoped_teams		LONGTEXT NULL,
	scoped_organizations	LONGTEXT NULL,
	created_at		DATETIME(6) NOT NULL,
	last_used_at		DATETIME(6) NULL,
	last_rolled_at		DATETIME(6) NULL,
	PRIMARY KEY (id),
	UNIQUE KEY personal_api_keys_secure_value (secure_value),
	KEY personal_api_keys_user (user_id),
	CONSTRAINT personal_api_keys_user_fk FOREIGN KEY (user_id)
	    REFERENCES users (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- TOTP devices; the secret is AES-256-GCM sealed (hex) with a key derived
-- from the config's secret_key.  "2FA enabled" = a device named 'default'.
CREATE TABLE IF NOT EXISTS totp_devices (
	id			BIGINT NOT NULL AUTO_INCREMENT,
	user_id			BIGINT NOT NULL,
	name			VARCHAR(64) NOT NULL DEFAULT 'default',
	key_sealed		VARCHAR(255) CHARACTER SET ascii NOT NULL,
	step			INT NOT NULL DEFAULT 30,
	t0			BIGINT NOT NULL DEFAULT 0,
	digits			SMALLINT NOT NULL DEFAULT 6,
	tolerance		SMALLINT NOT NULL DEFAULT 1,
	drift			SMALLINT NOT NULL DEFAULT 0,
	last_t			BIGINT NOT NULL DEFAULT -1,
	throttling_failure_count INT NOT NULL DEFAULT 0,
	throttling_failure_timestamp DATETIME(6) NULL,
	created_at		DATETIME(6) NOT NULL,
	PRIMARY KEY (id),
	KEY totp_devices_user (user_id, id),
	CONSTRAINT totp_devices_user_fk FOREIGN KEY (user_id)
	    REFERENCES users (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS dashboards (
	id			INT NOT NULL AUTO_INCREMENT,
	team_id			INT NOT NULL,
	name			VARCHAR(400) NOT NULL DEFAULT '',
	created_at		DATETIME(6) NOT NULL,
	PRIMARY KEY (id),
	KEY dashboards_team (team_id),
	CONSTRAINT dashboards_team_fk FOREIGN KEY (team_id)
	    REFERENCES teams (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Rows render in insertion order (id); unique per (team, user, scene).
CREATE TABLE IF NOT EXISTS user_scene_personalisation (
	id			BIGINT NOT NULL AUTO_INCREMENT,
	user_id			BIGINT NOT NULL,
	team_id			INT NULL,
	scene			VARCHAR(200) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
	dashboard_id		INT NULL,
	PRIMARY KEY (id),
	UNIQUE KEY scene_team_user_scene (team_id, user_id, scene),
	KEY scene_user (user_id, id),
	CONSTRAINT scene_user_fk FOREIGN KEY (user_id)
	    REFERENCES users (id) ON DELETE CASCADE,
	CONSTRAINT scene_team_fk FOREIGN KEY (team_id)
	    REFERENCES teams (id) ON DELETE CASCADE,
	CONSTRAINT scene_dashboard_fk FOREIGN KEY (dashboard_id)
	    REFERENCES dashboards (id) ON DELETE SET NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
