/* fuzz_cmdline.c - /proc/cmdline (isolcpus=, nohz_full=, rcu_nocbs=, iommu and hugepage
 * options) through kern_probe() */
#include "tests/fuzz/fuzz.h"
#include "probe/probe_int.h"

FZ_INITIALIZE()

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fz_probe_one("/proc/cmdline", data, size, kern_probe, 16);
}
