/*
 * json -- json-c helpers: strict body parsing, PostHog error envelope,
 * serialisation into a response, Python-style type names and reprs.
 *
 * Ownership: json_object values passed to json_add() are owned by the
 * parent afterwards.  Objects returned by json_parse_body() are registered
 * on the arena and released at request end.
 */
#ifndef JSON_H
#define JSON_H

#include <stdbool.h>
#include <stddef.h>

#include <json-c/json.h>

struct arena;
struct buf;
struct resp;

#define JSON_MAX_DEPTH 128

/*
 * Parse text as one JSON value.  On failure returns NULL and writes
 * "JSON parse error - <reason>" into err.  The result belongs to the arena
 * (freed at arena reset); a JSON null parses to NULL with *is_null set.
 */
json_object *json_parse_arena(struct arena *, const char *text, size_t len,
    bool *is_null, char *err, size_t errsz);

/* Hand obj to the arena: it is put (released) at arena reset. */
void json_arena_own(struct arena *, json_object *);

/*
 * Serialise obj now and let every later serialisation copy that text: for
 * objects a render shares between many users (an organisation appears
 * under each of its members), which are then escaped and formatted once
 * per response instead of once per appearance.  obj must not change
 * afterwards.  The text lives in the arena, as long as the response; obj
 * must not outlive it (hand it to the arena too).  Returns the text (its
 * length in *len), or NULL for a NULL obj.
 */
const char *json_freeze(struct arena *, json_object *obj, size_t *len);
/*
 * A new object (owned by the caller) that serialises as text, compact JSON
 * of an object frozen earlier; the text is copied into the arena, and the
 * object must not outlive it.
 */
json_object *json_frozen_text(struct arena *, const char *text, size_t len);
/* The same made from obj's own text; obj is released (NULL stays NULL). */
json_object *json_frozen_copy(struct arena *, json_object *obj);

/* Serialise compactly (raw UTF-8, no slash escaping) onto b. */
void json_write(struct buf *b, json_object *);
/* Set resp status, Content-Type and body from obj (obj not consumed). */
void resp_json(struct resp *, int status, json_object *obj);
/* The same with a body already serialised. */
void resp_json_text(struct resp *, int status, const char *text, size_t len);
/*
 * PostHog error body {"type","code","detail","attr"}; attr NULL -> null.
 */
void resp_error(struct resp *, int status, const char *type,
    const char *code, const char *detail, const char *attr);

/* Python's repr() of a float into out (>= 32 bytes). */
void json_py_float(double, char *out, size_t outsz);
/* Doubles that print like Python's repr (shortest round trip). */
json_object *json_double(double);
/* Strings with explicit length (may hold any UTF-8). */
json_object *json_str(const char *);	/* NULL -> JSON null (NULL) */
/* Add key to obj; val may be NULL (JSON null). */
void json_add(json_object *obj, const char *key, json_object *val);
/*
 * The same for a string-literal key: json-c keeps the pointer rather than
 * a copy (the large renders add thousands of keys).
 */
#define json_add_lit(obj, key, val) json_add_static((obj), "" key "", (val))
void json_add_static(json_object *obj, const char *key, json_object *val);

/* Python type name of a JSON value: str int float bool NoneType list dict */
const char *json_py_type(json_object *);
/* Python repr()/str() of a JSON value: 'yes' -> yes, [1, 2], {'a': 1} */
void json_py_str(struct buf *, json_object *);

#endif
