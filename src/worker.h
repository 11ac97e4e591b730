/*
 * worker -- one FastCGI worker process: accepts requests on the shared
 * listening socket and answers them through the app, one at a time.
 *
 * Signals (the master's handlers are reset first):
 *   TERM, INT  exit at once (an in-flight request is dropped)
 *   QUIT       finish the in-flight request, then exit
 *   USR1       reopen the log file before the next request
 *   ALRM       request_terminate_timeout expired: default action, the
 *              worker dies and the master logs it and respawns
 */
#ifndef WORKER_H
#define WORKER_H

struct conf;

/* Exit statuses, so the master can tell why a worker ended. */
#define WORKER_EXIT_OK		0	/* asked to stop (QUIT) */
#define WORKER_EXIT_FAILURE	1	/* could not start or accept */
#define WORKER_EXIT_RECYCLE	3	/* served pm.max_requests */

/*
 * Run the worker loop in a freshly forked child; never returns.  conf is
 * the master's (copied by fork); listen_fd is the listening socket.
 */
void worker_run(const struct conf *, int listen_fd, int slot)
    __attribute__((noreturn));

#endif
