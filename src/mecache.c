/*
 * mecache -- a worker's copies of the GET @me bodies it rendered; see
 * mecache.h for why a copy is exact.
 */
#include <stdlib.h>
#include <string.h>

#include "mecache.h"

struct mecache_entry {
	struct mecache_key	 key;	/* user_id 0 = empty */
	char			*body;
	size_t			 body_len;
};

static struct mecache_entry slots[MECACHE_SLOTS];

static struct mecache_entry *
slot_of(long long user_id)
{
	return &slots[(unsigned long long)user_id % MECACHE_SLOTS];
}

static int
same_key(const struct mecache_key *a, const struct mecache_key *b)
{
	return a->user_id == b->user_id && a->version == b->version &&
	    a->generation == b->generation;
}

const char *
mecache_get(const struct mecache_key *key, size_t *body_len)
{
	const struct mecache_entry *e = slot_of(key->user_id);

	if (e->body == NULL || !same_key(&e->key, key))
		return NULL;
	*body_len = e->body_len;
	return e->body;
}

void
mecache_put(const struct mecache_key *key, const char *body, size_t body_len)
{
	struct mecache_entry *e = slot_of(key->user_id);
	char *copy;

	if (body_len > MECACHE_MAX_BODY || (copy = malloc(body_len + 1)) ==
	    NULL)
		return;
	memcpy(copy, body, body_len);
	copy[body_len] = '\0';
	free(e->body);
	e->key = *key;
	e->body = copy;
	e->body_len = body_len;
}

void
mecache_free(void)
{
	size_t i;

	for (i = 0; i < MECACHE_SLOTS; i++) {
		free(slots[i].body);
		memset(&slots[i], 0, sizeof(slots[i]));
	}
}
