/*
 * prickled -- the FastCGI server: read the configuration, then hand over
 * to the master process (pool.c).
 */
#include "config.h"

#include <getopt.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "log.h"
#include "pool.h"
#include "util.h"

#define DEFAULT_CONF	SYSCONFDIR "/prickle/prickle.conf"

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: prickled [-DTthv] [-c file]\n"
	    "  -c file   configuration file (default %s)\n"
	    "  -D        run as a daemon (detach, log to syslog unless "
	    "error_log is a file)\n"
	    "  -t        test the configuration and exit\n"
	    "  -T        test the configuration, print it and exit\n"
	    "  -h        show this help (--help)\n"
	    "  -v        show the version (--version)\n"
	    "Signals to the master: TERM/INT stop, QUIT graceful stop, "
	    "USR1 reopen logs,\nUSR2/HUP reload the configuration.\n",
	    DEFAULT_CONF);
}

/* Load and check FILE; on error print "prickled: MESSAGE" and fail. */
static struct conf *
load_conf(const char *path)
{
	struct conf	*c;
	char		 err[1024];

	c = xcalloc(1, sizeof(*c));
	conf_defaults(c);
	if (conf_load(c, path, err, sizeof(err)) == -1) {
		fprintf(stderr, "prickled: %s\n", err);
		goto fail;
	}
	if (conf_check(c, err, sizeof(err)) == -1) {
		fprintf(stderr, "prickled: %s: %s\n", path, err);
		goto fail;
	}
	return c;
fail:
	conf_free(c);
	free(c);
	return NULL;
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'v' },
		{ NULL, 0, NULL, 0 }
	};
	const char	*path = DEFAULT_CONF;
	char		 abspath[PATH_MAX];
	struct conf	*c;
	bool		 test = false, dump = false, daemon = false;
	int		 ch;

	while ((ch = getopt_long(argc, argv, "c:DhtTv", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'c':
			path = optarg;
			break;
		case 'D':
			daemon = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 't':
			test = true;
			break;
		case 'T':
			dump = true;
			break;
		case 'v':
			printf("prickled %s\n", PACKAGE_VERSION);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}

	if ((c = load_conf(path)) == NULL)
		return 1;
	if (test || dump) {
		if (dump)
			conf_dump(c, stdout);
		else
			printf("configuration file %s test is successful\n",
			    path);
		conf_free(c);
		free(c);
		return 0;
	}
	if (daemon)
		c->daemonize = 1;
	/* The daemon changes to "/"; reloads need the absolute path. */
	if (realpath(path, abspath) == NULL)
		snprintf(abspath, sizeof(abspath), "%s", path);
	log_init(c);
	return pool_run(c, abspath);
}
