/*
 * fcgi -- libfcgi transport.  See fcgi.h.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <fcgiapp.h>

#include "arena.h"
#include "fcgi.h"
#include "http.h"
#include "util.h"

struct fcgi {
	FCGX_Request	 req;
	bool		 active;	/* between accept and finish */
};

struct fcgi *
fcgi_new(int listen_fd)
{
	struct fcgi	*f;

	if (FCGX_Init() != 0)
		return NULL;
	f = xcalloc(1, sizeof(*f));
	if (FCGX_InitRequest(&f->req, listen_fd, 0) != 0) {
		free(f);
		return NULL;
	}
	return f;
}

void
fcgi_free(struct fcgi *f)
{
	if (f == NULL)
		return;
	if (f->active)
		FCGX_Finish_r(&f->req);
	FCGX_Free(&f->req, 1);
	free(f);
}

int
fcgi_accept(struct fcgi *f)
{
	int	 rc;

	rc = FCGX_Accept_r(&f->req);
	if (rc < 0) {
		/* libfcgi returns -errno, or -9999 without one. */
		errno = rc == -9999 ? EIO : -rc;
		f->active = false;
		return -1;
	}
	f->active = true;
	return 0;
}

size_t
fcgi_params(struct fcgi *f, struct arena *a, struct kv **out)
{
	char		**envp = f->req.envp;
	struct kv	 *kv;
	const char	 *eq;
	size_t		  n = 0, i;

	while (envp != NULL && envp[n] != NULL)
		n++;
	kv = arena_alloc(a, (n + 1) * sizeof(*kv));
	for (i = 0; i < n; i++) {
		/* libfcgi stores each parameter as "NAME=VALUE". */
		if ((eq = strchr(envp[i], '=')) == NULL) {
			kv[i].key = arena_strdup(a, envp[i]);
			kv[i].val = "";
			continue;
		}
		kv[i].key = arena_strndup(a, envp[i],
		    (size_t)(eq - envp[i]));
		kv[i].val = arena_strdup(a, eq + 1);
	}
	*out = kv;
	return n;
}

size_t
fcgi_read(struct fcgi *f, char *buf, size_t len)
{
	size_t	 got = 0;
	int	 n, chunk;

	while (got < len) {
		chunk = len - got > 65536 ? 65536 : (int)(len - got);
		n = FCGX_GetStr(buf + got, chunk, f->req.in);
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	return got;
}

void
fcgi_discard_input(struct fcgi *f)
{
	char	 scratch[8192];

	while (FCGX_GetStr(scratch, (int)sizeof(scratch), f->req.in) > 0)
		continue;
}

/* libfcgi's own printf knows few conversions: format with snprintf. */
static void
put_line(FCGX_Stream *out, const char *a, const char *b)
{
	FCGX_PutS(a, out);
	if (b != NULL)
		FCGX_PutS(b, out);
	FCGX_PutStr("\r\n", 2, out);
}

int
fcgi_write(struct fcgi *f, const struct resp *r, bool with_body)
{
	FCGX_Stream	*out = f->req.out;
	const char	*text;
	char		 line[64];
	size_t		 i;
	int		 status = r->status != 0 ? r->status : 500;

	text = http_status_text(status);
	snprintf(line, sizeof(line), "Status: %d ", status);
	put_line(out, line, text != NULL ? text : "Unknown");
	if (r->content_type != NULL)
		put_line(out, "Content-Type: ", r->content_type);
	for (i = 0; i < r->nheaders; i++)
		put_line(out, r->headers[i], NULL);
	snprintf(line, sizeof(line), "Content-Length: %zu", r->body.len);
	put_line(out, line, NULL);
	FCGX_PutStr("\r\n", 2, out);
	if (with_body && r->body.len > 0)
		FCGX_PutStr(r->body.data, (int)r->body.len, out);
	/*
	 * No flush here: fcgi_finish() then sends the last output, the end of
	 * the stream and the end of the request in one write, which the web
	 * server reads at once.  Only a failure of an earlier write (a body
	 * larger than libfcgi's buffer) is known at this point.
	 */
	return FCGX_GetError(out) != 0 ? -1 : 0;
}

/*
 * Whether the whole request has been read, up to the end of FCGI_STDIN.
 * A request without a body has its empty FCGI_STDIN record in libfcgi's
 * buffer already (the web server sends it with the parameters), so this
 * costs no read; a body the handler left unread answers false.
 */
static bool
input_consumed(struct fcgi *f)
{
	return FCGX_GetChar(f->req.in) == EOF && FCGX_GetError(f->req.in) == 0;
}

void
fcgi_finish(struct fcgi *f)
{
	if (!f->active)
		return;
	/*
	 * libfcgi closes with a lingering close -- shutdown(), then wait for
	 * and read the web server's end -- so that input still unread does
	 * not make the kernel reset the connection under the answer.  Once
	 * all of the input has been read the web server sends nothing more
	 * and there is nothing to reset: "detached", libfcgi just closes,
	 * three system calls fewer per request.
	 */
	if (input_consumed(f))
		FCGX_Detach(&f->req);
	FCGX_Finish_r(&f->req);
	f->active = false;
}
