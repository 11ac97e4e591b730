#!/usr/bin/env bash
# Password changes through PATCH /api/users/:id/ (users-api.md §5.3.7, §9):
# current_password rules, validators (messages from python zxcvbn 4.4.28,
# t/unit/data/zxcvbn-python-4.4.28.txt), hashing, the mail, users without
# a usable password, staff changing another user's password.
set -u
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$top_srcdir/t/lib/tap.sh"
. "$top_srcdir/t/lib/stack.sh"

stack_require
stack_up --set password.iterations=1000 --set auth.password_throttle_rate=1000/60
. "$top_srcdir/t/lib/session.sh"

PW='correct horse battery staple'
cli_into ANN user add --email ann@example.com --password-stdin <<<"$PW"
cli_into NOPW user add --email nopw@example.com
cli_into BEN user add --email ben@example.com --password-stdin <<<'ben old password 42'
cli_into STAFF user add --email staff@example.com --staff --password-stdin <<<'staff password 123'
# Verified accounts: logging in an unverified one (re)sends a verification
# mail (users-api.md §7.1 step 4), which would blur the mail counts below.
sql_do "UPDATE users SET is_email_verified = 1"

verr() {
	jq -cn --arg c "$1" --arg d "$2" --arg a "$3" \
	    '{type:"validation_error",code:$c,detail:$d,attr:(if $a == "" then null else $a end)}'
}
# spatch JAR PATH JSON
spatch() { sapi "$1" PATCH "$2" -H 'Content-Type: application/json' --data-binary "$3"; }
body_pw() { jq -cn --arg p "$1" --arg c "${2-}" 'if $c == "" then {password: $p} else {password: $p, current_password: $c} end'; }
hash_of() { sql "SELECT password FROM users WHERE uuid = '$1'"; }
mails() { find "$PRICKLE_MAILDIR" -type f -name '*.eml' | wc -l; }

J=$(new_jar)
login "$J" ann@example.com "$PW"
is "$STATUS" 200 "ann logs in"
OLD_HASH=$(hash_of "$ANN")

# --- current_password ---------------------------------------------------------------
spatch "$J" /api/users/@me/ "$(body_pw a_new_password)"
is "$STATUS $BODY" "400 $(verr required "This field is required when updating your password." current_password)" \
    "no current_password: 400 required"
spatch "$J" /api/users/@me/ "$(body_pw a_new_password 'wrong password')"
is "$STATUS $BODY" "400 $(verr incorrect_password "Your current password is incorrect." current_password)" \
    "wrong current_password: 400 incorrect_password"
spatch "$J" /api/users/@me/ '{"password":"a_new_password","current_password":""}'
is "$BODY" "$(verr blank "This field may not be blank." current_password)" "blank current_password: 400 blank"
spatch "$J" /api/users/@me/ '{"password":""}'
is "$BODY" "$(verr blank "This field may not be blank." password)" "blank password: 400 blank"
spatch "$J" /api/users/@me/ '{"password":null}'
is "$BODY" "$(verr null "This field may not be null." password)" "null password: 400 null"
spatch "$J" /api/users/@me/ "{\"password\":\"$(printf 'x%.0s' $(seq 129))\"}"
is "$BODY" "$(verr max_length "Ensure this field has no more than 128 characters." password)" "129 chars: max_length"
spatch "$J" /api/users/@me/ "{\"theme_mode\":\"bad\",$(body_pw a_new_password wrong | sed 's/^{//')"
is "$BODY" "$(verr invalid_choice '"bad" is not a valid choice.' theme_mode)" \
    "field errors come before the current_password check"

# --- validators (reference table) ---------------------------------------------------------
spatch "$J" /api/users/@me/ "$(body_pw 123 "$PW")"
is "$BODY" "$(verr invalid_input "This password is too short. It must contain at least 8 characters." password)" \
    "123: too short (length first)"
spatch "$J" /api/users/@me/ "$(body_pw '  abc  ' "$PW")"
is "$BODY" "$(verr invalid_input "This password is too short. It must contain at least 8 characters." password)" \
    "password trimmed before the length check"
TABLE=$top_srcdir/t/unit/data/zxcvbn-python-4.4.28.txt
for pw in 12345678 password password1 qwertyuiop letmein123 hedgehog2024 abcdefgh aaaaaaaaaaaa correcthorse; do
	want=$(awk -F ' [|] ' -v p="'$pw'" '$1 == p { print $4 }' "$TABLE")
	[ -n "$want" ] || want="This password is too weak."
	spatch "$J" /api/users/@me/ "$(body_pw "$pw" "$PW")"
	is "$STATUS $BODY" "400 $(verr invalid_input "$want" password)" "weak password '$pw': zxcvbn's message"
done
is "$(hash_of "$ANN")" "$OLD_HASH" "nothing stored after the failures"
is "$(mails)" 0 "no mail after the failures"

# --- success --------------------------------------------------------------------------------
spatch "$J" /api/users/@me/ "$(body_pw ' a_new_password ' " $PW ")"
is "$STATUS" 200 "valid change: 200"
is "$(jbody keys_unsorted)" "$USER_FIELDS" "the user object is returned"
is "$(jbody .has_password)" true "has_password true"
NEW_HASH=$(hash_of "$ANN")
like "$NEW_HASH" '^pbkdf2_sha256\$1000\$[A-Za-z0-9]{22}\$[A-Za-z0-9+/]{43}=$' \
    "stored as pbkdf2_sha256\$<conf iterations>\$<22-char salt>\$<hash>"
isnt "$NEW_HASH" "$OLD_HASH" "hash changed"
is "$(mails)" 1 "one mail sent"
MSG=$(cat "$(find "$PRICKLE_MAILDIR" -type f -name '*.eml' | head -n 1)")
like "$MSG" $'(^|\n)To: ann@example.com\n' "the mail goes to the user"
like "$MSG" $'\nSubject: Your password has been changed\n' "password-changed subject"
unlike "$MSG" 'a_new_password' "the mail does not contain the password"
J2=$(new_jar)
login "$J2" ann@example.com "$PW"
is "$STATUS" 400 "the old password no longer logs in"
login "$J2" ann@example.com a_new_password
is "$STATUS" 200 "the new (trimmed) password logs in"

# --- staff changing another user's password: the target's current password -------------------
JS=$(new_jar)
login "$JS" staff@example.com 'staff password 123'
is "$STATUS" 200 "staff logs in"
spatch "$JS" "/api/users/$BEN/" "$(body_pw 'horse battery staple two' 'staff password 123')"
is "$BODY" "$(verr incorrect_password "Your current password is incorrect." current_password)" \
    "staff's own password is not the target's"
spatch "$JS" "/api/users/$BEN/" "$(body_pw 'horse battery staple two' 'ben old password 42')"
is "$STATUS" 200 "staff with the target's current password: 200"
J3=$(new_jar)
login "$J3" ben@example.com 'horse battery staple two'
is "$STATUS" 200 "ben logs in with the new password"

# --- targets without a usable password (empty or '!'-prefixed hash) ---------------------------
for stored in '' '!Qn3vX0p9aLrT5yZkW2mB7cD4eF6gH8jK1sU0iO9'; do
	sql_do "UPDATE users SET password = '$stored' WHERE uuid = '$NOPW'"
	spatch "$JS" "/api/users/$NOPW/" "$(body_pw 'NewSecurePassword123!')"
	is "$STATUS $(jbody .has_password)" "200 true" \
	    "no usable password ('${stored:0:1}'): set without current_password"
	like "$(hash_of "$NOPW")" '^pbkdf2_sha256\$1000\$' "...and stored hashed"
done
JN=$(new_jar)
login "$JN" nopw@example.com 'NewSecurePassword123!'
is "$STATUS" 200 "the user logs in with it"

done_testing
