#!/usr/bin/env bash
# The manual pages: they render without warnings and cover what the binaries
# offer -- every prickle.conf key (with its default), every prickle command and
# option, every prickled option and signal.  No stack needed.
set -u
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
. "$top_srcdir/t/lib/tap.sh"

PRICKLED=${PRICKLED:-$top_builddir/prickled}
PRICKLE=${PRICKLE:-$top_builddir/prickle}
MAN8=$top_srcdir/man/prickled.8
MAN1=$top_srcdir/man/prickle.1
MAN5=$top_srcdir/man/prickle.conf.5

[ -x "$PRICKLED" ] || bail_out "$PRICKLED is not built"
[ -x "$PRICKLE" ] || bail_out "$PRICKLE is not built"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/prickle-man.XXXXXX") || bail_out "mktemp failed"
trap 'rm -rf "$TMP"' EXIT

for page in "$MAN8" "$MAN1" "$MAN5"; do
	ok $([ -s "$page" ] && echo 0 || echo 1) "${page##*/} exists"
done

# --- rendering -----------------------------------------------------------------------
for page in "$MAN8" "$MAN1" "$MAN5"; do
	name=${page##*/}
	if command -v mandoc >/dev/null 2>&1; then
		out=$(timeout 30 mandoc -T lint -W warning "$page" 2>&1)
		ok $? "$name: mandoc -T lint finds no warnings"
		[ -z "$out" ] || diag "$out"
	else
		skip 1 "mandoc is not installed"
	fi
	if command -v man >/dev/null 2>&1 && command -v groff >/dev/null 2>&1; then
		out=$(MANWIDTH=80 timeout 30 man -l -Tutf8 "$page" 2>&1 >"$TMP/$name.out")
		is "$out" "" "$name: man -l -Tutf8 renders without warnings"
		ok $([ -s "$TMP/$name.out" ] && echo 0 || echo 1) "$name: man renders some text"
	else
		skip 2 "man or groff is not installed"
	fi
done

# entry FILE KEY: the source of the .It entry of a prickle.conf key, up to the
# next entry with a body (shared entries like listen.owner/listen.group count
# as one).
entry() {
	awk -v k="$2" '
		$0 ~ "^\\.It Cm " k " No" { on = 1; print; next }
		on && /^\.(It|El)/ { if (body) exit }
		on { print; body = 1 }
	' "$1"
}

# --- prickle.conf(5): every key of the parser, with its default --------------------------
printf 'secret_key = %s\n' 0123456789abcdef0123456789abcdef >"$TMP/prickle.conf"
DUMP=$(timeout 30 "$PRICKLED" -T -c "$TMP/prickle.conf" 2>&1)
is "$?" 0 "prickled -T with a minimal file: exit 0"
mapfile -t KEYS < <(printf '%s\n' "$DUMP" | sed -n 's/^\([a-z0-9_.]*\) =.*/\1/p; s/^; \([a-z0-9_.]*\) is set.*/\1/p')
ok $([ "${#KEYS[@]}" -ge 30 ] && echo 0 || echo 1) "prickled -T lists the keys (${#KEYS[@]})"
for key in "${KEYS[@]}"; do
	grep -q "^\.It Cm ${key//./\\.} No" "$MAN5"
	ok $? "prickle.conf.5 documents $key"
done
# ... and documents no key the parser does not know.
while read -r key; do
	printf '%s\n' "${KEYS[@]}" | grep -qxF "$key"
	ok $? "prickle.conf.5: $key is a real key"
done < <(sed -n 's/^\.It Cm \([a-z0-9_.]*\) No.*/\1/p' "$MAN5")
# Defaults that print the same way in both (paths, sizes and the CPU count
# are spelled differently on purpose).
while IFS= read -r line; do
	key=${line%% = *}
	value=${line#* = }
	case $key in
	pm.max_children | request.max_body_size | \;*) continue ;;
	esac
	[ -n "$value" ] && [ "${value:0:1}" != / ] || continue
	text=$(entry "$MAN5" "$key")
	[[ $text == *Default:* ]] || text="Default: <missing>"
	# The words after "Default:", without the macro and the final period.
	def=${text#*Default:}
	def=${def#"${def%%[!$' \n']*}"}
	def=${def%%$'\n'*}
	def=${def#.[A-Z][a-z] }
	def=${def% .}
	def=${def%.}
	def=${def%% (*}
	is "$def" "$value" "prickle.conf.5: default of $key"
done < <(printf '%s\n' "$DUMP" | grep ' = ')

# --- prickle(1): every command and option of prickle --help ---------------------------------
HELP=$(timeout 30 "$PRICKLE" --help 2>&1)
is "$?" 0 "prickle --help: exit 0"
mapfile -t CMDS < <(printf '%s\n' "$HELP" | sed -n 's/^  \([a-z][a-z-]*\)\( [a-z][a-z-]*\)\{0,1\}\( .*\)\{0,1\}$/\1\2/p')
ok $([ "${#CMDS[@]}" -ge 15 ] && echo 0 || echo 1) "prickle --help lists the commands (${#CMDS[@]})"
for c in "${CMDS[@]}"; do
	grep -q "^\.It.*Ic $c\( \|$\)\|^\.Ic $c\( \|$\)" "$MAN1"
	ok $? "prickle.1 documents '$c'"
done
mapfile -t OPTS < <(printf '%s\n' "$HELP" | grep -o -- '--[a-z0-9][a-z0-9-]*' | sort -u)
for o in "${OPTS[@]}"; do
	grep -q -- "Fl -${o#--}\( \|$\)" "$MAN1"
	ok $? "prickle.1 documents $o"
done
grep -q '^\.Sh EXIT STATUS' "$MAN1"
ok $? "prickle.1 has EXIT STATUS"
grep -q '^\.It Ev PRICKLE_CONF' "$MAN1"
ok $? "prickle.1 documents PRICKLE_CONF"

# --- prickled(8): every option and signal of prickled -h --------------------------------------
HELP=$(timeout 30 "$PRICKLED" -h 2>&1)
is "$?" 0 "prickled -h: exit 0"
mapfile -t OPTS < <(printf '%s\n' "$HELP" | sed -n 's/^  -\([A-Za-z]\) .*/\1/p')
ok $([ "${#OPTS[@]}" -ge 5 ] && echo 0 || echo 1) "prickled -h lists the options (${#OPTS[@]})"
for o in "${OPTS[@]}"; do
	grep -q "^\.It Fl $o\( \|$\)" "$MAN8"
	ok $? "prickled.8 documents -$o"
done
SIGS=$(printf '%s\n' "$HELP" | sed -n '/^Signals/,$p')
for s in TERM INT QUIT USR1 USR2 HUP; do
	if [[ $SIGS == *"$s"* ]]; then
		awk '/^\.Sh SIGNALS/ { on = 1; next } /^\.Sh/ { on = 0 } on' "$MAN8" |
		    grep -q "^\.It Dv .*\b$s\b"
		ok $? "prickled.8 SIGNALS documents $s"
	fi
done
for section in SYNOPSIS DESCRIPTION SIGNALS FILES 'EXIT STATUS'; do
	grep -q "^\.Sh $section" "$MAN8"
	ok $? "prickled.8 has $section"
done

# --- installed by make install ------------------------------------------------------------------
grep -q '^dist_man_MANS *=.*man/prickled\.8' "$top_srcdir/Makefile.am" &&
    grep -q '^dist_man_MANS *=.*man/prickle\.1' "$top_srcdir/Makefile.am" &&
    grep -q '^dist_man_MANS *=.*man/prickle\.conf\.5' "$top_srcdir/Makefile.am"
ok $? "Makefile.am installs the three pages (dist_man_MANS)"

done_testing
