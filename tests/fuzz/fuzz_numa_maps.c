/* fuzz_numa_maps.c - /proc/PID/numa_maps (guest memory per node) read by the sampler */
#include "tests/fuzz/sample_fx.h"

static struct host host;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fz_init();
	fx_files();
	fx_host(&host);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fz_write("/proc/100/numa_maps", data, size);
	fx_sample(&host);
	return 0;
}
