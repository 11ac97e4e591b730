#!/usr/bin/env bash
# Email changes with outgoing mail configured (users-api.md §5.3.5, §5.12):
# validation, pending_email + verification mail, verify_email, single-use
# tokens, cancel_email_change_request, case-only changes, uniqueness.
set -u
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$top_srcdir/t/lib/tap.sh"
. "$top_srcdir/t/lib/stack.sh"

stack_require
stack_up --set password.iterations=1000 --set auth.password_throttle_rate=1000/60
. "$top_srcdir/t/lib/session.sh"

PW='correct horse battery staple'
cli_into ANN user add --email ann@example.com --password-stdin <<<"$PW"
cli_into BEN user add --email Ben@Example.com
cli_into K_ANN key add --email ann@example.com --scopes 'user:write'
# Verified accounts: logging in an unverified one (re)sends a verification
# mail (users-api.md §7.1 step 4), which would blur the mail counts below.
sql_do "UPDATE users SET is_email_verified = 1"

verr() {
	jq -cn --arg c "$1" --arg d "$2" --arg a "$3" \
	    '{type:"validation_error",code:$c,detail:$d,attr:(if $a == "" then null else $a end)}'
}
spatch() { sapi "$J" PATCH "$1" -H 'Content-Type: application/json' --data-binary "$2"; }
email_to() { spatch /api/users/@me/ "$(jq -cn --arg e "$1" '{email: $e}')"; }
verify() { api POST /api/users/verify_email/ -H 'Content-Type: application/json' --data-binary "$1"; }
col() { sql "SELECT $1 FROM users WHERE uuid = '$ANN'"; }
mails() { find "$PRICKLE_MAILDIR" -type f -name '*.eml' | wc -l; }
last_mail() { cat "$(find "$PRICKLE_MAILDIR" -type f -name '*.eml' | sort | tail -n 1)"; }
# The token in the newest message's verify_email link.
mail_token() { last_mail | grep -o "verify_email/$ANN/[A-Za-z0-9]*" | head -n 1 | sed 's,.*/,,'; }
ERR_INVALID_TOKEN=$(verr invalid_token "This verification token is invalid or has expired." token)
ERR_NO_CHANGE='{"type":"validation_error","code":"email_change_request_not_found","detail":"No active email change requests found.","attr":null}'

J=$(new_jar)
login "$J" ann@example.com "$PW"
is "$STATUS" 200 "ann logs in"

# --- validation -----------------------------------------------------------------------
for bad in 'plain' 'a@b' 'a@@example.com' 'a b@example.com' '@example.com' 'a@example.c'; do
	email_to "$bad"
	is "$STATUS $BODY" "400 $(verr invalid_input "Enter a valid email address." email)" "invalid email '$bad'"
done
email_to ''
is "$BODY" "$(verr blank "This field may not be blank." email)" "blank email"
spatch /api/users/@me/ '{"email":null}'
is "$BODY" "$(verr null "This field may not be null." email)" "null email"
email_to "$(printf 'a%.0s' $(seq 243))@example.com"
is "$BODY" "$(verr max_length "Ensure this field has no more than 254 characters." email)" "255-char email"
email_to 'BEN@example.COM'
is "$STATUS $BODY" "400 $(verr unique "user with this email address already exists." email)" \
    "another user's address (any case): 400 unique"
is "$(mails)" 0 "no mail after failures"

# --- case-only change -----------------------------------------------------------------------
email_to '  Ann@Example.com '
is "$STATUS $(jbody -r .email) $(jbody .pending_email)" "200 Ann@Example.com null" "case-only change stored directly"
is "$(mails)" 0 "case-only change: no mail"
email_to 'ann@example.com'

# --- a real change: pending + verification mail -------------------------------------------------
email_to 'new@example.com'
is "$STATUS" 200 "change: 200"
is "$(jbody -r .email) $(jbody -r .pending_email)" "ann@example.com new@example.com" \
    "email unchanged, pending_email set"
is "$(mails)" 1 "one verification mail"
MSG=$(last_mail)
like "$MSG" $'(^|\n)To: new@example.com\n' "sent to the new address"
like "$MSG" $'\nContent-Type: text/plain; charset=utf-8\n' "plain text UTF-8"
like "$MSG" "$ANN" "the mail carries the user's uuid"
TOKEN1=$(mail_token)
like "$TOKEN1" '^[A-Za-z0-9]{40}$' "the mail carries a 40-char token"
is "$(sql "SELECT COUNT(*) FROM email_verification_tokens WHERE token_hash = SHA2('$TOKEN1', 256)")" 1 \
    "the token is stored as its SHA-256"
is "$(sql "SELECT COUNT(*) FROM email_verification_tokens WHERE token_hash = '$TOKEN1'")" 0 \
    "the token itself is not stored"
unlike "$(cat "$PRICKLE_LOG")" "$TOKEN1" "the token is never logged"

# password failure: nothing is staged
spatch /api/users/@me/ "$(jq -cn --arg p "$PW" '{email: "other@example.com", password: "123", current_password: $p}')"
is "$STATUS" 400 "email + too-short password: 400"
is "$(col pending_email) $(mails)" "new@example.com 1" "the failed request staged nothing and sent nothing"

# a second change replaces the first token
email_to 'newer@example.com'
is "$(jbody -r .pending_email) $(mails)" "newer@example.com 2" "second change: new pending, new mail"
TOKEN2=$(mail_token)
verify "{\"uuid\":\"$ANN\",\"token\":\"$TOKEN1\"}"
is "$STATUS $BODY" "400 $ERR_INVALID_TOKEN" "the superseded token is invalid"

# --- verify_email errors ----------------------------------------------------------------------
verify "{\"token\":\"$TOKEN2\"}"
is "$STATUS $BODY" "400 $(verr required "This field is required." uuid)" "no uuid: 400 required"
verify "{\"uuid\":\"$ANN\"}"
is "$STATUS $BODY" "400 $(verr required "This field is required." token)" "no token: 400 required"
verify "{\"uuid\":\"$ANN\",\"token\":\"\"}"
is "$BODY" "$(verr required "This field is required." token)" "empty token: 400 required"
verify "{\"uuid\":\"$ANN\",\"token\":\"wrong\"}"
is "$STATUS $BODY" "400 $ERR_INVALID_TOKEN" "wrong token"
verify "{\"uuid\":\"$BEN\",\"token\":\"$TOKEN2\"}"
is "$STATUS $BODY" "400 $ERR_INVALID_TOKEN" "another user's uuid"
verify "{\"uuid\":\"not-a-uuid\",\"token\":\"$TOKEN2\"}"
is "$STATUS $BODY" "400 $ERR_INVALID_TOKEN" "malformed uuid"
verify "{\"uuid\":\"$ANN\",\"token\":12}"
is "$STATUS $BODY" "400 $ERR_INVALID_TOKEN" "non-string token"
verify '[1]'
is "$STATUS $BODY" "400 $(verr invalid_input "Invalid data. Expected a dictionary, but got list." "")" "non-object body"
api GET /api/users/verify_email/
is "$STATUS $(jbody -r .code)" "405 method_not_allowed" "GET verify_email: 405"
sql_do "UPDATE email_verification_tokens SET expires_at = NOW(6) - INTERVAL 1 SECOND"
verify "{\"uuid\":\"$ANN\",\"token\":\"$TOKEN2\"}"
is "$STATUS $BODY" "400 $ERR_INVALID_TOKEN" "expired token"
sql_do "UPDATE email_verification_tokens SET expires_at = NOW(6) + INTERVAL 1 DAY"

# --- success, single use ------------------------------------------------------------------------
verify "{\"uuid\":\"$ANN\",\"token\":\"$TOKEN2\"}"
is "$STATUS $BODY" '200 {"success":true}' "verify_email: 200"
is "$(col "email, IFNULL(pending_email, 'NULL'), is_email_verified")" "newer@example.com	NULL	1" \
    "email = pending, pending cleared, verified"
verify "{\"uuid\":\"$ANN\",\"token\":\"$TOKEN2\"}"
is "$STATUS $BODY" "400 $ERR_INVALID_TOKEN" "the token is single use"
is "$(sql "SELECT COUNT(*) FROM email_verification_tokens")" 0 "no token left"
like "$(last_mail)" $'(^|\n)To: newer@example.com\n' "the change is notified"
email_to 'ann@example.com'
is "$(jbody -r .pending_email)" ann@example.com "the old address is free again (pending)"

# --- cancel -----------------------------------------------------------------------------------------
TOKEN3=$(mail_token)
api_key "$K_ANN" PATCH /api/users/cancel_email_change_request/
is "$STATUS $(jbody .pending_email) $(jbody -r .email)" "200 null newer@example.com" \
    "cancel (key with user:write): 200 user object, pending cleared"
is "$(jbody keys_unsorted)" "$USER_FIELDS" "cancel answers the user object"
verify "{\"uuid\":\"$ANN\",\"token\":\"$TOKEN3\"}"
is "$STATUS $BODY" "400 $ERR_INVALID_TOKEN" "a cancelled change's token is invalid"
api_key "$K_ANN" PATCH /api/users/cancel_email_change_request/
is "$STATUS $BODY" "400 $ERR_NO_CHANGE" "nothing to cancel: 400"
sapi "$J" PATCH /api/users/cancel_email_change_request
is "$STATUS $BODY" "400 $ERR_NO_CHANGE" "session, no trailing slash: same"
api PATCH /api/users/cancel_email_change_request/
is "$STATUS $BODY" "401 $ERR_NOT_AUTHENTICATED" "anonymous cancel: 401"

# --- the address was taken while the change was pending ------------------------------------------
email_to 'race@example.com'
TOKEN4=$(mail_token)
cli_into RACER user add --email race@example.com
verify "{\"uuid\":\"$ANN\",\"token\":\"$TOKEN4\"}"
is "$STATUS $BODY" "400 $(verr unique "user with this email address already exists." email)" \
    "verify after someone took the address: 400 unique"
is "$(col email)" newer@example.com "email unchanged"

done_testing
