#!/usr/bin/env bash
# t/fuzz/run.sh -- build the libFuzzer targets and run each for a bounded
# time; prints TAP (one result per target).  `make fuzz` runs it through
# the test harness; it also runs by hand (see t/fuzz/README):
#
#   t/fuzz/run.sh [--build-only] [TARGET...]      default: every fuzz_*.c
#
# The libprickle sources are compiled with clang and
# -fsanitize=fuzzer-no-link,address,undefined into FUZZ_DIR (an
# out-of-tree object directory, rebuilt only when a source, a header or
# the flags change), archived, and linked with each target and
# -fsanitize=fuzzer.  Each target then runs for FUZZ_SECONDS over a
# working corpus in FUZZ_DIR seeded from the committed t/fuzz/corpus/TARGET.
# A crash, a leak, a sanitizer report or a timeout fails the target; its
# input is kept in FUZZ_DIR/artifacts and the log shows how to replay it.
#
# Environment (all optional; `make fuzz` passes the first four):
#   FUZZ_SOURCES   libprickle's sources, as listed in Makefile.am
#   FUZZ_CPPFLAGS  preprocessor flags (include paths, -D...)
#   FUZZ_LIBS      libraries to link
#   top_srcdir, top_builddir
#   FUZZ_SECONDS   run time per target (default 30)
#   FUZZ_DIR       build and working directory (default top_builddir/build/fuzz)
#   FUZZ_CC        compiler (default clang)
#   FUZZ_MAX_LEN   largest generated input in bytes (default 8192)
#   FUZZ_FLAGS     extra libFuzzer flags, e.g. "-jobs=2 -workers=2"
set -u

: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
: "${FUZZ_SECONDS:=30}"
: "${FUZZ_DIR:=$top_builddir/build/fuzz}"
: "${FUZZ_CC:=clang}"
: "${FUZZ_MAX_LEN:=8192}"
: "${FUZZ_FLAGS:=}"

FUZZ_SRC=$top_srcdir/t/fuzz
SAN="-fsanitize=address,undefined -fno-sanitize-recover=undefined"
CFLAGS_LIB="-g -O1 -fno-omit-frame-pointer -fsanitize=fuzzer-no-link $SAN"
CFLAGS_BIN="-g -O1 -fno-omit-frame-pointer -fsanitize=fuzzer $SAN"

build_only=0
targets=()
for arg in "$@"; do
	case $arg in
	--build-only) build_only=1 ;;
	-h | --help)
		sed -n '2,30p' "$0"
		exit 0
		;;
	*) targets+=("${arg%.c}") ;;
	esac
done
if ((${#targets[@]} == 0)); then
	for f in "$FUZZ_SRC"/fuzz_*.c; do
		f=${f##*/}
		targets+=("${f%.c}")
	done
fi

n=0
failed=0
result() { # STATUS NAME
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
		failed=$((failed + 1))
	fi
}
diag() { sed 's/^/# /'; }
bail() {
	echo "Bail out! $*"
	exit 255
}

echo "1..$((${#targets[@]} + 1))"

# --- toolchain -----------------------------------------------------------------
command -v "$FUZZ_CC" >/dev/null 2>&1 ||
    bail "$FUZZ_CC not found: install clang and libclang-rt-14-dev (./stack test does)"
if [ -z "${FUZZ_CPPFLAGS-}" ]; then
	FUZZ_CPPFLAGS="-DHAVE_CONFIG_H -I$top_builddir -I$top_srcdir/src -I$top_builddir/src -I$top_srcdir/t -D_GNU_SOURCE $(pkg-config --cflags fcgi json-c libmariadb libcrypto 2>/dev/null)"
fi
if [ -z "${FUZZ_LIBS-}" ]; then
	FUZZ_LIBS="$(pkg-config --libs fcgi json-c libmariadb libcrypto 2>/dev/null) -lzxcvbn -lm"
fi
# Both are shell words (quotes intact, e.g. -DSYSCONFDIR='"/etc"').
eval "cppflags=($FUZZ_CPPFLAGS)" || bail "cannot parse FUZZ_CPPFLAGS"
eval "libs=($FUZZ_LIBS)" || bail "cannot parse FUZZ_LIBS"
mkdir -p "$FUZZ_DIR/obj" "$FUZZ_DIR/artifacts" || bail "cannot create $FUZZ_DIR"
FUZZ_DIR=$(cd "$FUZZ_DIR" && pwd) || bail "cannot enter $FUZZ_DIR"
FUZZ_SRC=$(cd "$FUZZ_SRC" && pwd) || bail "cannot enter $FUZZ_SRC"

# libFuzzer's runtime is in libclang-rt-*-dev; check before building.
printf '#include <stddef.h>\n#include <stdint.h>\nint LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { (void)d; (void)n; return 0; }\n' \
    >"$FUZZ_DIR/probe.c"
"$FUZZ_CC" $CFLAGS_BIN "$FUZZ_DIR/probe.c" -o "$FUZZ_DIR/probe" >"$FUZZ_DIR/probe.log" 2>&1 ||
    bail "$FUZZ_CC cannot link a libFuzzer target (install libclang-rt-14-dev): $(tail -n 3 "$FUZZ_DIR/probe.log" | tr '\n' ' ')"

# --- the library -----------------------------------------------------------------
# Sources: FUZZ_SOURCES from the Makefile, else src/*.c without the main()s.
sources=()
if [ -n "${FUZZ_SOURCES-}" ]; then
	for s in $FUZZ_SOURCES; do
		case $s in
		*.c) ;;
		*) continue ;;
		esac
		if [ -f "$top_builddir/$s" ]; then
			sources+=("$top_builddir/$s")
		elif [ -f "$top_srcdir/$s" ]; then
			sources+=("$top_srcdir/$s")
		else
			bail "source $s not found (run make first: src/schema_sql.c is generated)"
		fi
	done
else
	for s in "$top_srcdir"/src/*.c; do
		case ${s##*/} in
		prickled.c | cli.c | schema_sql.c) continue ;;
		esac
		sources+=("$s")
	done
	[ -f "$top_builddir/src/schema_sql.c" ] || bail "src/schema_sql.c is missing: run make first"
	sources+=("$top_builddir/src/schema_sql.c")
fi

# Rebuild everything when the flags change; else only what is out of date
# (a source newer than its object, or any header newer than it).
stamp="$FUZZ_CC $CFLAGS_LIB $FUZZ_CPPFLAGS"
if [ ! -f "$FUZZ_DIR/flags" ] || [ "$(cat "$FUZZ_DIR/flags")" != "$stamp" ]; then
	rm -f "$FUZZ_DIR"/obj/*.o
	printf '%s\n' "$stamp" >"$FUZZ_DIR/flags"
fi
newest_header=$(ls -t "$top_srcdir"/src/*.h "$top_builddir/config.h" "$FUZZ_SRC/fuzz.h" 2>/dev/null | head -n 1)
objs=()
build_failed=0
running=0
: >"$FUZZ_DIR/build.log"
for s in "${sources[@]}"; do
	o=$FUZZ_DIR/obj/$(basename "${s%.c}").o
	objs+=("$o")
	if [ -f "$o" ] && [ "$o" -nt "$s" ] && { [ -z "$newest_header" ] || [ "$o" -nt "$newest_header" ]; }; then
		continue
	fi
	(
		# shellcheck disable=SC2086 # flag lists
		"$FUZZ_CC" $CFLAGS_LIB "${cppflags[@]}" -c "$s" -o "$o.tmp" >"$o.log" 2>&1 &&
		    mv "$o.tmp" "$o"
	) &
	running=$((running + 1))
	if [ "$running" -ge "$(nproc 2>/dev/null || echo 2)" ]; then
		wait -n || build_failed=1
		running=$((running - 1))
	fi
done
while [ "$running" -gt 0 ]; do
	wait -n || build_failed=1
	running=$((running - 1))
done
for o in "${objs[@]}"; do
	if [ ! -f "$o" ]; then
		build_failed=1
		cat "$o.log" >>"$FUZZ_DIR/build.log" 2>/dev/null
	fi
done
lib=$FUZZ_DIR/libprickle-fuzz.a
if [ "$build_failed" = 0 ]; then
	rm -f "$lib"
	ar rcs "$lib" "${objs[@]}" >>"$FUZZ_DIR/build.log" 2>&1 || build_failed=1
fi
built=()
if [ "$build_failed" = 0 ]; then
	for t in "${targets[@]}"; do
		[ -f "$FUZZ_SRC/$t.c" ] || {
			echo "no target $FUZZ_SRC/$t.c" >>"$FUZZ_DIR/build.log"
			build_failed=1
			continue
		}
		# shellcheck disable=SC2086
		if "$FUZZ_CC" $CFLAGS_BIN "${cppflags[@]}" -I"$FUZZ_SRC" "$FUZZ_SRC/$t.c" \
		    "$lib" "${libs[@]}" -o "$FUZZ_DIR/$t" >>"$FUZZ_DIR/build.log" 2>&1; then
			built+=("$t")
		else
			build_failed=1
		fi
	done
fi
result "$build_failed" "build ${#sources[@]} library sources and ${#built[@]} targets with $FUZZ_CC ($CFLAGS_LIB)"
if [ "$build_failed" != 0 ]; then
	tail -n 40 "$FUZZ_DIR/build.log" | diag
	bail "the fuzz build failed (log: $FUZZ_DIR/build.log)"
fi

# --- the runs ------------------------------------------------------------------------
total_execs=0
for t in "${targets[@]}"; do
	if [ "$build_only" = 1 ]; then
		result 0 "$t: built ($FUZZ_DIR/$t) # SKIP --build-only"
		continue
	fi
	work=$FUZZ_DIR/corpus/$t
	seeds=$FUZZ_SRC/corpus/$t
	log=$FUZZ_DIR/$t.log
	# With -jobs, libFuzzer writes fuzz-N.log into the current directory.
	rundir=$FUZZ_DIR/run/$t
	rm -rf "$rundir"
	mkdir -p "$work" "$rundir"
	rm -f "$FUZZ_DIR/artifacts/$t-"*
	args=(-max_total_time="$FUZZ_SECONDS" -timeout=10 -rss_limit_mb=2048
	    -max_len="$FUZZ_MAX_LEN" -print_final_stats=1
	    -artifact_prefix="$FUZZ_DIR/artifacts/$t-")
	[ -f "$FUZZ_SRC/dict/$t.dict" ] && args+=(-dict="$FUZZ_SRC/dict/$t.dict")
	# shellcheck disable=SC2206 # user-supplied flag list
	args+=($FUZZ_FLAGS)
	dirs=("$work")
	[ -d "$seeds" ] && dirs+=("$seeds")
	nseeds=$(find "$seeds" -type f 2>/dev/null | wc -l)
	# The harness' ASAN_OPTIONS (log_path ...) are for prickled, not here.
	(
		cd "$rundir" || exit 1
		ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:symbolize=1 \
		    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		    exec timeout -k 10 $((FUZZ_SECONDS + 300)) "$FUZZ_DIR/$t" \
		    "${args[@]}" "${dirs[@]}"
	) >"$log" 2>&1
	rc=$?
	logs=("$log")
	stats=("$log")
	for f in "$rundir"/fuzz-*.log; do
		[ -f "$f" ] || continue
		logs+=("$f")
		stats=("${logs[@]:1}")	# the jobs' own logs, not the echo
	done
	execs=$(cat "${stats[@]}" | sed -n 's/^stat::number_of_executed_units: *//p' |
	    awk '{ s += $1 } END { print s + 0 }')
	total_execs=$((total_execs + execs))
	found=$(ls "$FUZZ_DIR/artifacts/$t-"* 2>/dev/null)
	reports=$(cat "${logs[@]}" | grep -cE '^(==[0-9]+==ERROR|SUMMARY: (Address|Leak|UndefinedBehavior)Sanitizer)|runtime error:')
	if [ "$rc" = 0 ] && [ -z "$found" ] && [ "$reports" = 0 ] && [ "$execs" -gt 0 ]; then
		result 0 "$t: $execs executions in ${FUZZ_SECONDS} s from $nseeds seeds, no crash, leak or sanitizer report"
	else
		result 1 "$t: exit $rc, $reports sanitizer report(s), $execs executions"
		cat "${logs[@]}" | grep -E 'ERROR|SUMMARY|runtime error|Test unit written|^    #[0-9]' | head -n 60 | diag
		for a in $found; do
			echo "input kept: $a (replay: $FUZZ_DIR/$t $a)" | diag
		done
		echo "full log: $log" | diag
	fi
done
echo "# total: $total_execs executions in ${#targets[@]} targets" >&1
exit $((failed > 254 ? 254 : failed))
