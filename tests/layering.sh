#!/bin/bash
# layering.sh - the dependency direction is the rule: probe <- planner <- apply <- tui,
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

# One file per library.
only() {	# only PATTERN ALLOWED-FILES...
	local pat=$1; shift
	local f
	for f in $(grep -l "#include <$pat" probe/*.[ch] planner/*.[ch] apply/*.[ch] tui/*.[ch] 2>/dev/null); do
		case " $* " in *" $f "*) ;; *) fail "$f includes <$pat> (allowed only in: $*)";; esac
	done
}
only 'hwloc' probe/topo.c
only 'libxml/' apply/domxml.c
only 'libvirt/' probe/lv.c
only 'curses.h' $(ls tui/screen_*.c tui/view.c tui/tui.c tui/main.c 2>/dev/null)
only 'ncurses' $(ls tui/screen_*.c tui/view.c tui/tui.c tui/main.c 2>/dev/null)
only 'json-c/' $(ls tui/json*.c)
only 'ini.h' planner/profile.c

# Nothing prints below tui/.
if grep -n '\b\(printf\|fprintf\|puts\|fputs\|perror\)\s*(' probe/*.c planner/*.c apply/*.c 2>/dev/null | grep -v 'snprintf\|vsnprintf' | grep -q .; then
	fail "printing below tui/: $(grep -n '\b\(printf\|fprintf\|puts\|fputs\|perror\)\s*(' probe/*.c planner/*.c apply/*.c | grep -v snprintf | head -3)"
fi
[ $bad = 0 ] && echo "layering: ok"
exit $bad
