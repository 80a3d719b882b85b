#!/bin/bash
# test_cli.sh - the command line: exit codes, errors, --help, and the JSON schema
# of `probe --json` / `check --json` on the live host and on every real capture.
#
# Env: HVTUNE_BIN (the binary), HVTUNE_FIXTURES (captures; parts skip without
# them), HVTUNE_SRC (the source tree).  python3 reads the JSON back; without it
# the JSON parts are skipped with a message.
set -u
BIN=${HVTUNE_BIN:-build/tui/hvtune}
FX=${HVTUNE_FIXTURES:-}
SRC=${HVTUNE_SRC:-$(cd "$(dirname "$0")/.." && pwd)}
# A capture has up to 16000 files: on tmpfs they unpack in 0.1 s, not 5 s.
tmp=${TMPDIR:-}
[ -z "$tmp" ] && [ -d /dev/shm ] && [ -w /dev/shm ] && tmp=/dev/shm
T=$(mktemp -d "${tmp:-/tmp}/hvtune-cli.XXXXXX") || exit 2
trap 'chmod -R u+rwX "$T" 2>/dev/null; rm -rf "$T"' EXIT
npass=0 nfail=0 nskip=0

pass() { npass=$((npass + 1)); }
fail() { nfail=$((nfail + 1)); echo "FAIL: $*"; }
skip() { nskip=$((nskip + 1)); echo "SKIP: $*"; }

[ -x "$BIN" ] || { echo "SKIP: no hvtune binary at '$BIN'"; exit 77; }
have_py=0
command -v python3 >/dev/null && python3 -c 'import json' 2>/dev/null && have_py=1

# run NAME WANT-RC ARGS...: runs hvtune, keeps $T/out and $T/err.
run() {
	local name=$1 want=$2 rc
	shift 2
	"$BIN" "$@" >"$T/out" 2>"$T/err"
	rc=$?
	if [ "$rc" = "$want" ]; then pass; else fail "$name: exit $rc, want $want ($(head -c 300 "$T/err"))"; fi
}

# Stderr is exactly one line, equal to $2.
err_is() {
	local got
	got=$(cat "$T/err")
	if [ "$got" = "$2" ] && [ "$(wc -l <"$T/err")" = 1 ]; then pass; else fail "$1: stderr '$got', want '$2'"; fi
}

contains() {	# NAME FILE TEXT
	if grep -qF -- "$3" "$2"; then pass; else fail "$1: no '$3' in $(basename "$2")"; fi
}

empty() {	# NAME FILE
	if [ ! -s "$2" ]; then pass; else fail "$1: $(basename "$2") is not empty: $(head -c 200 "$2")"; fi
}

fits() {	# NAME FILE WIDTH: no line is wider, and no escape code off a TTY
	local long
	long=$(awk -v w="$3" 'length($0) > w { print length($0) ": " $0; exit }' "$2")
	if [ -z "$long" ]; then pass; else fail "$1: line wider than $3: $long"; fi
	if grep -q $'\033' "$2"; then fail "$1: escape codes off a terminal"; else pass; fi
}

# The JSON checker: python3 json_check.py JOB... where each JOB file holds
# NUL-separated FILE KIND [ASSERTION...] (one python start for the whole run).
# KIND "host": required keys, and every null has its why; "findings": the array shape.
# ASSERTION: "path=json" (equal) or "path~text" (a string containing text);
# a path is dotted keys and array indexes: nodes.0.cpus.
cat >"$T/json_check.py" <<'EOF'
import json, sys

def get(doc, p):
    v = doc
    for k in p.split("."):
        if isinstance(v, list):
            v = v[int(k)]
        elif isinstance(v, dict) and k in v:
            v = v[k]
        else:
            raise KeyError(p)
    return v

REQUIRED = """schema root live nodes cpus hugepages hugepages_why
topology.packages topology.dies topology.cores topology.pus topology.l3_groups
topology.packages_why topology.source topology.source_why topology.online
topology.offline topology.present topology.possible topology.arch topology.vendor
topology.model virt.vmx virt.svm virt.ept virt.npt virt.vpid virt.unrestricted_guest
virt.posted_intr virt.apicv virt.avic virt.hypervisor virt.pdpe1gb virt.flags_why
virt.kvm_dev virt.kvm_access virt.kvm_module virt.kvm_usable virt.kvm_why virt.nested
virt.vhost_net virt.tun virt.cgroups virt.cgroups_why virt.iommu_firmware virt.iommu
virt.iommu_groups virt.irq_remap virt.iommu_why virt.secure_guest virt.secure_why
virt.nics memory.total_kib memory.free_kib memory.available_kib
memory.default_hugepage_kib memory.thp memory.thp_defrag memory.ksm
memory.numa_balancing memory.swappiness kernel.cmdline kernel.isolated
kernel.nohz_full kernel.rcu_nocbs kernel.iommu_opts kernel.hugepage_opts
kernel.smt_control kernel.irqbalance kernel.governors tlb.shootdowns
tlb.shootdowns_why tlb.vmstat tlb.vmstat_why tlb.geometry tlb.geometry_source
tlb.geometry_why tlb.perf tlb.perf_why""".split()
NODE_KEYS = "id cpus memory_kib memory_free_kib distances hugepages".split()
CPU_KEYS = "id node package core l3 governor".split()
GROUP = {k: "flags_why" for k in "vmx svm ept npt vpid unrestricted_guest posted_intr apicv avic hypervisor pdpe1gb".split()}
GROUP.update({k: "kvm_why" for k in "kvm_dev kvm_access kvm_module kvm_usable nested".split()})
GROUP.update({k: "iommu_why" for k in "iommu_firmware iommu_groups irq_remap".split()})
GROUP.update({"secure_guest": "secure_why", "memory_kib": "memory_why", "memory_free_kib": "memory_why",
              "total_kib": "meminfo_why", "free_kib": "meminfo_why", "available_kib": "meminfo_why",
              "arch": "cpuinfo_why", "vendor": "cpuinfo_why", "model": "cpuinfo_why",
              "rcu_nocbs": "cmdline_why", "iommu_opts": "cmdline_why", "hugepage_opts": "cmdline_why",
              "geometry_source": "geometry_why"})
ITEMS = {"cpus", "nics", "governors", "per_cpu"}

def audit(o, where, bad):
    if isinstance(o, list):
        for x in o:
            audit(x, where, bad)
        return
    if not isinstance(o, dict):
        return
    for k, v in o.items():
        if v is not None:
            audit(v, k, bad)
            continue
        if k.endswith("_why") or k.endswith("_note") or where in ITEMS:
            continue
        w = GROUP.get(k, k + "_why")
        if not isinstance(o.get(w), str) or not o.get(w):
            bad.append("%s.%s is null without a '%s' string" % (where, k, w))

def check(name, path, kind, asserts):
    bad = []
    try:
        doc = json.load(open(path))
    except Exception as e:
        return 0, ["%s does not parse: %s" % (path, e)]
    n = 0
    if kind == "host":
        for p in REQUIRED:
            n += 1
            try: get(doc, p)
            except (KeyError, IndexError, ValueError): bad.append("no key '%s'" % p)
        for i, node in enumerate(doc.get("nodes") or []):
            for k in NODE_KEYS:
                n += 1
                if k not in node: bad.append("nodes.%d has no '%s'" % (i, k))
            for h in node.get("hugepages") or []:
                n += 1
                if not {"size_kib", "total", "free", "surplus"} <= set(h): bad.append("nodes.%d.hugepages: %s" % (i, h))
        for i, c in enumerate(doc.get("cpus") or []):
            n += 1
            if any(k not in c for k in CPU_KEYS): bad.append("cpus.%d lacks a key: %s" % (i, c)); break
        n += 1; audit(doc, "", bad)
    elif kind == "findings":
        n += 1
        if not isinstance(doc, list): bad.append("not an array")
        for i, f in enumerate(doc if isinstance(doc, list) else []):
            n += 1
            if sorted(f) != sorted(["id", "level", "what", "why", "fix", "vhv"]): bad.append("finding %d keys %s" % (i, sorted(f)))
            if f.get("level") not in ("PASS", "INFO", "WARN", "FAIL"): bad.append("finding %d level %r" % (i, f.get("level")))
            if not f.get("id") or not f.get("what"): bad.append("finding %d without id/what" % i)
            if f.get("vhv") == "": bad.append("finding %d: vhv is \"\" (null expected)" % i)
    for a in asserts:
        n += 1
        eq, ti = a.find("="), a.find("~")
        if eq >= 0 and (ti < 0 or eq < ti):
            p, want, op = a[:eq], a[eq + 1:], "="
        else:
            p, want, op = a[:ti], a[ti + 1:], "~"
        try:
            got = get(doc, p)
        except (KeyError, IndexError, ValueError):
            bad.append("%s: no such key" % p); continue
        if op == "=" and got != json.loads(want):
            bad.append("%s is %s, want %s" % (p, json.dumps(got), want))
        if op == "~" and not (isinstance(got, str) and want in got):
            bad.append("%s is %s, want a string containing '%s'" % (p, json.dumps(got), want))
    return n - len(bad), bad

npass = nfail = 0
for job in sys.argv[1:]:
    name, path, kind, *asserts = open(job).read().split("\0")[:-1]
    ok, bad = check(name, path, kind, asserts)
    npass += ok; nfail += len(bad)
    for b in bad:
        print("FAIL: %s: %s" % (name, b))
print("RESULT %d %d" % (npass, nfail))
EOF

# jcheck NAME FILE KIND [ASSERTION...]: queues a check of FILE (kept) for the end.
njobs=0
jcheck() {
	local name=$1 file=$2
	shift 2
	njobs=$((njobs + 1))
	cp "$file" "$T/job$njobs.json"
	printf '%s\0' "$name" "$T/job$njobs.json" "$@" >"$T/job$njobs"
}

jrun() {
	local line
	if [ $have_py = 0 ]; then skip "$njobs JSON checks: no python3 to read the JSON back"; return; fi
	[ $njobs = 0 ] && return
	while IFS= read -r line; do
		case $line in
		"RESULT "*) set -- $line; npass=$((npass + $2)); nfail=$((nfail + $3)) ;;
		*) echo "$line" ;;
		esac
	done < <(python3 "$T/json_check.py" $(seq -f "$T/job%g" 1 $njobs))
}

## Usage, --help and --version
run "--help" 0 --help;			contains "--help" "$T/out" "usage: hvtune <command>"
run "help" 0 help;			contains "help" "$T/out" "probe"
run "--version" 0 --version;		contains "--version" "$T/out" "hvtune "
run "no command" 2;			contains "no command" "$T/err" "usage: hvtune"
run "unknown command" 2 frobnicate;	err_is "unknown command" "hvtune: unknown command 'frobnicate' (see 'hvtune --help')"
for cmd in probe check; do
	run "$cmd --help" 0 "$cmd" --help
	contains "$cmd --help" "$T/out" "usage: hvtune $cmd [--root DIR] [--json]"
	contains "$cmd --help" "$T/out" "exit status"
	contains "$cmd --help" "$T/out" "--root DIR"
	contains "$cmd --help" "$T/out" "--json"
	empty "$cmd --help" "$T/err"
	run "$cmd -h" 0 "$cmd" -h;	contains "$cmd -h" "$T/out" "usage: hvtune $cmd"
	run "$cmd --bogus" 2 "$cmd" --bogus
	err_is "$cmd --bogus" "hvtune: unknown option '--bogus' (see 'hvtune $cmd --help')"
	empty "$cmd --bogus" "$T/out"
	run "$cmd -x" 2 "$cmd" -x
	err_is "$cmd -x" "hvtune: unknown option '-x' (see 'hvtune $cmd --help')"
	run "$cmd --root" 2 "$cmd" --root
	err_is "$cmd --root" "hvtune: option '--root' needs a value (see 'hvtune $cmd --help')"
	run "$cmd --json=yes" 2 "$cmd" --json=yes
	err_is "$cmd --json=yes" "hvtune: option '--json=yes' takes no value (see 'hvtune $cmd --help')"
	run "$cmd extra" 2 "$cmd" extra
	err_is "$cmd extra" "hvtune: unexpected argument 'extra' (see 'hvtune $cmd --help')"
done

## Roots that cannot be probed: exit 2, one line that names the root
for cmd in probe check; do
	for json in "" --json; do
		run "$cmd $json nonexistent root" 2 "$cmd" $json --root "$T/no/such/root"
		err_is "$cmd $json nonexistent root" \
			"hvtune: cannot open root '$T/no/such/root': No such file or directory"
		empty "$cmd $json nonexistent root" "$T/out"
	done
	: >"$T/a-file"
	run "$cmd root is a file" 2 "$cmd" --root "$T/a-file"
	contains "$cmd root is a file" "$T/err" "'$T/a-file'"
done

## The live host
run "probe" 0 probe
fits "probe" "$T/out" 80
contains "probe" "$T/out" "hvtune probe: live host"
for s in CPU NUMA Virtualization Memory Kernel TLB; do contains "probe" "$T/out" "$s"; done
COLUMNS=50 "$BIN" probe >"$T/out50" 2>&1
fits "probe COLUMNS=50" "$T/out50" 50
run "probe --json" 0 probe --json
jcheck "probe --json" "$T/out" host 'root="/"' 'live=true' 'schema=1'
"$BIN" check >"$T/check" 2>"$T/err"
rc=$?
if [ $rc = 0 ] || [ $rc = 1 ]; then pass; else fail "check: exit $rc ($(cat "$T/err"))"; fi
fits "check" "$T/check" 80
if tail -1 "$T/check" | grep -Eq '^[0-9]+ checks?: [0-9]+ pass, [0-9]+ warn, [0-9]+ fail, [0-9]+ info$'; then
	pass
else
	fail "check: last line '$(tail -1 "$T/check")'"
fi
nf=$(grep -c ' : FAIL$' "$T/check")
if { [ "$nf" -gt 0 ] && [ $rc = 1 ]; } || { [ "$nf" = 0 ] && [ $rc = 0 ]; }; then
	pass
else
	fail "check: exit $rc with $nf FAIL lines"
fi
# every verdict ends a line of the same length (width - 1)
if awk '/ : (PASS|INFO|WARN|FAIL)$/ && length($0) != 79 { exit 1 }' "$T/check"; then pass; else fail "check: verdicts not aligned"; fi
"$BIN" check --json >"$T/out" 2>"$T/err"
rcj=$?
if [ $rcj = $rc ]; then pass; else fail "check --json: exit $rcj, text gave $rc"; fi
jcheck "check --json" "$T/out" findings

# Colour only on a terminal whose TERM is not dumb (script(1) gives a pty)
if command -v script >/dev/null; then
	TERM=xterm script -qec "'$BIN' check" /dev/null >"$T/tty" 2>&1
	if grep -q $'\033\[3[123]m' "$T/tty"; then pass; else fail "check on a tty: no colour"; fi
	TERM=dumb script -qec "'$BIN' check" /dev/null >"$T/tty" 2>&1
	if grep -q $'\033' "$T/tty"; then fail "check with TERM=dumb: colour"; else pass; fi
	TERM=xterm NO_COLOR=1 script -qec "'$BIN' probe" /dev/null >"$T/tty" 2>&1
	if grep -q $'\033' "$T/tty"; then fail "probe with NO_COLOR: colour"; else pass; fi
else
	skip "colour on a terminal: no script(1) to make one"
fi

## Real captures: the facts of each EXPECTED.txt
# NAME ASSERTION... (see json_check.py)
fixture() {
	local name=$1 tar="$FX/hosts/$1.tar.xz" root
	shift
	if [ -z "$FX" ] || [ ! -f "$tar" ]; then
		skip "capture '$name' is absent (HVTUNE_FIXTURES='$FX')"
		return
	fi
	mkdir -p "$T/fx" && tar -xJf "$tar" -C "$T/fx" || { fail "$name: cannot unpack '$tar'"; return; }
	root="$T/fx/$name"
	run "$name probe" 0 probe --root "$root"
	fits "$name probe" "$T/out" 80
	contains "$name probe" "$T/out" "hvtune probe: captured tree"
	if grep -q '(null)' "$T/out"; then fail "$name probe: '(null)' in the text"; else pass; fi
	run "$name probe --json" 0 probe --json --root "$root"
	jcheck "$name" "$T/out" host "root=\"$root\"" 'live=false' "$@"
	"$BIN" check --root "$root" >"$T/check" 2>"$T/err"
	rc=$?
	if [ $rc = 0 ] || [ $rc = 1 ]; then pass; else fail "$name check: exit $rc ($(cat "$T/err"))"; fi
	fits "$name check" "$T/check" 80
	"$BIN" check --json --root "$root" >"$T/out" 2>"$T/err"
	jcheck "$name check --json" "$T/out" findings
	rm -rf "$T/fx"
}

fixture 2s-intel-xeon-silver4108-smt \
	'nodes.0.id=0' 'nodes.0.cpus="0-7,16-23"' 'nodes.0.memory_kib=47925628' \
	'nodes.1.id=1' 'nodes.1.cpus="8-15,24-31"' 'nodes.1.memory_kib=49519964' \
	'nodes.0.distances=[10,21]' 'nodes.1.distances=[21,10]' \
	'nodes.0.hugepages.0.size_kib=2048' 'nodes.0.hugepages.0.total=2048' \
	'nodes.0.hugepages.0.free=2048' 'nodes.0.hugepages.1.size_kib=1048576' \
	'nodes.0.hugepages.1.total=0' 'hugepages.0.size_kib=2048' 'hugepages.0.total=4096' \
	'hugepages.0.free=4096' 'topology.packages=2' 'topology.cores=16' 'topology.pus=32' \
	'topology.l3_groups=2' 'topology.online="0-31"' 'topology.offline="32-111"' \
	'topology.present="0-31"' 'topology.possible="0-111"' 'topology.arch="x86_64"' \
	'topology.vendor="GenuineIntel"' 'topology.model="Intel(R) Xeon(R) Silver 4108 CPU @ 1.80GHz"' \
	'virt.vmx=true' 'virt.svm=false' 'virt.ept=true' 'virt.npt=false' 'virt.vpid=true' \
	'virt.pdpe1gb=true' 'virt.hypervisor=false' 'memory.total_kib=97445600' \
	'memory.default_hugepage_kib=2048' 'cpus.16.node=0' 'cpus.8.node=1' 'tlb.shootdowns=null' \
	'tlb.vmstat=null'
fixture desktop-amd-ryzen5-1600 \
	'nodes.0.cpus="0-11"' 'nodes.0.memory_kib=null' 'nodes.0.hugepages=null' \
	'topology.packages=1' 'topology.cores=6' 'topology.pus=12' 'topology.l3_groups=2' \
	'topology.online="0-11"' 'topology.vendor="AuthenticAMD"' \
	'virt.svm=true' 'virt.npt=true' 'virt.vmx=false' 'virt.hypervisor=false' \
	'memory.default_hugepage_kib=2048' 'tlb.geometry~2560 4K pages' 'tlb.geometry_source="cpuinfo"'
fixture 4s-intel-xeon-e7-4870-r910 \
	'nodes.0.cpus="0,4,8,12,16,20,24,28,32,36"' 'nodes.3.cpus="3,7,11,15,19,23,27,31,35,39"' \
	'nodes.0.memory_kib=134204252' 'nodes.1.memory_kib=134217728' \
	'nodes.0.distances=[10,20,20,20]' 'nodes.0.hugepages.0.size_kib=2048' \
	'topology.packages=4' 'topology.cores=40' 'topology.pus=40' 'topology.offline="40-79"' \
	'virt.vmx=true' 'virt.ept=true' 'virt.pdpe1gb=true'
fixture 4s-amd-opteron6272-r815-8n \
	'nodes.2.id=2' 'nodes.2.cpus="32-39"' 'nodes.6.cpus="16-23"' 'nodes.7.memory_kib=16496940' \
	'nodes.0.distances=[10,16,16,22,16,22,16,22]' 'topology.packages=4' 'topology.pus=64' \
	'virt.svm=true' 'virt.npt=true' 'virt.vmx=false' 'tlb.geometry~1536 4K pages'
fixture 2s-amd-epyc-rome-nps1 \
	'nodes.0.cpus="0-15,32-47"' 'nodes.1.cpus="16-31,48-63"' 'nodes.0.memory_kib=null' \
	'nodes.0.distances=[10,32]' 'nodes.0.hugepages.0.size_kib=2048' 'nodes.0.hugepages.0.total=0' \
	'nodes.0.hugepages.1.size_kib=1048576' 'topology.packages=2' 'topology.cores=32' \
	'topology.pus=64' 'topology.l3_groups=8' 'virt.vmx=null' 'virt.flags_why~cpuinfo' \
	'memory.total_kib=null' 'kernel.cmdline=null'
fixture arm64-kunpeng920-128c \
	'nodes.0.cpus="0-31"' 'nodes.3.cpus="96-127"' 'nodes.0.memory_kib=131732940' \
	'nodes.0.distances=[10,16,32,33]' 'nodes.0.hugepages.0.size_kib=64' \
	'nodes.0.hugepages.1.size_kib=2048' 'nodes.0.hugepages.2.size_kib=32768' \
	'nodes.0.hugepages.3.size_kib=1048576' 'topology.packages=2' 'topology.cores=128' \
	'topology.pus=128' 'topology.arch="aarch64"'
fixture ppc64-power7-256t \
	'nodes.2.id=4' 'nodes.2.cpus="64-95"' 'nodes.7.id=13' 'nodes.7.memory_kib=56885248' \
	'nodes.0.distances=[10,20,40,40,40,40,40,40]' 'nodes.0.hugepages=null' \
	'topology.cores=64' 'topology.pus=256' 'topology.online="0-255"' \
	'memory.default_hugepage_kib=16384'
fixture ppc64-power9-v100-gpumem-nodes \
	'nodes.0.id=0' 'nodes.1.id=8' 'nodes.2.id=250' 'nodes.7.id=255' 'nodes.2.cpus=""' \
	'nodes.2.memory_kib=15728640' 'nodes.0.memory_kib=129839104' \
	'nodes.0.distances=[10,40,80,80,80,80,80,80]' 'topology.pus=32' 'topology.cores=8' \
	'topology.online="0-15,88-103"' 'nodes.0.cpus="0-15"' 'nodes.1.cpus="88-103"'
fixture ppc64-power8-subcores-offline \
	'nodes.0.id=0' 'nodes.1.id=1' 'nodes.2.id=16' 'nodes.3.id=17' \
	'nodes.0.memory_kib=67108864' 'nodes.3.memory_kib=67108864' 'nodes.0.distances=null' \
	'topology.pus=8' 'topology.online="0,8,16,24,32,48,96,136"' 'topology.present="0-159"' \
	'topology.source="sysfs"' 'topology.source_why~hwloc' 'memory.total_kib=null'
fixture laptop-intel-i7-1370p-hybrid \
	'nodes.0.cpus="0-19"' 'nodes.0.memory_kib=32489480' 'topology.packages=1' \
	'topology.cores=14' 'topology.pus=20' 'virt.vmx=true' 'virt.ept=true' 'virt.vpid=true' \
	'virt.unrestricted_guest=true' 'virt.svm=false' 'virt.hypervisor=false'

jrun
echo "test_cli: $npass passed, $nfail failed, $nskip skipped"
[ $nfail = 0 ]
