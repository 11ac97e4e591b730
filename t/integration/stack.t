#!/usr/bin/env bash
# ./stack start --set reaches the running workers, an unknown key is refused
# before anything starts, the mail capture of PRICKLE_MAILDIR, and ./stack stop
# (interfaces.md "./stack", "DIR/env").
set -u
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$top_srcdir/t/lib/tap.sh"
. "$top_srcdir/t/lib/stack.sh"

stack_require
stack_up --set pm.max_children=3 --set request.max_body_size=2k

# Stacks this test starts besides the fixture's: stopped on exit even if a
# refused start wrongly went ahead.
EXTRA_DIRS=()
_extra_cleanup() {
	local d
	for d in "${EXTRA_DIRS[@]}"; do
		[ -f "$d/stack.pids" ] &&
		    timeout 60 "$top_srcdir/stack" stop "$d" >/dev/null 2>&1
	done
}
trap '_rc=$?; _extra_cleanup; (exit $_rc); _stack_cleanup' EXIT

for var in PRICKLE_URL PRICKLE_CONF PRICKLE_CA PRICKLE_CLI PRICKLE_MAILDIR; do
	ok $([ -n "${!var-}" ] && echo 0 || echo 1) "DIR/env exports $var"
done
like "$PRICKLE_URL" '^https://127\.0\.0\.1:[0-9]+$' "PRICKLE_URL is https://127.0.0.1:PORT"
ok $([ -x "$PRICKLE_CLI" ] && echo 0 || echo 1) "PRICKLE_CLI is executable"
ok $([ -f "$PRICKLE_CONF" ] && echo 0 || echo 1) "PRICKLE_CONF is a file"
ok $([ -s "$PRICKLE_CA" ] && echo 0 || echo 1) "PRICKLE_CA is a certificate file"

# The master's pid: from DIR/env, else from the pid file of prickle.conf.
conf_value() {
	sed -n "s/^[[:space:]]*$1[[:space:]]*=[[:space:]]*//p" "$PRICKLE_CONF" |
	    tail -n 1 | sed -e 's/^"\(.*\)"$/\1/'
}
MASTER=${PRICKLE_MASTER_PID-}
if [ -z "$MASTER" ] && [ -n "$(conf_value pid)" ]; then
	MASTER=$(cat "$(conf_value pid)" 2>/dev/null)
fi
like "$MASTER" '^[0-9]+$' "the prickled master's pid is known"

# children PID: pids whose parent is PID.
children() {
	local f stat rest
	local -a fields
	for f in /proc/[0-9]*/stat; do
		{ read -r stat <"$f"; } 2>/dev/null || continue
		rest=${stat##*) }
		read -r -a fields <<<"$rest"
		if [ "${fields[1]-}" = "$1" ] && [ "${fields[0]}" != Z ]; then
			f=${f#/proc/}
			printf '%s\n' "${f%/stat}"
		fi
	done
}

# --- --set pm.max_children=3: three workers ------------------------------------------
# The default of a throwaway stack is 2; wait (bounded) for the pool to fill.
NKIDS=0
for _ in $(seq 100); do
	NKIDS=$(children "$MASTER" | wc -l)
	[ "$NKIDS" -ge 3 ] && break
	sleep 0.1
done
is "$NKIDS" 3 "--set pm.max_children=3: the master runs 3 workers"
WORKER=$(children "$MASTER" | head -n 1)
is "$(readlink "/proc/$WORKER/exe" 2>/dev/null | sed 's/ (deleted)$//; s|.*/||')" \
    "$(readlink "/proc/$MASTER/exe" 2>/dev/null | sed 's/ (deleted)$//; s|.*/||')" \
    "the workers run the prickled binary"
like "$(conf_value pm.max_children)" '^3$' "--set replaced pm.max_children in the generated prickle.conf"
is "$(grep -c '^[[:space:]]*pm\.max_children[[:space:]]*=' "$PRICKLE_CONF")" 1 \
    "pm.max_children appears once in prickle.conf"

# --- --set request.max_body_size=2k: prickled answers 413 above 2 KiB ---------------------
# nginx lets up to 1 MiB through, so a 413 for 3000 bytes comes from the workers.
json_of_size() {
	local n=$1 pad
	pad=$(head -c $((n - 8)) /dev/zero | tr '\0' a)
	printf '{"x":"%s"}' "$pad"
}
SMALL=$(json_of_size 1500)
BIG=$(json_of_size 3000)
is "${#BIG}" 3000 "test body is 3000 bytes"
api POST /api/users/ -H 'Content-Type: application/json' --data-binary "$SMALL"
isnt "$STATUS" 413 "1500-byte body under request.max_body_size=2k: not 413"
api POST /api/users/ -H 'Content-Type: application/json' --data-binary "$BIG"
is "$STATUS" 413 "3000-byte body over request.max_body_size=2k: 413"
is "$CTYPE" application/json "3000-byte body: JSON"
is "$(jbody -r .type)" invalid_request "3000-byte body: invalid_request"

# --- an unknown --set key: a clear error, nothing left running ---------------------------
# procs_in DIR: pids of processes whose command line mentions DIR (the
# pattern goes through a file so that grep's own command line lacks it).
procs_in() {
	local pat=$STACK_TMP/procs.pattern f pid
	printf '%s\n' "$1" >"$pat"
	for f in $(grep -laFf "$pat" /proc/[0-9]*/cmdline 2>/dev/null); do
		pid=${f#/proc/}
		pid=${pid%/cmdline}
		[ "$pid" = $$ ] || printf '%s\n' "$pid"
	done
}

# refused DESC ERE SETS...: ./stack start in a new directory with the given
# --set options fails, names the problem, and leaves no process behind.
refused() {
	local desc=$1 re=$2 dir rc out
	shift 2
	dir=$STACK_TMP/refused.$TAP_RUN
	EXTRA_DIRS+=("$dir")
	out=$(timeout 120 "$top_srcdir/stack" start "$dir" "$@" 2>&1)
	rc=$?
	isnt "$rc" 0 "$desc: ./stack start fails"
	like "$out" "$re" "$desc: the message names it"
	is "$(procs_in "$dir" | tr '\n' ' ')" "" "$desc: no process left running"
	ok $([ ! -f "$dir/env" ] && echo 0 || echo 1) "$desc: no env written"
}
refused "unknown key" "no\.such\.key" --set no.such.key=1
refused "unknown key after a valid one" "auth\.no_such_setting" \
    --set password.iterations=1000 --set auth.no_such_setting=5
refused "bad value" "pm\.max_children" --set pm.max_children=many
refused "no '='" "novalue" --set novalue

# The running stack is unaffected.
api GET /api/users/@me/
is "$STATUS" 401 "the fixture stack still answers"

# --- PRICKLE_MAILDIR: the capture script stores each message as one file ------------------
SENDMAIL=$(conf_value mail.sendmail_path)
ok $([ -n "$SENDMAIL" ] && echo 0 || echo 1) "prickle.conf sets mail.sendmail_path"
ok $([ -d "$PRICKLE_MAILDIR" ] && echo 0 || echo 1) "PRICKLE_MAILDIR is a directory"
is "$(find "$PRICKLE_MAILDIR" -type f | wc -l)" 0 "PRICKLE_MAILDIR starts empty"

MSG1=$STACK_TMP/msg1.eml
{
	printf 'From: PostHog <noreply@localhost>\r\n'
	printf 'To: alice@example.com\r\n'
	printf 'Subject: =?utf-8?q?R=C3=A9initialisation?=\r\n'
	printf 'Date: Thu, 01 Jan 2026 00:00:00 +0000\r\n'
	printf 'Message-ID: <capture-test-1@localhost>\r\n'
	printf 'MIME-Version: 1.0\r\n'
	printf 'Content-Type: text/plain; charset=utf-8\r\n'
	printf 'Content-Transfer-Encoding: 8bit\r\n'
	printf '\r\n'
	printf 'Bonjour Zoë,\r\n\r\n'
	printf 'https://example.com/reset/abc-123/\r\n'
	printf '.\r\n'
	printf 'From the start of a line, with a trailing space \r\n'
	head -c 70000 /dev/zero | tr '\0' 'x'
	printf '\r\n'
} >"$MSG1"
MSG2=$STACK_TMP/msg2.eml
printf 'From: a@localhost\nTo: b@example.com\nSubject: second\n\nno CR here, no final newline' >"$MSG2"

# Run it as prickle does: the configured command through /bin/sh -c, with the
# message on stdin.
timeout 30 /bin/sh -c "$SENDMAIL" <"$MSG1" >"$STACK_TMP/sendmail.out" 2>&1
is "$?" 0 "sendmail capture: exit 0"
mapfile -t FILES < <(find "$PRICKLE_MAILDIR" -type f)
is "${#FILES[@]}" 1 "sendmail capture: one file for one message"
if [ "${#FILES[@]}" -ge 1 ]; then
	cmp -s "${FILES[0]}" "$MSG1"
	ok $? "sendmail capture: the file holds the message byte for byte"
else
	fail "sendmail capture: the file holds the message byte for byte"
fi

timeout 30 /bin/sh -c "$SENDMAIL -t -i" <"$MSG2" >"$STACK_TMP/sendmail.out" 2>&1
is "$?" 0 "sendmail capture with sendmail's -t -i: exit 0"
mapfile -t FILES < <(find "$PRICKLE_MAILDIR" -type f)
is "${#FILES[@]}" 2 "sendmail capture: a second message is a second file"
FOUND=1
for f in "${FILES[@]}"; do
	cmp -s "$f" "$MSG2" && FOUND=0
done
ok $FOUND "sendmail capture: the second file holds the second message byte for byte"
FOUND=1
for f in "${FILES[@]}"; do
	cmp -s "$f" "$MSG1" && FOUND=0
done
ok $FOUND "sendmail capture: the first message is still there, unchanged"

# --- ./stack stop: every process the start began is gone ----------------------------------
mapfile -t WORKERS < <(children "$MASTER")
isnt "$(procs_in "$STACK_DIR")" "" "the running stack's processes are found by their directory"
NGINX=${PRICKLE_NGINX_PID-}
MYSQLD=${PRICKLE_MYSQLD_PID-}
timeout 90 "$top_srcdir/stack" stop "$STACK_DIR" >"$STACK_TMP/stop.out" 2>&1
is "$?" 0 "./stack stop: exit 0"
STACK_STARTED=
ALIVE=
for pid in "$MASTER" "${WORKERS[@]}" $NGINX $MYSQLD; do
	kill -0 "$pid" 2>/dev/null && [ "$(cut -d' ' -f3 "/proc/$pid/stat" 2>/dev/null)" != Z ] &&
	    ALIVE="$ALIVE $pid"
done
is "$ALIVE" "" "./stack stop: master, workers, nginx and MariaDB are gone"
is "$(procs_in "$STACK_DIR" | tr '\n' ' ')" "" "./stack stop: no process of the stack directory is left"
api GET /api/users/@me/
is "$STATUS" 000 "./stack stop: nothing answers on PRICKLE_URL"

done_testing
