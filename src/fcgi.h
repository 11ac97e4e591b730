/*
 * fcgi -- the FastCGI transport, the only code that talks to libfcgi.
 *
 * One struct fcgi per worker process wraps an FCGX_Request bound to the
 * listening socket.  Between fcgi_accept() and fcgi_finish() the request's
 * parameters and body can be copied out (into an arena: libfcgi frees its
 * own copies at finish) and one response written.
 */
#ifndef FCGI_H
#define FCGI_H

#include <stdbool.h>
#include <stddef.h>

struct arena;
struct kv;
struct resp;
struct fcgi;

/* Initialise libfcgi and a request on listen_fd; NULL on failure. */
struct fcgi *fcgi_new(int listen_fd);
void fcgi_free(struct fcgi *);		/* NULL is a no-op */

/* Wait for the next request: 0, or -1 with errno set (socket closed...). */
int fcgi_accept(struct fcgi *);
/*
 * Copy every FastCGI parameter into an arena array of kv pairs; returns
 * their number.  Values are NUL-terminated arena strings.
 */
size_t fcgi_params(struct fcgi *, struct arena *, struct kv **out);
/* Read up to len body bytes into buf; returns how many were read. */
size_t fcgi_read(struct fcgi *, char *buf, size_t len);
/* Read and drop what is left of the body, so the server is not reset. */
void fcgi_discard_input(struct fcgi *);
/*
 * Write resp as a CGI response: Status, Content-Type (if set), each
 * header line, Content-Length, then the body unless with_body is false
 * (HEAD keeps the length of the body it would have sent).  The last bytes
 * go out with fcgi_finish(); -1 when an earlier write already found the
 * server gone.
 */
int fcgi_write(struct fcgi *, const struct resp *, bool with_body);
/* End the request (flushes output, closes the connection). */
void fcgi_finish(struct fcgi *);

#endif
