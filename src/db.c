/*
 * db -- one MariaDB connection per process, prepared statements only.
 * See db.h for the contract.
 *
 * Ownership: the db owns its MYSQL handle and every cached MYSQL_STMT;
 * callers only ever see copies of result cells in their own arena.
 * The conf is borrowed and must outlive the db.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <mysql.h>
#include <errmsg.h>
#include <mysqld_error.h>

#include "arena.h"
#include "conf.h"
#include "db.h"
#include "log.h"
#include "util.h"

/* Not in older client headers: the server's wait_timeout disconnect. */
#define DB_ER_CLIENT_INTERACTION_TIMEOUT 4031

#define DB_STMT_BUCKETS	64
#define DB_STMT_MAX	512	/* cache bound, far above what prickle uses */
#define DB_COLBUF	256	/* first fetch buffer per column */
#define DB_SQL_LOGLEN	60	/* statement prefix shown in logs */

struct db_stmt {
	struct db_stmt	*next;
	char		*sql;		/* owned copy: the cache key */
	MYSQL_STMT	*st;
};

struct db {
	const struct conf *conf;	/* borrowed */
	MYSQL		*my;		/* NULL while disconnected */
	struct db_stmt	*stmts[DB_STMT_BUCKETS];
	size_t		 nstmts;
	bool		 in_txn;
	/*
	 * Set when the server ended an open transaction on its own
	 * (deadlock, lost connection): statements and the commit are
	 * refused with this error until the caller rolls back, so nothing
	 * meant for the transaction silently runs in autocommit mode.
	 */
	enum prk_err	 txn_err;
	unsigned int	 errcode;	/* last error number, 0 = none */
	char		 errmsg[512];
};

/* Where a statement failed: only failures before execution are safe
 * to retry whatever the statement does. */
enum db_stage { DB_ST_CONNECT, DB_ST_PREPARE, DB_ST_EXECUTE, DB_ST_FETCH };

/* Output buffers for one column of the current row. */
struct db_col {
	char		buf[DB_COLBUF];
	unsigned long	len;
	my_bool		isnull;
	my_bool		err;
};

/* Cells collected on the heap while fetching, copied to the arena at
 * the end (an arena cannot grow an allocation in place). */
struct db_rows {
	size_t		 used;		/* cells stored */
	size_t		 cap;		/* cells allocated */
	char		**cells;
	size_t		*lens;
};

static void
db_seterr(struct db *db, unsigned int code, const char *msg)
{
	db->errcode = code;
	if (msg != db->errmsg)
		snprintf(db->errmsg, sizeof(db->errmsg), "%s",
		    msg != NULL ? msg : "");
}

/* Errors after which the connection cannot be used any more. */
static bool
db_code_gone(unsigned int code)
{
	switch (code) {
	case CR_CONNECTION_ERROR:
	case CR_CONN_HOST_ERROR:
	case CR_SERVER_GONE_ERROR:
	case CR_SERVER_LOST:
	case CR_SERVER_LOST_EXTENDED:
	case CR_COMMANDS_OUT_OF_SYNC:
	case ER_SERVER_SHUTDOWN:
	case ER_CONNECTION_KILLED:
	case DB_ER_CLIENT_INTERACTION_TIMEOUT:
		return true;
	default:
		return false;
	}
}

/* Short, single-line prefix of a statement for log lines. */
static void
db_sql_prefix(const char *sql, char *out, size_t outsz)
{
	size_t	 i, n = 0;

	for (i = 0; sql[i] != '\0' && n + 1 < outsz && n < DB_SQL_LOGLEN;
	    i++) {
		char c = sql[i];

		if (c == '\n' || c == '\t' || c == '\r')
			c = ' ';
		if (c == ' ' && n > 0 && out[n - 1] == ' ')
			continue;
		out[n++] = c;
	}
	out[n] = '\0';
}

/*
 * Ask the server whether a transaction is still open after a lock error
 * (a lock wait timeout rolls back only the statement unless
 * innodb_rollback_on_timeout is set; a deadlock rolls back everything).
 * Returns false when unsure so the caller treats the transaction as lost.
 */
static bool
db_server_in_txn(struct db *db)
{
	MYSQL_RES	*res;
	MYSQL_ROW	 row;
	bool		 open = false;

	if (db->my == NULL || mysql_query(db->my, "SELECT @@in_transaction"))
		return false;
	if ((res = mysql_store_result(db->my)) == NULL)
		return false;
	if ((row = mysql_fetch_row(res)) != NULL && row[0] != NULL)
		open = strcmp(row[0], "1") == 0;
	mysql_free_result(res);
	return open;
}

/* The open transaction is gone: remember why until the rollback. */
static void
db_txn_lost(struct db *db, enum prk_err why)
{
	if (db->in_txn) {
		db->in_txn = false;
		db->txn_err = why;
	}
}

/*
 * Record and classify an error from the client library.  msg may point
 * into libmariadb memory or at db->errmsg.  May close the connection.
 */
static enum prk_err
db_fail(struct db *db, unsigned int code, const char *msg, const char *sql)
{
	char	 what[DB_SQL_LOGLEN + 1];

	db_seterr(db, code, msg);
	db_sql_prefix(sql, what, sizeof(what));
	if (db_code_gone(code)) {
		log_warn("db", "connection lost: %s (%u) in \"%s\"",
		    db->errmsg, code, what);
		db_disconnect(db);	/* also marks an open txn lost */
		return PRK_EDBGONE;
	}
	switch (code) {
	case ER_DUP_ENTRY:
	case ER_DUP_ENTRY_WITH_KEY_NAME:
		/* The server's text quotes the value: keep it out. */
		log_debug("db", "duplicate key (%u) in \"%s\"", code, what);
		return PRK_ECONFLICT;
	case ER_LOCK_WAIT_TIMEOUT:
	case ER_LOCK_DEADLOCK:
		log_warn("db", "%s (%u) in \"%s\"", db->errmsg, code, what);
		if (db->in_txn && (code == ER_LOCK_DEADLOCK ||
		    !db_server_in_txn(db)))
			db_txn_lost(db, PRK_ELOCKED);
		return PRK_ELOCKED;
	case ER_NO_SUCH_TABLE:
		/* Expected for optional tables; callers decide. */
		log_notice("db", "%s (%u) in \"%s\"", db->errmsg, code, what);
		return PRK_EDB;
	default:
		log_err("db", "%s (%u) in \"%s\"", db->errmsg, code, what);
		return PRK_EDB;
	}
}

static enum prk_err
db_fail_stmt(struct db *db, MYSQL_STMT *st, const char *sql)
{
	return db_fail(db, mysql_stmt_errno(st), mysql_stmt_error(st), sql);
}

/* A statement that only reads and so may be re-run after a reconnect. */
static bool
db_is_select(const char *sql)
{
	while (*sql == ' ' || *sql == '\t' || *sql == '\n' || *sql == '(')
		sql++;
	return strncasecmp(sql, "SELECT", 6) == 0 &&
	    strcasestr(sql, "FOR UPDATE") == NULL;
}

struct db *
db_new(const struct conf *conf)
{
	struct db	*db;

	db = xcalloc(1, sizeof(*db));
	db->conf = conf;
	return db;
}

void
db_free(struct db *db)
{
	if (db == NULL)
		return;
	db_disconnect(db);
	free(db);
}

/* Apply the connection options from the config before connecting. */
static void
db_set_options(struct db *db, MYSQL *my)
{
	const struct conf *c = db->conf;
	unsigned int	 t;
	my_bool		 no = 0;

	if (c->db_option_file != NULL)
		mysql_optionsv(my, MYSQL_READ_DEFAULT_FILE, c->db_option_file);
	if (c->db_group != NULL)
		mysql_optionsv(my, MYSQL_READ_DEFAULT_GROUP, c->db_group);
	mysql_optionsv(my, MYSQL_SET_CHARSET_NAME, "utf8mb4");
	mysql_optionsv(my, MYSQL_INIT_COMMAND, "SET time_zone='+00:00', "
	    "sql_mode='STRICT_ALL_TABLES,NO_ZERO_DATE,"
	    "NO_ENGINE_SUBSTITUTION,ERROR_FOR_DIVISION_BY_ZERO'");
	/* Reconnecting behind our back would invalidate the statements. */
	mysql_optionsv(my, MYSQL_OPT_RECONNECT, &no);
	if (c->db_connect_timeout > 0) {
		t = (unsigned int)c->db_connect_timeout;
		mysql_optionsv(my, MYSQL_OPT_CONNECT_TIMEOUT, &t);
	}
	if (c->db_read_timeout > 0) {
		t = (unsigned int)c->db_read_timeout;
		mysql_optionsv(my, MYSQL_OPT_READ_TIMEOUT, &t);
	}
	if (c->db_write_timeout > 0) {
		t = (unsigned int)c->db_write_timeout;
		mysql_optionsv(my, MYSQL_OPT_WRITE_TIMEOUT, &t);
	}
}

enum prk_err
db_connect(struct db *db)
{
	const char	*file = db->conf->db_option_file;
	MYSQL		*my;

	if (db->my != NULL)
		return PRK_OK;
	/* libmariadb silently ignores a missing option file. */
	if (file != NULL && access(file, R_OK) == -1) {
		snprintf(db->errmsg, sizeof(db->errmsg),
		    "cannot read option file %s: %s", file, strerror(errno));
		db->errcode = 0;
		log_err("db", "%s", db->errmsg);
		return PRK_ECONF;
	}
	if ((my = mysql_init(NULL)) == NULL) {
		db_seterr(db, 0, "mysql_init failed");
		return PRK_ENOMEM;
	}
	db_set_options(db, my);
	/*
	 * Host, socket, user, password and database come from the option
	 * file.  CLIENT_FOUND_ROWS: affected = rows matched, so an UPDATE
	 * that changes nothing still tells whether the row exists.
	 */
	if (mysql_real_connect(my, NULL, NULL, NULL, NULL, 0, NULL,
	    CLIENT_FOUND_ROWS) == NULL) {
		db_seterr(db, mysql_errno(my), mysql_error(my));
		mysql_close(my);
		log_err("db", "connect: %s (%u)", db->errmsg, db->errcode);
		return PRK_EDBGONE;
	}
	db->my = my;
	db->errcode = 0;
	db->errmsg[0] = '\0';
	return PRK_OK;
}

/* Close every cached statement (with the connection open, the server
 * frees them too). */
static void
db_stmts_clear(struct db *db)
{
	struct db_stmt	*s, *next;
	size_t		 i;

	for (i = 0; i < DB_STMT_BUCKETS; i++) {
		for (s = db->stmts[i]; s != NULL; s = next) {
			next = s->next;
			mysql_stmt_close(s->st);
			free(s->sql);
			free(s);
		}
		db->stmts[i] = NULL;
	}
	db->nstmts = 0;
}

void
db_disconnect(struct db *db)
{
	/* Closing the connection first detaches the statements, so
	 * closing them afterwards sends nothing to a dead server. */
	if (db->my != NULL) {
		mysql_close(db->my);
		db->my = NULL;
	}
	db_stmts_clear(db);
	db_txn_lost(db, PRK_EDBGONE);
}

static size_t
db_hash(const char *s)
{
	uint32_t	 h = 2166136261u;	/* FNV-1a */

	for (; *s != '\0'; s++) {
		h ^= (unsigned char)*s;
		h *= 16777619u;
	}
	return h % DB_STMT_BUCKETS;
}

/* The cached statement for sql, prepared on first use. */
static enum prk_err
db_stmt_get(struct db *db, const char *sql, MYSQL_STMT **out)
{
	struct db_stmt	*s;
	MYSQL_STMT	*st;
	size_t		 h = db_hash(sql);

	for (s = db->stmts[h]; s != NULL; s = s->next)
		if (strcmp(s->sql, sql) == 0) {
			*out = s->st;
			return PRK_OK;
		}
	/* Only generated SQL could get here; start over rather than
	 * run into the server's max_prepared_stmt_count. */
	if (db->nstmts >= DB_STMT_MAX) {
		log_warn("db", "statement cache full, clearing it");
		db_stmts_clear(db);
	}
	if ((st = mysql_stmt_init(db->my)) == NULL)
		return db_fail(db, mysql_errno(db->my), mysql_error(db->my),
		    sql);
	if (mysql_stmt_prepare(st, sql, strlen(sql)) != 0) {
		db_seterr(db, mysql_stmt_errno(st), mysql_stmt_error(st));
		mysql_stmt_close(st);
		return db_fail(db, db->errcode, db->errmsg, sql);
	}
	s = xcalloc(1, sizeof(*s));
	s->sql = xstrdup(sql);
	s->st = st;
	s->next = db->stmts[h];
	db->stmts[h] = s;
	db->nstmts++;
	*out = st;
	return PRK_OK;
}

/*
 * Bind the parameters.  The binds point into params and ints/lens,
 * which must stay alive until the statement has executed.
 */
static enum prk_err
db_bind_params(struct db *db, MYSQL_STMT *st, const char *sql,
    const struct dbv *params, size_t n, MYSQL_BIND *b, unsigned long *lens)
{
	size_t		 i;

	if (mysql_stmt_param_count(st) != n) {
		snprintf(db->errmsg, sizeof(db->errmsg),
		    "statement takes %lu parameters, %zu given",
		    mysql_stmt_param_count(st), n);
		db->errcode = 0;
		return db_fail(db, 0, db->errmsg, sql);
	}
	if (n == 0)
		return PRK_OK;
	for (i = 0; i < n; i++) {
		switch (params[i].type) {
		case DBV_NULL:
			b[i].buffer_type = MYSQL_TYPE_NULL;
			break;
		case DBV_INT:
			b[i].buffer_type = MYSQL_TYPE_LONGLONG;
			b[i].buffer = (void *)&params[i].i;
			break;
		case DBV_DOUBLE:
			b[i].buffer_type = MYSQL_TYPE_DOUBLE;
			b[i].buffer = (void *)&params[i].d;
			break;
		case DBV_STR:
			b[i].buffer_type = MYSQL_TYPE_STRING;
			b[i].buffer = (void *)(params[i].s != NULL ?
			    params[i].s : "");
			lens[i] = params[i].s != NULL ? params[i].len : 0;
			b[i].buffer_length = lens[i];
			b[i].length = &lens[i];
			break;
		default:
			abort();
		}
	}
	if (mysql_stmt_bind_param(st, b) != 0)
		return db_fail_stmt(db, st, sql);
	return PRK_OK;
}

static void
db_rows_push(struct db_rows *r, char *cell, size_t len)
{
	if (r->used == r->cap) {
		r->cap = r->cap != 0 ? r->cap * 2 : 64;
		r->cells = xrealloc(r->cells, r->cap * sizeof(*r->cells));
		r->lens = xrealloc(r->lens, r->cap * sizeof(*r->lens));
	}
	r->cells[r->used] = cell;
	r->lens[r->used] = len;
	r->used++;
}

/* Copy column i of the current row into the arena (NULL for SQL NULL). */
static enum prk_err
db_fetch_cell(struct db *db, MYSQL_STMT *st, const char *sql,
    struct arena *a, const struct db_col *c, unsigned int i,
    struct db_rows *r)
{
	MYSQL_BIND	 b;
	unsigned long	 len = 0;
	char		*cell;

	if (c->isnull) {
		db_rows_push(r, NULL, 0);
		return PRK_OK;
	}
	cell = arena_alloc(a, (size_t)c->len + 1);	/* zeroed: NUL end */
	if (c->len <= DB_COLBUF)
		memcpy(cell, c->buf, c->len);
	else {
		/* Truncated: fetch the whole value straight into place. */
		memset(&b, 0, sizeof(b));
		b.buffer_type = MYSQL_TYPE_STRING;
		b.buffer = cell;
		b.buffer_length = c->len + 1;
		b.length = &len;
		if (mysql_stmt_fetch_column(st, &b, i, 0) != 0)
			return db_fail_stmt(db, st, sql);
		cell[c->len] = '\0';
	}
	db_rows_push(r, cell, c->len);
	return PRK_OK;
}

/* Move the collected cells into the arena-backed result. */
static void
db_rows_finish(struct arena *a, const struct db_rows *r, unsigned int ncols,
    struct db_res *out)
{
	out->ncols = ncols;
	out->nrows = r->used / ncols;
	out->affected = out->nrows;
	if (r->used == 0)
		return;
	out->cells = arena_alloc(a, r->used * sizeof(*out->cells));
	out->lens = arena_alloc(a, r->used * sizeof(*out->lens));
	memcpy(out->cells, r->cells, r->used * sizeof(*out->cells));
	memcpy(out->lens, r->lens, r->used * sizeof(*out->lens));
}

/* Fetch every row of an executed statement, each column as text. */
static enum prk_err
db_fetch_all(struct db *db, MYSQL_STMT *st, const char *sql,
    struct arena *a, struct db_res *out)
{
	unsigned int	 ncols = mysql_stmt_field_count(st), i;
	struct db_col	*cols;
	MYSQL_BIND	*b;
	struct db_rows	 r;
	enum prk_err	 e = PRK_OK;
	int		 rc;

	memset(&r, 0, sizeof(r));
	cols = xcalloc(ncols, sizeof(*cols));
	b = xcalloc(ncols, sizeof(*b));
	for (i = 0; i < ncols; i++) {
		b[i].buffer_type = MYSQL_TYPE_STRING;
		b[i].buffer = cols[i].buf;
		b[i].buffer_length = DB_COLBUF;
		b[i].length = &cols[i].len;
		b[i].is_null = &cols[i].isnull;
		b[i].error = &cols[i].err;
	}
	if (mysql_stmt_bind_result(st, b) != 0)
		e = db_fail_stmt(db, st, sql);
	while (e == PRK_OK) {
		/* 0, MYSQL_DATA_TRUNCATED (handled per cell) or end/error */
		rc = mysql_stmt_fetch(st);
		if (rc == MYSQL_NO_DATA)
			break;
		if (rc == 1) {
			e = db_fail_stmt(db, st, sql);
			break;
		}
		for (i = 0; i < ncols && e == PRK_OK; i++)
			e = db_fetch_cell(db, st, sql, a, &cols[i], i, &r);
	}
	if (e == PRK_OK)
		db_rows_finish(a, &r, ncols, out);
	free(r.cells);
	free(r.lens);
	free(cols);
	free(b);
	return e;
}

/*
 * One attempt at running a statement.  *stage tells how far it got, so
 * the caller knows whether a retry could apply a change twice.
 */
static enum prk_err
db_exec_once(struct db *db, struct arena *a, const char *sql,
    const struct dbv *params, size_t n, struct db_res *out,
    enum db_stage *stage)
{
	MYSQL_STMT	*st = NULL;
	MYSQL_BIND	*b = NULL;
	unsigned long	*lens = NULL;
	enum prk_err	 e;

	*stage = DB_ST_CONNECT;
	if ((e = db_connect(db)) != PRK_OK)
		return e;
	*stage = DB_ST_PREPARE;
	if ((e = db_stmt_get(db, sql, &st)) != PRK_OK)
		return e;
	if (n > 0) {
		b = xcalloc(n, sizeof(*b));
		lens = xcalloc(n, sizeof(*lens));
	}
	e = db_bind_params(db, st, sql, params, n, b, lens);
	if (e == PRK_OK) {
		*stage = DB_ST_EXECUTE;
		if (mysql_stmt_execute(st) != 0)
			e = db_fail_stmt(db, st, sql);
	}
	free(b);
	free(lens);
	if (e != PRK_OK)
		return e;
	*stage = DB_ST_FETCH;
	if (mysql_stmt_field_count(st) == 0) {
		if (out != NULL) {
			out->affected = mysql_stmt_affected_rows(st);
			out->insert_id = mysql_stmt_insert_id(st);
		}
		return PRK_OK;
	}
	if (out != NULL)
		e = db_fetch_all(db, st, sql, a, out);
	/* A lost connection already closed st. */
	if (e != PRK_EDBGONE)
		mysql_stmt_free_result(st);
	return e;
}

enum prk_err
db_exec(struct db *db, struct arena *a, const char *sql,
    const struct dbv *params, size_t nparams, struct db_res *out)
{
	enum db_stage	 stage;
	enum prk_err	 e;
	bool		 was_open = db->my != NULL, in_txn = db->in_txn;

	if (out != NULL)
		memset(out, 0, sizeof(*out));
	db_seterr(db, 0, "");	/* db_errno() describes this call only */
	if (db->txn_err != PRK_OK) {
		db_seterr(db, 0, "transaction was aborted; roll back first");
		return db->txn_err;
	}
	e = db_exec_once(db, a, sql, params, nparams, out, &stage);
	/*
	 * A connection that died while idle gets one fresh attempt when
	 * running the statement again cannot apply anything twice: it
	 * failed before executing, or it only reads.  Never inside a
	 * transaction (that is gone with the connection).
	 */
	if (e == PRK_EDBGONE && was_open && !in_txn &&
	    stage != DB_ST_CONNECT &&
	    (stage == DB_ST_PREPARE || db_is_select(sql))) {
		log_info("db", "reconnecting once after lost connection");
		if (out != NULL)
			memset(out, 0, sizeof(*out));
		e = db_exec_once(db, a, sql, params, nparams, out, &stage);
	}
	return e;
}

static const char *
db_cell(const struct db_res *r, size_t row, size_t col)
{
	if (r == NULL || r->cells == NULL || row >= r->nrows ||
	    col >= r->ncols)
		return NULL;
	return r->cells[row * r->ncols + col];
}

const char *
db_str(const struct db_res *r, size_t row, size_t col)
{
	return db_cell(r, row, col);
}

long long
db_int(const struct db_res *r, size_t row, size_t col)
{
	const char	*s = db_cell(r, row, col);

	return s != NULL ? strtoll(s, NULL, 10) : 0;
}

bool
db_isnull(const struct db_res *r, size_t row, size_t col)
{
	return db_cell(r, row, col) == NULL;
}

int
db_tri(const struct db_res *r, size_t row, size_t col)
{
	if (db_isnull(r, row, col))
		return -1;
	return db_int(r, row, col) != 0;
}

/* A fixed statement without parameters or results (text protocol). */
static enum prk_err
db_simple(struct db *db, const char *sql)
{
	enum prk_err	 e;

	if ((e = db_connect(db)) != PRK_OK)
		return e;
	if (mysql_real_query(db->my, sql, strlen(sql)) != 0)
		return db_fail(db, mysql_errno(db->my), mysql_error(db->my),
		    sql);
	return PRK_OK;
}

enum prk_err
db_begin(struct db *db)
{
	enum prk_err	 e;
	bool		 was_open = db->my != NULL;

	if (db->in_txn) {
		db_seterr(db, 0, "transaction already open");
		log_err("db", "%s", db->errmsg);
		return PRK_EDB;
	}
	db->txn_err = PRK_OK;
	e = db_simple(db, "START TRANSACTION");
	/* Nothing has happened yet: a stale connection may be replaced. */
	if (e == PRK_EDBGONE && was_open)
		e = db_simple(db, "START TRANSACTION");
	if (e == PRK_OK)
		db->in_txn = true;
	return e;
}

enum prk_err
db_commit(struct db *db)
{
	enum prk_err	 e;

	if (db->txn_err != PRK_OK) {
		e = db->txn_err;
		db->txn_err = PRK_OK;
		db_seterr(db, 0, "transaction was rolled back by the server");
		return e;
	}
	if (!db->in_txn) {
		db_seterr(db, 0, "commit without a transaction");
		log_err("db", "%s", db->errmsg);
		return PRK_EDB;
	}
	/* Whatever COMMIT answers, the transaction is over. */
	db->in_txn = false;
	return db_simple(db, "COMMIT");
}

void
db_rollback(struct db *db)
{
	bool	 open = db->in_txn;

	db->in_txn = false;
	db->txn_err = PRK_OK;
	if (open && db->my != NULL)
		(void)db_simple(db, "ROLLBACK");
}

/* Still true after the server ended the transaction on its own: the
 * caller's transaction lasts until it commits or rolls back. */
bool
db_in_txn(const struct db *db)
{
	return db->in_txn || db->txn_err != PRK_OK;
}

/* Consume every result of a multi-statement query. */
static enum prk_err
db_drain(struct db *db, const char *sql)
{
	MYSQL_RES	*res;
	int		 rc;

	for (;;) {
		if ((res = mysql_store_result(db->my)) != NULL)
			mysql_free_result(res);
		else if (mysql_field_count(db->my) != 0)
			return db_fail(db, mysql_errno(db->my),
			    mysql_error(db->my), sql);
		rc = mysql_next_result(db->my);
		if (rc == -1)
			return PRK_OK;
		if (rc > 0)
			return db_fail(db, mysql_errno(db->my),
			    mysql_error(db->my), sql);
	}
}

enum prk_err
db_exec_script(struct db *db, const char *sql)
{
	enum prk_err	 e;

	db_seterr(db, 0, "");
	if ((e = db_connect(db)) != PRK_OK)
		return e;
	if (mysql_set_server_option(db->my, MYSQL_OPTION_MULTI_STATEMENTS_ON))
		return db_fail(db, mysql_errno(db->my), mysql_error(db->my),
		    sql);
	if (mysql_real_query(db->my, sql, strlen(sql)) != 0)
		e = db_fail(db, mysql_errno(db->my), mysql_error(db->my), sql);
	else
		e = db_drain(db, sql);
	/* Prepared statements never need it; keep the surface small. */
	if (db->my != NULL &&
	    mysql_set_server_option(db->my, MYSQL_OPTION_MULTI_STATEMENTS_OFF))
		e = db_fail(db, mysql_errno(db->my), mysql_error(db->my), sql);
	return e;
}

enum prk_err
db_schema_version(struct db *db, int *version)
{
	struct arena	*a;
	struct db_res	 r;
	enum prk_err	 e;

	*version = 0;
	a = arena_new();
	e = db_exec(db, a,
	    "SELECT COALESCE(MAX(version), 0) FROM schema_migrations",
	    NULL, 0, &r);
	if (e == PRK_OK)
		*version = (int)db_int(&r, 0, 0);
	else if (e == PRK_EDB && db->errcode == ER_NO_SUCH_TABLE)
		e = PRK_OK;	/* nothing applied yet */
	arena_free(a);
	return e;
}

unsigned int
db_errno(const struct db *db)
{
	return db->errcode;
}

const char *
db_errmsg(const struct db *db)
{
	return db->errmsg;
}
