/*
 * res_users_update -- PATCH/PUT of the user object (spec 5.3),
 * hedgehog_config (5.5), verify_email and cancel_email_change_request
 * (5.12), the password throttle (2.7).
 *
 * An update runs in one transaction that first locks the target's row
 * (SELECT ... FOR UPDATE) and re-reads it, so concurrent updates of the
 * same user are applied one after the other and a merge (notification
 * settings) always starts from the latest stored state.  Validation
 * writes nothing; every column is then written by one UPDATE, so a
 * request is applied whole or not at all.  A deadlock or lock timeout
 * retries the whole transaction (UPDATE_ATTEMPTS times).
 *
 * Mail (email verification, "password changed") is only sent once the
 * transaction has committed.
 *
 * Email verification tokens: 40 random alphanumerics (about 238 bits),
 * stored as SHA-256 hex, valid for VERIFY_TOKEN_TTL (24 hours), single
 * use, one live token per user (issuing one deletes the others), bound
 * to the address they were sent to.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "buf.h"
#include "conf.h"
#include "crypto.h"
#include "ctx.h"
#include "db.h"
#include "http.h"
#include "json.h"
#include "log.h"
#include "mail.h"
#include "password.h"
#include "res_users.h"
#include "res_users_update.h"
#include "session.h"
#include "router.h"
#include "throttle.h"
#include "user.h"
#include "util.h"
#include "uuid.h"
#include "validate.h"

#define UPDATE_ATTEMPTS		3
#define VERIFY_TOKEN_LEN	40
#define VERIFY_TOKEN_TTL	86400	/* seconds */
#define NAME_MAX_LENGTH		150
#define PASSWORD_MAX_LENGTH	128

/* Spec 5.3.2: writable fields in validation order. */
enum field {
	F_FIRST_NAME,
	F_LAST_NAME,
	F_EMAIL,
	F_NOTIFICATION_SETTINGS,
	F_ANONYMIZE_DATA,
	F_ALLOW_IMPERSONATION,
	F_TOOLBAR_MODE,
	F_IS_STAFF,
	F_SET_CURRENT_ORGANIZATION,
	F_SET_CURRENT_TEAM,
	F_PASSWORD,
	F_CURRENT_PASSWORD,
	F_EVENTS_COLUMN_CONFIG,
	F_HAS_SEEN_PRODUCT_INTRO_FOR,
	F_THEME_MODE,
	F_HEDGEHOG_CONFIG,
	F_ALLOW_SIDEBAR_SUGGESTIONS,
	F_SHORTCUT_POSITION,
	F_ROLE_AT_ORGANIZATION,
	F_PASSKEYS_ENABLED_FOR_2FA,
	F__MAX
};

static const char *const field_names[F__MAX] = {
	[F_FIRST_NAME] = "first_name",
	[F_LAST_NAME] = "last_name",
	[F_EMAIL] = "email",
	[F_NOTIFICATION_SETTINGS] = "notification_settings",
	[F_ANONYMIZE_DATA] = "anonymize_data",
	[F_ALLOW_IMPERSONATION] = "allow_impersonation",
	[F_TOOLBAR_MODE] = "toolbar_mode",
	[F_IS_STAFF] = "is_staff",
	[F_SET_CURRENT_ORGANIZATION] = "set_current_organization",
	[F_SET_CURRENT_TEAM] = "set_current_team",
	[F_PASSWORD] = "password",
	[F_CURRENT_PASSWORD] = "current_password",
	[F_EVENTS_COLUMN_CONFIG] = "events_column_config",
	[F_HAS_SEEN_PRODUCT_INTRO_FOR] = "has_seen_product_intro_for",
	[F_THEME_MODE] = "theme_mode",
	[F_HEDGEHOG_CONFIG] = "hedgehog_config",
	[F_ALLOW_SIDEBAR_SUGGESTIONS] = "allow_sidebar_suggestions",
	[F_SHORTCUT_POSITION] = "shortcut_position",
	[F_ROLE_AT_ORGANIZATION] = "role_at_organization",
	[F_PASSKEYS_ENABLED_FOR_2FA] = "passkeys_enabled_for_2fa",
};

static const char *const toolbar_modes[] = { "disabled", "toolbar", NULL };
static const char *const theme_modes[] = { "light", "dark", "system", NULL };
static const char *const shortcut_positions[] = { "above", "below",
    "hidden", NULL };
static const char *const roles[] = { "engineering", "data", "product",
    "founder", "leadership", "marketing", "sales", "other", NULL };

/* A refusal to answer: status + PostHog envelope. */
struct refusal {
	int		 status;	/* 0: none */
	const char	*type;
	const char	*code;
	const char	*detail;
	const char	*attr;
};

/* The validated request: what to write. */
struct change {
	bool		 has[F__MAX];
	const char	*str[F__MAX];	/* string and choice fields */
	int		 tri[F__MAX];	/* booleans: -1 null, 0, 1 */
	json_object	*json[F__MAX];	/* JSON fields (NULL = JSON null) */
	json_object	*ns;		/* merged notification settings */
	const char	*org_id;	/* set_current_organization, canonical */
	long long	 team_id;	/* set_current_team */
	const char	*team_org;	/* organisation of team_id */
	const char	*email_raw;	/* the text the email came as */
};

/* Columns written by one update; "set" false leaves a column alone. */
struct row {
	bool		 set_email, set_pending, set_ns, set_current;
	const char	*email, *pending_email, *ns_text;
	const char	*cur_org;
	long long	 cur_team;
	const char	*password;	/* new hash or NULL */
	char		*token;		/* verification token to mail */
};

static void
refuse(struct refusal *r, int status, const char *type, const char *code,
    const char *detail, const char *attr)
{
	r->status = status;
	r->type = type;
	r->code = code;
	r->detail = detail;
	r->attr = attr;
}

static void
refuse_field(struct refusal *r, const char *code, const char *detail,
    const char *attr)
{
	refuse(r, 400, "validation_error", code, detail, attr);
}

static void
answer(struct ctx *c, const struct refusal *r)
{
	if (db_in_txn(c->db))
		db_rollback(c->db);
	api_error(c, r->status, r->type, r->code, r->detail, r->attr);
}

/* 400 for a body that is not an object, with Python's type name. */
static void
not_a_dict(struct ctx *c, json_object *body)
{
	api_error(c, 400, "validation_error", "invalid_input",
	    arena_printf(c->arena, "Invalid data. Expected a dictionary, but "
	    "got %s.", json_py_type(body)), NULL);
}

/* JSON text of a value for a LONGTEXT column (NULL for JSON null). */
static const char *
json_text(struct arena *a, json_object *v)
{
	struct buf b;
	char *s;

	if (v == NULL)
		return NULL;
	buf_init(&b);
	json_write(&b, v);
	s = arena_strdup(a, b.data);
	buf_free(&b);
	return s;
}

/* ------------------------------------------------------------------ */
/* Field validation.                                                   */

/* Lower-cased comparison done by the database (Unicode aware). */
static enum prk_err
same_ignoring_case(struct ctx *c, const char *a, const char *b, bool *same)
{
	struct dbv p[2];
	struct db_res r;
	enum prk_err e;

	p[0] = DBV_S(a);
	p[1] = DBV_S(b);
	e = db_exec(c->db, c->arena, "SELECT LOWER(CONVERT(? USING utf8mb4)) "
	    "COLLATE utf8mb4_bin = LOWER(CONVERT(? USING utf8mb4)) COLLATE "
	    "utf8mb4_bin", p, 2, &r);
	if (e != PRK_OK)
		return e;
	*same = db_int(&r, 0, 0) != 0;
	return PRK_OK;
}

/* Another user (active or not) with this address, ignoring case? */
static enum prk_err
email_taken(struct ctx *c, const char *email, long long except, bool *taken)
{
	struct dbv p[2];
	struct db_res r;
	enum prk_err e;

	p[0] = DBV_S(email);
	p[1] = DBV_I(except);
	e = db_exec(c->db, c->arena, "SELECT 1 FROM users WHERE email_lower = "
	    "LOWER(CONVERT(? USING utf8mb4)) AND id <> ? LIMIT 1", p, 2, &r);
	if (e != PRK_OK)
		return e;
	*taken = r.nrows > 0;
	return PRK_OK;
}

static enum prk_err
check_email(struct ctx *c, const struct user *t, json_object *v,
    struct change *ch, struct verr *err)
{
	bool taken;
	enum prk_err e;

	if (!v_email(c->arena, v, &ch->str[F_EMAIL], err))
		return PRK_OK;
	if ((e = email_taken(c, ch->str[F_EMAIL], t->id, &taken)) != PRK_OK)
		return e;
	if (taken) {
		err->code = "unique";
		err->detail = "user with this email address already exists.";
	}
	return PRK_OK;
}

static void
check_notification_settings(struct ctx *c, const struct user *t,
    json_object *v, struct change *ch, struct verr *err)
{
	if (v == NULL) {
		err->code = "null";
		err->detail = "This field may not be null.";
		return;
	}
	if (!json_object_is_type(v, json_type_object)) {
		err->code = "not_a_dict";
		err->detail = arena_printf(c->arena, "Expected a dictionary of "
		    "items but got type \"%s\".", json_py_type(v));
		return;
	}
	ch->ns = v_notification_settings(c->arena, v,
	    t->notification_settings, err);
	json_arena_own(c->arena, ch->ns);
}

/* set_current_organization: an organisation the CALLER belongs to. */
static enum prk_err
check_set_org(struct ctx *c, json_object *v, struct change *ch,
    struct verr *err)
{
	char uuid[37];
	struct dbv p[2];
	struct db_res r;
	const char *s;
	enum prk_err e;

	if (!v_string(c->arena, v, 0, 0, &s, err))
		return PRK_OK;
	if (!uuid_parse(s, uuid)) {
		/* Django's UUIDField message, curly quotes included */
		err->code = "invalid_input";
		err->detail = arena_printf(c->arena,
		    "\xe2\x80\x9c%s\xe2\x80\x9d is not a valid UUID.", s);
		return PRK_OK;
	}
	p[0] = DBV_S(uuid);
	p[1] = DBV_I(c->auth.user.id);
	e = db_exec(c->db, c->arena, "SELECT 1 FROM organization_memberships "
	    "WHERE organization_id = ? AND user_id = ?", p, 2, &r);
	if (e != PRK_OK)
		return e;
	if (r.nrows == 0) {
		err->code = "does_not_exist";
		err->detail = arena_printf(c->arena,
		    "Object with id=%s does not exist.", s);
		return PRK_OK;
	}
	ch->org_id = arena_strdup(c->arena, uuid);
	return PRK_OK;
}

/* set_current_team: a team of an organisation the CALLER belongs to. */
static enum prk_err
check_set_team(struct ctx *c, json_object *v, struct change *ch,
    struct verr *err)
{
	struct dbv p[2];
	struct db_res r;
	const char *s;
	long long id;
	enum prk_err e;

	if (!v_string(c->arena, v, 0, 0, &s, err))
		return PRK_OK;
	r.nrows = 0;
	id = 0;
	/* a non-numeric id crashes PostHog; here it is simply unknown */
	if (v_pk(s, &id)) {
		p[0] = DBV_I(c->auth.user.id);
		p[1] = DBV_I(id);
		e = db_exec(c->db, c->arena, "SELECT t.organization_id FROM "
		    "teams t JOIN organization_memberships m ON "
		    "m.organization_id = t.organization_id AND m.user_id = ? "
		    "WHERE t.id = ?", p, 2, &r);
		if (e != PRK_OK)
			return e;
	}
	if (r.nrows == 0) {
		err->code = "does_not_exist";
		err->detail = arena_printf(c->arena,
		    "Object with id=%s does not exist.", s);
		return PRK_OK;
	}
	ch->team_id = id;
	ch->team_org = db_str(&r, 0, 0);
	return PRK_OK;
}

static void
check_json(json_object *v, bool nullable, struct change *ch, enum field f,
    struct verr *err)
{
	if (v == NULL && !nullable) {
		err->code = "null";
		err->detail = "This field may not be null.";
		return;
	}
	ch->json[f] = v;
}

/*
 * Validate one present field.  Field errors go to err; a database
 * failure is returned.
 */
static enum prk_err
check_field(struct ctx *c, const struct user *t, enum field f,
    json_object *v, struct change *ch, struct verr *err)
{
	struct arena *a = c->arena;

	switch (f) {
	case F_FIRST_NAME:
	case F_LAST_NAME:
		v_string(a, v, NAME_MAX_LENGTH, VS_ALLOW_BLANK, &ch->str[f],
		    err);
		break;
	case F_EMAIL:
		return check_email(c, t, v, ch, err);
	case F_NOTIFICATION_SETTINGS:
		check_notification_settings(c, t, v, ch, err);
		break;
	case F_ANONYMIZE_DATA:
	case F_ALLOW_IMPERSONATION:
	case F_ALLOW_SIDEBAR_SUGGESTIONS:
		v_bool(v, true, &ch->tri[f], err);
		break;
	case F_PASSKEYS_ENABLED_FOR_2FA:
		/* passkeys are not modelled: nobody has one (spec 5.3.10) */
		if (v_bool(v, true, &ch->tri[f], err) && ch->tri[f] == 1) {
			err->code = "no_passkeys";
			err->detail = "You must have at least one passkey set "
			    "up before enabling passkeys for 2FA.";
		}
		break;
	case F_IS_STAFF:
		v_bool(v, false, &ch->tri[f], err);
		break;
	case F_TOOLBAR_MODE:
		v_choice(a, v, toolbar_modes, VS_ALLOW_BLANK | VS_ALLOW_NULL,
		    &ch->str[f], err);
		break;
	case F_THEME_MODE:
		v_choice(a, v, theme_modes, VS_ALLOW_BLANK | VS_ALLOW_NULL,
		    &ch->str[f], err);
		break;
	case F_SHORTCUT_POSITION:
		v_choice(a, v, shortcut_positions,
		    VS_ALLOW_BLANK | VS_ALLOW_NULL, &ch->str[f], err);
		break;
	case F_ROLE_AT_ORGANIZATION:
		v_choice(a, v, roles, 0, &ch->str[f], err);
		break;
	case F_SET_CURRENT_ORGANIZATION:
		return check_set_org(c, v, ch, err);
	case F_SET_CURRENT_TEAM:
		return check_set_team(c, v, ch, err);
	case F_PASSWORD:
		v_string(a, v, PASSWORD_MAX_LENGTH, 0, &ch->str[f], err);
		break;
	case F_CURRENT_PASSWORD:
		v_string(a, v, 0, 0, &ch->str[f], err);
		break;
	case F_EVENTS_COLUMN_CONFIG:
		check_json(v, false, ch, f, err);
		break;
	case F_HAS_SEEN_PRODUCT_INTRO_FOR:
	case F_HEDGEHOG_CONFIG:
		check_json(v, true, ch, f, err);
		break;
	case F__MAX:
		abort();
	}
	return PRK_OK;
}

/*
 * Spec 5.3.2 step 2: every field in order; the first error is kept, but
 * a non-staff caller sending a valid boolean is_staff is refused with 403
 * whatever else is wrong.
 */
static enum prk_err
check_fields(struct ctx *c, const struct user *t, json_object *body,
    bool partial, struct change *ch, struct refusal *ref)
{
	struct verr err;
	json_object *v;
	enum prk_err e;
	int f;

	for (f = 0; f < F__MAX; f++) {
		if (!json_object_object_get_ex(body, field_names[f], &v)) {
			if (f == F_EMAIL && !partial && ref->status == 0)
				refuse_field(ref, "required",
				    "This field is required.", "email");
			continue;
		}
		/* once an error is kept only is_staff can still matter */
		if (ref->status != 0 && f > F_IS_STAFF)
			break;
		memset(&err, 0, sizeof(err));
		if ((e = check_field(c, t, f, v, ch, &err)) != PRK_OK)
			return e;
		if (err.code != NULL) {
			if (ref->status == 0)
				refuse_field(ref, err.code, err.detail,
				    field_names[f]);
			continue;
		}
		ch->has[f] = true;
		if (f == F_EMAIL)
			ch->email_raw = json_object_get_string(v);
		if (f == F_IS_STAFF && !c->auth.user.is_staff) {
			refuse(ref, 403, "authentication_error",
			    "permission_denied", "You are not a staff user, "
			    "contact your instance admin.", NULL);
			return PRK_OK;
		}
	}
	return PRK_OK;
}

/* Spec 5.3.8: the organisation/team the user switches to. */
static enum prk_err
plan_switch(struct ctx *c, const struct change *ch, struct row *row,
    struct refusal *ref)
{
	struct dbv p[1];
	struct db_res r;
	enum prk_err e;

	if (ch->has[F_SET_CURRENT_ORGANIZATION]) {
		row->set_current = true;
		row->cur_org = ch->org_id;
		if (ch->has[F_SET_CURRENT_TEAM]) {
			if (strcmp(ch->team_org, ch->org_id) != 0) {
				refuse_field(ref, "invalid_input", "Team must "
				    "belong to the same organization in "
				    "set_current_organization.",
				    "set_current_team");
				return PRK_OK;
			}
			row->cur_team = ch->team_id;
			return PRK_OK;
		}
		p[0] = DBV_S(ch->org_id);
		e = db_exec(c->db, c->arena, "SELECT id FROM teams WHERE "
		    "organization_id = ? ORDER BY id LIMIT 1", p, 1, &r);
		if (e != PRK_OK)
			return e;
		row->cur_team = r.nrows > 0 ? db_int(&r, 0, 0) : 0;
	} else if (ch->has[F_SET_CURRENT_TEAM]) {
		row->set_current = true;
		row->cur_team = ch->team_id;
		row->cur_org = ch->team_org;
	}
	return PRK_OK;
}

/* Django's MinimumLengthValidator, then the zxcvbn strength check. */
static const char *
password_problem(struct ctx *c, const char *pw)
{
	int min = c->conf->password_min_length;
	char msg[512];

	if (v_strlen(pw) < (size_t)min)
		return arena_printf(c->arena, "This password is too short. It "
		    "must contain at least %d character%s.", min,
		    min == 1 ? "" : "s");
	if (!password_strong_enough(pw, msg, sizeof(msg)))
		return arena_strdup(c->arena, msg);
	return NULL;
}

/* Spec 5.3.7: checks, then the new hash into row->password. */
static void
plan_password(struct ctx *c, const struct user *t, const struct change *ch,
    struct row *row, struct refusal *ref)
{
	const char *pw = ch->str[F_PASSWORD], *cur, *problem;
	char hash[PASSWORD_HASH_MAX];

	if (!ch->has[F_PASSWORD] || pw == NULL || *pw == '\0')
		return;
	if (password_usable(t->password)) {
		cur = ch->has[F_CURRENT_PASSWORD] ?
		    ch->str[F_CURRENT_PASSWORD] : NULL;
		if (cur == NULL || *cur == '\0') {
			refuse_field(ref, "required", "This field is required "
			    "when updating your password.", "current_password");
			return;
		}
		if (!password_verify(cur, t->password,
		    c->conf->password_iterations, NULL)) {
			refuse_field(ref, "incorrect_password", "Your current "
			    "password is incorrect.", "current_password");
			return;
		}
	}
	if ((problem = password_problem(c, pw)) != NULL) {
		refuse_field(ref, "invalid_input", problem, "password");
		return;
	}
	if (password_hash(pw, c->conf->password_iterations, hash,
	    sizeof(hash)) != 0) {
		refuse_field(ref, "invalid_input", "This password cannot be "
		    "stored.", "password");
		return;
	}
	row->password = arena_strdup(c->arena, hash);
}

/* A fresh verification token for u confirming email; *token = plain. */
static enum prk_err
issue_token(struct ctx *c, long long user_id, const char *email,
    char **token)
{
	char plain[VERIFY_TOKEN_LEN + 1], hash[65];
	struct dbv p[4];
	enum prk_err e;

	crypto_random_alnum(plain, VERIFY_TOKEN_LEN);
	crypto_sha256_hex(plain, VERIFY_TOKEN_LEN, hash);
	p[0] = DBV_I(user_id);
	e = db_exec(c->db, c->arena, "DELETE FROM email_verification_tokens "
	    "WHERE user_id = ?", p, 1, NULL);
	if (e != PRK_OK)
		return e;
	p[1] = DBV_S(hash);
	p[2] = DBV_S(email);
	p[3] = DBV_I(VERIFY_TOKEN_TTL);
	e = db_exec(c->db, c->arena, "INSERT INTO email_verification_tokens "
	    "(user_id, token_hash, email, created_at, expires_at) VALUES "
	    "(?, ?, ?, NOW(6), NOW(6) + INTERVAL ? SECOND)", p, 4, NULL);
	if (e != PRK_OK)
		return e;
	*token = arena_strdup(c->arena, plain);
	return PRK_OK;
}

/* Spec 5.3.5: direct change, case-only change or pending change. */
static enum prk_err
plan_email(struct ctx *c, const struct user *t, const struct change *ch,
    struct row *row)
{
	const char *new = ch->str[F_EMAIL];
	bool same;
	enum prk_err e;

	if (!ch->has[F_EMAIL])
		return PRK_OK;
	if ((e = same_ignoring_case(c, new, t->email, &same)) != PRK_OK)
		return e;
	if (same || !mail_configured(c->conf)) {
		row->set_email = strcmp(new, t->email) != 0;
		row->email = new;
		return PRK_OK;
	}
	row->set_pending = true;
	row->pending_email = new;
	return issue_token(c, t->id, new, &row->token);
}

#define SET(col) col " = IF(?, ?, " col ")"

/* One UPDATE for every column; flags choose which ones change. */
static enum prk_err
write_row(struct ctx *c, const struct user *t, const struct change *ch,
    const struct row *row)
{
	struct dbv p[41];
	size_t n = 0;

#define PUT(flag, val) do { p[n++] = DBV_I((flag) ? 1 : 0); \
	p[n++] = (val); } while (0)
	PUT(ch->has[F_FIRST_NAME], DBV_S(ch->str[F_FIRST_NAME]));
	PUT(ch->has[F_LAST_NAME], DBV_S(ch->str[F_LAST_NAME]));
	PUT(row->set_email, DBV_S(row->email));
	PUT(row->set_pending, DBV_S(row->pending_email));
	PUT(row->set_ns, DBV_S(row->ns_text));
	PUT(ch->has[F_ANONYMIZE_DATA], DBV_TRI(ch->tri[F_ANONYMIZE_DATA]));
	PUT(ch->has[F_ALLOW_IMPERSONATION],
	    DBV_TRI(ch->tri[F_ALLOW_IMPERSONATION]));
	PUT(ch->has[F_TOOLBAR_MODE], DBV_S(ch->str[F_TOOLBAR_MODE]));
	PUT(ch->has[F_IS_STAFF], DBV_TRI(ch->tri[F_IS_STAFF]));
	PUT(row->set_current, DBV_S(row->cur_org));
	PUT(row->set_current, row->cur_team != 0 ? DBV_I(row->cur_team) :
	    DBV_NULLV);
	PUT(row->password != NULL, DBV_S(row->password));
	PUT(ch->has[F_EVENTS_COLUMN_CONFIG], DBV_S(json_text(c->arena,
	    ch->json[F_EVENTS_COLUMN_CONFIG])));
	PUT(ch->has[F_HAS_SEEN_PRODUCT_INTRO_FOR], DBV_S(json_text(c->arena,
	    ch->json[F_HAS_SEEN_PRODUCT_INTRO_FOR])));
	PUT(ch->has[F_THEME_MODE], DBV_S(ch->str[F_THEME_MODE]));
	PUT(ch->has[F_HEDGEHOG_CONFIG], DBV_S(json_text(c->arena,
	    ch->json[F_HEDGEHOG_CONFIG])));
	PUT(ch->has[F_ALLOW_SIDEBAR_SUGGESTIONS],
	    DBV_TRI(ch->tri[F_ALLOW_SIDEBAR_SUGGESTIONS]));
	PUT(ch->has[F_SHORTCUT_POSITION], DBV_S(ch->str[F_SHORTCUT_POSITION]));
	PUT(ch->has[F_ROLE_AT_ORGANIZATION],
	    DBV_S(ch->str[F_ROLE_AT_ORGANIZATION]));
	PUT(ch->has[F_PASSKEYS_ENABLED_FOR_2FA],
	    DBV_TRI(ch->tri[F_PASSKEYS_ENABLED_FOR_2FA]));
#undef PUT
	p[n++] = DBV_I(t->id);
	return db_exec(c->db, c->arena, "UPDATE users SET "
	    SET("first_name") ", " SET("last_name") ", " SET("email") ", "
	    SET("pending_email") ", " SET("notification_settings") ", "
	    SET("anonymize_data") ", " SET("allow_impersonation") ", "
	    SET("toolbar_mode") ", " SET("is_staff") ", "
	    SET("current_organization_id") ", " SET("current_team_id") ", "
	    SET("password") ", " SET("events_column_config") ", "
	    SET("has_seen_product_intro_for") ", " SET("theme_mode") ", "
	    SET("hedgehog_config") ", " SET("allow_sidebar_suggestions") ", "
	    SET("shortcut_position") ", " SET("role_at_organization") ", "
	    SET("passkeys_enabled_for_2fa") " WHERE id = ?", p, n, NULL);
}

/* Lock the user's row and read it afresh inside the transaction. */
static enum prk_err
lock_user(struct ctx *c, long long id, struct user *out, bool *found)
{
	struct dbv p[1];
	struct db_res r;
	enum prk_err e;

	p[0] = DBV_I(id);
	e = db_exec(c->db, c->arena, "SELECT id FROM users WHERE id = ? "
	    "FOR UPDATE", p, 1, &r);
	if (e != PRK_OK)
		return e;
	if (r.nrows == 0) {
		*found = false;
		return PRK_OK;
	}
	return user_load_by_id(c, id, out, found);
}

/*
 * One attempt of the update transaction.  Returns a database error
 * (the caller retries PRK_ELOCKED), else PRK_OK with either ref set
 * (rolled back by the caller) or the change committed.
 */
static enum prk_err
update_once(struct ctx *c, long long target_id, json_object *body,
    bool partial, struct row *row, struct refusal *ref)
{
	struct change ch;
	struct user t;
	bool found;
	enum prk_err e;

	memset(&ch, 0, sizeof(ch));
	memset(row, 0, sizeof(*row));
	memset(ref, 0, sizeof(*ref));
	if ((e = db_begin(c->db)) != PRK_OK)
		return e;
	if ((e = lock_user(c, target_id, &t, &found)) != PRK_OK)
		return e;
	if (!found || !t.is_active) {
		refuse(ref, 404, "invalid_request", "not_found", "Not found.",
		    NULL);
		return PRK_OK;
	}
	if ((e = check_fields(c, &t, body, partial, &ch, ref)) != PRK_OK ||
	    ref->status != 0)
		return e;
	if ((e = plan_switch(c, &ch, row, ref)) != PRK_OK || ref->status != 0)
		return e;
	/* password before email: nothing is staged when it fails */
	plan_password(c, &t, &ch, row, ref);
	if (ref->status != 0)
		return PRK_OK;
	if ((e = plan_email(c, &t, &ch, row)) != PRK_OK)
		return e;
	if (ch.ns != NULL) {
		row->set_ns = true;
		row->ns_text = json_text(c->arena, ch.ns);
	}
	e = write_row(c, &t, &ch, row);
	if (e == PRK_ECONFLICT) {
		/* another user took the address since it was checked */
		refuse_field(ref, "unique", "user with this email address "
		    "already exists.", "email");
		return PRK_OK;
	}
	if (e != PRK_OK)
		return e;
	return db_commit(c->db);
}

/* The base URL for links in mail: site_url, else this request's. */
static const char *
site_base(struct ctx *c)
{
	const char *s = c->conf->site_url;
	size_t n;

	if (s == NULL)
		return arena_printf(c->arena, "%s://%s", c->req->scheme,
		    c->req->host);
	n = strlen(s);
	while (n > 0 && s[n - 1] == '/')
		n--;
	return arena_strndup(c->arena, s, n);
}

static void
send_verification(struct ctx *c, const struct user *u, const char *to,
    const char *token)
{
	const char *body;

	body = arena_printf(c->arena,
	    "Hi%s%s,\n\n"
	    "Please confirm %s as the email address of your PostHog "
	    "account by opening this link:\n\n"
	    "%s/verify_email/%s/%s\n\n"
	    "The link is valid for 24 hours and can be used once. API "
	    "clients may instead POST {\"uuid\": \"%s\", \"token\": \"%s\"} "
	    "to /api/users/verify_email/.\n\n"
	    "If you did not ask for this change, ignore this message: your "
	    "email address stays %s.\n",
	    *u->first_name != '\0' ? " " : "", u->first_name, to,
	    site_base(c), u->uuid, token, u->uuid, token, u->email);
	if (mail_send(c->conf, to, "Confirm your new email address",
	    body) != PRK_OK)
		log_warn("users", "user %lld: the verification mail could not "
		    "be sent", u->id);
}

enum prk_err
users_request_verification(struct ctx *c, const struct user *u,
    const char *address)
{
	char *token;
	enum prk_err e;

	if (!mail_configured(c->conf))
		return PRK_OK;
	if ((e = issue_token(c, u->id, address, &token)) != PRK_OK)
		return e;
	send_verification(c, u, address, token);
	return PRK_OK;
}

void
users_password_changed(struct ctx *c, const struct user *u)
{
	const char *body;

	/* other sessions end; the one that made the change is re-keyed */
	(void)session_password_changed(c, u->id, u->password);

	body = arena_printf(c->arena,
	    "Hi%s%s,\n\n"
	    "The password of your PostHog account %s was just changed.\n\n"
	    "If you did not change it, reset your password right away and "
	    "contact your administrator.\n",
	    *u->first_name != '\0' ? " " : "", u->first_name, u->email);
	if (mail_send(c->conf, u->email, "Your password has been changed",
	    body) != PRK_OK)
		log_warn("users", "user %lld: the password-changed mail could "
		    "not be sent", u->id);
}

void
users_email_verified(struct ctx *c, const struct user *u)
{
	enum prk_err e;

	/* PostHog logs the user in once the address is verified */
	if ((e = session_login(c, u, false, 0)) != PRK_OK)
		log_warn("users", "user %lld: verified, but no session could "
		    "be started: %s", u->id, prk_strerror(e));
}

/* Answer with the user object of id as stored now. */
static void
respond_user(struct ctx *c, long long id)
{
	struct user u;
	bool found;
	enum prk_err e;

	if ((e = user_load_by_id(c, id, &u, &found)) != PRK_OK) {
		api_db_error(c, e);
		return;
	}
	if (!found) {
		api_not_found(c);
		return;
	}
	users_respond_object(c, &u);
}

/* The spec 5.3.4 hardening for key/token requests; true = refused. */
static bool
token_identity_change(struct ctx *c, const struct user *t, json_object *body)
{
	json_object *v;
	const char *s;

	if (c->auth.kind != AUTH_KEY)
		return false;
	if (json_object_object_get_ex(body, "password", NULL))
		goto refuse;
	if (!json_object_object_get_ex(body, "email", &v))
		return false;
	if (v == NULL || !json_object_is_type(v, json_type_string))
		goto refuse;
	s = v_strip(c->arena, json_object_get_string(v));
	if ((size_t)json_object_get_string_len(v) == strlen(
	    json_object_get_string(v)) && str_ieq(s, t->email))
		return false;
refuse:
	api_permission_denied(c, "You can only change your email or password "
	    "from the PostHog app, not with an API key or token.");
	return true;
}

/*
 * PATCH/PUT /api/users/:id/ -- 200 user object; 400 validation; 403
 * "@me" / is_staff / token identity change; 404 (staff, unknown id).
 */
static void
update_user(struct ctx *c, bool partial)
{
	struct user target, u;
	struct refusal ref;
	struct row row;
	json_object *body;
	bool found;
	enum prk_err e;
	int attempt;

	if (!users_resolve_target(c, &target))
		return;
	if (!ctx_body(c, &body))
		return;
	if (body != NULL && json_object_is_type(body, json_type_object) &&
	    token_identity_change(c, &target, body))
		return;
	if (body == NULL || !json_object_is_type(body, json_type_object)) {
		not_a_dict(c, body);
		return;
	}
	e = PRK_OK;
	for (attempt = 0; attempt < UPDATE_ATTEMPTS; attempt++) {
		e = update_once(c, target.id, body, partial, &row, &ref);
		if (e != PRK_ELOCKED)
			break;
		db_rollback(c->db);
	}
	if (e != PRK_OK) {
		api_db_error(c, e);
		return;
	}
	if (ref.status != 0) {
		answer(c, &ref);
		return;
	}
	if ((e = user_load_by_id(c, target.id, &u, &found)) != PRK_OK) {
		api_db_error(c, e);
		return;
	}
	if (!found) {
		api_not_found(c);
		return;
	}
	if (row.token != NULL)
		send_verification(c, &u, row.pending_email, row.token);
	if (row.password != NULL)
		users_password_changed(c, &u);
	users_respond_object(c, &u);
}

void
res_users_partial_update(struct ctx *c)
{
	update_user(c, true);
}

void
res_users_update(struct ctx *c)
{
	update_user(c, false);
}

/* ------------------------------------------------------------------ */
/* hedgehog_config (spec 5.5).                                         */

/* Python truthiness of a stored JSON value. */
static bool
json_truthy(json_object *v)
{
	switch (json_object_get_type(v)) {
	case json_type_null:
		return false;
	case json_type_boolean:
		return json_object_get_boolean(v);
	case json_type_int:
		return json_object_get_int64(v) != 0;
	case json_type_double:
		return json_object_get_double(v) != 0.0;
	case json_type_string:
		return json_object_get_string_len(v) > 0;
	case json_type_array:
		return json_object_array_length(v) > 0;
	case json_type_object:
		return json_object_object_length(v) > 0;
	}
	return false;
}

/* Write stored JSON text as the response body, byte for byte. */
static void
respond_json_text(struct ctx *c, const char *text)
{
	c->resp->status = 200;
	c->resp->content_type = "application/json";
	buf_reset(&c->resp->body);
	buf_puts(&c->resp->body, text);
}

/* GET /api/users/:id/hedgehog_config/ -- the value, {} when falsy. */
void
res_users_hedgehog_get(struct ctx *c)
{
	struct user t;
	json_object *v;
	bool null;
	char err[128];

	if (!users_resolve_target(c, &t))
		return;
	v = NULL;
	if (t.hedgehog_config != NULL)
		v = json_parse_arena(c->arena, t.hedgehog_config,
		    strlen(t.hedgehog_config), &null, err, sizeof(err));
	if (!json_truthy(v)) {
		respond_json_text(c, "{}");
		return;
	}
	respond_json_text(c, t.hedgehog_config);
}

/* PATCH /api/users/:id/hedgehog_config/ -- replaces it with the body. */
void
res_users_hedgehog_patch(struct ctx *c)
{
	struct user t;
	json_object *body;
	struct dbv p[2];
	const char *text;
	enum prk_err e;

	if (!users_resolve_target(c, &t))
		return;
	if (!ctx_body(c, &body))
		return;
	text = json_text(c->arena, body);
	p[0] = DBV_S(text);
	p[1] = DBV_I(t.id);
	e = db_exec(c->db, c->arena, "UPDATE users SET hedgehog_config = ? "
	    "WHERE id = ?", p, 2, NULL);
	if (e != PRK_OK) {
		api_db_error(c, e);
		return;
	}
	respond_json_text(c, text != NULL ? text : "null");
}

/* ------------------------------------------------------------------ */
/* Email verification (spec 5.12).                                     */

static void
invalid_token(struct refusal *ref)
{
	refuse_field(ref, "invalid_token", "This verification token is "
	    "invalid or has expired.", "token");
}

struct verified {
	long long	 user_id;
	const char	*old_email;	/* set when the address changed */
	const char	*new_email;
};

/*
 * Check uuid/token and apply the verification in one transaction.
 * A used or expired token is deleted even when the answer is an error.
 */
static enum prk_err
verify_once(struct ctx *c, const char *uuid, const char *token,
    struct verified *out, struct refusal *ref)
{
	char hash[65];
	struct dbv p[2];
	struct db_res r;
	const char *pending, *bound;
	long long id;
	bool taken;
	size_t i;
	enum prk_err e;

	memset(out, 0, sizeof(*out));
	memset(ref, 0, sizeof(*ref));
	crypto_sha256_hex(token, strlen(token), hash);
	if ((e = db_begin(c->db)) != PRK_OK)
		return e;
	p[0] = DBV_S(uuid);
	e = db_exec(c->db, c->arena, "SELECT id, email, pending_email FROM "
	    "users WHERE uuid = ? AND is_active = 1 FOR UPDATE", p, 1, &r);
	if (e != PRK_OK)
		return e;
	if (r.nrows == 0) {
		invalid_token(ref);
		return PRK_OK;
	}
	id = db_int(&r, 0, 0);
	out->old_email = db_str(&r, 0, 1);
	pending = db_str(&r, 0, 2);
	p[0] = DBV_I(id);
	e = db_exec(c->db, c->arena, "SELECT token_hash, email, expires_at > "
	    "NOW(6) FROM email_verification_tokens WHERE user_id = ?", p, 1,
	    &r);
	if (e != PRK_OK)
		return e;
	for (i = 0; i < r.nrows; i++)
		if (crypto_streq(db_str(&r, i, 0), hash))
			break;
	/* unknown, expired, or meant for another address than pending */
	bound = i < r.nrows ? db_str(&r, i, 1) : NULL;
	if (i == r.nrows || db_int(&r, i, 2) == 0 || (bound != NULL &&
	    strcmp(bound, pending != NULL ? pending : out->old_email) != 0)) {
		invalid_token(ref);
		return PRK_OK;
	}
	if (pending != NULL) {
		if ((e = email_taken(c, pending, id, &taken)) != PRK_OK)
			return e;
		if (taken) {
			refuse_field(ref, "unique", "user with this email "
			    "address already exists.", "email");
			return PRK_OK;
		}
	}
	e = db_exec(c->db, c->arena, "UPDATE users SET email = "
	    "COALESCE(pending_email, email), pending_email = NULL, "
	    "is_email_verified = 1 WHERE id = ?", p, 1, NULL);
	if (e == PRK_ECONFLICT) {
		refuse_field(ref, "unique", "user with this email address "
		    "already exists.", "email");
		return PRK_OK;
	}
	if (e != PRK_OK)
		return e;
	e = db_exec(c->db, c->arena, "DELETE FROM email_verification_tokens "
	    "WHERE user_id = ?", p, 1, NULL);
	if (e != PRK_OK)
		return e;
	out->user_id = id;
	out->new_email = pending;
	return db_commit(c->db);
}

static void
send_change_notices(struct ctx *c, const struct verified *v)
{
	const char *body;
	const char *to[2] = { v->old_email, v->new_email };
	size_t i;

	body = arena_printf(c->arena,
	    "Hi,\n\nThe email address of your PostHog account was changed "
	    "from %s to %s.\n\nIf you did not make this change, contact your "
	    "administrator right away.\n", v->old_email, v->new_email);
	for (i = 0; i < 2; i++)
		if (mail_send(c->conf, to[i], "Your email address has been "
		    "changed", body) != PRK_OK)
			log_warn("users", "user %lld: an email-changed notice "
			    "could not be sent", v->user_id);
}

/* A string member of the body, NULL when absent or not a clean string. */
static const char *
string_member(json_object *body, const char *name)
{
	json_object *v;

	if (!json_object_object_get_ex(body, name, &v) || v == NULL ||
	    !json_object_is_type(v, json_type_string) ||
	    (size_t)json_object_get_string_len(v) !=
	    strlen(json_object_get_string(v)))
		return NULL;
	return json_object_get_string(v);
}

/*
 * PostHog's order: a missing uuid (a crash there, 400 here), then a
 * missing or empty token, then the lookup.
 */
static bool
verify_input(struct ctx *c, json_object *body, char uuid[37],
    const char **token)
{
	struct refusal ref;
	json_object *v;
	const char *u;

	if (!json_object_object_get_ex(body, "uuid", NULL)) {
		api_validation(c, "required", "This field is required.",
		    "uuid");
		return false;
	}
	if (!json_object_object_get_ex(body, "token", &v) || !json_truthy(v)) {
		api_validation(c, "required", "This field is required.",
		    "token");
		return false;
	}
	u = string_member(body, "uuid");
	*token = string_member(body, "token");
	if (u == NULL || *token == NULL || !uuid_parse(u, uuid)) {
		memset(&ref, 0, sizeof(ref));
		invalid_token(&ref);
		answer(c, &ref);
		return false;
	}
	return true;
}

/*
 * POST /api/users/verify_email/ -- 200 {"success": true}; 400 required
 * (uuid, token), invalid_token, unique (the address was taken since).
 */
void
res_users_verify_email(struct ctx *c)
{
	struct verified v;
	struct refusal ref;
	struct user u;
	json_object *body, *o;
	const char *token;
	char uuid[37];
	bool found;
	enum prk_err e;
	int attempt;

	if (!ctx_body(c, &body))
		return;
	if (body == NULL || !json_object_is_type(body, json_type_object)) {
		not_a_dict(c, body);
		return;
	}
	if (!verify_input(c, body, uuid, &token))
		return;
	e = PRK_OK;
	for (attempt = 0; attempt < UPDATE_ATTEMPTS; attempt++) {
		e = verify_once(c, uuid, token, &v, &ref);
		if (e != PRK_ELOCKED)
			break;
		db_rollback(c->db);
	}
	if (e != PRK_OK) {
		api_db_error(c, e);
		return;
	}
	if (ref.status != 0) {
		answer(c, &ref);
		return;
	}
	if (v.new_email != NULL)
		send_change_notices(c, &v);
	if ((e = user_load_by_id(c, v.user_id, &u, &found)) != PRK_OK) {
		api_db_error(c, e);
		return;
	}
	if (found)
		users_email_verified(c, &u);
	if (c->resp->status != 0)
		return;		/* the hook answered */
	o = json_object_new_object();
	json_add(o, "success", json_object_new_boolean(1));
	resp_json(c->resp, 200, o);
	json_object_put(o);
}

/*
 * PATCH /api/users/cancel_email_change_request/ -- 200 the caller's user
 * object; 400 email_change_request_not_found.
 */
void
res_users_cancel_email_change(struct ctx *c)
{
	struct dbv p[1];
	struct db_res r;
	enum prk_err e;
	int attempt;

	p[0] = DBV_I(c->auth.user.id);
	for (attempt = 0; attempt < UPDATE_ATTEMPTS; attempt++) {
		if ((e = db_begin(c->db)) != PRK_OK)
			break;
		e = db_exec(c->db, c->arena, "SELECT pending_email FROM users "
		    "WHERE id = ? FOR UPDATE", p, 1, &r);
		if (e == PRK_OK && (r.nrows == 0 || db_isnull(&r, 0, 0))) {
			db_rollback(c->db);
			api_validation(c, "email_change_request_not_found",
			    "No active email change requests found.", NULL);
			return;
		}
		if (e == PRK_OK)
			e = db_exec(c->db, c->arena, "UPDATE users SET "
			    "pending_email = NULL WHERE id = ?", p, 1, NULL);
		if (e == PRK_OK)
			e = db_exec(c->db, c->arena, "DELETE FROM "
			    "email_verification_tokens WHERE user_id = ? AND "
			    "email IS NOT NULL", p, 1, NULL);
		if (e == PRK_OK)
			e = db_commit(c->db);
		if (e != PRK_ELOCKED)
			break;
		db_rollback(c->db);
	}
	if (e != PRK_OK) {
		api_db_error(c, e);
		return;
	}
	respond_user(c, c->auth.user.id);
}

/* ------------------------------------------------------------------ */
/* Password throttle (spec 2.7).                                       */

static void
throttled(struct ctx *c, int wait)
{
	const char *detail;

	if (wait <= 0)
		detail = "Request was throttled.";
	else
		detail = arena_printf(c->arena, "Request was throttled. "
		    "Expected available in %d second%s.", wait,
		    wait == 1 ? "" : "s");
	api_error(c, 429, "throttled_error", "throttled", detail, NULL);
	if (wait > 0)
		resp_header(c->resp, "Retry-After: %d", wait);
}

bool
users_password_throttle(struct ctx *c)
{
	static const char prefix[] = "/api/users";
	json_object *body;
	const char *key;
	bool allowed;
	int wait;
	enum prk_err e;

	if (c->req->method == HTTP_GET || (c->route->flags & RF_NO_THROTTLE) ||
	    strncmp(c->req->path, prefix, sizeof(prefix) - 1) != 0)
		return true;
	if (!ctx_body(c, &body))
		return false;
	if (body == NULL || !json_object_is_type(body, json_type_object) ||
	    !json_object_object_get_ex(body, "current_password", NULL))
		return true;
	if (c->auth.kind != AUTH_NONE)
		key = arena_printf(c->arena, "%lld", c->auth.user.id);
	else
		key = arena_printf(c->arena, "ip:%s", c->req->remote_addr ?
		    c->req->remote_addr : "");
	e = throttle_allow(c->db, c->arena, "password", key,
	    c->conf->auth_password_throttle_count,
	    c->conf->auth_password_throttle_seconds, &allowed, &wait);
	if (e != PRK_OK) {
		api_db_error(c, e);
		return false;
	}
	if (!allowed) {
		throttled(c, wait);
		return false;
	}
	return true;
}
