#!/bin/bash
# seeds.sh - the seed corpus of the fuzz targets, made fresh in the build tree
#
# usage: seeds.sh GENTREE HVTUNE SRCDIR OUTDIR
# OUTDIR/<target>/ gets: files of synthetic trees (gentree), plans that
# `hvtune plan --json` writes for them, tests/domxml/*.xml, profiles/*.conf,
# the hand-written tests/fuzz/seeds/<target>/*, and, when $HVTUNE_FIXTURES
# exists, files of the real-machine captures (read in place, never copied
# into the repository: they are third-party data).
set -eu
gentree=$1 hvtune=$2 src=$3 out=$4
targets="idset cpuinfo meminfo interrupts vmstat status numa_maps sample cmdline profile
	requests plan_json journal vmspec domxml vms sysfs"

rm -rf "$out"
for t in $targets; do mkdir -p "$out/$t"; done
tmp=$(mktemp -d "${TMPDIR:-/tmp}/hvtune-seeds.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# a file into the corpus of a target, named after where it came from
put() { [ -f "$2" ] && cp "$2" "$out/$1/$3" || true; }

# synthetic trees: a plain host, a 2-socket one with hugepages and isolation, an AMD one
tree() {
	local t="$tmp/$1"
	shift
	"$gentree" "$@" "$t" >/dev/null
	put cpuinfo "$t/proc/cpuinfo" "$(basename "$t")"
	put meminfo "$t/proc/meminfo" "$(basename "$t")"
	put meminfo "$t/sys/devices/system/node/node0/meminfo" "$(basename "$t")-node0"
	put cmdline "$t/proc/cmdline" "$(basename "$t")"
	put idset "$t/sys/devices/system/node/node0/cpulist" "$(basename "$t")-cpulist"
	put idset "$t/sys/devices/system/node/node0/cpumap" "$(basename "$t")-cpumap"
	put idset "$t/sys/devices/system/cpu/cpu0/topology/thread_siblings" \
		"$(basename "$t")-siblings"
	"$hvtune" plan --root "$t" --vm a:vcpus=4,mem=4G,pages=2M --vm b:vcpus=3,mem=1G,pages=none \
		--vm big:vcpus=4096,mem=1T --json >"$out/plan_json/$(basename "$t")" 2>/dev/null || true
	"$hvtune" plan --root "$t" --profile low-latency --vm a:vcpus=2,mem=2G --json \
		>"$out/plan_json/$(basename "$t")-lowlat" 2>/dev/null || true
}
tree gentree-plain --packages 1
tree gentree-2s --packages 2 --nodes-per-package 2 --cores-per-node 4 --hugepages-2m 512 \
	--hugepages-1g 2 --isolated 2-7 --nohz-full 2-7 \
	--cmdline "isolcpus=managed_irq,domain,2-7 nohz_full=2-7 rcu_nocbs=2-7 intel_iommu=on hugepagesz=1G hugepages=4"
tree gentree-amd --packages 1 --cores-per-node 8 --smt-adjacent --l3-per-node 2 \
	--vendor AuthenticAMD --vmx-flags "ept vpid"

for f in "$src"/tests/domxml/*.xml; do put domxml "$f" "$(basename "$f")"; done
for f in "$src"/profiles/*.conf; do put profile "$f" "$(basename "$f")"; done
for t in $targets; do
	for f in "$src/tests/fuzz/seeds/$t"/*; do put "$t" "$f" "$(basename "$f")"; done
done

fx=${HVTUNE_FIXTURES:-}
if [ -n "$fx" ] && [ -d "$fx" ]; then
	for f in "$fx"/domains/*.xml; do put domxml "$f" "fixture-$(basename "$f")"; done
	for f in "$fx"/extras/*/proc/interrupts; do put interrupts "$f" "fixture-extra"; done
	for a in "$fx"/hosts/*.tar.xz; do
		[ -f "$a" ] || continue
		h=$(basename "$a" .tar.xz)
		tar -xJf "$a" -C "$tmp" --wildcards "$h/proc/cpuinfo" "$h/proc/meminfo" \
			"$h/proc/interrupts" "$h/proc/vmstat" "$h/proc/cmdline" "$h/proc/stat" \
			"$h/sys/devices/system/node/node0/meminfo" \
			"$h/sys/devices/system/node/online" 2>/dev/null || true
		put cpuinfo "$tmp/$h/proc/cpuinfo" "$h"
		put meminfo "$tmp/$h/proc/meminfo" "$h"
		put meminfo "$tmp/$h/sys/devices/system/node/node0/meminfo" "$h-node0"
		put interrupts "$tmp/$h/proc/interrupts" "$h"
		put vmstat "$tmp/$h/proc/vmstat" "$h"
		put cmdline "$tmp/$h/proc/cmdline" "$h"
		put idset "$tmp/$h/sys/devices/system/node/online" "$h-online"
		put sample "$tmp/$h/proc/stat" "$h-stat"
	done
fi
for t in $targets; do
	echo "$t: $(find "$out/$t" -type f | wc -l) seeds"
done
