#!/bin/bash
# test_monitor.sh - 'hvtune monitor' on the command line: bad arguments, the
# live host (text and JSON lines), a capture (counters that never change),
# Ctrl-C, and a real libvirtd + QEMU guest whose vCPU is re-pinned live
# (that part skips, with the reason, where it cannot run: not root, no QEMU).
set -u
bin=${HVTUNE_BIN:?HVTUNE_BIN is not set}
src=${HVTUNE_SRC:?HVTUNE_SRC is not set}
# shellcheck source=tests/wait.sh
. "$src/tests/wait.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0 skipped=

ok() { pass=$((pass + 1)); }
bad() { echo "FAIL: $*"; fail=$((fail + 1)); }

# expect CODE 'SUBSTRING' CMD...: exit status CODE and SUBSTRING in stdout+stderr
expect() {
	local code=$1 want=$2 out got
	shift 2
	out=$("$@" 2>&1)
	got=$?
	if [ "$got" != "$code" ] || [[ "$out" != *"$want"* ]]; then
		bad "$* -> exit $got (want $code), output:"
		echo "$out" | head -20
		echo "  (wanted: $want)"
	else
		ok
	fi
}

# jcheck 'PYTHON EXPR over lines (a list of dicts)' FILE WHAT: every line
# parses as JSON and the expression is true
jcheck() {
	if python3 -c '
import json, sys
lines = [json.loads(l) for l in open(sys.argv[2]) if l.strip()]
sys.exit(0 if eval(sys.argv[1]) else 1)' "$1" "$2" 2>"$tmp/py.err"; then
		ok
	else
		bad "$3: ($1) on $(head -c 600 "$2")"
		cat "$tmp/py.err"
	fi
}

## Usage errors: exit 2, one line naming the option
expect 0 'usage: hvtune monitor' "$bin" monitor --help
expect 2 "hvtune: invalid interval '0.05': seconds from 0.1 to 86400 (see 'hvtune monitor --help')" "$bin" monitor --interval 0.05
expect 2 "hvtune: invalid interval 'x'" "$bin" monitor --interval x
expect 2 "hvtune: invalid interval 'nan'" "$bin" monitor --interval nan
expect 2 "hvtune: invalid count '0': a whole number, at least 1" "$bin" monitor --count 0
expect 2 "hvtune: invalid count '-1'" "$bin" monitor --count -1
expect 2 "hvtune: invalid count '2x'" "$bin" monitor --count 2x
expect 2 "hvtune: option '--count' needs a value (see 'hvtune monitor --help')" "$bin" monitor --count
expect 2 "hvtune: unknown option '--bogus' (see 'hvtune monitor --help')" "$bin" monitor --bogus
expect 2 "hvtune: option '--json=yes' takes no value" "$bin" monitor --json=yes
expect 2 "hvtune: unexpected argument 'extra' (see 'hvtune monitor --help')" "$bin" monitor extra
expect 2 "hvtune: cannot open root '$tmp/nope': No such file or directory" "$bin" monitor --root "$tmp/nope" --count 1
expect 2 "hvtune: cannot connect to 'test:///$tmp/none.xml'" "$bin" monitor --connect "test:///$tmp/none.xml" --count 1 --interval 0.1
[ -z "$("$bin" monitor --count 0 2>/dev/null)" ] && ok || bad "output on stdout for a usage error"

## The live host: two intervals of text, then of JSON lines
expect 0 ' CPU busy%   TLB/s  NICIRQ/s' "$bin" monitor --count 2 --interval 0.1
"$bin" monitor --count 2 --interval 0.1 >"$tmp/live.txt" 2>&1 || bad "live text: exit $?"
[ "$(grep -c '^-- ' "$tmp/live.txt")" = 2 ] && ok || bad "live text: not 2 blocks: $(cat "$tmp/live.txt")"
awk 'length > 80 { exit 1 }' "$tmp/live.txt" && ok || bad "live text wider than 80 columns: $(awk 'length > 80' "$tmp/live.txt")"
"$bin" monitor --count 2 --interval 0.1 --json >"$tmp/live.json" 2>"$tmp/err" || bad "live JSON: exit $?: $(cat "$tmp/err")"
[ ! -s "$tmp/err" ] && ok || bad "live JSON: stderr: $(cat "$tmp/err")"
jcheck 'len(lines) == 2 and [l["seq"] for l in lines] == [1, 2]' "$tmp/live.json" "two lines, seq 1 2"
# an interval is never shorter than asked; a loaded machine may make it longer
jcheck 'all(l["schema"] == 1 and 0.05 < l["interval_s"] and l["why"] is None for l in lines)' "$tmp/live.json" "intervals"
jcheck 'all(len(l["cpus"]) > 0 and all(c["busy_pct"] is None or 0 <= c["busy_pct"] <= 100 for c in l["cpus"]) for l in lines)' "$tmp/live.json" "busy in 0..100"
jcheck 'all(set(l) >= {"cpus", "busy_why", "shootdowns_why", "nic_irqs_why", "perf_why", "hugepages", "hugepages_why", "vms", "vms_why"} for l in lines)' "$tmp/live.json" "every key"
jcheck 'all((l["vms"] is None) == (l["vms_why"] is not None) for l in lines)' "$tmp/live.json" "vms or vms_why"
jcheck 'all(all(c["dtlb_misses_per_s"] is not None for c in l["cpus"]) or l["perf_why"] for l in lines)' "$tmp/live.json" "perf or perf_why"

## Ctrl-C ends it between samples, with status 0 and complete output
"$bin" monitor --interval 0.1 --json >"$tmp/int.json" 2>&1 &
mpid=$!
wait_until test -s "$tmp/int.json" || bad "no first line before SIGINT"
kill -INT "$mpid"
wait "$mpid"
rc=$?
[ "$rc" = 0 ] && ok || bad "SIGINT: exit $rc"
jcheck 'len(lines) >= 1' "$tmp/int.json" "lines before SIGINT"

## A capture: nothing changes, so rates are 0 or unknown
fx=${HVTUNE_FIXTURES:-}
cap=2s-intel-xeon-silver4108-smt
if [ -n "$fx" ] && [ -f "$fx/hosts/$cap.tar.xz" ]; then
	tar -xJf "$fx/hosts/$cap.tar.xz" -C "$tmp"
	root=$tmp/$cap
	expect 0 "no libvirt connection (a capture: give --connect URI)" "$bin" monitor --root "$root" --count 1 --interval 0.1
	"$bin" monitor --root "$root" --count 2 --interval 0.1 --json >"$tmp/cap.json" 2>"$tmp/err" || bad "capture JSON: exit $?: $(cat "$tmp/err")"
	jcheck 'len(lines) == 2 and all(len(l["cpus"]) == 32 for l in lines)' "$tmp/cap.json" "capture: 32 CPUs"
	jcheck 'all(c[k] in (None, 0) for l in lines for c in l["cpus"] for k in ("busy_pct", "shootdowns_per_s", "nic_irqs_per_s"))' "$tmp/cap.json" "capture: rates 0 or unknown"
	jcheck 'all(l["vms"] is None and "capture" in l["vms_why"] and "not the live host" in l["perf_why"] for l in lines)' "$tmp/cap.json" "capture: no VMs, no perf"
	jcheck 'all(any(p["size_kib"] == 2048 and p["total"] == 2048 for p in l["hugepages"]) for l in lines)' "$tmp/cap.json" "capture: 2048 x 2 MiB pages per node"
else
	echo "SKIP (capture part): '$cap' is absent (HVTUNE_FIXTURES='$fx')"
	skipped=capture
fi

## A real guest: its 2 vCPU threads, then a live re-pin of vCPU 0 to CPU 1
guest() {
	local name=hvt-mon-$$ uri
	# shellcheck source=tests/libvirt-env.sh
	. "$src/tests/libvirt-env.sh"
	lvenv_start || exit 1
	# a monitor started before the guest: the guest appears at a re-list
	# (every 10 s, by a child process), while every sample stays on time
	"$bin" monitor --json --connect "$LVENV_URI" --interval 0.5 >"$tmp/bg.json" 2>"$tmp/bg.err" &
	bg=$!
	wait_until test -s "$tmp/bg.json"
	uri=$(lvenv_guest "$name") || { kill "$bg"; exit 1; }
	t0=$SECONDS
	wait_until grep -qF "\"name\":\"$name\"" "$tmp/bg.json" ||
		{ echo "FAIL: a guest started after the monitor never listed; stderr: $(cat "$tmp/bg.err")"; kill "$bg"; exit 1; }
	echo "the new guest was listed after about $((SECONDS - t0)) s (a re-list every 10 s)"
	"$bin" monitor --json --connect "$uri" --count 2 --interval 0.2 >"$tmp/g1.json" 2>"$tmp/err" ||
		{ echo "FAIL: monitor on the guest: exit $?: $(cat "$tmp/err")"; exit 1; }
	python3 - "$tmp/g1.json" "$name" <<'EOF' || exit 1
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
for l in lines:
    vms = [v for v in l["vms"] or [] if v["name"] == sys.argv[2]]
    assert len(vms) == 1, f"guest not listed: {l['vms']} {l['vms_why']}"
    v = vms[0]
    assert v["running"] and v["pid"], v
    assert [t["vcpu"] for t in v["vcpus"]] == [0, 1], v["vcpus"]
    assert all(t["cpu"] is not None and t["tid"] for t in v["vcpus"]), v["vcpus"]
assert all(t["cpu_pct"] is not None for t in lines[-1]["vms"][0]["vcpus"]), lines[-1]
EOF
	virsh -q -c "$uri" vcpupin "$name" 0 1 --live >/dev/null ||
		{ echo "FAIL: virsh vcpupin"; exit 1; }
	"$bin" monitor --json --connect "$uri" --count 2 --interval 0.2 >"$tmp/g2.json" 2>"$tmp/err" ||
		{ echo "FAIL: monitor after the re-pin: exit $?: $(cat "$tmp/err")"; exit 1; }
	python3 - "$tmp/g2.json" "$name" <<'EOF' || exit 1
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
v = [v for v in lines[-1]["vms"] if v["name"] == sys.argv[2]][0]
t0 = v["vcpus"][0]
assert t0["allowed"] == "1", f"vCPU 0 not pinned to CPU 1: {t0}"
# the kernel moves a running or queued thread at once; a sleeping one runs
# on CPU 1 at its next wake-up, and until then it is flagged off its pin
assert t0["cpu"] == 1 or t0["off_pin"], t0
EOF
	# a stopped guest leaves the list at the next re-list
	virsh -q -c "$uri" destroy "$name" >/dev/null || { echo "FAIL: virsh destroy"; kill "$bg"; exit 1; }
	t0=$SECONDS
	unlisted() { ! tail -n 1 "$tmp/bg.json" | grep -qF "\"name\":\"$name\""; }
	wait_until unlisted; gone=$?
	kill -INT "$bg"
	wait "$bg" || { echo "FAIL: the background monitor: exit $?: $(cat "$tmp/bg.err")"; exit 1; }
	[ "$gone" = 0 ] || { echo "FAIL: a stopped guest still listed"; exit 1; }
	echo "the stopped guest left the list after about $((SECONDS - t0)) s"
	# the samples went on while libvirt was asked (no gap in seq), none
	# sooner than the interval asked
	python3 - "$tmp/bg.json" <<'EOF' || exit 1
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
assert len(lines) >= 10, len(lines)
assert [l["seq"] for l in lines] == list(range(1, len(lines) + 1)), "seq has gaps"
short = [l["interval_s"] for l in lines if l["interval_s"] < 0.3]
assert not short, f"intervals under 0.5 s: {short}"
EOF
	exit 0
}
( guest )
rc=$?
case $rc in
0) ok ;;
77) echo "SKIP (guest part): see the reason above"; skipped="$skipped guest" ;;
*) bad "the guest part (exit $rc)" ;;
esac

echo "monitor: $pass passed, $fail failed${skipped:+, skipped: $skipped}"
[ "$fail" = 0 ] || exit 1
[ -z "$skipped" ] || exit 77
exit 0
