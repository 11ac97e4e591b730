#!/usr/bin/env bash
# Request bodies and the error envelope (users-api.md §1.2, §1.4, §1.5, §2.5).
set -u
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$top_srcdir/t/lib/tap.sh"
. "$top_srcdir/t/lib/stack.sh"

stack_require
stack_up

cli user add --email alice@example.com >/dev/null || bail_out "user add failed"
cli_into K_W key add --email alice@example.com --scopes 'user:read,user:write'
cli_into K_R key add --email alice@example.com --scopes 'user:read'

err_media() {
	printf '{"type":"invalid_request","code":"unsupported_media_type","detail":"Unsupported media type \\"%s\\" in request.","attr":null}' "$1"
}

# envelope DESC: the body is exactly {type, code, detail, attr} as compact JSON.
envelope() {
	is "$(jbody keys_unsorted)" "$ERROR_FIELDS" "$1: error envelope keys in order"
	is "$BODY" "$(jbody .)" "$1: compact JSON"
	is "$CTYPE" "application/json" "$1: Content-Type application/json"
}

# Without an Authorization header the key authenticator looks for
# personal_api_key in the body (§2.3.2), so any body is parsed during
# authentication: POST /api/users/ reaches the parser on every build.
post_body() {
	api POST /api/users/ -H "Content-Type: $1" --data-binary "$2"
}

# --- 415: unsupported media type, echoed as sent ------------------------------------
for ct in 'text/plain' 'text/plain; charset=utf-8' 'application/xml' 'text/csv; header=present'; do
	post_body "$ct" 'personal_api_key=phx_bogus'
	is "$STATUS" 415 "body with Content-Type '$ct': 415"
	is "$BODY" "$(err_media "$ct")" "body with Content-Type '$ct': exact body"
done
envelope "415"
api GET "/api/users/@me/?personal_api_key=$K_R" -H 'Content-Type: text/plain' --data-binary 'x'
is "$STATUS" 415 "GET with a text/plain body and a query key: 415 (the body is looked at first)"

# No body, no parsing: the media type does not matter.
api POST /api/users/ -H 'Content-Type: text/plain'
is "$BODY" "$ERR_NOT_AUTHENTICATED" "text/plain without a body: not a 415"

# --- accepted content types ---------------------------------------------------------
post_body 'application/json' '{"first_name":"x"}'
is "$BODY" "$ERR_NOT_AUTHENTICATED" "JSON body without a key: 401 not_authenticated"
post_body 'application/json; charset=utf-8' '{"personal_api_key":"phx_bogus"}'
is "$BODY" "$(err_key_invalid body)" "application/json with charset: key read from the body"
post_body 'application/x-www-form-urlencoded' 'first_name=x'
is "$BODY" "$ERR_NOT_AUTHENTICATED" "form body without a key: 401 not_authenticated"
api POST /api/users/ -F personal_api_key=phx_bogus
is "$BODY" "$(err_key_invalid body)" "multipart/form-data: key read from the body"

# --- 400: malformed JSON ---------------------------------------------------------------
for body in '{' '{"personal_api_key":}' "{'personal_api_key':'x'}" \
    '{"personal_api_key":"phx_bogus"} trailing' 'nope' $'\xff\xfe{}'; do
	desc="malformed JSON $(printf '%q' "$body")"
	post_body application/json "$body"
	is "$STATUS" 400 "$desc: 400"
	is "$(jbody '[.type, .code, .attr]')" '["invalid_request","parse_error",null]' \
	    "$desc: type/code/attr"
	like "$(jbody -r .detail)" '^JSON parse error - .' "$desc: detail prefix"
done
envelope "parse_error"
post_body 'application/json; charset=utf-8' '{"personal_api_key":'
is "$STATUS" 400 "malformed JSON with a charset parameter: 400"
is "$(jbody .code)" '"parse_error"' "malformed JSON with a charset parameter: parse_error"
api GET "/api/users/@me/?personal_api_key=$K_R" -H 'Content-Type: application/json' --data-binary '{'
is "$STATUS" 400 "GET with a malformed JSON body and a query key: 400"

# --- pipeline order: decided before the body is ever parsed (§2.3.2, §2.5) ---------
api_key "$K_W" POST /api/users/ -H 'Content-Type: text/plain' --data-binary 'x'
is "$BODY" "$ERR_NO_KEY_ACCESS" "header key: unsupported method beats an unsupported media type"
api_key "$K_W" POST /api/users/ -H 'Content-Type: application/json' --data-binary '{'
is "$BODY" "$ERR_NO_KEY_ACCESS" "header key: unsupported method beats malformed JSON"
api PATCH /api/users/@nope/foo/ -H 'Content-Type: text/plain' --data-binary 'x'
is "$BODY" "$ERR_ENDPOINT_NOT_FOUND" "route miss beats an unsupported media type"
api POST /api/nope/ -H 'Content-Type: application/json' --data-binary '{'
is "$BODY" "$ERR_ENDPOINT_NOT_FOUND" "route miss beats malformed JSON"
api_key "$K_W" DELETE /api/users/@me/ -H 'Content-Type: application/json' --data-binary '{'
is "$BODY" "$ERR_NOT_AUTHENTICATED" "DELETE with a key: 401 (session only) before the body is read"

# --- the envelope of the other standard errors ---------------------------------------
api GET /api/users/@me/
envelope "401 not_authenticated"
api_key phx_nope GET /api/users/@me/
envelope "401 authentication_failed"
api GET /api/nope/
envelope "404 endpoint"
api_key "$K_R" GET /api/users/not-a-uuid/
envelope "403 @me"
api_key "$K_W" POST /api/users/
envelope "403 no key access"

done_testing
