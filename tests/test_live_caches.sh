#!/bin/bash
# test_live_caches.sh - L3 groups as lstopo sees them, whether the kernel exports caches or not
#
# Some VMs' kernels export no cpuN/cache directories (the hypervisor hides
# CPUID's cache leaves from cacheinfo), while lstopo still finds the L3 through
# CPUID.  Three cases, each compared like with like:
#   1. the live host as it is: `hvtune probe --json` and `lstopo-no-graphics`
#      report the same L3 count;
#   2. the live host with every cpuN/cache hidden (tmpfs mounts in a private
#      mount namespace, so nothing outside this test sees them): the same
#      comparison, and hvtune says where its L3 came from ("L3 from CPUID") or,
#      when CPUID has none either, why the L3 groups are unknown;
#   3. a synthetic tree without caches under --root: L3 unknown with the
#      reason, exit 0 (CPUID describes this machine, not the tree's).
# Exit 77 (skipped) only for what this machine cannot do: no lstopo, no
# python3, not root or no unshare for case 2 (cases 1 and 3 still run first).
set -u

skip() { echo "SKIP: $*"; exit 77; }
die() { echo "FAIL: $*" >&2; exit 1; }

[ -n "${HVTUNE_BIN:-}" ] || die "HVTUNE_BIN is not set (ctest sets it to the hvtune binary)"
[ -n "${HVTUNE_GENTREE:-}" ] || die "HVTUNE_GENTREE is not set (ctest sets it)"
command -v python3 >/dev/null 2>&1 || skip "python3 is not installed to read 'probe --json'"
command -v lstopo-no-graphics >/dev/null 2>&1 ||
	skip "lstopo-no-graphics is not installed (Debian: apt-get install hwloc-nox)"

tmp=$(mktemp -d) || die "cannot make a temporary directory"
trap 'rm -rf "$tmp"' EXIT

# "L3 SOURCE_WHY L3_WHY PACKAGES DIES CORES PUS" from `hvtune probe --json` on stdin,
# a line each ('-' for null, 0 for an unknown count).
facts() {
	python3 -c '
import json, sys
t = json.load(sys.stdin)["topology"]
print(t["l3_groups"] or 0)
print(t["source_why"] or "-")
print(t["l3_groups_why"] or "-")
for k in ("packages", "dies", "cores", "pus"):
	print(t[k] or 0)'
}

# How many objects of type $2 lstopo's XML $1 has.
count() { grep -c "<object type=\"$2\"" "$1"; }

# Compares hvtune with lstopo on the live host as this shell sees it; $1 names the case.
# Packages, cores and PUs too: where hwloc reads CPUID for the L3, the rest
# must still agree.  lstopo makes Die objects only for several dies a package.
compare_live() {
	local what=$1 l3 src why pkg die core pu

	"$HVTUNE_BIN" probe --json >"$tmp/probe.json" 2>"$tmp/probe.err" ||
		die "$what: 'hvtune probe --json' failed: $(cat "$tmp/probe.err")"
	{ read -r l3; read -r src; read -r why; read -r pkg; read -r die; read -r core;
	  read -r pu; } < <(facts <"$tmp/probe.json")
	lstopo-no-graphics --no-io --disallowed --of xml - >"$tmp/lstopo.xml" 2>/dev/null ||
		die "$what: lstopo-no-graphics failed"
	echo "$what: hvtune $l3 L3 group(s), lstopo $(count "$tmp/lstopo.xml" L3Cache);" \
	     "source: $src; unknown because: $why"
	[ "$l3" = "$(count "$tmp/lstopo.xml" L3Cache)" ] ||
		die "$what: hvtune reports $l3 L3 groups, lstopo $(count "$tmp/lstopo.xml" L3Cache)"
	[ "$l3" != 0 ] || [ "$why" != - ] || die "$what: L3 groups unknown without a reason"
	[ "$pkg" = "$(count "$tmp/lstopo.xml" Package)" ] || die "$what: packages differ"
	[ "$core" = "$(count "$tmp/lstopo.xml" Core)" ] || die "$what: cores differ"
	[ "$pu" = "$(count "$tmp/lstopo.xml" PU)" ] || die "$what: PUs differ"
	[ "$(count "$tmp/lstopo.xml" Die)" = 0 ] || [ "$die" = "$(count "$tmp/lstopo.xml" Die)" ] ||
		die "$what: dies differ"
}

# Case 1.
compare_live "as is"
caches=$(ls -d /sys/devices/system/cpu/cpu[0-9]*/cache/index0 2>/dev/null | wc -l)
echo "this kernel exports caches for $caches CPU(s)"

# Case 3, before anything that may skip.
"$HVTUNE_GENTREE" --no-caches --packages 2 --cores-per-node 4 "$tmp/tree" >/dev/null ||
	die "gentree --no-caches failed"
"$HVTUNE_BIN" probe --root "$tmp/tree" --json >"$tmp/root.json" 2>"$tmp/root.err" ||
	die "'hvtune probe --root' on a tree without caches failed: $(cat "$tmp/root.err")"
{ read -r l3; read -r src; read -r why; } < <(facts <"$tmp/root.json")
echo "--root without caches: $l3 L3 group(s); unknown because: $why"
[ "$l3" = 0 ] || die "--root without caches: $l3 L3 groups (CPUID leaked into another tree?)"
case $why in
*"exports no caches"*"CPUID is not read"*) ;;
*) die "--root without caches: wrong reason '$why'" ;;
esac
"$HVTUNE_BIN" probe --root "$tmp/tree" >"$tmp/root.txt" 2>&1 ||
	die "'hvtune probe --root' (text) failed: $(cat "$tmp/root.txt")"
tr -s ' \n' ' ' <"$tmp/root.txt" | grep -q "L3 groups unknown (the kernel exports no caches" ||
	die "--root without caches: the text does not say why: $(grep topology "$tmp/root.txt")"

# Case 2.
[ "$(id -u)" = 0 ] || skip "not root: cannot hide the kernel's caches in a mount namespace"
command -v unshare >/dev/null 2>&1 || skip "no unshare (util-linux) for a private mount namespace"
unshare -m --propagation private true 2>/dev/null ||
	skip "this machine refuses a private mount namespace (unshare -m)"
export -f compare_live facts count die
export tmp
unshare -m --propagation private bash -c '
	set -u
	for d in /sys/devices/system/cpu/cpu[0-9]*/cache; do
		[ -d "$d" ] || continue
		mount -t tmpfs hvtune-nocache "$d" || die "cannot hide '\''$d'\''"
	done
	compare_live "caches hidden"
	"$HVTUNE_BIN" probe --json >"$tmp/hidden.json" || exit 1
	{ read -r l3; read -r src; read -r why; } < <(facts <"$tmp/hidden.json")
	if [ "$l3" != 0 ] && [ "$src" != "L3 from CPUID: the kernel exports no caches" ]; then
		die "caches hidden: $l3 L3 groups but the source does not say CPUID: $src"
	fi
	case $why in -|*CPUID*) ;; *) die "caches hidden: wrong reason '\''$why'\''" ;; esac
' || exit 1
echo "PASS"
