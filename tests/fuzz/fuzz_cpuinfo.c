/* fuzz_cpuinfo.c - /proc/cpuinfo through virt_probe() (flags, vmx flags, identity, vhv scan) */
#include "tests/fuzz/fuzz.h"
#include "probe/probe_int.h"

FZ_INITIALIZE()

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fz_probe_one("/proc/cpuinfo", data, size, virt_probe, 4);
}
