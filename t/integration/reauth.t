#!/usr/bin/env bash
# Re-authentication freshness for session writes (users-api.md §2.5, §2.6):
# stale sessions may only change the exempt fields, hedgehog_config and
# scene personalisation; keys are never affected; logging in again helps.
set -u
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$top_srcdir/t/lib/tap.sh"
. "$top_srcdir/t/lib/stack.sh"

stack_require
stack_up --set password.iterations=1000 --set auth.sensitive_action_age=2
. "$top_srcdir/t/lib/session.sh"

PW='correct horse battery staple'
cli_into ALICE user add --email alice@example.com --password-stdin <<<"$PW"
cli_into ORG org add --name Acme
cli_into TEAM team add --org "$ORG" --name Web
cli member add --org "$ORG" --email alice@example.com >/dev/null || bail_out "member add"
cli_into KEY key add --email alice@example.com --scopes '*'

ERR_REAUTH='{"type":"authentication_error","code":"sensitive_action_required_reauth","detail":"This action requires you to be recently authenticated.","attr":null}'
JSON=(-H 'Content-Type: application/json')

JAR=$(new_jar)
login "$JAR" alice@example.com "$PW"
is "$STATUS" 200 "logged in"
sapi "$JAR" PATCH /api/users/@me/ "${JSON[@]}" --data-binary '{"first_name":"Fresh"}'
is "$STATUS" 200 "fresh session: a sensitive PATCH passes"
CREATED=$(sql "SELECT created_at FROM sessions WHERE key_hash = SHA2('$(jar_cookie "$JAR" sessionid)', 256)")
EXPECT=$(python3 -c "import datetime,sys; t=float(sys.argv[1])+2; print(datetime.datetime.fromtimestamp(t, datetime.timezone.utc).isoformat())" "$CREATED")
is "$(jbody -r .sensitive_session_expires_at)" "$EXPECT" "sensitive_session_expires_at = login + sensitive_action_age"

sleep 3

stale_patch() {
	sapi "$JAR" PATCH /api/users/@me/ "${JSON[@]}" --data-binary "$1"
}

stale_patch '{"first_name":"Stale"}'
is "$STATUS" 403 "stale session: first_name PATCH refused"
is "$BODY" "$ERR_REAUTH" "stale session: re-auth error body"
for body in '{"theme_mode":"dark"}' '{"shortcut_position":"below"}' \
    '{"allow_sidebar_suggestions":true}' '{"has_seen_product_intro_for":{"x":true}}' \
    '{"events_column_config":{"active":["a"]}}' '{"role_at_organization":"engineering"}' \
    "{\"set_current_team\":$TEAM}" "{\"set_current_organization\":\"$ORG\"}" \
    "{\"theme_mode\":\"light\",\"set_current_team\":$TEAM,\"shortcut_position\":\"above\"}"; do
	stale_patch "$body"
	is "$STATUS" 200 "stale session: exempt PATCH $body"
done
stale_patch '{"theme_mode":"dark","first_name":"X"}'
is "$BODY" "$ERR_REAUTH" "one non-exempt field makes the PATCH sensitive"
stale_patch '{}'
is "$BODY" "$ERR_REAUTH" "an empty PATCH is sensitive"
stale_patch '[]'
is "$BODY" "$ERR_REAUTH" "a non-object PATCH is sensitive"
stale_patch '{"theme_mode":"nope"}'
is "$STATUS" 400 "exempt field with a bad value: validation error, not re-auth"
sapi "$JAR" PUT /api/users/@me/ "${JSON[@]}" --data-binary '{"theme_mode":"dark"}'
is "$STATUS" 400 "PUT of exempt fields only passes the re-auth check (then 400: email required)"
sapi "$JAR" PATCH /api/users/@me/hedgehog_config/ "${JSON[@]}" --data-binary '{"color":"green"}'
is "$STATUS" 200 "hedgehog_config PATCH is exempt"
sapi "$JAR" POST /api/users/@me/scene_personalisation/ "${JSON[@]}" --data-binary '{}'
is "$(jbody -r .code)" invalid_input "scene_personalisation is exempt (reaches validation)"
sapi "$JAR" DELETE /api/users/@me/
is "$BODY" "$ERR_REAUTH" "DELETE (user with memberships) on a stale session: re-auth before 409"
for action in two_factor_validate validate_2fa two_factor_backup_codes two_factor_disable; do
	sapi "$JAR" POST "/api/users/@me/$action/" "${JSON[@]}" --data-binary '{"token":"123456"}'
	is "$BODY" "$ERR_REAUTH" "POST $action on a stale session"
done
sapi "$JAR" POST /api/users/
is "$BODY" "$ERR_REAUTH" "stale session, unsupported method: re-auth before 405"
sapi_nocsrf "$JAR" PATCH /api/users/@me/ "${JSON[@]}" --data-binary '{"first_name":"X"}'
is "$(jbody -r .detail)" "CSRF Failed: Referer checking failed - no Referer." "CSRF comes before re-auth"
sapi "$JAR" GET /api/users/@me/
is "$STATUS" 200 "GET is always allowed"
sapi "$JAR" GET /api/users/@me/two_factor_start_setup/
is "$STATUS" 200 "GET two_factor_start_setup is always allowed"
api_key "$KEY" PATCH /api/users/@me/ "${JSON[@]}" --data-binary '{"first_name":"ByKey"}'
is "$STATUS" 200 "key requests are never re-auth-checked"
is "$(jbody -r .sensitive_session_expires_at)" null "key requests report no sensitive_session_expires_at"

login "$JAR" alice@example.com "$PW" -H "X-CSRFToken: $(jar_cookie "$JAR" posthog_csrftoken)" \
    -H "Referer: $PRICKLE_URL/"
is "$STATUS" 200 "logging in again from the stale session"
stale_patch '{"first_name":"Again"}'
is "$STATUS" 200 "the new session is fresh"

done_testing
