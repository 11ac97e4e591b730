-- prickle schema 0004: what makes the user object cheap to render.
-- Append-only.
--
-- organization_member_counts.members is the organisation's number of
-- active members (users-api.md §4.3; no row is 0), kept by the triggers
-- below, so that no request counts memberships.  It is a table of its own,
-- not a column of organizations: a trigger cannot write a table its
-- statement reads, and statements that add memberships or deactivate
-- users by reading organizations are common in admin SQL.
--
-- users.render_version grows with every update of the row.
-- render_generation.n grows with every change to what a user object shows
-- beyond the users row itself: organisations, teams, memberships, scene
-- personalisations, dashboards, TOTP devices, member counts.  A worker
-- keeps the @me body it rendered with the two numbers it read with the
-- key, in the same statement; it answers from that copy only while both
-- are unchanged (src/mecache.c).  The triggers make every writer keep
-- them right, prickle or not (the CLI, an admin's SQL), inside the
-- writer's own transaction.
--
-- user_counts.active is the number of active users: the count of an
-- unfiltered user list (§5.1) without scanning the users table.
--
-- Foreign-key cascades do not fire triggers, so the users and
-- organizations/teams triggers account for what their deletes cascade to.
-- Every trigger is one statement, so the file needs no DELIMITER.

CREATE TABLE IF NOT EXISTS organization_member_counts (
	organization_id		CHAR(36) CHARACTER SET ascii NOT NULL,
	members			INT NOT NULL,
	PRIMARY KEY (organization_id),
	CONSTRAINT member_counts_org_fk FOREIGN KEY (organization_id)
	    REFERENCES organizations (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
ALTER TABLE users
    ADD COLUMN IF NOT EXISTS render_version BIGINT UNSIGNED NOT NULL DEFAULT 0;

CREATE TABLE IF NOT EXISTS render_generation (
	id			TINYINT NOT NULL,
	n			BIGINT UNSIGNED NOT NULL,
	PRIMARY KEY (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Starts at the time in microseconds, so that a row created again (after
-- someone deleted it) starts above any value a worker may still hold.
INSERT IGNORE INTO render_generation (id, n)
    VALUES (1, CAST(UNIX_TIMESTAMP(NOW(6)) * 1000000 AS UNSIGNED));

CREATE TABLE IF NOT EXISTS user_counts (
	id			TINYINT NOT NULL,
	active			BIGINT NOT NULL,
	PRIMARY KEY (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

INSERT IGNORE INTO user_counts (id, active) VALUES (1, 0);

CREATE TRIGGER IF NOT EXISTS users_ai_active
    AFTER INSERT ON users FOR EACH ROW
    UPDATE user_counts SET active = active + 1
    WHERE id = 1 AND NEW.is_active = 1;
CREATE TRIGGER IF NOT EXISTS users_ad_active
    AFTER DELETE ON users FOR EACH ROW
    UPDATE user_counts SET active = active - 1
    WHERE id = 1 AND OLD.is_active = 1;
CREATE TRIGGER IF NOT EXISTS users_au_active
    AFTER UPDATE ON users FOR EACH ROW
    UPDATE user_counts SET active = active + IF(NEW.is_active = 1, 1, -1)
    WHERE id = 1 AND (OLD.is_active = 1) <> (NEW.is_active = 1);

-- Member counts: each trigger adds +1 or -1 per organisation, creating
-- the row when needed.
CREATE TRIGGER IF NOT EXISTS memberships_ai_count
    AFTER INSERT ON organization_memberships FOR EACH ROW
    INSERT INTO organization_member_counts (organization_id, members)
    SELECT NEW.organization_id, 1 FROM users u
    WHERE u.id = NEW.user_id AND u.is_active = 1
    ON DUPLICATE KEY UPDATE members = members + 1;

CREATE TRIGGER IF NOT EXISTS memberships_ad_count
    AFTER DELETE ON organization_memberships FOR EACH ROW
    INSERT INTO organization_member_counts (organization_id, members)
    SELECT OLD.organization_id, -1 FROM users u
    WHERE u.id = OLD.user_id AND u.is_active = 1
    ON DUPLICATE KEY UPDATE members = members - 1;

CREATE TRIGGER IF NOT EXISTS memberships_au_count
    AFTER UPDATE ON organization_memberships FOR EACH ROW
    INSERT INTO organization_member_counts (organization_id, members)
    SELECT d.organization_id, d.delta FROM (
	SELECT NEW.organization_id AS organization_id, 1 AS delta
	FROM users u WHERE u.id = NEW.user_id AND u.is_active = 1
	UNION ALL
	SELECT OLD.organization_id, -1
	FROM users u WHERE u.id = OLD.user_id AND u.is_active = 1) d
    WHERE OLD.organization_id <> NEW.organization_id
    OR OLD.user_id <> NEW.user_id
    ON DUPLICATE KEY UPDATE members = members + VALUES(members);

CREATE TRIGGER IF NOT EXISTS users_au_count
    AFTER UPDATE ON users FOR EACH ROW
    INSERT INTO organization_member_counts (organization_id, members)
    SELECT m.organization_id, IF(NEW.is_active = 1, 1, -1)
    FROM organization_memberships m
    WHERE m.user_id = NEW.id AND (OLD.is_active = 1) <> (NEW.is_active = 1)
    ON DUPLICATE KEY UPDATE members = members + VALUES(members);

-- Before the row goes: its memberships still exist here, the cascade
-- deletes them without firing memberships_ad_count.
CREATE TRIGGER IF NOT EXISTS users_bd_count
    BEFORE DELETE ON users FOR EACH ROW
    UPDATE organization_member_counts SET members = members - 1
    WHERE OLD.is_active = 1
    AND organization_id IN (SELECT organization_id
	FROM organization_memberships WHERE user_id = OLD.id);

-- The users row's version.
CREATE TRIGGER IF NOT EXISTS users_bu_version
    BEFORE UPDATE ON users FOR EACH ROW
    SET NEW.render_version = OLD.render_version + 1;

-- The render generation.
CREATE TRIGGER IF NOT EXISTS member_counts_ai_gen
    AFTER INSERT ON organization_member_counts FOR EACH ROW
    UPDATE render_generation SET n = n + 1 WHERE id = 1;
CREATE TRIGGER IF NOT EXISTS member_counts_au_gen
    AFTER UPDATE ON organization_member_counts FOR EACH ROW
    UPDATE render_generation SET n = n + 1 WHERE id = 1;
CREATE TRIGGER IF NOT EXISTS organizations_ai_gen
    AFTER INSERT ON organizations FOR EACH ROW
    UPDATE render_generation SET n = n + 1 WHERE id = 1;
CREATE TRIGGER IF NOT EXISTS organizations_au_gen
    AFTER UPDATE ON organizations FOR EACH ROW
    UPDATE render_generation SET n = n + 1 WHERE id = 1;
CREATE TRIGGER IF NOT EXISTS organizations_ad_gen
    AFTER DELETE ON organizations FOR EACH ROW
    UPDATE render_generation SET n = n + 1 WHERE id = 1;
CREATE TRIGGER IF NOT EXISTS teams_ai_gen
    AFTER INSERT ON teams FOR EACH ROW
    UPDATE render_generation SET n = n + 1 WHERE id = 1;
CREATE TRIGGER IF NOT EXISTS teams_au_gen
    AFTER UPDATE ON teams FOR EACH ROW
    UPDATE render_generation SET n = n + 1 WHERE id = 1;
CREATE TRIGGER IF NOT EXISTS teams_ad_gen
    AFTER DELETE ON teams FOR EACH ROW
    UPDATE render_generation SET n = n + 1 WHERE id = 1;
CREATE TRIGGER IF NOT EXISTS memberships_ai_gen
    AFTER INSERT ON organization_memberships FOR EACH ROW
    FOLLOWS memberships_ai_count
    UPDATE render_generation SET n = n + 1 WHERE id = 1;
CREATE TRIGGER IF NOT EXISTS memberships_au_gen
    AFTER UPDATE ON organization_memberships FOR EACH ROW
    FOLLOWS memberships_au_count
    UPDATE render_generation SET n = n + 1 WHERE id = 1;
CREATE TRIGGER IF NOT EXISTS memberships_ad_gen
    AFTER DELETE ON organization_memberships FOR EACH ROW
    FOLLOWS memberships_ad_count
    UPDATE render_generation SET n = n + 1 WHERE id = 1;
CREATE TRIGGER IF NOT EXISTS scenes_ai_gen
    AFTER INSERT ON user_scene_personalisation FOR EACH ROW
    UPDATE render_generation SET n = n + 1 WHERE id = 1;
CREATE TRIGGER IF NOT EXISTS scenes_au_gen
    AFTER UPDATE ON user_scene_personalisation FOR EACH ROW
    UPDATE render_generation SET n = n + 1 WHERE id = 1;
CREATE TRIGGER IF NOT EXISTS scenes_ad_gen
    AFTER DELETE ON user_scene_personalisation FOR EACH ROW
    UPDATE render_generation SET n = n + 1 WHERE id = 1;
-- a dashboard's delete sets scene rows' dashboard_id to NULL by cascade
CREATE TRIGGER IF NOT EXISTS dashboards_au_gen
    AFTER UPDATE ON dashboards FOR EACH ROW
    UPDATE render_generation SET n = n + 1 WHERE id = 1;
CREATE TRIGGER IF NOT EXISTS dashboards_ad_gen
    AFTER DELETE ON dashboards FOR EACH ROW
    UPDATE render_generation SET n = n + 1 WHERE id = 1;
-- is_2fa_enabled
CREATE TRIGGER IF NOT EXISTS totp_devices_ai_gen
    AFTER INSERT ON totp_devices FOR EACH ROW
    UPDATE render_generation SET n = n + 1 WHERE id = 1;
CREATE TRIGGER IF NOT EXISTS totp_devices_au_gen
    AFTER UPDATE ON totp_devices FOR EACH ROW
    UPDATE render_generation SET n = n + 1 WHERE id = 1
    AND (OLD.name <> NEW.name OR OLD.user_id <> NEW.user_id);
CREATE TRIGGER IF NOT EXISTS totp_devices_ad_gen
    AFTER DELETE ON totp_devices FOR EACH ROW
    UPDATE render_generation SET n = n + 1 WHERE id = 1;
-- a user's delete cascades to memberships and scenes
CREATE TRIGGER IF NOT EXISTS users_ad_gen
    AFTER DELETE ON users FOR EACH ROW
    UPDATE render_generation SET n = n + 1 WHERE id = 1;

-- Counts of the rows already there (after the triggers, so nothing
-- written meanwhile is missed; re-running recounts).
UPDATE user_counts SET active = (SELECT COUNT(*) FROM users WHERE
    is_active = 1) WHERE id = 1;
DELETE FROM organization_member_counts;
INSERT INTO organization_member_counts (organization_id, members)
    SELECT m.organization_id, COUNT(*) FROM organization_memberships m
    JOIN users u ON u.id = m.user_id AND u.is_active = 1
    GROUP BY m.organization_id;
