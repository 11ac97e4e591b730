-- prickle schema 0003: server-side login sessions and 2FA backup codes
-- (users-api.md §2.2, §6, §7, §8).  Append-only.

-- One row per browser session.  The sessionid cookie carries a random key;
-- only its SHA-256 (hex) is stored, so a database dump yields no usable
-- cookie.  user_id is the logged-in user, or the user whose login waits for
-- the second factor (pending_at set: user_authenticated_but_no_2fa), or
-- NULL.  auth_hash binds the session to the user's password hash (§2.2.1):
-- a password change invalidates every other session.  Times are UNIX
-- seconds with microseconds (Django keeps session_created_at as a float).
CREATE TABLE IF NOT EXISTS sessions (
	id			BIGINT NOT NULL AUTO_INCREMENT,
	key_hash		CHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
	user_id			BIGINT NULL,
	auth_hash		CHAR(64) CHARACTER SET ascii COLLATE ascii_bin NULL,
	created_at		DECIMAL(17,6) NOT NULL,
	two_factor_verified	TINYINT(1) NOT NULL DEFAULT 0,
	otp_device_id		BIGINT NULL,
	pending_at		DECIMAL(17,6) NULL,
	-- pending 2FA setup secret, AES-256-GCM sealed (hex), and its start
	setup_secret_sealed	VARCHAR(255) CHARACTER SET ascii NULL,
	setup_at		DECIMAL(17,6) NULL,
	PRIMARY KEY (id),
	UNIQUE KEY sessions_key_hash (key_hash),
	KEY sessions_user (user_id),
	KEY sessions_created (created_at),
	CONSTRAINT sessions_user_fk FOREIGN KEY (user_id)
	    REFERENCES users (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The "Backup Codes" container of a user: its own failure counter for
-- django-otp's exponential back-off (§6).
CREATE TABLE IF NOT EXISTS otp_static_devices (
	user_id			BIGINT NOT NULL,
	throttling_failure_count INT NOT NULL DEFAULT 0,
	throttling_failure_timestamp DATETIME(6) NULL,
	PRIMARY KEY (user_id),
	CONSTRAINT otp_static_devices_user_fk FOREIGN KEY (user_id)
	    REFERENCES users (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Unused backup codes, stored as hex SHA-256 of the code; a code is
-- redeemed by deleting its row (single use even under concurrency).
CREATE TABLE IF NOT EXISTS otp_static_tokens (
	id			BIGINT NOT NULL AUTO_INCREMENT,
	user_id			BIGINT NOT NULL,
	token_hash		CHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
	PRIMARY KEY (id),
	KEY otp_static_tokens_user (user_id, token_hash),
	CONSTRAINT otp_static_tokens_user_fk FOREIGN KEY (user_id)
	    REFERENCES users (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
