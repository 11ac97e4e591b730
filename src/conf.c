/*
 * conf -- prickle.conf parser.
 *
 * One table, keys[], describes every key: its type, where it lives in
 * struct conf, its default (as the text a user would write), bounds and
 * a one-line description.  Defaults are applied through the same setter
 * as file values, so a default can never bypass validation, and
 * conf_dump() walks the same table.
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "conf.h"
#include "util.h"

#ifndef SYSCONFDIR
#define SYSCONFDIR "/etc"
#endif

enum ktype {
	K_STR,		/* char *, NULL when empty */
	K_INT,		/* int, decimal, [min, max] */
	K_BOOL,		/* int 0/1: yes/no/true/false/on/off/1/0 */
	K_SIZE,		/* long, bytes with optional k/m/g suffix */
	K_MODE,		/* int, octal file mode */
	K_LEVEL,	/* int, syslog level by name */
	K_RATE		/* "N/S": int count at off, int seconds at off2 */
};

#define K_NONEMPTY	0x01	/* an empty value is an error */
#define K_NCPU		0x02	/* default: number of online CPUs */
#define K_SECRET	0x04	/* never printed by conf_dump() */

typedef int (*check_fn)(const char *, char *, size_t);

struct key {
	const char	*name;
	enum ktype	 type;
	size_t		 off;
	size_t		 off2;
	const char	*def;		/* default as written in the file */
	long long	 min;
	long long	 max;
	int		 flags;
	check_fn	 check;		/* extra validation of K_STR values */
};

static char *trim(char *);
static int check_listen(const char *, char *, size_t);
static int check_cookie_name(const char *, char *, size_t);
static int check_url(const char *, char *, size_t);
static int check_origins(const char *, char *, size_t);
static int check_error_log(const char *, char *, size_t);

#define OFF(f)	offsetof(struct conf, f)
#define DAY	86400LL
#define YEAR	(365 * DAY)

static const struct key keys[] = {
	/* [global] */
	{ "pid", K_STR, OFF(pid), 0, NULL, 0, 0, 0, NULL },
	{ "error_log", K_STR, OFF(error_log), 0, "stderr", 0, 0,
	    K_NONEMPTY, check_error_log },
	{ "log_level", K_LEVEL, OFF(log_level), 0, "notice", 0, 0, 0, NULL },
	{ "syslog.ident", K_STR, OFF(syslog_ident), 0, "prickled", 0, 0,
	    K_NONEMPTY, NULL },
	{ "daemonize", K_BOOL, OFF(daemonize), 0, "no", 0, 1, 0, NULL },

	/* [pool] */
	{ "listen", K_STR, OFF(listen), 0, "/run/prickle/prickled.sock", 0, 0,
	    K_NONEMPTY, check_listen },
	{ "listen.backlog", K_INT, OFF(listen_backlog), 0, "511", 1, 65535,
	    0, NULL },
	{ "listen.owner", K_STR, OFF(listen_owner), 0, NULL, 0, 0, 0, NULL },
	{ "listen.group", K_STR, OFF(listen_group), 0, NULL, 0, 0, 0, NULL },
	{ "listen.mode", K_MODE, OFF(listen_mode), 0, "0660", 0, 0777,
	    0, NULL },
	{ "user", K_STR, OFF(user), 0, NULL, 0, 0, 0, NULL },
	{ "group", K_STR, OFF(group), 0, NULL, 0, 0, 0, NULL },
	{ "pm.max_children", K_INT, OFF(pm_max_children), 0, NULL, 1, 1024,
	    K_NCPU, NULL },
	{ "pm.max_requests", K_INT, OFF(pm_max_requests), 0, "1000", 0,
	    INT_MAX, 0, NULL },
	{ "request_terminate_timeout", K_INT, OFF(request_terminate_timeout),
	    0, "60", 0, DAY, 0, NULL },
	{ "process_control_timeout", K_INT, OFF(process_control_timeout), 0,
	    "10", 1, 3600, 0, NULL },
	{ "request.max_body_size", K_SIZE, OFF(request_max_body_size), 0,
	    "1m", 1024, 1024LL * 1024 * 1024, 0, NULL },

	/* [database] */
	{ "database.option_file", K_STR, OFF(db_option_file), 0,
	    SYSCONFDIR "/prickle/my.cnf", 0, 0, K_NONEMPTY, NULL },
	{ "database.group", K_STR, OFF(db_group), 0, "client-prickle", 0, 0,
	    K_NONEMPTY, NULL },
	{ "database.connect_timeout", K_INT, OFF(db_connect_timeout), 0, "5",
	    1, 3600, 0, NULL },
	{ "database.read_timeout", K_INT, OFF(db_read_timeout), 0, "30", 1,
	    3600, 0, NULL },
	{ "database.write_timeout", K_INT, OFF(db_write_timeout), 0, "30", 1,
	    3600, 0, NULL },

	/* [security] */
	{ "secret_key", K_STR, OFF(secret_key), 0, NULL, 0, 0, K_SECRET,
	    NULL },
	{ "csrf.trusted_origins", K_STR, OFF(csrf_trusted_origins), 0, NULL,
	    0, 0, 0, check_origins },
	{ "password.iterations", K_INT, OFF(password_iterations), 0,
	    "1000000", 1, INT_MAX, 0, NULL },
	{ "password.min_length", K_INT, OFF(password_min_length), 0, "8", 1,
	    4096, 0, NULL },

	/* [auth] */
	{ "auth.sensitive_action_age", K_INT, OFF(auth_sensitive_action_age),
	    0, "7200", 1, YEAR, 0, NULL },
	{ "auth.password_throttle_rate", K_RATE,
	    OFF(auth_password_throttle_count),
	    OFF(auth_password_throttle_seconds), "5/60", 1, DAY, 0, NULL },
	{ "auth.login_lockout_limit", K_INT, OFF(auth_login_lockout_limit), 0,
	    "30", 1, 1000000, 0, NULL },
	{ "auth.login_lockout_seconds", K_INT, OFF(auth_login_lockout_seconds),
	    0, "600", 1, YEAR, 0, NULL },
	{ "auth.two_factor_login_timeout", K_INT,
	    OFF(auth_two_factor_login_timeout), 0, "600", 1, DAY, 0, NULL },
	{ "auth.two_factor_setup_timeout", K_INT,
	    OFF(auth_two_factor_setup_timeout), 0, "600", 1, DAY, 0, NULL },

	/* [session] */
	{ "session.max_age", K_INT, OFF(session_max_age), 0, "1209600", 1,
	    10 * YEAR, 0, NULL },
	{ "session.cookie_name", K_STR, OFF(session_cookie_name), 0,
	    "sessionid", 0, 0, K_NONEMPTY, check_cookie_name },
	{ "session.cookie_secure", K_BOOL, OFF(session_cookie_secure), 0,
	    "yes", 0, 1, 0, NULL },

	/* [mail] */
	{ "mail.sendmail_path", K_STR, OFF(mail_sendmail_path), 0, NULL, 0, 0,
	    0, NULL },
	{ "mail.from", K_STR, OFF(mail_from), 0,
	    "PostHog <noreply@localhost>", 0, 0, K_NONEMPTY, NULL },
	{ "site_url", K_STR, OFF(site_url), 0, NULL, 0, 0, 0, check_url },
};

#define NKEYS (sizeof(keys) / sizeof(keys[0]))

static const char *const level_names[] = {
	[LOG_ERR] = "error",
	[LOG_WARNING] = "warning",
	[LOG_NOTICE] = "notice",
	[LOG_INFO] = "info",
	[LOG_DEBUG] = "debug",
};

static int __attribute__((format(printf, 3, 4)))
fail(char *err, size_t errsz, const char *fmt, ...)
{
	va_list	 ap;

	if (err != NULL && errsz > 0) {
		va_start(ap, fmt);
		vsnprintf(err, errsz, fmt, ap);
		va_end(ap);
	}
	return -1;
}

static const struct key *
key_find(const char *name)
{
	size_t	 i;

	for (i = 0; i < NKEYS; i++)
		if (strcmp(keys[i].name, name) == 0)
			return &keys[i];
	return NULL;
}

bool
conf_key_exists(const char *name)
{
	return key_find(name) != NULL;
}

static int *
field_int(struct conf *c, size_t off)
{
	return (int *)(void *)((char *)c + off);
}

static char **
field_str(struct conf *c, size_t off)
{
	return (char **)(void *)((char *)c + off);
}

static const int *
cfield_int(const struct conf *c, size_t off)
{
	return (const int *)(const void *)((const char *)c + off);
}

static char *const *
cfield_str(const struct conf *c, size_t off)
{
	return (char *const *)(const void *)((const char *)c + off);
}

/* Whole decimal number, no sign games beyond a leading '-'. */
static int
parse_ll(const char *s, long long *out)
{
	char	*end;

	if (*s == '\0' || isspace((unsigned char)*s))
		return -1;
	errno = 0;
	*out = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0')
		return -1;
	return 0;
}

static int
parse_bool(const char *s, int *out)
{
	static const char *const yes[] = { "yes", "true", "on", "1" };
	static const char *const no[] = { "no", "false", "off", "0" };
	size_t	 i;

	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (strcasecmp(s, yes[i]) == 0) {
			*out = 1;
			return 0;
		}
		if (strcasecmp(s, no[i]) == 0) {
			*out = 0;
			return 0;
		}
	}
	return -1;
}

/* "1048576", "512k", "1m", "1g" (case-insensitive suffix). */
static int
parse_size(const char *s, long long *out)
{
	char		*end;
	long long	 v, mult = 1;

	if (!isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0)
		return -1;
	if (*end != '\0') {
		switch (tolower((unsigned char)*end)) {
		case 'k':
			mult = 1024;
			break;
		case 'm':
			mult = 1024 * 1024;
			break;
		case 'g':
			mult = 1024 * 1024 * 1024;
			break;
		default:
			return -1;
		}
		if (end[1] != '\0')
			return -1;
	}
	if (v > LLONG_MAX / mult)
		return -1;
	*out = v * mult;
	return 0;
}

static int
parse_mode(const char *s, long long *out)
{
	char	*end;

	if (*s < '0' || *s > '7')
		return -1;
	errno = 0;
	*out = strtoll(s, &end, 8);
	if (errno != 0 || *end != '\0')
		return -1;
	return 0;
}

static int
parse_level(const char *s, int *out)
{
	size_t	 i;

	for (i = 0; i < sizeof(level_names) / sizeof(level_names[0]); i++) {
		if (level_names[i] != NULL && strcasecmp(s, level_names[i]) == 0) {
			*out = (int)i;
			return 0;
		}
	}
	return -1;
}

/* "5/60": count and seconds, both within [min, max]. */
static int
parse_rate(const char *s, const struct key *k, int *count, int *secs)
{
	char		 buf[64];
	char		*slash;
	long long	 n, d;

	if (strlen(s) >= sizeof(buf))
		return -1;
	memcpy(buf, s, strlen(s) + 1);
	if ((slash = strchr(buf, '/')) == NULL)
		return -1;
	*slash = '\0';
	if (parse_ll(buf, &n) == -1 || parse_ll(slash + 1, &d) == -1)
		return -1;
	if (n < k->min || n > k->max || d < k->min || d > k->max)
		return -1;
	*count = (int)n;
	*secs = (int)d;
	return 0;
}

static int
set_number(struct conf *c, const struct key *k, const char *val,
    char *err, size_t errsz)
{
	long long	 v;
	int		 rc;

	switch (k->type) {
	case K_INT:
		rc = parse_ll(val, &v);
		break;
	case K_SIZE:
		rc = parse_size(val, &v);
		break;
	case K_MODE:
		rc = parse_mode(val, &v);
		break;
	default:
		abort();
	}
	if (rc == -1)
		return fail(err, errsz, "%s: '%s' is not %s", k->name, val,
		    k->type == K_SIZE ? "a size (like 1048576, 512k or 1m)" :
		    k->type == K_MODE ? "an octal mode (like 0660)" :
		    "a whole number");
	if (v < k->min || v > k->max) {
		if (k->type == K_MODE)
			return fail(err, errsz, "%s: %s is out of range "
			    "(%04llo..%04llo)", k->name, val, k->min, k->max);
		return fail(err, errsz, "%s: %s is out of range (%lld..%lld)",
		    k->name, val, k->min, k->max);
	}
	if (k->type == K_SIZE)
		*(long *)(void *)((char *)c + k->off) = (long)v;
	else
		*field_int(c, k->off) = (int)v;
	return 0;
}

static int
set_string(struct conf *c, const struct key *k, const char *val,
    char *err, size_t errsz)
{
	char	**dst = field_str(c, k->off);

	if (*val == '\0') {
		if (k->flags & K_NONEMPTY)
			return fail(err, errsz, "%s: value must not be empty",
			    k->name);
		free(*dst);
		*dst = NULL;
		return 0;
	}
	if (k->check != NULL && k->check(val, err, errsz) == -1)
		return -1;
	free(*dst);
	*dst = xstrdup(val);
	return 0;
}

int
conf_set(struct conf *c, const char *name, const char *val,
    char *err, size_t errsz)
{
	const struct key	*k;

	if ((k = key_find(name)) == NULL)
		return fail(err, errsz, "unknown key '%s'", name);

	switch (k->type) {
	case K_STR:
		return set_string(c, k, val, err, errsz);
	case K_INT:
	case K_SIZE:
	case K_MODE:
		return set_number(c, k, val, err, errsz);
	case K_BOOL:
		if (parse_bool(val, field_int(c, k->off)) == -1)
			return fail(err, errsz, "%s: '%s' is not a boolean "
			    "(yes/no, true/false, on/off, 1/0)", name, val);
		return 0;
	case K_LEVEL:
		if (parse_level(val, field_int(c, k->off)) == -1)
			return fail(err, errsz, "%s: '%s' is not a log level "
			    "(error, warning, notice, info, debug)", name, val);
		return 0;
	case K_RATE:
		if (parse_rate(val, k, field_int(c, k->off),
		    field_int(c, k->off2)) == -1)
			return fail(err, errsz, "%s: '%s' is not a rate "
			    "COUNT/SECONDS (like 5/60, each %lld..%lld)",
			    name, val, k->min, k->max);
		return 0;
	}
	abort();
}

int
conf_apply_override(struct conf *c, const char *kv, char *err, size_t errsz)
{
	const char	*eq;
	char		*name, *val;
	size_t		 len;
	int		 rc;

	if ((eq = strchr(kv, '=')) == NULL)
		return fail(err, errsz, "'%s': expected KEY=VALUE", kv);
	len = (size_t)(eq - kv);
	while (len > 0 && isspace((unsigned char)kv[len - 1]))
		len--;
	while (len > 0 && isspace((unsigned char)*kv)) {
		kv++;
		len--;
	}
	name = xmalloc(len + 1);
	memcpy(name, kv, len);
	name[len] = '\0';
	val = xstrdup(eq + 1);
	rc = conf_set(c, name, trim(val), err, errsz);
	free(name);
	free(val);
	return rc;
}

static long
ncpus(void)
{
	long	 n;

	n = sysconf(_SC_NPROCESSORS_ONLN);
	if (n < 1)
		n = 1;
	if (n > 1024)
		n = 1024;
	return n;
}

void
conf_defaults(struct conf *c)
{
	char	 err[256];
	size_t	 i;

	memset(c, 0, sizeof(*c));
	for (i = 0; i < NKEYS; i++) {
		if (keys[i].flags & K_NCPU)
			*field_int(c, keys[i].off) = (int)ncpus();
		else if (keys[i].def != NULL &&
		    conf_set(c, keys[i].name, keys[i].def, err,
		    sizeof(err)) == -1) {
			/* The table itself is wrong: a programming error. */
			fprintf(stderr, "conf: bad default: %s\n", err);
			abort();
		}
	}
}

void
conf_free(struct conf *c)
{
	size_t	 i;

	if (c == NULL)
		return;
	for (i = 0; i < NKEYS; i++) {
		if (keys[i].type == K_STR) {
			free(*field_str(c, keys[i].off));
			*field_str(c, keys[i].off) = NULL;
		}
	}
}

/* --- the file parser ---------------------------------------------------- */

static char *
trim(char *s)
{
	char	*e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		e--;
	*e = '\0';
	return s;
}

/*
 * Turn the text after '=' into the value, in place.  A double-quoted value
 * keeps everything between the quotes (\" and \\ escapes); an unquoted
 * value ends at a ';' that follows whitespace (an inline comment).
 */
static int
unquote(char *v, char **out, char *err, size_t errsz)
{
	char	*r, *w, *p;

	if (*v != '"') {
		for (p = v; *p != '\0'; p++)
			if (*p == ';' && p > v && isspace((unsigned char)p[-1]))
				*p = '\0';
		*out = trim(v);
		return 0;
	}
	for (r = w = v + 1; *r != '"'; r++) {
		if (*r == '\0')
			return fail(err, errsz, "missing closing '\"'");
		if (*r == '\\' && (r[1] == '"' || r[1] == '\\'))
			r++;
		*w++ = *r;
	}
	*w = '\0';
	for (p = r + 1; isspace((unsigned char)*p); p++)
		continue;
	if (*p != '\0' && *p != ';' && *p != '#')
		return fail(err, errsz, "unexpected text after closing '\"'");
	*out = v + 1;
	return 0;
}

static int
section_line(char *s, char *err, size_t errsz)
{
	size_t	 len = strlen(s), i;

	if (len < 3 || s[len - 1] != ']')
		return fail(err, errsz, "bad section header '%s'", s);
	for (i = 1; i < len - 1; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '_' &&
		    s[i] != '-' && s[i] != '.')
			return fail(err, errsz, "bad section header '%s'", s);
	return 0;
}

static int
key_line(struct conf *c, char *s, bool *seen, char *err, size_t errsz)
{
	const struct key	*k;
	char			*eq, *name, *val = NULL;

	if ((eq = strchr(s, '=')) == NULL)
		return fail(err, errsz, "expected 'key = value', got '%s'", s);
	*eq = '\0';
	name = trim(s);
	if (*name == '\0')
		return fail(err, errsz, "missing key name before '='");
	if ((k = key_find(name)) == NULL)
		return fail(err, errsz, "unknown key '%s'", name);
	if (seen[k - keys])
		return fail(err, errsz, "duplicate key '%s'", name);
	seen[k - keys] = true;
	if (unquote(trim(eq + 1), &val, err, errsz) == -1)
		return -1;
	return conf_set(c, name, val, err, errsz);
}

int
conf_load(struct conf *c, const char *path, char *err, size_t errsz)
{
	FILE	*f;
	char	*line = NULL, *s, msg[512];
	size_t	 cap = 0, lineno = 0;
	bool	 seen[NKEYS];
	int	 rc = 0;

	if ((f = fopen(path, "r")) == NULL)
		return fail(err, errsz, "%s: %s", path, strerror(errno));
	memset(seen, 0, sizeof(seen));
	while (getline(&line, &cap, f) != -1) {
		lineno++;
		s = trim(line);
		if (*s == '\0' || *s == ';' || *s == '#')
			continue;
		if (*s == '[')
			rc = section_line(s, msg, sizeof(msg));
		else
			rc = key_line(c, s, seen, msg, sizeof(msg));
		if (rc == -1) {
			fail(err, errsz, "%s:%zu: %s", path, lineno, msg);
			break;
		}
	}
	if (rc == 0 && ferror(f))
		rc = fail(err, errsz, "%s: %s", path, strerror(errno));
	free(line);
	fclose(f);
	return rc;
}

/* --- value checks ----------------------------------------------------- */

static int
check_error_log(const char *v, char *err, size_t errsz)
{
	if (strcmp(v, "stderr") == 0 || strcmp(v, "syslog") == 0 ||
	    v[0] == '/')
		return 0;
	return fail(err, errsz, "error_log: '%s' must be 'stderr', 'syslog' "
	    "or an absolute path", v);
}

static int
check_cookie_name(const char *v, char *err, size_t errsz)
{
	const char	*p;

	for (p = v; *p != '\0'; p++)
		if (!isalnum((unsigned char)*p) && strchr("_-.", *p) == NULL)
			return fail(err, errsz, "session.cookie_name: '%s' may "
			    "only hold letters, digits, '_', '-' and '.'", v);
	return 0;
}

static bool
is_http_url(const char *v)
{
	return strncmp(v, "https://", 8) == 0 || strncmp(v, "http://", 7) == 0;
}

static int
check_url(const char *v, char *err, size_t errsz)
{
	if (!is_http_url(v) || strpbrk(v, " \t") != NULL)
		return fail(err, errsz, "'%s' is not an http:// or https:// "
		    "URL", v);
	return 0;
}

static int
check_origins(const char *v, char *err, size_t errsz)
{
	const char	*p = v, *e;

	while (*p != '\0') {
		e = p + strcspn(p, " \t");
		if (e > p && !is_http_url(p))
			return fail(err, errsz, "csrf.trusted_origins: '%.*s' "
			    "is not an origin like https://example.com",
			    (int)(e - p), p);
		p = e + strspn(e, " \t");
	}
	return 0;
}

static int
check_listen(const char *v, char *err, size_t errsz)
{
	struct sockaddr_storage	 ss;
	socklen_t		 len;

	return conf_listen_parse(v, &ss, &len, err, errsz);
}

static int
listen_unix(const char *v, struct sockaddr_storage *ss, socklen_t *len,
    char *err, size_t errsz)
{
	struct sockaddr_un	*sun = (struct sockaddr_un *)ss;

	if (strlen(v) >= sizeof(sun->sun_path))
		return fail(err, errsz, "listen: socket path '%s' is longer "
		    "than %zu bytes", v, sizeof(sun->sun_path) - 1);
	sun->sun_family = AF_UNIX;
	memcpy(sun->sun_path, v, strlen(v) + 1);
	*len = (socklen_t)sizeof(*sun);
	return 0;
}

static int
listen_port(const char *v, const char *p, int *port, char *err, size_t errsz)
{
	long long	 n;

	if (parse_ll(p, &n) == -1 || n < 1 || n > 65535)
		return fail(err, errsz, "listen: '%s': port must be 1..65535",
		    v);
	*port = (int)n;
	return 0;
}

static int
listen_inet(const char *v, struct sockaddr_storage *ss, socklen_t *len,
    char *err, size_t errsz)
{
	struct sockaddr_in	*sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)ss;
	char			 host[INET6_ADDRSTRLEN + 2];
	const char		*colon, *h;
	size_t			 hlen;
	int			 port = 0;

	if ((colon = strrchr(v, ':')) == NULL || colon == v)
		return fail(err, errsz, "listen: '%s' has no address: listen "
		    "on all interfaces is refused; use an absolute unix "
		    "socket path or 127.0.0.1:PORT / [::1]:PORT", v);
	if (listen_port(v, colon + 1, &port, err, errsz) == -1)
		return -1;
	hlen = (size_t)(colon - v);
	if (hlen >= sizeof(host))
		return fail(err, errsz, "listen: '%s': bad address", v);
	memcpy(host, v, hlen);
	host[hlen] = '\0';
	h = host;
	if (host[0] == '[') {
		if (hlen < 3 || host[hlen - 1] != ']')
			return fail(err, errsz, "listen: '%s': bad IPv6 "
			    "address (write [::1]:PORT)", v);
		host[hlen - 1] = '\0';
		h = host + 1;
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((uint16_t)port);
		if (inet_pton(AF_INET6, h, &sin6->sin6_addr) != 1)
			return fail(err, errsz, "listen: '%s': bad IPv6 "
			    "address", v);
		if (IN6_IS_ADDR_UNSPECIFIED(&sin6->sin6_addr))
			goto wildcard;
		*len = (socklen_t)sizeof(*sin6);
		return 0;
	}
	sin->sin_family = AF_INET;
	sin->sin_port = htons((uint16_t)port);
	if (strcmp(h, "*") == 0)
		goto wildcard;
	if (inet_pton(AF_INET, h, &sin->sin_addr) != 1)
		return fail(err, errsz, "listen: '%s': '%s' is not a numeric "
		    "address (like 127.0.0.1:9000 or [::1]:9000)", v, h);
	if (sin->sin_addr.s_addr == htonl(INADDR_ANY))
		goto wildcard;
	*len = (socklen_t)sizeof(*sin);
	return 0;
wildcard:
	return fail(err, errsz, "listen: '%s' would listen on all "
	    "interfaces; name one address like 127.0.0.1:PORT", v);
}

int
conf_listen_parse(const char *v, struct sockaddr_storage *ss, socklen_t *len,
    char *err, size_t errsz)
{
	memset(ss, 0, sizeof(*ss));
	if (v == NULL || *v == '\0')
		return fail(err, errsz, "listen: value must not be empty");
	if (v[0] == '/')
		return listen_unix(v, ss, len, err, errsz);
	return listen_inet(v, ss, len, err, errsz);
}

int
conf_check(const struct conf *c, char *err, size_t errsz)
{
	if (c->secret_key == NULL)
		return fail(err, errsz, "secret_key is not set: generate one "
		    "with 'openssl rand -hex 32' and add 'secret_key = VALUE' "
		    "to the [security] section");
	if (strlen(c->secret_key) < 32)
		return fail(err, errsz, "secret_key is too short (%zu "
		    "characters, need at least 32): generate one with "
		    "'openssl rand -hex 32'", strlen(c->secret_key));
	if (c->group != NULL && c->user == NULL)
		return fail(err, errsz, "group is set but user is not");
	if (c->listen[0] != '/' && (c->listen_owner != NULL ||
	    c->listen_group != NULL))
		return fail(err, errsz, "listen.owner and listen.group only "
		    "apply to a unix socket, not to '%s'", c->listen);
	return 0;
}

/* --- output ----------------------------------------------------------- */

/* Quote a string value when reading it back would change it. */
static void
dump_str(FILE *f, const char *name, const char *v)
{
	const char	*p;

	if (v == NULL) {
		fprintf(f, "%s =\n", name);
		return;
	}
	if (strchr(v, ';') == NULL && strchr(v, '"') == NULL &&
	    strchr(v, '#') == NULL && !isspace((unsigned char)v[0]) &&
	    !isspace((unsigned char)v[strlen(v) - 1])) {
		fprintf(f, "%s = %s\n", name, v);
		return;
	}
	fprintf(f, "%s = \"", name);
	for (p = v; *p != '\0'; p++) {
		if (*p == '"' || *p == '\\')
			fputc('\\', f);
		fputc(*p, f);
	}
	fputs("\"\n", f);
}

void
conf_dump(const struct conf *c, FILE *f)
{
	const struct key	*k;
	size_t			 i;

	for (i = 0; i < NKEYS; i++) {
		k = &keys[i];
		switch (k->type) {
		case K_STR:
			if ((k->flags & K_SECRET) &&
			    *cfield_str(c, k->off) != NULL)
				fprintf(f, "; %s is set (not shown)\n",
				    k->name);
			else
				dump_str(f, k->name, *cfield_str(c, k->off));
			break;
		case K_INT:
			fprintf(f, "%s = %d\n", k->name,
			    *cfield_int(c, k->off));
			break;
		case K_SIZE:
			fprintf(f, "%s = %ld\n", k->name,
			    *(const long *)(const void *)((const char *)c +
			    k->off));
			break;
		case K_MODE:
			fprintf(f, "%s = %04o\n", k->name,
			    (unsigned)*cfield_int(c, k->off));
			break;
		case K_BOOL:
			fprintf(f, "%s = %s\n", k->name,
			    *cfield_int(c, k->off) ? "yes" : "no");
			break;
		case K_LEVEL:
			fprintf(f, "%s = %s\n", k->name,
			    level_names[*cfield_int(c, k->off)]);
			break;
		case K_RATE:
			fprintf(f, "%s = %d/%d\n", k->name,
			    *cfield_int(c, k->off), *cfield_int(c, k->off2));
			break;
		}
	}
}

size_t
conf_nkeys(void)
{
	return NKEYS;
}

const char *
conf_key_name(size_t i)
{
	return i < NKEYS ? keys[i].name : NULL;
}
