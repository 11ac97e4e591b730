/*
 * noop -- the FastCGI ceilings for bench/run.
 *
 *   noop -s SOCKET -n CHILDREN -b BODYFILE [-d OPTFILE -g GROUP -q SQL -a ARG]
 *
 * Listens on the unix socket SOCKET (mode 0666), forks CHILDREN workers
 * that each loop FCGX_Accept_r -> write the bytes of BODYFILE with the
 * headers prickled writes for a 200 JSON reply -> FCGX_Finish_r.  No
 * parsing, no database, no allocation per request: what is left is the
 * cost of libfcgi, the socket round trip and nginx.
 *
 * With -q, each worker connects to MariaDB (client options from group
 * GROUP of OPTFILE), prepares SQL once and, for every request, executes it
 * with the one string parameter ARG and reads its rows before answering:
 * the same plus one database round trip, the floor of any answer that
 * must ask the database (a key lookup, say).
 *
 * SIGTERM or SIGINT to the parent stops the workers and the parent; a
 * worker dies on TERM or INT, and with its parent (PR_SET_PDEATHSIG).
 */
#define _GNU_SOURCE

#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <fcgiapp.h>
#include <mysql.h>

#define MAX_CHILDREN	256
#define MAX_BODY	(16 * 1024 * 1024)
#define BACKLOG		511	/* prickle.conf's listen.backlog default */
#define STOP_SECONDS	10

static volatile sig_atomic_t stop_requested;

/* The -d -g -q -a options; sql NULL = no database. */
struct query {
	const char	*optfile, *group, *sql, *arg;
};

static void
usage(void)
{
	fprintf(stderr, "usage: noop -s SOCKET -n CHILDREN -b BODYFILE "
	    "[-d OPTFILE -g GROUP -q SQL -a ARG]\n");
	exit(2);
}

static void
on_stop(int sig)
{
	(void)sig;
	stop_requested = 1;
}

/* The whole of PATH in a malloc'd buffer; exits on error. */
static char *
slurp(const char *path, size_t *lenp)
{
	FILE	*fp;
	char	*buf;
	size_t	 len = 0, n;

	if ((fp = fopen(path, "rb")) == NULL) {
		perror(path);
		exit(1);
	}
	if ((buf = malloc(MAX_BODY)) == NULL) {
		perror("malloc");
		exit(1);
	}
	while ((n = fread(buf + len, 1, MAX_BODY - len, fp)) > 0)
		len += n;
	if (ferror(fp) || len == MAX_BODY) {
		fprintf(stderr, "noop: cannot read %s (or larger than %d bytes)\n",
		    path, MAX_BODY);
		exit(1);
	}
	fclose(fp);
	*lenp = len;
	return buf;
}

/* A connection and q->sql prepared with q->arg bound; exits on error. */
static MYSQL_STMT *
prepare_query(const struct query *q)
{
	static unsigned long	 arglen;
	static MYSQL_BIND	 bind;
	MYSQL			*my;
	MYSQL_STMT		*st;

	if ((my = mysql_init(NULL)) == NULL ||
	    mysql_optionsv(my, MYSQL_READ_DEFAULT_FILE, q->optfile) != 0 ||
	    mysql_optionsv(my, MYSQL_READ_DEFAULT_GROUP, q->group) != 0 ||
	    mysql_real_connect(my, NULL, NULL, NULL, NULL, 0, NULL, 0) ==
	    NULL) {
		fprintf(stderr, "noop: connect: %s\n",
		    my != NULL ? mysql_error(my) : "out of memory");
		_exit(1);
	}
	if ((st = mysql_stmt_init(my)) == NULL ||
	    mysql_stmt_prepare(st, q->sql, strlen(q->sql)) != 0) {
		fprintf(stderr, "noop: prepare: %s\n", mysql_error(my));
		_exit(1);
	}
	arglen = strlen(q->arg);
	memset(&bind, 0, sizeof(bind));
	bind.buffer_type = MYSQL_TYPE_STRING;
	bind.buffer = (void *)q->arg;
	bind.buffer_length = arglen;
	bind.length = &arglen;
	if (mysql_stmt_bind_param(st, &bind) != 0) {
		fprintf(stderr, "noop: bind: %s\n", mysql_stmt_error(st));
		_exit(1);
	}
	return st;
}

/* One execution, its rows read and dropped; exits on error. */
static void
run_query(MYSQL_STMT *st)
{
	int	 rc;

	if (mysql_stmt_execute(st) != 0) {
		fprintf(stderr, "noop: execute: %s\n", mysql_stmt_error(st));
		_exit(1);
	}
	while ((rc = mysql_stmt_fetch(st)) == 0 || rc == MYSQL_DATA_TRUNCATED)
		continue;
	mysql_stmt_free_result(st);
}

static void
serve(int sock, const char *reply, int replylen, const struct query *q)
{
	FCGX_Request	 req;
	MYSQL_STMT	*st = NULL;
	char		 scratch[8192];

	if (q->sql != NULL)
		st = prepare_query(q);
	if (FCGX_InitRequest(&req, sock, 0) != 0) {
		fprintf(stderr, "noop: FCGX_InitRequest failed\n");
		_exit(1);
	}
	while (FCGX_Accept_r(&req) >= 0) {
		if (st != NULL)
			run_query(st);
		/* Drain a request body (PATCH) like a real responder. */
		while (FCGX_GetStr(scratch, (int)sizeof(scratch), req.in) > 0)
			continue;
		FCGX_PutStr(reply, replylen, req.out);
		FCGX_Finish_r(&req);
	}
	_exit(0);
}

int
main(int argc, char *argv[])
{
	struct sigaction sa;
	struct query	 q = { NULL, NULL, NULL, NULL };
	const char	*sockpath = NULL, *bodypath = NULL;
	char		*body, *reply, *end;
	size_t		 bodylen, hdrlen;
	pid_t		 kids[MAX_CHILDREN];
	long		 n = 0;
	int		 ch, sock, i, alive, status, nq;
	unsigned int	 waited;
	pid_t		 pid;

	while ((ch = getopt(argc, argv, "s:n:b:d:g:q:a:")) != -1) {
		switch (ch) {
		case 's':
			sockpath = optarg;
			break;
		case 'n':
			errno = 0;
			n = strtol(optarg, &end, 10);
			if (errno != 0 || *end != '\0' || n < 1 ||
			    n > MAX_CHILDREN)
				usage();
			break;
		case 'b':
			bodypath = optarg;
			break;
		case 'd':
			q.optfile = optarg;
			break;
		case 'g':
			q.group = optarg;
			break;
		case 'q':
			q.sql = optarg;
			break;
		case 'a':
			q.arg = optarg;
			break;
		default:
			usage();
		}
	}
	if (sockpath == NULL || bodypath == NULL || n == 0 || optind != argc)
		usage();
	/* -d -g -q -a come all together or not at all */
	nq = (q.optfile != NULL) + (q.group != NULL) + (q.sql != NULL) +
	    (q.arg != NULL);
	if (nq != 0 && nq != 4)
		usage();

	body = slurp(bodypath, &bodylen);
	if ((reply = malloc(bodylen + 256)) == NULL) {
		perror("malloc");
		return 1;
	}
	/* The header block fcgi.c writes for a 200 with a JSON body. */
	hdrlen = (size_t)snprintf(reply, 256, "Status: 200 OK\r\n"
	    "Content-Type: application/json\r\n"
	    "Content-Length: %zu\r\n\r\n", bodylen);
	memcpy(reply + hdrlen, body, bodylen);
	free(body);
	if (hdrlen + bodylen > INT_MAX)
		return 1;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sigemptyset(&sa.sa_mask);
	/* No SA_RESTART: a signal interrupts accept() and waitpid(). */
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);

	if (FCGX_Init() != 0) {
		fprintf(stderr, "noop: FCGX_Init failed\n");
		return 1;
	}
	if ((sock = FCGX_OpenSocket(sockpath, BACKLOG)) < 0) {
		fprintf(stderr, "noop: cannot listen on %s\n", sockpath);
		return 1;
	}
	if (chmod(sockpath, 0666) == -1) {
		perror(sockpath);
		return 1;
	}

	for (i = 0; i < n; i++) {
		if ((pid = fork()) == -1) {
			perror("fork");
			stop_requested = 1;
			break;
		}
		if (pid == 0) {
			/* A worker simply dies on TERM/INT. */
			signal(SIGTERM, SIG_DFL);
			signal(SIGINT, SIG_DFL);
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			if (getppid() == 1)
				_exit(0);
			serve(sock, reply, (int)(hdrlen + bodylen), &q);
		}
		kids[i] = pid;
	}
	n = i;

	/* Wait for a stop signal; a worker that dies is not replaced. */
	alive = (int)n;
	while (!stop_requested && alive > 0) {
		if (waitpid(-1, &status, 0) > 0)
			alive--;
	}
	for (i = 0; i < n; i++)
		kill(kids[i], SIGTERM);
	for (waited = 0; waited < STOP_SECONDS * 10; waited++) {
		while (waitpid(-1, &status, WNOHANG) > 0)
			continue;
		if (waitpid(-1, &status, WNOHANG) == -1 && errno == ECHILD)
			break;
		usleep(100000);
	}
	for (i = 0; i < n; i++)
		kill(kids[i], SIGKILL);
	while (waitpid(-1, &status, 0) > 0)
		continue;
	unlink(sockpath);
	return 0;
}
