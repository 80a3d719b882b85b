#!/bin/bash
# test_probe_degrade.sh - one odd file makes one fact unknown, never the whole host
#
# A synthetic tree (tests/gentree) is probed once per file and per kind of
# damage: the file emptied, filled with garbage, padded past any buffer (as
# kernels print nohz_full's "(null)"), or replaced by a directory.  `hvtune
# probe` must exit 0 and `hvtune check` 0 or 1 every time: only a tree with no
# CPUs at all may fail.  The few files that name the CPUs themselves are
# damaged too; the probe then falls back to the cpuN directories.
set -u
bin=${HVTUNE_BIN:?HVTUNE_BIN is not set}
gentree=${HVTUNE_GENTREE:?HVTUNE_GENTREE is not set}
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0

"$gentree" --packages 2 --cores-per-node 2 --hugepages-2m 4 "$tmp/base" >/dev/null ||
	{ echo "FAIL: gentree"; exit 1; }
printf 'BOOT_IMAGE=/vmlinuz isolcpus=2-3 nohz_full=2-3\n' >"$tmp/base/proc/cmdline"
mkdir -p "$tmp/base/proc/sys/vm" "$tmp/base/sys/kernel/mm/transparent_hugepage"
echo 60 >"$tmp/base/proc/sys/vm/swappiness"
echo 'always [madvise] never' >"$tmp/base/sys/kernel/mm/transparent_hugepage/enabled"

damage() {	# damage KIND FILE
	case $1 in
	empty) : >"$2" ;;
	garbage) printf 'x\001 zz-9,,\n' >"$2" ;;
	padded) printf '(null)%300s\n' '' >"$2" ;;
	dir) rm -f "$2" && mkdir "$2" ;;
	esac
}

# one tree, each file damaged in place and put back after
cp -a "$tmp/base" "$tmp/t"
files=$(cd "$tmp/t" && find sys proc -type f | sort)
n=0
for f in $files; do
	cp -p "$tmp/t/$f" "$tmp/saved"
	for kind in empty garbage padded dir; do
		rm -rf "${tmp:?}/t/$f" && cp -p "$tmp/saved" "$tmp/t/$f"
		damage "$kind" "$tmp/t/$f"
		n=$((n + 1))
		out=$("$bin" probe --root "$tmp/t" 2>&1 >/dev/null); rc=$?
		if [ "$rc" != 0 ]; then
			echo "FAIL: probe, $f $kind: exit $rc: $out"
			fail=$((fail + 1))
			continue
		fi
		out=$("$bin" check --root "$tmp/t" --json 2>&1 >/dev/null); rc=$?
		if [ "$rc" != 0 ] && [ "$rc" != 1 ]; then
			echo "FAIL: check, $f $kind: exit $rc: $out"
			fail=$((fail + 1))
			continue
		fi
		pass=$((pass + 1))
	done
	rm -rf "${tmp:?}/t/$f" && cp -p "$tmp/saved" "$tmp/t/$f"
done
echo "probe degrade: $n damaged trees, $pass passed, $fail failed"
[ "$fail" = 0 ]
