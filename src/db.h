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
/* NULL -> SQL NULL.  A function, so char arrays do not trip -Waddress. */
static inline struct dbv
dbv_str(const char *s)
{
	struct dbv	 v = { .type = s != NULL ? DBV_STR : DBV_NULL, .s = s,
			    .len = s != NULL ? strlen(s) : 0 };

	return v;
}
#define DBV_S(x)  dbv_str(x)
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
	unsigned long long affected;	/* rows matched (non-SELECT; the
					   connection uses CLIENT_FOUND_ROWS,
					   so an UPDATE that changes nothing
					   still counts its row) */
	unsigned long long insert_id;	/* AUTO_INCREMENT id, if any */
};

struct db *db_new(const struct conf *);
void db_free(struct db *);		/* NULL is a no-op */

/*
 * Open the connection if needed.  PRK_EDBGONE when unreachable,
 * PRK_ECONF when the option file cannot be read.
 */
enum prk_err db_connect(struct db *);
/* Close the connection (cached statements die with it). */
void db_disconnect(struct db *);

/*
 * Run one statement.  out may be NULL for statements without results
 * (the arena may then be NULL too).
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

/*
 * Transactions (REPEATABLE READ; use SELECT ... FOR UPDATE to lock).
 * When the server ends an open transaction itself (deadlock, lost
 * connection), every db_exec and db_commit returns that error
 * (PRK_ELOCKED / PRK_EDBGONE) until db_rollback() or db_begin(), so no
 * statement meant for the transaction runs in autocommit mode.  Call
 * db_rollback() at the end of every request.
 */
enum prk_err db_begin(struct db *);
enum prk_err db_commit(struct db *);
void db_rollback(struct db *);		/* safe when no txn is open */
/* From db_begin() until db_commit()/db_rollback(), aborted or not. */
bool db_in_txn(const struct db *);

/*
 * Run a multi-statement SQL script as-is (schema migrations only; never
 * with user input).
 */
enum prk_err db_exec_script(struct db *, const char *sql);

/* Highest applied schema_migrations.version (0 when empty or missing). */
enum prk_err db_schema_version(struct db *, int *version);

/*
 * Error text / number of the last failed call for logs ("" / 0 when the
 * last db_exec or db_exec_script succeeded).
 */
const char *db_errmsg(const struct db *);
/* e.g. 1146 (no such table), 1062 (duplicate); 0 = client-side error. */
unsigned int db_errno(const struct db *);

#endif
