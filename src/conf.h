/*
 * conf -- prickle.conf, an INI file in php-fpm's www.conf style.
 *
 *   ; comment            # comment
 *   [global]             section headers only group keys for the reader;
 *   [pool]               every key name is unique across the file
 *   pm.max_children = 4
 *
 * Every key has a type, a default and bounds in conf.c's key table; an
 * unknown key, a bad value or a duplicate key is an error naming the file
 * and line.  conf_set() applies one KEY=VALUE override through the same
 * validation (used by `./stack start --set` and the tests).
 */
#ifndef CONF_H
#define CONF_H

#include <sys/socket.h>

#include <stdbool.h>
#include <stdio.h>

struct conf {
	/* [global] */
	char	*pid;			/* pid file path, NULL = none */
	char	*error_log;		/* "stderr" | "syslog" | path */
	int	 log_level;		/* LOG_ERR..LOG_DEBUG (syslog.h) */
	char	*syslog_ident;		/* "prickled" */
	int	 daemonize;		/* 0/1 */

	/* [pool] */
	char	*listen;		/* unix path or 127.0.0.1:port */
	int	 listen_backlog;
	char	*listen_owner;		/* NULL = unchanged */
	char	*listen_group;
	int	 listen_mode;		/* octal, default 0660 */
	char	*user;			/* drop privileges to, NULL = stay */
	char	*group;
	int	 pm_max_children;	/* default: number of CPUs */
	int	 pm_max_requests;	/* 0 = never recycle */
	int	 request_terminate_timeout;	/* seconds, 0 = off */
	int	 process_control_timeout;	/* seconds */
	long	 request_max_body_size;	/* bytes */

	/* [database] */
	char	*db_option_file;	/* my.cnf-style file */
	char	*db_group;		/* "client-prickle" */
	int	 db_connect_timeout;	/* seconds */
	int	 db_read_timeout;
	int	 db_write_timeout;

	/* [security] */
	char	*secret_key;		/* >= 32 chars; HMAC/AES key material */
	char	*csrf_trusted_origins;	/* space separated, may be NULL */
	int	 password_iterations;	/* password.iterations, 1000000 */
	int	 password_min_length;	/* password.min_length, 8 */

	/* [auth] */
	int	 auth_sensitive_action_age;	/* 7200 */
	int	 auth_password_throttle_count;	/* 5  (auth.password_throttle_rate) */
	int	 auth_password_throttle_seconds;/* 60 */
	int	 auth_login_lockout_limit;	/* 30 */
	int	 auth_login_lockout_seconds;	/* 600 */
	int	 auth_two_factor_login_timeout;	/* 600 */
	int	 auth_two_factor_setup_timeout;	/* 600 */

	/* [session] */
	int	 session_max_age;	/* 1209600 */
	char	*session_cookie_name;	/* "sessionid" */
	int	 session_cookie_secure;	/* 1 */

	/* [mail] */
	char	*mail_sendmail_path;	/* NULL = mail not configured */
	char	*mail_from;		/* "PostHog <noreply@localhost>" */
	char	*site_url;		/* links in mail; NULL = from request */
};

/*
 * Defaults for every key (strings heap-owned by the conf).  Overwrites
 * the whole struct: conf_free() one that holds values first.
 */
void conf_defaults(struct conf *);
/*
 * Parse FILE over the current values.  On error returns -1 and writes a
 * one-line message ("FILE:LINE: unknown key 'x'") into err.
 */
int conf_load(struct conf *, const char *path, char *err, size_t errsz);
/* Apply one "key = value" (already split).  -1 + message on error. */
int conf_set(struct conf *, const char *key, const char *value,
    char *err, size_t errsz);
/* Cross-key checks after loading (e.g. secret_key present). */
int conf_check(const struct conf *, char *err, size_t errsz);
/* Write the effective configuration, one "key = value" a line. */
void conf_dump(const struct conf *, FILE *);
void conf_free(struct conf *);
bool conf_key_exists(const char *key);

/* conf_set() on a "KEY=VALUE" string (whitespace around both trimmed). */
int conf_apply_override(struct conf *, const char *key_eq_value,
    char *err, size_t errsz);
/*
 * Validate a `listen` value and fill in its address: an absolute unix
 * socket path, or a numeric loopback/interface address with a port
 * ("127.0.0.1:9000", "[::1]:9000").  Wildcard and empty hosts are refused.
 */
int conf_listen_parse(const char *listen, struct sockaddr_storage *,
    socklen_t *, char *err, size_t errsz);
/* The key table, for tests and documentation: key i, NULL past the end. */
size_t conf_nkeys(void);
const char *conf_key_name(size_t i);

#endif
