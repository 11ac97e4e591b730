/*
 * mail -- plain-text messages handed to a sendmail-compatible command.
 *
 * Like PHP's mail(), the configured `mail.sendmail_path` is run through
 * "/bin/sh -c" exactly as written (so it may carry its own options, e.g.
 * "/usr/sbin/sendmail -t -i": the recipients are in the To: header) and
 * the whole RFC 5322 message is written to its standard input.  The
 * command gets MAIL_TIMEOUT seconds in total; after that its whole
 * process group is killed and the send counts as failed.
 *
 * Nothing of a message body (which may hold tokens) is ever logged; a
 * failure is logged with the command's exit status only.
 */
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "conf.h"
#include "crypto.h"
#include "log.h"
#include "mail.h"

#define MAIL_TIMEOUT	10	/* seconds for the whole command */
#define MAX_FD		4096	/* descriptors closed in the child */

bool
mail_configured(const struct conf *conf)
{
	return conf->mail_sendmail_path != NULL &&
	    conf->mail_sendmail_path[0] != '\0';
}

/* Header values must not smuggle in further headers. */
static bool
header_safe(const char *s)
{
	return strpbrk(s, "\r\n") == NULL;
}

static bool
is_ascii(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s >= 0x80)
			return false;
	return true;
}

/* RFC 2047 encoded-word (base64) for a non-ASCII Subject. */
static void
put_subject(struct buf *b, const char *subject)
{
	char *enc;
	size_t len;

	if (is_ascii(subject)) {
		buf_printf(b, "Subject: %s\n", subject);
		return;
	}
	len = strlen(subject);
	enc = malloc(4 * ((len + 2) / 3) + 1);
	if (enc == NULL)
		abort();
	crypto_base64(subject, len, enc);
	buf_printf(b, "Subject: =?utf-8?B?%s?=\n", enc);
	free(enc);
}

/* The domain part of the From address, for the Message-ID. */
static void
from_domain(const char *from, char *out, size_t outsz)
{
	const char *at, *end;
	size_t n;

	snprintf(out, outsz, "localhost");
	if ((at = strrchr(from, '@')) == NULL)
		return;
	at++;
	end = at + strcspn(at, "> \t");
	n = (size_t)(end - at);
	if (n == 0 || n >= outsz)
		return;
	memcpy(out, at, n);
	out[n] = '\0';
}

static void
compose(struct buf *b, const struct conf *conf, const char *to,
    const char *subject, const char *body)
{
	char date[64], domain[256], id[33];
	unsigned char rnd[16];
	struct tm tm;
	time_t now;

	now = time(NULL);
	gmtime_r(&now, &tm);
	strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S +0000", &tm);
	crypto_random(rnd, sizeof(rnd));
	crypto_hex(rnd, sizeof(rnd), id);
	from_domain(conf->mail_from, domain, sizeof(domain));
	buf_printf(b, "From: %s\n", conf->mail_from);
	buf_printf(b, "To: %s\n", to);
	put_subject(b, subject);
	buf_printf(b, "Date: %s\n", date);
	buf_printf(b, "Message-ID: <%s@%s>\n", id, domain);
	buf_puts(b, "MIME-Version: 1.0\n");
	buf_puts(b, "Content-Type: text/plain; charset=utf-8\n");
	buf_puts(b, "Content-Transfer-Encoding: 8bit\n\n");
	buf_puts(b, body);
	if (b->len > 0 && b->data[b->len - 1] != '\n')
		buf_putc(b, '\n');
}

static double
now_mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Child side: stdin from the pipe, clean signal state, exec the shell. */
static void __attribute__((noreturn))
run_child(int rfd, const char *command)
{
	sigset_t none;
	int fd, sig;

	setpgid(0, 0);
	for (sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			signal(sig, SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if (dup2(rfd, STDIN_FILENO) == -1)
		_exit(127);
	if ((fd = open("/dev/null", O_WRONLY)) != -1) {
		dup2(fd, STDOUT_FILENO);
		if (fd > STDERR_FILENO)
			close(fd);
	}
	for (fd = STDERR_FILENO + 1; fd < MAX_FD; fd++)
		close(fd);
	execl("/bin/sh", "sh", "-c", command, (char *)NULL);
	_exit(127);
}

/* Write all of data to fd before the deadline; false on error/timeout. */
static bool
write_all(int fd, const char *data, size_t len, double deadline)
{
	struct pollfd pfd;
	ssize_t n;
	double left;

	while (len > 0) {
		left = deadline - now_mono();
		if (left <= 0)
			return false;
		pfd.fd = fd;
		pfd.events = POLLOUT;
		if (poll(&pfd, 1, (int)(left * 1000) + 1) == -1) {
			if (errno == EINTR)
				continue;
			return false;
		}
		if (!(pfd.revents & (POLLOUT | POLLERR | POLLHUP)))
			continue;
		n = write(fd, data, len);
		if (n == -1) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			return false;	/* EPIPE: the command quit early */
		}
		data += n;
		len -= (size_t)n;
	}
	return true;
}

/* Reap pid before the deadline, else kill its group; -1 = no status. */
static int
wait_child(pid_t pid, double deadline)
{
	struct timespec nap = { 0, 10 * 1000 * 1000 };
	int status;
	pid_t r;

	for (;;) {
		r = waitpid(pid, &status, WNOHANG);
		if (r == pid)
			return status;
		if (r == -1 && errno != EINTR)
			return -1;
		if (now_mono() >= deadline)
			break;
		nanosleep(&nap, NULL);
	}
	kill(-pid, SIGKILL);
	kill(pid, SIGKILL);
	while (waitpid(pid, &status, 0) == -1 && errno == EINTR)
		;
	return -1;
}

static enum prk_err
pipe_to_command(const char *command, const struct buf *msg)
{
	struct sigaction ign, old;
	double deadline;
	int fds[2], status;
	bool written;
	pid_t pid;

	if (pipe2(fds, O_CLOEXEC) == -1) {
		log_err("mail", "pipe: %s", strerror(errno));
		return PRK_EIO;
	}
	if ((pid = fork()) == -1) {
		log_err("mail", "fork: %s", strerror(errno));
		close(fds[0]);
		close(fds[1]);
		return PRK_EIO;
	}
	if (pid == 0) {
		close(fds[1]);
		run_child(fds[0], command);
	}
	setpgid(pid, pid);	/* also done by the child: no race either way */
	close(fds[0]);
	fcntl(fds[1], F_SETFL, fcntl(fds[1], F_GETFL) | O_NONBLOCK);
	/* a command that exits early must not kill us with SIGPIPE */
	memset(&ign, 0, sizeof(ign));
	ign.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &ign, &old);
	deadline = now_mono() + MAIL_TIMEOUT;
	written = write_all(fds[1], msg->data, msg->len, deadline);
	close(fds[1]);
	sigaction(SIGPIPE, &old, NULL);
	status = wait_child(pid, deadline);
	if (status == -1) {
		log_err("mail", "sendmail command timed out after %d s or "
		    "could not be waited for", MAIL_TIMEOUT);
		return PRK_EIO;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		log_err("mail", "sendmail command failed (%s %d)",
		    WIFEXITED(status) ? "exit status" : "signal",
		    WIFEXITED(status) ? WEXITSTATUS(status) :
		    WTERMSIG(status));
		return PRK_EIO;
	}
	if (!written) {
		log_err("mail", "sendmail command did not read the message");
		return PRK_EIO;
	}
	return PRK_OK;
}

enum prk_err
mail_send(const struct conf *conf, const char *to, const char *subject,
    const char *body)
{
	struct buf msg;
	enum prk_err e;

	if (!mail_configured(conf))
		return PRK_OK;
	if (!header_safe(to) || !header_safe(subject) ||
	    !header_safe(conf->mail_from)) {
		log_err("mail", "refusing a message with a line break in a "
		    "header");
		return PRK_EINVAL;
	}
	buf_init(&msg);
	compose(&msg, conf, to, subject, body);
	e = pipe_to_command(conf->mail_sendmail_path, &msg);
	buf_free(&msg);
	if (e == PRK_OK)
		log_info("mail", "message sent (%s)", subject);
	return e;
}
