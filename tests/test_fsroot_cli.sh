#!/bin/bash
# test_fsroot_cli.sh - a hostile --root and hostile input files, through the command line.
#
# A capture is data from another machine.  Its links resolve inside it, as
# under chroot(): proc/sys/vm linked to a directory of this host is not where
# 'apply --root' writes, and proc/cmdline linked to a file of this host is not
# what 'probe --root' prints.  A FIFO where a file belongs makes that fact
# unknown instead of blocking the probe (timeout 10: exit 124 is a hang), and
# a 2 GiB file is not read: its facts are unknown, with the reason.  /dev/zero or a FIFO as --plan,
# --requests or a profile fails at once with a clear error.
#
# Env: HVTUNE_BIN, HVTUNE_GENTREE (synthetic trees).
set -u
BIN=${HVTUNE_BIN:-build/tui/hvtune}
GEN=${HVTUNE_GENTREE:-build/tests/gentree}
[ -x "$BIN" ] || { echo "SKIP: no hvtune binary at '$BIN'"; exit 77; }
[ -x "$GEN" ] || { echo "SKIP: no gentree binary at '$GEN'"; exit 77; }
command -v timeout >/dev/null || { echo "SKIP: no timeout(1)"; exit 77; }
T=$(mktemp -d) || exit 2
trap 'rm -rf "$T"' EXIT
npass=0 nfail=0
pass() { npass=$((npass + 1)); }
fail() { nfail=$((nfail + 1)); echo "FAIL: $*"; }

"$GEN" "$T/gen" >/dev/null || { echo "gentree failed"; exit 1; }

# fresh NAME: a private copy of the synthetic tree in $T/NAME
fresh() {
	rm -rf "${T:?}/$1" && cp -a "$T/gen" "$T/$1"
}

# run NAME RCS ARGS...: hvtune under timeout 10, exit in RCS ("0 1"); $T/out, $T/err
run() {
	local name=$1 rcs=$2 rc
	shift 2
	timeout 10 "$BIN" "$@" >"$T/out" 2>"$T/err" </dev/null
	rc=$?
	if [[ " $rcs " == *" $rc "* ]]; then pass; else
		fail "$name: exit $rc, want one of $rcs$([ "$rc" = 124 ] && echo ' (a hang)') ($(head -c 300 "$T/err"))"
	fi
}

has() {	# NAME FILE TEXT
	if grep -qF -- "$3" "$2"; then pass; else fail "$1: no '$3' in: $(head -c 300 "$2")"; fi
}

hasnt() {	# NAME FILE TEXT
	if grep -qF -- "$3" "$2"; then fail "$1: '$3' in $(basename "$2")"; else pass; fi
}

## Links out of the capture
out=$T/host			# stands for this host's /proc/sys/vm and /etc
mkdir -p "$out/vm" && echo 60 >"$out/vm/swappiness" && echo SECRET-NOT-A-CMDLINE >"$out/shadow"
fresh esc
mkdir -p "$T/esc/proc/sys"
ln -s "$out/vm" "$T/esc/proc/sys/vm"
rm -f "$T/esc/proc/cmdline" && ln -s "$out/shadow" "$T/esc/proc/cmdline"
run "probe, cmdline linked out" "0 1" probe --root "$T/esc"
hasnt "probe, cmdline linked out" "$T/out" SECRET-NOT-A-CMDLINE
run "probe --json, cmdline linked out" "0 1" probe --root "$T/esc" --json
hasnt "probe --json, cmdline linked out" "$T/out" SECRET-NOT-A-CMDLINE
# relative, with more ".." than the tree is deep: stops at the root too
rm -f "$T/esc/proc/cmdline" && ln -s "../../../../../../../../..$out/shadow" "$T/esc/proc/cmdline"
run "probe, cmdline linked out by .." "0 1" probe --root "$T/esc" --json
hasnt "probe, cmdline linked out by .." "$T/out" SECRET-NOT-A-CMDLINE

cat >"$T/swap.json" <<-JSON
{"root": "$T/esc", "profile": "balanced", "placed": 0, "requested": 0, "vms": [],
 "host": {"housekeeping_cpus": "0", "dedicated_cpus": "", "hugepages": [],
  "settings": [{"path": "/proc/sys/vm/swappiness", "value": "10", "reason": "test"}],
  "kernel_cmdline": [], "reasons": []}}
JSON
run "apply, proc/sys/vm linked out" "1 2" apply --root "$T/esc" --plan "$T/swap.json" --state-dir "$T/st1" --yes
has "apply, proc/sys/vm linked out" "$T/err" "$T/esc/proc/sys/vm/swappiness': No such file or directory"
[ "$(cat "$out/vm/swappiness")" = 60 ] && pass || fail "apply wrote this host's swappiness through a link"
# where the link points, inside the capture, is what apply changes
mkdir -p "$T/esc$out/vm" && echo 60 >"$T/esc$out/vm/swappiness"
run "apply, in-root target" "0" apply --root "$T/esc" --plan "$T/swap.json" --state-dir "$T/st2" --yes
[ "$(cat "$T/esc$out/vm/swappiness")" = 10 ] && pass || fail "apply did not write the capture's swappiness"
[ "$(cat "$out/vm/swappiness")" = 60 ] && pass || fail "apply wrote this host's swappiness through a link"

## FIFOs where files belong: the fact is unknown, nothing blocks
for f in proc/cpuinfo proc/meminfo sys/devices/system/cpu/online \
	sys/devices/system/node/node0/meminfo proc/cmdline \
	sys/kernel/mm/transparent_hugepage/enabled; do
	fresh fifo
	rm -f "$T/fifo/$f" && mkdir -p "$(dirname "$T/fifo/$f")" && mkfifo "$T/fifo/$f"
	run "probe, FIFO $f" "0 1" probe --root "$T/fifo" --json
	has "probe, FIFO $f" "$T/out" "'$T/fifo/$f' is not a regular file"
	run "check, FIFO $f" "0 1 3" check --root "$T/fifo"
done
fresh fifo
mkdir -p "$T/fifo/proc/sys/vm" && mkfifo "$T/fifo/proc/sys/vm/swappiness"
sed "s|$T/esc|$T/fifo|" "$T/swap.json" >"$T/fifo.json"
run "apply, FIFO swappiness" "1 2" apply --root "$T/fifo" --plan "$T/fifo.json" --state-dir "$T/st3" --yes

## A 2 GiB file in a capture is not read (hwloc neither): its facts are unknown, with the reason
fresh big
truncate -s 2G "$T/big/proc/cpuinfo"
run "probe, 2 GiB cpuinfo" "0" probe --root "$T/big" --json
has "probe, 2 GiB cpuinfo" "$T/out" "'$T/big/proc/cpuinfo' is larger than 64 MiB"

## /dev/zero and a FIFO as input files
mkfifo "$T/in.fifo"
for f in /dev/zero "$T/in.fifo"; do
	run "plan --requests $f" "2" plan --root "$T/gen" --requests "$f"
	has "plan --requests $f" "$T/err" "'$f' is not a regular file"
	run "apply --plan $f" "2" apply --root "$T/gen" --plan "$f" --dry-run
	has "apply --plan $f" "$T/err" "'$f' is not a regular file"
	run "profiles show $f" "2" profiles show "$f"
	has "profiles show $f" "$T/err" "'$f' is not a regular file"
	run "plan --profile $f" "2" plan --root "$T/gen" --profile "$f" --vm a:vcpus=1,mem=1G
	has "plan --profile $f" "$T/err" "'$f' is not a regular file"
done
truncate -s 17M "$T/big.json"
run "plan --requests 17 MiB" "2" plan --root "$T/gen" --requests "$T/big.json"
has "plan --requests 17 MiB" "$T/err" "'$T/big.json' is larger than 16 MiB"
truncate -s 2M "$T/big.conf"
run "profiles show 2 MiB" "2" profiles show "$T/big.conf"
has "profiles show 2 MiB" "$T/err" "'$T/big.conf' is larger than 1 MiB"

echo "test_fsroot_cli: $npass passed, $nfail failed"
[ "$nfail" = 0 ]
