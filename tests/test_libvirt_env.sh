#!/bin/bash
# test_libvirt_env.sh - tests/libvirt-env.sh gives a real running QEMU guest and
# takes everything away again
#
# Starts the private libvirtd, makes a 2-vCPU guest, checks that its QEMU runs
# with two "CPU n/TCG" threads, that a live vcpupin shows in that thread's
# Cpus_allowed_list (the kernel's view, not libvirt's), and that lvenv_stop
# leaves no process, no directory and no host file changed.  Skips (77) where
# lvenv_start cannot run (not root, no libvirtd/QEMU, no mount namespace).
set -u
SRC=${HVTUNE_SRC:-$(cd "$(dirname "$0")/.." && pwd)}
nfail=0
fail() { nfail=$((nfail + 1)); echo "FAIL: $*"; }

# shellcheck source=tests/libvirt-env.sh
. "$SRC/tests/libvirt-env.sh"

before=$(ls -ld /run/libvirt /var/lib/libvirt /etc/libvirt/qemu.conf 2>&1; md5sum /etc/passwd /etc/group)
t0=$(date +%s%N)
lvenv_start || { echo "FAIL: lvenv_start"; exit 1; }
name="hvt-$$-a"
uri=$(lvenv_guest "$name") || { echo "FAIL: lvenv_guest"; exit 1; }
t1=$(date +%s%N)
echo "start + guest: $(( (t1 - t0) / 1000000 )) ms"
[ "$uri" = "$LVENV_URI" ] || fail "lvenv_guest printed '$uri', want '$LVENV_URI'"

state=$(virsh -q -c "$LVENV_URI" domstate "$name" 2>&1)
[ "$state" = running ] || fail "guest state '$state', want running"
pid=$(lvenv_pid "$name") || fail "no QEMU pid"
dir=$LVENV_DIR lpid=$LVENV_LIBVIRTD_PID vpid=$LVENV_VIRTLOGD_PID

# The vCPU threads, by their comm.
vcpu_tid() {
	local t
	for t in /proc/"$pid"/task/*; do
		[ "$(cat "$t/comm" 2>/dev/null)" = "CPU $1/TCG" ] && { basename "$t"; return 0; }
	done
	return 1
}
tid0=$(vcpu_tid 0) || fail "no 'CPU 0/TCG' thread in /proc/$pid/task"
vcpu_tid 1 >/dev/null || fail "no 'CPU 1/TCG' thread in /proc/$pid/task"
grep -q "guest=$name" "/proc/$pid/cmdline" || fail "QEMU $pid has no guest=$name in its command line"

# A live pin reaches the kernel.  On a 1-CPU host pin to 0 (still a change of
# what libvirt reports, but not of the thread): the 2-CPU case is the real one.
last=$(($(nproc) - 1))
if virsh -q -c "$LVENV_URI" vcpupin "$name" 0 "$last" --live >/dev/null; then
	got=$(sed -n 's/^Cpus_allowed_list:[[:space:]]*//p' "/proc/$pid/task/$tid0/status")
	[ "$got" = "$last" ] || fail "CPU 0/TCG Cpus_allowed_list '$got' after vcpupin 0 $last"
else
	fail "virsh vcpupin --live failed"
fi

lvenv_stop
sleep 0.2
for p in $pid $lpid $vpid; do
	kill -0 "$p" 2>/dev/null && fail "process $p ($(cat /proc/"$p"/comm 2>/dev/null)) still runs after lvenv_stop"
done
[ -e "$dir" ] && fail "'$dir' still exists after lvenv_stop"
after=$(ls -ld /run/libvirt /var/lib/libvirt /etc/libvirt/qemu.conf 2>&1; md5sum /etc/passwd /etc/group)
[ "$before" = "$after" ] || fail "host files changed: before '$before' after '$after'"
[ -z "$LVENV_DIR" ] || fail "LVENV_DIR still set after lvenv_stop"
lvenv_stop	# twice is harmless

[ "$nfail" = 0 ] && echo "libvirt-env: all checks passed"
exit $((nfail > 0))
