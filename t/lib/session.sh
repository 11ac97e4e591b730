# t/lib/session.sh — browser-session helpers for the integration tests.
#
# Source after t/lib/tap.sh and t/lib/stack.sh (and after stack_up), then:
#
#   new_jar                      path of a fresh, empty cookie jar
#   jar_cookie JAR NAME          value of cookie NAME in JAR ("" if none)
#   jar_set JAR NAME VALUE       add or replace cookie NAME in JAR
#   login JAR EMAIL PASSWORD [curl args...]
#                                POST /api/login, cookies into JAR (sets
#                                STATUS/BODY like api)
#   sapi JAR METHOD PATH [curl args...]
#                                a request with JAR's cookies (updated from
#                                the response) plus the CSRF headers a
#                                browser sends: X-CSRFToken from the jar
#                                and a same-origin Referer
#   sapi_nocsrf JAR METHOD PATH [curl args...]
#                                the same without any CSRF header
#   totp SECRET [OFFSET]         the current TOTP code of a base32 secret
#                                (OFFSET in 30-second steps, default 0)
#   wait_next_step               sleep until a new 30-second TOTP step starts
#   set_cookie_line NAME         the Set-Cookie header for NAME (a glob,
#                                e.g. 'remember-cookie_*') of the last
#                                response ("" if none)

new_jar() {
	local jar
	jar=$(mktemp "$STACK_TMP/jar.XXXXXX") || bail_out "mktemp failed"
	printf '%s' "$jar"
}

jar_cookie() {
	awk -v name="$2" -F '\t' '
		/^#HttpOnly_/ { sub(/^#HttpOnly_/, "") }
		/^#/ || NF < 7 { next }
		$6 == name { v = $7 }
		END { printf "%s", v }' "$1"
}

jar_set() {
	local jar=$1 name=$2 value=$3 host=${PRICKLE_URL#https://}
	host=${host%%:*}
	grep -v -P "\t\Q$name\E\t" "$jar" >"$jar.tmp"
	printf '%s\tFALSE\t/\tTRUE\t0\t%s\t%s\n' "$host" "$name" "$value" >>"$jar.tmp"
	mv "$jar.tmp" "$jar"
}

login() {
	local jar=$1 email=$2 password=$3
	shift 3
	api POST /api/login -b "$jar" -c "$jar" -H 'Content-Type: application/json' \
	    --data-binary "$(jq -cn --arg e "$email" --arg p "$password" \
	    '{email: $e, password: $p}')" "$@"
}

sapi() {
	local jar=$1 method=$2 path=$3
	shift 3
	api "$method" "$path" -b "$jar" -c "$jar" \
	    -H "X-CSRFToken: $(jar_cookie "$jar" posthog_csrftoken)" \
	    -H "Referer: $PRICKLE_URL/" "$@"
}

sapi_nocsrf() {
	local jar=$1 method=$2 path=$3
	shift 3
	api "$method" "$path" -b "$jar" -c "$jar" "$@"
}

totp() {
	python3 - "$1" "${2:-0}" <<'EOF'
import base64, hashlib, hmac, struct, sys, time
key = base64.b32decode(sys.argv[1] + "=" * (-len(sys.argv[1]) % 8))
step = int(time.time()) // 30 + int(sys.argv[2])
h = hmac.new(key, struct.pack(">Q", step), hashlib.sha1).digest()
o = h[-1] & 15
print("%06d" % ((struct.unpack(">I", h[o:o + 4])[0] & 0x7fffffff) % 1000000))
EOF
}

wait_next_step() {
	local now
	now=$(date +%s)
	sleep $((30 - now % 30))
}

set_cookie_line() {
	local line
	while IFS= read -r line; do
		case ${line,,} in
		"set-cookie: "${1,,}"="*) printf '%s' "${line#*: }" ;;
		esac
	done <<<"$HEADERS"
}
