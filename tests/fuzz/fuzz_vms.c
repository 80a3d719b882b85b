/* fuzz_vms.c - the QEMU files host_probe_vms() reads: a vCPU thread's stat, status and
 * sched, and the process's numa_maps (probe/vms.c); the input is split at "\n--8<--\n"
 * into those four files
 *
 * The domains come from libvirt's test driver (test:///default has one
 * running domain, "test"), opened once; its QEMU is pid 100 of the private
 * root through /run/libvirt/qemu/test.pid.  Skips (every input a no-op)
 * when libvirt cannot be loaded, so the target still builds and runs.
 */
#include "tests/fuzz/fuzz.h"
#include "probe/lv.h"

#include <stdio.h>
#include <stdlib.h>

#define TASK "/proc/100/task/101"

static struct lv *conn;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct err e = ERR_INIT;

	(void)argc;
	(void)argv;
	fz_init();
	fz_write_str("/run/libvirt/qemu/test.pid", "100");
	fz_write_str(TASK "/comm", "CPU 0/KVM");
	conn = lv_open("test:///default", &e);
	if (!conn)
		fprintf(stderr, "fuzz_vms: %s: every input is a no-op\n", e.msg);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const files[] = {
	    TASK "/stat",
	    TASK "/status",
	    TASK "/sched",
	    "/proc/100/numa_maps",
	};
	char *parts[ARRAY_LEN(files)];
	struct host h;
	struct err e = ERR_INIT;

	if (!conn)
		return 0;
	fz_split(data, size, parts, ARRAY_LEN(files));
	for (size_t i = 0; i < ARRAY_LEN(files); i++)
		fz_write_str(files[i], parts[i]);
	fz_free_parts(parts, ARRAY_LEN(files));
	fz_host(&h, 8);
	if (host_probe_vms(&h, &fz_root, conn, &e) == 0 && h.vms_known && h.nvms > 0)
		fz_check(h.vms[0].pid == 100, "the QEMU of 'test' is not pid 100");
	host_release(&h);
	return 0;
}
