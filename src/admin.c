/*
 * admin -- the operations behind the `prickle` admin CLI; see admin.h.
 *
 * All SQL goes through db_exec with parameters.  Timestamps are the
 * server's UTC_TIMESTAMP(6) (the session time zone is UTC).
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "admin.h"
#include "apikey.h"
#include "arena.h"
#include "conf.h"
#include "crypto.h"
#include "db.h"
#include "password.h"
#include "util.h"
#include "uuid.h"
#include "validate.h"

#define ER_NO_SUCH_TABLE_CODE	1146

/* Column limits from schema/0001_initial.sql (in characters). */
#define EMAIL_MAX	254
#define NAME_MAX_USER	150
#define LABEL_MAX	40
#define ORG_NAME_MAX	64
#define SLUG_MAX	48
#define TEAM_NAME_MAX	200
#define DASH_NAME_MAX	400

#define DISTINCT_ID_BYTES	32
#define TEAM_TOKEN_CHARS	43
#define SLUG_TRIES		100

void
admin_init(struct admin *ad, struct db *db, struct arena *a,
    const struct conf *conf)
{
	memset(ad, 0, sizeof(*ad));
	ad->db = db;
	ad->arena = a;
	ad->conf = conf;
}

static enum prk_err admin_fail(struct admin *, enum prk_err, const char *,
    ...) __attribute__((format(printf, 3, 4)));

static enum prk_err
admin_fail(struct admin *ad, enum prk_err e, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(ad->err, sizeof(ad->err), fmt, ap);
	va_end(ap);
	return e;
}

/* Message for a database failure, with the server's text. */
static enum prk_err
admin_dberr(struct admin *ad, enum prk_err e)
{
	switch (e) {
	case PRK_EDBGONE:
		return admin_fail(ad, e, "database unavailable: %s",
		    db_errmsg(ad->db));
	case PRK_ECONF:
		return admin_fail(ad, e, "%s", db_errmsg(ad->db));
	case PRK_ELOCKED:
		return admin_fail(ad, e, "database busy, try again: %s",
		    db_errmsg(ad->db));
	default:
		return admin_fail(ad, e, "database error: %s",
		    db_errmsg(ad->db));
	}
}

/* Number of code points of valid UTF-8, or -1 when invalid. */
static long
utf8_chars(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	long	 n = 0;
	int	 more, i;

	while (*p != '\0') {
		if (*p < 0x80)
			more = 0;
		else if (*p >= 0xc2 && *p <= 0xdf)
			more = 1;
		else if (*p >= 0xe0 && *p <= 0xef)
			more = 2;
		else if (*p >= 0xf0 && *p <= 0xf4)
			more = 3;
		else
			return -1;
		/* Overlong 3/4-byte forms, surrogates, > U+10FFFF. */
		if ((p[0] == 0xe0 && p[1] < 0xa0) ||
		    (p[0] == 0xed && p[1] >= 0xa0) ||
		    (p[0] == 0xf0 && p[1] < 0x90) ||
		    (p[0] == 0xf4 && p[1] >= 0x90))
			return -1;
		for (i = 1; i <= more; i++)
			if ((p[i] & 0xc0) != 0x80)
				return -1;
		p += more + 1;
		n++;
	}
	return n;
}

/* A text argument: valid UTF-8 of at most max characters. */
static enum prk_err
admin_check_text(struct admin *ad, const char *what, const char *s,
    long max)
{
	long	 n = utf8_chars(s);

	if (n < 0)
		return admin_fail(ad, PRK_EINVAL, "%s is not valid UTF-8",
		    what);
	if (n > max)
		return admin_fail(ad, PRK_EINVAL,
		    "%s is longer than %ld characters", what, max);
	return PRK_OK;
}

static bool
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' ||
	    c == '\f' || c == '\v';
}

/* Copy of s without surrounding whitespace (arena). */
static char *
admin_trim(struct admin *ad, const char *s)
{
	size_t	 len;

	while (is_space(*s))
		s++;
	len = strlen(s);
	while (len > 0 && is_space(s[len - 1]))
		len--;
	return arena_strndup(ad->arena, s, len);
}

bool
admin_email_valid(const char *email)
{
	/* the same rules as the API (Django's EmailValidator) */
	return utf8_chars(email) >= 0 && utf8_chars(email) <= EMAIL_MAX &&
	    v_email_syntax(email);
}

/*
 * ASCII letter for U+00C0..U+00FF after NFKD with the marks dropped,
 * or ' ' when it has no ASCII decomposition (Æ, Ø, ß, ...).
 */
static const char latin1_fold[] =
    "AAAAAA CEEEEIIII NOOOOO  UUUUY  aaaaaa ceeeeiiii nooooo  uuuuy y";

void
admin_slugify(const char *name, char *out, size_t outsz)
{
	const unsigned char *p = (const unsigned char *)name;
	size_t	 n = 0;
	bool	 dash = false;	/* a separator is pending */
	char	 c;

	for (; *p != '\0'; p++) {
		c = '\0';
		if (*p == 0xc3 && p[1] >= 0x80 && p[1] <= 0xbf) {
			c = latin1_fold[*++p - 0x80];
			if (c == ' ')
				c = '\0';
		} else if (*p == 0xc2 && p[1] == 0xa0) {
			p++;		/* NBSP folds to a space */
			c = ' ';
		} else if (*p < 0x80)
			c = (char)*p;
		/* other non-ASCII: dropped, as encode("ascii", "ignore") */
		if (c == '\0')
			continue;
		if (is_space(c) || c == '-') {
			dash = true;
			continue;
		}
		if (!isalnum((unsigned char)c) && c != '_')
			continue;	/* punctuation is removed */
		if (dash && n > 0 && n + 1 < outsz)
			out[n++] = '-';
		dash = false;
		if (n + 1 < outsz)
			out[n++] = (c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c;
	}
	/* strip("-_"): leading '-' never written; trim the rest. */
	while (n > 0 && (out[n - 1] == '-' || out[n - 1] == '_'))
		n--;
	out[n] = '\0';
	for (p = (const unsigned char *)out; *p == '_' || *p == '-'; p++)
		;
	memmove(out, p, strlen((const char *)p) + 1);
}

/* Valid, trimmed email of an existing user or a clear error. */
static enum prk_err
admin_find_user(struct admin *ad, const char *email, long long *id)
{
	struct dbv	 p[1];
	struct db_res	 r;
	enum prk_err	 e;
	char		*em = admin_trim(ad, email);

	p[0] = DBV_S(em);
	e = db_exec(ad->db, ad->arena,
	    "SELECT id FROM users WHERE email_lower = LOWER(?)", p, 1, &r);
	if (e != PRK_OK)
		return admin_dberr(ad, e);
	if (r.nrows == 0)
		return admin_fail(ad, PRK_ENOTFOUND,
		    "no user with email '%s'", em);
	*id = db_int(&r, 0, 0);
	return PRK_OK;
}

static enum prk_err
admin_check_password(struct admin *ad, const char *password)
{
	int	 min = ad->conf->password_min_length;

	if (utf8_chars(password) < 0)
		return admin_fail(ad, PRK_EINVAL,
		    "password is not valid UTF-8");
	if (utf8_chars(password) < min)
		return admin_fail(ad, PRK_EINVAL,
		    "password is too short: at least %d characters", min);
	return PRK_OK;
}

/* Encoded password (Django format) or an unusable one for NULL. */
static enum prk_err
admin_encode_password(struct admin *ad, const char *password,
    char out[PASSWORD_HASH_MAX])
{
	enum prk_err	 e;

	if (password == NULL) {
		password_unusable(out, PASSWORD_HASH_MAX);
		return PRK_OK;
	}
	if ((e = admin_check_password(ad, password)) != PRK_OK)
		return e;
	if (password_hash(password, ad->conf->password_iterations, out,
	    PASSWORD_HASH_MAX) != 0)
		return admin_fail(ad, PRK_EINVAL, "cannot hash the password");
	return PRK_OK;
}

static enum prk_err
admin_check_new_user(struct admin *ad, const struct admin_new_user *nu,
    const char *email)
{
	enum prk_err	 e;

	if (!admin_email_valid(email))
		return admin_fail(ad, PRK_EINVAL,
		    "invalid email address '%s'", email);
	if (nu->first_name != NULL && (e = admin_check_text(ad, "first name",
	    nu->first_name, NAME_MAX_USER)) != PRK_OK)
		return e;
	if (nu->last_name != NULL && (e = admin_check_text(ad, "last name",
	    nu->last_name, NAME_MAX_USER)) != PRK_OK)
		return e;
	return PRK_OK;
}

enum prk_err
admin_user_add(struct admin *ad, const struct admin_new_user *nu,
    char uuid_out[37])
{
	unsigned char	 raw[DISTINCT_ID_BYTES];
	char		 distinct[2 * DISTINCT_ID_BYTES + 1];
	char		 hash[PASSWORD_HASH_MAX], uuid[37];
	char		*email = admin_trim(ad, nu->email);
	const char	*first = admin_trim(ad, nu->first_name != NULL ?
			    nu->first_name : "");
	const char	*last = admin_trim(ad, nu->last_name != NULL ?
			    nu->last_name : "");
	struct dbv	 p[7];
	enum prk_err	 e;
	long long	 existing;

	if ((e = admin_check_new_user(ad, nu, email)) != PRK_OK)
		return e;
	/* A clear message for the common case; the unique key decides. */
	if ((e = admin_find_user(ad, email, &existing)) == PRK_OK)
		return admin_fail(ad, PRK_ECONFLICT,
		    "a user with email '%s' already exists", email);
	if (e != PRK_ENOTFOUND)
		return e;
	if ((e = admin_encode_password(ad, nu->password, hash)) != PRK_OK)
		return e;
	crypto_random(raw, sizeof(raw));
	crypto_base62(raw, sizeof(raw), distinct);
	uuid_v7(uuid);
	p[0] = DBV_S(uuid);
	p[1] = DBV_S(hash);
	p[2] = DBV_S(first);
	p[3] = DBV_S(last);
	p[4] = DBV_S(email);
	p[5] = DBV_I(nu->staff ? 1 : 0);
	p[6] = DBV_S(distinct);
	e = db_exec(ad->db, ad->arena, "INSERT INTO users (uuid, password,"
	    " first_name, last_name, email, is_staff, is_active, date_joined,"
	    " distinct_id) VALUES (?, ?, ?, ?, ?, ?, 1, UTC_TIMESTAMP(6), ?)",
	    p, 7, NULL);
	explicit_bzero(hash, sizeof(hash));
	if (e == PRK_ECONFLICT)
		return admin_fail(ad, e,
		    "a user with email '%s' already exists", email);
	if (e != PRK_OK)
		return admin_dberr(ad, e);
	memcpy(uuid_out, uuid, sizeof(uuid));
	return PRK_OK;
}

enum prk_err
admin_user_list(struct admin *ad, struct admin_user **users, size_t *n)
{
	struct admin_user *u;
	struct db_res	 r;
	enum prk_err	 e;
	size_t		 i;

	e = db_exec(ad->db, ad->arena, "SELECT id, uuid, email, first_name,"
	    " last_name, date_joined, is_active, is_staff,"
	    " password <> '' AND LEFT(password, 1) <> '!'"
	    " FROM users ORDER BY id", NULL, 0, &r);
	if (e != PRK_OK)
		return admin_dberr(ad, e);
	u = arena_alloc(ad->arena, (r.nrows + 1) * sizeof(*u));
	for (i = 0; i < r.nrows; i++) {
		u[i].id = db_int(&r, i, 0);
		u[i].uuid = db_str(&r, i, 1);
		u[i].email = db_str(&r, i, 2);
		u[i].first_name = db_str(&r, i, 3);
		u[i].last_name = db_str(&r, i, 4);
		u[i].date_joined = db_str(&r, i, 5);
		u[i].is_active = db_int(&r, i, 6) != 0;
		u[i].is_staff = db_int(&r, i, 7) != 0;
		u[i].has_password = db_int(&r, i, 8) != 0;
	}
	*users = u;
	*n = r.nrows;
	return PRK_OK;
}

/* UPDATE users SET <flag> = ? for the user with that email. */
static enum prk_err
admin_user_set_flag(struct admin *ad, const char *sql, const char *email,
    bool value)
{
	struct dbv	 p[2];
	enum prk_err	 e;
	long long	 id;

	if ((e = admin_find_user(ad, email, &id)) != PRK_OK)
		return e;
	p[0] = DBV_I(value ? 1 : 0);
	p[1] = DBV_I(id);
	if ((e = db_exec(ad->db, ad->arena, sql, p, 2, NULL)) != PRK_OK)
		return admin_dberr(ad, e);
	return PRK_OK;
}

enum prk_err
admin_user_set_active(struct admin *ad, const char *email, bool active)
{
	return admin_user_set_flag(ad,
	    "UPDATE users SET is_active = ? WHERE id = ?", email, active);
}

enum prk_err
admin_user_set_staff(struct admin *ad, const char *email, bool staff)
{
	return admin_user_set_flag(ad,
	    "UPDATE users SET is_staff = ? WHERE id = ?", email, staff);
}

/* End every session of a user; no sessions table yet is not an error. */
static enum prk_err
admin_end_sessions(struct admin *ad, long long id)
{
	struct dbv	 p[] = { DBV_I(id) };
	enum prk_err	 e;

	e = db_exec(ad->db, ad->arena, "DELETE FROM sessions WHERE user_id = ?",
	    p, 1, NULL);
	if (e == PRK_EDB && db_errno(ad->db) == ER_NO_SUCH_TABLE_CODE)
		return PRK_OK;
	return e;
}

enum prk_err
admin_user_set_password(struct admin *ad, const char *email,
    const char *password)
{
	char		 hash[PASSWORD_HASH_MAX];
	struct dbv	 p[2];
	enum prk_err	 e;
	long long	 id;

	if ((e = admin_find_user(ad, email, &id)) != PRK_OK)
		return e;
	if ((e = admin_encode_password(ad, password, hash)) != PRK_OK)
		return e;
	p[0] = DBV_S(hash);
	p[1] = DBV_I(id);
	if ((e = db_begin(ad->db)) == PRK_OK &&
	    (e = db_exec(ad->db, ad->arena,
	    "UPDATE users SET password = ? WHERE id = ?", p, 2, NULL)) ==
	    PRK_OK &&
	    (e = admin_end_sessions(ad, id)) == PRK_OK)
		e = db_commit(ad->db);
	explicit_bzero(hash, sizeof(hash));
	if (e != PRK_OK) {
		db_rollback(ad->db);
		return admin_dberr(ad, e);
	}
	return PRK_OK;
}

/*
 * Turn "a:read, b:write" into the JSON array text '["a:read","b:write"]'
 * (duplicates dropped, "" = []).  The text lives in the arena.
 */
static enum prk_err
admin_scopes_json(struct admin *ad, const char *list, const char **out)
{
	json_object	*arr = json_object_new_array();
	char		*copy = arena_strdup(ad->arena, list), *tok, *save;
	const char	*scope;
	enum prk_err	 e = PRK_OK;
	size_t		 i;
	bool		 dup;

	if (*admin_trim(ad, copy) != '\0') {
		for (tok = strtok_r(copy, ",", &save); e == PRK_OK;
		    tok = strtok_r(NULL, ",", &save)) {
			if (tok == NULL)
				break;
			scope = admin_trim(ad, tok);
			if (!apikey_scope_valid(scope)) {
				e = admin_fail(ad, PRK_EINVAL,
				    "invalid scope '%s' (expected '*' or "
				    "'<object>:read|write')", scope);
				break;
			}
			for (dup = false, i = 0;
			    i < json_object_array_length(arr); i++)
				dup |= strcmp(scope, json_object_get_string(
				    json_object_array_get_idx(arr, i))) == 0;
			if (!dup)
				json_object_array_add(arr,
				    json_object_new_string(scope));
		}
		/* "a,,b" or a trailing comma: strtok hides empty items */
		if (e == PRK_OK && (strstr(list, ",,") != NULL ||
		    *list == ',' || list[strlen(list) - 1] == ','))
			e = admin_fail(ad, PRK_EINVAL, "empty scope in '%s'",
			    list);
	}
	if (e == PRK_OK)
		*out = arena_strdup(ad->arena, json_object_to_json_string_ext(
		    arr, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(arr);
	return e;
}

enum prk_err
admin_key_add(struct admin *ad, const char *email, const char *scopes,
    const char *label, char *key_out)
{
	char		 key[APIKEY_MAX], secure[APIKEY_SECURE_MAX];
	char		 mask[APIKEY_MASK_MAX];
	const char	*json;
	struct dbv	 p[5];
	enum prk_err	 e;
	long long	 id;

	label = admin_trim(ad, label != NULL ? label : "");
	if ((e = admin_check_text(ad, "label", label, LABEL_MAX)) != PRK_OK)
		return e;
	if ((e = admin_scopes_json(ad, scopes, &json)) != PRK_OK)
		return e;
	if ((e = admin_find_user(ad, email, &id)) != PRK_OK)
		return e;
	apikey_generate(key);
	apikey_secure_value(key, secure);
	apikey_mask(key, mask);
	p[0] = DBV_I(id);
	p[1] = DBV_S(label);
	p[2] = DBV_S(secure);
	p[3] = DBV_S(mask);
	p[4] = DBV_S(json);
	e = db_exec(ad->db, ad->arena, "INSERT INTO personal_api_keys"
	    " (user_id, label, secure_value, mask_value, scopes, created_at)"
	    " VALUES (?, ?, ?, ?, ?, UTC_TIMESTAMP(6))", p, 5, NULL);
	if (e != PRK_OK) {
		explicit_bzero(key, sizeof(key));
		return admin_dberr(ad, e);
	}
	memcpy(key_out, key, sizeof(key));
	explicit_bzero(key, sizeof(key));
	return PRK_OK;
}

enum prk_err
admin_key_list(struct admin *ad, const char *email, struct admin_key **keys,
    size_t *n)
{
	struct admin_key *k;
	struct dbv	 p[1];
	struct db_res	 r;
	enum prk_err	 e;
	long long	 id;
	size_t		 i;

	if ((e = admin_find_user(ad, email, &id)) != PRK_OK)
		return e;
	p[0] = DBV_I(id);
	e = db_exec(ad->db, ad->arena, "SELECT id, label, mask_value, scopes,"
	    " created_at, last_used_at FROM personal_api_keys"
	    " WHERE user_id = ? ORDER BY id", p, 1, &r);
	if (e != PRK_OK)
		return admin_dberr(ad, e);
	k = arena_alloc(ad->arena, (r.nrows + 1) * sizeof(*k));
	for (i = 0; i < r.nrows; i++) {
		k[i].id = db_int(&r, i, 0);
		k[i].label = db_str(&r, i, 1);
		k[i].mask = db_str(&r, i, 2);
		k[i].scopes = db_str(&r, i, 3);
		k[i].created_at = db_str(&r, i, 4);
		k[i].last_used_at = db_str(&r, i, 5);
	}
	*keys = k;
	*n = r.nrows;
	return PRK_OK;
}

enum prk_err
admin_key_revoke(struct admin *ad, const char *idstr)
{
	struct dbv	 p[1];
	struct db_res	 r;
	enum prk_err	 e;
	long long	 id;

	if (!str_to_ll(idstr, &id) || id <= 0)
		return admin_fail(ad, PRK_EINVAL, "invalid key id '%s'", idstr);
	p[0] = DBV_I(id);
	e = db_exec(ad->db, ad->arena,
	    "DELETE FROM personal_api_keys WHERE id = ?", p, 1, &r);
	if (e != PRK_OK)
		return admin_dberr(ad, e);
	if (r.affected == 0)
		return admin_fail(ad, PRK_ENOTFOUND, "no key with id %lld", id);
	return PRK_OK;
}

/* Organisation id (canonical uuid) from a uuid or a slug. */
static enum prk_err
admin_find_org(struct admin *ad, const char *org, char id[37])
{
	char		 canon[37];
	struct dbv	 p[3];
	struct db_res	 r;
	enum prk_err	 e;

	/* An id match wins over a slug match. */
	p[0] = uuid_parse(org, canon) ? DBV_S(canon) : DBV_NULLV;
	p[1] = DBV_S(org);
	p[2] = p[0];
	e = db_exec(ad->db, ad->arena, "SELECT id FROM organizations"
	    " WHERE id = ? OR slug = ? ORDER BY id <=> ? DESC LIMIT 1",
	    p, 3, &r);
	if (e != PRK_OK)
		return admin_dberr(ad, e);
	if (r.nrows == 0)
		return admin_fail(ad, PRK_ENOTFOUND,
		    "no organization with id or slug '%s'", org);
	snprintf(id, 37, "%s", db_str(&r, 0, 0));
	return PRK_OK;
}

/* Team id from a numeric id or a team uuid. */
static enum prk_err
admin_find_team(struct admin *ad, const char *team, long long *id)
{
	char		 canon[37];
	struct dbv	 p[2];
	struct db_res	 r;
	enum prk_err	 e;
	long long	 n;

	p[0] = str_to_ll(team, &n) ? DBV_I(n) : DBV_NULLV;
	p[1] = uuid_parse(team, canon) ? DBV_S(canon) : DBV_NULLV;
	if (p[0].type == DBV_NULL && p[1].type == DBV_NULL)
		return admin_fail(ad, PRK_EINVAL,
		    "invalid team '%s' (expected a numeric id or a uuid)",
		    team);
	e = db_exec(ad->db, ad->arena,
	    "SELECT id FROM teams WHERE id = ? OR uuid = ? LIMIT 1", p, 2, &r);
	if (e != PRK_OK)
		return admin_dberr(ad, e);
	if (r.nrows == 0)
		return admin_fail(ad, PRK_ENOTFOUND, "no team '%s'", team);
	*id = db_int(&r, 0, 0);
	return PRK_OK;
}

/* Candidate slug number i: the base, then "<base>-<i>" within 48. */
static void
admin_slug_candidate(const char *base, int i, char out[SLUG_MAX + 1])
{
	char	 suffix[16];
	size_t	 keep;

	if (i == 0) {
		snprintf(out, SLUG_MAX + 1, "%s", base);
		return;
	}
	snprintf(suffix, sizeof(suffix), "-%d", i);
	keep = SLUG_MAX - strlen(suffix);
	snprintf(out, SLUG_MAX + 1, "%.*s%s", (int)keep, base, suffix);
}

enum prk_err
admin_org_add(struct admin *ad, const char *name, char uuid_out[37])
{
	char		 uuid[37], slug[SLUG_MAX + 1], *base;
	struct dbv	 p[3];
	enum prk_err	 e = PRK_ECONFLICT;
	int		 i;

	name = admin_trim(ad, name);
	if (*name == '\0')
		return admin_fail(ad, PRK_EINVAL, "organization name is empty");
	if ((e = admin_check_text(ad, "organization name", name,
	    ORG_NAME_MAX)) != PRK_OK)
		return e;
	/* PostHog: slugify(name)[:48], even if that ends in '-'. */
	base = arena_alloc(ad->arena, strlen(name) + sizeof("organization"));
	admin_slugify(name, base, strlen(name) + 1);
	if (base[0] == '\0')
		strcpy(base, "organization");
	uuid_v7(uuid);
	/* Like PostHog: retry the insert with "-1", "-2", ... on a taken
	 * slug; the unique key decides, so concurrent runs are safe. */
	for (i = 0, e = PRK_ECONFLICT; e == PRK_ECONFLICT && i < SLUG_TRIES;
	    i++) {
		admin_slug_candidate(base, i, slug);
		p[0] = DBV_S(uuid);
		p[1] = DBV_S(name);
		p[2] = DBV_S(slug);
		e = db_exec(ad->db, ad->arena, "INSERT INTO organizations"
		    " (id, name, slug, created_at, updated_at) VALUES"
		    " (?, ?, ?, UTC_TIMESTAMP(6), UTC_TIMESTAMP(6))",
		    p, 3, NULL);
	}
	if (e == PRK_ECONFLICT)
		return admin_fail(ad, e, "no free slug for '%s'", name);
	if (e != PRK_OK)
		return admin_dberr(ad, e);
	memcpy(uuid_out, uuid, sizeof(uuid));
	return PRK_OK;
}

enum prk_err
admin_org_set_enforce_2fa(struct admin *ad, const char *org, bool enforce)
{
	char		 id[37];
	struct dbv	 p[2];
	enum prk_err	 e;

	if ((e = admin_find_org(ad, org, id)) != PRK_OK)
		return e;
	p[0] = DBV_I(enforce ? 1 : 0);
	p[1] = DBV_S(id);
	e = db_exec(ad->db, ad->arena, "UPDATE organizations SET"
	    " enforce_2fa = ?, updated_at = UTC_TIMESTAMP(6) WHERE id = ?",
	    p, 2, NULL);
	return e == PRK_OK ? PRK_OK : admin_dberr(ad, e);
}

/* Insert the team and point its project_id at itself, atomically. */
static enum prk_err
admin_team_insert(struct admin *ad, const char *org, const char *name,
    long long *id)
{
	char		 uuid[37], token[4 + TEAM_TOKEN_CHARS + 1];
	struct dbv	 p[4];
	struct db_res	 r;
	enum prk_err	 e;

	uuid_v7(uuid);
	memcpy(token, "phc_", 4);
	crypto_random_alnum(token + 4, TEAM_TOKEN_CHARS);
	p[0] = DBV_S(uuid);
	p[1] = DBV_S(org);
	p[2] = DBV_S(token);
	p[3] = DBV_S(name);
	if ((e = db_begin(ad->db)) != PRK_OK)
		return e;
	e = db_exec(ad->db, ad->arena, "INSERT INTO teams (uuid,"
	    " organization_id, api_token, name, created_at)"
	    " VALUES (?, ?, ?, ?, UTC_TIMESTAMP(6))", p, 4, &r);
	if (e == PRK_OK) {
		*id = (long long)r.insert_id;
		p[0] = DBV_I(*id);
		e = db_exec(ad->db, ad->arena,
		    "UPDATE teams SET project_id = id WHERE id = ?", p, 1,
		    NULL);
	}
	if (e == PRK_OK)
		e = db_commit(ad->db);
	if (e != PRK_OK)
		db_rollback(ad->db);
	return e;
}

enum prk_err
admin_team_add(struct admin *ad, const char *org, const char *name,
    long long *id)
{
	char		 orgid[37];
	enum prk_err	 e;

	name = admin_trim(ad, name);
	if (*name == '\0')
		return admin_fail(ad, PRK_EINVAL, "team name is empty");
	if ((e = admin_check_text(ad, "team name", name, TEAM_NAME_MAX)) !=
	    PRK_OK)
		return e;
	if ((e = admin_find_org(ad, org, orgid)) != PRK_OK)
		return e;
	if ((e = admin_team_insert(ad, orgid, name, id)) != PRK_OK)
		return admin_dberr(ad, e);
	return PRK_OK;
}

enum prk_err
admin_member_add(struct admin *ad, const char *org, const char *email,
    enum admin_level level)
{
	char		 orgid[37];
	struct dbv	 p[3];
	enum prk_err	 e;
	long long	 uid;

	if ((e = admin_find_org(ad, org, orgid)) != PRK_OK)
		return e;
	if ((e = admin_find_user(ad, email, &uid)) != PRK_OK)
		return e;
	p[0] = DBV_S(orgid);
	p[1] = DBV_I(uid);
	p[2] = DBV_I(level);
	e = db_exec(ad->db, ad->arena, "INSERT INTO organization_memberships"
	    " (organization_id, user_id, level, joined_at, updated_at)"
	    " VALUES (?, ?, ?, UTC_TIMESTAMP(6), UTC_TIMESTAMP(6))",
	    p, 3, NULL);
	if (e == PRK_ECONFLICT)
		return admin_fail(ad, e,
		    "user '%s' is already a member of organization '%s'",
		    email, org);
	return e == PRK_OK ? PRK_OK : admin_dberr(ad, e);
}

enum prk_err
admin_dashboard_add(struct admin *ad, const char *team, const char *name,
    long long *id)
{
	struct dbv	 p[2];
	struct db_res	 r;
	enum prk_err	 e;
	long long	 tid = 0;

	name = admin_trim(ad, name);
	if ((e = admin_check_text(ad, "dashboard name", name,
	    DASH_NAME_MAX)) != PRK_OK)
		return e;
	if ((e = admin_find_team(ad, team, &tid)) != PRK_OK)
		return e;
	p[0] = DBV_I(tid);
	p[1] = DBV_S(name);
	e = db_exec(ad->db, ad->arena, "INSERT INTO dashboards (team_id, name,"
	    " created_at) VALUES (?, ?, UTC_TIMESTAMP(6))", p, 2, &r);
	if (e != PRK_OK)
		return admin_dberr(ad, e);
	*id = (long long)r.insert_id;
	return PRK_OK;
}
