#!/bin/bash
# monitor.sh - the cost of watching: `hvtune monitor` and htop side by side
#
# Starts a private libvirtd with one QEMU guest (tests/libvirt-env.sh), then
# runs in one private tmux server, each in its own 80x24 terminal, at the
# same 1 s interval and for the same time:
#	hvtune monitor --connect URI --interval 1
#	htop -d 10			(its delay is in tenths of a second)
# and reads each one's own CPU time (utime + stime, /proc/PID/stat fields 14
# and 15, plus 16 and 17: its reaped children's, plus its live children's)
# and peak RSS (VmHWM in /proc/PID/status) before stopping them.
# "steady" leaves out the first 2 s (start-up: the probe, loading libvirt).
# Targets (issue 5): under 1% of one core, below htop, peak RSS under 16 MiB.
#
# usage: tests/bench/monitor.sh [--seconds S] [--bin HVTUNE]   (as root)
# exit status: 0 the targets are met, 1 not, 77 cannot run here.
set -u
here=$(cd "$(dirname "$0")/.." && pwd)
secs=60
bin=${HVTUNE_BIN:-$here/../build/tui/hvtune}
while [ $# -gt 0 ]; do
	case $1 in
	--seconds) secs=${2:?--seconds needs a value}; shift 2 ;;
	--bin) bin=${2:?--bin needs a value}; shift 2 ;;
	*) echo "usage: $0 [--seconds S] [--bin HVTUNE]" >&2; exit 2 ;;
	esac
done
case $secs in ''|*[!0-9]*) echo "monitor.sh: --seconds takes whole seconds" >&2; exit 2 ;; esac
[ "$secs" -ge 5 ] || { echo "monitor.sh: --seconds must be at least 5" >&2; exit 2; }
[ -x "$bin" ] || { echo "monitor.sh: no hvtune at '$bin' (build first, or --bin)" >&2; exit 2; }
for p in tmux htop python3; do
	command -v "$p" >/dev/null || { echo "SKIP: '$p' not found"; exit 77; }
done

# shellcheck source=tests/libvirt-env.sh
. "$here/libvirt-env.sh"
lvenv_start || exit 1
name=hvt-bench-$$
uri=$(lvenv_guest "$name") || exit 1
work=$(mktemp -d)
sock=$work/tmux.sock
tm() { tmux -S "$sock" "$@"; }
cleanup() {
	tm kill-server 2>/dev/null
	rm -rf "$work"
}
old=$(trap -p EXIT | sed -e "s/^trap -- '//" -e "s/' EXIT\$//")
# shellcheck disable=SC2064
trap "cleanup; $old" EXIT

clk=$(getconf CLK_TCK)
# utime + stime + the waited-for children's + the live children's: the
# monitor asks libvirt from a child process that lives as long as it does,
# and that is part of its cost.  comm has no spaces here (hvtune, htop).
ticks() {
	local t k
	t=$(awk '{ print $14 + $15 + $16 + $17 }' "/proc/$1/stat")
	# live children: every process whose parent (stat field 4) it is
	k=$(cat /proc/[0-9]*/stat 2>/dev/null | awk -v p="$1" '$4 == p { s += $14 + $15 } END { print s + 0 }')
	echo $((t + k))
}
hwm() { awk '/^VmHWM:/ { print $2 }' "/proc/$1/status"; }

# htop keeps its settings in $HOME/.config/htop: a private HOME leaves the
# caller's untouched; TERM as a terminal of that size would have.
mkdir -p "$work/home"
tm -f /dev/null new-session -d -s mon -x 80 -y 24 \
	"exec env TERM=xterm-256color '$bin' monitor --connect '$uri' --interval 1"
tm new-session -d -s htop -x 80 -y 24 "exec env HOME='$work/home' TERM=xterm-256color htop -d 10"
mpid=$(tm display-message -p -t mon '#{pane_pid}')
hpid=$(tm display-message -p -t htop '#{pane_pid}')
t0=$(date +%s%N)
sleep 2
m2=$(ticks "$mpid") h2=$(ticks "$hpid")
t2=$(date +%s%N)
sleep $((secs - 2))
kill -0 "$mpid" 2>/dev/null || { echo "monitor.sh: the monitor exited early:"; tm capture-pane -p -t mon; exit 1; }
kill -0 "$hpid" 2>/dev/null || { echo "monitor.sh: htop exited early"; exit 1; }
m=$(ticks "$mpid") h=$(ticks "$hpid")
mrss=$(hwm "$mpid") hrss=$(hwm "$hpid")
t1=$(date +%s%N)
screen=$(tm capture-pane -p -t mon)
grep -q "$name" <<<"$screen" || { echo "monitor.sh: the guest is not on the monitor's screen:"; echo "$screen"; exit 1; }
echo "the monitor's screen at the end:"
sed 's/^/  | /' <<<"$screen"

python3 - "$clk" "$t0" "$t2" "$t1" "$m2" "$m" "$mrss" "$h2" "$h" "$hrss" <<'EOF'
import sys
clk, t0, t2, t1 = int(sys.argv[1]), *(int(x) / 1e9 for x in sys.argv[2:5])
m2, m, mrss, h2, h, hrss = (int(x) for x in sys.argv[5:11])
def pct(ticks, secs):
    return 100.0 * ticks / clk / secs
rows = [("hvtune monitor", m, m2, mrss), ("htop -d 10", h, h2, hrss)]
print(f"{t1 - t0:.0f} s at a 1 s interval, one QEMU guest (2 vCPUs); CPU time from /proc/PID/stat "
      f"(ticks of 1/{clk} s)")
print(f"{'':16} {'CPU % of a core':>16} {'steady (after 2 s)':>19} {'CPU s':>7} {'peak RSS':>10}")
for label, tot, early, rss in rows:
    print(f"{label:16} {pct(tot, t1 - t0):15.3f}% {pct(tot - early, t1 - t2):18.3f}% "
          f"{tot / clk:7.2f} {rss / 1024:6.1f} MiB")
mp, hp = pct(m, t1 - t0), pct(h, t1 - t0)
print(f"ratio monitor/htop (CPU): {mp / hp:.2f}" if hp > 0 else "ratio: htop used no measurable CPU")
ok = [("under 1% of one core", mp < 1.0), ("below htop", mp < hp), ("peak RSS under 16 MiB", mrss < 16 * 1024)]
print("targets: " + ", ".join(f"{what}: {'yes' if good else 'NO'}" for what, good in ok))
sys.exit(0 if all(good for _, good in ok) else 1)
EOF
