/*
 * migrate -- apply missing schema files under a server-wide lock.
 *
 * MariaDB commits DDL implicitly, so a file is recorded only after it
 * ran completely; the files are written to be re-runnable (CREATE TABLE
 * IF NOT EXISTS ...), so a run that died half-way is simply repeated.
 */
#include <stdio.h>

#include "arena.h"
#include "db.h"
#include "log.h"
#include "migrate.h"
#include "schema.h"

#define MIGRATE_LOCK_TIMEOUT 30	/* seconds */

static enum prk_err
migrate_create_table(struct db *db, struct arena *a)
{
	return db_exec(db, a,
	    "CREATE TABLE IF NOT EXISTS schema_migrations ("
	    " version INT NOT NULL PRIMARY KEY,"
	    " name VARCHAR(200) NOT NULL,"
	    " applied_at DATETIME(6) NOT NULL"
	    ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4", NULL, 0, NULL);
}

/* GET_LOCK answers 1 (got it), 0 (timeout) or NULL (error). */
static enum prk_err
migrate_lock(struct db *db, struct arena *a)
{
	struct dbv	 p[] = { DBV_I(MIGRATE_LOCK_TIMEOUT) };
	struct db_res	 r;
	enum prk_err	 e;

	e = db_exec(db, a, "SELECT GET_LOCK('prickle_migrate', ?)", p, 1, &r);
	if (e != PRK_OK)
		return e;
	if (db_int(&r, 0, 0) != 1) {
		log_err("migrate", "another migration holds the lock");
		return PRK_ELOCKED;
	}
	return PRK_OK;
}

static void
migrate_unlock(struct db *db, struct arena *a)
{
	struct db_res	 r;

	(void)db_exec(db, a, "SELECT RELEASE_LOCK('prickle_migrate')",
	    NULL, 0, &r);
}

static enum prk_err
migrate_is_applied(struct db *db, struct arena *a, int version,
    bool *applied)
{
	struct dbv	 p[] = { DBV_I(version) };
	struct db_res	 r;
	enum prk_err	 e;

	e = db_exec(db, a, "SELECT 1 FROM schema_migrations WHERE version = ?",
	    p, 1, &r);
	*applied = e == PRK_OK && r.nrows > 0;
	return e;
}

static enum prk_err
migrate_one(struct db *db, struct arena *a, const struct schema_file *f)
{
	struct dbv	 p[] = { DBV_I(f->version), DBV_S(f->name) };
	enum prk_err	 e;

	if ((e = db_exec_script(db, f->sql)) != PRK_OK) {
		log_err("migrate", "%s failed: %s", f->name, db_errmsg(db));
		return e;
	}
	return db_exec(db, a, "INSERT INTO schema_migrations"
	    " (version, name, applied_at) VALUES (?, ?, UTC_TIMESTAMP(6))",
	    p, 2, NULL);
}

/* Apply every missing file in order; stops at the first failure. */
static enum prk_err
migrate_all(struct db *db, struct arena *a, FILE *out, int *applied)
{
	enum prk_err	 e;
	bool		 done;
	size_t		 i;

	for (i = 0; i < schema_nfiles; i++) {
		const struct schema_file *f = &schema_files[i];

		if ((e = migrate_is_applied(db, a, f->version, &done)) !=
		    PRK_OK)
			return e;
		if (done)
			continue;
		if ((e = migrate_one(db, a, f)) != PRK_OK)
			return e;
		log_notice("migrate", "applied %s", f->name);
		if (out != NULL) {
			fprintf(out, "applied %s\n", f->name);
			fflush(out);
		}
		(*applied)++;
	}
	return PRK_OK;
}

enum prk_err
migrate_apply(struct db *db, FILE *out, int *applied)
{
	struct arena	*a;
	enum prk_err	 e;
	int		 n = 0;

	a = arena_new();
	if ((e = migrate_create_table(db, a)) == PRK_OK &&
	    (e = migrate_lock(db, a)) == PRK_OK) {
		e = migrate_all(db, a, out, &n);
		/* A lost connection released the lock with it. */
		if (e != PRK_EDBGONE)
			migrate_unlock(db, a);
	}
	arena_free(a);
	if (applied != NULL)
		*applied = n;
	return e;
}
