#!/usr/bin/env bash
# GET /api/users/:id/ — the user object and who may see whom
# (users-api.md §1.3, §3, §4, §5.2).
set -u
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$top_srcdir/t/lib/tap.sh"
. "$top_srcdir/t/lib/stack.sh"

stack_require
stack_up --set password.iterations=1000

# --- fixture -------------------------------------------------------------------
cli_into ALICE user add --email alice@example.com --first-name 'Zoë' \
    --last-name 'Ñandú-Smith' --password-stdin <<<'correct horse battery staple'
cli_into BOB user add --email bob@example.com
cli_into STAFF user add --email staff@example.com --staff --password-stdin <<<'staff password 123'
cli_into INA user add --email ina@example.com
cli_into DAVE user add --email dave@example.com --first-name Dave
cli_into EVE user add --email eve@example.com
cli_into FRANK user add --email frank@example.com

cli_into K_ALICE key add --email alice@example.com --scopes 'user:read'
cli_into K_BOB key add --email bob@example.com --scopes 'user:read'
cli_into K_STAFF key add --email staff@example.com --scopes 'user:read'
cli_into K_DAVE key add --email dave@example.com --scopes 'user:read'
cli_into K_EVE key add --email eve@example.com --scopes 'user:read'

cli_into ORG1 org add --name 'New Organization'
cli_into T1A team add --org "$ORG1" --name Alpha
cli_into T1B team add --org "$ORG1" --name Beta
cli_into ORG2 org add --name 'Second Org'
cli_into T2 team add --org "$ORG2" --name Gamma
cli_into ORG3 org add --name 'Empty Org'

cli member add --org "$ORG1" --email dave@example.com --level admin >/dev/null || bail_out "member add"
cli member add --org "$ORG2" --email dave@example.com --level member >/dev/null || bail_out "member add"
cli member add --org "$ORG1" --email frank@example.com --level member >/dev/null || bail_out "member add"
cli member add --org "$ORG3" --email eve@example.com --level owner >/dev/null || bail_out "member add"
cli member add --org "$ORG2" --email staff@example.com --level owner >/dev/null || bail_out "member add"
cli user deactivate --email ina@example.com >/dev/null || bail_out "deactivate"
cli user deactivate --email frank@example.com >/dev/null || bail_out "deactivate"

# Whatever the CLI chose, start every user without a current org/team so
# that auto-selection (§4.5) is what the tests observe.
sql_do "UPDATE users SET current_team_id = NULL, current_organization_id = NULL"

# jtype FILTER: the jq type of FILTER applied to BODY, e.g. "string".
jtype() { jbody "$1 | type" | tr -d '"'; }

# check_types DESC FILTER=TYPES...: TYPES is an ERE alternation of jq types
# (split at the last "=", so FILTER may contain "==").
check_types() {
	local desc=$1 spec
	shift
	for spec in "$@"; do
		like "$(jtype "${spec%=*}")" "^(${spec##*=})\$" "$desc: ${spec%=*} is ${spec##*=}"
	done
}

user_row() {
	sql "SELECT $2 FROM users WHERE uuid = '$1'"
}

# --- @me: a user without memberships, every field ------------------------------
api_key "$K_BOB" GET /api/users/@me/
is "$STATUS" 200 "bob GET @me: 200"
is "$CTYPE" "application/json" "bob GET @me: Content-Type"
is "$(jbody keys_unsorted)" "$USER_FIELDS" "user object: exactly the §4.1 fields, in order"
is "$(jbody .uuid)" "\"$BOB\"" "uuid is the one the CLI printed"
like "$(jbody -r .uuid)" "$UUID_RE" "uuid is a lower-case hyphenated UUID"
like "$(jbody .id)" '^[0-9]+$' "id is an integer"
is "$(jbody .id)" "$(user_row "$BOB" id)" "id is the primary key"
like "$(jbody -r .date_joined)" "$DATETIME_Z_RE" "date_joined: ISO-8601 UTC with Z"
unlike "$(jbody -r .date_joined)" '\.000000Z$' "date_joined: no all-zero microseconds"
JOINED=$(date -u -d "$(jbody -r .date_joined)" +%s 2>/dev/null || echo 0)
NOW=$(date -u +%s)
ok $((JOINED > NOW - 900 && JOINED < NOW + 900 ? 0 : 1)) \
    "date_joined is the creation time (within 15 minutes of now)"
like "$(jbody -r .distinct_id)" '^[0-9A-Za-z]{30,44}$' "distinct_id: a base62 token"
is "$(jbody .first_name)" '""' "first_name defaults to \"\""
is "$(jbody .last_name)" '""' "last_name defaults to \"\""
is "$(jbody .email)" '"bob@example.com"' "email"
is "$(jbody .pending_email)" null "pending_email null"
is "$(jbody .notification_settings)" "$NOTIFICATION_DEFAULTS" "notification_settings defaults, exact"
is "$(jbody .anonymize_data)" false "anonymize_data false"
is "$(jbody .toolbar_mode)" '"toolbar"' "toolbar_mode \"toolbar\""
is "$(jbody .has_password)" false "has_password false without --password-stdin"
is "$(jbody .is_staff)" false "is_staff false"
is "$(jbody .is_impersonated)" false "is_impersonated false"
is "$(jbody .is_impersonated_until)" null "is_impersonated_until null"
is "$(jbody .is_impersonated_read_only)" null "is_impersonated_read_only null"
is "$(jbody .team)" null "team null without memberships"
is "$(jbody .organization)" null "organization null without memberships"
is "$(jbody .organizations)" '[]' "organizations [] without memberships"
is "$(jbody .events_column_config)" '{"active":"DEFAULT"}' "events_column_config default"
is "$(jbody .is_2fa_enabled)" false "is_2fa_enabled false"
is "$(jbody .has_social_auth)" false "has_social_auth false"
is "$(jbody .has_sso_enforcement)" false "has_sso_enforcement false"
is "$(jbody .has_seen_product_intro_for)" null "has_seen_product_intro_for null"
is "$(jbody .scene_personalisation)" '[]' "scene_personalisation []"
is "$(jbody .theme_mode)" null "theme_mode null"
is "$(jbody .hedgehog_config)" null "hedgehog_config null"
like "$(jbody .allow_sidebar_suggestions)" '^(null|false)$' "allow_sidebar_suggestions null or false"
is "$(jbody .shortcut_position)" '"above"' "shortcut_position \"above\""
is "$(jbody .role_at_organization)" null "role_at_organization null"
is "$(jbody .passkeys_enabled_for_2fa)" false "passkeys_enabled_for_2fa false"
check_types "bob" '.is_email_verified=boolean|null' '.allow_impersonation=boolean|null'
SSEA=$(jbody -r .sensitive_session_expires_at)
if [ "$SSEA" = null ]; then
	pass "sensitive_session_expires_at null for a key request"
else
	like "$SSEA" "$DATETIME_OFFSET_RE" "sensitive_session_expires_at uses +00:00"
fi

# The whole body, byte for byte (compact, ordered, raw), with the values the
# spec leaves open taken from the response itself.
WANT=$(printf '%s' "$BODY" | jq -c --argjson ns "$NOTIFICATION_DEFAULTS" '{
	date_joined, uuid, distinct_id, first_name: "", last_name: "",
	email: "bob@example.com", pending_email: null, is_email_verified,
	notification_settings: $ns, anonymize_data: false, allow_impersonation,
	toolbar_mode: "toolbar", has_password: false, id, is_staff: false,
	is_impersonated: false, is_impersonated_until: null,
	is_impersonated_read_only: null, sensitive_session_expires_at,
	team: null, organization: null, organizations: [],
	events_column_config: {active: "DEFAULT"}, is_2fa_enabled: false,
	has_social_auth: false, has_sso_enforcement: false,
	has_seen_product_intro_for: null, scene_personalisation: [],
	theme_mode: null, hedgehog_config: null, allow_sidebar_suggestions,
	shortcut_position: "above", role_at_organization: null,
	passkeys_enabled_for_2fa: false}' 2>/dev/null)
is "$BODY" "$WANT" "bob GET @me: whole body byte for byte"
BOB_DISTINCT=$(jbody -r .distinct_id)

is "$(user_row "$BOB" 'CONCAT_WS(",", IFNULL(current_organization_id, "-"), IFNULL(current_team_id, "-"))')" \
    "-,-" "no memberships: nothing saved"

# --- alice: names, password, raw UTF-8 -------------------------------------------
api_key "$K_ALICE" GET /api/users/@me
is "$STATUS" 200 "alice GET @me: 200"
is "$(jbody .first_name)" '"Zoë"' "first_name round-trips non-ASCII"
is "$(jbody .last_name)" '"Ñandú-Smith"' "last_name round-trips non-ASCII"
like "$BODY" '"first_name":"Zoë","last_name":"Ñandú-Smith"' "non-ASCII emitted raw, not \\u-escaped"
is "$(jbody .has_password)" true "has_password true with --password-stdin"
isnt "$(jbody -r .distinct_id)" "$BOB_DISTINCT" "distinct_id differs between users"

# has_password is derived from the stored hash (§4.1).
sql_do "UPDATE users SET password = '!unusable' WHERE uuid = '$ALICE'"
api_key "$K_ALICE" GET /api/users/@me/
is "$(jbody .has_password)" false "has_password false for an unusable ('!') hash"
sql_do "UPDATE users SET password = '' WHERE uuid = '$ALICE'"
api_key "$K_ALICE" GET /api/users/@me/
is "$(jbody .has_password)" false "has_password false for an empty hash"

# --- stored values are rendered (§4.1, §5.3.3, §5.3.6) -------------------------------
sql_do "UPDATE users SET shortcut_position = '', theme_mode = 'dark',
    role_at_organization = 'engineering', toolbar_mode = 'disabled', anonymize_data = 1,
    allow_impersonation = 0, hedgehog_config = '{\"color\":\"blue\",\"accessories\":[\"hat\"]}',
    has_seen_product_intro_for = '{\"surveys\":true}', events_column_config = '[\"a\",\"b\"]',
    notification_settings = '{\"plugin_disabled\":false,\"project_weekly_digest_disabled\":{\"7\":true}}'
    WHERE uuid = '$ALICE'"
api_key "$K_ALICE" GET /api/users/@me/
is "$(jbody .shortcut_position)" '""' "stored shortcut_position '' is shown as \"\""
is "$(jbody .theme_mode)" '"dark"' "theme_mode stored value"
is "$(jbody .role_at_organization)" '"engineering"' "role_at_organization stored value"
is "$(jbody .toolbar_mode)" '"disabled"' "toolbar_mode stored value"
is "$(jbody .anonymize_data)" true "anonymize_data stored value"
is "$(jbody .allow_impersonation)" false "allow_impersonation stored value"
is "$(jbody .hedgehog_config)" '{"color":"blue","accessories":["hat"]}' "hedgehog_config stored JSON"
is "$(jbody .has_seen_product_intro_for)" '{"surveys":true}' "has_seen_product_intro_for stored JSON"
is "$(jbody .events_column_config)" '["a","b"]' "events_column_config stored JSON"
is "$(jbody .notification_settings)" \
    "$(jq -cn --argjson d "$NOTIFICATION_DEFAULTS" '$d | .plugin_disabled = false | .project_weekly_digest_disabled = {"7": true}')" \
    "notification_settings: defaults overlaid by stored overrides, default key order"
sql_do "UPDATE users SET shortcut_position = 'below' WHERE uuid = '$ALICE'"
api_key "$K_ALICE" GET /api/users/@me/
is "$(jbody .shortcut_position)" '"below"' "shortcut_position 'below'"
sql_do "UPDATE users SET shortcut_position = NULL WHERE uuid = '$ALICE'"
api_key "$K_ALICE" GET /api/users/@me/
is "$(jbody .shortcut_position)" '"above"' "stored shortcut_position NULL is shown as \"above\""

# is_2fa_enabled: a TOTP device named 'default' (§4.1).
ALICE_ID=$(user_row "$ALICE" id)
sql_do "INSERT INTO totp_devices (user_id, name, key_sealed, created_at)
    VALUES ($ALICE_ID, 'other', '00', UTC_TIMESTAMP(6))"
api_key "$K_ALICE" GET /api/users/@me/
is "$(jbody .is_2fa_enabled)" false "is_2fa_enabled false with only a non-default device"
sql_do "INSERT INTO totp_devices (user_id, name, key_sealed, created_at)
    VALUES ($ALICE_ID, 'default', '00', UTC_TIMESTAMP(6))"
api_key "$K_ALICE" GET /api/users/@me/
is "$(jbody .is_2fa_enabled)" true "is_2fa_enabled true with a 'default' device"

# --- memberships: auto-selection, nested objects (§4.2–§4.5) --------------------------
api_key "$K_DAVE" GET /api/users/@me/
is "$STATUS" 200 "dave GET @me: 200"
is "$(jbody keys_unsorted)" "$USER_FIELDS" "dave: user fields in order"
is "$(jbody .organization.id)" "\"$ORG1\"" "auto-selected organisation: the first one joined"
is "$(jbody .team.id)" "$T1A" "auto-selected team: lowest id of that organisation"
is "$(user_row "$DAVE" current_organization_id)" "$ORG1" "auto-selected organisation is saved"
is "$(user_row "$DAVE" current_team_id)" "$T1A" "auto-selected team is saved"

# team (TeamBasic)
is "$(jbody '.team | keys_unsorted')" "$TEAM_FIELDS" "team: exactly the TeamBasic keys, in order"
like "$(jbody -r .team.uuid)" "$UUID_RE" "team.uuid is a UUID"
is "$(jbody .team.organization)" "\"$ORG1\"" "team.organization is the org UUID"
is "$(jbody .team.name)" '"Alpha"' "team.name"
is "$(jbody .team.timezone)" '"UTC"' "team.timezone defaults to UTC"
is "$(jbody .team.completed_snippet_onboarding)" false "team.completed_snippet_onboarding false"
check_types "team" '.team.id=number' '.team.project_id=number' '.team.api_token=string' \
    '.team.has_completed_onboarding_for=object|null' '.team.ingested_event=boolean' \
    '.team.is_demo=boolean' '.team.access_control=boolean'

# organization (full)
is "$(jbody '.organization | keys_unsorted')" "$ORG_FIELDS" "organization: exactly the §4.3 keys, in order"
is "$(jbody .organization.name)" '"New Organization"' "organization.name"
is "$(jbody .organization.slug)" '"new-organization"' "organization.slug is the slugified name"
is "$(jbody .organization.membership_level)" 8 "organization.membership_level: requester is admin (8)"
is "$(jbody .organization.member_count)" 1 "organization.member_count counts active members only"
is "$(jbody '[.organization.teams[].id] | sort')" "$(jq -cn "[$T1A,$T1B] | sort")" \
    "organization.teams: both teams of the org"
is "$(jbody '[.organization.teams[] | keys_unsorted == '"$TEAM_FIELDS"'] | all')" true \
    "organization.teams[]: TeamBasic keys"
is "$(jbody '[.organization.projects[] | keys_unsorted == ["id","organization_id","name"]] | all')" true \
    "organization.projects[]: exactly id, organization_id, name"
is "$(jbody '[.organization.projects[] | .organization_id == "'"$ORG1"'"] | all')" true \
    "organization.projects[]: belong to the organization"
is "$(jbody '.organization.metadata | keys_unsorted')" '["instance_tag"]' "organization.metadata has instance_tag"
like "$(jbody -r .organization.created_at)" "$DATETIME_Z_RE" "organization.created_at format"
like "$(jbody -r .organization.updated_at)" "$DATETIME_Z_RE" "organization.updated_at format"
like "$(jbody .organization.plugins_access_level)" '^(0|3|6|9)$' "organization.plugins_access_level"
is "$(jbody .organization.logo_media_id)" null "organization.logo_media_id null"
is "$(jbody .organization.members_can_use_personal_api_keys)" true \
    "organization.members_can_use_personal_api_keys defaults true"
like "$(jbody .organization.default_experiment_stats_method)" '^("bayesian"|"frequentist"|""|null)$' \
    "organization.default_experiment_stats_method"
check_types "organization" '.organization.id=string' \
    '.organization.available_product_features=array|null' \
    '.organization.is_member_join_email_enabled=boolean' '.organization.metadata.instance_tag=string' \
    '.organization.customer_id=string|null' '.organization.enforce_2fa=boolean|null' \
    '.organization.members_can_invite=boolean|null' '.organization.allow_publicly_shared_resources=boolean' \
    '.organization.is_ai_data_processing_approved=boolean|null' '.organization.default_anonymize_ips=boolean' \
    '.organization.default_role_id=string|null' '.organization.is_active=boolean|null' \
    '.organization.is_not_active_reason=string|null'

# organizations[] (OrganizationBasic)
is "$(jbody '.organizations | length')" 2 "organizations: both memberships"
is "$(jbody '[.organizations[] | keys_unsorted == '"$ORG_BASIC_FIELDS"'] | all')" true \
    "organizations[]: exactly the §4.4 keys, in order"
org_entry() { jbody ".organizations[] | select(.id == \"$1\") | $2"; }
is "$(org_entry "$ORG1" .slug)" '"new-organization"' "organizations[ORG1].slug"
is "$(org_entry "$ORG1" .membership_level)" 8 "organizations[ORG1].membership_level 8"
is "$(org_entry "$ORG2" .name)" '"Second Org"' "organizations[ORG2].name"
is "$(org_entry "$ORG2" .slug)" '"second-org"' "organizations[ORG2].slug"
is "$(org_entry "$ORG2" .membership_level)" 1 "organizations[ORG2].membership_level 1"
is "$(org_entry "$ORG2" .logo_media_id)" null "organizations[ORG2].logo_media_id null"
is "$(org_entry "$ORG2" .members_can_use_personal_api_keys)" true \
    "organizations[ORG2].members_can_use_personal_api_keys"
O2=".organizations[] | select(.id == \"$ORG2\")"
check_types "organizations[ORG2]" "$O2 | .is_active=boolean|null" \
    "$O2 | .is_not_active_reason=string|null" "$O2 | .is_pending_deletion=boolean|null"

# Staff looking at dave: membership levels are the requester's (§4.3, §4.4).
api_key "$K_STAFF" GET "/api/users/$DAVE/"
is "$STATUS" 200 "staff GET dave: 200"
is "$(jbody .email)" '"dave@example.com"' "staff GET dave: dave's object"
is "$(org_entry "$ORG1" .membership_level)" null "staff view: level null in an org staff is not in"
is "$(org_entry "$ORG2" .membership_level)" 15 "staff view: staff's own level (owner) in ORG2"
is "$(jbody .organization.membership_level)" null "staff view: organization.membership_level is staff's (null)"

# An explicit choice is kept.
sql_do "UPDATE users SET current_team_id = $T1B WHERE uuid = '$DAVE'"
api_key "$K_DAVE" GET /api/users/@me/
is "$(jbody .team.id)" "$T1B" "existing current team is kept"
is "$(jbody .organization.id)" "\"$ORG1\"" "existing current organisation is kept"

# Current organisation without a current team: the org's first team is chosen and saved.
sql_do "UPDATE users SET current_organization_id = '$ORG2', current_team_id = NULL WHERE uuid = '$DAVE'"
api_key "$K_DAVE" GET /api/users/@me/
is "$(jbody .organization.id)" "\"$ORG2\"" "current organisation ORG2 kept"
is "$(jbody .team.id)" "$T2" "no current team: ORG2's first team selected"
is "$(user_row "$DAVE" current_team_id)" "$T2" "selected team is saved"
is "$(jbody .organization.membership_level)" 1 "organization.membership_level follows the current org"

# An organisation without teams: organization set, team null.
api_key "$K_EVE" GET /api/users/@me/
is "$(jbody .organization.id)" "\"$ORG3\"" "eve: her only organisation auto-selected"
is "$(jbody .team)" null "eve: team null (the organisation has no teams)"
is "$(jbody .organization.teams)" '[]' "eve: organization.teams []"
is "$(jbody .organization.membership_level)" 15 "eve: owner (15)"
is "$(user_row "$EVE" 'CONCAT_WS(",", IFNULL(current_organization_id, "-"), IFNULL(current_team_id, "-"))')" \
    "$ORG3,-" "eve: organisation saved, team stays NULL"

# --- scene_personalisation: all rows, insertion order (§4.1) ------------------------
DAVE_ID=$(user_row "$DAVE" id)
sql_do "INSERT INTO dashboards (team_id, name, created_at) VALUES ($T1A, 'D', UTC_TIMESTAMP(6))"
DASH=$(sql "SELECT MAX(id) FROM dashboards")
sql_do "INSERT INTO user_scene_personalisation (user_id, team_id, scene, dashboard_id)
    VALUES ($DAVE_ID, $T1A, 'zeta', $DASH)"
sql_do "INSERT INTO user_scene_personalisation (user_id, team_id, scene, dashboard_id)
    VALUES ($DAVE_ID, $T2, 'alpha', NULL)"
api_key "$K_DAVE" GET /api/users/@me/
is "$(jbody .scene_personalisation)" "[{\"scene\":\"zeta\",\"dashboard\":$DASH},{\"scene\":\"alpha\",\"dashboard\":null}]" \
    "scene_personalisation: every team's rows, insertion order"

# --- :id resolution for non-staff (§3) ------------------------------------------------
RANDOM_UUID=$(cat /proc/sys/kernel/random/uuid)
for id in "$ALICE" "${ALICE^^}" "$BOB" "$INA" "$RANDOM_UUID" not-a-uuid 12345 @ME; do
	api_key "$K_ALICE" GET "/api/users/$id/"
	is "$STATUS" 403 "non-staff GET /api/users/$id/: 403"
	is "$BODY" "$ERR_ONLY_ME" "non-staff GET /api/users/$id/: the @me message"
done
api_key "$K_ALICE" GET "/api/users/$BOB"
is "$BODY" "$ERR_ONLY_ME" "non-staff GET another uuid without trailing slash: the @me message"

# --- :id resolution for staff (§3) --------------------------------------------------
api_key "$K_STAFF" GET /api/users/@me/
is "$(jbody .email)" '"staff@example.com"' "staff @me: self"
is "$(jbody .is_staff)" true "staff @me: is_staff true"
is "$(jbody .has_password)" true "staff @me: has_password true"
api_key "$K_STAFF" GET "/api/users/$STAFF/"
is "$STATUS" 200 "staff own uuid: 200"
is "$(jbody .email)" '"staff@example.com"' "staff own uuid: self"

BOB_HEX=${BOB//-/}
for id in "$BOB" "${BOB^^}" "$BOB_HEX" "${BOB_HEX^^}" "{$BOB}" "%7B$BOB%7D" "urn:uuid:$BOB"; do
	api_key "$K_STAFF" GET "/api/users/$id/"
	is "$STATUS" 200 "staff GET /api/users/$id/: 200"
	is "$(jbody .email)" '"bob@example.com"' "staff GET /api/users/$id/: bob"
done
api_key "$K_STAFF" GET "/api/users/$BOB"
is "$(jbody .uuid)" "\"$BOB\"" "staff GET other uuid without trailing slash"
is "$(jbody keys_unsorted)" "$USER_FIELDS" "staff view: same fields"

BOB_ID=$(user_row "$BOB" id)
for id in "$RANDOM_UUID" "$INA" not-a-uuid "$BOB_ID" "${BOB}0" @ME me; do
	api_key "$K_STAFF" GET "/api/users/$id/"
	is "$STATUS" 404 "staff GET /api/users/$id/: 404"
	is "$BODY" "$ERR_NOT_FOUND" "staff GET /api/users/$id/: Not found."
done

done_testing
