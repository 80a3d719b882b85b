#!/bin/bash
# run.sh - one fuzz target as a ctest step: replay its regressions, then fuzz briefly
#
# usage: run.sh BINARY TARGET SRCDIR SEEDS RUNS MAX_SECONDS
# Every file in tests/fuzz/regress/TARGET/ (inputs that once crashed it) is
# run first; then RUNS inputs from the seeds (SEEDS/TARGET), MAX_SECONDS at
# most, with tests/fuzz/dict/TARGET.dict when there is one.  New inputs go
# to a scratch corpus that is thrown away; a crash is kept as BINARY's
# directory/fuzz-artifacts/TARGET-crash-* for the report.
set -u
bin=$1 target=$2 src=$3 seeds=$4 runs=$5 max=$6
art="$(dirname "$bin")/fuzz-artifacts"
mkdir -p "$art"
regress=("$src/tests/fuzz/regress/$target"/*)
if [ -e "${regress[0]}" ]; then
	echo "replaying ${#regress[@]} regression input(s)"
	"$bin" -runs=1 "${regress[@]}" || exit 1
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/hvtune-corpus.XXXXXX")
trap 'rm -rf "$work"' EXIT
dict=()
[ -f "$src/tests/fuzz/dict/$target.dict" ] && dict=(-dict="$src/tests/fuzz/dict/$target.dict")
"$bin" -runs="$runs" -max_total_time="$max" -timeout=10 -max_len=16384 "${dict[@]}" \
	-artifact_prefix="$art/$target-" -print_final_stats=1 "$work" "$seeds/$target"
