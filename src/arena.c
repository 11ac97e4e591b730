/*
 * arena -- per-request bump allocator (nginx pool idea).
 *
 * Memory comes in blocks chained newest first; arena_reset() keeps the
 * first (oldest) block so a worker serving small requests never touches
 * malloc after warm-up.  Large requests add blocks that are freed at reset.
 */
#include <stdarg.h>
#include <stdalign.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "util.h"

#define ARENA_BLOCK	(64 * 1024)
#define ARENA_ALIGN	(alignof(max_align_t))

struct block {
	struct block	*next;		/* older block */
	size_t		 size;		/* usable bytes in data */
	size_t		 used;
	alignas(max_align_t) unsigned char data[];
};

struct defer {
	struct defer	*next;
	void		(*fn)(void *);
	void		*arg;
};

struct arena {
	struct block	*head;		/* newest block */
	struct block	*first;		/* kept across resets */
	struct defer	*defers;	/* newest first */
};

static struct block *
block_new(size_t size)
{
	struct block *b;

	b = xmalloc(sizeof(*b) + size);
	b->next = NULL;
	b->size = size;
	b->used = 0;
	return b;
}

struct arena *
arena_new(void)
{
	struct arena *a;

	a = xcalloc(1, sizeof(*a));
	a->first = a->head = block_new(ARENA_BLOCK);
	return a;
}

static void
run_defers(struct arena *a)
{
	struct defer *d;

	/* Defers are themselves arena memory: run them before freeing. */
	for (d = a->defers; d != NULL; d = d->next)
		d->fn(d->arg);
	a->defers = NULL;
}

bool
arena_reset(struct arena *a)
{
	struct block *b, *next;
	bool grown;

	run_defers(a);
	grown = a->head != a->first;
	for (b = a->head; b != a->first; b = next) {
		next = b->next;
		free(b);
	}
	a->head = a->first;
	a->first->used = 0;
	return grown;
}

void
arena_free(struct arena *a)
{
	if (a == NULL)
		return;
	arena_reset(a);
	free(a->first);
	free(a);
}

void *
arena_alloc(struct arena *a, size_t n)
{
	struct block *b;
	size_t off;
	void *p;

	n = (n + ARENA_ALIGN - 1) & ~(ARENA_ALIGN - 1);
	if (n == 0)
		n = ARENA_ALIGN;
	b = a->head;
	off = b->used;
	if (n > b->size - off) {
		b = block_new(n > ARENA_BLOCK / 4 ? n : ARENA_BLOCK);
		b->next = a->head;
		a->head = b;
		off = 0;
	}
	p = b->data + off;
	b->used = off + n;
	memset(p, 0, n);
	return p;
}

char *
arena_strndup(struct arena *a, const char *s, size_t n)
{
	char *p;

	p = arena_alloc(a, n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *
arena_strdup(struct arena *a, const char *s)
{
	return arena_strndup(a, s, strlen(s));
}

char *
arena_vprintf(struct arena *a, const char *fmt, va_list ap)
{
	char small[256], *p;
	va_list ap2;
	int n;

	/* most strings fit the stack buffer: format once */
	va_copy(ap2, ap);
	n = vsnprintf(small, sizeof(small), fmt, ap2);
	va_end(ap2);
	if (n < 0)
		return arena_strdup(a, "");
	if ((size_t)n < sizeof(small))
		return arena_strndup(a, small, (size_t)n);
	p = arena_alloc(a, (size_t)n + 1);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	return p;
}

char *
arena_printf(struct arena *a, const char *fmt, ...)
{
	va_list ap;
	char *p;

	va_start(ap, fmt);
	p = arena_vprintf(a, fmt, ap);
	va_end(ap);
	return p;
}

void
arena_defer(struct arena *a, void (*fn)(void *), void *arg)
{
	struct defer *d;

	d = arena_alloc(a, sizeof(*d));
	d->fn = fn;
	d->arg = arg;
	d->next = a->defers;
	a->defers = d;
}
