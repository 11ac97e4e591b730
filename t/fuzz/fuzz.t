#!/usr/bin/env bash
# The fuzz run as a TAP test for `make fuzz` (see t/fuzz/README).
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
exec "$top_srcdir/t/fuzz/run.sh" "$@"
