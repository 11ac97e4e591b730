/*
 * ctx -- everything a handler needs for one request.  Lives on the
 * worker's stack for the duration of app_handle(); every pointer in it is
 * borrowed (arena, app or request owned).
 */
#ifndef CTX_H
#define CTX_H

#include <stdbool.h>

#include <json-c/json.h>

#include "auth.h"
#include "prickle.h"

struct arena;
struct conf;
struct db;
struct req;
struct resp;
struct route;

struct ctx {
	const struct conf	*conf;
	struct db		*db;
	struct arena		*arena;
	struct req		*req;
	struct resp		*resp;
	const struct route	*route;
	const char		*lookup;	/* the :id path segment or NULL */
	struct auth		 auth;
	/* GET @me: the key lookup reads what the body cache needs */
	bool			 want_me_cache;
	/* user_render() saved an auto-selected organisation or team */
	bool			 user_saved;

	/* Request body, parsed on first use by ctx_body(). */
	bool			 body_parsed;
	bool			 body_failed;	/* error already answered */
	json_object		*body;		/* NULL with body_null = JSON null */
	bool			 body_null;
};

/*
 * The request body as DRF's request.data: JSON, a url-encoded or
 * multipart form (as an object of strings), or {} for an empty body.
 * Returns false after answering 415/400 when it cannot be parsed; *out
 * is then NULL.  *out may legitimately be NULL for a JSON null body.
 */
bool ctx_body(struct ctx *, json_object **out);

/*
 * A required field of an object body: false after answering 400
 * "This field is required." (attr name) or the body's parse error.
 */
bool ctx_body_field(struct ctx *, const char *name, json_object **out);

/* PostHog error envelope helpers. */
void api_error(struct ctx *, int status, const char *type, const char *code,
    const char *detail, const char *attr);
void api_validation(struct ctx *, const char *code, const char *detail,
    const char *attr);
void api_not_found(struct ctx *);		/* 404 "Not found." */
void api_permission_denied(struct ctx *, const char *detail);
/* Answer a database failure: 503 (+Retry-After) or 500. */
void api_db_error(struct ctx *, enum prk_err);

#endif
