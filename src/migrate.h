/*
 * migrate -- apply the embedded schema/NNNN_*.sql files (src/schema.h)
 * that schema_migrations does not list yet, in version order.
 */
#ifndef MIGRATE_H
#define MIGRATE_H

#include <stdio.h>

#include "prickle.h"

struct db;

/*
 * Create schema_migrations if missing, take the server-wide lock
 * 'prickle_migrate' (so concurrent runs apply each file once), apply and
 * record every missing file, printing "applied NNNN_name" per file to
 * out (may be NULL).  *applied (may be NULL) counts the files applied.
 * Idempotent.  PRK_ELOCKED when the lock stays busy for 30 s; other
 * errors as db_exec, with the text in db_errmsg().
 */
enum prk_err migrate_apply(struct db *, FILE *out, int *applied);

#endif
