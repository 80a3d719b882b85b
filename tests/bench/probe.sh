#!/bin/bash
# probe.sh - a benchmark, run on demand (not a ctest): hvtune against the tools it
# replaces, on this host and on the largest captures.  Prints median wall times,
# the ratio hvtune/peer, peak RSS, and what the dynamic loader costs at startup.
#
#   tests/bench/probe.sh [RUNS]        (default 31; or RUNS=...)
# Env: HVTUNE_BIN (default build/tui/hvtune), HVTUNE_FIXTURES (default
# ../shared/fixtures next to the source tree).
#
# Targets (issue 2): check <= 0.5 x virt-host-validate; probe no slower than
# lstopo; peak RSS < 10 MiB.
set -u
here=$(cd "$(dirname "$0")/../.." && pwd)
BIN=${HVTUNE_BIN:-$here/build/tui/hvtune}
FX=${HVTUNE_FIXTURES:-$here/../shared/fixtures}
N=${1:-${RUNS:-31}}
[ -x "$BIN" ] || { echo "probe.sh: no hvtune binary at '$BIN' (build first, or set HVTUNE_BIN)" >&2; exit 2; }
BIN=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")
tmp=${TMPDIR:-}
[ -z "$tmp" ] && [ -d /dev/shm ] && [ -w /dev/shm ] && tmp=/dev/shm
T=$(mktemp -d "${tmp:-/tmp}/hvtune-bench.XXXXXX") || exit 2
trap 'rm -rf "$T"' EXIT

# How each run is timed, and how peak RSS is read.
if command -v hyperfine >/dev/null; then
	timer=hyperfine
elif command -v python3 >/dev/null; then
	timer=python3
else
	timer=bash
fi
if [ -x /usr/bin/time ]; then rss_how="/usr/bin/time -v"; else rss_how="getrusage (python3 os.wait4)"; fi

# median_ms "CMD": the median wall time of N runs, in ms (stdout, stderr to /dev/null).
median_ms() {
	case $timer in
	hyperfine)
		hyperfine -N --runs "$N" --warmup 2 --export-json "$T/h.json" "$1" >/dev/null 2>&1
		python3 -c 'import json,sys; print("%.2f" % (json.load(open(sys.argv[1]))["results"][0]["median"] * 1000))' "$T/h.json"
		;;
	python3)
		python3 - "$N" "$1" <<'EOF'
import statistics, subprocess, sys, time
n, cmd = int(sys.argv[1]), sys.argv[2]
for _ in range(2):	# warm the page cache
    subprocess.run(cmd, shell=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
t = []
for _ in range(n):
    a = time.perf_counter_ns()
    subprocess.run(["/bin/sh", "-c", "exec " + cmd], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    t.append((time.perf_counter_ns() - a) / 1e6)
print("%.2f" % statistics.median(t))
EOF
		;;
	bash)
		local i a b
		for ((i = 0; i < N; i++)); do
			a=$(date +%s%N); sh -c "exec $1" >/dev/null 2>&1; b=$(date +%s%N)
			echo $(((b - a) / 1000))
		done | sort -n | awk '{ v[NR] = $1 } END { printf "%.2f\n", v[int((NR + 1) / 2)] / 1000 }'
		;;
	esac
}

# peak_kib "CMD": the maximum resident set size of one run, KiB.
peak_kib() {
	if [ -x /usr/bin/time ]; then
		/usr/bin/time -v sh -c "exec $1" 2>&1 >/dev/null | awk -F': ' '/Maximum resident set size/ { print $2 }'
	else
		python3 -c 'import os,sys
pid = os.fork()
if pid == 0:
    fd = os.open(os.devnull, os.O_WRONLY); os.dup2(fd, 1); os.dup2(fd, 2)
    os.execv("/bin/sh", ["sh", "-c", "exec " + sys.argv[1]])
print(os.wait4(pid, 0)[2].ru_maxrss)' "$1"
	fi
}

printf '%-56s %10s %10s %6s %8s\n' "case (median of $N runs, timer: $timer)" "hvtune" "peer" "ratio" "RSS KiB"
row() {	# LABEL HVTUNE-CMD PEER-CMD
	local a b r rss
	a=$(median_ms "$2")
	if [ -n "$3" ]; then b=$(median_ms "$3"); else b=""; fi
	rss=$(peak_kib "$2")
	if [ -n "$b" ]; then r=$(awk -v a="$a" -v b="$b" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'); else r="-"; fi
	printf '%-56s %7s ms %7s ms %6s %8s\n' "$1" "$a" "${b:--}" "$r" "$rss"
}

vhv=$(command -v virt-host-validate || true)
lstopo=$(command -v lstopo-no-graphics || true)
row "startup: hvtune --version | vhv qemu" "$BIN --version" "${vhv:+$vhv qemu}"
row "check | virt-host-validate qemu" "$BIN check" "${vhv:+$vhv qemu}"
row "probe --json | lstopo-no-graphics --of xml" "$BIN probe --json" "${lstopo:+$lstopo --of xml}"
for host in arm64-kunpeng920-128c ppc64-power7-256t; do
	if [ ! -f "$FX/hosts/$host.tar.xz" ]; then
		echo "($host: capture absent under '$FX')"
		continue
	fi
	mkdir -p "$T/fx" && tar -xJf "$FX/hosts/$host.tar.xz" -C "$T/fx"
	row "probe --root $host | lstopo" "$BIN probe --root $T/fx/$host" \
		"${lstopo:+env HWLOC_FSROOT=$T/fx/$host HWLOC_COMPONENTS=linux,stop $lstopo --no-io}"
	row "probe --json --root $host | lstopo" "$BIN probe --json --root $T/fx/$host" \
		"${lstopo:+env HWLOC_FSROOT=$T/fx/$host HWLOC_COMPONENTS=linux,stop $lstopo --no-io}"
	rm -rf "$T/fx"
done
echo "peak RSS measured with: $rss_how (hvtune's run of each case)"

# What the dynamic loader costs: libraries mapped, and LD_DEBUG's own figures.
# The link uses --as-needed (Debian's default), so a library that no code calls
# yet (libvirt before the apply stage) is not even loaded.
echo
echo "dynamic loading at startup (hvtune --version; virt-host-validate --version):"
for b in "$BIN" ${vhv:+"$vhv"}; do
	n=$(ldd "$b" 2>/dev/null | grep -c '=>')
	s=$(LD_DEBUG=statistics "$b" --version 2>&1 >/dev/null |
		awk '/total startup time in dynamic loader/ { t = $(NF - 1) }
		     /time needed to load objects/ { l = $(NF - 2) } /number of relocations:/ { r = $NF }
		     END { printf "loader %s cycles (loading objects %s), %s relocations", t, l, r }')
	printf '  %-28s %3s shared libraries; %s\n' "$(basename "$b")" "$n" "$s"
done
# Each direct dependency alone: an empty program linked against it.
if command -v cc >/dev/null; then
	echo "  an empty main() linked with one library (median ms of $N runs; what each costs to load):"
	echo 'int main(void) { return 0; }' >"$T/empty.c"
	for lib in none hwloc numa json-c ncursesw libxml-2.0 inih libvirt; do
		case $lib in
		none) flags="" ;;
		numa) flags=-lnuma ;;	# libnuma has no .pc file
		*) flags=$(pkg-config --libs $lib 2>/dev/null) || continue ;;
		esac
		cc -o "$T/empty-$lib" "$T/empty.c" -Wl,--no-as-needed $flags 2>/dev/null || continue
		printf '    %-12s %7s ms  (%s libraries)\n' "$lib" "$(median_ms "$T/empty-$lib")" \
			"$(ldd "$T/empty-$lib" | grep -c '=>')"
	done
fi
