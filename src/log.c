/*
 * log -- one logger per process: stderr, syslog or an append-only file.
 *
 * Each line is formatted in full and written with a single write(2), so
 * lines from the master and its workers sharing a file (O_APPEND) or
 * stderr do not interleave.  Until log_init() runs, messages of level
 * notice and above go to stderr.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "conf.h"
#include "log.h"

enum log_target { LOG_TO_STDERR, LOG_TO_SYSLOG, LOG_TO_FILE };

#define LOG_LINE_MAX	2048	/* longer messages are cut, marked "..." */

static struct {
	enum log_target	 target;
	int		 level;		/* highest level written */
	int		 fd;		/* LOG_TO_FILE */
	char		 path[4096];	/* LOG_TO_FILE, for log_reopen() */
	char		 ident[64];
	bool		 syslog_open;
} logger = {
	.target = LOG_TO_STDERR,
	.level = LOG_NOTICE,
	.fd = -1,
	.ident = "prickled",
};

static const char *const level_names[] = {
	"emergency", "alert", "critical", "error",
	"warning", "notice", "info", "debug",
};

void
log_set_ident(const char *ident)
{
	snprintf(logger.ident, sizeof(logger.ident), "%s", ident);
}

static int
open_file(const char *path)
{
	return open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
}

static void
close_targets(void)
{
	if (logger.fd != -1) {
		close(logger.fd);
		logger.fd = -1;
	}
	if (logger.syslog_open) {
		closelog();
		logger.syslog_open = false;
	}
}

/*
 * A daemon has no stderr, so "stderr" means syslog there.  When the file
 * cannot be opened the logger falls back to stderr and says so.
 */
void
log_init(const struct conf *c)
{
	const char	*dest = c->error_log != NULL ? c->error_log : "stderr";
	int		 fd;

	if (c->syslog_ident != NULL)
		log_set_ident(c->syslog_ident);
	logger.level = c->log_level;
	close_targets();
	logger.target = LOG_TO_STDERR;

	if (strcmp(dest, "syslog") == 0 ||
	    (strcmp(dest, "stderr") == 0 && c->daemonize)) {
		/* Copy to a terminal so start-up errors stay visible. */
		openlog(logger.ident, LOG_PID | LOG_NDELAY |
		    (isatty(STDERR_FILENO) ? LOG_PERROR : 0), LOG_DAEMON);
		logger.syslog_open = true;
		logger.target = LOG_TO_SYSLOG;
	} else if (strcmp(dest, "stderr") != 0) {
		snprintf(logger.path, sizeof(logger.path), "%s", dest);
		if ((fd = open_file(logger.path)) == -1) {
			log_err("log", "cannot open error_log %s: %s; logging "
			    "to stderr", logger.path, strerror(errno));
			return;
		}
		logger.fd = fd;
		logger.target = LOG_TO_FILE;
	}
}

/*
 * Called after USR1 (log rotation).  The new file is opened before the old
 * descriptor is closed, so a failure keeps logging to the old one.
 */
void
log_reopen(void)
{
	int	 fd;

	if (logger.target != LOG_TO_FILE)
		return;
	if ((fd = open_file(logger.path)) == -1) {
		log_err("log", "cannot reopen %s: %s", logger.path,
		    strerror(errno));
		return;
	}
	if (dup2(fd, logger.fd) == -1) {
		close(logger.fd);
		logger.fd = fd;
		return;
	}
	close(fd);
}

/* Escape control characters so one message is always one line. */
static size_t
escape(char *dst, size_t dstsz, const char *src)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *s = (const unsigned char *)src;
	size_t		 n = 0;
	char		 e[4];
	size_t		 elen, i;

	for (; *s != '\0'; s++) {
		elen = 0;
		switch (*s) {
		case '\n':
			e[elen++] = '\\';
			e[elen++] = 'n';
			break;
		case '\r':
			e[elen++] = '\\';
			e[elen++] = 'r';
			break;
		case '\t':
			e[elen++] = '\\';
			e[elen++] = 't';
			break;
		default:
			if (*s < 0x20 || *s == 0x7f) {
				e[elen++] = '\\';
				e[elen++] = 'x';
				e[elen++] = hex[*s >> 4];
				e[elen++] = hex[*s & 0xf];
			} else
				e[elen++] = (char)*s;
		}
		if (n + elen + 4 >= dstsz) {
			memcpy(dst + n, "...", 3);
			n += 3;
			break;
		}
		for (i = 0; i < elen; i++)
			dst[n++] = e[i];
	}
	dst[n] = '\0';
	return n;
}

static void
write_all(int fd, const char *s, size_t len)
{
	ssize_t	 w;

	while (len > 0) {
		w = write(fd, s, len);
		if (w == -1 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		s += w;
		len -= (size_t)w;
	}
}

static void
emit(int level, const char *component, const char *msg)
{
	char		 line[LOG_LINE_MAX + 256], stamp[32];
	struct tm	 tm;
	time_t		 now;
	int		 n;

	if (logger.target == LOG_TO_SYSLOG) {
		syslog(level, "%s: %s: %s", level_names[level], component,
		    msg);
		return;
	}
	stamp[0] = '\0';
	if (logger.target == LOG_TO_FILE) {
		/* journald stamps stderr itself; a file needs its own. */
		now = time(NULL);
		if (localtime_r(&now, &tm) != NULL)
			strftime(stamp, sizeof(stamp), "[%d-%b-%Y %H:%M:%S] ",
			    &tm);
	}
	n = snprintf(line, sizeof(line), "%s%s[%ld]: %s: %s: %s\n", stamp,
	    logger.ident, (long)getpid(), level_names[level], component, msg);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(line)) {
		n = (int)sizeof(line) - 1;
		line[n - 1] = '\n';
	}
	write_all(logger.target == LOG_TO_FILE ? logger.fd : STDERR_FILENO,
	    line, (size_t)n);
	/* Whoever starts the server by hand sees why it failed. */
	if (logger.target == LOG_TO_FILE && level <= LOG_ERR &&
	    isatty(STDERR_FILENO))
		write_all(STDERR_FILENO, line + strlen(stamp),
		    (size_t)n - strlen(stamp));
}

void
log_msg(int level, const char *component, const char *fmt, ...)
{
	char		 raw[LOG_LINE_MAX], clean[LOG_LINE_MAX];
	va_list		 ap;
	int		 saved = errno;

	if (level < 0 || level > LOG_DEBUG)
		level = LOG_ERR;
	if (level > logger.level)
		return;
	va_start(ap, fmt);
	vsnprintf(raw, sizeof(raw), fmt, ap);
	va_end(ap);
	escape(clean, sizeof(clean), raw);
	emit(level, component != NULL ? component : "-", clean);
	errno = saved;
}
