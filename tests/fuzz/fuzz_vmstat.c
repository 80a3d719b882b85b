/* fuzz_vmstat.c - /proc/vmstat's nr_tlb_* counters through tlb_probe() */
#include "tests/fuzz/fuzz.h"
#include "probe/probe_int.h"

FZ_INITIALIZE()

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fz_probe_one("/proc/vmstat", data, size, tlb_probe, 2);
}
