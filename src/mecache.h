/*
 * mecache -- a worker's copies of the GET @me bodies it rendered.
 *
 * A body is a function of the user's row and of what the render
 * generation covers (organisations, teams, memberships, member counts,
 * scene personalisations, TOTP devices).  Triggers (schema/0004_render.sql)
 * raise users.render_version on every update of the row and
 * render_generation.n on every change to the rest, in the writer's own
 * transaction; the key lookup reads both numbers in its one statement.
 * A copy stored under the same user, version and generation is therefore
 * exactly what rendering would produce now.
 *
 * Bounded: MECACHE_SLOTS entries (one per user id modulo MECACHE_SLOTS)
 * of at most MECACHE_MAX_BODY bytes.  The memory is the cache's own
 * (malloc); mecache_free() releases it.
 */
#ifndef MECACHE_H
#define MECACHE_H

#include <stddef.h>

#define MECACHE_SLOTS		32
#define MECACHE_MAX_BODY	(32 * 1024)

struct mecache_key {
	long long		 user_id;
	unsigned long long	 version;	/* users.render_version */
	unsigned long long	 generation;	/* render_generation.n */
};

/* The stored body under that key, or NULL. */
const char *mecache_get(const struct mecache_key *, size_t *body_len);

/* Store a copy of body under key; silently skipped when too large. */
void mecache_put(const struct mecache_key *, const char *body,
    size_t body_len);

void mecache_free(void);

#endif
