# wait.sh - wait on a condition, never on a wall-clock budget
#
# Source it from a bash test.  `wait_until CMD [ARGS...]` runs CMD every
# 0.1 s until it succeeds, and returns 0 then.  A loaded machine (ctest -j8
# on two cores) only makes it take longer: the ceiling, HVTUNE_WAIT_MAX
# seconds (default 300), is there so that a real hang ends the test, not to
# judge speed.  It returns 1 at the ceiling.
HVTUNE_WAIT_MAX=${HVTUNE_WAIT_MAX:-300}

wait_until()
{
	local end=$((SECONDS + HVTUNE_WAIT_MAX))

	until "$@"; do
		[ "$SECONDS" -lt "$end" ] || return 1
		sleep 0.1
	done
	return 0
}
