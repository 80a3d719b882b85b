#!/bin/bash
# test_vms_live.sh - `hvtune probe --connect` and `plan --domains` against a real
# libvirtd and a real QEMU guest (tests/libvirt-env.sh)
#
# The guest's QEMU is found by its command line (the private libvirtd's pid
# file is not under the host's /run), its two "CPU n/TCG" threads are read
# from /proc, and a live `virsh vcpupin` shows both in libvirt's pins and in
# the thread's Cpus_allowed_list as hvtune reports them.  Skips (77) where
# lvenv_start cannot run (not root, no libvirtd or QEMU, no mount namespace).
set -u
SRC=${HVTUNE_SRC:-$(cd "$(dirname "$0")/.." && pwd)}
BIN=${HVTUNE_BIN:-build/tui/hvtune}
npass=0 nfail=0
pass() { npass=$((npass + 1)); }
fail() { nfail=$((nfail + 1)); echo "FAIL: $*"; }

[ -x "$BIN" ] || { echo "SKIP: no hvtune binary at '$BIN'"; exit 77; }
command -v python3 >/dev/null || { echo "SKIP: python3 is needed to read the JSON"; exit 77; }
# shellcheck source=tests/libvirt-env.sh
. "$SRC/tests/libvirt-env.sh"
lvenv_start || { echo "FAIL: lvenv_start"; exit 1; }
out=$LVENV_DIR/probe.json
name="hvt-$$-vm"
lvenv_guest "$name" >/dev/null || { echo "FAIL: lvenv_guest"; exit 1; }
pid=$(lvenv_pid "$name")

py() {	# NAME PYTHON-EXPRESSION on v (the guest's entry) and d (the document)
	if python3 -c "
import json, sys
d = json.load(open('$out'))
v = [x for x in (d['vms'] or []) if x['name'] == '$name']
v = v[0] if v else None
sys.exit(0 if ($2) else 1)" 2>/dev/null; then
		pass
	else
		fail "$1: $2 is false for $(head -c 1500 "$out")"
	fi
}

"$BIN" probe --connect "$LVENV_URI" --json >"$out" 2>"$LVENV_DIR/err" ||
	fail "probe: exit $? ($(cat "$LVENV_DIR/err"))"
py "the guest" 'v is not None and v["vcpus"] == 2 and v["memory_kib"] == 65536'
py "its QEMU" "v['pid'] == $pid and 'found by its command line' in v['pid_why']"
py "its threads" '[t["vcpu"] for t in v["threads"]] == [0, 1]'
tids=$(for t in /proc/"$pid"/task/*; do
	case $(cat "$t/comm" 2>/dev/null) in "CPU "*/TCG) basename "$t";; esac
done | sort -n | tr '\n' ' ')
py "thread ids" "sorted(t['tid'] for t in v['threads']) == [int(x) for x in '$tids'.split()]"
py "last CPUs" 'all(t["cpu"] is not None and t["cpu"] >= 0 for t in v["threads"])'
py "memory" 'v["memory_per_node"] and sum(m["kib"] for m in v["memory_per_node"]) >= 16384 and v["page_kib"] >= 4'

# a live pin, seen by libvirt and by the kernel
last=$(($(nproc) - 1))
virsh -q -c "$LVENV_URI" vcpupin "$name" 0 "$last" --live >/dev/null || fail "virsh vcpupin"
virsh -q -c "$LVENV_URI" emulatorpin "$name" 0 --live >/dev/null || fail "virsh emulatorpin"
"$BIN" probe --connect "$LVENV_URI" --json >"$out" 2>"$LVENV_DIR/err" ||
	fail "probe after pin: exit $? ($(cat "$LVENV_DIR/err"))"
py "libvirt pin" "v['vcpu_pins'][0] == '$last' and v['emulator_cpus'] == '0'"
py "kernel pin" "v['threads'][0]['allowed_cpus'] == '$last'"
"$BIN" probe --connect "$LVENV_URI" >"$LVENV_DIR/text" 2>&1 || fail "probe text"
grep -qE "^  $name +2 vCPUs, 64 MiB, QEMU pid $pid " "$LVENV_DIR/text" && pass ||
	fail "probe text: no line for the guest in $(sed -n '/^Running VMs/,$p' "$LVENV_DIR/text")"

# plan the guest from libvirt (2 vCPUs and 64 MiB, normal pages under density)
"$BIN" plan --connect "$LVENV_URI" --domains "$name" --profile density --json >"$out" \
	2>"$LVENV_DIR/err"
rc=$?
[ "$rc" = 0 ] || [ "$rc" = 1 ] && pass || fail "plan --domains: exit $rc ($(cat "$LVENV_DIR/err"))"
python3 -c "
import json, sys
d = json.load(open('$out'))
sys.exit(0 if [v['name'] for v in d['vms']] == ['$name'] and d['vms'][0]['vcpus'] == 2
         and d['vms'][0]['memory_mib'] == 64 else 1)" && pass || fail "plan --domains: $(head -c 600 "$out")"

echo "vms live: $npass passed, $nfail failed"
exit $((nfail > 0))
