/* fuzz_vmspec.c - `--vm NAME:vcpus=N,mem=SIZE[,pages=SIZE][,nic=IF]` (plan_parse_vm) and
 * sizes (plan_parse_size) */
#include "tests/fuzz/fuzz.h"
#include "planner/plan.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct vm_request zero;
	char *spec = fz_cstr(data, size);
	struct vm_request vm;
	struct err e = ERR_INIT;
	uint64_t kib;

	if (plan_parse_vm(&vm, spec, &e) == 0) {
		fz_check(vm.name[0] != '\0' && strlen(vm.name) < sizeof(vm.name),
			 "a VM without a name");
		fz_check(vm.vcpus <= IDSET_MAX, "more vCPUs than CPU ids");
	} else {
		fz_check(memcmp(&vm, &zero, sizeof(vm)) == 0, "a failed spec leaves a request");
	}
	if (plan_parse_size(spec, 1024, &kib, &e) < 0)
		fz_check(kib == 0, "a failed size leaves a value");
	free(spec);
	return 0;
}
