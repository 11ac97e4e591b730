/*
 * test-conf -- prickle.conf parsing, validation, defaults and the
 * shipped example file.
 */
#include "config.h"

#include <sys/socket.h>
#include <netinet/in.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "conf.h"
#include "../tap.h"

static char	 tmpl[4096];
static char	 err[1024];

/* Write text to a scratch file and load it over the defaults. */
static int
load_text(struct conf *c, const char *text)
{
	FILE	*f;
	int	 fd, rc;

	snprintf(tmpl, sizeof(tmpl), "%s/test-conf.XXXXXX",
	    getenv("TMPDIR") != NULL ? getenv("TMPDIR") : "/tmp");
	if ((fd = mkstemp(tmpl)) == -1 || (f = fdopen(fd, "w")) == NULL)
		bail_out("cannot create a scratch file");
	fputs(text, f);
	fclose(f);
	conf_free(c);
	conf_defaults(c);
	err[0] = '\0';
	rc = conf_load(c, tmpl, err, sizeof(err));
	unlink(tmpl);
	return rc;
}

/* The error message without the scratch file's name. */
static const char *
errtail(void)
{
	size_t	 n = strlen(tmpl);

	return strncmp(err, tmpl, n) == 0 ? err + n : err;
}

static int
set(struct conf *c, const char *k, const char *v)
{
	err[0] = '\0';
	return conf_set(c, k, v, err, sizeof(err));
}

static void
test_defaults(void)
{
	struct conf	 c;

	conf_defaults(&c);
	is_str(c.error_log, "stderr", "default error_log");
	is_int(c.log_level, LOG_NOTICE, "default log_level");
	is_str(c.syslog_ident, "prickled", "default syslog.ident");
	is_int(c.daemonize, 0, "default daemonize");
	ok(c.pid == NULL, "pid unset by default");
	is_str(c.listen, "/run/prickle/prickled.sock", "default listen");
	is_int(c.listen_mode, 0660, "default listen.mode");
	ok(c.pm_max_children >= 1, "pm.max_children defaults to the CPUs "
	    "(%d)", c.pm_max_children);
	is_int(c.request_max_body_size, 1024 * 1024, "default body size");
	is_str(c.db_group, "client-prickle", "default database.group");
	ok(c.secret_key == NULL, "secret_key unset by default");
	is_int(c.password_iterations, 1000000, "password.iterations");
	is_int(c.password_min_length, 8, "password.min_length");
	is_int(c.auth_sensitive_action_age, 7200, "sensitive_action_age");
	is_int(c.auth_password_throttle_count, 5, "throttle count");
	is_int(c.auth_password_throttle_seconds, 60, "throttle seconds");
	is_int(c.auth_login_lockout_limit, 30, "login_lockout_limit");
	is_int(c.auth_login_lockout_seconds, 600, "login_lockout_seconds");
	is_int(c.auth_two_factor_login_timeout, 600, "2fa login timeout");
	is_int(c.auth_two_factor_setup_timeout, 600, "2fa setup timeout");
	is_int(c.session_max_age, 1209600, "session.max_age");
	is_str(c.session_cookie_name, "sessionid", "session.cookie_name");
	is_int(c.session_cookie_secure, 1, "session.cookie_secure");
	ok(c.mail_sendmail_path == NULL, "mail.sendmail_path unset");
	ok(c.site_url == NULL, "site_url unset");
	conf_free(&c);
}

static void
test_syntax(void)
{
	struct conf	 c;

	conf_defaults(&c);
	is_int(load_text(&c,
	    "; comment\n# comment\n\n[global]\n  log_level = debug  \n"
	    "[pool]\npm.max_children=7\nlisten = 127.0.0.1:9000 ; inline\n"
	    "[mail]\nmail.from = \"Team ; \\\"x\\\" <a@b>\"  ; c\n"),
	    0, "sections, comments, spacing and quotes parse");
	is_int(c.log_level, LOG_DEBUG, "log_level = debug");
	is_int(c.pm_max_children, 7, "no spaces around '='");
	is_str(c.listen, "127.0.0.1:9000", "inline comment stripped");
	is_str(c.mail_from, "Team ; \"x\" <a@b>", "quoted value with ';' "
	    "and escaped quotes");

	is_int(load_text(&c, "[pool]\nfoo = 1\n"), -1, "unknown key fails");
	is_str(errtail(), ":2: unknown key 'foo'", "message names the line");
	is_int(load_text(&c, "pm.max_requests = 1\npm.max_requests = 2\n"),
	    -1, "duplicate key fails");
	is_str(errtail(), ":2: duplicate key 'pm.max_requests'",
	    "duplicate message");
	is_int(load_text(&c, "daemonize\n"), -1, "line without '=' fails");
	is_int(load_text(&c, "[pool\n"), -1, "bad section header fails");
	is_int(load_text(&c, " = 3\n"), -1, "missing key name fails");
	is_int(load_text(&c, "mail.from = \"open\n"), -1,
	    "unterminated quote fails");
	is_int(load_text(&c, "mail.from = \"a\" b\n"), -1,
	    "text after the closing quote fails");
	is_int(load_text(&c, "pid = \"\"\n"), 0, "empty quoted value");
	ok(c.pid == NULL, "empty value unsets a string");
	is_int(load_text(&c, "syslog.ident =\n"), -1,
	    "empty required string fails");
	err[0] = '\0';
	is_int(conf_load(&c, "/nonexistent/prickle.conf", err, sizeof(err)),
	    -1, "missing file fails");
	ok(strstr(err, "No such file") != NULL, "missing file: %s", err);
	conf_free(&c);
}

static void
test_types(void)
{
	struct conf	 c;

	conf_defaults(&c);
	is_int(set(&c, "pm.max_children", "0"), -1, "int below min fails");
	ok(strstr(err, "out of range (1..1024)") != NULL, "bounds: %s", err);
	is_int(set(&c, "pm.max_children", "1025"), -1, "int above max fails");
	is_int(set(&c, "pm.max_children", "4x"), -1, "int with junk fails");
	is_int(set(&c, "pm.max_children", ""), -1, "empty int fails");
	is_int(set(&c, "pm.max_children", "1024"), 0, "int at max");
	is_int(c.pm_max_children, 1024, "int stored");
	is_int(set(&c, "password.iterations", "0"), -1, "iterations min 1");
	is_int(set(&c, "password.iterations", "1"), 0, "iterations = 1");

	is_int(set(&c, "daemonize", "on"), 0, "bool on");
	is_int(c.daemonize, 1, "on is true");
	is_int(set(&c, "daemonize", "FALSE"), 0, "bool FALSE");
	is_int(c.daemonize, 0, "FALSE is false");
	is_int(set(&c, "session.cookie_secure", "maybe"), -1, "bad bool");
	ok(strstr(err, "not a boolean") != NULL, "bad bool: %s", err);

	is_int(set(&c, "request.max_body_size", "512k"), 0, "size 512k");
	is_int(c.request_max_body_size, 512 * 1024, "512k in bytes");
	is_int(set(&c, "request.max_body_size", "2M"), 0, "size 2M");
	is_int(c.request_max_body_size, 2 * 1024 * 1024, "2M in bytes");
	is_int(set(&c, "request.max_body_size", "4096"), 0, "plain bytes");
	is_int(c.request_max_body_size, 4096, "plain size");
	is_int(set(&c, "request.max_body_size", "1x"), -1, "bad suffix");
	is_int(set(&c, "request.max_body_size", "1mb"), -1, "two letters");
	is_int(set(&c, "request.max_body_size", "-1"), -1, "negative size");
	is_int(set(&c, "request.max_body_size", "2g"), -1, "size over max");

	is_int(set(&c, "listen.mode", "0666"), 0, "octal mode");
	is_int(c.listen_mode, 0666, "mode stored");
	is_int(set(&c, "listen.mode", "0668"), -1, "non-octal mode fails");
	is_int(set(&c, "listen.mode", "01777"), -1, "mode above 0777 fails");

	is_int(set(&c, "log_level", "warning"), 0, "log level warning");
	is_int(c.log_level, LOG_WARNING, "warning stored");
	is_int(set(&c, "log_level", "loud"), -1, "unknown level fails");

	is_int(set(&c, "auth.password_throttle_rate", "10/300"), 0, "rate");
	is_int(c.auth_password_throttle_count, 10, "rate count");
	is_int(c.auth_password_throttle_seconds, 300, "rate seconds");
	is_int(set(&c, "auth.password_throttle_rate", "10"), -1,
	    "rate without '/' fails");
	is_int(set(&c, "auth.password_throttle_rate", "0/60"), -1,
	    "rate with zero count fails");
	is_int(set(&c, "auth.password_throttle_rate", "5/"), -1,
	    "rate without seconds fails");
	is_int(set(&c, "auth.password_throttle_rate", "a/b"), -1,
	    "rate with words fails");
	is_int(c.auth_password_throttle_count, 10, "failed set keeps value");

	is_int(set(&c, "session.cookie_name", "bad name"), -1,
	    "cookie name with a space fails");
	is_int(set(&c, "site_url", "ftp://x"), -1, "site_url must be http");
	is_int(set(&c, "site_url", "https://ph.example.com"), 0, "site_url");
	is_int(set(&c, "csrf.trusted_origins",
	    "https://a.example  http://b.example"), 0, "origins list");
	is_int(set(&c, "csrf.trusted_origins", "https://a.example b"), -1,
	    "origin without scheme fails");
	is_int(set(&c, "error_log", "relative.log"), -1,
	    "relative error_log fails");
	is_int(set(&c, "nonsense", "1"), -1, "conf_set: unknown key");
	is_str(err, "unknown key 'nonsense'", "conf_set message");

	is_int(conf_apply_override(&c, " session.max_age = 60 ", err,
	    sizeof(err)), 0, "override KEY=VALUE");
	is_int(c.session_max_age, 60, "override applied");
	is_int(conf_apply_override(&c, "mail.sendmail_path=/bin/cat -u", err,
	    sizeof(err)), 0, "override keeps spaces inside the value");
	is_str(c.mail_sendmail_path, "/bin/cat -u", "override value");
	is_int(conf_apply_override(&c, "novalue", err, sizeof(err)), -1,
	    "override without '=' fails");
	is_int(conf_apply_override(&c, "foo=1", err, sizeof(err)), -1,
	    "override of an unknown key fails");
	ok(conf_key_exists("auth.sensitive_action_age"), "key exists");
	ok(!conf_key_exists("auth"), "prefix is not a key");
	conf_free(&c);
}

static void
test_listen(void)
{
	static const char *const good[] = { "/run/p.sock", "127.0.0.1:9000",
	    "[::1]:9000", "10.1.2.3:1" };
	static const char *const bad[] = { ":9000", "9000", "0.0.0.0:9000",
	    "*:9000", "[::]:9000", "localhost:9000", "127.0.0.1:0",
	    "127.0.0.1:65536", "127.0.0.1:", "[::1:9000", "rel/p.sock" };
	struct sockaddr_storage	 ss;
	socklen_t		 len;
	char			 longpath[200];
	size_t			 i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		is_int(conf_listen_parse(good[i], &ss, &len, err,
		    sizeof(err)), 0, "listen %s accepted", good[i]);
	conf_listen_parse("[::1]:9000", &ss, &len, err, sizeof(err));
	is_int(ss.ss_family, AF_INET6, "[::1] is IPv6");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		is_int(conf_listen_parse(bad[i], &ss, &len, err,
		    sizeof(err)), -1, "listen %s refused: %s", bad[i], err);
	conf_listen_parse("0.0.0.0:9000", &ss, &len, err, sizeof(err));
	ok(strstr(err, "all interfaces") != NULL, "wildcard message");
	memset(longpath, 'x', sizeof(longpath) - 1);
	longpath[0] = '/';
	longpath[sizeof(longpath) - 1] = '\0';
	is_int(conf_listen_parse(longpath, &ss, &len, err, sizeof(err)), -1,
	    "too long socket path refused");
}

static void
test_check(void)
{
	struct conf	 c;

	conf_defaults(&c);
	is_int(conf_check(&c, err, sizeof(err)), -1, "no secret_key fails");
	ok(strstr(err, "openssl rand -hex 32") != NULL, "message says how "
	    "to make one");
	set(&c, "secret_key", "short");
	is_int(conf_check(&c, err, sizeof(err)), -1, "short key fails");
	set(&c, "secret_key", "0123456789abcdef0123456789abcdef");
	is_int(conf_check(&c, err, sizeof(err)), 0, "32 characters pass");
	set(&c, "group", "nogroup");
	is_int(conf_check(&c, err, sizeof(err)), -1, "group without user");
	set(&c, "user", "nobody");
	is_int(conf_check(&c, err, sizeof(err)), 0, "user and group");
	set(&c, "listen", "127.0.0.1:9000");
	set(&c, "listen.owner", "www-data");
	is_int(conf_check(&c, err, sizeof(err)), -1,
	    "listen.owner with a TCP socket fails");
	conf_free(&c);
}

/* Every key and its "Default Value" line appear in the example file. */
static void
test_example(void)
{
	struct conf	 c, d;
	FILE		*f, *dump1, *dump2;
	char		*text = NULL, pat[128], *b1 = NULL, *b2 = NULL;
	size_t		 len = 0, i, l1, l2, missing = 0;
	const char	*top = getenv("top_srcdir");
	char		 path[4096];
	const char	*k, *at;

	snprintf(path, sizeof(path), "%s/conf/prickle.conf.example",
	    top != NULL ? top : ".");
	if ((f = fopen(path, "r")) == NULL) {
		ok(0, "open %s", path);
		return;
	}
	text = calloc(1, 65536);
	len = fread(text, 1, 65535, f);
	fclose(f);
	ok(len > 0 && len < 65535, "read the example file");

	for (i = 0; (k = conf_key_name(i)) != NULL; i++) {
		/* "key = " at a line start, commented out or not. */
		snprintf(pat, sizeof(pat), "\n%s = ", k);
		at = strstr(text, pat);
		if (at == NULL) {
			snprintf(pat, sizeof(pat), "\n;%s = ", k);
			at = strstr(text, pat);
		}
		if (at == NULL) {
			diag("key %s missing from the example", k);
			missing++;
		}
	}
	is_int((long long)missing, 0, "all %zu keys appear in the example",
	    conf_nkeys());
	ok(conf_nkeys() >= 37, "the key table lists every key");

	conf_defaults(&c);
	err[0] = '\0';
	is_int(conf_load(&c, path, err, sizeof(err)), 0,
	    "the example file parses %s", err);

	/* Its uncommented values are the defaults. */
	conf_defaults(&d);
	dump1 = open_memstream(&b1, &l1);
	dump2 = open_memstream(&b2, &l2);
	conf_dump(&c, dump1);
	conf_dump(&d, dump2);
	fclose(dump1);
	fclose(dump2);
	is_str(b1, b2, "the example's values equal the defaults");
	free(b1);
	free(b2);
	conf_free(&c);
	conf_free(&d);
	free(text);
}

/* conf_dump output reads back to the same configuration. */
static void
test_dump_roundtrip(void)
{
	struct conf	 c;
	char		*b1 = NULL, *b2 = NULL;
	size_t		 l1, l2;
	FILE		*m;

	conf_defaults(&c);
	load_text(&c, "mail.from = \"a ; b\"\npm.max_children = 3\n"
	    "listen.mode = 0640\nauth.password_throttle_rate = 7/30\n"
	    "request.max_body_size = 64k\n");
	m = open_memstream(&b1, &l1);
	conf_dump(&c, m);
	fclose(m);
	is_int(load_text(&c, b1), 0, "dump parses back");
	m = open_memstream(&b2, &l2);
	conf_dump(&c, m);
	fclose(m);
	is_str(b2, b1, "dump is stable");
	ok(strstr(b1, "listen.mode = 0640\n") != NULL, "mode dumped octal");
	ok(strstr(b1, "auth.password_throttle_rate = 7/30\n") != NULL,
	    "rate dumped as N/S");
	set(&c, "secret_key", "0123456789abcdef0123456789abcdef-secret");
	free(b1);
	m = open_memstream(&b1, &l1);
	conf_dump(&c, m);
	fclose(m);
	ok(strstr(b1, "-secret") == NULL, "secret_key is not dumped");
	free(b1);
	free(b2);
	conf_free(&c);
}

int
main(void)
{
	test_defaults();
	test_syntax();
	test_types();
	test_listen();
	test_check();
	test_example();
	test_dump_roundtrip();
	return done_testing();
}
