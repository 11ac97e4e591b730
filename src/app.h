/*
 * app -- one per worker process: configuration, database connection,
 * per-request arena; app_handle() routes one request to its handler.
 */
#ifndef APP_H
#define APP_H

struct conf;
struct req;
struct resp;

struct app;

/* conf is borrowed and must outlive the app. */
struct app *app_new(const struct conf *);
void app_free(struct app *);
/* Route and answer one request; resp is filled, never left empty. */
void app_handle(struct app *, struct req *, struct resp *);

#endif
