#!/bin/bash
# fuzz.sh - long fuzzing runs, on demand (not a ctest): each target for SECONDS
#
#   tests/bench/fuzz.sh [SECONDS] [TARGET...]     (default 300 s, every target)
# Env: FUZZ_BUILD (default build-asan, the clang ASan+UBSan tree `make test`
# builds, with FUZZ=ON), JOBS (targets run at once, default 1).
#
# The corpus of each target is kept in FUZZ_BUILD/fuzz-corpus/TARGET (seeded
# from the ctest seeds), so later runs start where the last one stopped.  A
# crash is written as FUZZ_BUILD/fuzz-artifacts/TARGET-crash-*: minimise it
# (fuzz_TARGET -minimize_crash=1 FILE), fix it, and keep the input under
# tests/fuzz/regress/TARGET/ so ctest replays it.  Prints per target: runs,
# exec/s, coverage and whether it crashed.
set -u
here=$(cd "$(dirname "$0")/../.." && pwd)
secs=${1:-300}
shift || true
build=${FUZZ_BUILD:-$here/build-asan}
jobs=${JOBS:-1}
dir=$build/tests/fuzz
[ -d "$dir" ] || { echo "fuzz.sh: no '$dir' (configure with clang, -DSANITIZE=ON or -DFUZZ=ON)" >&2; exit 2; }
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
	for b in "$dir"/fuzz_*; do [ -x "$b" ] && targets+=("${b##*/fuzz_}"); done
fi
seeds=$dir/seeds
if [ ! -d "$seeds" ]; then
	bash "$here/tests/fuzz/seeds.sh" "$build/tests/gentree" "$build/tui/hvtune" "$here" "$seeds" \
		>/dev/null || exit 1
fi
mkdir -p "$build/fuzz-corpus" "$build/fuzz-artifacts" "$build/fuzz-logs"

one() {
	local t=$1 log=$build/fuzz-logs/$1.log
	local dict=()
	[ -f "$here/tests/fuzz/dict/$t.dict" ] && dict=(-dict="$here/tests/fuzz/dict/$t.dict")
	mkdir -p "$build/fuzz-corpus/$t"
	ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1} "$dir/fuzz_$t" -max_total_time="$secs" \
		-timeout=10 -max_len=16384 -print_final_stats=1 "${dict[@]}" \
		-artifact_prefix="$build/fuzz-artifacts/$t-" \
		"$build/fuzz-corpus/$t" "$seeds/$t" >"$log" 2>&1
	local rc=$?
	printf '%-12s rc=%-3s runs=%-9s exec/s=%-7s cov=%s %s\n' "$t" "$rc" \
		"$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")" \
		"$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")" \
		"$(grep -o 'cov: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)" \
		"$(grep -m1 -o 'ERROR: [A-Za-z]*Sanitizer: [a-z-]*\|invariant broken: .*\|deadly signal\|out-of-memory\|timeout' "$log")"
}

running=0
for t in "${targets[@]}"; do
	one "$t" &
	running=$((running + 1))
	if [ "$running" -ge "$jobs" ]; then
		wait -n
		running=$((running - 1))
	fi
done
wait
