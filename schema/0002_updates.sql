-- prickle schema 0002: state for user updates -- shared throttles and
-- failure counters (spec 2.7) and email verification tokens (spec 5.3.5,
-- 5.12).  Append-only: later changes go in new files.

-- One row per throttled key.  Requests for the same key lock this row
-- (SELECT ... FOR UPDATE) so that concurrent workers count one at a time.
-- expires_at: when every event of the key is outside any window that has
-- looked at it; rows past it (and their events) may be pruned.
CREATE TABLE IF NOT EXISTS throttle_keys (
	id			BIGINT NOT NULL AUTO_INCREMENT,
	scope			VARCHAR(32) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
	tkey			VARCHAR(190) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
	expires_at		DATETIME(6) NOT NULL,
	PRIMARY KEY (id),
	UNIQUE KEY throttle_keys_scope_key (scope, tkey),
	KEY throttle_keys_expires (expires_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Allowed requests (rate limits) or recorded failures (lockouts).
CREATE TABLE IF NOT EXISTS throttle_events (
	id			BIGINT NOT NULL AUTO_INCREMENT,
	key_id			BIGINT NOT NULL,
	at			DATETIME(6) NOT NULL,
	PRIMARY KEY (id),
	KEY throttle_events_key_at (key_id, at),
	CONSTRAINT throttle_events_key_fk FOREIGN KEY (key_id)
	    REFERENCES throttle_keys (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Email verification tokens: only the SHA-256 (hex) of the token is kept.
-- email: the address the token confirms (the pending_email it was sent
-- to), NULL for a plain account verification.  Single use: deleted when
-- used, when a new token is issued and when the change is cancelled.
CREATE TABLE IF NOT EXISTS email_verification_tokens (
	id			BIGINT NOT NULL AUTO_INCREMENT,
	user_id			BIGINT NOT NULL,
	token_hash		CHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
	email			VARCHAR(254) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NULL,
	created_at		DATETIME(6) NOT NULL,
	expires_at		DATETIME(6) NOT NULL,
	PRIMARY KEY (id),
	UNIQUE KEY email_verification_tokens_hash (token_hash),
	KEY email_verification_tokens_user (user_id),
	CONSTRAINT email_verification_tokens_user_fk FOREIGN KEY (user_id)
	    REFERENCES users (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
