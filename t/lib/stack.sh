# t/lib/stack.sh — test-side fixture for the integration tests.
#
# Source t/lib/tap.sh first, then this file, then:
#
#   stack_require               skip the whole test unless mariadbd and nginx
#                               are installed (the only reason ever to skip)
#   stack_up [--set K=V]...     start a throwaway stack (MariaDB, prickled,
#                               nginx) in a fresh temporary directory and
#                               source its env; stopped and removed on exit
#                               (KEEP_TMP=1 keeps the directory)
#   api METHOD PATH [curl args...]
#                               one HTTPS request; sets STATUS (e.g. 200, 000
#                               when curl itself failed), BODY (exact bytes),
#                               HEADERS (CR-free header block), CTYPE
#   api_key KEY METHOD PATH [curl args...]
#                               the same with "Authorization: Bearer KEY"
#   header NAME                 value of a response header of the last api call
#   jbody [-r] FILTER           jq -c [-r] FILTER applied to BODY ("<not json>"
#                               if BODY does not parse)
#   cli ARGS...                 run the prickle admin CLI against the stack
#   cli_into VAR ARGS...        the same, storing stdout in VAR; bails out on
#                               failure (the rest of the test would be noise)
#   sql QUERY                   run SQL in the stack's database (tab-separated,
#                               no column names; NULL prints as NULL)
#   sql_do QUERY                the same for fixture writes; bails out on error
#
# Time bounds: every curl has --max-time (API_MAX_TIME, default 20 s), stack
# start/stop, CLI and SQL run under timeout(1), and the whole script is killed
# after TEST_TIMEOUT seconds (default 300).

: "${top_srcdir:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
: "${API_MAX_TIME:=20}"
: "${TEST_TIMEOUT:=300}"
: "${STACK_START_TIMEOUT:=180}"

STACK_TMP=
STACK_DIR=
STACK_STARTED=
STACK_WATCHDOG=

STATUS=
BODY=
HEADERS=
CTYPE=

# --- preconditions ---------------------------------------------------------

_stack_find_prog() {
	local prog=$1 dir
	command -v "$prog" >/dev/null 2>&1 && return 0
	for dir in /usr/sbin /sbin /usr/local/sbin /usr/libexec /usr/local/bin; do
		[ -x "$dir/$prog" ] && return 0
	done
	return 1
}

stack_require() {
	_stack_find_prog mariadbd || skip_all "mariadbd is not installed"
	_stack_find_prog nginx || skip_all "nginx is not installed"
	local prog
	for prog in curl jq mariadb openssl timeout; do
		command -v "$prog" >/dev/null 2>&1 ||
		    bail_out "$prog is required by the integration tests"
	done
	[ -x "$top_srcdir/stack" ] || bail_out "$top_srcdir/stack is missing"
}

# --- lifecycle -------------------------------------------------------------

_stack_cleanup() {
	local rc=$?
	if [ -n "$STACK_WATCHDOG" ]; then
		kill "$STACK_WATCHDOG" 2>/dev/null
		wait "$STACK_WATCHDOG" 2>/dev/null
		STACK_WATCHDOG=
	fi
	if [ -n "$STACK_STARTED" ]; then
		if [ "$rc" -ne 0 ] && [ -n "${PRICKLE_LOG-}" ] && [ -f "$PRICKLE_LOG" ]; then
			diag "last lines of $PRICKLE_LOG:"
			diag "$(tail -n 30 "$PRICKLE_LOG")"
		fi
		timeout 60 "$top_srcdir/stack" stop "$STACK_DIR" \
		    >>"$STACK_TMP/stack-stop.log" 2>&1 ||
		    diag "stack stop failed: $(tail -n 20 "$STACK_TMP/stack-stop.log")"
		STACK_STARTED=
	fi
	if [ -n "$STACK_TMP" ]; then
		if [ "${KEEP_TMP:-0}" = 1 ]; then
			diag "kept $STACK_TMP"
		else
			rm -rf "$STACK_TMP"
		fi
	fi
}

_stack_timed_out() {
	STACK_WATCHDOG=
	printf 'Bail out! %s exceeded %s seconds\n' "${0##*/}" "$TEST_TIMEOUT"
	exit 255
}

# A background sleeper that sends TERM to the test after TEST_TIMEOUT.  Its
# output goes to /dev/null so that it never holds the TAP pipe open.
_stack_watchdog() {
	local me=$$
	trap _stack_timed_out TERM
	(
		sleeper=
		trap '[ -n "$sleeper" ] && kill "$sleeper"; exit 0' TERM
		sleep "$TEST_TIMEOUT" &
		sleeper=$!
		wait "$sleeper"
		kill -TERM "$me"
	) </dev/null >/dev/null 2>&1 &
	STACK_WATCHDOG=$!
}

stack_up() {
	trap _stack_cleanup EXIT
	_stack_watchdog
	STACK_TMP=$(mktemp -d "${TMPDIR:-/tmp}/prickle-test.XXXXXX") ||
	    bail_out "mktemp failed"
	STACK_DIR=$STACK_TMP/stack
	mkdir "$STACK_DIR" || bail_out "cannot create $STACK_DIR"
	STACK_STARTED=1
	if ! timeout "$STACK_START_TIMEOUT" "$top_srcdir/stack" start "$STACK_DIR" "$@" \
	    >"$STACK_TMP/stack-start.log" 2>&1; then
		diag "$(tail -n 40 "$STACK_TMP/stack-start.log")"
		bail_out "stack start failed"
	fi
	[ -f "$STACK_DIR/env" ] || bail_out "stack start wrote no $STACK_DIR/env"
	# shellcheck disable=SC1091
	. "$STACK_DIR/env"
	local var
	for var in PRICKLE_URL PRICKLE_CONF PRICKLE_CA PRICKLE_CLI \
	    PRICKLE_DB_OPTFILE PRICKLE_DB_NAME; do
		[ -n "${!var-}" ] || bail_out "$STACK_DIR/env does not export $var"
	done
}

# --- HTTP ------------------------------------------------------------------

api() {
	local method=$1 path=$2
	shift 2
	local hfile=$STACK_TMP/last.headers bfile=$STACK_TMP/last.body
	local -a how
	case $method in
	HEAD)
		_api_head "$path" "$@"
		return
		;;
	GET) how=() ;;
	*) how=(-X "$method") ;;
	esac
	: >"$hfile"
	: >"$bfile"
	STATUS=$(curl -sS --globoff --path-as-is --connect-timeout 5 \
	    --max-time "$API_MAX_TIME" --cacert "$PRICKLE_CA" \
	    "${how[@]}" -D "$hfile" -o "$bfile" -w '%{http_code}' \
	    "$@" "$PRICKLE_URL$path" 2>"$STACK_TMP/last.curl-err")
	if [ $? -ne 0 ]; then
		diag "curl $method $path: $(cat "$STACK_TMP/last.curl-err")"
		STATUS=${STATUS:-000}
	fi
	HEADERS=$(tr -d '\r' <"$hfile")
	# Keep the body byte for byte, trailing newlines included.
	BODY=$(cat "$bfile"; printf x)
	BODY=${BODY%x}
	CTYPE=$(header Content-Type)
}

# HEAD goes over a raw TLS connection: curl never reads a HEAD body, so it
# could not show one that should not be there.  Accepts only -H arguments.
_api_head() {
	local path=$1 hostport=${PRICKLE_URL#https://} raw head
	local crlf=$'\r\n' out=$STACK_TMP/last.raw
	shift
	local req="HEAD $path HTTP/1.1${crlf}Host: $hostport$crlf"
	while (($#)); do
		case $1 in
		-H)
			req+="$2$crlf"
			shift 2
			;;
		*)
			diag "api HEAD: unsupported argument $1"
			shift
			;;
		esac
	done
	req+="Connection: close$crlf$crlf"
	printf '%s' "$req" | timeout "$API_MAX_TIME" openssl s_client -quiet \
	    -connect "$hostport" -CAfile "$PRICKLE_CA" -verify_return_error \
	    >"$out" 2>"$STACK_TMP/last.curl-err" ||
	    diag "openssl s_client HEAD $path: $(cat "$STACK_TMP/last.curl-err")"
	raw=$(cat "$out"; printf x)
	raw=${raw%x}
	if [[ $raw == *"$crlf$crlf"* ]]; then
		head=${raw%%"$crlf$crlf"*}
		BODY=${raw#*"$crlf$crlf"}
	else
		head=$raw
		BODY=
	fi
	HEADERS=${head//$'\r'/}
	STATUS=${HEADERS#* }
	STATUS=${STATUS%% *}
	[[ $STATUS =~ ^[0-9]{3}$ ]] || STATUS=000
	CTYPE=$(header Content-Type)
}

api_key() {
	local key=$1 method=$2 path=$3
	shift 3
	api "$method" "$path" -H "Authorization: Bearer $key" "$@"
}

header() {
	local want=${1,,} line val= found=1
	while IFS= read -r line; do
		case ${line,,} in
		"$want":*)
			val=${line#*:}
			val=${val#"${val%%[![:space:]]*}"}
			val=${val%"${val##*[![:space:]]}"}
			found=0
			;;
		esac
	done <<<"$HEADERS"
	printf '%s' "$val"
	return $found
}

jbody() {
	local out raw=()
	if [ "$1" = -r ]; then
		raw=(-r)
		shift
	fi
	if ! out=$(printf '%s' "$BODY" | jq -c "${raw[@]}" "$1" 2>/dev/null); then
		printf '<not json>'
		return 1
	fi
	printf '%s' "$out"
}

# --- CLI and SQL -------------------------------------------------------------

cli() {
	local err=$STACK_TMP/cli.err rc
	timeout 60 "$PRICKLE_CLI" -c "$PRICKLE_CONF" "$@" 2>"$err"
	rc=$?
	if [ $rc -ne 0 ]; then
		printf '# prickle %s: exit %d: %s\n' "$*" "$rc" "$(cat "$err")" >&2
	fi
	return $rc
}

cli_into() {
	local __var=$1 __out
	shift
	__out=$(cli "$@") || bail_out "prickle $* failed: $(cat "$STACK_TMP/cli.err")"
	printf -v "$__var" '%s' "$__out"
}

sql() {
	timeout 30 mariadb --defaults-file="$PRICKLE_DB_OPTFILE" -N -B \
	    "$PRICKLE_DB_NAME" -e "$1"
}

sql_do() {
	local out
	out=$(sql "$1" 2>&1) || bail_out "SQL failed: $1: $out"
}

# --- spec constants (users-api.md) -------------------------------------------

# §4.1, in order.
USER_FIELDS='["date_joined","uuid","distinct_id","first_name","last_name","email","pending_email","is_email_verified","notification_settings","anonymize_data","allow_impersonation","toolbar_mode","has_password","id","is_staff","is_impersonated","is_impersonated_until","is_impersonated_read_only","sensitive_session_expires_at","team","organization","organizations","events_column_config","is_2fa_enabled","has_social_auth","has_sso_enforcement","has_seen_product_intro_for","scene_personalisation","theme_mode","hedgehog_config","allow_sidebar_suggestions","shortcut_position","role_at_organization","passkeys_enabled_for_2fa"]'
# §4.2
TEAM_FIELDS='["id","uuid","organization","project_id","api_token","name","completed_snippet_onboarding","has_completed_onboarding_for","ingested_event","is_demo","timezone","access_control"]'
# §4.3
ORG_FIELDS='["id","name","slug","logo_media_id","created_at","updated_at","membership_level","plugins_access_level","teams","projects","available_product_features","is_member_join_email_enabled","metadata","customer_id","enforce_2fa","members_can_invite","members_can_use_personal_api_keys","allow_publicly_shared_resources","member_count","is_ai_data_processing_approved","default_experiment_stats_method","default_anonymize_ips","default_role_id","is_active","is_not_active_reason"]'
# §4.4
ORG_BASIC_FIELDS='["id","name","slug","logo_media_id","membership_level","members_can_use_personal_api_keys","is_active","is_not_active_reason","is_pending_deletion"]'
# §5.3.6 defaults, in order.
NOTIFICATION_DEFAULTS='{"plugin_disabled":true,"discussions_mentioned":true,"project_weekly_digest_disabled":{},"all_weekly_digest_disabled":false,"error_tracking_issue_assigned":true,"error_tracking_weekly_digest":true,"data_pipeline_error_threshold":0.01,"project_api_key_exposed":true,"materialized_view_sync_failed":false,"web_analytics_weekly_digest":true,"organization_member_join_email_disabled":{}}'
ERROR_FIELDS='["type","code","detail","attr"]'

# §1.5, exact bodies.
ERR_NOT_AUTHENTICATED='{"type":"authentication_error","code":"not_authenticated","detail":"Authentication credentials were not provided.","attr":null}'
ERR_ENDPOINT_NOT_FOUND='{"type":"invalid_request","code":"not_found","detail":"Endpoint not found.","attr":null}'
ERR_NOT_FOUND='{"type":"invalid_request","code":"not_found","detail":"Not found.","attr":null}'
ERR_ONLY_ME='{"type":"authentication_error","code":"permission_denied","detail":"As a non-staff user you'"'"'re only allowed to access the `@me` user instance.","attr":null}'
ERR_NO_KEY_ACCESS='{"type":"authentication_error","code":"permission_denied","detail":"This action does not support personal API key access","attr":null}'

# err_key_invalid SOURCE: SOURCE is "Authorization header", "body" or "query string".
err_key_invalid() {
	printf '{"type":"authentication_error","code":"authentication_failed","detail":"Personal API key found in request %s is invalid.","attr":null}' "$1"
}

# err_scope SCOPE
err_scope() {
	printf '{"type":"authentication_error","code":"permission_denied","detail":"API key missing required scope '"'"'%s'"'"'","attr":null}' "$1"
}

UUID_RE='^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
# §1.3: UTC, "Z", microseconds only when non-zero.
DATETIME_Z_RE='^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{6})?Z$'
DATETIME_OFFSET_RE='^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{6})?\+00:00$'
