#!/bin/bash
# format.sh - the tree is formatted as .clang-format says (Debian's clang-format)
#
# Every tracked .c and .h file, checked with `clang-format --dry-run -Werror`:
# a file the formatter would change fails the suite, with its name and the
# first lines clang-format would change.  Run `clang-format -i FILE` to fix.
set -u
top=${1:-$(dirname "$0")/..}
cd "$top" || exit 2
command -v clang-format >/dev/null 2>&1 ||
	{ echo "SKIP: clang-format is not installed (Debian: apt-get install clang-format)"; exit 77; }
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	files=$(git ls-files '*.c' '*.h')
else
	files=$(find probe planner apply tui tests -name '*.[ch]' | sort)
fi
bad=0
for f in $files; do
	if ! out=$(clang-format --dry-run -Werror "$f" 2>&1); then
		echo "format: '$f' is not formatted:"
		echo "$out" | head -6
		bad=$((bad + 1))
	fi
done
echo "format: $(echo "$files" | wc -w) files, $bad not formatted"
[ "$bad" = 0 ]
