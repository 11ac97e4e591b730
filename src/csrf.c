/*
 * csrf -- Django's CsrfViewMiddleware checks, in Django 5.2's order
 * (spec 2.2.3):
 *
 *   1. an Origin header must be the request's own origin or trusted;
 *   2. otherwise, over HTTPS, the Referer must be https and same-host
 *      (or a trusted host);
 *   3. the CSRF cookie must exist and be well formed;
 *   4. a token must come from the form field (POST forms) or the
 *      X-CSRFToken header, be well formed, and carry the cookie's secret.
 */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "arena.h"
#include "conf.h"
#include "crypto.h"
#include "csrf.h"
#include "ctx.h"
#include "http.h"
#include "session.h"

/* Python's string.ascii_letters + string.digits: lower case first. */
static const char csrf_chars[] =
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
#define NCHARS	62

static int
char_index(char ch)
{
	const char *p;

	if (ch == '\0' || (p = strchr(csrf_chars, ch)) == NULL)
		return -1;
	return (int)(p - csrf_chars);
}

const char *
csrf_token_format(const char *token)
{
	size_t len, i;

	len = strlen(token);
	if (len != CSRF_SECRET_LENGTH && len != CSRF_TOKEN_LENGTH)
		return "has incorrect length";
	for (i = 0; i < len; i++)
		if (char_index(token[i]) < 0)
			return "has invalid characters";
	return NULL;
}

void
csrf_mask_with(const char *secret, const char *mask, char out[65])
{
	size_t i;
	int x, y;

	memcpy(out, mask, CSRF_SECRET_LENGTH);
	for (i = 0; i < CSRF_SECRET_LENGTH; i++) {
		x = char_index(secret[i]);
		y = char_index(mask[i]);
		out[CSRF_SECRET_LENGTH + i] = csrf_chars[(x + y) % NCHARS];
	}
	out[CSRF_TOKEN_LENGTH] = '\0';
}

void
csrf_mask(const char *secret, char out[65])
{
	char mask[CSRF_SECRET_LENGTH + 1];

	crypto_random_alnum(mask, CSRF_SECRET_LENGTH);
	csrf_mask_with(secret, mask, out);
}

void
csrf_unmask(const char *token, char out[33])
{
	size_t i;
	int x, y;

	for (i = 0; i < CSRF_SECRET_LENGTH; i++) {
		y = char_index(token[i]);
		x = char_index(token[CSRF_SECRET_LENGTH + i]);
		/* Python's chars[x - y] wraps a negative index */
		out[i] = csrf_chars[(x - y + NCHARS) % NCHARS];
	}
	out[CSRF_SECRET_LENGTH] = '\0';
}

bool
csrf_token_matches(const char *token, const char *secret)
{
	char plain[CSRF_SECRET_LENGTH + 1];

	if (strlen(token) == CSRF_TOKEN_LENGTH) {
		csrf_unmask(token, plain);
		token = plain;
	}
	if (strlen(token) != CSRF_SECRET_LENGTH ||
	    strlen(secret) != CSRF_SECRET_LENGTH)
		return false;
	return crypto_eq(token, secret, CSRF_SECRET_LENGTH);
}

/* --- URL pieces, as Python's urlsplit() sees them ------------------------- */

struct url {
	const char	*scheme;	/* lower case, "" when none */
	const char	*netloc;	/* "" when none */
	bool		 ok;		/* false: urlsplit raises ValueError */
};

/*
 * urlsplit(): strip leading/trailing C0 controls and spaces, drop tab/CR/
 * LF, take a scheme when the text before ':' is one, then the netloc after
 * "//".  Unbalanced IPv6 brackets make it fail.
 */
static struct url
url_split(struct arena *a, const char *in)
{
	struct url u = { "", "", true };
	char *s, *o, *rest, *end;
	const char *p;
	size_t i, n;

	s = arena_strdup(a, in);
	for (p = in, o = s; *p != '\0'; p++)
		if (*p != '\t' && *p != '\r' && *p != '\n')
			*o++ = *p;
	*o = '\0';
	while (*s != '\0' && (unsigned char)*s <= ' ')
		s++;
	n = strlen(s);
	while (n > 0 && (unsigned char)s[n - 1] <= ' ')
		s[--n] = '\0';
	rest = s;
	if ((end = strchr(s, ':')) != NULL && end > s &&
	    isalpha((unsigned char)s[0])) {
		for (i = 0; s + i < end; i++)
			if (!isalnum((unsigned char)s[i]) &&
			    strchr("+-.", s[i]) == NULL)
				break;
		if (s + i == end) {
			*end = '\0';
			for (o = s; *o != '\0'; o++)
				*o = (char)tolower((unsigned char)*o);
			u.scheme = s;
			rest = end + 1;
		}
	}
	if (strncmp(rest, "//", 2) == 0) {
		n = strcspn(rest + 2, "/?#");
		u.netloc = arena_strndup(a, rest + 2, n);
		if ((strchr(u.netloc, '[') != NULL) !=
		    (strchr(u.netloc, ']') != NULL))
			u.ok = false;
	}
	return u;
}

/* Django's is_same_domain(): exact, or ".example.com" covering subdomains. */
static bool
same_domain(const char *host, const char *pattern, struct arena *a)
{
	char *pat;
	size_t hl, pl;

	if (*pattern == '\0')
		return false;
	pat = arena_strdup(a, pattern);
	for (char *q = pat; *q != '\0'; q++)
		*q = (char)tolower((unsigned char)*q);
	if (pat[0] == '.') {
		hl = strlen(host);
		pl = strlen(pat);
		if (hl >= pl && strcmp(host + hl - pl, pat) == 0)
			return true;
		return strcmp(host, pat + 1) == 0;
	}
	return strcmp(host, pat) == 0;
}

/* Calls fn on each trusted origin; stops and returns true when fn does. */
static bool
any_trusted(struct arena *a, const char *trusted,
    bool (*fn)(struct arena *, const char *, const void *), const void *arg)
{
	const char *p, *e;

	if (trusted == NULL)
		return false;
	for (p = trusted; *p != '\0'; p = e) {
		p += strspn(p, " \t");
		e = p + strcspn(p, " \t");
		if (e > p && fn(a, arena_strndup(a, p, (size_t)(e - p)), arg))
			return true;
	}
	return false;
}

/* CSRF_TRUSTED_ORIGINS as allowed_origins_exact / _subdomains. */
static bool
origin_trusted(struct arena *a, const char *origin, const void *arg)
{
	const char *req_origin = arg;
	struct url t, r;

	if (strchr(origin, '*') == NULL)
		return strcmp(origin, req_origin) == 0;
	t = url_split(a, origin);
	r = url_split(a, req_origin);
	if (!r.ok || strcmp(t.scheme, r.scheme) != 0)
		return false;
	while (*t.netloc == '*')
		t.netloc++;
	return same_domain(r.netloc, t.netloc, a);
}

/* csrf_trusted_origins_hosts: the netlocs, leading '*' stripped. */
static bool
host_trusted(struct arena *a, const char *origin, const void *arg)
{
	struct url t;

	t = url_split(a, origin);
	while (*t.netloc == '*')
		t.netloc++;
	return same_domain(arg, t.netloc, a);
}

/*
 * Django's request.get_host(): the Host header with its port.  nginx's
 * stock fastcgi_params pass $host, which drops the port, so a missing
 * one is taken from SERVER_PORT unless it is the scheme's default.
 */
static const char *
request_host(struct arena *a, const struct req *r)
{
	const char *port, *bracket;
	bool https;

	port = req_param(r, "SERVER_PORT");
	bracket = strrchr(r->host, ']');
	if (strchr(bracket != NULL ? bracket : r->host, ':') != NULL ||
	    port == NULL || *port == '\0')
		return r->host;
	https = strcmp(r->scheme, "https") == 0;
	if (strcmp(port, https ? "443" : "80") == 0)
		return r->host;
	return arena_printf(a, "%s:%s", r->host, port);
}

static bool
origin_verified(struct arena *a, const struct req *r, const char *trusted,
    const char *origin)
{
	const char *good;

	good = arena_printf(a, "%s://%s", r->scheme, request_host(a, r));
	if (strcmp(origin, good) == 0)
		return true;
	return any_trusted(a, trusted, origin_trusted, origin);
}

static const char *
referer_reason(struct arena *a, const struct req *r, const char *trusted)
{
	const char *referer;
	struct url u;

	referer = req_param(r, "HTTP_REFERER");
	if (referer == NULL)
		return "Referer checking failed - no Referer.";
	u = url_split(a, referer);
	if (!u.ok || *u.scheme == '\0' || *u.netloc == '\0')
		return "Referer checking failed - Referer is malformed.";
	if (strcmp(u.scheme, "https") != 0)
		return "Referer checking failed - Referer is insecure while "
		    "host is secure.";
	if (any_trusted(a, trusted, host_trusted, u.netloc))
		return NULL;
	if (same_domain(u.netloc, request_host(a, r), a))
		return NULL;
	return arena_printf(a, "Referer checking failed - %s does not match "
	    "any trusted origins.", referer);
}

const char *
csrf_reason(struct arena *a, const struct req *r, const char *trusted,
    const char *form_token)
{
	const char *origin, *cookie, *token, *bad, *source;
	char secret[CSRF_SECRET_LENGTH + 1];

	if ((origin = req_param(r, "HTTP_ORIGIN")) != NULL) {
		if (!origin_verified(a, r, trusted, origin))
			return arena_printf(a, "Origin checking failed - %s "
			    "does not match any trusted origins.", origin);
	} else if (strcmp(r->scheme, "https") == 0) {
		if ((bad = referer_reason(a, r, trusted)) != NULL)
			return bad;
	}

	if ((cookie = req_cookie(r, CSRF_COOKIE_NAME)) == NULL)
		return "CSRF cookie not set.";
	if ((bad = csrf_token_format(cookie)) != NULL)
		return arena_printf(a, "CSRF cookie %s.", bad);
	if (strlen(cookie) == CSRF_TOKEN_LENGTH)
		csrf_unmask(cookie, secret);
	else
		memcpy(secret, cookie, sizeof(secret));

	if (form_token != NULL && *form_token != '\0') {
		token = form_token;
		source = "POST";
	} else {
		token = req_param(r, "HTTP_X_CSRFTOKEN");
		if (token == NULL)
			return "CSRF token missing.";
		source = "the 'X-Csrftoken' HTTP header";
	}
	if ((bad = csrf_token_format(token)) != NULL)
		return arena_printf(a, "CSRF token from %s %s.", source, bad);
	if (!csrf_token_matches(token, secret))
		return arena_printf(a, "CSRF token from %s incorrect.", source);
	return NULL;
}

/* Django's CSRF-safe methods (TRACE reaches us as HTTP_OTHER). */
static bool
csrf_safe_method(const struct req *r)
{
	return http_method_is_safe(r->method) ||
	    strcmp(r->method_name, "TRACE") == 0;
}

/* request.POST exists only for form bodies of a POST. */
static bool
is_form_post(const struct req *r)
{
	const char *ct = r->content_type;

	if (r->method != HTTP_POST || ct == NULL)
		return false;
	while (*ct == ' ' || *ct == '\t')
		ct++;
	return strncasecmp(ct, "application/x-www-form-urlencoded", 33) == 0 ||
	    strncasecmp(ct, "multipart/form-data", 19) == 0;
}

bool
csrf_check(struct ctx *c)
{
	json_object *body, *v;
	const char *form_token = NULL, *reason;

	if (c->auth.kind != AUTH_SESSION || csrf_safe_method(c->req))
		return true;
	if (is_form_post(c->req)) {
		if (!ctx_body(c, &body))
			return false;
		if (body != NULL &&
		    json_object_object_get_ex(body, "csrfmiddlewaretoken", &v))
			form_token = json_object_get_string(v);
	}
	reason = csrf_reason(c->arena, c->req, c->conf->csrf_trusted_origins,
	    form_token);
	if (reason == NULL)
		return true;
	api_permission_denied(c, arena_printf(c->arena, "CSRF Failed: %s",
	    reason));
	return false;
}

void
csrf_rotate(struct ctx *c)
{
	char secret[CSRF_SECRET_LENGTH + 1];

	crypto_random_alnum(secret, CSRF_SECRET_LENGTH);
	session_set_cookie(c, CSRF_COOKIE_NAME, secret, c->conf->session_max_age,
	    false, "Lax", c->conf->session_cookie_secure != 0);
}
