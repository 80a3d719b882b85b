/* fuzz_vmstat.c - /proc/vmstat's nr_tlb_* counters through tlb_probe() */
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

	fz_write("/proc/vmstat", data, size);
	fz_host(&h, 2);
	tlb_probe(&h, &fz_root, &e);
	host_release(&h);
	return 0;
}
