#!/bin/bash
# machine-facts.sh - one line of the facts the live-host tests depend on
#
# `make test` prints it before the suite, so a failure on another machine can
# be read from CI's output alone: the live tests compare hvtune with lstopo,
# virt-host-validate and a real QEMU guest, and what they expect follows from
# these.
cpu=/sys/devices/system/cpu
ncpus=$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo '?')
nodes=$(ls -d /sys/devices/system/node/node[0-9]* 2>/dev/null | wc -l)
[ -c /dev/kvm ] && [ -r /dev/kvm ] && [ -w /dev/kvm ] && kvm=yes || kvm=no
ls -d $cpu/cpu[0-9]*/cache/index[0-9]* >/dev/null 2>&1 && caches=yes || caches=no
ls -d $cpu/cpu0/cpufreq >/dev/null 2>&1 && cpufreq=yes || cpufreq=no
if command -v lstopo-no-graphics >/dev/null 2>&1; then
	hwloc=$(lstopo-no-graphics --version 2>/dev/null | awk '{ print $NF }')
else
	hwloc=absent
fi
echo "machine: $ncpus CPUs, $nodes NUMA node(s), KVM $kvm, caches in sysfs $caches," \
     "cpufreq $cpufreq, hwloc $hwloc, kernel $(uname -r)"
