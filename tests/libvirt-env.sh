# libvirt-env.sh - a private libvirtd + virtlogd + QEMU guests for end-to-end tests
#
# Source it from a bash test that runs as root:
#
#	. "$HVTUNE_SRC/tests/libvirt-env.sh"
#	lvenv_start			# exits 77 (skip) with a reason when it cannot run
#	lvenv_guest vm0 >/dev/null	# a running <domain type='qemu'>: 2 vCPUs, 64 MiB, no disk
#	lvenv_guest vm1 2 64 1 >/dev/null	# the same with <iothreads>1</iothreads>
#					# (QEMU thread comm "IO iothread1")
#	pid=$(lvenv_pid vm0)		# its QEMU process
#	kill -9 "$LVENV_LIBVIRTD_PID"; lvenv_restart	# libvirtd again, same state
#	virsh -c "$LVENV_URI" vcpupin vm0 0 1 --live
#	# lvenv_stop runs on EXIT (chained after any EXIT trap set before lvenv_start)
#
# The daemons run in a private mount namespace (unshare -m) where /etc/libvirt,
# /run, /var/lib, /var/log, /var/cache, /etc/passwd and /etc/group are bind
# mounts of a temporary directory.  So the host's own configuration is never
# edited, a system libvirtd (if any) is never touched, several tests can each
# run their own libvirtd at the same time, and stopping leaves nothing behind.
# The qemu.conf is the DESIGN.md recipe (user/group root, security_driver
# "none") plus cgroup_controllers = [ ]: without cgroups libvirt pins threads
# with sched_setaffinity() and creates no cgroup directories on the host.
# Debian's libvirtd looks up user and group "libvirt-qemu" (and group "kvm")
# even when qemu.conf says root: they are added to the private passwd/group
# copies only.
#
# Exports:
#	LVENV_URI	the connection URI ("qemu:///system?socket=DIR/run/libvirt/libvirt-sock")
#	LVENV_DIR	the private directory (removed by lvenv_stop)
#	LVENV_RUN	what the daemons see as /run/libvirt (QEMU pid files: qemu/NAME.pid)
# The host's /run/libvirt/qemu/NAME.pid does NOT exist for these guests: a
# reader of the live host finds their QEMU by its command line (guest=NAME).
# Guest names are global to the host's process list: use names unique to the
# test (e.g. "hvt-$$-a") when tests may run in parallel.

LVENV_DIR=
LVENV_URI=
LVENV_RUN=
LVENV_LIBVIRTD_PID=
LVENV_VIRTLOGD_PID=

lvenv_skip()
{
	echo "SKIP: $*" >&2
	exit 77
}

lvenv_log_tail()
{
	local f

	for f in "$LVENV_DIR/libvirtd.log" "$LVENV_DIR/virtlogd.log"; do
		[ -s "$f" ] || continue
		echo "--- $f (last lines)" >&2
		grep -v ' info : ' "$f" | tail -n 20 >&2
	done
}

lvenv_start()
{
	local t p old i

	[ "$(id -u)" = 0 ] || lvenv_skip "a real libvirtd + QEMU guest needs root"
	for p in libvirtd virtlogd qemu-system-x86_64 virsh unshare; do
		command -v "$p" >/dev/null 2>&1 ||
			lvenv_skip "'$p' not found (apt-get install libvirt-daemon" \
				"libvirt-daemon-driver-qemu qemu-system-x86 libvirt-clients util-linux)"
	done
	[ -e /usr/lib/x86_64-linux-gnu/libvirt/connection-driver/libvirt_driver_qemu.so ] ||
		[ -n "$(find /usr/lib* -name libvirt_driver_qemu.so -print -quit 2>/dev/null)" ] ||
		lvenv_skip "libvirt's QEMU driver is not installed (apt-get install libvirt-daemon-driver-qemu)"
	unshare -m --propagation private true 2>/dev/null ||
		lvenv_skip "cannot create a mount namespace (unshare -m) for a private libvirtd"

	# Short and under /tmp: libvirt's sockets must fit sun_path (108 bytes).
	t=$(mktemp -d /tmp/lvenv.XXXXXX) || return 1
	LVENV_DIR=$t
	LVENV_RUN=$t/run/libvirt
	LVENV_URI="qemu:///system?socket=$t/run/libvirt/libvirt-sock"
	export LVENV_DIR LVENV_RUN LVENV_URI

	# the caller's EXIT trap runs after ours ("trap -p" output is shell-quoted)
	old=
	if [ -n "$(trap -p EXIT)" ]; then
		eval "set -- $(trap -p EXIT)"
		old=$3
	fi
	# shellcheck disable=SC2064
	trap "lvenv_stop; $old" EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM

	mkdir -p "$t/etc" "$t/run/libvirt" "$t/var/lib/libvirt/qemu" \
		"$t/var/log/libvirt/qemu" "$t/var/cache/libvirt" || return 1
	: >"$t/guests"
	cp /etc/passwd "$t/passwd" && cp /etc/group "$t/group" || return 1
	getent group kvm >/dev/null || echo "kvm:x:64990:" >>"$t/group"
	getent group libvirt-qemu >/dev/null || echo "libvirt-qemu:x:64991:" >>"$t/group"
	getent passwd libvirt-qemu >/dev/null ||
		echo "libvirt-qemu:x:64991:64991:Libvirt Qemu:/var/lib/libvirt:/usr/sbin/nologin" \
			>>"$t/passwd"
	cat >"$t/etc/qemu.conf" <<'EOF'
user = "root"
group = "root"
security_driver = "none"
cgroup_controllers = [ ]
EOF
	: >"$t/etc/libvirtd.conf"
	: >"$t/etc/virtlogd.conf"
	cat >"$t/ns.sh" <<EOF
set -e
mount --bind '$t/passwd' /etc/passwd
mount --bind '$t/group' /etc/group
mount --bind '$t/etc' /etc/libvirt
mount --bind '$t/run' /run
mount --bind '$t/var/lib' /var/lib
mount --bind '$t/var/log' /var/log
mount --bind '$t/var/cache' /var/cache
virtlogd >'$t/virtlogd.log' 2>&1 &
echo \$! >'$t/virtlogd.pid'
exec libvirtd >'$t/libvirtd.log' 2>&1
EOF
	# unshare and bash exec: the background pid is libvirtd's own.
	unshare -m --propagation private bash "$t/ns.sh" </dev/null &
	LVENV_LIBVIRTD_PID=$!
	for i in $(seq 1 150); do
		if ! kill -0 "$LVENV_LIBVIRTD_PID" 2>/dev/null; then
			echo "libvirt-env: libvirtd exited at start" >&2
			lvenv_log_tail
			return 1
		fi
		[ -z "$LVENV_VIRTLOGD_PID" ] && [ -s "$t/virtlogd.pid" ] &&
			LVENV_VIRTLOGD_PID=$(cat "$t/virtlogd.pid")
		if [ -S "$t/run/libvirt/libvirt-sock" ] &&
		   virsh -q -c "$LVENV_URI" list >/dev/null 2>&1; then
			[ -n "$LVENV_VIRTLOGD_PID" ] || LVENV_VIRTLOGD_PID=$(cat "$t/virtlogd.pid")
			return 0
		fi
		sleep 0.1
	done
	echo "libvirt-env: libvirtd did not answer on '$LVENV_URI' within 15 s" >&2
	lvenv_log_tail
	return 1
}

# lvenv_guest NAME [VCPUS [MEM_MIB [IOTHREADS]]]: defines and starts a guest,
# prints LVENV_URI.  IOTHREADS > 0 adds <iothreads>IOTHREADS</iothreads>
# (default 0: none, the guest as before).
# SeaBIOS finds no boot device and waits: QEMU stays up with its vCPU threads.
lvenv_guest()
{
	local name=$1 vcpus=${2:-2} mem=${3:-64} iothreads=${4:-0} io=

	[ "$iothreads" -gt 0 ] 2>/dev/null && io="
  <iothreads>$iothreads</iothreads>"

	[ -n "$LVENV_DIR" ] || { echo "libvirt-env: lvenv_start first" >&2; return 1; }
	cat >"$LVENV_DIR/$name.xml" <<EOF
<domain type='qemu'>
  <name>$name</name>
  <memory unit='MiB'>$mem</memory>
  <vcpu placement='static'>$vcpus</vcpu>$io
  <os>
    <type arch='x86_64' machine='pc'>hvm</type>
  </os>
  <on_crash>destroy</on_crash>
  <devices>
    <emulator>$(command -v qemu-system-x86_64)</emulator>
    <memballoon model='none'/>
  </devices>
</domain>
EOF
	# Recorded before the define so that lvenv_stop removes a half-made guest.
	echo "$name" >>"$LVENV_DIR/guests"
	if ! virsh -q -c "$LVENV_URI" define "$LVENV_DIR/$name.xml" >/dev/null ||
	   ! virsh -q -c "$LVENV_URI" start "$name" >/dev/null; then
		echo "libvirt-env: cannot start guest '$name'" >&2
		lvenv_log_tail
		return 1
	fi
	echo "$LVENV_URI"
}

# lvenv_restart: starts libvirtd again after it was killed (or stops it
# first): a new mount namespace with the same bind mounts, so it finds its
# domains and their running QEMUs in the same private directories.  virtlogd
# keeps running.  Updates LVENV_LIBVIRTD_PID.
lvenv_restart()
{
	local t=$LVENV_DIR i

	[ -n "$t" ] || { echo "libvirt-env: lvenv_start first" >&2; return 1; }
	if kill -0 "$LVENV_LIBVIRTD_PID" 2>/dev/null; then
		kill -CONT "$LVENV_LIBVIRTD_PID" 2>/dev/null
		kill "$LVENV_LIBVIRTD_PID"
		lvenv_wait_gone "$LVENV_LIBVIRTD_PID"
	fi
	sed '/virtlogd/d' "$t/ns.sh" >"$t/ns-restart.sh" || return 1
	unshare -m --propagation private bash "$t/ns-restart.sh" </dev/null &
	LVENV_LIBVIRTD_PID=$!
	for i in $(seq 1 150); do
		if ! kill -0 "$LVENV_LIBVIRTD_PID" 2>/dev/null; then
			echo "libvirt-env: libvirtd exited at restart" >&2
			lvenv_log_tail
			return 1
		fi
		virsh -q -c "$LVENV_URI" list >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	echo "libvirt-env: libvirtd did not answer on '$LVENV_URI' within 15 s of its restart" >&2
	lvenv_log_tail
	return 1
}

# lvenv_pid NAME: the QEMU pid of a running guest (from the private pid file).
lvenv_pid()
{
	local f="$LVENV_RUN/qemu/$1.pid"

	[ -s "$f" ] || { echo "libvirt-env: no pid file '$f'" >&2; return 1; }
	cat "$f"
}

lvenv_wait_gone()
{
	local pid=$1 i

	for i in $(seq 1 50); do
		kill -0 "$pid" 2>/dev/null || return 0
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null
	sleep 0.1
}

# Destroys and undefines the guests, stops the daemons, removes the directory.
# Safe to call twice and after a failed start.
lvenv_stop()
{
	local name pid

	[ -n "$LVENV_DIR" ] || return 0
	if [ -s "$LVENV_DIR/guests" ]; then
		while read -r name; do
			pid=
			[ -s "$LVENV_RUN/qemu/$name.pid" ] && pid=$(cat "$LVENV_RUN/qemu/$name.pid")
			virsh -q -c "$LVENV_URI" destroy "$name" >/dev/null 2>&1
			virsh -q -c "$LVENV_URI" undefine "$name" >/dev/null 2>&1
			if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
				kill "$pid" 2>/dev/null
				lvenv_wait_gone "$pid"
			fi
		done <"$LVENV_DIR/guests"
	fi
	[ -n "$LVENV_VIRTLOGD_PID" ] || LVENV_VIRTLOGD_PID=$(cat "$LVENV_DIR/virtlogd.pid" 2>/dev/null)
	for pid in $LVENV_LIBVIRTD_PID $LVENV_VIRTLOGD_PID; do
		kill -CONT "$pid" 2>/dev/null	# a test may have stopped it (SIGSTOP)
		kill "$pid" 2>/dev/null
	done
	for pid in $LVENV_LIBVIRTD_PID $LVENV_VIRTLOGD_PID; do
		lvenv_wait_gone "$pid"
	done
	rm -rf "$LVENV_DIR"
	LVENV_DIR= LVENV_URI= LVENV_RUN= LVENV_LIBVIRTD_PID= LVENV_VIRTLOGD_PID=
}
