#!/usr/bin/env bash
# Errors nginx answers itself carry PostHog's JSON error shape with
# Content-Type application/json (interfaces.md "Errors produced by nginx"),
# while a long bearer token still reaches prickled (users-api.md §2.3.3).
set -u
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$top_srcdir/t/lib/tap.sh"
. "$top_srcdir/t/lib/stack.sh"

stack_require
stack_up

cli user add --email alice@example.com >/dev/null || bail_out "user add failed"
cli_into KEY key add --email alice@example.com --scopes 'user:read'

# repeat N CHAR: N copies of CHAR.
repeat() {
	head -c "$1" /dev/zero | tr '\0' "$2"
}

# nginx_json STATUS TYPE DESC: the last answer is STATUS with a compact JSON
# body of exactly {type, code, detail, attr}, attr null, type TYPE.
nginx_json() {
	local status=$1 type=$2 desc=$3
	is "$STATUS" "$status" "$desc: $status"
	is "$CTYPE" application/json "$desc: Content-Type application/json"
	is "$(jbody keys_unsorted)" "$ERROR_FIELDS" "$desc: body is {type, code, detail, attr}"
	is "$(jbody -r .type)" "$type" "$desc: type $type"
	like "$(jbody -r .code)" '^[a-z_]+$' "$desc: a code"
	like "$(jbody -r .detail)" '^[A-Z].+' "$desc: a detail"
	is "$(jbody .attr)" null "$desc: attr null"
}

# raw REQUEST: send REQUEST bytes over TLS, parse the answer into STATUS,
# HEADERS, CTYPE, BODY (for requests curl cannot send).
raw() {
	local hostport=${PRICKLE_URL#https://} out=$STACK_TMP/raw.out crlf=$'\r\n' all head
	printf '%s' "$1" | timeout "$API_MAX_TIME" openssl s_client -quiet \
	    -connect "$hostport" -CAfile "$PRICKLE_CA" -verify_return_error \
	    >"$out" 2>"$STACK_TMP/raw.err"
	all=$(cat "$out"; printf x)
	all=${all%x}
	head=${all%%"$crlf$crlf"*}
	BODY=${all#*"$crlf$crlf"}
	[[ $all == *"$crlf$crlf"* ]] || BODY=
	HEADERS=${head//$'\r'/}
	STATUS=${HEADERS#* }
	STATUS=${STATUS%% *}
	[[ $STATUS =~ ^[0-9]{3}$ ]] || STATUS=000
	CTYPE=$(header Content-Type)
}

# --- 413: body over client_max_body_size (1 MiB) ---------------------------------------
BIG=$STACK_TMP/big.json
{ printf '{"x":"'; repeat $((1024 * 1024)) a; printf '"}'; } >"$BIG"
api POST /api/users/ -H 'Content-Type: application/json' --data-binary "@$BIG"
nginx_json 413 invalid_request "POST /api/users/ with a body over 1 MiB"
api_key "$KEY" PATCH /api/users/@me/ -H 'Content-Type: application/json' --data-binary "@$BIG"
nginx_json 413 invalid_request "PATCH @me with a body over 1 MiB and a valid key"
api POST /not-the-api/ -H 'Content-Type: application/json' --data-binary "@$BIG"
nginx_json 413 invalid_request "POST outside /api/ with a body over 1 MiB"

# --- 400: a header beyond large_client_header_buffers -----------------------------------
api GET /api/users/@me/ -H "X-Padding: $(repeat 40000 p)"
nginx_json 400 invalid_request "one 40 KB header line"
api GET /api/users/@me/ -H "Cookie: sessionid=$(repeat 40000 c)"
nginx_json 400 invalid_request "a 40 KB cookie"
HDRS=()
for i in 1 2 3 4 5 6 7 8; do
	HDRS+=(-H "X-Padding-$i: $(repeat 20000 q)")
done
api GET /api/users/@me/ "${HDRS[@]}"
nginx_json 400 invalid_request "160 KB of headers in 20 KB lines"

# --- 414: a request line beyond large_client_header_buffers -----------------------------
api GET "/api/users/?q=$(repeat 40000 u)"
nginx_json 414 invalid_request "a 40 KB request URI"

# --- 400: requests nginx cannot parse ------------------------------------------------------
raw $'GARBAGE\r\n\r\n'
nginx_json 400 invalid_request "an unparsable request line"
raw $'GET /api/users/@me/ HTTP/1.1\r\nHost: a b\r\nConnection: close\r\n\r\n'
nginx_json 400 invalid_request "an invalid Host header"
api GET /api/users/@me/ -H 'Content-Length: abc'
nginx_json 400 invalid_request "a non-numeric Content-Length"
# Plain HTTP sent to the HTTPS port (nginx's 497, answered as 400).
STATUS=$(curl -sS --max-time "$API_MAX_TIME" -D "$STACK_TMP/plain.h" -o "$STACK_TMP/plain.b" \
    -w '%{http_code}' "http://${PRICKLE_URL#https://}/api/users/@me/" 2>/dev/null)
HEADERS=$(tr -d '\r' <"$STACK_TMP/plain.h")
BODY=$(cat "$STACK_TMP/plain.b")
CTYPE=$(header Content-Type)
nginx_json 400 invalid_request "plain HTTP to the HTTPS port"

# --- other refusals nginx makes before prickled sees the request ----------------------------
api TRACE /api/users/@me/
nginx_json 405 invalid_request "TRACE (refused by nginx)"
api POST /api/users/ -H 'Transfer-Encoding: gzip' --data-binary x
nginx_json 501 server_error "an unknown Transfer-Encoding"

# --- a long bearer token reaches prickled ----------------------------------------------------
for n in 10240 24000; do
	api_key "phx_$(repeat "$n" A)" GET /api/users/@me/
	is "$STATUS" 401 "a $n-byte bearer token: prickle's 401"
	is "$BODY" "$(err_key_invalid "Authorization header")" \
	    "a $n-byte bearer token: Personal API key ... is invalid."
	is "$CTYPE" application/json "a $n-byte bearer token: JSON"
done
# ... next to a valid key in the same request size range.
api_key "$KEY" GET /api/users/@me/ -H "X-Padding: $(repeat 10240 z)"
is "$STATUS" 200 "a valid key with a 10 KB extra header: 200"

# --- 502: no prickled behind nginx --------------------------------------------------------------
conf_value() {
	sed -n "s/^[[:space:]]*$1[[:space:]]*=[[:space:]]*//p" "$PRICKLE_CONF" | tail -n 1
}
MASTER=${PRICKLE_MASTER_PID-}
if [ -z "$MASTER" ] && [ -n "$(conf_value pid)" ]; then
	MASTER=$(cat "$(conf_value pid)" 2>/dev/null)
fi
like "$MASTER" '^[0-9]+$' "the prickled master's pid is known"
alive() {
	kill -0 "$1" 2>/dev/null &&
	    [ "$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -c1)" != Z ]
}
kill -TERM "$MASTER"
for _ in $(seq 300); do
	alive "$MASTER" || break
	sleep 0.1
done
ok $(alive "$MASTER" && echo 1 || echo 0) "prickled's master stopped on TERM"
api GET /api/users/@me/
nginx_json 502 server_error "GET @me without prickled"
api_key "$KEY" GET /api/users/
nginx_json 502 server_error "GET /api/users/ with a key, without prickled"
api POST /api/users/ -H 'Content-Type: application/json' --data-binary '{}'
nginx_json 502 server_error "POST without prickled"

done_testing
