/*
 * http -- transport-independent request and response.
 *
 * A transport (fcgi.c, cgi.c, or a unit test) collects the CGI/FastCGI
 * parameters as key/value pairs and the raw body, all copied into the
 * request's arena, and calls req_init().  Handlers read struct req and fill
 * struct resp; the transport then writes resp out.  Nothing here touches
 * libfcgi.
 */
#ifndef HTTP_H
#define HTTP_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

struct arena;

enum http_method {
	HTTP_GET,
	HTTP_HEAD,
	HTTP_POST,
	HTTP_PUT,
	HTTP_PATCH,
	HTTP_DELETE,
	HTTP_OPTIONS,
	HTTP_OTHER,	/* anything else: answered 405 */
	HTTP__MAX
};

struct kv {
	const char	*key;
	const char	*val;
};

struct req {
	struct arena	*arena;		/* owns every string below */

	/* Raw parameters as the transport saw them (borrowed, arena). */
	const struct kv	*params;
	size_t		 nparams;

	enum http_method method;
	const char	*method_name;	/* REQUEST_METHOD as sent */
	const char	*path;		/* DOCUMENT_URI (decoded by nginx) */
	const char	*query;		/* QUERY_STRING, "" if none */
	const char	*scheme;	/* "https" if HTTPS=on, else "http" */
	const char	*host;		/* HTTP_HOST, else SERVER_NAME[:PORT] */
	const char	*remote_addr;	/* REMOTE_ADDR (never X-Forwarded-For) */
	const char	*content_type;	/* CONTENT_TYPE or NULL */

	/* Query string, decoded, in the order sent (repeats kept). */
	struct kv	*qs;
	size_t		 nqs;

	/* Cookies, decoded, in the order sent. */
	struct kv	*cookies;
	size_t		 ncookies;

	const char	*body;		/* raw body, NUL-terminated, or NULL */
	size_t		 body_len;
};

/* Header lines are kept as complete "Name: value" strings. */
#define RESP_MAX_HEADERS 16

struct resp {
	int		 status;	/* 0 = not yet set */
	struct buf	 body;		/* JSON body (or empty) */
	const char	*content_type;	/* NULL = none (204) */
	const char	*headers[RESP_MAX_HEADERS];	/* arena strings */
	size_t		 nheaders;
	struct arena	*arena;
};

/*
 * Fill the derived fields of req from params (method, path, query, scheme,
 * host, remote address, content type, parsed query and cookies).
 * params must stay valid for the life of the request.
 */
void req_init(struct req *, struct arena *, const struct kv *params,
    size_t nparams, const char *body, size_t body_len);

/* CGI parameter by exact name ("HTTP_AUTHORIZATION"), NULL if absent. */
const char *req_param(const struct req *, const char *name);
/* First query parameter of that name (decoded), NULL if absent. */
const char *req_query(const struct req *, const char *name);
/* Cookie value by name, NULL if absent. */
const char *req_cookie(const struct req *, const char *name);
/* True for GET, HEAD, OPTIONS (and TRACE, which we map to OTHER). */
bool http_method_is_safe(enum http_method);
const char *http_method_name(enum http_method);
const char *http_status_text(int status);

/*
 * Parse an application/x-www-form-urlencoded string into kv pairs in the
 * arena ('+' is space, %XX decoded; invalid escapes kept literally).
 */
size_t http_parse_form(struct arena *, const char *s, size_t len,
    struct kv **out);
/*
 * Parse a multipart/form-data body (boundary taken from content_type)
 * into name/value pairs; file parts are kept as their content.  Returns 0,
 * or -1 when the boundary or the framing is invalid.
 */
int http_parse_multipart(struct arena *, const char *content_type,
    const char *body, size_t len, struct kv **out, size_t *n);
/* Form-encode one component the way Python's urlencode does. */
char *http_form_encode(struct arena *, const char *);

void resp_init(struct resp *, struct arena *);
void resp_reset(struct resp *, struct arena *);	/* keeps body capacity */
void resp_free(struct resp *);
/* Drop a body buffer grown past RESP_KEEP_BYTES (kept otherwise). */
#define RESP_KEEP_BYTES (256 * 1024)
void resp_shrink(struct resp *);
void resp_header(struct resp *, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* 204: empty body, no Content-Type. */
void resp_no_content(struct resp *);

#endif
