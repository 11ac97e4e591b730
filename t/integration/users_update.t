#!/usr/bin/env bash
# PATCH/PUT /api/users/:id/ — field rules, DRF coercions, error order,
# is_staff precedence, organisation/team switching, token hardening
# (users-api.md §1.2, §1.6, §5.3).
set -u
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$top_srcdir/t/lib/tap.sh"
. "$top_srcdir/t/lib/stack.sh"

stack_require
stack_up --set password.iterations=1000

# --- fixture -------------------------------------------------------------------
cli_into ANN user add --email ann@example.com --password-stdin <<<'correct horse battery staple'
cli_into BEN user add --email ben@example.com
cli_into STAFF user add --email staff@example.com --staff
cli_into K_ANN key add --email ann@example.com --scopes 'user:write'
cli_into K_ANN_RO key add --email ann@example.com --scopes 'user:read'
cli_into K_BEN key add --email ben@example.com --scopes '*'
cli_into K_STAFF key add --email staff@example.com --scopes 'user:write'

cli_into ORG1 org add --name 'Org One'
cli_into T1A team add --org "$ORG1" --name Alpha
cli_into T1B team add --org "$ORG1" --name Beta
cli_into ORG2 org add --name 'Org Two'
cli_into T2 team add --org "$ORG2" --name Gamma
cli_into ORG3 org add --name 'Org Empty'
cli_into ORGX org add --name 'Org Foreign'
cli_into TX team add --org "$ORGX" --name Foreign
for o in "$ORG1" "$ORG2" "$ORG3"; do
	cli member add --org "$o" --email ann@example.com >/dev/null || bail_out "member add"
done
cli member add --org "$ORG1" --email staff@example.com >/dev/null || bail_out "member add"

# patch KEY PATH JSON: PATCH with a JSON body.
patch() { api_key "$1" PATCH "$2" -H 'Content-Type: application/json' --data-binary "$3"; }
put() { api_key "$1" PUT "$2" -H 'Content-Type: application/json' --data-binary "$3"; }
# verr CODE DETAIL ATTR: a validation error body (ATTR "" = null).
verr() {
	jq -cn --arg c "$1" --arg d "$2" --arg a "$3" \
	    '{type:"validation_error",code:$c,detail:$d,attr:(if $a == "" then null else $a end)}'
}
ERR_NOT_STAFF='{"type":"authentication_error","code":"permission_denied","detail":"You are not a staff user, contact your instance admin.","attr":null}'
ERR_TOKEN_IDENTITY='{"type":"authentication_error","code":"permission_denied","detail":"You can only change your email or password from the PostHog app, not with an API key or token.","attr":null}'
user_col() { sql "SELECT $2 FROM users WHERE uuid = '$1'"; }

# expect_err DESC JSON CODE DETAIL ATTR: PATCH @me as ann → 400 exact body.
expect_err() {
	patch "$K_ANN" /api/users/@me/ "$2"
	is "$STATUS" 400 "$1: 400"
	is "$BODY" "$(verr "$3" "$4" "$5")" "$1: body"
}

# --- success: the full user object -----------------------------------------------
patch "$K_ANN" /api/users/@me/ '{"first_name":"  Ann  ","last_name":"Lee"}'
is "$STATUS" 200 "PATCH @me: 200"
is "$CTYPE" application/json "PATCH @me: JSON"
is "$(jbody keys_unsorted)" "$USER_FIELDS" "PATCH answers the whole user object"
is "$(jbody .first_name)" '"Ann"' "first_name trimmed"
is "$(jbody .last_name)" '"Lee"' "last_name set"
is "$(user_col "$ANN" first_name)" Ann "first_name stored trimmed"

# --- string fields (§1.6) ---------------------------------------------------------
patch "$K_ANN" /api/users/@me/ '{"first_name":12,"last_name":1.5}'
is "$(jbody '[.first_name,.last_name]')" '["12","1.5"]' "numbers become strings"
patch "$K_ANN" /api/users/@me/ '{"first_name":""}'
is "$(jbody .first_name)" '""' "blank first_name allowed"
LONG150=$(printf 'é%.0s' $(seq 150))
patch "$K_ANN" /api/users/@me/ "{\"first_name\":\" $LONG150 \"}"
is "$STATUS" 200 "150 characters (after trimming) accepted"
expect_err "151 characters" "{\"first_name\":\"${LONG150}x\"}" max_length \
    "Ensure this field has no more than 150 characters." first_name
expect_err "first_name null" '{"first_name":null}' null "This field may not be null." first_name
expect_err "first_name bool" '{"first_name":true}' invalid_input "Not a valid string." first_name
expect_err "last_name list" '{"last_name":["a"]}' invalid_input "Not a valid string." last_name
expect_err "last_name object" '{"last_name":{}}' invalid_input "Not a valid string." last_name
expect_err "NUL character" '{"last_name":"a\u0000b"}' null_characters_not_allowed \
    "Null characters are not allowed." last_name

# --- nullable booleans ---------------------------------------------------------------
for pair in '"yes"=true' '"Off"=false' '1=true' '0=false' '"t"=true' '"N"=false' \
    '""=null' '"null"=null' '"NULL"=null' 'null=null' 'true=true'; do
	v=${pair%=*}
	want=${pair#*=}
	patch "$K_ANN" /api/users/@me/ "{\"anonymize_data\":$v,\"allow_impersonation\":$v,\"allow_sidebar_suggestions\":$v}"
	is "$(jbody '[.anonymize_data,.allow_impersonation,.allow_sidebar_suggestions]')" \
	    "[$want,$want,$want]" "nullable booleans: $v -> $want"
done
expect_err "boolean junk" '{"anonymize_data":"maybe"}' invalid_input "Must be a valid boolean." anonymize_data
expect_err "boolean 2" '{"allow_impersonation":2}' invalid_input "Must be a valid boolean." allow_impersonation
expect_err "boolean list" '{"allow_sidebar_suggestions":[]}' invalid_input "Must be a valid boolean." allow_sidebar_suggestions
expect_err "boolean TrUe" '{"anonymize_data":"TrUe"}' invalid_input "Must be a valid boolean." anonymize_data
patch "$K_ANN" /api/users/@me/ '{"passkeys_enabled_for_2fa":false}'
is "$(jbody .passkeys_enabled_for_2fa)" false "passkeys_enabled_for_2fa false accepted"
expect_err "passkeys without passkeys" '{"passkeys_enabled_for_2fa":"yes"}' no_passkeys \
    "You must have at least one passkey set up before enabling passkeys for 2FA." passkeys_enabled_for_2fa

# --- choice fields -------------------------------------------------------------------
patch "$K_ANN" /api/users/@me/ '{"toolbar_mode":"disabled","theme_mode":"dark","shortcut_position":"below","role_at_organization":"founder"}'
is "$(jbody '[.toolbar_mode,.theme_mode,.shortcut_position,.role_at_organization]')" \
    '["disabled","dark","below","founder"]' "choices stored"
patch "$K_ANN" /api/users/@me/ '{"toolbar_mode":"","theme_mode":"","shortcut_position":""}'
is "$(jbody '[.toolbar_mode,.theme_mode,.shortcut_position]')" '["","",""]' "blank choices stored as \"\""
patch "$K_ANN" /api/users/@me/ '{"toolbar_mode":null,"theme_mode":null,"shortcut_position":null}'
is "$(jbody '[.toolbar_mode,.theme_mode,.shortcut_position]')" '[null,null,"above"]' \
    "null choices; shortcut_position null reads as above"
expect_err "toolbar_mode case" '{"toolbar_mode":"Toolbar"}' invalid_choice '"Toolbar" is not a valid choice.' toolbar_mode
expect_err "theme_mode number" '{"theme_mode":5}' invalid_choice '"5" is not a valid choice.' theme_mode
expect_err "theme_mode untrimmed" '{"theme_mode":" dark"}' invalid_choice '" dark" is not a valid choice.' theme_mode
expect_err "shortcut_position" '{"shortcut_position":"left"}' invalid_choice '"left" is not a valid choice.' shortcut_position
expect_err "role null" '{"role_at_organization":null}' null "This field may not be null." role_at_organization
expect_err "role blank" '{"role_at_organization":""}' invalid_choice '"" is not a valid choice.' role_at_organization
expect_err "role unknown" '{"role_at_organization":"ceo"}' invalid_choice '"ceo" is not a valid choice.' role_at_organization

# --- JSON fields ---------------------------------------------------------------------
patch "$K_ANN" /api/users/@me/ '{"events_column_config":{"active":["a","b"]},"has_seen_product_intro_for":{"x":true},"hedgehog_config":[1,"two"]}'
is "$(jbody '[.events_column_config,.has_seen_product_intro_for,.hedgehog_config]')" \
    '[{"active":["a","b"]},{"x":true},[1,"two"]]' "JSON fields replaced wholesale"
patch "$K_ANN" /api/users/@me/ '{"has_seen_product_intro_for":null,"hedgehog_config":null}'
is "$(jbody '[.has_seen_product_intro_for,.hedgehog_config]')" '[null,null]' "nullable JSON fields"
expect_err "events_column_config null" '{"events_column_config":null}' null "This field may not be null." events_column_config

# --- body shape, ignored keys -----------------------------------------------------------
for pair in '[1]=list' '"x"=str' '5=int' '1.5=float' 'true=bool' 'null=NoneType'; do
	patch "$K_ANN" /api/users/@me/ "${pair%=*}"
	is "$BODY" "$(verr invalid_input "Invalid data. Expected a dictionary, but got ${pair#*=}." "")" \
	    "non-object body ${pair%=*}"
done
BEFORE=$(user_col "$ANN" "id, uuid, is_email_verified, date_joined")
patch "$K_ANN" /api/users/@me/ '{"id":999,"uuid":"00000000-0000-0000-0000-000000000000","is_email_verified":true,"date_joined":"2000-01-01T00:00:00Z","pending_email":"x@y.z","has_password":false,"team":null,"unknown":1}'
is "$STATUS" 200 "read-only and unknown keys: 200"
is "$(user_col "$ANN" "id, uuid, is_email_verified, date_joined")" "$BEFORE" "read-only keys ignored"
is "$(user_col "$ANN" pending_email)" NULL "pending_email not writable"
api_key "$K_ANN" PATCH /api/users/@me/ --data-urlencode 'first_name= Form '
is "$STATUS $(jbody .first_name)" '200 "Form"' "form-encoded body"

# --- order of errors, atomicity (§5.3.2) ------------------------------------------------
expect_err "first error in field order" '{"theme_mode":"bad","last_name":null,"first_name":true}' \
    invalid_input "Not a valid string." first_name
expect_err "notification_settings before toolbar_mode" '{"toolbar_mode":"x","notification_settings":[]}' \
    not_a_dict 'Expected a dictionary of items but got type "list".' notification_settings
patch "$K_ANN" /api/users/@me/ '{"first_name":"Kept","last_name":"Lee"}'
patch "$K_ANN" /api/users/@me/ '{"first_name":"Lost","last_name":"Lost","theme_mode":"bad"}'
is "$STATUS" 400 "one bad field: 400"
is "$(user_col "$ANN" "first_name, last_name")" "Kept	Lee" "nothing written when a field fails"

# --- is_staff (§5.3.3) --------------------------------------------------------------------
for v in true false '"yes"' 0; do
	patch "$K_ANN" /api/users/@me/ "{\"is_staff\":$v}"
	is "$STATUS $BODY" "403 $ERR_NOT_STAFF" "non-staff is_staff=$v: 403"
done
patch "$K_ANN" /api/users/@me/ '{"first_name":null,"is_staff":false,"theme_mode":"bad"}'
is "$STATUS $BODY" "403 $ERR_NOT_STAFF" "is_staff 403 wins over errors before and after it"
expect_err "non-staff is_staff null is a 400" '{"is_staff":null}' null "This field may not be null." is_staff
expect_err "non-staff is_staff junk is a 400" '{"is_staff":"abc","theme_mode":"bad"}' invalid_input \
    "Must be a valid boolean." is_staff
is "$(user_col "$ANN" is_staff)" 0 "ann still not staff"
patch "$K_STAFF" "/api/users/$BEN/" '{"is_staff":"true"}'
is "$STATUS $(jbody .is_staff) $(jbody -r .uuid)" "200 true $BEN" "staff sets is_staff on another user"
patch "$K_STAFF" "/api/users/$BEN/" '{"is_staff":false}'
is "$(user_col "$BEN" is_staff)" 0 "staff clears it again"

# --- who may update whom (§3), scopes ------------------------------------------------------
patch "$K_ANN" "/api/users/$BEN/" '{"first_name":"x"}'
is "$STATUS $BODY" "403 $ERR_ONLY_ME" "non-staff PATCH of another user: 403"
patch "$K_ANN" "/api/users/$ANN/" '{"first_name":"x"}'
is "$STATUS $BODY" "403 $ERR_ONLY_ME" "non-staff PATCH of own uuid: 403"
patch "$K_ANN_RO" /api/users/@me/ '{"first_name":"x"}'
is "$STATUS $BODY" "403 $(err_scope user:write)" "user:read key: 403 scope"
patch "$K_STAFF" /api/users/00000000-0000-0000-0000-000000000000/ '{"first_name":"x"}'
is "$STATUS $BODY" "404 $ERR_NOT_FOUND" "staff PATCH of an unknown uuid: 404"
patch "$K_STAFF" "/api/users/${BEN//-/}/" '{"last_name":"Staffed"}'
is "$STATUS $(jbody .last_name)" '200 "Staffed"' "staff PATCH by hyphen-less uuid"
api PATCH /api/users/@me/ -H 'Content-Type: application/json' --data-binary '{}'
is "$STATUS $BODY" "401 $ERR_NOT_AUTHENTICATED" "anonymous PATCH: 401"

# --- token hardening (§5.3.4) ---------------------------------------------------------------
patch "$K_ANN" /api/users/@me/ '{"password":"a_new_password","current_password":"correct horse battery staple"}'
is "$STATUS $BODY" "403 $ERR_TOKEN_IDENTITY" "key + password: 403"
patch "$K_ANN" /api/users/@me/ '{"password":null}'
is "$STATUS $BODY" "403 $ERR_TOKEN_IDENTITY" "key + password of any value: 403"
patch "$K_ANN" /api/users/@me/ '{"email":"other@example.com","first_name":null}'
is "$STATUS $BODY" "403 $ERR_TOKEN_IDENTITY" "key + another email: 403 before validation"
patch "$K_ANN" /api/users/@me/ '{"email":"ben@example.com"}'
is "$STATUS $BODY" "403 $ERR_TOKEN_IDENTITY" "key + an existing email: 403 (nothing revealed)"
patch "$K_ANN" /api/users/@me/ '{"email":5}'
is "$STATUS $BODY" "403 $ERR_TOKEN_IDENTITY" "key + non-string email: 403"
patch "$K_ANN" /api/users/@me/ '{"email":"ann@example.com","first_name":"Same"}'
is "$STATUS $(jbody .email)" '200 "ann@example.com"' "key + unchanged email: allowed"
patch "$K_ANN" /api/users/@me/ '{"email":" ANN@Example.com "}'
is "$STATUS $(jbody .email)" '200 "ANN@Example.com"' "key + case-only change: stored directly"
is "$(jbody .pending_email)" null "case-only change: no pending email"
patch "$K_STAFF" "/api/users/$BEN/" '{"email":"new@example.com"}'
is "$STATUS $BODY" "403 $ERR_TOKEN_IDENTITY" "staff key changing another user's email: 403"
patch "$K_ANN" /api/users/@me/ '{"email":"ann@example.com"}'

# --- set_current_organization / set_current_team (§5.3.8) -----------------------------------
T1A_ORG=$ORG1
patch "$K_ANN" /api/users/@me/ "{\"set_current_organization\":\"$ORG2\"}"
is "$STATUS $(jbody -r .organization.id) $(jbody .team.id)" "200 $ORG2 $T2" "switch org: its first team follows"
patch "$K_ANN" /api/users/@me/ "{\"set_current_organization\":\"{${ORG1^^}}\"}"
is "$(jbody -r .organization.id) $(jbody .team.id)" "$ORG1 $T1A" "org id parsed like Python's uuid (braces, upper case)"
patch "$K_ANN" /api/users/@me/ "{\"set_current_organization\":\"$ORG3\"}"
is "$(jbody -r .organization.id) $(jbody .team)" "$ORG3 null" "org without teams: team null"
patch "$K_ANN" /api/users/@me/ "{\"set_current_team\":\"$T1B\"}"
is "$(jbody -r .organization.id) $(jbody .team.id)" "$T1A_ORG $T1B" "switch team (string): its org follows"
patch "$K_ANN" /api/users/@me/ "{\"set_current_team\":$T2}"
is "$(jbody -r .organization.id) $(jbody .team.id)" "$ORG2 $T2" "switch team (number)"
patch "$K_ANN" /api/users/@me/ "{\"set_current_organization\":\"$ORG1\",\"set_current_team\":\"$T1B\"}"
is "$STATUS $(jbody .team.id)" "200 $T1B" "both, consistent"
expect_err "both, inconsistent" "{\"set_current_organization\":\"$ORG1\",\"set_current_team\":\"$T2\"}" \
    invalid_input "Team must belong to the same organization in set_current_organization." set_current_team
is "$(user_col "$ANN" current_team_id)" "$T1B" "inconsistent switch saves nothing"
expect_err "org: not a uuid" '{"set_current_organization":"abc"}' invalid_input \
    "“abc” is not a valid UUID." set_current_organization
expect_err "org: unknown" '{"set_current_organization":"00000000-0000-0000-0000-000000000001"}' does_not_exist \
    "Object with id=00000000-0000-0000-0000-000000000001 does not exist." set_current_organization
expect_err "org: not a member" "{\"set_current_organization\":\"$ORGX\"}" does_not_exist \
    "Object with id=$ORGX does not exist." set_current_organization
expect_err "org: blank" '{"set_current_organization":""}' blank "This field may not be blank." set_current_organization
expect_err "org: null" '{"set_current_organization":null}' null "This field may not be null." set_current_organization
expect_err "team: not numeric" '{"set_current_team":"abc"}' does_not_exist \
    "Object with id=abc does not exist." set_current_team
expect_err "team: float" '{"set_current_team":1.0}' does_not_exist \
    "Object with id=1.0 does not exist." set_current_team
expect_err "team: unknown" '{"set_current_team":"999999"}' does_not_exist \
    "Object with id=999999 does not exist." set_current_team
expect_err "team: not a member of its org" "{\"set_current_team\":\"$TX\"}" does_not_exist \
    "Object with id=$TX does not exist." set_current_team
# staff switching another user: checked against the caller's memberships
patch "$K_STAFF" "/api/users/$BEN/" "{\"set_current_organization\":\"$ORG2\"}"
is "$STATUS $(jbody .attr)" '400 "set_current_organization"' "staff: org the staff member is not in: 400"
patch "$K_STAFF" "/api/users/$BEN/" "{\"set_current_team\":\"$T1A\"}"
is "$STATUS $(user_col "$BEN" current_team_id)" "200 $T1A" "staff: team of the staff member's org: saved on the target"

# --- PUT (full update) ----------------------------------------------------------------------
put "$K_ANN" /api/users/@me/ '{"first_name":"Put"}'
is "$STATUS $BODY" "400 $(verr required "This field is required." email)" "PUT without email: 400 required"
put "$K_ANN" /api/users/@me/ '{"first_name":true}'
is "$BODY" "$(verr invalid_input "Not a valid string." first_name)" "PUT: earlier field error wins over missing email"
put "$K_ANN" /api/users/@me/ '{"email":"ann@example.com","first_name":"Put"}'
is "$STATUS $(jbody .first_name)" '200 "Put"' "PUT with email: 200"
put "$K_ANN" /api/users/@me/ '{"email":"ann@example.com"}'
is "$STATUS $(jbody .first_name) $(jbody .theme_mode)" '200 "Put" null' "PUT: absent optional fields unchanged"
put "$K_ANN" /api/users/@me/ '[]'
is "$BODY" "$(verr invalid_input "Invalid data. Expected a dictionary, but got list." "")" "PUT non-object body"

done_testing
