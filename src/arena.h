/*
 * arena -- per-request bump allocator with a defer list.
 *
 * Everything allocated from an arena lives until arena_reset() (end of the
 * request) or arena_free().  Foreign resources (json-c objects, ...) can be
 * registered with arena_defer(); their release functions run, newest first,
 * at reset.  Allocation failure aborts the process (see util.h): a worker
 * that cannot allocate dies and is respawned by the master.
 */
#ifndef ARENA_H
#define ARENA_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

struct arena;

struct arena *arena_new(void);
void arena_free(struct arena *);	/* NULL is a no-op */
/* Runs defers, keeps the first block; true when larger blocks were freed. */
bool arena_reset(struct arena *);

void *arena_alloc(struct arena *, size_t);	/* zeroed, max-aligned */
char *arena_strdup(struct arena *, const char *);
char *arena_strndup(struct arena *, const char *, size_t);
char *arena_printf(struct arena *, const char *, ...)
    __attribute__((format(printf, 2, 3)));
char *arena_vprintf(struct arena *, const char *, va_list)
    __attribute__((format(printf, 2, 0)));
void arena_defer(struct arena *, void (*)(void *), void *);

#endif
