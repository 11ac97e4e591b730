/*
 * worker -- the request loop of a worker process.  See worker.h.
 */
#include "config.h"

#include <sys/socket.h>

#include <errno.h>
#include <malloc.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "app.h"
#include "arena.h"
#include "conf.h"
#include "fcgi.h"
#include "http.h"
#include "json.h"
#include "log.h"
#include "worker.h"

static volatile sig_atomic_t	 quit_requested;
static volatile sig_atomic_t	 reopen_requested;
static volatile sig_atomic_t	 listen_fd_sig = -1;

/*
 * request_terminate_timeout without two alarm() calls per request: the
 * loop only notes when a request starts (clock_gettime is a vDSO call,
 * not a system call); one alarm, re-armed by its own handler, checks it.
 */
static unsigned int		 terminate_after;	/* seconds, 0 = off */
static volatile sig_atomic_t	 in_request;
static volatile double		 request_started;	/* CLOCK_MONOTONIC */

struct worker {
	const struct conf	*conf;	/* borrowed */
	int			 slot;
	struct fcgi		*fcgi;
	struct arena		*arena;
	struct app		*app;	/* created on the first request */
	struct resp		 resp;
	unsigned long		 served;
	bool			 trim_pending;	/* a large request freed memory */
	time_t			 last_trim;
};

/* Die the default way, whatever libfcgi would have installed. */
static void
on_terminate(int sig)
{
	signal(sig, SIG_DFL);
	raise(sig);
}

/*
 * Graceful stop.  Putting a fresh, unbound socket on the listening
 * descriptor's number makes any accept() -- now or later, even one the
 * kernel restarts after this handler -- fail at once, so an idle worker
 * leaves without a race and a busy one leaves after its request.  The
 * master and the other workers keep the real socket open.
 */
static void
on_quit(int sig)
{
	int	 saved = errno, s;

	(void)sig;
	quit_requested = 1;
	if (listen_fd_sig >= 0 && (s = socket(AF_UNIX, SOCK_STREAM, 0)) != -1) {
		dup2(s, listen_fd_sig);
		close(s);
	}
	errno = saved;
}

static double
monotonic_now(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * The request has run request_terminate_timeout seconds: die of SIGALRM
 * (the master reports it).  Otherwise look again when the running
 * request would reach it, or a whole period later when idle.
 */
static void
on_alarm(int sig)
{
	int	 saved = errno;
	double	 left;

	if (!in_request) {
		alarm(terminate_after);
		errno = saved;
		return;
	}
	left = terminate_after - (monotonic_now() - request_started);
	if (left <= 0) {
		signal(sig, SIG_DFL);
		raise(sig);
	}
	alarm((unsigned int)left + 1);
	errno = saved;
}

static void
on_reopen(int sig)
{
	(void)sig;
	reopen_requested = 1;
}

static void
set_handler(int sig, void (*fn)(int))
{
	struct sigaction	 sa;

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = fn;
	/* Restart reads and writes: a signal must not fail a DB call. */
	sa.sa_flags = SA_RESTART;
	sigaction(sig, &sa, NULL);
}

/*
 * Replace every disposition inherited from the master before libfcgi
 * looks at them (it only installs its own where it finds SIG_DFL), then
 * unblock what the master blocked around fork().
 */
static void
setup_signals(void)
{
	sigset_t	 all;
	int		 sig;

	for (sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			signal(sig, SIG_DFL);
	set_handler(SIGTERM, on_terminate);
	set_handler(SIGINT, on_terminate);
	set_handler(SIGQUIT, on_quit);
	set_handler(SIGUSR1, on_reopen);
	signal(SIGPIPE, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	signal(SIGUSR2, SIG_IGN);
	sigemptyset(&all);
	sigprocmask(SIG_SETMASK, &all, NULL);
}

static const char *
param(const struct kv *kv, size_t n, const char *name)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if (strcmp(kv[i].key, name) == 0)
			return kv[i].val;
	return NULL;
}

/* CONTENT_LENGTH as a size; absent or empty is 0, junk is -1. */
static int
content_length(const char *s, size_t *out)
{
	size_t	 v = 0;

	*out = 0;
	if (s == NULL || *s == '\0')
		return 0;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9' || v > (SIZE_MAX - 9) / 10)
			return -1;
		v = v * 10 + (size_t)(*s - '0');
	}
	*out = v;
	return 0;
}

/* Collect one request, answer it and write the answer. */
static void
serve_one(struct worker *w)
{
	struct req	 req;
	struct kv	*kv;
	size_t		 nkv, len = 0, got;
	char		*body = NULL;
	int		 status = 0;

	nkv = fcgi_params(w->fcgi, w->arena, &kv);
	if (content_length(param(kv, nkv, "CONTENT_LENGTH"), &len) == -1)
		status = 400;
	else if (len > (size_t)w->conf->request_max_body_size)
		status = 413;
	else if (len > 0) {
		body = arena_alloc(w->arena, len + 1);
		if ((got = fcgi_read(w->fcgi, body, len)) < len) {
			log_info("worker", "short request body: %zu of %zu "
			    "bytes", got, len);
			status = 400;
		}
		body[got] = '\0';
	}
	if (status != 0) {
		body = NULL;
		len = 0;
	}
	req_init(&req, w->arena, kv, nkv, body, len);

	if (status == 413) {
		/* Drained so the server reads our answer, not a reset. */
		fcgi_discard_input(w->fcgi);
		resp_error(&w->resp, 413, "invalid_request",
		    "request_too_large", "Request body too large.", NULL);
	} else if (status == 400) {
		resp_error(&w->resp, 400, "invalid_request", "parse_error",
		    "Malformed request body.", NULL);
	} else {
		if (w->app == NULL)
			w->app = app_new(w->conf);
		app_handle(w->app, &req, &w->resp);
	}
	if (fcgi_write(w->fcgi, &w->resp, req.method != HTTP_HEAD) == -1)
		log_info("worker", "%s %s: the web server closed the "
		    "connection before the response was written",
		    req.method_name != NULL ? req.method_name : "-",
		    req.path != NULL ? req.path : "-");
}

/*
 * Hand the memory a large request (a long user list) freed back to the
 * system, so idle workers stay small; at most once a second, so a stream
 * of large requests does not pay for it each time.
 */
static void
trim_heap(struct worker *w)
{
	time_t now;

	if (!w->trim_pending || (now = time(NULL)) == w->last_trim)
		return;
	resp_shrink(&w->resp);
	malloc_trim(0);
	w->last_trim = now;
	w->trim_pending = false;
}

static void __attribute__((noreturn))
worker_exit(struct worker *w, int status)
{
	app_free(w->app);
	resp_free(&w->resp);
	arena_free(w->arena);
	fcgi_free(w->fcgi);
	exit(status);
}

void
worker_run(const struct conf *conf, int listen_fd, int slot)
{
	struct worker	 w;
	int		 max = conf->pm_max_requests;

	listen_fd_sig = listen_fd;
	setup_signals();
	if ((terminate_after = conf->request_terminate_timeout) > 0) {
		set_handler(SIGALRM, on_alarm);
		alarm(terminate_after);
	}
	memset(&w, 0, sizeof(w));
	w.conf = conf;
	w.slot = slot;
	w.arena = arena_new();
	resp_init(&w.resp, w.arena);
	if ((w.fcgi = fcgi_new(listen_fd)) == NULL) {
		log_err("worker", "cannot initialise libfcgi on fd %d",
		    listen_fd);
		worker_exit(&w, WORKER_EXIT_FAILURE);
	}
	log_debug("worker", "worker %d started", slot);

	while (!quit_requested) {
		if (fcgi_accept(w.fcgi) == -1) {
			if (quit_requested)
				break;
			if (errno == EINTR)
				continue;
			log_err("worker", "accept failed: %s",
			    strerror(errno));
			worker_exit(&w, WORKER_EXIT_FAILURE);
		}
		if (reopen_requested) {
			reopen_requested = 0;
			log_reopen();
		}
		request_started = monotonic_now();
		in_request = 1;
		serve_one(&w);
		fcgi_finish(w.fcgi);
		in_request = 0;
		if (arena_reset(w.arena) || w.resp.body.cap > RESP_KEEP_BYTES)
			w.trim_pending = true;
		trim_heap(&w);
		resp_reset(&w.resp, w.arena);
		if (max > 0 && ++w.served >= (unsigned long)max)
			worker_exit(&w, WORKER_EXIT_RECYCLE);
	}
	log_debug("worker", "worker %d stopping", slot);
	worker_exit(&w, WORKER_EXIT_OK);
}
