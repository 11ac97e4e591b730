/*
 * nestcache -- a worker's copies of the organisation and team objects it
 * rendered; see nestcache.h for why a copy is exact.
 *
 * Open addressing with linear probing over NESTCACHE_SLOTS slots, filled
 * to at most three quarters; entries are never removed one by one, only
 * all at once, so probing needs no tombstones.  The texts are laid end to
 * end in one static pool rather than malloc'd: copies made in the middle
 * of a large render would otherwise pin the heap pages around them, and
 * the worker could not hand the render's memory back (worker.c).
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "nestcache.h"

struct nest_entry {
	char		 kind;		/* 0 = empty slot */
	char		 id[NESTCACHE_MAX_ID + 1];
	long long	 requester;
	const char	*text;		/* in pool */
	size_t		 len;
};

static struct nest_entry	 slots[NESTCACHE_SLOTS];
static char			 pool[NESTCACHE_MAX_BYTES];
static size_t			 used, bytes;	/* slots and pool in use */
static unsigned long long	 cached_generation;
static bool			 have_generation;

/* FNV-1a over the key's parts. */
static size_t
hash_key(enum nest_kind kind, const char *id, long long requester)
{
	uint64_t h = 1469598103934665603ULL;
	unsigned long long r = (unsigned long long)requester;
	size_t i;

	h = (h ^ (unsigned char)kind) * 1099511628211ULL;
	for (; *id != '\0'; id++)
		h = (h ^ (unsigned char)*id) * 1099511628211ULL;
	for (i = 0; i < sizeof(r); i++, r >>= 8)
		h = (h ^ (r & 0xff)) * 1099511628211ULL;
	return (size_t)(h & (NESTCACHE_SLOTS - 1));
}

/* The slot holding the key, or the empty slot where it would go. */
static struct nest_entry *
find_slot(enum nest_kind kind, const char *id, long long requester)
{
	struct nest_entry *e;
	size_t i = hash_key(kind, id, requester);

	for (;;) {
		e = &slots[i];
		if (e->kind == 0 || (e->kind == (char)kind &&
		    e->requester == requester && strcmp(e->id, id) == 0))
			return e;
		i = (i + 1) & (NESTCACHE_SLOTS - 1);
	}
}

static void
empty_all(void)
{
	if (used > 0)
		memset(slots, 0, sizeof(slots));
	used = 0;
	bytes = 0;
}

void
nestcache_begin(unsigned long long generation)
{
	if (have_generation && generation == cached_generation)
		return;
	empty_all();
	cached_generation = generation;
	have_generation = true;
}

const char *
nestcache_get(enum nest_kind kind, const char *id, long long requester,
    size_t *len)
{
	const struct nest_entry *e;

	if (!have_generation || id == NULL || strlen(id) > NESTCACHE_MAX_ID)
		return NULL;
	e = find_slot(kind, id, requester);
	if (e->kind == 0)
		return NULL;
	*len = e->len;
	return e->text;
}

void
nestcache_put(enum nest_kind kind, const char *id, long long requester,
    const char *text, size_t len)
{
	struct nest_entry *e;

	if (!have_generation || id == NULL || strlen(id) > NESTCACHE_MAX_ID ||
	    len >= NESTCACHE_MAX_BYTES)
		return;
	e = find_slot(kind, id, requester);
	if (e->kind != 0)
		return;		/* the same generation: the same text */
	if (used + 1 > NESTCACHE_SLOTS / 4 * 3 ||
	    bytes + len + 1 > NESTCACHE_MAX_BYTES) {
		empty_all();
		e = find_slot(kind, id, requester);
	}
	memcpy(pool + bytes, text, len);
	pool[bytes + len] = '\0';
	e->kind = (char)kind;
	strcpy(e->id, id);
	e->requester = requester;
	e->text = pool + bytes;
	e->len = len;
	used++;
	bytes += len + 1;
}

void
nestcache_free(void)
{
	empty_all();
	have_generation = false;
}
