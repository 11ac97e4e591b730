/*
 * http -- request/response plumbing shared by every transport.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "http.h"
#include "util.h"

static const char *const method_names[HTTP__MAX] = {
	"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "OTHER",
};

const char *
http_method_name(enum http_method m)
{
	return m < HTTP__MAX ? method_names[m] : "OTHER";
}

static enum http_method
method_from_name(const char *s)
{
	int i;

	for (i = 0; i < HTTP_OTHER; i++)
		if (strcmp(s, method_names[i]) == 0)
			return (enum http_method)i;
	return HTTP_OTHER;
}

bool
http_method_is_safe(enum http_method m)
{
	return m == HTTP_GET || m == HTTP_HEAD || m == HTTP_OPTIONS;
}

const char *
http_status_text(int status)
{
	switch (status) {
	case 200: return "OK";
	case 201: return "Created";
	case 204: return "No Content";
	case 302: return "Found";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 406: return "Not Acceptable";
	case 408: return "Request Timeout";
	case 409: return "Conflict";
	case 413: return "Payload Too Large";
	case 415: return "Unsupported Media Type";
	case 429: return "Too Many Requests";
	case 500: return "Internal Server Error";
	case 502: return "Bad Gateway";
	case 503: return "Service Unavailable";
	case 504: return "Gateway Timeout";
	default: return "Unknown";
	}
}

/*
 * The last occurrence wins, as in php-fpm: nginx sends a parameter twice
 * when a site overrides one set by an included fastcgi_params.
 */
const char *
req_param(const struct req *r, const char *name)
{
	size_t i;

	for (i = r->nparams; i > 0; i--)
		if (strcmp(r->params[i - 1].key, name) == 0)
			return r->params[i - 1].val;
	return NULL;
}

/*
 * Percent-decode (and '+' -> ' ' when plus) into a new arena string.
 * "%00" stays as it is: values are C strings, and a decoded NUL would cut
 * the rest off (a key followed by %00junk must not match the key).
 */
static char *
url_decode(struct arena *a, const char *s, size_t len, bool plus)
{
	char *out, *o;
	size_t i;
	int hi, lo;

	out = o = arena_alloc(a, len + 1);
	for (i = 0; i < len; i++) {
		if (s[i] == '+' && plus)
			*o++ = ' ';
		else if (s[i] == '%' && i + 2 < len &&
		    !(s[i + 1] == '0' && s[i + 2] == '0') &&
		    (hi = hex_digit_value((unsigned char)s[i + 1])) >= 0 &&
		    (lo = hex_digit_value((unsigned char)s[i + 2])) >= 0) {
			*o++ = (char)(hi * 16 + lo);
			i += 2;
		} else
			*o++ = s[i];
	}
	*o = '\0';
	return out;
}

size_t
http_parse_form(struct arena *a, const char *s, size_t len, struct kv **out)
{
	size_t n, cap, i, start, eq;
	struct kv *kv;

	/* Count separators for an upper bound of pairs. */
	cap = 1;
	for (i = 0; i < len; i++)
		if (s[i] == '&')
			cap++;
	kv = arena_alloc(a, cap * sizeof(*kv));
	n = 0;
	start = 0;
	for (i = 0; i <= len; i++) {
		if (i < len && s[i] != '&')
			continue;
		if (i > start) {
			/* Python's parse_qsl: a pair without '=' is name="" */
			for (eq = start; eq < i && s[eq] != '='; eq++)
				;
			kv[n].key = url_decode(a, s + start, eq - start, true);
			kv[n].val = eq < i ?
			    url_decode(a, s + eq + 1, i - eq - 1, true) : "";
			n++;
		}
		start = i + 1;
	}
	*out = kv;
	return n;
}

/*
 * Python's urllib.parse.quote_plus: letters, digits and "_.-~" stay,
 * space becomes '+', everything else %XX (upper case).
 */
char *
http_form_encode(struct arena *a, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *p;
	char *out, *o;

	out = o = arena_alloc(a, strlen(s) * 3 + 1);
	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if (isalnum(*p) || *p == '_' || *p == '.' || *p == '-' ||
		    *p == '~')
			*o++ = (char)*p;
		else if (*p == ' ')
			*o++ = '+';
		else {
			*o++ = '%';
			*o++ = hex[*p >> 4];
			*o++ = hex[*p & 15];
		}
	}
	*o = '\0';
	return out;
}

/* Cookie header: "a=b; c=d" (values may be quoted; no decoding). */
static size_t
parse_cookies(struct arena *a, const char *h, struct kv **out)
{
	size_t n, cap;
	const char *p, *end, *eq, *k0, *k1, *v0, *v1;
	struct kv *kv;

	cap = 1;
	for (p = h; *p != '\0'; p++)
		if (*p == ';')
			cap++;
	kv = arena_alloc(a, cap * sizeof(*kv));
	n = 0;
	for (p = h; *p != '\0'; p = *end ? end + 1 : end) {
		end = strchr(p, ';');
		if (end == NULL)
			end = p + strlen(p);
		eq = memchr(p, '=', (size_t)(end - p));
		if (eq == NULL)
			continue;
		for (k0 = p; k0 < eq && isspace((unsigned char)*k0); k0++)
			;
		for (k1 = eq; k1 > k0 && isspace((unsigned char)k1[-1]); k1--)
			;
		for (v0 = eq + 1; v0 < end && isspace((unsigned char)*v0); v0++)
			;
		for (v1 = end; v1 > v0 && isspace((unsigned char)v1[-1]); v1--)
			;
		if (v1 - v0 >= 2 && *v0 == '"' && v1[-1] == '"') {
			v0++;
			v1--;
		}
		if (k1 == k0)
			continue;
		kv[n].key = arena_strndup(a, k0, (size_t)(k1 - k0));
		kv[n].val = arena_strndup(a, v0, (size_t)(v1 - v0));
		n++;
	}
	*out = kv;
	return n;
}

static const char *
param_or(const struct req *r, const char *name, const char *dflt)
{
	const char *v;

	v = req_param(r, name);
	return v != NULL ? v : dflt;
}

static const char *
derive_host(struct req *r)
{
	const char *h, *name, *port;

	if ((h = req_param(r, "HTTP_HOST")) != NULL && *h != '\0')
		return h;
	name = param_or(r, "SERVER_NAME", "localhost");
	port = req_param(r, "SERVER_PORT");
	if (port == NULL || strcmp(port, r->scheme[4] == 's' ? "443" : "80")
	    == 0)
		return name;
	return arena_printf(r->arena, "%s:%s", name, port);
}

void
req_init(struct req *r, struct arena *a, const struct kv *params,
    size_t nparams, const char *body, size_t body_len)
{
	const char *https, *cookie, *ct;

	memset(r, 0, sizeof(*r));
	r->arena = a;
	r->params = params;
	r->nparams = nparams;
	r->method_name = param_or(r, "REQUEST_METHOD", "GET");
	r->method = method_from_name(r->method_name);
	r->path = param_or(r, "DOCUMENT_URI", NULL);
	if (r->path == NULL)
		r->path = param_or(r, "SCRIPT_NAME", "/");
	r->query = param_or(r, "QUERY_STRING", "");
	https = req_param(r, "HTTPS");
	r->scheme = (https != NULL && (str_ieq(https, "on") ||
	    strcmp(https, "1") == 0)) ? "https" : "http";
	r->host = derive_host(r);
	r->remote_addr = param_or(r, "REMOTE_ADDR", "");
	ct = req_param(r, "CONTENT_TYPE");
	r->content_type = (ct != NULL && *ct != '\0') ? ct : NULL;
	r->nqs = http_parse_form(a, r->query, strlen(r->query), &r->qs);
	cookie = req_param(r, "HTTP_COOKIE");
	if (cookie != NULL)
		r->ncookies = parse_cookies(a, cookie, &r->cookies);
	r->body = body;
	r->body_len = body != NULL ? body_len : 0;
}

const char *
req_query(const struct req *r, const char *name)
{
	size_t i;

	for (i = 0; i < r->nqs; i++)
		if (strcmp(r->qs[i].key, name) == 0)
			return r->qs[i].val;
	return NULL;
}

const char *
req_cookie(const struct req *r, const char *name)
{
	size_t i;

	for (i = 0; i < r->ncookies; i++)
		if (strcmp(r->cookies[i].key, name) == 0)
			return r->cookies[i].val;
	return NULL;
}

void
resp_init(struct resp *rs, struct arena *a)
{
	memset(rs, 0, sizeof(*rs));
	buf_init(&rs->body);
	rs->arena = a;
}

void
resp_reset(struct resp *rs, struct arena *a)
{
	struct buf keep;

	keep = rs->body;
	buf_reset(&keep);
	memset(rs, 0, sizeof(*rs));
	rs->body = keep;
	rs->arena = a;
}

void
resp_free(struct resp *rs)
{
	buf_free(&rs->body);
}

void
resp_shrink(struct resp *rs)
{
	if (rs->body.cap > RESP_KEEP_BYTES) {
		buf_free(&rs->body);
		buf_init(&rs->body);
	}
}

void
resp_header(struct resp *rs, const char *fmt, ...)
{
	va_list ap;

	if (rs->nheaders >= RESP_MAX_HEADERS)
		abort();	/* a programming error, not input-driven */
	va_start(ap, fmt);
	rs->headers[rs->nheaders++] = arena_vprintf(rs->arena, fmt, ap);
	va_end(ap);
}

void
resp_no_content(struct resp *rs)
{
	rs->status = 204;
	rs->content_type = NULL;
	buf_reset(&rs->body);
}

/* The boundary parameter of a multipart content type, or NULL. */
static char *
multipart_boundary(struct arena *a, const char *ct)
{
	const char *p, *end;

	p = strstr(ct, "boundary=");
	if (p == NULL)
		return NULL;
	p += strlen("boundary=");
	if (*p == '"') {
		end = strchr(++p, '"');
		if (end == NULL)
			return NULL;
	} else
		for (end = p; *end != '\0' && *end != ';' && *end != ' '; end++)
			;
	if (end == p || end - p > 200)
		return NULL;
	return arena_strndup(a, p, (size_t)(end - p));
}

static const char *
mem_find(const char *hay, size_t hlen, const char *needle, size_t nlen)
{
	const char *p, *end;

	if (nlen == 0 || hlen < nlen)
		return NULL;
	end = hay + hlen - nlen;
	for (p = hay; p <= end; p++) {
		p = memchr(p, needle[0], (size_t)(end - p) + 1);
		if (p == NULL)
			return NULL;
		if (memcmp(p, needle, nlen) == 0)
			return p;
	}
	return NULL;
}

/* name="..." from a part's header block; NULL if absent. */
static char *
part_name(struct arena *a, const char *hdr, size_t len)
{
	const char *p, *end;
	char *h;

	h = arena_strndup(a, hdr, len);
	for (p = h; (p = strstr(p, "name=\"")) != NULL; p++) {
		/* skip "filename=" matches */
		if (p > h && p[-1] != ' ' && p[-1] != ';')
			continue;
		p += strlen("name=\"");
		end = strchr(p, '"');
		if (end == NULL)
			return NULL;
		return arena_strndup(a, p, (size_t)(end - p));
	}
	return NULL;
}

int
http_parse_multipart(struct arena *a, const char *content_type,
    const char *body, size_t len, struct kv **out, size_t *n)
{
	char *boundary, *delim;
	const char *p, *end, *next, *hdr_end;
	size_t dlen, cap;
	struct kv *kv;
	char *name;

	*out = NULL;
	*n = 0;
	if ((boundary = multipart_boundary(a, content_type)) == NULL)
		return -1;
	delim = arena_printf(a, "--%s", boundary);
	dlen = strlen(delim);
	end = body + len;
	p = mem_find(body, len, delim, dlen);
	if (p == NULL)
		return -1;
	cap = 8;
	kv = arena_alloc(a, cap * sizeof(*kv));
	for (;;) {
		p += dlen;
		if (end - p >= 2 && p[0] == '-' && p[1] == '-')
			break;		/* closing delimiter */
		if (end - p < 2 || p[0] != '\r' || p[1] != '\n')
			return -1;
		p += 2;
		hdr_end = mem_find(p, (size_t)(end - p), "\r\n\r\n", 4);
		if (hdr_end == NULL)
			return -1;
		next = mem_find(hdr_end, (size_t)(end - hdr_end), delim, dlen);
		if (next == NULL || next - hdr_end < 6)
			return -1;
		name = part_name(a, p, (size_t)(hdr_end - p));
		if (name != NULL) {
			if (*n == cap) {
				struct kv *grown;

				grown = arena_alloc(a, 2 * cap * sizeof(*kv));
				memcpy(grown, kv, cap * sizeof(*kv));
				kv = grown;
				cap *= 2;
			}
			kv[*n].key = name;
			/* content ends before the CRLF preceding the delimiter */
			kv[*n].val = arena_strndup(a, hdr_end + 4,
			    (size_t)(next - 2 - (hdr_end + 4)));
			(*n)++;
		}
		p = next;
	}
	*out = kv;
	return 0;
}
