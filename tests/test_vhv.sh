#!/bin/bash
# test_vhv.sh - `hvtune check` gives virt-host-validate's verdicts on this host
#
# Runs `virt-host-validate qemu` and `$HVTUNE_BIN check --json` on the live
# host, maps each virt-host-validate line to the finding whose "vhv" field
# names it ("Checking for hardware virtualization"), and fails when a line has
# no finding, when a verdict differs (its NOTE is our INFO), or when the lines
# come in another order.  Prints both sides.  Exit 77 (skipped) when
# virt-host-validate, or both python3 and jq, are missing.
set -u

skip() { echo "SKIP: $*"; exit 77; }
die() { echo "FAIL: $*" >&2; exit 1; }

command -v virt-host-validate >/dev/null 2>&1 ||
	skip "virt-host-validate is not installed (Debian: apt-get install libvirt-clients)"
if command -v python3 >/dev/null 2>&1; then
	json=python3
elif command -v jq >/dev/null 2>&1; then
	json=jq
else
	skip "neither python3 nor jq is installed to read 'hvtune check --json'"
fi
[ -n "${HVTUNE_BIN:-}" ] || die "HVTUNE_BIN is not set (ctest sets it to the hvtune binary)"
[ -x "$HVTUNE_BIN" ] || die "HVTUNE_BIN '$HVTUNE_BIN' is not an executable"

tmp=$(mktemp -d) || die "cannot make a temporary directory"
trap 'rm -rf "$tmp"' EXIT

# Its exit status is 1 whenever a check FAILs: only the lines matter here.
LC_ALL=C virt-host-validate qemu >"$tmp/vhv.out" 2>"$tmp/vhv.err"
"$HVTUNE_BIN" check --json >"$tmp/check.json" 2>"$tmp/check.err"
rc=$?
if [ "$rc" -ne 0 ] && [ "$rc" -ne 1 ]; then
	die "'$HVTUNE_BIN check --json' exited $rc: $(cat "$tmp/check.err")"
fi

# The findings that answer a virt-host-validate line: "vhv<TAB>level<TAB>id".
if [ "$json" = python3 ]; then
	python3 -c '
import json, sys
findings = json.load(open(sys.argv[1]))
if not isinstance(findings, list):
    sys.exit("not a JSON array of findings")
for f in findings:
    vhv = f.get("vhv") or ""
    if vhv:
        print("%s\t%s\t%s" % (vhv, f["level"], f["id"]))
' "$tmp/check.json" >"$tmp/check.tsv" || die "cannot read the JSON of 'hvtune check --json'"
else
	jq -r 'if type != "array" then error("not a JSON array of findings") else . end
	       | .[] | select((.vhv // "") != "") | [.vhv, .level, .id] | @tsv' \
		"$tmp/check.json" >"$tmp/check.tsv" || die "cannot read the JSON of 'hvtune check --json'"
fi

declare -A level=() id=() index=()
n=0
while IFS=$'\t' read -r vhv lvl fid; do
	[ -z "${level[$vhv]+x}" ] || die "two findings answer '$vhv': ${id[$vhv]} and $fid"
	level[$vhv]=$lvl
	id[$vhv]=$fid
	index[$vhv]=$n
	n=$((n + 1))
done <"$tmp/check.tsv"

# "  QEMU: Checking for hardware virtualization      : FAIL (hint)" (no colour: not a TTY)
re='^ *QEMU: (Checking .+[^ ]) *: (PASS|WARN|FAIL|NOTE)( \((.*)\))?$'
bad=0 lines=0 last=-1
printf '%-52s %-6s %-6s %s\n' "virt-host-validate qemu" "vhv" "hvtune" "finding"
while IFS= read -r line; do
	line=$(printf '%s' "$line" | sed 's/\x1b\[[0-9;]*m//g')
	[[ $line =~ $re ]] || continue
	check=${BASH_REMATCH[1]}
	want=${BASH_REMATCH[2]}
	[ "$want" = NOTE ] && want=INFO
	lines=$((lines + 1))
	if [ -z "${level[$check]+x}" ]; then
		printf '%-52s %-6s %-6s %s\n' "$check" "$want" "-" "MISSING: no finding answers it"
		bad=1
		continue
	fi
	got=${level[$check]}
	mark=""
	if [ "$got" != "$want" ]; then
		mark="  <- DIFFERS"
		bad=1
	fi
	if [ "${index[$check]}" -le "$last" ]; then
		mark="$mark  <- OUT OF ORDER"
		bad=1
	fi
	last=${index[$check]}
	printf '%-52s %-6s %-6s %s%s\n' "$check" "$want" "$got" "${id[$check]}" "$mark"
done <"$tmp/vhv.out"

[ "$lines" -gt 0 ] || die "no QEMU lines in the output of virt-host-validate: $(cat "$tmp/vhv.out" "$tmp/vhv.err")"
for check in "${!level[@]}"; do	# lines it skips on this host (e.g. /dev/kvm without vmx)
	grep -qF "QEMU: $check " "$tmp/vhv.out" ||
		echo "note: virt-host-validate printed no '$check' (${id[$check]} ${level[$check]})"
done
if [ "$bad" -ne 0 ]; then
	echo "--- virt-host-validate qemu:"
	cat "$tmp/vhv.out"
	die "hvtune check and virt-host-validate disagree (see above)"
fi
echo "OK: $lines virt-host-validate lines, same verdicts"
