/* fuzz_status.c - /proc/PID/task/TID/status (Cpus_allowed_list) read by the sampler */
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
	fz_write(FX_TASK "/status", data, size);
	fx_sample(&host);
	return 0;
}
