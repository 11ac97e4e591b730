/*
 * pool -- the master process.  See pool.h.
 *
 * Signals only write their number into a self-pipe; the main loop polls
 * the pipe with a timeout that is the nearest deadline (a delayed
 * respawn, a KILL after a stop timeout), reaps children with
 * waitpid(WNOHANG) and acts.  Nothing but write(2) runs in a handler.
 *
 * Workers live in slots.  A slot remembers the configuration generation
 * its worker was started with, so a reload can replace old workers one
 * at a time, and how often its workers died young, for the backoff.
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "conf.h"
#include "db.h"
#include "log.h"
#include "pool.h"
#include "prickle.h"
#include "util.h"
#include "worker.h"

#define QUICK_EXIT_SECS	10.0	/* a worker dying sooner counts as failing */
#define BACKOFF_FIRST	0.1	/* delay after the second quick failure */
#define BACKOFF_MAX	30.0

enum pool_state {
	POOL_RUN,
	POOL_QUIT,		/* graceful stop: QUIT sent */
	POOL_STOP		/* stop: TERM sent, KILL at the deadline */
};

struct slot {
	pid_t	 pid;		/* 0 = no worker */
	int	 gen;		/* configuration generation of the worker */
	double	 started;	/* monotonic seconds */
	double	 respawn_at;	/* empty slot: start a worker then (0 = no) */
	double	 kill_at;	/* live worker: SIGKILL then (0 = no) */
	bool	 signalled;	/* told to stop: its exit is expected */
	int	 failures;	/* quick abnormal exits in a row */
};

struct pool {
	struct conf	*conf;		/* owned; replaced on reload */
	const char	*conf_path;	/* borrowed */
	enum pool_state	 state;
	int		 gen;
	int		 listen_fd;
	char		*unix_path;	/* socket file we created, to remove */
	struct slot	*slots;
	size_t		 nslots;	/* allocated */
	size_t		 nactive;	/* pm.max_children: slots in use */
};

static int	 sigpipe_fds[2] = { -1, -1 };

static double
now(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* --- signals ---------------------------------------------------------- */

static void
on_signal(int sig)
{
	int		 saved = errno;
	unsigned char	 c = (unsigned char)sig;

	/* A full pipe already holds a wake-up; dropping this one is fine. */
	(void)!write(sigpipe_fds[1], &c, 1);
	errno = saved;
}

static int
signals_init(void)
{
	static const int	 sigs[] = { SIGTERM, SIGINT, SIGQUIT, SIGUSR1,
	    SIGUSR2, SIGHUP, SIGCHLD };
	struct sigaction	 sa;
	size_t			 i;

	if (pipe2(sigpipe_fds, O_NONBLOCK | O_CLOEXEC) == -1) {
		log_err("pool", "pipe: %s", strerror(errno));
		return -1;
	}
	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_signal;
	sa.sa_flags = SA_RESTART;
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaction(sigs[i], &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	return 0;
}

/* --- listening socket ------------------------------------------------- */

static bool
is_listening_socket(int fd)
{
	int		 v = 0;
	socklen_t	 len = sizeof(v);

	return getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &v, &len) == 0 &&
	    v != 0;
}

/*
 * A socket file left by a crashed server is removed; one somebody still
 * accepts on, or a file that is not a socket, is an error.
 */
static int
remove_stale_socket(const struct sockaddr_un *sun)
{
	struct stat	 st;
	int		 fd, rc;

	if (lstat(sun->sun_path, &st) == -1)
		return errno == ENOENT ? 0 : -1;
	if (!S_ISSOCK(st.st_mode)) {
		log_err("pool", "listen: %s exists and is not a socket",
		    sun->sun_path);
		errno = 0;	/* reported */
		return -1;
	}
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	rc = connect(fd, (const struct sockaddr *)sun, sizeof(*sun));
	close(fd);
	if (rc == 0) {
		log_err("pool", "listen: another server is accepting on %s",
		    sun->sun_path);
		errno = 0;	/* reported */
		return -1;
	}
	log_info("pool", "removing stale socket %s", sun->sun_path);
	return unlink(sun->sun_path);
}

static int
lookup_ids(const char *user, const char *group, uid_t *uid, gid_t *gid)
{
	struct passwd	*pw;
	struct group	*gr;

	*uid = (uid_t)-1;
	*gid = (gid_t)-1;
	if (user != NULL) {
		if ((pw = getpwnam(user)) == NULL) {
			log_err("pool", "unknown user '%s'", user);
			return -1;
		}
		*uid = pw->pw_uid;
		*gid = pw->pw_gid;
	}
	if (group != NULL) {
		if ((gr = getgrnam(group)) == NULL) {
			log_err("pool", "unknown group '%s'", group);
			return -1;
		}
		*gid = gr->gr_gid;
	}
	return 0;
}

/* listen.owner, listen.group, listen.mode on the socket file. */
static int
socket_perms(const struct conf *c, const char *path)
{
	uid_t	 uid;
	gid_t	 gid;

	if (chmod(path, (mode_t)c->listen_mode) == -1) {
		log_err("pool", "chmod %s: %s", path, strerror(errno));
		return -1;
	}
	if (c->listen_owner == NULL && c->listen_group == NULL)
		return 0;
	if (lookup_ids(c->listen_owner, NULL, &uid, &gid) == -1 ||
	    (c->listen_group != NULL &&
	    lookup_ids(NULL, c->listen_group, &uid, &gid) == -1))
		return -1;
	if (c->listen_owner == NULL)
		uid = (uid_t)-1;
	if (c->listen_group == NULL)
		gid = (gid_t)-1;
	if (chown(path, uid, gid) == -1) {
		log_err("pool", "chown %s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

static int
bind_listen(struct pool *p)
{
	const struct conf	*c = p->conf;
	struct sockaddr_storage	 ss;
	socklen_t		 len;
	mode_t			 mask;
	char			 err[512];
	int			 fd, on = 1, rc;

	if (conf_listen_parse(c->listen, &ss, &len, err, sizeof(err)) == -1) {
		log_err("pool", "%s", err);
		return -1;
	}
	if (ss.ss_family == AF_UNIX &&
	    remove_stale_socket((struct sockaddr_un *)&ss) == -1) {
		if (errno != 0)
			log_err("pool", "listen: %s: %s", c->listen,
			    strerror(errno));
		return -1;
	}
	if ((fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1) {
		log_err("pool", "socket: %s", strerror(errno));
		return -1;
	}
	if (ss.ss_family != AF_UNIX)
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
	if (ss.ss_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof(on));
	/* No window in which the socket file is more open than asked. */
	mask = umask(0177);
	rc = bind(fd, (struct sockaddr *)&ss, len);
	umask(mask);
	if (rc == -1 || listen(fd, c->listen_backlog) == -1) {
		log_err("pool", "cannot listen on %s: %s", c->listen,
		    strerror(errno));
		close(fd);
		return -1;
	}
	if (ss.ss_family == AF_UNIX) {
		p->unix_path = xstrdup(c->listen);
		if (socket_perms(c, c->listen) == -1) {
			close(fd);
			return -1;
		}
	}
	p->listen_fd = fd;
	log_notice("pool", "listening on %s", c->listen);
	return 0;
}

/*
 * spawn-fcgi and systemd (StandardInput=socket) pass the listening
 * socket as fd 0.  It is moved off fd 0 so that daemonising can point
 * stdin at /dev/null.
 */
static int
open_listen(struct pool *p)
{
	int	 fd, null;

	if (!is_listening_socket(STDIN_FILENO))
		return bind_listen(p);
	if ((fd = fcntl(STDIN_FILENO, F_DUPFD_CLOEXEC, 3)) == -1) {
		log_err("pool", "dup of fd 0: %s", strerror(errno));
		return -1;
	}
	if ((null = open("/dev/null", O_RDONLY)) != -1) {
		dup2(null, STDIN_FILENO);
		if (null != STDIN_FILENO)
			close(null);
	}
	p->listen_fd = fd;
	log_notice("pool", "using the listening socket inherited on fd 0 "
	    "(listen = %s is ignored)", p->conf->listen);
	return 0;
}

/* --- start-up --------------------------------------------------------- */

static int
daemonize(void)
{
	pid_t	 pid;
	int	 fd;

	if ((pid = fork()) == -1) {
		log_err("pool", "fork: %s", strerror(errno));
		return -1;
	}
	if (pid != 0)
		_exit(0);
	setsid();
	if (chdir("/") == -1)
		return -1;
	if ((fd = open("/dev/null", O_RDWR)) != -1) {
		dup2(fd, STDIN_FILENO);
		dup2(fd, STDOUT_FILENO);
		dup2(fd, STDERR_FILENO);
		if (fd > STDERR_FILENO)
			close(fd);
	}
	return 0;
}

static int
write_pidfile(const char *path)
{
	FILE	*f;

	if ((f = fopen(path, "w")) == NULL) {
		log_err("pool", "cannot write pid file %s: %s", path,
		    strerror(errno));
		return -1;
	}
	fprintf(f, "%ld\n", (long)getpid());
	if (fclose(f) == EOF) {
		log_err("pool", "cannot write pid file %s: %s", path,
		    strerror(errno));
		return -1;
	}
	return 0;
}

static int
drop_privileges(const struct conf *c)
{
	uid_t	 uid;
	gid_t	 gid;

	if (c->user == NULL)
		return 0;
	if (geteuid() != 0) {
		log_notice("pool", "not started as root: user = %s ignored",
		    c->user);
		return 0;
	}
	if (lookup_ids(c->user, c->group, &uid, &gid) == -1)
		return -1;
	if (setgroups(1, &gid) == -1 || setgid(gid) == -1 ||
	    setuid(uid) == -1) {
		log_err("pool", "cannot switch to user %s: %s", c->user,
		    strerror(errno));
		return -1;
	}
	if (uid != 0 && setuid(0) != -1) {
		log_err("pool", "privileges could not be dropped");
		return -1;
	}
	log_info("pool", "running as user %s (uid %ld, gid %ld)", c->user,
	    (long)uid, (long)gid);
	return 0;
}

/*
 * Refuse to serve a schema older than this binary; an unreachable
 * database only warrants a warning (workers answer 503 meanwhile).
 */
static int
check_schema(const struct conf *c)
{
	struct db	*db;
	enum prk_err	 e;
	int		 v = 0, rc = 0;

	db = db_new(c);
	e = db_schema_version(db, &v);
	if (e == PRK_EDBGONE)
		log_warn("pool", "database unreachable at startup (%s); "
		    "serving anyway, requests get 503 until it is back",
		    db_errmsg(db));
	else if (e != PRK_OK) {
		log_err("pool", "cannot read the database schema version "
		    "(%s): run 'prickle migrate'", db_errmsg(db));
		rc = -1;
	} else if (v < PRK_SCHEMA_VERSION) {
		log_err("pool", "database schema is at version %d, this "
		    "prickled needs %d: run 'prickle migrate'", v,
		    PRK_SCHEMA_VERSION);
		rc = -1;
	} else if (v > PRK_SCHEMA_VERSION)
		log_warn("pool", "database schema is at version %d, newer "
		    "than this prickled (%d)", v, PRK_SCHEMA_VERSION);
	db_free(db);
	return rc;
}

/* --- workers ---------------------------------------------------------- */

static void
spawn(struct pool *p, size_t i)
{
	struct slot	*s = &p->slots[i];
	sigset_t	 all, old;
	pid_t		 pid;

	/*
	 * Block signals across fork() so the child cannot run the master's
	 * handlers (and write into its self-pipe) before resetting them.
	 */
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, &old);
	pid = fork();
	if (pid == 0) {
		close(sigpipe_fds[0]);
		close(sigpipe_fds[1]);
		worker_run(p->conf, p->listen_fd, (int)i);
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	if (pid == -1) {
		log_err("pool", "fork: %s; retrying in 1 s", strerror(errno));
		s->respawn_at = now() + 1.0;
		return;
	}
	s->pid = pid;
	s->gen = p->gen;
	s->started = now();
	s->respawn_at = 0;
	s->kill_at = 0;
	s->signalled = false;
	log_debug("pool", "worker %zu started (pid %ld)", i, (long)pid);
}

/* When a worker told to QUIT gets KILLed (0 = never: no request limit). */
static double
graceful_deadline(const struct conf *c)
{
	if (c->request_terminate_timeout == 0)
		return 0;
	return now() + c->request_terminate_timeout +
	    c->process_control_timeout;
}

static void
signal_worker(struct slot *s, int sig, double kill_at)
{
	if (s->pid == 0)
		return;
	kill(s->pid, sig);
	if (sig == SIGQUIT || sig == SIGTERM) {
		s->signalled = true;
		s->kill_at = kill_at;
	}
}

static double
backoff(int failures)
{
	double	 d;

	if (failures <= 1)
		return 0;
	d = BACKOFF_FIRST;
	while (--failures > 1 && d < BACKOFF_MAX)
		d *= 2;
	return d < BACKOFF_MAX ? d : BACKOFF_MAX;
}

static void
describe_exit(int status, char *buf, size_t bufsz)
{
	if (WIFEXITED(status))
		snprintf(buf, bufsz, "exited with status %d",
		    WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(buf, bufsz, "was killed by signal %d (%s)%s",
		    WTERMSIG(status), strsignal(WTERMSIG(status)),
		    WCOREDUMP(status) ? ", core dumped" : "");
	else
		snprintf(buf, bufsz, "ended with status 0x%x", status);
}

/* Log why a worker ended and decide when its slot gets a new one. */
static void
worker_ended(struct pool *p, size_t i, int status)
{
	struct slot	*s = &p->slots[i];
	double		 t = now(), life = t - s->started, delay = 0;
	char		 why[128];
	pid_t		 pid = s->pid;

	describe_exit(status, why, sizeof(why));
	if (WIFEXITED(status) && WEXITSTATUS(status) == WORKER_EXIT_RECYCLE) {
		log_info("pool", "worker %zu (pid %ld) served "
		    "pm.max_requests = %d, replacing it", i, (long)pid,
		    p->conf->pm_max_requests);
		s->failures = 0;
	} else if (WIFSIGNALED(status) && WTERMSIG(status) == SIGALRM) {
		log_warn("pool", "worker %zu (pid %ld) terminated: a request "
		    "ran longer than request_terminate_timeout = %d s", i,
		    (long)pid, p->conf->request_terminate_timeout);
		s->failures = 0;
	} else if (s->signalled || p->state != POOL_RUN) {
		log_debug("pool", "worker %zu (pid %ld) %s", i, (long)pid,
		    why);
		s->failures = 0;
	} else {
		s->failures = life < QUICK_EXIT_SECS ? s->failures + 1 : 1;
		delay = backoff(s->failures);
		log_err("pool", "worker %zu (pid %ld) %s after %.1f s; "
		    "respawning in %.1f s (%d quick failure%s in a row)", i,
		    (long)pid, why, life, delay, s->failures,
		    s->failures == 1 ? "" : "s");
	}
	s->pid = 0;
	s->kill_at = 0;
	s->signalled = false;
	s->respawn_at = 0;
	if (p->state == POOL_RUN && i < p->nactive)
		s->respawn_at = t + delay;
}

static void
reap(struct pool *p)
{
	pid_t	 pid;
	size_t	 i;
	int	 status;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		for (i = 0; i < p->nslots; i++)
			if (p->slots[i].pid == pid)
				break;
		if (i < p->nslots)
			worker_ended(p, i, status);
	}
}

static size_t
live_workers(const struct pool *p)
{
	size_t	 i, n = 0;

	for (i = 0; i < p->nslots; i++)
		if (p->slots[i].pid != 0)
			n++;
	return n;
}

/* Start due workers, kill overdue ones; returns the next deadline. */
static double
run_timers(struct pool *p)
{
	struct slot	*s;
	double		 t = now(), next = 0;
	size_t		 i;

	for (i = 0; i < p->nslots; i++) {
		s = &p->slots[i];
		if (s->pid == 0 && s->respawn_at > 0 && s->respawn_at <= t &&
		    p->state == POOL_RUN && i < p->nactive)
			spawn(p, i);
		if (s->pid != 0 && s->kill_at > 0 && s->kill_at <= t) {
			log_warn("pool", "worker %zu (pid %ld) did not stop "
			    "in time, sending SIGKILL", i, (long)s->pid);
			kill(s->pid, SIGKILL);
			s->kill_at = 0;
		}
		if (s->pid == 0 && s->respawn_at > 0 &&
		    (next == 0 || s->respawn_at < next))
			next = s->respawn_at;
		if (s->pid != 0 && s->kill_at > 0 &&
		    (next == 0 || s->kill_at < next))
			next = s->kill_at;
	}
	return next;
}

/*
 * After a reload: QUIT one worker of an older generation at a time; its
 * slot is refilled with the new configuration as soon as it exits, so
 * at most one worker is missing from the pool.
 */
static void
roll_workers(struct pool *p)
{
	struct slot	*s;
	size_t		 i;

	if (p->state != POOL_RUN)
		return;
	for (i = 0; i < p->nactive; i++)
		if (p->slots[i].pid != 0 && p->slots[i].signalled)
			return;
	for (i = 0; i < p->nactive; i++) {
		s = &p->slots[i];
		if (s->pid != 0 && s->gen != p->gen) {
			log_debug("pool", "replacing worker %zu (pid %ld)", i,
			    (long)s->pid);
			signal_worker(s, SIGQUIT, graceful_deadline(p->conf));
			return;
		}
	}
}

static void
signal_all(struct pool *p, int sig, double kill_at)
{
	size_t	 i;

	for (i = 0; i < p->nslots; i++)
		signal_worker(&p->slots[i], sig, kill_at);
}

/* --- reload ----------------------------------------------------------- */

static void
keep_str(char **newv, char **oldv, const char *key)
{
	char	*tmp;

	if ((*newv == NULL) != (*oldv == NULL) ||
	    (*newv != NULL && strcmp(*newv, *oldv) != 0))
		log_warn("pool", "reload: changing '%s' needs a restart; "
		    "keeping the running value", key);
	tmp = *newv;
	*newv = *oldv;
	*oldv = tmp;
}

static void
keep_int(int *newv, int oldv, const char *key)
{
	if (*newv != oldv)
		log_warn("pool", "reload: changing '%s' needs a restart; "
		    "keeping the running value", key);
	*newv = oldv;
}

/* Settings fixed once the socket is bound and privileges are dropped. */
static void
keep_startup_settings(struct conf *nc, struct conf *oc)
{
	keep_str(&nc->listen, &oc->listen, "listen");
	keep_str(&nc->listen_owner, &oc->listen_owner, "listen.owner");
	keep_str(&nc->listen_group, &oc->listen_group, "listen.group");
	keep_str(&nc->user, &oc->user, "user");
	keep_str(&nc->group, &oc->group, "group");
	keep_str(&nc->pid, &oc->pid, "pid");
	keep_int(&nc->listen_backlog, oc->listen_backlog, "listen.backlog");
	keep_int(&nc->listen_mode, oc->listen_mode, "listen.mode");
	nc->daemonize = oc->daemonize;
}

static void
resize_pool(struct pool *p, size_t n)
{
	size_t	 i;

	if (n > p->nslots) {
		p->slots = xrealloc(p->slots, n * sizeof(*p->slots));
		memset(p->slots + p->nslots, 0,
		    (n - p->nslots) * sizeof(*p->slots));
		p->nslots = n;
	}
	for (i = p->nactive; i < n; i++)
		if (p->slots[i].pid == 0)
			p->slots[i].respawn_at = now();
	/* Slots past the new size finish their request and are not refilled. */
	for (i = n; i < p->nslots; i++) {
		p->slots[i].respawn_at = 0;
		if (p->slots[i].pid != 0 && !p->slots[i].signalled)
			signal_worker(&p->slots[i], SIGQUIT,
			    graceful_deadline(p->conf));
	}
	p->nactive = n;
}

static void
reload(struct pool *p)
{
	struct conf	*nc;
	char		 err[1024];

	log_notice("pool", "reloading %s", p->conf_path);
	nc = xcalloc(1, sizeof(*nc));
	conf_defaults(nc);
	if (conf_load(nc, p->conf_path, err, sizeof(err)) == -1 ||
	    conf_check(nc, err, sizeof(err)) == -1) {
		log_err("pool", "reload failed, keeping the running "
		    "configuration: %s", err);
		conf_free(nc);
		free(nc);
		return;
	}
	keep_startup_settings(nc, p->conf);
	log_init(nc);
	conf_free(p->conf);
	free(p->conf);
	p->conf = nc;
	p->gen++;
	resize_pool(p, (size_t)nc->pm_max_children);
	log_notice("pool", "configuration reloaded (pm.max_children = %d); "
	    "replacing the workers one at a time", nc->pm_max_children);
}

/* --- main loop -------------------------------------------------------- */

static void
handle_signal(struct pool *p, int sig)
{
	switch (sig) {
	case SIGTERM:
	case SIGINT:
		if (p->state == POOL_STOP)
			return;
		log_notice("pool", "received %s, stopping",
		    sig == SIGTERM ? "SIGTERM" : "SIGINT");
		p->state = POOL_STOP;
		signal_all(p, SIGTERM,
		    now() + p->conf->process_control_timeout);
		break;
	case SIGQUIT:
		if (p->state != POOL_RUN)
			return;
		log_notice("pool", "received SIGQUIT, finishing in-flight "
		    "requests and stopping");
		p->state = POOL_QUIT;
		signal_all(p, SIGQUIT, graceful_deadline(p->conf));
		break;
	case SIGUSR1:
		log_notice("pool", "received SIGUSR1, reopening logs");
		log_reopen();
		signal_all(p, SIGUSR1, 0);
		break;
	case SIGUSR2:
	case SIGHUP:
		if (p->state == POOL_RUN)
			reload(p);
		break;
	default:
		break;		/* SIGCHLD: reaped by the loop */
	}
}

static void
drain_signals(struct pool *p)
{
	unsigned char	 buf[64];
	ssize_t		 n, i;

	while ((n = read(sigpipe_fds[0], buf, sizeof(buf))) > 0)
		for (i = 0; i < n; i++)
			handle_signal(p, buf[i]);
}

static void
main_loop(struct pool *p)
{
	struct pollfd	 pfd;
	double		 next;
	int		 timeout;

	pfd.fd = sigpipe_fds[0];
	pfd.events = POLLIN;
	for (;;) {
		reap(p);
		roll_workers(p);
		next = run_timers(p);
		if (p->state != POOL_RUN && live_workers(p) == 0)
			break;
		timeout = -1;
		if (next > 0) {
			timeout = (int)((next - now()) * 1000) + 1;
			if (timeout < 0)
				timeout = 0;
		}
		if (poll(&pfd, 1, timeout) == -1 && errno != EINTR) {
			log_err("pool", "poll: %s", strerror(errno));
			sleep(1);
		}
		drain_signals(p);
	}
}

static void
pool_cleanup(struct pool *p, bool pidfile)
{
	if (pidfile && p->conf->pid != NULL && unlink(p->conf->pid) == -1)
		log_warn("pool", "cannot remove pid file %s: %s",
		    p->conf->pid, strerror(errno));
	if (p->unix_path != NULL && unlink(p->unix_path) == -1)
		log_info("pool", "cannot remove %s: %s", p->unix_path,
		    strerror(errno));
	if (p->listen_fd != -1)
		close(p->listen_fd);
	free(p->unix_path);
	free(p->slots);
	conf_free(p->conf);
	free(p->conf);
}

int
pool_run(struct conf *conf, const char *conf_path)
{
	struct pool	 p;
	bool		 pidfile = false;
	int		 rc = 1;

	memset(&p, 0, sizeof(p));
	p.conf = conf;
	p.conf_path = conf_path;
	p.listen_fd = -1;
	if (open_listen(&p) == -1)
		goto out;
	if (conf->daemonize && daemonize() == -1)
		goto out;
	if (conf->pid != NULL) {
		if (write_pidfile(conf->pid) == -1)
			goto out;
		pidfile = true;
	}
	if (drop_privileges(conf) == -1 || check_schema(conf) == -1 ||
	    signals_init() == -1)
		goto out;
	resize_pool(&p, (size_t)conf->pm_max_children);
	log_notice("pool", "prickled %s ready: %zu workers", PACKAGE_VERSION,
	    p.nactive);
	main_loop(&p);
	log_notice("pool", "stopped");
	rc = 0;
out:
	pool_cleanup(&p, pidfile);
	return rc;
}
