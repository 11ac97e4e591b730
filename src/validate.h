/*
 * validate -- Django REST framework's field coercion and validation rules
 * (spec 1.5, 1.6), and the notification settings validator/merger
 * (spec 5.3.6), for every endpoint that accepts a serializer-style body.
 *
 * Each field function takes the JSON value sent for one field (NULL for
 * JSON null) and either stores the coerced value and returns true, or
 * fills *err with DRF's code and message and returns false.  Codes are
 * already the ones the API reports ("invalid" is "invalid_input").
 * Strings returned live in the arena given.
 */
#ifndef VALIDATE_H
#define VALIDATE_H

#include <stdbool.h>
#include <stddef.h>

#include <json-c/json.h>

struct arena;

struct verr {
	const char	*code;		/* "null", "blank", "max_length", ... */
	const char	*detail;	/* the message, arena or static */
};

/* CharField options. */
#define VS_ALLOW_BLANK	0x1u	/* "" (after trimming) is accepted */
#define VS_ALLOW_NULL	0x2u	/* null is accepted (*out = NULL) */
#define VS_NO_TRIM	0x4u	/* trim_whitespace=False */

/*
 * DRF CharField: strings and numbers (as Python's str() prints them) are
 * accepted, anything else is "Not a valid string."; surrounding
 * whitespace (Python's str.strip() set) is trimmed; then blank, length
 * (max_length code points, 0 = unlimited) and U+0000 are checked.
 */
bool v_string(struct arena *, json_object *, size_t max_length,
    unsigned flags, const char **out, struct verr *);

/*
 * DRF BooleanField: JSON booleans, 1/0 (also 1.0/0.0) and the string
 * spellings of spec 1.6.  nullable: null, "", "null", "Null", "NULL"
 * give *out = -1.  *out is 0 or 1 otherwise.
 */
bool v_bool(json_object *, bool nullable, int *out, struct verr *);

/*
 * DRF ChoiceField: the value's str() must equal one of choices[]
 * (NULL-terminated) exactly; "" passes when VS_ALLOW_BLANK, null when
 * VS_ALLOW_NULL (*out = NULL).  No trimming.
 */
bool v_choice(struct arena *, json_object *, const char *const *choices,
    unsigned flags, const char **out, struct verr *);

/* DRF EmailField: v_string(max 254, not blank) + v_email_syntax(). */
bool v_email(struct arena *, json_object *, const char **out,
    struct verr *);

/*
 * Django's EmailValidator: dot-atom or quoted local part, a domain of
 * hostname labels with an alphabetic (or xn--) TLD, "localhost", or an
 * address literal [1.2.3.4] / [IPv6:...]-style.
 */
bool v_email_syntax(const char *);

/*
 * Primary key text as Django's AutoField reads it (Python int()):
 * whitespace, sign and '_' separators allowed; must fit 1..INT64_MAX.
 */
bool v_pk(const char *, long long *out);

/* Python's len(): the number of code points of UTF-8 text. */
size_t v_strlen(const char *);

/* Python's str.strip() of UTF-8 text, as a new arena string. */
char *v_strip(struct arena *, const char *);

/*
 * Notification settings (spec 5.3.6).  Validate `submitted` (a JSON
 * object) key by key in the order sent against the baseline key set,
 * and merge it over `stored` (the user's stored overrides as JSON text,
 * NULL for none) on top of the defaults.  On success returns a new
 * object (owned by the caller, json_object_put() it) holding the whole
 * merged map in the defaults' key order; on failure returns NULL with
 * *err set (code "invalid_input").  Map keys are merged entry by entry.
 */
/*
 * notification_settings as read (spec 5.3.6): the defaults overlaid with
 * the stored overrides.  A new object owned by the caller.
 */
json_object *v_notification_settings_current(const char *stored);
json_object *v_notification_settings(struct arena *, json_object *submitted,
    const char *stored, struct verr *);

#endif
