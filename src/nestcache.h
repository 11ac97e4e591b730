/*
 * nestcache -- a worker's copies of the organisation and team objects it
 * rendered (the objects nested in a user), as compact JSON text.
 *
 * An organisation object is a function of the organisation, its teams,
 * its member count and the requester's membership (level, and whether
 * the teams are listed); a team object of the team alone.  All of these
 * are covered by render_generation.n, which triggers (schema/0004_render.sql)
 * raise in the writer's own transaction (see mecache.h).  The cache holds
 * the objects of one generation: beginning a render of another generation
 * empties it.  A text stored while the generation read was G was read
 * after G was, so it is at least as new as G: exact for every later
 * request that reads G.
 *
 * Keys: a kind (NEST_TEAM, NEST_ORG_BASIC, NEST_ORG_FULL), the object's id
 * as text and the requester's user id (0 for teams).
 *
 * Bounded: NESTCACHE_SLOTS entries and NESTCACHE_MAX_BYTES of text (static
 * memory, resident only as far as it is used); a store that would pass
 * either bound empties the cache first.  A text returned by
 * nestcache_get() stays valid until the next nestcache_begin(),
 * nestcache_put() or nestcache_free().
 */
#ifndef NESTCACHE_H
#define NESTCACHE_H

#include <stddef.h>

#define NESTCACHE_SLOTS		512		/* a power of two */
#define NESTCACHE_MAX_BYTES	(192 * 1024)
#define NESTCACHE_MAX_ID	36		/* an organisation uuid */

enum nest_kind {
	NEST_TEAM = 't',
	NEST_ORG_BASIC = 'b',
	NEST_ORG_FULL = 'f'
};

/* Hold the objects of generation only from now on. */
void nestcache_begin(unsigned long long generation);

/* The text stored under the key, or NULL. */
const char *nestcache_get(enum nest_kind, const char *id, long long requester,
    size_t *len);

/* Store a copy of text under the key (ids longer than NESTCACHE_MAX_ID
 * and texts that could not fit are skipped). */
void nestcache_put(enum nest_kind, const char *id, long long requester,
    const char *text, size_t len);

void nestcache_free(void);

#endif
