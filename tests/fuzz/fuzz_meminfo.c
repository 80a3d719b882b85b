/* fuzz_meminfo.c - /proc/meminfo (mem_probe) and nodeN/meminfo (node_probe), one input for both */
#include "tests/fuzz/fuzz.h"
#include "probe/probe_int.h"

FZ_INITIALIZE()

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct host h;
	struct err e = ERR_INIT;

	fz_write("/proc/meminfo", data, size);
	fz_write("/sys/devices/system/node/node0/meminfo", data, size);
	fz_host(&h, 2);
	if (mem_probe(&h, &fz_root, &e) == 0)
		fz_check(h.mem.meminfo_known || h.mem.meminfo_why[0],
			 "meminfo unknown without a why");
	node_probe(&h, &fz_root, &e);
	host_release(&h);
	return 0;
}
