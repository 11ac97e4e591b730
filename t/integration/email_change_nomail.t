#!/usr/bin/env bash
# Email changes without outgoing mail (mail.sendmail_path empty = not
# configured): the new address is applied at once (users-api.md §5.3.5).
set -u
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$top_srcdir/t/lib/tap.sh"
. "$top_srcdir/t/lib/stack.sh"

stack_require
stack_up --set password.iterations=1000 --set mail.sendmail_path=
. "$top_srcdir/t/lib/session.sh"

PW='correct horse battery staple'
cli_into ANN user add --email ann@example.com --password-stdin <<<"$PW"
cli_into BEN user add --email ben@example.com

J=$(new_jar)
login "$J" ann@example.com "$PW"
is "$STATUS" 200 "ann logs in"
is "$(grep -c '^mail.sendmail_path' "$PRICKLE_CONF")" 1 "the config sets mail.sendmail_path (empty)"

sapi "$J" PATCH /api/users/@me/ -H 'Content-Type: application/json' --data-binary '{"email":" moved@example.com "}'
is "$STATUS $(jbody -r .email) $(jbody .pending_email)" "200 moved@example.com null" \
    "no mail configured: the address changes at once"
is "$(sql "SELECT email FROM users WHERE uuid = '$ANN'")" moved@example.com "stored"
is "$(sql "SELECT COUNT(*) FROM email_verification_tokens")" 0 "no token issued"
is "$(find "$PRICKLE_MAILDIR" -type f -name '*.eml' 2>/dev/null | wc -l)" 0 "nothing mailed"
sapi "$J" PATCH /api/users/@me/ -H 'Content-Type: application/json' --data-binary '{"email":"BEN@example.com"}'
is "$STATUS $(jbody -r .code)" "400 unique" "uniqueness still applies"
login "$(new_jar)" moved@example.com "$PW"
is "$STATUS" 200 "the user logs in with the new address"
api_key "$(cli key add --email moved@example.com --scopes 'user:write')" \
    PATCH /api/users/cancel_email_change_request/
is "$STATUS $(jbody -r .code)" "400 email_change_request_not_found" "nothing pending to cancel"

done_testing
