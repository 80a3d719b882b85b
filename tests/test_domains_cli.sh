#!/bin/bash
# test_domains_cli.sh - libvirt through the command line: `probe --connect` and
# `plan --domains`, on libvirt's test driver (no daemon)
#
# A test:///FILE host runs "busy" (pinned to core 1: CPUs 1 and 5 on the
# generated 8-CPU host) and "new" and "big" (unpinned).  Planning "new" must
# leave CPUs 1 and 5 alone; planning every domain takes no CPU as given.
# Env: HVTUNE_BIN, HVTUNE_GENTREE; python3 reads the JSON (skipped without it).
set -u
BIN=${HVTUNE_BIN:-build/tui/hvtune}
GEN=${HVTUNE_GENTREE:-build/tests/gentree}
npass=0 nfail=0
pass() { npass=$((npass + 1)); }
fail() { nfail=$((nfail + 1)); echo "FAIL: $*"; }

[ -x "$BIN" ] || { echo "SKIP: no hvtune binary at '$BIN'"; exit 77; }
[ -x "$GEN" ] || { echo "SKIP: no gentree binary at '$GEN'"; exit 77; }
command -v python3 >/dev/null || { echo "SKIP: python3 is needed to read the JSON"; exit 77; }
T=$(mktemp -d "${TMPDIR:-/tmp}/hvtune-dom.XXXXXX") || exit 2
trap 'rm -rf "$T"' EXIT

"$GEN" "$T/root" >/dev/null || { echo "FAIL: gentree"; exit 1; }
cat >"$T/host.xml" <<'EOF'
<node>
  <domain type='test'>
    <name>busy</name>
    <memory>1048576</memory>
    <vcpu placement='static'>2</vcpu>
    <cputune><vcpupin vcpu='0' cpuset='1'/><vcpupin vcpu='1' cpuset='5'/></cputune>
    <os><type>hvm</type></os>
  </domain>
  <domain type='test'>
    <name>new</name>
    <memory>1048576</memory>
    <vcpu>2</vcpu>
    <os><type>hvm</type></os>
  </domain>
  <domain type='test'>
    <name>big</name>
    <memory>2097152</memory>
    <vcpu>2</vcpu>
    <os><type>hvm</type></os>
  </domain>
</node>
EOF
URI="test://$T/host.xml"

# run NAME WANT-RC ARGS...: keeps $T/out and $T/err
run() {
	local name=$1 want=$2 rc
	shift 2
	"$BIN" "$@" >"$T/out" 2>"$T/err"
	rc=$?
	if [ "$rc" = "$want" ]; then pass; else fail "$name: exit $rc, want $want ($(head -c 300 "$T/err"))"; fi
}
err_is() {
	if [ "$(cat "$T/err")" = "$2" ]; then pass; else fail "$1: stderr '$(cat "$T/err")', want '$2'"; fi
}
py() {	# NAME PYTHON-EXPRESSION-ON-d (true = pass)
	if python3 -c "import json,sys; d=json.load(open('$T/out')); sys.exit(0 if ($2) else 1)" 2>/dev/null; then
		pass
	else
		fail "$1: $2 is false for $(head -c 600 "$T/out")"
	fi
}

# probe --connect: the domains in JSON and in the text
run "probe json" 0 probe --root "$T/root" --connect "$URI" --json
py "probe vms" '[v["name"] for v in d["vms"]] == ["big", "busy", "new"] and d["vms_why"] is None'
py "probe pins" '[v["vcpu_pins"] for v in d["vms"] if v["name"] == "busy"] == [["1", "5"]]'
py "probe vcpus" '[(v["vcpus"], v["memory_kib"]) for v in d["vms"]] == [(2, 2097152), (2, 1048576), (2, 1048576)]'
py "probe no qemu" 'all(v["pid"] is None and "guest=" in v["pid_why"] for v in d["vms"])'
run "probe text" 0 probe --root "$T/root" --connect "$URI"
grep -q '^Running VMs$' "$T/out" && pass || fail "probe text: no 'Running VMs' section"
grep -qE '^  busy +2 vCPUs, 1 GiB' "$T/out" && pass || fail "probe text: no line for 'busy'"
grep -qE 'vCPU pins +0->1, 1->5' "$T/out" && pass || fail "probe text: no pins of 'busy'"
run "probe without" 0 probe --root "$T/root" --json
py "probe without" 'd["vms"] is None and d["vms_why"] == "libvirt not asked: use --connect URI"'
run "probe bad uri" 0 probe --root "$T/root" --json --connect "test:///no/such.xml"
py "probe bad uri" 'd["vms"] is None and d["vms_why"].startswith("cannot connect to \x27test:///no/such.xml\x27: ")'
run "probe --connect=" 2 probe --connect=
err_is "probe --connect=" "hvtune: option '--connect' needs a value (see 'hvtune probe --help')"

# the control: as a plain request, "new" lands on core 1 (CPUs 1 and 5) ...
run "plan control" 0 plan --root "$T/root" --profile density --vm new:vcpus=2,mem=1G --json
py "plan control" '{p["cpu"] for p in d["vms"][0]["vcpu_pins"]} == {1, 5}'
# ... and as a domain next to a running "busy" pinned there, it does not
run "plan new" 0 plan --root "$T/root" --profile density --connect "$URI" --domains new --json
py "plan new" '[v["name"] for v in d["vms"]] == ["new"] and d["vms"][0]["placed"]'
py "plan new avoids busy" '{p["cpu"] for p in d["vms"][0]["vcpu_pins"]}.isdisjoint({1, 5})'
py "plan new size" 'd["vms"][0]["vcpus"] == 2 and d["vms"][0]["memory_mib"] == 1024'
# the same without the pinned domain running elsewhere: --domains of all three
run "plan all" 0 plan --root "$T/root" --profile density --connect "$URI" --domains --json
py "plan all" 'sorted(v["name"] for v in d["vms"]) == ["big", "busy", "new"]'
# two named, one left: busy is re-planned, so nothing is taken
run "plan two" 0 plan --root "$T/root" --profile density --connect "$URI" --domains new busy --json
py "plan two" 'sorted(v["name"] for v in d["vms"]) == ["busy", "new"]'
# the text names the domain too
run "plan text" 0 plan --root "$T/root" --connect "$URI" --domains new
grep -q '^new: node' "$T/out" && pass || fail "plan text: no 'new: node' line"

# plan --domains asks what each definition asks (issue 9 item 9): the maximum
# vCPUs (not current=), <memory> (not the balloon's <currentMemory>), the
# hugepage size of <memoryBacking>, the domain's own guest cells, and no NIC
# that is only the guest's tap device
cat >"$T/asks.xml" <<'EOF'
<node>
  <domain type='test'>
    <name>hot</name>
    <memory>1048576</memory>
    <currentMemory>524288</currentMemory>
    <memoryBacking><hugepages><page size='2048' unit='KiB'/></hugepages></memoryBacking>
    <vcpu placement='auto' current='1'>3</vcpu>
    <os><type>hvm</type></os>
  </domain>
  <domain type='test'>
    <name>cells</name>
    <memory>1048576</memory>
    <vcpu>2</vcpu>
    <os><type>hvm</type></os>
    <cpu>
      <numa>
        <cell id='0' cpus='0' memory='262144' unit='KiB'/>
        <cell id='1' cpus='1' memory='786432' unit='KiB' memAccess='shared'/>
      </numa>
    </cpu>
    <devices>
      <interface type='network'><source network='default'/><target dev='vnet3'/></interface>
    </devices>
  </domain>
</node>
EOF
ASKS="test://$T/asks.xml"
run "plan asks" 0 plan --root "$T/root" --profile density --connect "$ASKS" --domains --json
py "plan asks hot" '[(v["vcpus"], v["memory_mib"], v["hugepage_kib"], len(v["vcpu_pins"])) for v in d["vms"] if v["name"] == "hot"] == [(3, 1024, 2048, 3)]'
py "plan asks cells" '[[(c["id"], c["vcpus"], c["memory_mib"]) for c in v["numa_cells"]] for v in d["vms"] if v["name"] == "cells"] == [[(0, "0", 256), (1, "1", 768)]]'
py "plan asks placed" 'all(v["placed"] for v in d["vms"])'

# errors
run "plan no such" 2 plan --root "$T/root" --connect "$URI" --domains new nope
err_is "plan no such" "hvtune: plan: no domain 'nope' on '$URI'"
run "plan bad uri" 2 plan --root "$T/root" --connect "nosuchdriver:///x" --domains
grep -q "^hvtune: cannot connect to 'nosuchdriver:///x': ." "$T/err" && pass ||
	fail "plan bad uri: stderr '$(cat "$T/err")'"
run "plan connect alone" 2 plan --root "$T/root" --connect "$URI" --vm a:vcpus=1,mem=1G
err_is "plan connect alone" "hvtune: plan: --connect is for --domains (see 'hvtune plan --help')"
run "plan both" 2 plan --root "$T/root" --connect "$URI" --domains --vm a:vcpus=1,mem=1G
err_is "plan both" "hvtune: plan: give one of --requests, --vm or --domains"
run "plan operand" 2 plan --root "$T/root" --vm a:vcpus=1,mem=1G extra
err_is "plan operand" "hvtune: plan: unexpected argument 'extra' (see 'hvtune plan --help')"

# names libvirt takes but a terminal must not get raw: a tab, a newline, the
# C1 control CSI (U+009B, an escape sequence's start on some terminals) and a
# right-to-left override; each is shown escaped, in every text output
cat >"$T/odd.xml" <<'EOF'
<node>
  <domain type='test'><name>tab&#9;x</name><memory>1048576</memory><vcpu>1</vcpu><os><type>hvm</type></os></domain>
  <domain type='test'><name>nl&#10;x</name><memory>1048576</memory><vcpu>1</vcpu><os><type>hvm</type></os></domain>
  <domain type='test'><name>csi&#x9b;31m</name><memory>1048576</memory><vcpu>1</vcpu><os><type>hvm</type></os></domain>
  <domain type='test'><name>rlo&#x202e;x</name><memory>1048576</memory><vcpu>1</vcpu><os><type>hvm</type></os></domain>
</node>
EOF
ODD="test://$T/odd.xml"
# raw NAME FILE: no control character but the line ends, no C1, no bidi control
raw() {
	if python3 -c "import re,sys; sys.exit(1 if re.search(rb'[\x00-\x09\x0b-\x1f\x7f]|\xc2[\x80-\x9f]|\xe2\x80[\xaa-\xae]', open('$2','rb').read()) else 0)"; then
		pass
	else
		fail "$1: raw control characters in $(head -c 600 "$2" | od -c | head -20)"
	fi
}
has() {	# NAME FILE FIXED-STRING
	if grep -qF -- "$3" "$2"; then pass; else fail "$1: no '$3' in $(head -c 2000 "$2")"; fi
}
run "odd probe" 0 probe --root "$T/root" --connect "$ODD"
raw "odd probe" "$T/out"
has "odd probe" "$T/out" '  nl\nx '
has "odd probe" "$T/out" '  tab\tx '
has "odd probe" "$T/out" '  csi\xc2\x9b31m '
has "odd probe" "$T/out" '  rlo\u202ex '
run "odd plan" 0 plan --root "$T/root" --profile density --connect "$ODD" --domains
raw "odd plan" "$T/out"
has "odd plan" "$T/out" 'nl\nx: node'
has "odd plan" "$T/out" 'csi\xc2\x9b31m: node'
run "odd plan json" 0 plan --root "$T/root" --profile density --connect "$ODD" --domains --json
py "odd plan json" 'sorted(v["name"] for v in d["vms"]) == sorted(["tab\tx", "nl\nx", "csi\u009b31m", "rlo\u202ex"])'
# an error quotes what it was given, escaped
run "odd no such" 2 plan --root "$T/root" --connect "$ODD" --domains "$(printf 'a\033[2Jb')"
err_is "odd no such" "hvtune: plan: no domain 'a\x1b[2Jb' on '$ODD'"
run "odd vm" 2 plan --vm "$(printf 'a\nb:vcpus=1,mem=1G')"
raw "odd vm" "$T/err"
has "odd vm" "$T/err" "hvtune: invalid VM name in 'a\nb:vcpus=1,mem=1G'"

# issue 10: four guest cells, memAccess and discard on two, a dimm on cell 1,
# hot-plug vCPUs: 'plan --domains' + 'apply' keeps every cell and its
# attributes, pins all 4 vCPUs, keeps current='2', and libvirt defines it
cat >"$T/four.xml" <<'EOF'
<node>
  <domain type='test'>
    <name>four</name>
    <maxMemory slots='16' unit='KiB'>16777216</maxMemory>
    <memory unit='KiB'>1572864</memory>
    <vcpu placement='auto' current='2'>4</vcpu>
    <os><type>hvm</type></os>
    <cpu>
      <numa>
        <cell id='0' cpus='0' memory='262144' unit='KiB'/>
        <cell id='1' cpus='1' memory='262144' unit='KiB' memAccess='shared'/>
        <cell id='2' cpus='2' memory='262144' unit='KiB' discard='yes'/>
        <cell id='3' cpus='3' memory='262144' unit='KiB'/>
      </numa>
    </cpu>
    <devices>
      <memory model='dimm'>
        <target><size unit='KiB'>524288</size><node>1</node></target>
      </memory>
    </devices>
  </domain>
</node>
EOF
FOUR="test://$T/four.xml"
cp -a "$T/root" "$T/root4"
run "four plan" 0 plan --root "$T/root4" --profile density --connect "$FOUR" --domains --json
cp "$T/out" "$T/four.json"
py "four cells" '[(c["id"], c["vcpus"], c["memory_mib"]) for c in d["vms"][0]["numa_cells"]] == [(0, "0", 256), (1, "1", 256), (2, "2", 256), (3, "3", 256)]'
py "four pins" 'len(d["vms"][0]["vcpu_pins"]) == 4'
run "four apply" 0 apply --plan "$T/four.json" --root "$T/root4" --connect "$FOUR" --yes --state-dir "$T/st4"
has "four defined" "$T/out" "defined domain 'four'"
has "four current" "$T/out" "+  <vcpu placement='static' current='2'>4</vcpu>"
if grep -qE "^[-+] *<cell|^[-+] *<memory model|^[-+] *<node>" "$T/out"; then
	fail "four apply: a cell or the dimm changed: $(grep -E '^[-+]' "$T/out" | head -40)"
else
	pass
fi

echo "domains cli: $npass passed, $nfail failed"
exit $((nfail > 0))
