#!/bin/bash
# test_plan_capture.sh - 'hvtune plan' on a real capture: text, JSON, exit codes.
# Skipped when the capture is absent or the probe cannot read it.
set -u
bin=${HVTUNE_BIN:?HVTUNE_BIN is not set}
src=${HVTUNE_SRC:?HVTUNE_SRC is not set}
export HVTUNE_PROFILES=$src/profiles
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0

# expect CODE 'SUBSTRING' CMD...: exit status CODE and SUBSTRING in stdout+stderr
expect() {
	local code=$1 want=$2 out got
	shift 2
	out=$("$@" 2>&1)
	got=$?
	if [ "$got" != "$code" ] || [[ "$out" != *"$want"* ]]; then
		echo "FAIL: $* -> exit $got (want $code), output:"
		echo "$out" | head -20
		echo "  (wanted: $want)"
		fail=$((fail + 1))
	else
		pass=$((pass + 1))
	fi
}

fx=${HVTUNE_FIXTURES:-}
cap=2s-intel-xeon-silver4108-smt
if [ -z "$fx" ] || [ ! -f "$fx/hosts/$cap.tar.xz" ]; then
	echo "SKIP: capture '$cap' is absent (HVTUNE_FIXTURES='$fx')"
	exit 77
fi
tar -xJf "$fx/hosts/$cap.tar.xz" -C "$tmp"
root=$tmp/$cap
# 2 sockets x 8 cores x 2 threads, 2048 x 2 MiB pages reserved per node
expect 0 'placed 2 of 2 VM(s)' "$bin" plan --root "$root" --vm a:vcpus=4,mem=2G --vm b:vcpus=2,mem=1G
expect 0 '"vcpu_pins"' "$bin" plan --root "$root" --json --vm a:vcpus=4,mem=2G
expect 0 '"housekeeping_cpus"' "$bin" plan --root "$root" --json --profile high-pps --vm a:vcpus=2,mem=2G,pages=2M
expect 1 'NOT PLACED' "$bin" plan --root "$root" --vm a:vcpus=4,mem=2G --vm huge:vcpus=64,mem=1G
expect 1 '"placed": false' "$bin" plan --root "$root" --json --vm huge:vcpus=64,mem=1G
expect 2 "vm 'a': no NIC 'eth9' on this host" "$bin" plan --root "$root" --vm a:vcpus=2,mem=1G,nic=eth9
echo "plan on '$cap': $pass passed, $fail failed"
[ "$fail" = 0 ]
