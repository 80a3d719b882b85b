#!/bin/bash
# test_journal_cli.sh - 'hvtune rollback' and 'journal' trust neither the journal nor the state
# directory: journals written by hand (as someone who could write the state directory would
# write them) are checked record by record before anything is undone, their libvirt URI is
# refused unless it is a local one hvtune records, a state directory or journal file that
# someone else could have written is refused, an unreadable journal is skipped by the listing
# (and does not stop 'rollback ID' of a good one), an absurd time shows as "unknown time", and an
# apply whose journal cannot grow part way (a full disk) undoes what it did, says so once and
# leaves no journal for a later rollback to pick.
# Every rollback here runs on a private --root, never on this host's /proc or /sys.
set -u
bin=${HVTUNE_BIN:?HVTUNE_BIN is not set}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
chmod 755 "$tmp"
pass=0 fail=0

ok() { pass=$((pass + 1)); }
bad() { echo "FAIL: $*"; fail=$((fail + 1)); }

# expect CODE 'SUBSTRING' CMD...: exit status CODE and SUBSTRING in stdout+stderr
expect() {
	local code=$1 want=$2 out got
	shift 2
	out=$(timeout 20 "$@" 2>&1 </dev/null)
	got=$?
	if [ "$got" != "$code" ] || [[ "$out" != *"$want"* ]]; then
		bad "$* -> exit $got (want $code), output:"
		echo "$out" | head -20
		echo "  (wanted: $want)"
	else
		ok
	fi
}

# same FILE WANT: the file holds WANT
same() {
	local got
	got=$(cat "$1" 2>&1)
	[ "$got" = "$2" ] && ok || bad "'$1' holds '$got', want '$2'"
}

# journal DIR ID BODY: writes DIR/ID.journal (0600) with a header for $root and BODY
journal() {
	local dir=$1 id=$2 body=$3 uri=${4:--}
	mkdir -p "$dir" && chmod 700 "$dir" && rm -f "$dir/$id.journal"
	printf 'hvtune-journal 1\nid %s\ntime 1767225600\nroot %s\nuri %s\n%s' \
		"$id" "$(realpath "$root")" "$uri" "$body" >"$dir/$id.journal"
	chmod 600 "$dir/$id.journal"
}

root=$tmp/root
mkdir -p "$root/proc/sys/kernel" "$root/proc/sys/vm" "$root/sys/kernel/mm/ksm" "$tmp/elsewhere"
reset() {
	echo core >"$root/proc/sys/kernel/core_pattern"
	echo 0 >"$root/sys/kernel/mm/ksm/run"
	echo 60 >"$root/proc/sys/vm/swappiness"
	echo kept >"$tmp/elsewhere/file"
}
reset
good='write 1 /sys/kernel/mm/ksm/run
1
end complete
'

## 1: every record is checked before any is undone
st=$tmp/st1
journal "$st" 20260101T000000Z-001 "write 13 /proc/sys/kernel/core_pattern
|/some/script
$good"
expect 2 "hvtune: rollback: journal '20260101T000000Z-001' record 1: refusing to write to '/proc/sys/kernel/core_pattern': not a setting hvtune changes (nothing was rolled back)" \
	"$bin" rollback --root "$root" --state-dir "$st"
same "$root/proc/sys/kernel/core_pattern" core
same "$root/sys/kernel/mm/ksm/run" 0
journal "$st" 20260101T000000Z-001 "write 1 /sys/../../elsewhere/file
X
$good"
expect 2 "refusing to write to '/sys/../../elsewhere/file': not a setting hvtune changes (nothing was rolled back)" \
	"$bin" rollback --root "$root" --state-dir "$st"
journal "$st" 20260101T000000Z-001 "write 1 x$tmp/elsewhere/file
X
$good"
expect 2 "refusing to write to 'x$tmp/elsewhere/file': not a setting hvtune changes" \
	"$bin" rollback --root "$root" --state-dir "$st"
journal "$st" 20260101T000000Z-001 "write 5 /proc/sys/vm/swappiness
10
20
$good"
expect 2 "record 1: refusing to write to '/proc/sys/vm/swappiness': a control character in the value" \
	"$bin" rollback --root "$root" --state-dir "$st"
same "$tmp/elsewhere/file" kept
same "$root/proc/sys/vm/swappiness" 60
same "$root/sys/kernel/mm/ksm/run" 0
expect 0 'complete' "$bin" journal --state-dir "$st"
# the same journal with good records only rolls back
journal "$st" 20260101T000000Z-001 "write 2 /proc/sys/vm/swappiness
10
$good"
expect 0 'rolled back journal 20260101T000000Z-001: 2 step(s) restored' "$bin" rollback --root "$root" --state-dir "$st"
same "$root/proc/sys/vm/swappiness" 10
same "$root/sys/kernel/mm/ksm/run" 1
reset

## 3: the journal's libvirt URI
st=$tmp/st3
printf '#!/bin/sh\ntouch %s/ran\n' "$tmp" >"$tmp/script.sh"
chmod 755 "$tmp/script.sh"
def='vcpupin 0 0 test
end complete
'
for uri in "qemu+ext:///system?command=$tmp/script.sh" "qemu:///system?socket=/x&command=$tmp/script.sh" \
	"qemu+ssh://root@localhost/system" "qemu+unix:///system" "qemu:///system?command=$tmp/script.sh" \
	"qemu:///system?socket=relative/sock" "test://relative" "lxc:///system" "qemu:///embed?root=/x"; do
	journal "$st" 20260101T000000Z-001 "$def" "$uri"
	expect 2 "hvtune: rollback: journal '20260101T000000Z-001' names libvirt URI '$uri': rollback connects on its own only to qemu:///system, qemu:///session, qemu:///system?socket=/PATH, test:///default or test:///PATH (give --connect URI to use another)" \
		"$bin" rollback --root "$root" --state-dir "$st"
done
# a URI longer than the journal's field is refused, not cut before its '&command='
long="qemu:///system?socket=/$(printf 'a%.0s' $(seq 240))&command=$tmp/script.sh"
journal "$st" 20260101T000000Z-001 "$def" "$long"
expect 2 "'$st/20260101T000000Z-001.journal':5: the URI is too long" \
	"$bin" rollback --root "$root" --state-dir "$st"
[ -e "$tmp/ran" ] && bad "the journal's URI ran '$tmp/script.sh'" || ok
# local forms are taken (the test driver: its domain 'test' runs)
if "$bin" rollback --help >/dev/null && "$bin" apply --help >/dev/null; then
	journal "$st" 20260101T000000Z-001 "$def" "test:///default"
	out=$("$bin" rollback --root "$root" --state-dir "$st" 2>&1)
	if [[ "$out" == *"no libvirt"* || "$out" == *"cannot connect"* ]]; then
		echo "SKIP: no libvirt test driver: $out"
	else
		[[ "$out" == *"restored domain 'test' vCPU 0 to CPUs 0"* ]] && ok || bad "test:///default: $out"
		# a refused URI is no obstacle when --connect names one
		journal "$st" 20260101T000000Z-001 "$def" "qemu+ext:///system?command=$tmp/script.sh"
		expect 0 "restored domain 'test' vCPU 0 to CPUs 0" "$bin" rollback --root "$root" --state-dir "$st" --connect test:///default
		[ -e "$tmp/ran" ] && bad "the journal's URI ran '$tmp/script.sh'" || ok
	fi
fi

## 4: the state directory and the journal files
ok_journal() { journal "$1" 20260101T000000Z-001 "$good"; }
st=$tmp/st4
ok_journal "$st"
chmod 777 "$st"
for cmd in "journal" "journal show 20260101T000000Z-001" "rollback --root $root"; do
	# shellcheck disable=SC2086
	expect 2 "refusing state directory '$st': writable by group or others (mode 0777; chmod go-w '$st')" "$bin" $cmd --state-dir "$st"
done
plan=$tmp/plan.json
cat >"$plan" <<-JSON
{"root": "$root", "profile": "balanced", "placed": 0, "requested": 0, "vms": [],
 "host": {"housekeeping_cpus": "0", "dedicated_cpus": "", "hugepages": [],
  "settings": [{"path": "/proc/sys/vm/swappiness", "value": "10", "reason": "test"}],
  "kernel_cmdline": [], "reasons": []}}
JSON
expect 2 "hvtune: apply: refusing state directory '$st': writable by group or others" "$bin" apply --root "$root" --plan "$plan" --state-dir "$st" --yes
same "$root/proc/sys/vm/swappiness" 60
chmod 700 "$st"
ln -s "$st" "$tmp/st4link"
expect 2 "refusing state directory '$tmp/st4link': a symbolic link" "$bin" journal --state-dir "$tmp/st4link"
expect 2 "refusing state directory '$tmp/st4link': a symbolic link" "$bin" rollback --root "$root" --state-dir "$tmp/st4link"
expect 2 "refusing state directory '$tmp/st4link': a symbolic link" "$bin" apply --root "$root" --plan "$plan" --state-dir "$tmp/st4link" --yes
echo x >"$tmp/plainfile"
expect 2 "refusing state directory '$tmp/plainfile': not a directory" "$bin" journal --state-dir "$tmp/plainfile"
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
	mkdir -m 1777 "$tmp/pub"
	setpriv --reuid=65534 --regid=65534 --clear-groups sh -c "mkdir -m 700 '$tmp/pub/foreign' && printf 'hvtune-journal 1\nid 20260101T000000Z-001\nroot /\nuri -\nend complete\n' >'$tmp/pub/foreign/20260101T000000Z-001.journal'" || bad "setpriv mkdir"
	for cmd in "journal" "rollback --root $root"; do
		# shellcheck disable=SC2086
		expect 2 "refusing state directory '$tmp/pub/foreign': owned by uid 65534, not 0" "$bin" $cmd --state-dir "$tmp/pub/foreign"
	done
	expect 2 "refusing state directory '$tmp/pub/foreign': owned by uid 65534, not 0" "$bin" apply --root "$root" --plan "$plan" --state-dir "$tmp/pub/foreign" --yes
	# a journal file of another user in a good directory
	ok_journal "$st"
	chown 65534 "$st/20260101T000000Z-001.journal"
	expect 2 "refusing journal '$st/20260101T000000Z-001.journal': owned by uid 65534, not 0" "$bin" rollback --root "$root" --state-dir "$st" 20260101T000000Z-001
	expect 2 "refusing journal '$st/20260101T000000Z-001.journal': owned by uid 65534, not 0" "$bin" journal show 20260101T000000Z-001 --state-dir "$st"
	same "$root/sys/kernel/mm/ksm/run" 0
else
	echo "SKIP: a state directory of another user (needs root and setpriv)"
fi
ok_journal "$st"
chmod 664 "$st/20260101T000000Z-001.journal"
expect 2 "refusing journal '$st/20260101T000000Z-001.journal': writable by group or others (mode 0664" "$bin" rollback --root "$root" --state-dir "$st" 20260101T000000Z-001
expect 2 "refusing journal '$st/20260101T000000Z-001.journal': writable by group or others" "$bin" rollback --root "$root" --state-dir "$st"
same "$root/sys/kernel/mm/ksm/run" 0
rm -f "$st/20260101T000000Z-001.journal"
mkfifo -m 600 "$st/20260101T000000Z-001.journal"
expect 2 "refusing journal '$st/20260101T000000Z-001.journal': not a regular file" "$bin" journal show 20260101T000000Z-001 --state-dir "$st"
expect 0 "hvtune: journal: warning: skipped journal '20260101T000000Z-001': refusing journal '$st/20260101T000000Z-001.journal': not a regular file" "$bin" journal --state-dir "$st"
rm -f "$st/20260101T000000Z-001.journal"
ok_journal "$tmp/st4b"
ln -s "$tmp/st4b/20260101T000000Z-001.journal" "$st/20260101T000000Z-001.journal"
expect 2 "refusing journal '$st/20260101T000000Z-001.journal': a symbolic link" "$bin" rollback --root "$root" --state-dir "$st" 20260101T000000Z-001
same "$root/sys/kernel/mm/ksm/run" 0
# a state directory hvtune makes is 0700, whatever the umask
( umask 000; "$bin" apply --root "$root" --plan "$plan" --state-dir "$tmp/st4new" --yes >/dev/null 2>&1 ) || bad "apply with a new state directory"
[ "$(stat -c %a "$tmp/st4new")" = 700 ] && ok || bad "new state directory mode $(stat -c %a "$tmp/st4new")"
[ "$(stat -c %a "$tmp/st4new"/*.journal)" = 600 ] && ok || bad "new journal mode $(stat -c %a "$tmp/st4new"/*.journal)"
expect 0 "rolled back journal" "$bin" rollback --root "$root" --state-dir "$tmp/st4new"
reset

## 5: an unreadable journal beside good ones
st=$tmp/st5
journal "$st" 20260101T000000Z-001 "$good"
: >"$st/20260102T000000Z-001.journal"
chmod 600 "$st/20260102T000000Z-001.journal"
expect 0 "hvtune: journal: warning: skipped journal '20260102T000000Z-001': '$st/20260102T000000Z-001.journal' is not an hvtune journal" "$bin" journal --state-dir "$st"
expect 0 "20260101T000000Z-001   2026-01-01 00:00:00 UTC  complete" "$bin" journal --state-dir "$st"
out=$("$bin" journal --state-dir "$st" --json 2>/dev/null)
[[ "$out" == *'"id": "20260101T000000Z-001"'* ]] && ok || bad "journal --json beside a broken journal: $out"
# the default target would be the newest: one that cannot be read is not passed over
expect 2 "hvtune: rollback: cannot tell whether journal '20260102T000000Z-001' is rolled back ('$st/20260102T000000Z-001.journal' is not an hvtune journal" "$bin" rollback --root "$root" --state-dir "$st"
same "$root/sys/kernel/mm/ksm/run" 0
expect 0 "rolled back journal 20260101T000000Z-001: 1 step(s) restored" "$bin" rollback --root "$root" --state-dir "$st" 20260101T000000Z-001
same "$root/sys/kernel/mm/ksm/run" 1
reset

## 8: the journal cannot grow part way (a full disk; here the file size limit)
if command -v prlimit >/dev/null; then
	st=$tmp/st8
	cat >"$tmp/three.json" <<-JSON
	{"root": "$root", "profile": "balanced", "placed": 0, "requested": 0, "vms": [],
	 "host": {"housekeeping_cpus": "0", "dedicated_cpus": "", "hugepages": [],
	  "settings": [{"path": "/sys/kernel/mm/ksm/run", "value": "1", "reason": "test"},
	               {"path": "/proc/sys/vm/swappiness", "value": "10", "reason": "test"},
	               {"path": "/proc/sys/kernel/numa_balancing", "value": "0", "reason": "test"}],
	  "kernel_cmdline": [], "reasons": []}}
	JSON
	echo 1 >"$root/proc/sys/kernel/numa_balancing"
	# the header, two records and 5 bytes of the third fit
	real=$(realpath "$root")
	size=$((17 + 24 + 16 + 6 + ${#real} + 6 + 33 + 35 + 5))
	# a full disk says ENOSPC; the size limit says EFBIG after SIGXFSZ, ignored here
	out=$( (trap '' XFSZ; prlimit --fsize=$size "$bin" apply --root "$root" --plan "$tmp/three.json" --state-dir "$st" --yes) 2>&1)
	rc=$?
	n=$(grep -o "cannot write journal '" <<<"$out" | wc -l)
	if [ "$rc" = 2 ] && [ "$n" = 1 ] && [[ "$out" == *"restored '/proc/sys/vm/swappiness' to '60'"* ]] &&
		[[ "$out" == *"everything was undone, and journal '"*"' is removed"* ]]; then ok; else
		bad "apply with a journal that cannot grow: exit $rc, $n errors, output: $out"
	fi
	same "$root/sys/kernel/mm/ksm/run" 0
	same "$root/proc/sys/vm/swappiness" 60
	expect 2 "nothing to roll back" "$bin" rollback --root "$root" --state-dir "$st"
else
	echo "SKIP: no prlimit: the journal that cannot grow is tested in test_apply only"
fi

## 7: a time gmtime() cannot convert
st=$tmp/st7
journal "$st" 20260101T000000Z-001 "$good"
sed -i 's/^time .*/time 9223372036854775807/' "$st/20260101T000000Z-001.journal"
expect 0 "20260101T000000Z-001   unknown time             complete" "$bin" journal --state-dir "$st"
expect 0 "time    unknown" "$bin" journal show 20260101T000000Z-001 --state-dir "$st"
sed -i 's/^time .*/time 12x/' "$st/20260101T000000Z-001.journal"
expect 0 "hvtune: journal: warning: skipped journal '20260101T000000Z-001': '$st/20260101T000000Z-001.journal':3: bad time in 'time 12x'" "$bin" journal --state-dir "$st"

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
