/* fuzz_sample.c - the sampler's other proc files: /proc/stat, a vCPU thread's stat and
 * sched, and its comm; the input is split at "\n--8<--\n" into those four files */
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
	static const char *const files[] = {
	    "/proc/stat",
	    FX_TASK "/stat",
	    FX_TASK "/sched",
	    FX_TASK "/comm",
	};
	char *parts[ARRAY_LEN(files)];

	fz_split(data, size, parts, ARRAY_LEN(files));
	for (size_t i = 0; i < ARRAY_LEN(files); i++)
		fz_write_str(files[i], parts[i]);
	fz_free_parts(parts, ARRAY_LEN(files));
	fx_sample(&host);
	return 0;
}
