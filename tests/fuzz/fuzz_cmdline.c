/* fuzz_cmdline.c - /proc/cmdline (isolcpus=, nohz_full=, rcu_nocbs=, iommu and hugepage
 * options) through kern_probe() */
#include "tests/fuzz/fuzz.h"
#include "probe/probe_int.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fz_init();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct host h;
	struct err e = ERR_INIT;

	fz_write("/proc/cmdline", data, size);
	fz_host(&h, 16);
	kern_probe(&h, &fz_root, &e);
	host_release(&h);
	return 0;
}
