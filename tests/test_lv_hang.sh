#!/bin/bash
# test_lv_hang.sh - a libvirtd that stops answering, and a define whose answer is lost
#
# A private libvirtd and a real QEMU guest (tests/libvirt-env.sh); every
# hvtune run is bounded by timeout(1), so a hang fails the test instead of
# the test hanging.  HVTUNE_LIBVIRT_TIMEOUT (documented in docs/cli.md)
# shortens the deadline of a libvirt call from 30 s to 5 s.
#
# 1. libvirtd stopped (SIGSTOP): 'probe --connect' and 'apply' end with
#    "libvirt at 'URI' did not answer within 5 s" (exit 2), long before the
#    timeout(1) of 120 s; so does an apply whose libvirtd stops while it asks
#    for confirmation (the lock is taken after the question): the deadline
#    ends its first call, or keepalive (8 s) has closed the connection while
#    it waited; the lock is released.  A rollback then fails the same way;
#    after SIGCONT the rollback restores the persistent XML.
# 2. A define whose reply is lost: a proxy between hvtune and libvirtd passes
#    the define to libvirtd, waits for its reply (the new XML is saved), then
#    kills libvirtd (SIGKILL) and closes hvtune's connection.  apply counts the
#    define as done, its undo cannot reach libvirt, and the journal stays
#    incomplete; libvirtd restarted, 'hvtune rollback' restores the old XML.
# 3. A live vCPU pin whose reply is lost (libvirtd alive, the connection
#    closed): counted as done, the journal stays incomplete (no undo can go
#    through the lost connection), and 'hvtune rollback' restores the pin and
#    the XML.
set -u
bin=${HVTUNE_BIN:?HVTUNE_BIN is not set}
src=${HVTUNE_SRC:?HVTUNE_SRC is not set}
export HVTUNE_PROFILES=$src/profiles
export HVTUNE_LIBVIRT_TIMEOUT=5
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL: $*"; fail=$((fail + 1)); }

[ -x "$bin" ] || { echo "SKIP: no hvtune binary at '$bin'"; exit 77; }
command -v python3 >/dev/null || { echo "SKIP: python3 runs the proxy"; exit 77; }
command -v flock >/dev/null || { echo "SKIP: no flock(1)"; exit 77; }
# shellcheck source=tests/libvirt-env.sh
. "$src/tests/libvirt-env.sh"
lvenv_start || { echo "FAIL: lvenv_start"; exit 1; }
tmp=$LVENV_DIR/t
mkdir -p "$tmp"
name="hvt-hang-$$"
lvenv_guest "$name" >/dev/null || { echo "FAIL: lvenv_guest"; exit 1; }
xml0=$(virsh -q -c "$LVENV_URI" dumpxml --inactive "$name")
printf '[planner]\nhugepage_kib = 0\nhost_reserved_memory_mib = 0\n[host]\nthp = keep\nnuma_balancing = keep\nirq_affinity = keep\n' >"$tmp/p.conf"
plan=$tmp/plan.json
"$bin" plan --profile "$tmp/p.conf" --vm "$name:vcpus=1,mem=64M,pages=none" --json >"$plan" ||
	{ echo "FAIL: plan: $(cat "$plan")"; exit 1; }

# run NAME CMD...: runs CMD under timeout 120; sets $out, $rc and $secs
run() {
	local what=$1 t0
	shift
	t0=$(date +%s)
	out=$(timeout 120 "$@" 2>&1 </dev/null)
	rc=$?
	secs=$(($(date +%s) - t0))
	echo "  $what: exit $rc after $secs s"
}
# timed_out WHAT PREFIX [SECONDS]: exit 2, the one-line timeout error ("within
# 5 s", the deadline; 8 s is keepalive's 2 s x (3 + 1)), in well under 120 s
timed_out() {
	local want="hvtune: $2libvirt at '$LVENV_URI' did not answer within ${3:-5} s"
	if [ "$rc" = 2 ] && [[ "$out" == *"$want"* ]] && [ "$secs" -lt 60 ]; then ok; else
		bad "$1: exit $rc after $secs s (want 2, '$want'), output: $(echo "$out" | tail -5)"
	fi
}
unlocked() {
	flock -n "$1/lock" true && ok || bad "'$1/lock' is still held"
}

## 1. a stopped libvirtd
st=$tmp/st1
kill -STOP "$LVENV_LIBVIRTD_PID"
run "probe --connect, libvirtd stopped" "$bin" probe --connect "$LVENV_URI"
timed_out "probe --connect" ""
run "apply, libvirtd stopped" "$bin" apply --plan "$plan" --profile "$tmp/p.conf" --yes \
	--connect "$LVENV_URI" --state-dir "$st"
timed_out "apply" "apply: "
kill -CONT "$LVENV_LIBVIRTD_PID"

# stopped while apply asks for confirmation (the lock is taken after it):
# the commit meets a silent libvirtd.  ask_stopped IDLE SECONDS: IDLE
# seconds stopped before the answer; after 1 s the deadline (5 s) ends the
# first call of the commit, after 10 s keepalive has closed the idle
# connection already (8 s) and the first call fails at once.
ask_stopped() {
	local spid t0

	rm -f "$tmp/answer" "$tmp/typescript"
	mkfifo "$tmp/answer"
	timeout 120 script -qfec "'$bin' apply --plan '$plan' --profile '$tmp/p.conf' --connect '$LVENV_URI' --state-dir '$st'" \
		"$tmp/typescript" <"$tmp/answer" >/dev/null 2>&1 &
	spid=$!
	exec 7>"$tmp/answer"
	for _ in $(seq 300); do
		grep -q 'apply these changes?' "$tmp/typescript" 2>/dev/null && break
		sleep 0.1
	done
	kill -STOP "$LVENV_LIBVIRTD_PID"
	sleep "$1"
	t0=$(date +%s)
	echo y >&7
	wait "$spid"
	rc=$? secs=$(($(date +%s) - t0))
	exec 7>&-
	out=$(tr -d '\r' <"$tmp/typescript")
	echo "  apply, libvirtd stopped $1 s before the answer: exit $rc after $secs s"
	timed_out "apply, libvirtd stopped $1 s before the answer" "apply: " "$2"
	unlocked "$st"
	kill -CONT "$LVENV_LIBVIRTD_PID"
}
if command -v script >/dev/null; then
	ask_stopped 1 5
	ask_stopped 10 8
else
	echo "SKIP: no script(1): apply stopped at its question"
fi

# an apply that worked; its rollback meets a stopped libvirtd, then a running one
run "apply" "$bin" apply --plan "$plan" --profile "$tmp/p.conf" --yes --connect "$LVENV_URI" \
	--state-dir "$st"
[ "$rc" = 0 ] && ok || bad "apply: exit $rc: $out"
[ "$(virsh -q -c "$LVENV_URI" dumpxml --inactive "$name")" != "$xml0" ] && ok ||
	bad "apply did not change the persistent XML"
kill -STOP "$LVENV_LIBVIRTD_PID"
run "rollback, libvirtd stopped" "$bin" rollback --state-dir "$st"
timed_out "rollback" "rollback: "
unlocked "$st"
kill -CONT "$LVENV_LIBVIRTD_PID"
run "rollback" "$bin" rollback --state-dir "$st"
[ "$rc" = 0 ] && [[ "$out" == *"rolled back journal"* ]] && ok || bad "rollback after SIGCONT: exit $rc: $out"
[ "$(virsh -q -c "$LVENV_URI" dumpxml --inactive "$name")" = "$xml0" ] && ok ||
	bad "the persistent XML differs after rollback"

## 2. the define's reply lost: libvirtd killed once the define is done
cat >"$tmp/proxy.py" <<'PY'
import os, signal, socket, struct, sys, threading
# proxy.py UPSTREAM PATH PROC PIDFILE FLAG: passes libvirt's RPC through;
# the reply to the first call of remote procedure PROC is lost: libvirtd
# (pid in PIDFILE, "-": it stays) is killed, the client's socket is closed
upstream, path, proc_lost, pidfile, flag = sys.argv[1:6]
PROGRAM, CALL, REPLY = 0x20008086, 0, 1
lost = []

def frames(s):
    buf = b''
    while True:
        while len(buf) < 4 or len(buf) < struct.unpack('>I', buf[:4])[0]:
            d = s.recv(65536)
            if not d:
                return
            buf += d
        n = struct.unpack('>I', buf[:4])[0]
        yield buf[:n], struct.unpack('>6I', buf[4:28])
        buf = buf[n:]

def serve(cli):
    up = socket.socket(socket.AF_UNIX)
    up.connect(upstream)
    defines = set()
    def to_daemon():
        try:
            for f, (prog, vers, proc, typ, serial, status) in frames(cli):
                if prog == PROGRAM and proc == int(proc_lost) and typ == CALL and not lost:
                    lost.append(serial)
                    defines.add(serial)
                up.sendall(f)
        except OSError:
            pass
    threading.Thread(target=to_daemon, daemon=True).start()
    try:
        for f, (prog, vers, proc, typ, serial, status) in frames(up):
            if prog == PROGRAM and typ == REPLY and serial in defines:
                # libvirtd has done it: the answer is lost (and libvirtd dies)
                if pidfile != '-':
                    os.kill(int(open(pidfile).read()), signal.SIGKILL)
                open(flag, 'w').write('status %d\n' % status)
                cli.shutdown(socket.SHUT_RDWR)
                break
            cli.sendall(f)
    except OSError:
        pass
    cli.close()
    up.close()

srv = socket.socket(socket.AF_UNIX)
srv.bind(path)
srv.listen(8)
while True:
    threading.Thread(target=serve, args=(srv.accept()[0],), daemon=True).start()
PY
echo "$LVENV_LIBVIRTD_PID" >"$tmp/libvirtd.pid"
python3 "$tmp/proxy.py" "$LVENV_RUN/libvirt-sock" "$tmp/proxy.sock" 350 "$tmp/libvirtd.pid" \
	"$tmp/dropped" &
proxy=$!
for _ in $(seq 100); do [ -S "$tmp/proxy.sock" ] && break; sleep 0.1; done
puri="qemu:///system?socket=$tmp/proxy.sock"
disown "$LVENV_LIBVIRTD_PID" 2>/dev/null	# bash says nothing when the proxy kills it
st2=$tmp/st2
run "apply, define's reply lost" "$bin" apply --plan "$plan" --profile "$tmp/p.conf" --yes \
	--connect "$puri" --state-dir "$st2"
kill "$proxy" 2>/dev/null
wait "$proxy" 2>/dev/null
echo "$out" | sed 's/^/    /'
[ "$(cat "$tmp/dropped" 2>/dev/null)" = "status 0" ] && ok ||
	bad "the proxy did not see a successful define reply ($(cat "$tmp/dropped" 2>/dev/null))"
kill -0 "$LVENV_LIBVIRTD_PID" 2>/dev/null && bad "libvirtd still runs" || ok
[ "$rc" = 2 ] && ok || bad "apply with the reply lost: exit $rc, want 2"
[[ "$out" == *"the define of domain '$name' may be done (libvirt's answer was lost): it is undone too"* ]] &&
	ok || bad "no 'may be done' in the apply's log"
[[ "$out" == *"NOT restored: "* ]] && ok || bad "the undo of the define did not fail (libvirtd is dead)"
id=$(basename "$(ls "$st2"/*.journal 2>/dev/null | head -1)" .journal)
[[ "$out" == *"journal '$id' stays incomplete: run 'hvtune rollback' when libvirt answers"* ]] &&
	ok || bad "the error does not say the journal stays incomplete"
jl=$(timeout 30 "$bin" journal --state-dir "$st2")
[[ "$jl" == *"$id"*" incomplete      1 define(s)"* ]] && ok || bad "journal: $jl"
# the daemon saved the plan before it died
lvenv_restart || { bad "libvirtd did not restart"; echo "$pass passed, $fail failed"; exit 1; }
[ "$(virsh -q -c "$LVENV_URI" dumpxml --inactive "$name")" != "$xml0" ] && ok ||
	bad "the define did not reach libvirtd (the test did not lose a real answer)"
run "rollback after the restart" "$bin" rollback --state-dir "$st2" --connect "$LVENV_URI"
[ "$rc" = 0 ] && [[ "$out" == *"restored the definition of domain '$name'"* ]] && ok ||
	bad "rollback: exit $rc: $out"
[ "$(virsh -q -c "$LVENV_URI" dumpxml --inactive "$name")" = "$xml0" ] && ok ||
	bad "the persistent XML differs after rollback"
jl=$(timeout 30 "$bin" journal --state-dir "$st2")
[[ "$jl" == *"$id"*" rolled-back "* ]] && ok || bad "journal after rollback: $jl"

## 3. a live pin's reply lost, libvirtd alive: the connection is, not libvirtd
pid=$(lvenv_pid "$name")
affinity() {	# the Cpus_allowed_list of the guest's thread named $1
	local t
	for t in /proc/"$pid"/task/*; do
		[ "$(cat "$t/comm" 2>/dev/null)" = "$1" ] &&
			sed -n 's/^Cpus_allowed_list:[[:space:]]*//p' "$t/status"
	done
}
cpu0=$(affinity "CPU 0/TCG")
want=$(tr -d ' \n' <"$plan" | sed -n 's/.*"vcpu_pins":\[{"vcpu":0,"cpu":\([0-9]*\)}\].*/\1/p')
rm -f "$tmp/proxy.sock" "$tmp/dropped"
python3 "$tmp/proxy.py" "$LVENV_RUN/libvirt-sock" "$tmp/proxy.sock" 225 - "$tmp/dropped" &
proxy=$!
for _ in $(seq 100); do [ -S "$tmp/proxy.sock" ] && break; sleep 0.1; done
st3=$tmp/st3
run "apply, a pin's reply lost" "$bin" apply --plan "$plan" --profile "$tmp/p.conf" --yes \
	--connect "$puri" --state-dir "$st3"
kill "$proxy" 2>/dev/null
wait "$proxy" 2>/dev/null
echo "$out" | grep -v '^[ +@-]\|^$' | sed 's/^/    /'
[ "$(cat "$tmp/dropped" 2>/dev/null)" = "status 0" ] && ok ||
	bad "the proxy did not see a successful pin reply ($(cat "$tmp/dropped" 2>/dev/null))"
[ "$rc" = 2 ] && ok || bad "apply with the pin's reply lost: exit $rc, want 2"
[[ "$out" == *"the pin of domain '$name' vCPU 0 may be done (libvirt's answer was lost): it is undone too"* ]] &&
	ok || bad "no 'may be done' for the pin in the apply's log"
[ -n "$want" ] && [ "$(affinity "CPU 0/TCG")" = "$want" ] && ok ||
	bad "vCPU 0 runs on '$(affinity "CPU 0/TCG")', not the plan's '$want' (the pin did not happen)"
id=$(basename "$(ls "$st3"/*.journal 2>/dev/null | head -1)" .journal)
jl=$(timeout 30 "$bin" journal --state-dir "$st3")
[[ "$jl" == *"$id"*" incomplete      1 define(s), 1 pin(s)"* ]] && ok || bad "journal: $jl"
run "rollback, libvirtd alive" "$bin" rollback --state-dir "$st3" --connect "$LVENV_URI"
[ "$rc" = 0 ] && [[ "$out" == *"restored domain '$name' vCPU 0 to CPUs $cpu0"* ]] && ok ||
	bad "rollback: exit $rc: $out"
[ "$(affinity "CPU 0/TCG")" = "$cpu0" ] && ok || bad "vCPU 0 runs on '$(affinity "CPU 0/TCG")', not '$cpu0'"
[ "$(virsh -q -c "$LVENV_URI" dumpxml --inactive "$name")" = "$xml0" ] && ok ||
	bad "the persistent XML differs after rollback"

echo "lv hang: $pass passed, $fail failed"
[ "$fail" = 0 ]
