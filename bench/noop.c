/*
 * noop -- the FastCGI ceiling for bench/run.
 *
 *   noop -s SOCKET -n CHILDREN -b BODYFILE
 *
 * Listens on the unix socket SOCKET (mode 0666), forks CHILDREN workers
 * that each loop FCGX_Accept_r -> write the bytes of BODYFILE with the
 * headers prickled writes for a 200 JSON reply -> FCGX_Finish_r.  No
 * parsing, no database, no allocation per request: what is left is the
 * cost of libfcgi, the socket round trip and nginx.
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

#define MAX_CHILDREN	256
#define MAX_BODY	(16 * 1024 * 1024)
#define BACKLOG		511	/* prickle.conf's listen.backlog default */
#define STOP_SECONDS	10

static volatile sig_atomic_t stop_requested;

static void
usage(void)
{
	fprintf(stderr, "usage: noop -s SOCKET -n CHILDREN -b BODYFILE\n");
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

static void
serve(int sock, const char *reply, int replylen)
{
	FCGX_Request	 req;
	char		 scratch[8192];

	if (FCGX_InitRequest(&req, sock, 0) != 0) {
		fprintf(stderr, "noop: FCGX_InitRequest failed\n");
		_exit(1);
	}
	while (FCGX_Accept_r(&req) >= 0) {
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
	const char	*sockpath = NULL, *bodypath = NULL;
	char		*body, *reply, *end;
	size_t		 bodylen, hdrlen;
	pid_t		 kids[MAX_CHILDREN];
	long		 n = 0;
	int		 ch, sock, i, alive, status;
	unsigned int	 waited;
	pid_t		 pid;

	while ((ch = getopt(argc, argv, "s:n:b:")) != -1) {
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
		default:
			usage();
		}
	}
	if (sockpath == NULL || bodypath == NULL || n == 0 || optind != argc)
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
			serve(sock, reply, (int)(hdrlen + bodylen));
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
