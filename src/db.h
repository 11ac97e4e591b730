/*
 * db -- one MariaDB connection per process, prepared statements only.
 *
 * The connection is opened lazily from the my.cnf-style option file named
 * in the config ([client-prickle] group by default), with utf8mb4, UTC
 * session time zone, strict SQL mode and connect/read/write timeouts.
 *
 * Statements are prepared on first use and cached by their SQL text, so
 * callers simply pass a string constant.  When the connection is lost,
 * every cached statement is dropped; the next call reconnects and
 * re-prepares.  A SELECT outside a transaction is retried once after a
 * reconnect (idempotent); anything else returns PRK_EDBGONE and the
 * caller answers 503.
 *
 * Results are copied into the caller's arena as NUL-terminated strings
 * (SQL NULL = NULL pointer), so nothing borrowed from libmariadb outlives
 * the call.
 */
#ifndef DB_H
#define DB_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "prickle.h"

struct arena;
struct conf;
struct db;

enum dbv_type { DBV_NULL, DBV_INT, DBV_DOUBLE, DBV_STR };

/* One input parameter (borrowed: strings must live through the call). */
struct dbv {
	enum dbv_type	 type;
	long long	 i;
	double		 d;
	const char	*s;
	size_t		 len;
};

#define DBV_I(x)  ((struct dbv){ .type = DBV_INT, .i = (long long)(x) })
#define DBV_D(x)  ((struct dbv){ .type = DBV_DOUBLE, .d = (x) })
#define DBV_S(x)  ((struct dbv){ .type = (x) ? DBV_STR : DBV_NULL, \
			.s = (x), .len = (x) ? strlen(x) : 0 })
#define DBV_SN(x, n) ((struct dbv){ .type = DBV_STR, .s = (x), .len = (n) })
#define DBV_NULLV ((struct dbv){ .type = DBV_NULL })
/* Nullable boolean stored as TINYINT: -1 = NULL, 0, 1. */
#define DBV_TRI(x) ((x) < 0 ? DBV_NULLV : DBV_I(x))

/* A result set, all cells copied into the arena. */
struct db_res {
	size_t		  nrows;
	size_t		  ncols;
	char		**cells;	/* nrows * ncols, NULL = SQL NULL */
	size_t		 *lens;		/* byte length of each cell */
	unsigned long long affected;	/* rows changed (non-SELECT) */
	unsigned long long insert_id;	/* AUTO_INCREMENT id, if any */
};

struct db *db_new(const struct conf *);
void db_free(struct db *);		/* NULL is a no-op */

/* Open the connection if needed.  PRK_EDBGONE when unreachable. */
enum prk_err db_connect(struct db *);
/* Close the connection (cached statements die with it). */
void db_disconnect(struct db *);

/*
 * Run one statement.  out may be NULL for statements without results.
 * Errors: PRK_ECONFLICT (duplicate key), PRK_ELOCKED (lock wait timeout
 * or deadlock), PRK_EDBGONE (connection lost/unreachable), PRK_EDB.
 */
enum prk_err db_exec(struct db *, struct arena *, const char *sql,
    const struct dbv *params, size_t nparams, struct db_res *out);

/* Cell accessors (row, col); NULL/0 for SQL NULL. */
const char *db_str(const struct db_res *, size_t row, size_t col);
long long db_int(const struct db_res *, size_t row, size_t col);
bool db_isnull(const struct db_res *, size_t row, size_t col);
/* -1 for NULL, else 0/1 (nullable booleans). */
int db_tri(const struct db_res *, size_t row, size_t col);

/* Transactions (REPEATABLE READ; use SELECT ... FOR UPDATE to lock). */
enum prk_err db_begin(struct db *);
enum prk_err db_commit(struct db *);
void db_rollback(struct db *);		/* safe when no txn is open */
bool db_in_txn(const struct db *);

/*
 * Run a multi-statement SQL script as-is (schema migrations only; never
 * with user input).
 */
enum prk_err db_exec_script(struct db *, const char *sql);

/* Highest applied schema_migrations.version (0 when the table is empty). */
enum prk_err db_schema_version(struct db *, int *version);

/* Last server/client error text for logs ("" if none). */
const char *db_errmsg(const struct db *);

#endif
