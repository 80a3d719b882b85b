#!/bin/bash
# test_tui_tmux.sh - 'hvtune tui' in a real terminal: tmux runs it at 80x24 on a
# capture, send-keys types (tabs, arrows, ?, a resize, q) and capture-pane reads
# the screen after each step.  Skips without tmux or without the capture.
set -u
bin=${HVTUNE_BIN:?HVTUNE_BIN is not set}
src=${HVTUNE_SRC:?HVTUNE_SRC is not set}
# Waits poll every 0.1 s and end as soon as the screen is right, however
# loaded the machine (wait.sh: a condition, not a time budget).
# shellcheck source=tests/wait.sh
. "$src/tests/wait.sh"
fixtures=${HVTUNE_FIXTURES:-}
export HVTUNE_PROFILES=$src/profiles
host=2s-intel-xeon-silver4108-smt
command -v tmux >/dev/null || { echo "SKIP: tmux is not installed"; exit 77; }
tar=$fixtures/hosts/$host.tar.xz
[ -f "$tar" ] || { echo "SKIP: capture '$tar' is absent"; exit 77; }
tmp=$(mktemp -d)
sock=hvtune-test-$$
# UTF-8, so that the line drawing reads back as box characters
export LANG=C.UTF-8 LC_ALL=C.UTF-8
tm() { tmux -L "$sock" -f /dev/null "$@"; }
trap 'tm kill-server 2>/dev/null; rm -rf "$tmp"' EXIT
tar -xJf "$tar" -C "$tmp" || { echo "FAIL: cannot unpack '$tar'"; exit 1; }
root=$tmp/$host
# the capture lacks switches the plan writes: give the private copy their values now
mkdir -p "$root/sys/kernel/mm/transparent_hugepage" "$root/proc/sys/kernel" "$root/proc/irq"
[ -e "$root/sys/kernel/mm/transparent_hugepage/enabled" ] ||
	echo 'always [madvise] never' >"$root/sys/kernel/mm/transparent_hugepage/enabled"
[ -e "$root/proc/sys/kernel/numa_balancing" ] || echo 1 >"$root/proc/sys/kernel/numa_balancing"
[ -e "$root/proc/irq/default_smp_affinity" ] || echo ff >"$root/proc/irq/default_smp_affinity"
pass=0 fail=0

# screen: the pane as text
screen() { tm capture-pane -p -t t; }

# shows 'TEXT' [session]: the pane shows TEXT now
# A session that is gone (the TUI exited, or tmux died) can never show TEXT:
# fail at once with what is known, instead of waiting for the ceiling.
shows() {
	local pane

	if ! pane=$(tm capture-pane -p -t "${2:-t}" 2>&1); then
		echo "FAIL: the tmux session '${2:-t}' is gone while waiting for '$1': $pane"
		echo "  exit status of the TUI: $(cat "$tmp/rc" 2>/dev/null || echo none)"
		exit 1
	fi
	grep -qF -- "$1" <<<"$pane"
}

# wait_for 'TEXT' [what]: the pane shows TEXT, once the TUI has drawn it
wait_for() {
	local want=$1 what=${2:-$1}
	if wait_until shows "$want"; then
		pass=$((pass + 1))
		return 0
	fi
	echo "FAIL: '$what' not on screen; the screen:"
	screen
	fail=$((fail + 1))
	return 1
}

# absent 'TEXT': the pane does not show TEXT
absent() {
	if screen | grep -qF -- "$1"; then
		echo "FAIL: '$1' still on screen"; screen
		fail=$((fail + 1))
	else
		pass=$((pass + 1))
	fi
}

key() { tm send-keys -t t "$@"; }

# the exit status of hvtune, written when it ends; the session ends with it
tm new-session -d -s t -x 80 -y 24 \
	"'$bin' tui --root '$root' --state-dir '$tmp/state' --vm vm0:vcpus=4,mem=4G --vm vm1:vcpus=2,mem=2G; echo \$? >'$tmp/rc'"
wait_for 'node 0: 16 CPUs 0-7,16-23' 'the Host map'
wait_for '[0 16] [1 17] [2 18]' 'cores with their threads'
wait_for 'node 1: 16 CPUs 8-15,24-31'
wait_for '1-5 tabs  p profile  r rescan  ? help  q quit' 'the footer'
wait_for "$host: 32 CPUs, 2 nodes" 'the status line'
[ "$(screen | wc -l)" -le 24 ] && pass=$((pass + 1)) || { echo "FAIL: more than 24 rows"; fail=$((fail + 1)); }

key 2
wait_for '36 checks:' 'the Checks tab'
wait_for '── PASS hw-virt' 'the selected finding (line drawing)'
key Down Down
wait_for '── WARN kvm-access' 'the third finding selected'
key 3
wait_for 'profile balanced (p: next)' 'the Plan tab'
wait_for 'A vm0' 'vm0 listed'
wait_for '[1A 17A]' 'vm0 on the map'
key 4
wait_for 'write(s) to apply  (a: apply, asks y/N)' 'the Apply tab'
wait_for 'write /proc/sys/kernel/numa_balancing: 1 -> 0'
wait_for "no journals in $tmp/state"
key a
wait_for 'y: yes    any other key: no' 'the confirmation'
key n
wait_for 'not confirmed: nothing changed'
[ "$(cat "$root/proc/sys/kernel/numa_balancing")" = 1 ] && pass=$((pass + 1)) ||
	{ echo "FAIL: numa_balancing changed without a yes"; fail=$((fail + 1)); }
key a
wait_for 'y: yes    any other key: no' 'the confirmation again'
key y
wait_for 'applied: journal ' 'the apply'
wait_for ': complete, 3 step(s)  (u: roll back, asks y/N)' 'the journal listed'
[ "$(cat "$root/proc/sys/kernel/numa_balancing")" = 0 ] && pass=$((pass + 1)) ||
	{ echo "FAIL: numa_balancing not written by the apply"; fail=$((fail + 1)); }
# (the capture's free_hugepages does not follow nr_hugepages: that write stays due)
key u
wait_for 'roll back journal ' 'the rollback question'
key y
wait_for 'rolled back journal ' 'the rollback'
[ "$(cat "$root/proc/sys/kernel/numa_balancing")" = 1 ] && pass=$((pass + 1)) ||
	{ echo "FAIL: numa_balancing not restored by the rollback"; fail=$((fail + 1)); }
wait_for 'rolled-back' 'the journal rolled back'
# a journal whose libvirt URI would run a command: refused before the question
bad=$tmp/state/29991231T000000Z-001.journal
printf 'hvtune-journal 1\nid 29991231T000000Z-001\ntime 1767225600\nroot /\nuri qemu+ext:///system?command=%s/ran.sh\nvcpupin 0 0 vm0\nend complete\n' "$tmp" >"$bad"
printf '#!/bin/sh\ntouch %s/ran\n' "$tmp" >"$tmp/ran.sh" && chmod 700 "$tmp/ran.sh" && chmod 600 "$bad"
key u
wait_for "rollback: journal '29991231T000000Z-001' names libvirt URI" 'the URI refused'
[ -e "$tmp/ran" ] && { echo "FAIL: the journal's URI ran a command"; fail=$((fail + 1)); } || pass=$((pass + 1))
rm -f "$bad"
key 3
key p
wait_for 'profile density' 'the next profile'
key 5
wait_for 'CPU load on the map' 'the Monitor tab'
key Tab
wait_for 'node 0: 16 CPUs' 'Tab: back to Host'
key BTab
wait_for 'CPU load on the map' 'Shift-Tab: Monitor'
key '?'
wait_for 'keys (? again: back to the tab)' 'help'
wait_for 'q      quit' 'the last key in help'
key '?'
wait_for 'CPU load on the map' 'help left'

key 1
tm resize-window -t t -x 120 -y 40
wait_for 'node 0: 16 CPUs 0-7,16-23' 'the map after the resize'
[ "$(screen | head -1 | wc -c)" -gt 81 ] && pass=$((pass + 1)) ||
	{ echo "FAIL: the tab bar did not follow the resize"; screen | head -1; fail=$((fail + 1)); }
wait_for '1-5 tabs  p profile  r rescan  ? help  q quit' 'the footer after the resize'
screen | sed -n 40p | grep -qF '1-5 tabs' && pass=$((pass + 1)) ||
	{ echo "FAIL: the footer is not on the last row after the resize"; fail=$((fail + 1)); }
tm resize-window -t t -x 80 -y 24
wait_for '┌─ node 0: 16 CPUs 0-7,16-23 ──' 'redrawn at 80x24'

key r
wait_for "$host: 32 CPUs, 2 nodes" 'rescan'
key q
wait_until test -f "$tmp/rc"
if [ "$(cat "$tmp/rc" 2>/dev/null)" = 0 ]; then
	pass=$((pass + 1))
else
	echo "FAIL: hvtune tui did not exit 0 after q (rc: $(cat "$tmp/rc" 2>/dev/null))"
	screen | head -24
	fail=$((fail + 1))
fi

# Ctrl-C ends the TUI through its own exit path (endwin), with 128 + SIGINT
rm -f "$tmp/rc"
tm new-session -d -s c -x 80 -y 24 "'$bin' tui --root '$root'; echo \$? >'$tmp/rc'; sleep 5"
wait_until shows '1-5 tabs' c
tm send-keys -t c C-c
wait_until test -f "$tmp/rc"
[ "$(cat "$tmp/rc" 2>/dev/null)" = 130 ] && pass=$((pass + 1)) ||
	{ echo "FAIL: Ctrl-C: exit $(cat "$tmp/rc" 2>/dev/null), not 130"; fail=$((fail + 1)); }
tm kill-session -t c 2>/dev/null

# plain 'hvtune' on a terminal opens the TUI (on the live host)
rm -f "$tmp/rc"
tm new-session -d -s p -x 80 -y 24 "'$bin'; echo \$? >'$tmp/rc'; sleep 5"
ok=
wait_until shows '1-5 tabs  p profile' p && ok=1
tm send-keys -t p q
wait_until test -f "$tmp/rc"
[ -n "$ok" ] && [ "$(cat "$tmp/rc" 2>/dev/null)" = 0 ] && pass=$((pass + 1)) ||
	{ echo "FAIL: plain hvtune on a terminal: screen ${ok:-not seen}, exit $(cat "$tmp/rc" 2>/dev/null)"; fail=$((fail + 1)); }
tm kill-session -t p 2>/dev/null

# a libvirt that accepts the connection and never answers: the first screen
# is drawn at once, the status line says what is asked, the keys work, and
# q ends it (the child that waits is killed)
python3 -c 'import socket, sys, time
s = socket.socket(socket.AF_UNIX)
s.bind(sys.argv[1])
s.listen(8)
time.sleep(3600)' "$tmp/hang.sock" &
hang=$!
wait_until test -S "$tmp/hang.sock"
rm -f "$tmp/rc"
huri="qemu:///system?socket=$tmp/hang.sock"
tm kill-session -t t 2>/dev/null
tm new-session -d -s t -x 100 -y 30 "'$bin' tui --root '$root' --connect '$huri'; echo \$? >'$tmp/rc'; sleep 5"
wait_for ' 1 Host ' 'the tab bar while libvirt does not answer'
wait_for "asking libvirt ($huri)..." 'the asking status line'
wait_for 'node 0: 16 CPUs 0-7,16-23' 'the Host map while libvirt does not answer'
key 2
wait_for 'checks:' 'the Checks tab while libvirt does not answer'
key q
wait_until test -f "$tmp/rc"
[ "$(cat "$tmp/rc" 2>/dev/null)" = 0 ] && pass=$((pass + 1)) ||
	{ echo "FAIL: q while libvirt does not answer: exit $(cat "$tmp/rc" 2>/dev/null)"; fail=$((fail + 1)); }
# the child is killed at exit; it may take a moment to be reaped
none_left() { ! pgrep -f "hvtune tui --root $root --connect" >/dev/null; }
wait_until none_left && pass=$((pass + 1)) ||
	{ echo "FAIL: an hvtune process is left: $(pgrep -af "hvtune tui --root $root")"; fail=$((fail + 1)); }
tm kill-session -t t 2>/dev/null
kill "$hang" 2>/dev/null
wait "$hang" 2>/dev/null

# without a terminal: an error, and plain 'hvtune' prints its usage
out=$("$bin" tui --root "$root" </dev/null 2>&1); rc=$?
[ $rc = 2 ] && [[ $out == *"hvtune: tui: stdin and stdout must be a terminal"* ]] &&
	pass=$((pass + 1)) || { echo "FAIL: tui without a terminal: $rc $out"; fail=$((fail + 1)); }
out=$("$bin" </dev/null 2>&1); rc=$?
[ $rc = 2 ] && [[ $out == *"usage: hvtune <command>"* ]] &&
	pass=$((pass + 1)) || { echo "FAIL: hvtune without a terminal: $rc $out"; fail=$((fail + 1)); }
out=$("$bin" tui --bogus 2>&1); rc=$?
[ $rc = 2 ] && [[ $out == "hvtune: unknown option '--bogus' (see 'hvtune tui --help')" ]] &&
	pass=$((pass + 1)) || { echo "FAIL: tui --bogus: $rc $out"; fail=$((fail + 1)); }
out=$("$bin" tui --help 2>&1); rc=$?
[ $rc = 0 ] && [[ $out == "usage: hvtune tui"* ]] &&
	pass=$((pass + 1)) || { echo "FAIL: tui --help: $rc $out"; fail=$((fail + 1)); }

# A real libvirtd and QEMU guest (tests/libvirt-env.sh; skipped where it
# cannot run): Plan takes the running domain, Monitor shows its vCPU threads
# and the CPU each runs on, follows a live re-pin and lists a guest started
# later.  In a subshell: the
# environment exits 77 when it cannot start, and stops on the subshell's exit.
(
	. "$src/tests/libvirt-env.sh"
	lvenv_start
	vm=hvt-tui-$$
	# one vCPU: a 2-CPU test machine keeps a core for housekeeping, and the
	# plan must place the guest for Apply to have its XML to change
	lvenv_guest "$vm" 1 >/dev/null || exit 1
	lp=0 lf=0
	tm kill-session -t t 2>/dev/null
	rm -f "$tmp/rc"
	tm new-session -d -s t -x 100 -y 30 \
		"'$bin' tui --connect '$LVENV_URI' --state-dir '$tmp/state2'; echo \$? >'$tmp/rc'"
	key 3
	wait_for 'VMs from libvirt' 'the Plan of the running domain' && lp=$((lp + 1)) || lf=$((lf + 1))
	wait_for "A $vm" 'the domain in the Plan' && lp=$((lp + 1)) || lf=$((lf + 1))
	key 4
	# the domain XML comes through the connection that 'a' opens (only an
	# apply waits for libvirt in the TUI); n leaves the change set on the tab
	wait_for 'write(s) to apply' 'the Apply tab' && lp=$((lp + 1)) || lf=$((lf + 1))
	key a
	wait_for 'y: yes    any other key: no' 'the confirmation after connecting' && lp=$((lp + 1)) || lf=$((lf + 1))
	key n
	wait_for 'not confirmed: nothing changed' && lp=$((lp + 1)) || lf=$((lf + 1))
	wait_for "domain $vm: XML +" 'the domain XML change on Apply' && lp=$((lp + 1)) || lf=$((lf + 1))
	wait_for "<vcpupin vcpu='0'" 'the diff of the selected domain' && lp=$((lp + 1)) || lf=$((lf + 1))
	key 5
	wait_for "$vm" 'the guest on the Monitor' && lp=$((lp + 1)) || lf=$((lf + 1))
	wait_for 'v0@' 'vCPU 0 and its CPU' && lp=$((lp + 1)) || lf=$((lf + 1))
	# pin vCPU 0 to the last CPU: the monitor shows it there once it ran
	last=$(($(nproc) - 1))
	virsh -q -c "$LVENV_URI" vcpupin "$vm" 0 "$last" --live >/dev/null
	ok=
	wait_until shows "v0@$last " && ok=1
	[ -n "$ok" ] && lp=$((lp + 1)) || { echo "FAIL: v0@$last not shown after the re-pin"; screen; lf=$((lf + 1)); }
	# a guest started now: the Monitor tab lists the VMs again every 10 s
	vm2=hvt-tui2-$$
	lvenv_guest "$vm2" 1 >/dev/null || exit 1
	ok=
	wait_until shows "$vm2" && ok=1
	[ -n "$ok" ] && lp=$((lp + 1)) || { echo "FAIL: $vm2, started later, not on the Monitor"; screen; lf=$((lf + 1)); }
	key q
	wait_until test -f "$tmp/rc"
	[ "$(cat "$tmp/rc" 2>/dev/null)" = 0 ] && lp=$((lp + 1)) || { echo "FAIL: tui --connect did not exit 0"; lf=$((lf + 1)); }
	echo "with libvirt: $lp passed, $lf failed"
	[ "$lf" = 0 ]
)
case $? in
0) pass=$((pass + 1)) ;;
77) echo "(the libvirt part was skipped)" ;;
*) fail=$((fail + 1)) ;;
esac

echo "test_tui_tmux: $pass passed, $fail failed"
[ "$fail" = 0 ]
