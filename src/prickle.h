/*
 * prickle -- shared error codes, limits and version.
 */
#ifndef PRICKLE_H
#define PRICKLE_H

#include <stdbool.h>
#include <stddef.h>

/* The schema version this binary expects (highest schema/NNNN_*.sql). */
#define PRK_SCHEMA_VERSION 4

enum prk_err {
	PRK_OK = 0,
	PRK_ENOMEM,	/* allocation failed */
	PRK_EINVAL,	/* bad input */
	PRK_ENOTFOUND,	/* no such row / object */
	PRK_ECONFLICT,	/* unique constraint, state conflict */
	PRK_EAUTH,	/* authentication failed */
	PRK_EFORBIDDEN, /* permission denied */
	PRK_EDB,	/* database error other than "gone" */
	PRK_EDBGONE,	/* database unreachable / connection lost */
	PRK_EIO,	/* I/O or system call failed */
	PRK_ECONF,	/* configuration error */
	PRK_ELOCKED,	/* lock wait timeout / deadlock: retry later */
	PRK_ERR__MAX
};

const char *prk_strerror(enum prk_err);

#endif
