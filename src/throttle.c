/*
 * throttle -- rate limits and failure counters in MariaDB (spec 2.7).
 *
 * State: one throttle_keys row per (scope, key) and one throttle_events
 * row per allowed request (rate limits) or failure (lockouts).  A rate
 * decision locks the key's row (SELECT ... FOR UPDATE inside a
 * transaction), so concurrent requests for one key, from any worker,
 * are counted one after the other and none slips past the limit.
 *
 * Pruning: a rate decision deletes the key's events that left the
 * window.  Every key row carries expires_at, the time after which none
 * of its events can matter; now and then a call deletes a small batch of
 * expired key rows (their events go with them, ON DELETE CASCADE).
 * Failure events are kept for at least FAILURE_RETENTION seconds, longer
 * when throttle_failures() is asked about a longer window.
 *
 * When the caller already has a transaction open, the statements run in
 * it (the row lock then lasts until the caller commits); otherwise each
 * call runs its own transaction and retries it on deadlock.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "crypto.h"
#include "db.h"
#include "throttle.h"

#define SCOPE_MAX		32
#define KEY_MAX			190	/* longer keys are stored hashed */
#define TXN_ATTEMPTS		3
#define FAILURE_RETENTION	86400
#define PRUNE_ONE_IN		32	/* calls that also prune */
#define PRUNE_BATCH		200

/* The stored form of a key: as given, or "sha256:<hex>" when too long. */
static const char *
stored_key(struct arena *a, const char *key)
{
	char hex[65];

	if (strlen(key) <= KEY_MAX)
		return key;
	crypto_sha256_hex(key, strlen(key), hex);
	return arena_printf(a, "sha256:%s", hex);
}

/* Create the key row if needed and lock it; *id receives its id. */
static enum prk_err
lock_key(struct db *db, struct arena *a, const char *scope, const char *key,
    long long *id)
{
	struct dbv p[2];
	struct db_res r;
	enum prk_err e;

	p[0] = DBV_S(scope);
	p[1] = DBV_S(key);
	e = db_exec(db, a, "INSERT INTO throttle_keys (scope, tkey, "
	    "expires_at) VALUES (?, ?, NOW(6)) ON DUPLICATE KEY UPDATE "
	    "scope = scope", p, 2, NULL);
	if (e != PRK_OK)
		return e;
	e = db_exec(db, a, "SELECT id FROM throttle_keys WHERE scope = ? AND "
	    "tkey = ? FOR UPDATE", p, 2, &r);
	if (e != PRK_OK)
		return e;
	if (r.nrows == 0)
		return PRK_EDB;
	*id = db_int(&r, 0, 0);
	return PRK_OK;
}

/* Delete a batch of key rows (and their events) nobody needs any more. */
static void
prune_expired(struct db *db, struct arena *a)
{
	struct dbv p[1];

	if (db_in_txn(db) || arc4random_uniform(PRUNE_ONE_IN) != 0)
		return;
	p[0] = DBV_I(PRUNE_BATCH);
	/* best effort: a failure here changes no decision */
	(void)db_exec(db, a, "DELETE FROM throttle_keys WHERE expires_at < "
	    "NOW(6) ORDER BY expires_at LIMIT ?", p, 1, NULL);
}

/*
 * DRF's SimpleRateThrottle.wait(): the time left until the oldest event
 * leaves the window, spread over the requests still available, rounded
 * up; 0 when DRF's wait would be None (more events than the rate).
 */
static int
drf_wait(int rate, int seconds, long long count, double oldest_age)
{
	double remaining;
	long long available;

	remaining = count > 0 ? seconds - oldest_age : seconds;
	available = rate - count + 1;
	if (available <= 0)
		return 0;
	return (int)ceil(remaining / (double)available);
}

static enum prk_err
allow_once(struct db *db, struct arena *a, const char *scope,
    const char *key, int rate, int seconds, bool *allowed, int *wait)
{
	struct dbv p[2];
	struct db_res r;
	long long id, count;
	enum prk_err e;

	if ((e = lock_key(db, a, scope, key, &id)) != PRK_OK)
		return e;
	p[0] = DBV_I(id);
	p[1] = DBV_I(seconds);
	/* DRF drops history entries <= now - duration */
	e = db_exec(db, a, "DELETE FROM throttle_events WHERE key_id = ? AND "
	    "at <= NOW(6) - INTERVAL ? SECOND", p, 2, NULL);
	if (e != PRK_OK)
		return e;
	e = db_exec(db, a, "SELECT COUNT(*), TIMESTAMPDIFF(MICROSECOND, "
	    "MIN(at), NOW(6)) FROM throttle_events WHERE key_id = ?", p, 1,
	    &r);
	if (e != PRK_OK)
		return e;
	count = db_int(&r, 0, 0);
	if (count >= rate) {
		*allowed = false;
		*wait = drf_wait(rate, seconds, count,
		    (double)db_int(&r, 0, 1) / 1e6);
		return PRK_OK;
	}
	*allowed = true;
	*wait = 0;
	e = db_exec(db, a, "INSERT INTO throttle_events (key_id, at) "
	    "VALUES (?, NOW(6))", p, 1, NULL);
	if (e != PRK_OK)
		return e;
	return db_exec(db, a, "UPDATE throttle_keys SET expires_at = "
	    "GREATEST(expires_at, NOW(6) + INTERVAL ? SECOND) WHERE id = ?",
	    (struct dbv[]){ DBV_I(seconds), DBV_I(id) }, 2, NULL);
}

static enum prk_err
record_once(struct db *db, struct arena *a, const char *scope,
    const char *key)
{
	struct dbv p[2];
	long long id;
	enum prk_err e;

	if ((e = lock_key(db, a, scope, key, &id)) != PRK_OK)
		return e;
	p[0] = DBV_I(id);
	e = db_exec(db, a, "INSERT INTO throttle_events (key_id, at) "
	    "VALUES (?, NOW(6))", p, 1, NULL);
	if (e != PRK_OK)
		return e;
	p[0] = DBV_I(FAILURE_RETENTION);
	p[1] = DBV_I(id);
	return db_exec(db, a, "UPDATE throttle_keys SET expires_at = "
	    "GREATEST(expires_at, NOW(6) + INTERVAL ? SECOND) WHERE id = ?",
	    p, 2, NULL);
}

/* One throttle operation, so that both kinds share the transaction loop. */
struct op {
	bool		 record_failure;	/* else: allow */
	const char	*scope;
	const char	*key;
	int		 rate;
	int		 seconds;
	bool		*allowed;
	int		*wait;
};

static enum prk_err
op_once(struct db *db, struct arena *a, const struct op *op)
{
	if (op->record_failure)
		return record_once(db, a, op->scope, op->key);
	return allow_once(db, a, op->scope, op->key, op->rate, op->seconds,
	    op->allowed, op->wait);
}

/*
 * Run op inside the caller's transaction, or in its own one retried on
 * deadlock (the per-key row lock serialises concurrent workers).
 */
static enum prk_err
op_run(struct db *db, struct arena *a, const struct op *op)
{
	enum prk_err e;
	int attempt;

	if (db_in_txn(db))
		return op_once(db, a, op);
	e = PRK_OK;
	for (attempt = 0; attempt < TXN_ATTEMPTS; attempt++) {
		if ((e = db_begin(db)) != PRK_OK)
			return e;
		e = op_once(db, a, op);
		if (e == PRK_OK)
			e = db_commit(db);
		if (e == PRK_OK)
			break;
		db_rollback(db);
		if (e != PRK_ELOCKED)
			return e;
	}
	if (e != PRK_OK)
		return e;
	prune_expired(db, a);
	return PRK_OK;
}

enum prk_err
throttle_allow(struct db *db, struct arena *a, const char *scope,
    const char *key, int rate, int seconds, bool *allowed, int *wait)
{
	struct op op = { false, scope, NULL, rate, seconds, allowed, wait };

	*allowed = true;
	*wait = 0;
	if (strlen(scope) > SCOPE_MAX || rate < 1 || seconds < 1)
		return PRK_EINVAL;
	op.key = stored_key(a, key);
	return op_run(db, a, &op);
}

enum prk_err
throttle_record_failure(struct db *db, struct arena *a, const char *scope,
    const char *key)
{
	struct op op = { true, scope, NULL, 0, 0, NULL, NULL };

	if (strlen(scope) > SCOPE_MAX)
		return PRK_EINVAL;
	op.key = stored_key(a, key);
	return op_run(db, a, &op);
}

enum prk_err
throttle_failures(struct db *db, struct arena *a, const char *scope,
    const char *key, int seconds, int *count)
{
	struct dbv p[3];
	struct db_res r;
	enum prk_err e;

	*count = 0;
	key = stored_key(a, key);
	p[0] = DBV_S(scope);
	p[1] = DBV_S(key);
	p[2] = DBV_I(seconds);
	e = db_exec(db, a, "SELECT COUNT(*) FROM throttle_events e JOIN "
	    "throttle_keys k ON k.id = e.key_id WHERE k.scope = ? AND "
	    "k.tkey = ? AND e.at > NOW(6) - INTERVAL ? SECOND", p, 3, &r);
	if (e != PRK_OK)
		return e;
	*count = (int)db_int(&r, 0, 0);
	if (*count == 0 || seconds <= FAILURE_RETENTION)
		return PRK_OK;
	/* a longer window than the default retention: keep them that long */
	p[0] = DBV_I(seconds);
	p[1] = DBV_S(scope);
	p[2] = DBV_S(key);
	return db_exec(db, a, "UPDATE throttle_keys k SET k.expires_at = "
	    "GREATEST(k.expires_at, NOW(6) + INTERVAL ? SECOND) WHERE "
	    "k.scope = ? AND k.tkey = ?", p, 3, NULL);
}

enum prk_err
throttle_clear(struct db *db, struct arena *a, const char *scope,
    const char *key)
{
	struct dbv p[2];

	key = stored_key(a, key);
	p[0] = DBV_S(scope);
	p[1] = DBV_S(key);
	return db_exec(db, a, "DELETE FROM throttle_keys WHERE scope = ? AND "
	    "tkey = ?", p, 2, NULL);
}
