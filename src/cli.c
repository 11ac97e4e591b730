/*
 * prickle -- the admin command line: schema migrations, users, personal
 * API keys, organisations, teams, memberships, dashboards.
 *
 *   prickle [-c CONF] COMMAND [SUBCOMMAND] [OPTIONS]
 *
 * A creating command prints exactly the new id (or key) on one line of
 * stdout.  Errors are one line on stderr, "prickle: <message>", with
 * exit status 1 (2 for usage errors).  --help at every level prints
 * usage to stdout and exits 0.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include <json-c/json.h>

#include "admin.h"
#include "apikey.h"
#include "arena.h"
#include "conf.h"
#include "db.h"
#include "log.h"
#include "migrate.h"
#include "prickle.h"
#include "util.h"

#define DEFAULT_CONF	SYSCONFDIR "/prickle/prickle.conf"
#define PASSWORD_READ_MAX 4096	/* bytes read from stdin for a password */

#define EXIT_USAGE	2

/* Options a command may accept (bits of cli_cmd.opts). */
enum {
	O_EMAIL = 1 << 0,
	O_PWSTDIN = 1 << 1,
	O_FIRST = 1 << 2,
	O_LAST = 1 << 3,
	O_STAFF = 1 << 4,
	O_JSON = 1 << 5,
	O_SCOPES = 1 << 6,
	O_LABEL = 1 << 7,
	O_ID = 1 << 8,
	O_NAME = 1 << 9,
	O_ORG = 1 << 10,
	O_ENF2FA = 1 << 11,
	O_TEAM = 1 << 12,
	O_LEVEL = 1 << 13
};

/* Parsed options; strings borrowed from argv. */
struct cli_opts {
	unsigned int	 seen;		/* O_* bits given */
	const char	*email;
	const char	*first_name;
	const char	*last_name;
	const char	*scopes;
	const char	*label;
	const char	*id;
	const char	*name;
	const char	*org;
	const char	*enforce_2fa;
	const char	*team;
	const char	*level;
};

struct cli;

struct cli_cmd {
	const char	*group;		/* first word */
	const char	*name;		/* second word, NULL if none */
	unsigned int	 opts;		/* O_* bits accepted */
	int		 npos;		/* positional arguments required */
	const char	*args;		/* synopsis after the command words */
	const char	*help;		/* one line */
	int		(*run)(struct cli *);
};

struct cli {
	const struct cli_cmd *cmd;
	struct cli_opts	 o;
	const char	*pos[2];	/* positional arguments */
	const char	*conf_path;
	struct conf	 conf;
	struct db	*db;
	struct arena	*arena;
	struct admin	 ad;
};

static int cmd_migrate(struct cli *);
static int cmd_user_add(struct cli *);
static int cmd_user_list(struct cli *);
static int cmd_user_deactivate(struct cli *);
static int cmd_user_activate(struct cli *);
static int cmd_user_set_password(struct cli *);
static int cmd_user_set_staff(struct cli *);
static int cmd_key_add(struct cli *);
static int cmd_key_list(struct cli *);
static int cmd_key_revoke(struct cli *);
static int cmd_org_add(struct cli *);
static int cmd_org_set(struct cli *);
static int cmd_team_add(struct cli *);
static int cmd_member_add(struct cli *);
static int cmd_dashboard_add(struct cli *);

static const struct cli_cmd cmds[] = {
	{ "migrate", NULL, 0, 0, "",
	    "apply missing schema files", cmd_migrate },
	{ "user", "add", O_EMAIL | O_PWSTDIN | O_FIRST | O_LAST | O_STAFF, 0,
	    "--email E [--password-stdin] [--first-name F] [--last-name L] "
	    "[--staff]",
	    "create a user, print its uuid", cmd_user_add },
	{ "user", "list", O_JSON, 0, "[--json]",
	    "list users (id, uuid, email, active, staff, password)",
	    cmd_user_list },
	{ "user", "deactivate", O_EMAIL, 0, "--email E",
	    "set is_active = false", cmd_user_deactivate },
	{ "user", "activate", O_EMAIL, 0, "--email E",
	    "set is_active = true", cmd_user_activate },
	{ "user", "set-password", O_EMAIL, 0, "--email E",
	    "read a new password from stdin; ends the user's sessions",
	    cmd_user_set_password },
	{ "user", "set-staff", O_EMAIL, 1, "--email E true|false",
	    "set is_staff", cmd_user_set_staff },
	{ "key", "add", O_EMAIL | O_SCOPES | O_LABEL, 0,
	    "--email E --scopes LIST [--label L]",
	    "create a personal API key, print it (shown once)", cmd_key_add },
	{ "key", "list", O_EMAIL | O_JSON, 0, "--email E [--json]",
	    "list a user's keys (id, label, mask, scopes, created_at, "
	    "last_used_at)", cmd_key_list },
	{ "key", "revoke", O_ID, 0, "--id ID",
	    "delete a personal API key", cmd_key_revoke },
	{ "org", "add", O_NAME, 0, "--name N",
	    "create an organization, print its uuid", cmd_org_add },
	{ "org", "set", O_ORG | O_ENF2FA, 0, "--org ORG --enforce-2fa true|false",
	    "change organization settings", cmd_org_set },
	{ "team", "add", O_ORG | O_NAME, 0, "--org ORG --name N",
	    "create a team, print its id", cmd_team_add },
	{ "member", "add", O_ORG | O_EMAIL | O_LEVEL, 0,
	    "--org ORG --email E [--level member|admin|owner]",
	    "add a user to an organization", cmd_member_add },
	{ "dashboard", "add", O_TEAM | O_NAME, 0, "--team TEAM --name N",
	    "create a dashboard, print its id", cmd_dashboard_add },
};
#define NCMDS (sizeof(cmds) / sizeof(cmds[0]))

static void cli_err(const char *, ...) __attribute__((format(printf, 1, 2)));

static void
cli_err(const char *fmt, ...)
{
	va_list	 ap;

	fputs("prickle: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static void
cmd_words(const struct cli_cmd *c, char *out, size_t outsz)
{
	snprintf(out, outsz, "%s%s%s", c->group, c->name != NULL ? " " : "",
	    c->name != NULL ? c->name : "");
}

static void
usage_cmd(FILE *f, const struct cli_cmd *c)
{
	char	 words[64];

	cmd_words(c, words, sizeof(words));
	fprintf(f, "usage: prickle [-c CONF] %s%s%s\n\n  %s\n", words,
	    *c->args != '\0' ? " " : "", c->args, c->help);
}

/* Every command of a group (all of them for group NULL). */
static void
usage_list(FILE *f, const char *group)
{
	char	 words[64];
	size_t	 i;

	for (i = 0; i < NCMDS; i++) {
		if (group != NULL && strcmp(cmds[i].group, group) != 0)
			continue;
		cmd_words(&cmds[i], words, sizeof(words));
		fprintf(f, "  %s%s%s\n      %s\n", words,
		    *cmds[i].args != '\0' ? " " : "", cmds[i].args,
		    cmds[i].help);
	}
}

static void
usage_main(FILE *f)
{
	fprintf(f, "usage: prickle [-c CONF] COMMAND [SUBCOMMAND] [OPTIONS]\n"
	    "\ncommands:\n");
	usage_list(f, NULL);
	fprintf(f, "\noptions (accepted by every command):\n"
	    "  -c, --config CONF  configuration file (default: $PRICKLE_CONF,"
	    " else %s)\n"
	    "  -h, --help         show help for the command\n"
	    "\nORG is an organization uuid or slug; TEAM a team id or uuid.\n",
	    DEFAULT_CONF);
}

static void
usage_group(FILE *f, const char *group)
{
	fprintf(f, "usage: prickle [-c CONF] %s SUBCOMMAND [OPTIONS]\n"
	    "\nsubcommands:\n", group);
	usage_list(f, group);
}

static bool
group_exists(const char *group)
{
	size_t	 i;

	for (i = 0; i < NCMDS; i++)
		if (strcmp(cmds[i].group, group) == 0)
			return true;
	return false;
}

static const struct cli_cmd *
cmd_find(const char *group, const char *name)
{
	size_t	 i;

	for (i = 0; i < NCMDS; i++)
		if (strcmp(cmds[i].group, group) == 0 &&
		    (cmds[i].name == NULL ||
		    (name != NULL && strcmp(cmds[i].name, name) == 0)))
			return &cmds[i];
	return NULL;
}

/* Every long option; each command accepts the subset in its opts. */
static const struct option longopts[] = {
	{ "config", required_argument, NULL, 'c' },
	{ "help", no_argument, NULL, 'h' },
	{ "email", required_argument, NULL, 'E' },
	{ "password-stdin", no_argument, NULL, 'P' },
	{ "first-name", required_argument, NULL, 'F' },
	{ "last-name", required_argument, NULL, 'L' },
	{ "staff", no_argument, NULL, 'S' },
	{ "json", no_argument, NULL, 'J' },
	{ "scopes", required_argument, NULL, 's' },
	{ "label", required_argument, NULL, 'l' },
	{ "id", required_argument, NULL, 'i' },
	{ "name", required_argument, NULL, 'n' },
	{ "org", required_argument, NULL, 'o' },
	{ "enforce-2fa", required_argument, NULL, '2' },
	{ "team", required_argument, NULL, 't' },
	{ "level", required_argument, NULL, 'v' },
	{ NULL, 0, NULL, 0 }
};

/* Store one option; returns its O_* bit (0 for -c). */
static unsigned int
opt_store(struct cli *cl, int ch, const char *arg)
{
	struct cli_opts *o = &cl->o;

	switch (ch) {
	case 'c': cl->conf_path = arg; return 0;
	case 'E': o->email = arg; return O_EMAIL;
	case 'P': return O_PWSTDIN;
	case 'F': o->first_name = arg; return O_FIRST;
	case 'L': o->last_name = arg; return O_LAST;
	case 'S': return O_STAFF;
	case 'J': return O_JSON;
	case 's': o->scopes = arg; return O_SCOPES;
	case 'l': o->label = arg; return O_LABEL;
	case 'i': o->id = arg; return O_ID;
	case 'n': o->name = arg; return O_NAME;
	case 'o': o->org = arg; return O_ORG;
	case '2': o->enforce_2fa = arg; return O_ENF2FA;
	case 't': o->team = arg; return O_TEAM;
	case 'v': o->level = arg; return O_LEVEL;
	default: abort();
	}
}

/*
 * Parse the options after the command words (argv[0] is the last
 * word).  Returns -1 to continue, else the exit status.
 */
static int
parse_cmd_opts(struct cli *cl, int argc, char **argv)
{
	const struct cli_cmd *c = cl->cmd;
	char		 words[64];
	unsigned int	 bit;
	int		 ch, idx, npos = 0;

	cmd_words(c, words, sizeof(words));
	optind = 0;	/* glibc: full re-initialisation */
	opterr = 0;
	while ((idx = -1, ch = getopt_long(argc, argv, ":c:h", longopts,
	    &idx)) != -1) {
		if (ch == 'h') {
			usage_cmd(stdout, c);
			return EXIT_SUCCESS;
		}
		if (ch == '?' || ch == ':') {
			cli_err("%s: %s option '%s' (see 'prickle %s --help')",
			    words, ch == ':' ? "missing value for" : "unknown",
			    argv[optind - 1], words);
			return EXIT_USAGE;
		}
		bit = opt_store(cl, ch, optarg);
		if (bit != 0 && (c->opts & bit) == 0) {
			cli_err("%s: option '--%s' does not apply here (see "
			    "'prickle %s --help')", words,
			    idx >= 0 ? longopts[idx].name : "?", words);
			return EXIT_USAGE;
		}
		cl->o.seen |= bit;
	}
	for (; optind < argc; optind++) {
		if (npos >= c->npos) {
			cli_err("%s: unexpected argument '%s'", words,
			    argv[optind]);
			return EXIT_USAGE;
		}
		cl->pos[npos++] = argv[optind];
	}
	if (npos < c->npos) {
		cli_err("%s: missing argument (usage: prickle %s %s)", words,
		    words, c->args);
		return EXIT_USAGE;
	}
	return -1;
}

/* Required option check: usage error naming the option. */
static bool
need(struct cli *cl, const char *val, const char *opt)
{
	char	 words[64];

	if (val != NULL)
		return true;
	cmd_words(cl->cmd, words, sizeof(words));
	cli_err("%s: %s is required (see 'prickle %s --help')", words, opt,
	    words);
	return false;
}

/* "true"/"false" (also yes/no, 1/0); -1 when neither. */
static int
parse_bool(const char *s)
{
	if (str_ieq(s, "true") || str_ieq(s, "yes") || strcmp(s, "1") == 0)
		return 1;
	if (str_ieq(s, "false") || str_ieq(s, "no") || strcmp(s, "0") == 0)
		return 0;
	return -1;
}

static int
bool_arg(struct cli *cl, const char *s, const char *what, bool *out)
{
	int	 b = parse_bool(s);

	if (b < 0) {
		cli_err("%s must be true or false, not '%s'", what, s);
		return EXIT_USAGE;
	}
	*out = b == 1;
	return -1;
}

/* Result of an admin call: 0 or the error line and 1. */
static int
done(struct cli *cl, enum prk_err e)
{
	if (e == PRK_OK)
		return EXIT_SUCCESS;
	cli_err("%s", cl->ad.err[0] != '\0' ? cl->ad.err : prk_strerror(e));
	return EXIT_FAILURE;
}

/*
 * Read a password from stdin: everything up to EOF, one trailing
 * newline ("\n" or "\r\n") removed.  Caller frees (and wipes).
 */
static char *
read_password(void)
{
	char	*buf = xmalloc(PASSWORD_READ_MAX + 1);
	size_t	 n = 0, r;

	while (n < PASSWORD_READ_MAX &&
	    (r = fread(buf + n, 1, PASSWORD_READ_MAX - n, stdin)) > 0)
		n += r;
	if (ferror(stdin) || (n == PASSWORD_READ_MAX && fgetc(stdin) != EOF)) {
		cli_err(ferror(stdin) ? "cannot read the password from stdin" :
		    "password on stdin is too long");
		explicit_bzero(buf, PASSWORD_READ_MAX + 1);
		free(buf);
		return NULL;
	}
	if (n > 0 && buf[n - 1] == '\n')
		n--;
	if (n > 0 && buf[n - 1] == '\r')
		n--;
	buf[n] = '\0';
	if (strlen(buf) != n) {
		cli_err("password on stdin contains a NUL byte");
		free(buf);
		return NULL;
	}
	return buf;
}

static void
free_password(char *pw)
{
	if (pw != NULL) {
		explicit_bzero(pw, strlen(pw));
		free(pw);
	}
}

/* "2024-01-02 03:04:05.123456" -> "2024-01-02T03:04:05.123456Z". */
static const char *
iso_time(struct cli *cl, const char *dt)
{
	char	*s;

	if (dt == NULL)
		return NULL;
	s = arena_printf(cl->arena, "%sZ", dt);
	if (strlen(s) > 10 && s[10] == ' ')
		s[10] = 'T';
	return s;
}

static void
print_json(json_object *o)
{
	puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
	    JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE));
}

static json_object *
jstr(const char *s)
{
	return s != NULL ? json_object_new_string(s) : NULL;
}

static int
cmd_migrate(struct cli *cl)
{
	enum prk_err	 e;
	int		 n;

	e = migrate_apply(cl->db, stdout, &n);
	if (e == PRK_ELOCKED && db_errno(cl->db) == 0) {
		cli_err("another migration is running (lock "
		    "'prickle_migrate' busy)");
		return EXIT_FAILURE;
	}
	if (e != PRK_OK) {
		cli_err("%s: %s", prk_strerror(e), db_errmsg(cl->db));
		return EXIT_FAILURE;
	}
	return EXIT_SUCCESS;
}

static int
cmd_user_add(struct cli *cl)
{
	struct admin_new_user nu;
	char		 uuid[37], *pw = NULL;
	enum prk_err	 e;

	if (!need(cl, cl->o.email, "--email"))
		return EXIT_USAGE;
	if ((cl->o.seen & O_PWSTDIN) && (pw = read_password()) == NULL)
		return EXIT_FAILURE;
	memset(&nu, 0, sizeof(nu));
	nu.email = cl->o.email;
	nu.password = pw;
	nu.first_name = cl->o.first_name;
	nu.last_name = cl->o.last_name;
	nu.staff = (cl->o.seen & O_STAFF) != 0;
	e = admin_user_add(&cl->ad, &nu, uuid);
	free_password(pw);
	if (e == PRK_OK)
		printf("%s\n", uuid);
	return done(cl, e);
}

static void
print_users_json(struct cli *cl, const struct admin_user *u, size_t n)
{
	json_object	*arr = json_object_new_array(), *o;
	size_t		 i;

	for (i = 0; i < n; i++) {
		o = json_object_new_object();
		json_object_object_add(o, "id", json_object_new_int64(u[i].id));
		json_object_object_add(o, "uuid", jstr(u[i].uuid));
		json_object_object_add(o, "email", jstr(u[i].email));
		json_object_object_add(o, "first_name", jstr(u[i].first_name));
		json_object_object_add(o, "last_name", jstr(u[i].last_name));
		json_object_object_add(o, "is_active",
		    json_object_new_boolean(u[i].is_active));
		json_object_object_add(o, "is_staff",
		    json_object_new_boolean(u[i].is_staff));
		json_object_object_add(o, "has_password",
		    json_object_new_boolean(u[i].has_password));
		json_object_object_add(o, "date_joined",
		    jstr(iso_time(cl, u[i].date_joined)));
		json_object_array_add(arr, o);
	}
	print_json(arr);
	json_object_put(arr);
}

static int
cmd_user_list(struct cli *cl)
{
	struct admin_user *u;
	enum prk_err	 e;
	size_t		 n, i;

	if ((e = admin_user_list(&cl->ad, &u, &n)) != PRK_OK)
		return done(cl, e);
	if (cl->o.seen & O_JSON) {
		print_users_json(cl, u, n);
		return EXIT_SUCCESS;
	}
	for (i = 0; i < n; i++)
		printf("%lld\t%s\t%s\t%s\t%s\t%s\n", u[i].id, u[i].uuid,
		    u[i].email, u[i].is_active ? "active" : "inactive",
		    u[i].is_staff ? "staff" : "-",
		    u[i].has_password ? "password" : "no-password");
	return EXIT_SUCCESS;
}

static int
cmd_user_deactivate(struct cli *cl)
{
	if (!need(cl, cl->o.email, "--email"))
		return EXIT_USAGE;
	return done(cl, admin_user_set_active(&cl->ad, cl->o.email, false));
}

static int
cmd_user_activate(struct cli *cl)
{
	if (!need(cl, cl->o.email, "--email"))
		return EXIT_USAGE;
	return done(cl, admin_user_set_active(&cl->ad, cl->o.email, true));
}

static int
cmd_user_set_password(struct cli *cl)
{
	enum prk_err	 e;
	char		*pw;

	if (!need(cl, cl->o.email, "--email"))
		return EXIT_USAGE;
	if ((pw = read_password()) == NULL)
		return EXIT_FAILURE;
	e = admin_user_set_password(&cl->ad, cl->o.email, pw);
	free_password(pw);
	return done(cl, e);
}

static int
cmd_user_set_staff(struct cli *cl)
{
	bool	 staff;
	int	 rc;

	if (!need(cl, cl->o.email, "--email"))
		return EXIT_USAGE;
	if ((rc = bool_arg(cl, cl->pos[0], "is_staff", &staff)) >= 0)
		return rc;
	return done(cl, admin_user_set_staff(&cl->ad, cl->o.email, staff));
}

static int
cmd_key_add(struct cli *cl)
{
	char		 key[APIKEY_MAX];
	enum prk_err	 e;

	if (!need(cl, cl->o.email, "--email") ||
	    !need(cl, cl->o.scopes, "--scopes"))
		return EXIT_USAGE;
	e = admin_key_add(&cl->ad, cl->o.email, cl->o.scopes, cl->o.label,
	    key);
	if (e == PRK_OK) {
		printf("%s\n", key);
		explicit_bzero(key, sizeof(key));
	}
	return done(cl, e);
}

static void
print_keys_json(struct cli *cl, const struct admin_key *k, size_t n)
{
	json_object	*arr = json_object_new_array(), *o, *scopes;
	size_t		 i;

	for (i = 0; i < n; i++) {
		o = json_object_new_object();
		scopes = k[i].scopes != NULL ?
		    json_tokener_parse(k[i].scopes) : NULL;
		json_object_object_add(o, "id", json_object_new_int64(k[i].id));
		json_object_object_add(o, "label", jstr(k[i].label));
		json_object_object_add(o, "mask", jstr(k[i].mask));
		json_object_object_add(o, "scopes", scopes);
		json_object_object_add(o, "created_at",
		    jstr(iso_time(cl, k[i].created_at)));
		json_object_object_add(o, "last_used_at",
		    jstr(iso_time(cl, k[i].last_used_at)));
		json_object_array_add(arr, o);
	}
	print_json(arr);
	json_object_put(arr);
}

static int
cmd_key_list(struct cli *cl)
{
	struct admin_key *k;
	enum prk_err	 e;
	size_t		 n, i;

	if (!need(cl, cl->o.email, "--email"))
		return EXIT_USAGE;
	if ((e = admin_key_list(&cl->ad, cl->o.email, &k, &n)) != PRK_OK)
		return done(cl, e);
	if (cl->o.seen & O_JSON) {
		print_keys_json(cl, k, n);
		return EXIT_SUCCESS;
	}
	for (i = 0; i < n; i++)
		printf("%lld\t%s\t%s\t%s\t%s\t%s\n", k[i].id, k[i].label,
		    k[i].mask, k[i].scopes != NULL ? k[i].scopes : "null",
		    iso_time(cl, k[i].created_at),
		    k[i].last_used_at != NULL ?
		    iso_time(cl, k[i].last_used_at) : "never");
	return EXIT_SUCCESS;
}

static int
cmd_key_revoke(struct cli *cl)
{
	if (!need(cl, cl->o.id, "--id"))
		return EXIT_USAGE;
	return done(cl, admin_key_revoke(&cl->ad, cl->o.id));
}

static int
cmd_org_add(struct cli *cl)
{
	char		 uuid[37];
	enum prk_err	 e;

	if (!need(cl, cl->o.name, "--name"))
		return EXIT_USAGE;
	if ((e = admin_org_add(&cl->ad, cl->o.name, uuid)) == PRK_OK)
		printf("%s\n", uuid);
	return done(cl, e);
}

static int
cmd_org_set(struct cli *cl)
{
	bool	 enforce;
	int	 rc;

	if (!need(cl, cl->o.org, "--org"))
		return EXIT_USAGE;
	if (cl->o.enforce_2fa == NULL) {
		cli_err("org set: nothing to change (see 'prickle org set "
		    "--help')");
		return EXIT_USAGE;
	}
	if ((rc = bool_arg(cl, cl->o.enforce_2fa, "--enforce-2fa",
	    &enforce)) >= 0)
		return rc;
	return done(cl, admin_org_set_enforce_2fa(&cl->ad, cl->o.org,
	    enforce));
}

static int
cmd_team_add(struct cli *cl)
{
	enum prk_err	 e;
	long long	 id;

	if (!need(cl, cl->o.org, "--org") || !need(cl, cl->o.name, "--name"))
		return EXIT_USAGE;
	if ((e = admin_team_add(&cl->ad, cl->o.org, cl->o.name, &id)) ==
	    PRK_OK)
		printf("%lld\n", id);
	return done(cl, e);
}

static int
cmd_member_add(struct cli *cl)
{
	enum admin_level level = ADMIN_LEVEL_MEMBER;
	const char	*l = cl->o.level;

	if (!need(cl, cl->o.org, "--org") || !need(cl, cl->o.email, "--email"))
		return EXIT_USAGE;
	if (l != NULL && strcmp(l, "member") == 0)
		level = ADMIN_LEVEL_MEMBER;
	else if (l != NULL && strcmp(l, "admin") == 0)
		level = ADMIN_LEVEL_ADMIN;
	else if (l != NULL && strcmp(l, "owner") == 0)
		level = ADMIN_LEVEL_OWNER;
	else if (l != NULL) {
		cli_err("--level must be member, admin or owner, not '%s'", l);
		return EXIT_USAGE;
	}
	return done(cl, admin_member_add(&cl->ad, cl->o.org, cl->o.email,
	    level));
}

static int
cmd_dashboard_add(struct cli *cl)
{
	enum prk_err	 e;
	long long	 id;

	if (!need(cl, cl->o.team, "--team") || !need(cl, cl->o.name, "--name"))
		return EXIT_USAGE;
	if ((e = admin_dashboard_add(&cl->ad, cl->o.team, cl->o.name, &id)) ==
	    PRK_OK)
		printf("%lld\n", id);
	return done(cl, e);
}

/*
 * Load the configuration.  The CLI reports failures itself (one line,
 * with the server's message), so library log lines below critical are
 * not shown.
 */
static int
load_conf(struct cli *cl)
{
	struct conf	 quiet;
	char		 err[512];

	conf_defaults(&cl->conf);
	if (conf_load(&cl->conf, cl->conf_path, err, sizeof(err)) == -1) {
		cli_err("%s", err);
		conf_free(&cl->conf);
		return EXIT_FAILURE;
	}
	quiet = cl->conf;
	quiet.error_log = "stderr";
	quiet.daemonize = 0;
	quiet.log_level = LOG_CRIT;
	log_init(&quiet);
	return -1;
}

/* Find the command from the words after the global options. */
static int
select_cmd(struct cli *cl, int argc, char **argv, int *used)
{
	const char	*group = argv[0];
	const char	*sub = argc > 1 ? argv[1] : NULL;

	if (!group_exists(group)) {
		cli_err("unknown command '%s' (see 'prickle --help')", group);
		return EXIT_USAGE;
	}
	if ((cl->cmd = cmd_find(group, NULL)) != NULL &&
	    cl->cmd->name == NULL) {
		*used = 1;
		return -1;
	}
	if (sub == NULL) {
		cli_err("%s: missing subcommand (see 'prickle %s --help')",
		    group, group);
		return EXIT_USAGE;
	}
	if (strcmp(sub, "-h") == 0 || strcmp(sub, "--help") == 0) {
		usage_group(stdout, group);
		return EXIT_SUCCESS;
	}
	if ((cl->cmd = cmd_find(group, sub)) == NULL) {
		cli_err("unknown command '%s %s' (see 'prickle %s --help')",
		    group, sub, group);
		return EXIT_USAGE;
	}
	*used = 2;
	return -1;
}

/* Global options before the command: -c CONF, -h. */
static int
parse_global(struct cli *cl, int argc, char **argv)
{
	int	 ch;

	opterr = 0;
	while ((ch = getopt_long(argc, argv, "+:c:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			cl->conf_path = optarg;
			break;
		case 'h':
			usage_main(stdout);
			return EXIT_SUCCESS;
		default:
			cli_err("%s option '%s' (see 'prickle --help')",
			    ch == ':' ? "missing value for" : "unknown",
			    argv[optind - 1]);
			return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		cli_err("missing command (see 'prickle --help')");
		return EXIT_USAGE;
	}
	return -1;
}

static int
run(struct cli *cl)
{
	int	 rc;

	if ((rc = load_conf(cl)) >= 0)
		return rc;
	cl->db = db_new(&cl->conf);
	cl->arena = arena_new();
	admin_init(&cl->ad, cl->db, cl->arena, &cl->conf);
	rc = cl->cmd->run(cl);
	db_free(cl->db);
	arena_free(cl->arena);
	conf_free(&cl->conf);
	return rc;
}

int
main(int argc, char *argv[])
{
	struct cli	 cl;
	int		 rc, used = 0, first;

	memset(&cl, 0, sizeof(cl));
	log_set_ident("prickle");
	cl.conf_path = getenv("PRICKLE_CONF");
	if (cl.conf_path == NULL || *cl.conf_path == '\0')
		cl.conf_path = DEFAULT_CONF;
	if ((rc = parse_global(&cl, argc, argv)) >= 0)
		return rc;
	first = optind;
	if ((rc = select_cmd(&cl, argc - first, argv + first, &used)) >= 0)
		return rc;
	/* argv[first + used - 1] (the last command word) acts as argv[0]. */
	if ((rc = parse_cmd_opts(&cl, argc - first - used + 1,
	    argv + first + used - 1)) >= 0)
		return rc;
	rc = run(&cl);
	if (fflush(stdout) == EOF || ferror(stdout)) {
		cli_err("cannot write to stdout: %s", strerror(errno));
		return EXIT_FAILURE;
	}
	return rc;
}
