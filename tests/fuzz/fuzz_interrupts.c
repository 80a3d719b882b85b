/* fuzz_interrupts.c - /proc/interrupts: the TLB row (tlb_probe) and the TLB and NIC rows
 * per CPU column (the sampler) */
#include "tests/fuzz/sample_fx.h"
#include "probe/probe_int.h"

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
	struct host h;
	struct err e = ERR_INIT;

	fz_write("/proc/interrupts", data, size);
	fz_host(&h, 4);
	if (tlb_probe(&h, &fz_root, &e) == 0 && h.tlb.shootdowns_known)
		fz_check(h.tlb.nshootdowns > 0 && h.tlb.shootdowns && h.tlb.shootdown_cpus,
			 "shootdowns known without counts");
	host_release(&h);
	fx_sample(&host);
	return 0;
}
