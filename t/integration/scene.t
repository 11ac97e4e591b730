#!/usr/bin/env bash
# POST /api/users/:id/scene_personalisation/ (users-api.md §5.6): validation
# order and messages, upsert per (user, current team, scene), the full user
# object in reply, keys refused, staff acting on another user.
set -u
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$top_srcdir/t/lib/tap.sh"
. "$top_srcdir/t/lib/stack.sh"

stack_require
stack_up --set password.iterations=1000
. "$top_srcdir/t/lib/session.sh"

PW='correct horse battery staple'
cli_into ALICE user add --email alice@example.com --password-stdin <<<"$PW"
cli_into BOB user add --email bob@example.com --password-stdin <<<"$PW"
cli_into SAM user add --email sam@example.com --staff --password-stdin <<<"$PW"
cli_into ORG org add --name Acme
cli_into T1 team add --org "$ORG" --name One
cli_into T2 team add --org "$ORG" --name Two
cli member add --org "$ORG" --email alice@example.com >/dev/null || bail_out "member add"
cli_into D1 dashboard add --team "$T1" --name d1
cli_into D2 dashboard add --team "$T2" --name d2
cli_into D3 dashboard add --team "$T1" --name d3
cli_into KEY key add --email alice@example.com --scopes '*'

JAR=$(new_jar)
login "$JAR" alice@example.com "$PW"
is "$STATUS" 200 "alice logs in"
BJAR=$(new_jar)
login "$BJAR" bob@example.com "$PW"
SJAR=$(new_jar)
login "$SJAR" sam@example.com "$PW"

URL=/api/users/@me/scene_personalisation/
scene() {	# scene BODY [jar] [url]
	sapi "${2:-$JAR}" POST "${3:-$URL}" -H 'Content-Type: application/json' --data-binary "$1"
}
verr() {	# verr CODE DETAIL ATTR|null
	local attr=null
	[ "$3" != null ] && attr="\"$3\""
	printf '{"type":"validation_error","code":"%s","detail":"%s","attr":%s}' "$1" "$2" "$attr"
}
expect() {
	is "$STATUS" "$1" "$3: status"
	is "$BODY" "$2" "$3: body"
}
LONG=$(printf 'x%.0s' $(seq 1 201))

scene "{\"scene\":\"Dashboards\",\"dashboard\":$D1}"
is "$STATUS" 200 "pin a dashboard: 200"
is "$(jbody 'keys_unsorted')" "$USER_FIELDS" "the reply is the full user object"
is "$(jbody .scene_personalisation)" "[{\"scene\":\"Dashboards\",\"dashboard\":$D1}]" "the pin is listed"
is "$(jbody .team.id)" "$T1" "the current team was auto-selected (first team)"
scene "{\"scene\":\"Insights\",\"dashboard\":\"$D3\",\"user\":999,\"team\":$T2}"
is "$STATUS" 200 "a second scene (pk as a string; user/team ignored)"
scene "{\"scene\":\"Dashboards\",\"dashboard\":$D3}"
is "$(jbody .scene_personalisation)" "[{\"scene\":\"Dashboards\",\"dashboard\":$D3},{\"scene\":\"Insights\",\"dashboard\":$D3}]" \
    "updating a scene keeps its position"
scene "{\"scene\":\"dashboards\",\"dashboard\":$D1}"
is "$(jbody '.scene_personalisation | length')" 3 "scene names are case-sensitive"

# validation, in order
scene '{"scene":"","dashboard":1}'
expect 400 "$(verr blank 'This field may not be blank.' scene)" "blank scene"
scene "{\"scene\":\"$LONG\",\"dashboard\":$D1}"
expect 400 "$(verr max_length 'Ensure this field has no more than 200 characters.' scene)" "scene of 201 chars"
scene '{"scene":true,"dashboard":1}'
expect 400 "$(verr invalid_input 'Not a valid string.' scene)" "scene not a string"
scene '{"scene":"","dashboard":"abc"}'
is "$(jbody -r .attr)" scene "a scene error wins over a dashboard error"
scene '{"scene":"X","dashboard":12345}'
expect 400 "$(verr does_not_exist 'Invalid pk \"12345\" - object does not exist.' dashboard)" "unknown dashboard"
scene '{"scene":"X","dashboard":"abc"}'
expect 400 "$(verr incorrect_type 'Incorrect type. Expected pk value, received str.' dashboard)" "dashboard not a number"
scene '{"scene":"X","dashboard":[1]}'
expect 400 "$(verr incorrect_type 'Incorrect type. Expected pk value, received list.' dashboard)" "dashboard a list"
scene '{"scene":"X","dashboard":true}'
expect 400 "$(verr incorrect_type 'Incorrect type. Expected pk value, received bool.' dashboard)" "dashboard a boolean"
scene '{"scene":"X","dashboard":null}'
expect 400 "$(verr null 'This field may not be null.' dashboard)" "dashboard null"
scene "{\"scene\":\"X\",\"dashboard\":$D2}"
expect 400 "$(verr invalid_input "Dashboard must belong to the user's current team." dashboard)" "dashboard of another team"
scene '{"scene":"X"}'
expect 400 "$(verr invalid_input 'Dashboard must be provided.' null)" "dashboard missing"
scene "{\"dashboard\":$D1}"
expect 400 "$(verr invalid_input 'Scene must be provided.' null)" "scene missing"
scene '{}'
expect 400 "$(verr invalid_input 'Dashboard must be provided.' null)" "both missing: the dashboard message"
scene '{"dashboard":12345}'
is "$(jbody -r .code)" does_not_exist "field errors come before presence checks"
scene '[]'
expect 400 "$(verr invalid_input 'Invalid data. Expected a dictionary, but got list.' null)" "a list body"
is "$(sql "SELECT COUNT(*) FROM user_scene_personalisation WHERE scene = 'X'")" 0 "nothing was saved by the failures"

# another team
sapi "$JAR" PATCH /api/users/@me/ -H 'Content-Type: application/json' --data-binary "{\"set_current_team\":$T2}"
is "$STATUS" 200 "switch to team Two"
scene "{\"scene\":\"Dashboards\",\"dashboard\":$D2}"
is "$(jbody '[.scene_personalisation[].dashboard]')" "[$D3,$D3,$D1,$D2]" "a pin per team, all teams listed in insertion order"
is "$(sql "SELECT team_id FROM user_scene_personalisation ORDER BY id DESC LIMIT 1")" "$T2" "stored for the current team"

# who may call it
api_key "$KEY" POST "$URL" -H 'Content-Type: application/json' --data-binary "{\"scene\":\"K\",\"dashboard\":$D2}"
expect 403 "$ERR_NO_KEY_ACCESS" "keys are refused"
sapi_nocsrf "$JAR" POST "$URL" -H 'Content-Type: application/json' --data-binary "{\"scene\":\"K\",\"dashboard\":$D2}"
is "$(jbody -r .detail)" "CSRF Failed: Referer checking failed - no Referer." "CSRF applies"
scene "{\"scene\":\"K\",\"dashboard\":$D2}" "$BJAR" "/api/users/$ALICE/scene_personalisation/"
expect 403 "$ERR_ONLY_ME" "non-staff on another user"
scene "{\"scene\":\"K\",\"dashboard\":$D1}" "$BJAR"
expect 400 "$(verr invalid_input "Dashboard must belong to the user's current team." dashboard)" \
    "a user without a team cannot pin"
scene "{\"scene\":\"Staff\",\"dashboard\":$D2}" "$SJAR" "/api/users/$ALICE/scene_personalisation/"
is "$STATUS" 200 "staff pins for another user"
is "$(jbody -r .email)" alice@example.com "staff get the target's user object"
is "$(jbody '.scene_personalisation[-1]')" "{\"scene\":\"Staff\",\"dashboard\":$D2}" "the target's list"
api GET "$URL"
is "$STATUS" 401 "anonymous: 401"
sapi "$JAR" GET "$URL"
is "$STATUS" 405 "GET: 405"

done_testing
