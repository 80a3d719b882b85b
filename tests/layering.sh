#!/bin/bash
# layering.sh - the dependency direction is the rule: probe <- planner <- apply <- tui,
# inside tui/ report and screens never reach into cli/, report never into ncurses,
# and one file wraps each external library.
set -u
top=${1:-$(dirname "$0")/..}
cd "$top" || exit 2
bad=0
fail() { echo "layering: $*"; bad=1; }

# No upward includes.
grep -n '#include "\(planner\|apply\|tui\)/' probe/*.[ch] 2>/dev/null | while read -r l; do echo "layering: probe reaches up: $l"; done
grep -qn '#include "\(planner\|apply\|tui\)/' probe/*.[ch] 2>/dev/null && bad=1
grep -qn '#include "\(apply\|tui\)/' planner/*.[ch] 2>/dev/null && fail "planner reaches up: $(grep -n '#include "\(apply\|tui\)/' planner/*.[ch])"
grep -qn '#include "tui/' apply/*.[ch] 2>/dev/null && fail "apply reaches up: $(grep -n '#include "tui/' apply/*.[ch])"

# The three rooms of tui/: cli runs the others; they never include it.
grep -qn '#include "tui/cli/' tui/report/*.[ch] tui/screens/*.[ch] 2>/dev/null &&
	fail "a renderer or screen reaches into cli/: $(grep -n '#include "tui/cli/' tui/report/*.[ch] tui/screens/*.[ch])"
grep -qn '#include "tui/screens/' tui/report/*.[ch] 2>/dev/null &&
	fail "report reaches into screens/: $(grep -n '#include "tui/screens/' tui/report/*.[ch])"

# One file per library.
only() {	# only PATTERN ALLOWED-FILES...
	local pat=$1; shift
	local f
	for f in $(grep -l "#include <$pat" probe/*.[ch] planner/*.[ch] apply/*.[ch] tui/*/*.[ch] 2>/dev/null); do
		case " $* " in *" $f "*) ;; *) fail "$f includes <$pat> (allowed only in: $*)";; esac
	done
}
only 'hwloc' probe/topo.c
only 'libxml/' apply/domxml.c apply/domxml_int.h apply/domxml_xml.c apply/domxml_request.c
only 'libvirt/' probe/lv.c probe/lv_int.h apply/virt.c
# libvirt's reads are probe/lv.c's, its writes apply/virt.c's: they share the
# connection through probe/lv_int.h, which nothing else includes.
for f in $(grep -l '#include "probe/lv_int.h"' probe/*.[ch] planner/*.[ch] apply/*.[ch] tui/*/*.[ch] tests/*.c 2>/dev/null); do
	case $f in probe/lv.c|apply/virt.c) ;; *) fail "$f includes probe/lv_int.h (allowed only in: probe/lv.c apply/virt.c)";; esac
done
only 'curses.h' $(ls tui/screens/*.c 2>/dev/null)
only 'ncurses' $(ls tui/screens/*.c 2>/dev/null)
only 'json-c/' $(ls tui/report/json*.c)
only 'ini.h' planner/profile.c

# Nothing prints below tui/.
if grep -n '\b\(printf\|fprintf\|puts\|fputs\|perror\)\s*(' probe/*.c planner/*.c apply/*.c 2>/dev/null | grep -v 'snprintf\|vsnprintf' | grep -q .; then
	fail "printing below tui/: $(grep -n '\b\(printf\|fprintf\|puts\|fputs\|perror\)\s*(' probe/*.c planner/*.c apply/*.c | grep -v snprintf | head -3)"
fi
[ $bad = 0 ] && echo "layering: ok"
exit $bad
