# t/lib/tap.sh — a small TAP producer for the shell test scripts.
#
# Source it, then:
#   plan N                    (optional; done_testing prints the plan otherwise)
#   ok STATUS NAME            passes when STATUS is 0 (a shell exit status):
#                               [[ $x == y ]]; ok $? "x is y"
#   is GOT WANT NAME          string equality (shows got/want on failure)
#   isnt GOT UNWANTED NAME
#   like GOT ERE NAME         bash extended regular expression match
#   unlike GOT ERE NAME
#   pass NAME / fail NAME
#   skip N REASON             N skipped tests
#   skip_all REASON           "1..0 # SKIP REASON" and exit 0
#   diag MSG... / note MSG... comment lines ("# ...") on stdout
#   bail_out REASON           "Bail out! REASON" and exit 255
#   done_testing              plan if none yet; exit status = number of failures
#
# Assertions never abort the script: a test keeps going after a failure.

TAP_RUN=0
TAP_FAILED=0
TAP_PLANNED=

# Prefix every line of the arguments with "# ".
diag() {
	local line
	while IFS= read -r line; do
		printf '# %s\n' "$line"
	done <<<"$*"
}

note() { diag "$@"; }

plan() {
	TAP_PLANNED=$1
	printf '1..%s\n' "$1"
}

skip_all() {
	printf '1..0 # SKIP %s\n' "$*"
	TAP_FAILED=0
	exit 0
}

bail_out() {
	printf 'Bail out! %s\n' "$*"
	exit 255
}

# "#" in a description would start a TAP directive; escape it.
_tap_name() {
	local name=$1
	printf '%s' "${name//#/\\#}"
}

# _tap_result STATUS NAME: print one result line, count failures.
_tap_result() {
	TAP_RUN=$((TAP_RUN + 1))
	if [ "$1" -eq 0 ]; then
		printf 'ok %d - %s\n' "$TAP_RUN" "$(_tap_name "$2")"
		return 0
	fi
	printf 'not ok %d - %s\n' "$TAP_RUN" "$(_tap_name "$2")"
	TAP_FAILED=$((TAP_FAILED + 1))
	return 1
}

pass() { _tap_result 0 "$1"; }
fail() { _tap_result 1 "$1"; }

ok() {
	local status=$1 name=${2-}
	case $status in
	'' | *[!0-9]*) status=1 ;;
	esac
	_tap_result "$status" "$name"
}

is() {
	local got=$1 want=$2 name=${3-}
	if [[ $got == "$want" ]]; then
		_tap_result 0 "$name"
		return 0
	fi
	_tap_result 1 "$name"
	diag "   got: '$got'"
	diag "  want: '$want'"
	return 1
}

isnt() {
	local got=$1 unwanted=$2 name=${3-}
	if [[ $got != "$unwanted" ]]; then
		_tap_result 0 "$name"
		return 0
	fi
	_tap_result 1 "$name"
	diag "   got: '$got'"
	diag "  want: anything else"
	return 1
}

like() {
	local got=$1 re=$2 name=${3-}
	if [[ $got =~ $re ]]; then
		_tap_result 0 "$name"
		return 0
	fi
	_tap_result 1 "$name"
	diag "   got: '$got'"
	diag "  want: match /$re/"
	return 1
}

unlike() {
	local got=$1 re=$2 name=${3-}
	if ! [[ $got =~ $re ]]; then
		_tap_result 0 "$name"
		return 0
	fi
	_tap_result 1 "$name"
	diag "   got: '$got'"
	diag "  want: no match for /$re/"
	return 1
}

skip() {
	local n=$1 reason=${2-}
	local i
	for ((i = 0; i < n; i++)); do
		TAP_RUN=$((TAP_RUN + 1))
		printf 'ok %d # skip %s\n' "$TAP_RUN" "$reason"
	done
}

done_testing() {
	if [ -z "$TAP_PLANNED" ]; then
		printf '1..%d\n' "$TAP_RUN"
	elif [ "$TAP_PLANNED" -ne "$TAP_RUN" ]; then
		diag "planned $TAP_PLANNED tests but ran $TAP_RUN"
		TAP_FAILED=$((TAP_FAILED + 1))
	fi
	if [ "$TAP_FAILED" -gt 0 ]; then
		diag "failed $TAP_FAILED of $TAP_RUN tests"
	fi
	# An exit status is taken modulo 256: never let failures read as 0.
	if [ "$TAP_FAILED" -gt 254 ]; then
		exit 254
	fi
	exit "$TAP_FAILED"
}
