/*
 * mecache -- a worker's copies of the GET @me bodies it rendered.
 *
 * A body is a function of the user's row and of everything the
 * render_generation counter covers (organisations, teams, memberships,
 * member counts, scene personalisations: schema/0004_render.sql).  The
 * key lookup reads both in one statement, so a copy stored with the same
 * row and the same generation is exactly what rendering would produce
 * now.  Any write to those tables bumps the generation in the writer's
 * transaction; a changed users row no longer matches its copy.
 *
 * Bounded: MECACHE_SLOTS entries of at most MECACHE_MAX_ENTRY bytes,
 * one slot per user id modulo MECACHE_SLOTS.  Memory is the cache's own
 * (malloc); mecache_free() releases it.
 */
#ifndef MECACHE_H
#define MECACHE_H

#include <stddef.h>

struct arena;
struct db_res;

#define MECACHE_SLOTS		32
#define MECACHE_MAX_ENTRY	(32 * 1024)

/*
 * The cells col .. col+ncols-1 of a result row as one byte string
 * (length-prefixed, NULL distinct from empty), in the arena.
 */
char *mecache_fingerprint(struct arena *, const struct db_res *, size_t row,
    size_t col, size_t ncols, size_t *len);

/* The stored body for that user, row and generation, or NULL. */
const char *mecache_get(long long user_id, unsigned long long generation,
    const char *row, size_t row_len, size_t *body_len);

/* Store (a copy of) body; silently skipped when too large. */
void mecache_put(long long user_id, unsigned long long generation,
    const char *row, size_t row_len, const char *body, size_t body_len);

void mecache_free(void);

#endif
