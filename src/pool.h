/*
 * pool -- the master process: a static pool of pre-forked workers.
 *
 * The master never serves requests.  It obtains the listening socket
 * (inherited on fd 0, or bound from `listen`), daemonises if asked,
 * writes the pid file, drops privileges, checks the database schema and
 * forks pm.max_children workers, then supervises them:
 *
 *   worker dies         respawned; quick repeated deaths back off (up to
 *                       30 s between attempts) and are logged
 *   TERM, INT           stop: workers get TERM, KILL after
 *                       process_control_timeout
 *   QUIT                graceful stop: workers finish in-flight requests
 *   USR1                reopen log files (master and workers)
 *   USR2, HUP           reload: re-read the configuration file and replace
 *                       workers one at a time; a file that fails to load
 *                       is logged and the running configuration kept
 */
#ifndef POOL_H
#define POOL_H

struct conf;

/*
 * Run the master until it is stopped.  conf (heap-allocated) is owned by
 * the pool from here on and replaced on reload; conf_path is re-read on
 * reload and should be absolute (the daemon changes to "/").  Returns
 * the process exit status: 0 after a clean stop, 1 when it could not
 * start.
 */
int pool_run(struct conf *conf, const char *conf_path);

#endif
