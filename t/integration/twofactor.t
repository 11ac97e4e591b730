#!/usr/bin/env bash
# Two-factor authentication end to end (users-api.md §2.2.4, §5.7-5.11, §6,
# §7.1 step 5, §7.2): setup, status, backup codes, the login token step
# with TOTP and backup codes, replay and back-off, the remember-device
# cookie, staff actions, disabling, expiry, organisation enforcement.
set -u
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$top_srcdir/t/lib/tap.sh"
. "$top_srcdir/t/lib/stack.sh"

stack_require
stack_up --set password.iterations=1000 --set auth.two_factor_login_timeout=60 \
    --set auth.two_factor_setup_timeout=60
. "$top_srcdir/t/lib/session.sh"

PW='correct horse battery staple'
cli_into ALICE user add --email alice@example.com --password-stdin <<<"$PW"
cli_into BOB user add --email bob@example.com --staff --password-stdin <<<"$PW"
cli_into CAROL user add --email carol@example.com --password-stdin <<<"$PW"
cli_into KEY key add --email alice@example.com --scopes '*'
cli_into ORG org add --name Strict
cli_into TEAM team add --org "$ORG" --name Web
cli member add --org "$ORG" --email carol@example.com >/dev/null || bail_out "member add"

JSON=(-H 'Content-Type: application/json')
ERR_2FA_REQUIRED='{"type":"server_error","code":"2fa_required","detail":"2FA is required.","attr":null}'
ERR_INVALID='{"type":"validation_error","code":"2fa_invalid","detail":"Invalid authentication code","attr":null}'
ERR_TOO_MANY='{"type":"validation_error","code":"2fa_too_many_attempts","detail":"Too many attempts.","attr":null}'
ERR_EXPIRED='{"type":"validation_error","code":"2fa_expired","detail":"Login attempt has expired. Re-enter username/password.","attr":null}'
ERR_TOKEN_INVALID='{"type":"validation_error","code":"token_invalid","detail":"Token is not valid","attr":null}'
ERR_SETUP_EXPIRED='{"type":"validation_error","code":"setup_expired","detail":"2FA setup session expired. Please start setup again.","attr":null}'
ERR_TOKEN_REQUIRED='{"type":"validation_error","code":"required","detail":"This field is required.","attr":"token"}'

expect() {
	is "$STATUS" "$1" "$3: status"
	is "$BODY" "$2" "$3: body"
}
token_step() {	# token_step JAR TOKEN-JSON-VALUE [curl args]
	local jar=$1 tok=$2
	shift 2
	api POST /api/login/token -b "$jar" -c "$jar" "${JSON[@]}" \
	    --data-binary "{\"token\":$tok}" "$@"
}
mail_count() {
	grep -l "^Subject: $1" "$PRICKLE_MAILDIR"/* 2>/dev/null | wc -l
}

# --- setup -------------------------------------------------------------------
A=$(new_jar)
login "$A" alice@example.com "$PW"
is "$STATUS" 200 "alice logs in (no 2FA yet)"
sapi "$A" GET /api/users/@me/two_factor_status/
expect 200 '{"is_enabled":false,"backup_codes_remaining":0,"method":null,"has_passkeys":false,"has_totp":false,"passkeys_enabled_for_2fa":false}' \
    "status before setup"
sapi "$A" POST /api/users/@me/two_factor_backup_codes/
expect 400 '{"type":"validation_error","code":"2fa_not_enabled","detail":"2FA must be enabled first","attr":null}' \
    "backup codes need 2FA"
sapi "$A" POST /api/users/@me/two_factor_validate/ "${JSON[@]}" --data-binary '{"token":"123456"}'
expect 400 "$ERR_SETUP_EXPIRED" "validate without a started setup"

sapi "$A" GET /api/users/@me/start_2fa_setup/
is "$STATUS" 200 "start_2fa_setup (deprecated alias): 200"
sapi "$A" GET "/api/users/$BOB/two_factor_start_setup/"
is "$STATUS" 200 "two_factor_start_setup on someone else's id acts on the caller"
is "$(jbody 'keys_unsorted')" '["success","secret"]' "setup response keys"
is "$(jbody .success)" true "setup: success true"
SECRET=$(jbody -r .secret)
like "$SECRET" '^[A-Z2-7]{32}$' "setup: a 32-character base32 secret"
sealed=$(sql "SELECT setup_secret_sealed FROM sessions WHERE key_hash = SHA2('$(jar_cookie "$A" sessionid)', 256)")
hexsecret=$(python3 -c "import base64,sys; print(base64.b32decode(sys.argv[1]).hex())" "$SECRET")
[[ -n $sealed && $sealed != *"$hexsecret"* ]]
ok $? "the pending secret is stored sealed, not in clear"

api_key "$KEY" GET /api/users/@me/two_factor_start_setup/
expect 403 "$ERR_NO_KEY_ACCESS" "keys are refused on two_factor_start_setup"
sapi "$A" POST /api/users/@me/two_factor_validate/ "${JSON[@]}" --data-binary '{}'
expect 400 "$ERR_TOKEN_REQUIRED" "validate without token"
sapi "$A" POST /api/users/@me/two_factor_validate/ "${JSON[@]}" --data-binary '[1]'
expect 400 "$ERR_TOKEN_REQUIRED" "validate with a non-object body"
sapi "$A" POST /api/users/@me/two_factor_validate/ "${JSON[@]}" --data-binary '{"token":"abcdef"}'
expect 400 "$ERR_TOKEN_INVALID" "validate with letters"
WRONG=$(printf '%06d' $(( (10#$(totp "$SECRET") + 500000) % 1000000 )))
sapi "$A" POST /api/users/@me/two_factor_validate/ "${JSON[@]}" --data-binary "{\"token\":\"$WRONG\"}"
expect 400 "$ERR_TOKEN_INVALID" "validate with a wrong code"
api_key "$KEY" POST /api/users/@me/two_factor_validate/ "${JSON[@]}" --data-binary "{\"token\":\"$(totp "$SECRET")\"}"
expect 403 "$ERR_NO_KEY_ACCESS" "keys are refused on two_factor_validate"
CODE=$(totp "$SECRET")
sapi "$A" POST /api/users/@me/validate_2fa/ "${JSON[@]}" --data-binary "{\"token\":\" $CODE.0 \"}"
expect 200 '{"success":true}' "validate_2fa with the current code (trimmed, .0 tolerated)"
is "$(mail_count 'Two-factor authentication enabled')" 1 "a '2FA enabled' mail was sent"
is "$(sql "SELECT name, drift, last_t FROM totp_devices WHERE user_id = (SELECT id FROM users WHERE email = 'alice@example.com')")" \
    "default	0	-1" "a 'default' device with drift 0, last_t -1"
sealed=$(sql "SELECT key_sealed FROM totp_devices")
[[ $sealed != *"$hexsecret"* ]]
ok $? "the device key is stored sealed"
sapi "$A" POST /api/users/@me/two_factor_validate/ "${JSON[@]}" --data-binary "{\"token\":\"$CODE\"}"
expect 400 "$ERR_SETUP_EXPIRED" "the pending secret is used up"
sapi "$A" GET /api/users/@me/
is "$(jbody .is_2fa_enabled)" true "user object: is_2fa_enabled"

sapi "$A" GET /api/users/@me/two_factor_status
expect 200 '{"is_enabled":true,"backup_codes_remaining":0,"method":"TOTP","has_passkeys":false,"has_totp":true,"passkeys_enabled_for_2fa":false}' \
    "status after setup"
api_key "$KEY" GET /api/users/@me/two_factor_status/
expect 403 "$ERR_NO_KEY_ACCESS" "keys are refused on two_factor_status"

# --- backup codes -----------------------------------------------------------------
sapi "$A" POST /api/users/@me/two_factor_backup_codes/
is "$STATUS" 200 "backup codes: 200"
OLD_CODES=$(jbody -r '.backup_codes[]')
sapi "$A" POST /api/users/@me/two_factor_backup_codes/
is "$(jbody 'keys_unsorted')" '["backup_codes"]' "backup codes response keys"
is "$(jbody '.backup_codes | length')" 10 "ten backup codes"
is "$(jbody '[.backup_codes[] | test("^[a-z2-7]{8}$")] | all')" true "codes are 8 chars of [a-z2-7]"
mapfile -t CODES < <(jbody -r '.backup_codes[]')
is "$(sql "SELECT COUNT(*) FROM otp_static_tokens WHERE token_hash = SHA2('${CODES[0]}', 256)")" 1 \
    "backup codes are stored as SHA-256"
sapi "$A" GET /api/users/@me/two_factor_status/
is "$(jbody .backup_codes_remaining)" 10 "status counts 10 codes (old ones replaced)"
api_key "$KEY" POST /api/users/@me/two_factor_backup_codes/
expect 403 "$ERR_NO_KEY_ACCESS" "keys are refused on two_factor_backup_codes"

# --- login with the second factor ---------------------------------------------------
sapi "$A" POST /api/logout
is "$STATUS" 204 "logout"
P=$(new_jar)
login "$P" alice@example.com "$PW"
expect 401 "$ERR_2FA_REQUIRED" "password login of a 2FA user"
like "$(set_cookie_line sessionid)" '^sessionid=[a-z0-9]{32}; .*HttpOnly; Max-Age=1209600; Path=/; SameSite=Lax; Secure$' \
    "2fa_required sets the pending session cookie"
is "$(set_cookie_line posthog_csrftoken)" "" "no CSRF rotation before the login completes"
api GET /api/users/@me/ -b "$P"
expect 401 "$ERR_NOT_AUTHENTICATED" "the pending session is not logged in"
token_step "$(new_jar)" '"123456"'
expect 400 "$ERR_EXPIRED" "token step without a pending login"
token_step "$P" '"x"' -X GET
is "$STATUS" 405 "GET /api/login/token: 405"
api POST /api/login/token -b "$P" "${JSON[@]}" --data-binary '{}'
expect 400 "$ERR_TOKEN_REQUIRED" "token step without a token"
CODE=$(totp "$SECRET")
token_step "$P" "$((10#$CODE))"	# a JSON number has no leading zeros
expect 200 '{"success":true}' "token step with the current TOTP (a JSON number)"
REMEMBER=$(set_cookie_line 'remember-cookie_*')
like "$REMEMBER" '^remember-cookie_[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}=[0-9A-Za-z]+:[0-9a-f]{32}:[0-9a-f]{64}; expires=[^;]+ GMT; HttpOnly; Max-Age=2592000; Path=/; SameSite=Strict; Secure$' \
    "remember-device cookie: uuid4 name, 30 days, Strict, Secure, HttpOnly"
like "$(set_cookie_line sessionid)" '^sessionid=[a-z0-9]{32};' "the login issues a session cookie"
like "$(set_cookie_line posthog_csrftoken)" '^posthog_csrftoken=[A-Za-z0-9]{32};' "the login rotates the CSRF token"
sapi "$P" GET /api/users/@me/
is "$(jbody -r .email)" alice@example.com "the second factor completed the login"
is "$(sql "SELECT two_factor_verified FROM sessions WHERE key_hash = SHA2('$(jar_cookie "$P" sessionid)', 256)")" 1 \
    "the session is marked 2FA-verified"

# Replay of the used code, then the doubled failure counter's back-off.
R=$(new_jar)
login "$R" alice@example.com "$PW"
is "$STATUS" 401 "second login: 2fa_required"
token_step "$R" "\"$CODE\""
expect 400 "$ERR_INVALID" "replaying a used TOTP code is refused"
token_step "$R" "\"${CODES[0]}\""
expect 400 "$ERR_TOO_MANY" "right after a failure (counted twice): too many attempts, even for a backup code"
sleep 2.2
token_step "$R" "\"${CODES[0]}\""
expect 200 '{"success":true}' "after the 2 s back-off a backup code logs in"
is "$(mail_count 'A backup code was used')" 1 "a 'backup code used' mail was sent"
sapi "$R" GET /api/users/@me/two_factor_status/
is "$(jbody .backup_codes_remaining)" 9 "the used backup code is gone"

R2=$(new_jar)
login "$R2" alice@example.com "$PW"
token_step "$R2" "\"${CODES[0]}\""
expect 400 "$ERR_INVALID" "a backup code works only once"
token_step "$R2" "\"${CODES[1]}\""
expect 400 "$ERR_TOO_MANY" "back-off after the failure"
sleep 2.2
token_step "$R2" "\"$(printf '%s' "${OLD_CODES%%$'\n'*}")\""
expect 400 "$ERR_INVALID" "a replaced backup code is invalid"
token_step "$R2" "\"${CODES[1]}\""
expect 400 "$ERR_TOO_MANY" "two failures: 8 s back-off"
sleep 8.2
token_step "$R2" "\"${CODES[1]}\""
expect 200 '{"success":true}' "after the 8 s back-off the next backup code works"

# The remember-device cookie skips the second factor.
login "$P" alice@example.com "$PW" -H "X-CSRFToken: $(jar_cookie "$P" posthog_csrftoken)" \
    -H "Referer: $PRICKLE_URL/"
expect 200 '{"success":true}' "a remembered device skips the second factor"
RNAME=${REMEMBER%%=*}
val=${REMEMBER#*=}
val=${val%%;*}
if [[ ${val: -1} == 0 ]]; then bad=${val:0:-1}1; else bad=${val:0:-1}0; fi
T=$(new_jar)
jar_set "$T" "$RNAME" "$bad"
login "$T" alice@example.com "$PW"
expect 401 "$ERR_2FA_REQUIRED" "a tampered remember cookie does not"
U=$(new_jar)
jar_set "$U" "$RNAME" "$val"
login "$U" carol@example.com "$PW"
is "$STATUS" 200 "carol (no 2FA) logs in with alice's remember cookie present"
cli user set-password --email alice@example.com <<<"another horse battery staple" >/dev/null ||
    bail_out "set-password"
PW2='another horse battery staple'
U=$(new_jar)
jar_set "$U" "$RNAME" "$val"
login "$U" alice@example.com "$PW2"
expect 401 "$ERR_2FA_REQUIRED" "the remember cookie dies with a password change"
api GET /api/users/@me/ -b "$P"
expect 401 "$ERR_NOT_AUTHENTICATED" "set-password ended alice's sessions"

# The pending login expires (auth.two_factor_login_timeout = 60): age it.
sql_do "UPDATE sessions SET pending_at = pending_at - 60.5 WHERE key_hash = SHA2('$(jar_cookie "$U" sessionid)', 256)"
token_step "$U" "\"${CODES[2]}\""
expect 400 "$ERR_EXPIRED" "the pending login expired"

# A backup code is redeemed exactly once under 20 concurrent logins.
JARS=()
for i in $(seq 1 20); do
	JARS[i]=$(new_jar)
	login "${JARS[i]}" alice@example.com "$PW2"
done
PIDS=()
for i in $(seq 1 20); do
	curl -sS --cacert "$PRICKLE_CA" -o /dev/null -w '%{http_code}\n' \
	    -b "${JARS[i]}" "${JSON[@]}" --data-binary "{\"token\":\"${CODES[3]}\"}" \
	    "$PRICKLE_URL/api/login/token" >"$STACK_TMP/race.$i" &
	PIDS+=($!)
done
wait "${PIDS[@]}"
is "$(cat "$STACK_TMP"/race.* | grep -c '^200$')" 1 "exactly one of 20 concurrent logins redeems the code"
is "$(cat "$STACK_TMP"/race.* | grep -c '^400$')" 19 "the other 19 are refused"

# --- staff and other users -----------------------------------------------------------
B=$(new_jar)
login "$B" bob@example.com "$PW"
sapi "$B" GET "/api/users/$ALICE/two_factor_status/"
is "$(jbody .is_enabled)" true "staff reads another user's 2FA status"
C=$(new_jar)
login "$C" carol@example.com "$PW"
sapi "$C" GET "/api/users/$ALICE/two_factor_status/"
expect 403 "$ERR_ONLY_ME" "non-staff cannot read another user's status"
sapi "$C" POST "/api/users/$ALICE/two_factor_disable/"
expect 403 "$ERR_ONLY_ME" "non-staff cannot disable another user's 2FA"
sapi "$B" POST "/api/users/$ALICE/two_factor_backup_codes/"
is "$(jbody '.backup_codes | length')" 10 "staff generates codes for another user"
api_key "$KEY" POST /api/users/@me/two_factor_disable/
expect 403 "$ERR_NO_KEY_ACCESS" "keys are refused on two_factor_disable"
sapi "$B" POST "/api/users/$ALICE/two_factor_disable/"
expect 200 '{"success":true}' "staff disables another user's 2FA"
is "$(mail_count 'Two-factor authentication disabled')" 1 "a '2FA disabled' mail was sent"
sapi "$B" GET "/api/users/$ALICE/two_factor_status/"
expect 200 '{"is_enabled":false,"backup_codes_remaining":0,"method":null,"has_passkeys":false,"has_totp":false,"passkeys_enabled_for_2fa":false}' \
    "status after disable"
is "$(sql "SELECT (SELECT COUNT(*) FROM totp_devices) + (SELECT COUNT(*) FROM otp_static_tokens)")" 0 \
    "devices and backup codes are deleted"
A2=$(new_jar)
login "$A2" alice@example.com "$PW2"
expect 200 '{"success":true}' "after disable alice logs in with the password alone"
sapi "$A2" POST /api/users/@me/two_factor_disable/
expect 200 '{"success":true}' "disable succeeds even when 2FA is off"

# The setup secret expires (auth.two_factor_setup_timeout = 60): age it.
sapi "$A2" GET /api/users/@me/two_factor_start_setup/
S2=$(jbody -r .secret)
sql_do "UPDATE sessions SET setup_at = setup_at - 60.5 WHERE key_hash = SHA2('$(jar_cookie "$A2" sessionid)', 256)"
sapi "$A2" POST /api/users/@me/two_factor_validate/ "${JSON[@]}" --data-binary "{\"token\":\"$(totp "$S2")\"}"
expect 400 "$ERR_SETUP_EXPIRED" "an old setup secret has expired"

# --- organisation-enforced 2FA --------------------------------------------------------
SETUP_REQ='{"type":"authentication_error","code":"two_factor_setup_required","detail":"2FA setup required","attr":null}'
VERIFY_REQ='{"type":"authentication_error","code":"two_factor_verification_required","detail":"2FA verification required","attr":null}'
cli org set --org "$ORG" --enforce-2fa true >/dev/null || bail_out "org set"
cli_into CKEY key add --email carol@example.com --scopes '*'
C2=$(new_jar)
login "$C2" carol@example.com "$PW"
is "$STATUS" 200 "login is allowed under enforcement"
sapi "$C" GET /api/users/@me/
is "$STATUS" 200 "/api/users/@me/ is on the allow-list"
sapi "$C" GET /api/users/@me
expect 403 "$SETUP_REQ" "/api/users/@me without a slash is not"
sapi "$C" GET /api/users/
expect 403 "$SETUP_REQ" "GET /api/users/: setup required"
sapi "$C" PATCH /api/users/@me/hedgehog_config/ "${JSON[@]}" --data-binary '{}'
expect 403 "$SETUP_REQ" "hedgehog_config: setup required"
sapi_nocsrf "$C" POST /api/users/@me/two_factor_backup_codes
expect 403 "$SETUP_REQ" "enforcement comes before CSRF"
api_key "$CKEY" GET /api/users/
is "$STATUS" 200 "key requests are not subject to enforcement"
sapi "$C" GET /api/users/@me/two_factor_status/
is "$STATUS" 200 "two_factor_status/ is allowed"
sapi "$C" GET /api/users/@me/two_factor_start_setup/
is "$STATUS" 200 "two_factor_start_setup/ is allowed"
CS=$(jbody -r .secret)
sapi "$C" POST /api/users/@me/two_factor_validate/ "${JSON[@]}" --data-binary "{\"token\":\"$(totp "$CS")\"}"
expect 200 '{"success":true}' "two_factor_validate/ is allowed and enables 2FA"
sapi "$C" GET /api/users/
is "$STATUS" 200 "the validating session is 2FA-verified"
sapi "$C2" GET /api/users/
expect 403 "$VERIFY_REQ" "an older session of the same user is not verified"
sapi "$C2" GET /api/users/@me/two_factor_status/
is "$STATUS" 200 "the unverified session may still read two_factor_status/"
sapi "$C2" POST /api/logout/
is "$STATUS" 204 "/api/logout/ is allowed"
C3=$(new_jar)
login "$C3" carol@example.com "$PW"
is "$STATUS" 401 "carol's next login needs the second factor"
token_step "$C3" "\"$(totp "$CS")\""
is "$STATUS" 200 "token step"
sapi "$C3" GET /api/users/
is "$STATUS" 200 "a session verified by the token step passes enforcement"
cli org set --org "$ORG" --enforce-2fa false >/dev/null || bail_out "org set"

done_testing
