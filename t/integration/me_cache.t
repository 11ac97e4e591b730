#!/usr/bin/env bash
# GET @me with a key may answer from the worker's copy (src/mecache.c), and
# every render uses the worker's copies of organisation and team objects
# (src/nestcache.c): every change to what the object shows, whoever makes
# it (API, CLI, plain SQL), must show on the next request, from every
# worker.  Also the
# member_count triggers of schema/0004_render.sql against a recount.
set -u
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$top_srcdir/t/lib/tap.sh"
. "$top_srcdir/t/lib/stack.sh"

stack_require
stack_up --set pm.max_children=2 --set password.iterations=1000

cli_into ALICE user add --email alice@example.com --first-name Alice
cli_into BOB user add --email bob@example.com
cli_into CAROL user add --email carol@example.com
cli_into ACME org add --name Acme
cli_into OTHER org add --name Other
cli_into T1 team add --org "$ACME" --name One
cli_into T2 team add --org "$OTHER" --name Two
for who in alice bob carol; do
	cli member add --org "$ACME" --email "$who@example.com" >/dev/null ||
	    bail_out "member add $who"
done
cli_into KEY key add --email alice@example.com --scopes '*'
AID=$(sql "SELECT id FROM users WHERE email = 'alice@example.com'")

# Each check reads @me REPEAT times: both workers answer, each after the
# first has filled its copy.
REPEAT=6
read_as() {	# read_as KEY PATH JQ-FILTER: the value, or "differs" when the answers differ
	local i first= v
	for ((i = 0; i < REPEAT; i++)); do
		api_key "$1" GET "$2"
		[ "$STATUS" = 200 ] || { printf 'status %s' "$STATUS"; return; }
		v=$(jbody "$3")
		if ((i == 0)); then
			first=$v
		elif [ "$v" != "$first" ]; then
			printf 'differs: %s / %s' "$first" "$v"
			return
		fi
	done
	printf '%s' "$first"
}
me() {	# me JQ-FILTER: read_as with alice's key on @me
	read_as "$KEY" /api/users/@me/ "$1"
}
members_of() {
	sql "SELECT COALESCE((SELECT members FROM organization_member_counts
	    WHERE organization_id = '$1'), 0)"
}
recount_matches() {
	sql "SELECT COUNT(*) FROM organizations o LEFT JOIN
	    organization_member_counts mc ON mc.organization_id = o.id
	    WHERE COALESCE(mc.members, 0) <> (
	    SELECT COUNT(*) FROM organization_memberships m JOIN users u
	    ON u.id = m.user_id AND u.is_active = 1
	    WHERE m.organization_id = o.id)"
}

is "$(me .first_name)" '"Alice"' "first read"
is "$(me .organization.member_count)" 3 "member_count: three active members"
WHOLE=$(me .)
is "$(me .)" "$WHOLE" "repeated reads give the same body"

api_key "$KEY" PATCH /api/users/@me/ -H 'Content-Type: application/json' \
    --data-binary '{"first_name":"Alicia"}'
is "$STATUS" 200 "PATCH first_name"
is "$(me .first_name)" '"Alicia"' "the users row changed: new first_name"

sql_do "UPDATE users SET theme_mode = 'dark' WHERE id = $AID"
is "$(me .theme_mode)" '"dark"' "users row changed by SQL"

sql_do "UPDATE organizations SET name = 'Acme Two' WHERE id = '$ACME'"
is "$(me .organization.name)" '"Acme Two"' "organisation renamed by SQL"

sql_do "UPDATE teams SET name = 'Uno' WHERE id = $T1"
is "$(me .team.name)" '"Uno"' "team renamed by SQL"
is "$(me '.organization.teams|map(.name)')" '["Uno"]' "the organisation's team list too"

cli_into T3 team add --org "$ACME" --name Three
is "$(me '.organization.teams|map(.name)')" '["Uno","Three"]' "team added by the CLI"

cli user deactivate --email bob@example.com >/dev/null
is "$(me .organization.member_count)" 2 "a member deactivated (CLI): count 2"
cli user activate --email bob@example.com >/dev/null
is "$(me .organization.member_count)" 3 "reactivated: count 3"

sql_do "UPDATE users SET is_active = 0 WHERE email = 'carol@example.com'"
is "$(me .organization.member_count)" 2 "a member deactivated by SQL: count 2"
sql_do "UPDATE users SET is_active = 1 WHERE email = 'carol@example.com'"

cli member add --org "$OTHER" --email alice@example.com >/dev/null
is "$(me '.organizations|map(.name)')" '["Acme Two","Other"]' \
    "membership added by the CLI: a second organisation"
sql_do "UPDATE organization_memberships SET level = 8
    WHERE user_id = $AID AND organization_id = '$ACME'"
is "$(me .organization.membership_level)" 8 "membership level changed by SQL"

sql_do "DELETE FROM organization_memberships WHERE user_id = $AID AND
    organization_id = '$OTHER'"
is "$(me '.organizations|map(.name)')" '["Acme Two"]' "membership removed by SQL"

sql_do "INSERT INTO user_scene_personalisation (user_id, team_id, scene)
    VALUES ($AID, $T1, 'Insights')"
is "$(me .scene_personalisation)" '[{"scene":"Insights","dashboard":null}]' \
    "scene personalisation inserted by SQL"
cli_into D1 dashboard add --team "$T1" --name d1
sql_do "UPDATE user_scene_personalisation SET dashboard_id = $D1 WHERE user_id = $AID"
is "$(me .scene_personalisation)" "[{\"scene\":\"Insights\",\"dashboard\":$D1}]" \
    "scene pinned to a dashboard"
sql_do "DELETE FROM dashboards WHERE id = $D1"
is "$(me .scene_personalisation)" '[{"scene":"Insights","dashboard":null}]' \
    "the dashboard deleted: the cascade shows"

sql_do "INSERT INTO totp_devices (user_id, name, key_sealed, created_at) VALUES ($AID, 'default', 'x', NOW())"
is "$(me .is_2fa_enabled)" true "a TOTP device added by SQL"
sql_do "DELETE FROM totp_devices WHERE user_id = $AID"
is "$(me .is_2fa_enabled)" false "and removed"

sql_do "DELETE FROM teams WHERE id = $T1"
is "$(me .team.name)" '"Three"' "current team deleted: the next one is auto-selected"
is "$(me .scene_personalisation)" '[]' "its scene rows went with it (cascade)"

cli_into DAVE user add --email dave@example.com
DAVE_ID=$(sql "SELECT id FROM users WHERE email = 'dave@example.com'")
sql_do "INSERT INTO organization_memberships (organization_id, user_id, level,
    joined_at, updated_at) VALUES ('$OTHER', $DAVE_ID, 1, NOW(), NOW())"
is "$(members_of "$OTHER")" 1 \
    "membership inserted by SQL: Other counts 1"
sql_do "UPDATE organization_memberships SET organization_id = '$ACME'
    WHERE user_id = $DAVE_ID"
is "$(me .organization.member_count)" 4 "a membership moved into Acme by SQL: count 4"
is "$(members_of "$OTHER")" 0 \
    "and out of Other: 0"

sql_do "DELETE FROM users WHERE email = 'bob@example.com'"
is "$(me .organization.member_count)" 3 "a member deleted by SQL: count 3"
sql_do "UPDATE users SET is_active = 0 WHERE id = $DAVE_ID"
sql_do "DELETE FROM users WHERE id = $DAVE_ID"
is "$(me .organization.member_count)" 2 "an inactive member deleted: count unchanged (2)"

is "$(recount_matches)" 0 "every member_count equals a recount"

# Admin SQL that reads organizations while it writes memberships or users:
# the triggers write other tables, so MariaDB lets it run.
cli_into ERIN user add --email erin@example.com
sql_do "INSERT INTO organization_memberships (organization_id, user_id, level,
    joined_at, updated_at) SELECT o.id, u.id, 1, NOW(), NOW()
    FROM organizations o JOIN users u ON u.email = 'erin@example.com'
    WHERE o.name = 'Other'"
is "$(members_of "$OTHER")" 1 "INSERT ... SELECT FROM organizations adds a member"
sql_do "UPDATE users SET is_active = 0 WHERE id IN (SELECT m.user_id FROM
    organization_memberships m JOIN organizations o ON o.id = m.organization_id
    WHERE o.name = 'Other')"
is "$(members_of "$OTHER")" 0 "UPDATE users ... WHERE IN (organizations) deactivates"
sql_do "UPDATE users SET is_active = 1 WHERE email = 'erin@example.com'"
is "$(recount_matches)" 0 "every member_count still equals a recount"

cli_into SAM user add --email sam@example.com --staff
cli user deactivate --email carol@example.com >/dev/null
cli_into SKEY key add --email sam@example.com --scopes '*'
ACTIVE=$(sql "SELECT COUNT(*) FROM users WHERE is_active = 1")
is "$(sql "SELECT active FROM user_counts")" "$ACTIVE" \
    "user_counts.active equals a recount"
api_key "$SKEY" GET '/api/users/?limit=1'
is "$(jbody .count)" "$ACTIVE" "the unfiltered list counts the active users"
api_key "$SKEY" GET '/api/users/?limit=1&is_staff=false'
is "$(jbody .count)" "$((ACTIVE - 1))" "a filtered list counts by query"

# An organisation object depends on who asks: its membership_level is the
# requester's, and only members see its teams.  Sam (staff, not in Acme)
# and alice render it from the same workers' copies, in turns; alice's row
# is touched first so that her @me renders rather than reusing its body.
ALICE_ORG='.results[]|select(.email == "alice@example.com")|.organization'
LIST='/api/users/?limit=100'
is "$(read_as "$SKEY" "$LIST" "$ALICE_ORG|[.name, .membership_level, .teams]")" \
    '["Acme Two",null,[]]' "listed by staff outside Acme: no level, no teams"
sql_do "UPDATE users SET theme_mode = 'light' WHERE id = $AID"
is "$(me '.organization|[.name, .membership_level, (.teams|map(.name))]')" \
    '["Acme Two",8,["Three"]]' "rendered for alice: her level and the teams"
is "$(read_as "$SKEY" "$LIST" "$ALICE_ORG|[.membership_level, .teams]")" \
    '[null,[]]' "listed by staff again: still no level, no teams"
is "$(read_as "$SKEY" "$LIST" "$ALICE_ORG|.member_count")" \
    "$(members_of "$ACME")" "listed by staff: the member count"
cli user activate --email carol@example.com >/dev/null

# The counter rows deleted by hand: answers stay right (no copy, a count).
sql_do "DELETE FROM render_generation"
is "$(me .organization.name)" '"Acme Two"' "without render_generation: @me"
sql_do "UPDATE organizations SET name = 'Acme Three' WHERE id = '$ACME'"
is "$(me .organization.name)" '"Acme Three"' \
    "without render_generation: a rename shows (no copy is used)"
sql_do "DELETE FROM user_counts"
api_key "$SKEY" GET '/api/users/?limit=1'
is "$STATUS $(jbody .count)" "200 $(sql "SELECT COUNT(*) FROM users WHERE is_active = 1")" \
    "without user_counts: the list counts by query"
sql_do "INSERT INTO render_generation (id, n) VALUES (1, CAST(UNIX_TIMESTAMP(NOW(6)) * 1000000 AS UNSIGNED))"
sql_do "INSERT INTO user_counts (id, active) SELECT 1, COUNT(*) FROM users WHERE is_active = 1"
is "$(me .organization.name)" '"Acme Three"' "the rows back: @me"

sql_do "DELETE FROM organizations WHERE id = '$ACME'"
is "$(me .organization)" null "the organisation deleted: none left"
is "$(me .organizations)" '[]' "and no memberships"

sql_do "UPDATE users SET is_active = 0 WHERE id = $AID"
api_key "$KEY" GET /api/users/@me/
is "$STATUS" 401 "the user deactivated: the key no longer works"

done_testing
