#!/usr/bin/env bash
# The prickle admin CLI: every command of the contract, its output and its
# errors (interfaces.md "prickle admin CLI"; users-api.md §2.3, §2.4, §2.2.4).
set -u
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$top_srcdir/t/lib/tap.sh"
. "$top_srcdir/t/lib/stack.sh"

stack_require
stack_up --set password.iterations=1000

# run ARGS...: run the CLI with -c; sets OUT (stdout, byte for byte), ERR
# (stderr) and RC.  stdin is the caller's.
run() {
	local o=$STACK_TMP/run.out e=$STACK_TMP/run.err
	timeout 60 "$PRICKLE_CLI" -c "$PRICKLE_CONF" "$@" >"$o" 2>"$e"
	RC=$?
	OUT=$(cat "$o"; printf x)
	OUT=${OUT%x}
	ERR=$(cat "$e")
}

# run_noconf ARGS...: the same without -c (and without PRICKLE_CONF).
run_noconf() {
	local o=$STACK_TMP/run.out e=$STACK_TMP/run.err
	env -u PRICKLE_CONF timeout 60 "$PRICKLE_CLI" "$@" >"$o" 2>"$e"
	RC=$?
	OUT=$(cat "$o"; printf x)
	OUT=${OUT%x}
	ERR=$(cat "$e")
}

# fails DESC ERE ARGS...: the command fails with a non-zero exit, prints
# nothing on stdout and a message matching ERE on stderr.
fails() {
	local desc=$1 re=$2
	shift 2
	run "$@"
	isnt "$RC" 0 "$desc: non-zero exit"
	is "$OUT" "" "$desc: nothing on stdout"
	like "$ERR" "$re" "$desc: message on stderr"
}

# one_line DESC ERE: OUT is exactly one newline-terminated line matching ERE.
one_line() {
	local desc=$1 re=$2 line
	is "$RC" 0 "$desc: exit 0"
	line=${OUT%$'\n'}
	ok $([[ $OUT == "$line"$'\n' && $line != *$'\n'* ]] && echo 0 || echo 1) \
	    "$desc: exactly one line on stdout"
	like "$line" "$re" "$desc: the line is the id"
	is "$ERR" "" "$desc: nothing on stderr"
}

# get_me KEY: GET /api/users/@me/ with the key.
get_me() {
	api_key "$1" GET /api/users/@me/
}

ERR_KEY_INVALID=$(err_key_invalid "Authorization header")
INT_RE='^[1-9][0-9]*$'
NL=$'\n'
KEY_RE='^phx_[0-9A-Za-z]{30,}$'

# --- --help at every level ----------------------------------------------------------
COMMANDS=('migrate' 'user add' 'user list' 'user deactivate' 'user activate'
    'user set-password' 'user set-staff' 'key add' 'key list' 'key revoke'
    'org add' 'org set' 'team add' 'member add' 'dashboard add')

for flag in --help -h; do
	run "$flag"
	is "$RC" 0 "prickle $flag: exit 0"
	like "$OUT" '^usage: ' "prickle $flag: usage on stdout"
	is "$ERR" "" "prickle $flag: nothing on stderr"
done
run --help
TOP_HELP=$OUT
for c in "${COMMANDS[@]}"; do
	like "$TOP_HELP" "(^|$NL)[[:space:]]*$c( |$NL)" "prickle --help lists '$c'"
done
like "$TOP_HELP" '-c' "prickle --help mentions -c"

for g in user key org team member dashboard; do
	run "$g" --help
	is "$RC" 0 "prickle $g --help: exit 0"
	like "$OUT" '^usage: ' "prickle $g --help: usage on stdout"
	is "$ERR" "" "prickle $g --help: nothing on stderr"
done
run user --help
for c in add list deactivate activate set-password set-staff; do
	like "$OUT" "user $c" "prickle user --help lists 'user $c'"
done

for c in "${COMMANDS[@]}"; do
	# shellcheck disable=SC2086 # split the command words
	run $c --help
	is "$RC" 0 "prickle $c --help: exit 0"
	like "$OUT" "^usage: .*$c" "prickle $c --help: its usage on stdout"
	is "$ERR" "" "prickle $c --help: nothing on stderr"
done
run key add -h
is "$RC" 0 "prickle key add -h: exit 0"
like "$OUT" '--scopes' "prickle key add -h: shows --scopes"

# Help needs neither a configuration file nor the database.
run_noconf -c /nonexistent/prickle.conf user add --help
is "$RC" 0 "user add --help with a missing config file: exit 0"
like "$OUT" '^usage: ' "user add --help with a missing config file: usage"
run_noconf --help
is "$RC" 0 "--help without -c: exit 0"

# --- command-line errors --------------------------------------------------------------
fails "no command" 'command'
fails "unknown command" "frobnicate" frobnicate
fails "unknown subcommand" "user frob" user frob
fails "group without a subcommand" "user" user
fails "unknown option" "--bogus" user list --bogus
fails "option of another command" "--scopes" user list --scopes x
fails "option missing its value" "--email" user add --email
fails "unexpected argument" "extra" user list extra
run_noconf -c /nonexistent/prickle.conf user list
isnt "$RC" 0 "missing config file: non-zero exit"
is "$OUT" "" "missing config file: nothing on stdout"
like "$ERR" '/nonexistent/prickle.conf' "missing config file: message names the file"

# The configuration also comes from PRICKLE_CONF, and -c may follow the command.
OUT=$(PRICKLE_CONF=$PRICKLE_CONF timeout 60 "$PRICKLE_CLI" user list 2>/dev/null)
is "$?" 0 "PRICKLE_CONF selects the configuration"
OUT=$(timeout 60 "$PRICKLE_CLI" --config "$PRICKLE_CONF" user list 2>/dev/null)
is "$?" 0 "--config CONF works like -c"

# --- migrate ---------------------------------------------------------------------------
TABLES_BEFORE=$(sql "SHOW TABLES" | sort | tr '\n' ' ')
MIGR_BEFORE=$(sql "SELECT COUNT(*) FROM schema_migrations")
run migrate
is "$RC" 0 "migrate on a migrated database: exit 0"
is "$ERR" "" "migrate: nothing on stderr"
run migrate
is "$RC" 0 "migrate again: exit 0"
is "$(sql "SHOW TABLES" | sort | tr '\n' ' ')" "$TABLES_BEFORE" "migrate twice: same tables"
is "$(sql "SELECT COUNT(*) FROM schema_migrations")" "$MIGR_BEFORE" \
    "migrate twice: no schema file recorded again"
like "$MIGR_BEFORE" "$INT_RE" "schema_migrations records the applied files"

# --- user add ---------------------------------------------------------------------------
run user add --email alice@example.com --first-name Alice --last-name Liddell \
    --password-stdin <<<'correct horse battery'
one_line "user add" "$UUID_RE"
ALICE=${OUT%$'\n'}
is "$(sql "SELECT uuid FROM users WHERE email = 'alice@example.com'")" "$ALICE" \
    "user add: the printed uuid is the user's"
like "$(sql "SELECT password FROM users WHERE uuid = '$ALICE'")" '^pbkdf2_sha256\$1000\$' \
    "user add --password-stdin: Django pbkdf2_sha256 hash with password.iterations"

run user add --email bob@example.com
one_line "user add without a password" "$UUID_RE"
BOB=${OUT%$'\n'}
run user add --email staff@example.com --staff
one_line "user add --staff" "$UUID_RE"

fails "user add: duplicate email" "alice@example.com" user add --email alice@example.com
fails "user add: duplicate email in another case" "Alice@Example.COM" \
    user add --email Alice@Example.COM
fails "user add: missing --email" "--email" user add --first-name X
fails "user add: invalid email" "not-an-email" user add --email not-an-email
run user add --email short@example.com --password-stdin <<<'short'
isnt "$RC" 0 "user add: too short a password: non-zero exit"
is "$OUT" "" "user add: too short a password: nothing on stdout"
like "$ERR" 'password' "user add: too short a password: message"
is "$(sql "SELECT COUNT(*) FROM users WHERE email = 'short@example.com'")" 0 \
    "user add: a refused password creates no user"

# --- user list ---------------------------------------------------------------------------
NUSERS=$(sql "SELECT COUNT(*) FROM users")
run user list
is "$RC" 0 "user list: exit 0"
is "$(printf '%s' "$OUT" | grep -c .)" "$NUSERS" "user list: one line per user"
like "$OUT" "alice@example.com" "user list shows alice"
like "$OUT" "$ALICE" "user list shows alice's uuid"
run user list --json
is "$RC" 0 "user list --json: exit 0"
ok $(printf '%s' "$OUT" | jq -e 'type == "array"' >/dev/null 2>&1; echo $?) \
    "user list --json: a JSON array"
is "$(printf '%s' "$OUT" | jq length)" "$NUSERS" "user list --json: one element per user"
U() { printf '%s' "$OUT" | jq -c --arg e "$1" ".[] | select(.email == \$e) | $2"; }
is "$(U alice@example.com .uuid)" "\"$ALICE\"" "user list --json: alice's uuid"
is "$(U alice@example.com .has_password)" true "user list --json: alice has a password"
is "$(U bob@example.com .has_password)" false "user list --json: bob has no usable password"
is "$(U staff@example.com .is_staff)" true "user list --json: --staff made a staff user"
is "$(U bob@example.com .is_staff)" false "user list --json: bob is not staff"
is "$(U bob@example.com .is_active)" true "user list --json: bob is active"
is "$(U alice@example.com '[.first_name, .last_name]')" '["Alice","Liddell"]' \
    "user list --json: --first-name and --last-name stored"

# --- key add / key list ---------------------------------------------------------------------
run key add --email alice@example.com --scopes 'user:read' --label 'ci key'
one_line "key add" "$KEY_RE"
K_ALICE=${OUT%$'\n'}
run key add --email bob@example.com --scopes 'user:read,user:write'
one_line "key add without --label" "$KEY_RE"
K_BOB=${OUT%$'\n'}
run key add --email bob@example.com --scopes ''
one_line "key add --scopes ''" "$KEY_RE"
K_NONE=${OUT%$'\n'}
isnt "$K_ALICE" "$K_BOB" "two keys differ"

fails "key add: unknown email" "nobody@example.com" key add --email nobody@example.com --scopes 'user:read'
fails "key add: missing --scopes" "--scopes" key add --email alice@example.com
fails "key add: missing --email" "--email" key add --scopes 'user:read'
fails "key add: invalid scope" "user:delete" key add --email alice@example.com --scopes 'user:delete'
fails "key add: label over 40 characters" "label" key add --email alice@example.com \
    --scopes 'user:read' --label "$(printf 'x%.0s' {1..41})"

get_me "$K_ALICE"
is "$STATUS" 200 "the new key authenticates GET @me"
is "$(jbody -r .email)" alice@example.com "the new key is alice's"

run key list --email alice@example.com
is "$RC" 0 "key list: exit 0"
is "$(printf '%s' "$OUT" | grep -c .)" 1 "key list: one line per key"
MASK="phx_...${K_ALICE: -4}"
ok $([[ $OUT == *"$MASK"* ]] && echo 0 || echo 1) "key list shows the mask phx_...+last 4 ($MASK)"
ok $([[ $OUT != *"$K_ALICE"* && $OUT != *"${K_ALICE:4:20}"* ]] && echo 0 || echo 1) \
    "key list never shows the key"
like "$OUT" 'ci key' "key list shows the label"
like "$OUT" 'user:read' "key list shows the scopes"

run key list --email alice@example.com --json
is "$RC" 0 "key list --json: exit 0"
ok $(printf '%s' "$OUT" | jq -e 'type == "array" and length == 1' >/dev/null 2>&1; echo $?) \
    "key list --json: a JSON array with alice's one key"
is "$(printf '%s' "$OUT" | jq -c '.[0] | keys')" \
    '["created_at","id","label","last_used_at","mask","scopes"]' \
    "key list --json: id, label, mask, scopes, created_at, last_used_at"
is "$(printf '%s' "$OUT" | jq -r '.[0].mask')" "$MASK" "key list --json: mask"
is "$(printf '%s' "$OUT" | jq -c '.[0].scopes')" '["user:read"]' "key list --json: scopes"
is "$(printf '%s' "$OUT" | jq -r '.[0].label')" 'ci key' "key list --json: label"
like "$(printf '%s' "$OUT" | jq -r '.[0].id')" "$INT_RE" "key list --json: integer id"
like "$(printf '%s' "$OUT" | jq -r '.[0].created_at')" '^[0-9]{4}-[0-9]{2}-[0-9]{2}T' \
    "key list --json: created_at is a timestamp"
like "$(printf '%s' "$OUT" | jq -r '.[0].last_used_at')" '^[0-9]{4}-[0-9]{2}-[0-9]{2}T' \
    "key list --json: last_used_at set once the key was used"
ok $([[ $OUT != *"$K_ALICE"* ]] && echo 0 || echo 1) "key list --json never shows the key"
K_ALICE_ID=$(printf '%s' "$OUT" | jq -r '.[0].id')

run key list --email bob@example.com --json
is "$(printf '%s' "$OUT" | jq -c '[.[].scopes]')" '[["user:read","user:write"],[]]' \
    "key list --json: bob's scopes, [] for --scopes ''"
is "$(printf '%s' "$OUT" | jq -c '[.[].last_used_at]')" '[null,null]' \
    "key list --json: last_used_at null for unused keys"
ok $([[ $OUT != *"$K_BOB"* && $OUT != *"$K_NONE"* ]] && echo 0 || echo 1) \
    "key list --json never shows bob's keys"
fails "key list: unknown email" "nobody@example.com" key list --email nobody@example.com
fails "key list: missing --email" "--email" key list --json

# --- a key without scopes is refused everywhere (§2.4) ---------------------------------------
for path in /api/users/@me/ /api/users/ "/api/users/$BOB/" "/api/users/$ALICE/"; do
	api_key "$K_NONE" GET "$path"
	is "$STATUS" 403 "scope-less key, GET $path: 403"
	is "$BODY" "$(err_scope user:read)" "scope-less key, GET $path: missing scope 'user:read'"
done
api_key "$K_NONE" OPTIONS /api/users/
is "$STATUS" 403 "scope-less key, OPTIONS /api/users/: 403"
is "$BODY" "$(err_scope user:read)" "scope-less key, OPTIONS: missing scope 'user:read'"
api_key "$K_NONE" GET /api/users/@me/hedgehog_config/
is "$STATUS" 403 "scope-less key, GET hedgehog_config: 403"
is "$BODY" "$(err_scope user:read)" "scope-less key, GET hedgehog_config: missing scope 'user:read'"
api_key "$K_NONE" PATCH /api/users/@me/ -H 'Content-Type: application/json' \
    --data-binary '{"first_name":"Mallory"}'
is "$STATUS" 403 "scope-less key, PATCH @me: 403"
is "$BODY" "$(err_scope user:write)" "scope-less key, PATCH @me: missing scope 'user:write'"
is "$(sql "SELECT first_name FROM users WHERE uuid = '$BOB'")" "" "scope-less key, PATCH @me: nothing changed"
api_key "$K_NONE" GET /api/users/@me/two_factor_status/
is "$STATUS" 403 "scope-less key, GET two_factor_status: 403"
is "$BODY" "$ERR_NO_KEY_ACCESS" "scope-less key, GET two_factor_status: no key access"

# --- key revoke --------------------------------------------------------------------------------
run key revoke --id "$K_ALICE_ID"
is "$RC" 0 "key revoke: exit 0"
is "$ERR" "" "key revoke: nothing on stderr"
get_me "$K_ALICE"
is "$STATUS" 401 "a revoked key: 401"
is "$BODY" "$ERR_KEY_INVALID" "a revoked key: invalid key body"
run key list --email alice@example.com --json
is "$(printf '%s' "$OUT" | jq length)" 0 "key list no longer shows the revoked key"
fails "key revoke: the same id again" "$K_ALICE_ID" key revoke --id "$K_ALICE_ID"
fails "key revoke: unknown id" "987654" key revoke --id 987654
fails "key revoke: not a number" "abc" key revoke --id abc
fails "key revoke: missing --id" "--id" key revoke

# --- user deactivate / activate (§2.3.3) -----------------------------------------------------
get_me "$K_BOB"
is "$STATUS" 200 "bob's key works while bob is active"
run user deactivate --email bob@example.com
is "$RC" 0 "user deactivate: exit 0"
is "$ERR" "" "user deactivate: nothing on stderr"
is "$(sql "SELECT is_active FROM users WHERE uuid = '$BOB'")" 0 "user deactivate: is_active = 0"
get_me "$K_BOB"
is "$STATUS" 401 "an inactive user's key: 401"
is "$BODY" "$ERR_KEY_INVALID" "an inactive user's key: invalid key body"
is "$CTYPE" application/json "an inactive user's key: JSON"
api_key "$K_BOB" GET /api/users/
is "$STATUS" 401 "an inactive user's key on the list: 401"
run user deactivate --email bob@example.com
is "$RC" 0 "user deactivate of an inactive user: exit 0"
run user activate --email BOB@example.com
is "$RC" 0 "user activate (email in another case): exit 0"
get_me "$K_BOB"
is "$STATUS" 200 "user activate restores the key"
is "$(jbody -r .uuid)" "$BOB" "user activate: the key is bob's again"
fails "user deactivate: unknown email" "nobody@example.com" user deactivate --email nobody@example.com
fails "user activate: unknown email" "nobody@example.com" user activate --email nobody@example.com
fails "user deactivate: missing --email" "--email" user deactivate

# --- user set-staff ------------------------------------------------------------------------------
get_me "$K_BOB"
is "$(jbody .is_staff)" false "bob starts as non-staff"
run user set-staff --email bob@example.com true
is "$RC" 0 "user set-staff true: exit 0"
get_me "$K_BOB"
is "$(jbody .is_staff)" true "user set-staff true: is_staff true in GET @me"
run user set-staff --email bob@example.com false
is "$RC" 0 "user set-staff false: exit 0"
get_me "$K_BOB"
is "$(jbody .is_staff)" false "user set-staff false: is_staff false in GET @me"
fails "user set-staff: bad boolean" "maybe" user set-staff --email bob@example.com maybe
fails "user set-staff: missing true|false" "argument|true|false" user set-staff --email bob@example.com
fails "user set-staff: unknown email" "nobody@example.com" user set-staff --email nobody@example.com true
is "$(sql "SELECT is_staff FROM users WHERE uuid = '$BOB'")" 0 "a refused set-staff changes nothing"

# --- user set-password -----------------------------------------------------------------------------
OLD_HASH=$(sql "SELECT password FROM users WHERE uuid = '$ALICE'")
HAVE_SESSIONS=$(sql "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = 'sessions'")
if [ "$HAVE_SESSIONS" = 1 ]; then
	sql_do "INSERT INTO sessions (key_hash, user_id, created_at) VALUES
	    (SHA2('cli-test-session', 256), (SELECT id FROM users WHERE uuid = '$ALICE'), UNIX_TIMESTAMP())"
fi
run user set-password --email alice@example.com <<<'a brand new passphrase'
is "$RC" 0 "user set-password: exit 0"
is "$OUT" "" "user set-password: nothing on stdout"
NEW_HASH=$(sql "SELECT password FROM users WHERE uuid = '$ALICE'")
like "$NEW_HASH" '^pbkdf2_sha256\$' "user set-password: stored hash starts with pbkdf2_sha256\$"
isnt "$NEW_HASH" "$OLD_HASH" "user set-password: the stored hash changed"
if [ "$HAVE_SESSIONS" = 1 ]; then
	is "$(sql "SELECT COUNT(*) FROM sessions WHERE user_id = (SELECT id FROM users WHERE uuid = '$ALICE')")" 0 \
	    "user set-password: the user's sessions end"
else
	skip 1 "no sessions table in this schema yet"
fi
run user set-password --email bob@example.com <<<'bobs first password'
is "$RC" 0 "user set-password for a user without a password: exit 0"
like "$(sql "SELECT password FROM users WHERE uuid = '$BOB'")" '^pbkdf2_sha256\$' \
    "user set-password: bob now has a pbkdf2 hash"
get_me "$K_BOB"
is "$(jbody .has_password)" true "user set-password: has_password true in GET @me"
run user set-password --email alice@example.com <<<'short'
isnt "$RC" 0 "user set-password: too short: non-zero exit"
like "$ERR" 'password' "user set-password: too short: message"
is "$(sql "SELECT password FROM users WHERE uuid = '$ALICE'")" "$NEW_HASH" \
    "user set-password: a refused password changes nothing"
run user set-password --email nobody@example.com <<<'whatever password'
isnt "$RC" 0 "user set-password: unknown email: non-zero exit"
like "$ERR" 'nobody@example.com' "user set-password: unknown email: message"
fails "user set-password: missing --email" "--email" user set-password

# --- org add / org set / team add / member add ---------------------------------------------------------
run org add --name 'Acme Widgets'
one_line "org add" "$UUID_RE"
ORG=${OUT%$'\n'}
SLUG=$(sql "SELECT slug FROM organizations WHERE id = '$ORG'")
is "$SLUG" acme-widgets "org add: slug from the name"
run team add --org "$ORG" --name 'Web'
one_line "team add" "$INT_RE"
TEAM=${OUT%$'\n'}
is "$(sql "SELECT organization_id FROM teams WHERE id = $TEAM")" "$ORG" "team add: team of the org"
run team add --org "$SLUG" --name 'Mobile'
one_line "team add --org SLUG" "$INT_RE"

fails "org add: missing --name" "--name" org add
fails "org add: empty name" "name" org add --name '   '
fails "team add: unknown org uuid" "01234567-89ab-7def-8123-456789abcdef" \
    team add --org 01234567-89ab-7def-8123-456789abcdef --name X
fails "team add: bad org uuid" "not-a-uuid" team add --org not-a-uuid --name X
fails "team add: missing --name" "--name" team add --org "$ORG"

run member add --org "$ORG" --email bob@example.com --level admin
is "$RC" 0 "member add --level admin: exit 0"
run member add --org "$SLUG" --email alice@example.com
is "$RC" 0 "member add (default level) by slug: exit 0"
is "$(sql "SELECT level FROM organization_memberships m JOIN users u ON u.id = m.user_id WHERE u.uuid = '$ALICE'")" 1 \
    "member add: default level is member (1)"
run member add --org "$ORG" --email staff@example.com --level owner
is "$RC" 0 "member add --level owner: exit 0"
fails "member add: bad level" "god" member add --org "$ORG" --email staff@example.com --level god
fails "member add: unknown email" "nobody@example.com" member add --org "$ORG" --email nobody@example.com
fails "member add: unknown org" "no-such-org" member add --org no-such-org --email bob@example.com
fails "member add: already a member" "bob@example.com" member add --org "$ORG" --email bob@example.com
fails "member add: missing --org" "--org" member add --email bob@example.com

get_me "$K_BOB"
is "$(jbody -r .organization.id)" "$ORG" "bob's organization is the new org"
is "$(jbody .organization.membership_level)" 8 "member add --level admin: membership_level 8"
like "$(jbody .organization.enforce_2fa)" '^(null|false)$' "enforce_2fa not set by default (null or false)"

run org set --org "$ORG" --enforce-2fa true
is "$RC" 0 "org set --enforce-2fa true: exit 0"
is "$ERR" "" "org set: nothing on stderr"
get_me "$K_BOB"
is "$(jbody .organization.enforce_2fa)" true "org set --enforce-2fa true: enforce_2fa true in the user object"
run org set --org "$SLUG" --enforce-2fa false
is "$RC" 0 "org set by slug --enforce-2fa false: exit 0"
get_me "$K_BOB"
is "$(jbody .organization.enforce_2fa)" false "org set --enforce-2fa false: enforce_2fa false again"
fails "org set: bad boolean" "sometimes" org set --org "$ORG" --enforce-2fa sometimes
fails "org set: unknown org uuid" "01234567-89ab-7def-8123-456789abcdef" \
    org set --org 01234567-89ab-7def-8123-456789abcdef --enforce-2fa true
fails "org set: bad org uuid" "zz-not-a-uuid-zz" org set --org zz-not-a-uuid-zz --enforce-2fa true
fails "org set: missing --org" "--org" org set --enforce-2fa true
fails "org set: nothing to set" "enforce-2fa|nothing" org set --org "$ORG"
is "$(sql "SELECT enforce_2fa FROM organizations WHERE id = '$ORG'")" 0 "refused org set commands change nothing"

# --- dashboard add ----------------------------------------------------------------------------------------
run dashboard add --team "$TEAM" --name 'Overview'
one_line "dashboard add" "$INT_RE"
DASH=${OUT%$'\n'}
is "$(sql "SELECT CONCAT(team_id, ':', name) FROM dashboards WHERE id = $DASH")" "$TEAM:Overview" \
    "dashboard add: the dashboard of the team"
TEAM_UUID=$(sql "SELECT uuid FROM teams WHERE id = $TEAM")
run dashboard add --team "$TEAM_UUID" --name 'By uuid'
one_line "dashboard add --team UUID" "$INT_RE"
fails "dashboard add: unknown team" "987654" dashboard add --team 987654 --name X
fails "dashboard add: bad team" "not-a-team" dashboard add --team not-a-team --name X
fails "dashboard add: missing --team" "--team" dashboard add --name X
fails "dashboard add: missing --name" "--name" dashboard add --team "$TEAM"

# --- nothing the failures above tried was created ---------------------------------------------------------
is "$(sql "SELECT COUNT(*) FROM users")" "$NUSERS" "failed commands created no users"
is "$(sql "SELECT COUNT(*) FROM organizations")" 1 "failed commands created no organizations"
is "$(sql "SELECT COUNT(*) FROM dashboards")" 2 "failed commands created no dashboards"

done_testing
