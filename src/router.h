/*
 * router -- the static route table and path matching (spec 1.1).
 *
 * A route is one URL shape; for each method it names the handler, the
 * authenticators accepted and the scope a personal API key needs.  The
 * pipeline in app.c applies authentication, permissions and method
 * dispatch in PostHog's order (spec 2.5) from this table alone.
 */
#ifndef ROUTER_H
#define ROUTER_H

#include <stdbool.h>

#include "http.h"

struct ctx;

typedef void (*handler_fn)(struct ctx *);

/* Authenticators a method accepts (spec 2.1). */
#define AUTHN_SESSION	0x1u
#define AUTHN_KEY	0x2u
#define AUTHN_ALL	(AUTHN_SESSION | AUTHN_KEY)
#define AUTHN_NOBODY	0x4u	/* no authenticator at all */

/* Route flags. */
#define RF_ANONYMOUS	0x1u	/* no authentication required */
#define RF_REAUTH_EXEMPT 0x2u	/* never needs a fresh session (2.6) */
#define RF_NO_THROTTLE	0x4u	/* never password-throttled (2.7) */
#define RF_REAUTH_FIELDS 0x10u	/* PATCH/PUT of only exempt fields is fresh (2.6) */
#define RF_ME_CACHE	0x8u	/* GET .../@me may answer from mecache */

struct method_spec {
	handler_fn	 fn;	/* NULL: method not allowed (405) */
	const char	*scope;	/* key scope; NULL: keys refused (403) */
	unsigned	 authn;	/* 0 means AUTHN_ALL */
};

struct route {
	const char		*name;		/* for logs and tests */
	unsigned		 flags;
	/* Indexed by enum http_method; HEAD uses GET's entry. */
	struct method_spec	 methods[HTTP__MAX];
	/*
	 * Authenticators tried when the method is not allowed, so the
	 * answer is 401/403/405 as PostHog gives it.
	 */
	unsigned		 authn_default;
	/* Scope for keys on an unsupported method: none (spec 2.4). */
};

/*
 * Match a decoded request path.  Returns the route or NULL (404
 * "Endpoint not found.").  *lookup receives the :id segment (arena
 * string) for detail routes, else NULL.
 */
const struct route *router_match(const char *path, struct arena *,
    const char **lookup);

/* The spec of method m on route r (HEAD maps to GET). */
const struct method_spec *route_method(const struct route *,
    enum http_method);
/* The Allow header value, e.g. "GET, PUT, PATCH, DELETE, HEAD, OPTIONS". */
const char *route_allow(const struct route *, struct arena *);

#endif
