/*
 * mecache -- a worker's copies of the GET @me bodies it rendered; see
 * mecache.h for why a copy is exact.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "db.h"
#include "mecache.h"

struct mecache_entry {
	long long		 user_id;	/* 0 = empty */
	unsigned long long	 generation;
	char			*data;		/* row bytes, then body */
	size_t			 row_len;
	size_t			 body_len;
};

static struct mecache_entry slots[MECACHE_SLOTS];

char *
mecache_fingerprint(struct arena *a, const struct db_res *r, size_t row,
    size_t col, size_t ncols, size_t *len)
{
	const char *cell;
	size_t i, n, total;
	uint32_t l;
	char *out, *p;

	total = 0;
	for (i = 0; i < ncols; i++)
		total += sizeof(l) + (db_str(r, row, col + i) != NULL ?
		    r->lens[row * r->ncols + col + i] : 0);
	out = p = arena_alloc(a, total + 1);
	for (i = 0; i < ncols; i++) {
		cell = db_str(r, row, col + i);
		n = cell != NULL ? r->lens[row * r->ncols + col + i] : 0;
		/* NULL is UINT32_MAX, distinct from the empty string */
		l = cell != NULL ? (uint32_t)n : UINT32_MAX;
		memcpy(p, &l, sizeof(l));
		p += sizeof(l);
		if (n > 0)
			memcpy(p, cell, n);
		p += n;
	}
	*len = total;
	return out;
}

static struct mecache_entry *
slot_of(long long user_id)
{
	return &slots[(unsigned long long)user_id % MECACHE_SLOTS];
}

const char *
mecache_get(long long user_id, unsigned long long generation,
    const char *row, size_t row_len, size_t *body_len)
{
	const struct mecache_entry *e = slot_of(user_id);

	if (e->user_id != user_id || e->generation != generation ||
	    e->row_len != row_len || memcmp(e->data, row, row_len) != 0)
		return NULL;
	*body_len = e->body_len;
	return e->data + row_len;
}

void
mecache_put(long long user_id, unsigned long long generation,
    const char *row, size_t row_len, const char *body, size_t body_len)
{
	struct mecache_entry *e = slot_of(user_id);
	char *data;

	if (row_len + body_len > MECACHE_MAX_ENTRY)
		return;
	if ((data = malloc(row_len + body_len + 1)) == NULL)
		return;
	memcpy(data, row, row_len);
	memcpy(data + row_len, body, body_len);
	data[row_len + body_len] = '\0';
	free(e->data);
	e->user_id = user_id;
	e->generation = generation;
	e->data = data;
	e->row_len = row_len;
	e->body_len = body_len;
}

void
mecache_free(void)
{
	size_t i;

	for (i = 0; i < MECACHE_SLOTS; i++) {
		free(slots[i].data);
		memset(&slots[i], 0, sizeof(slots[i]));
	}
}
