/* fuzz_requests.c - VM requests JSON ({"vms":[...]}, --requests FILE) */
#include "tests/fuzz/fuzz.h"
#include "tui/report/json_plan.h"

#include <stdlib.h>

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fz_cstr(data, size);
	struct vm_request *vms = NULL;
	struct err e = ERR_INIT;
	size_t n = 0;

	if (json_plan_parse_requests(text, "fuzz.json", &vms, &n, &e) == 0)
		fz_check(vms != NULL, "requests parsed into NULL");
	else
		fz_check(vms == NULL && n == 0, "a failed parse leaves requests");
	free(vms);
	free(text);
	return 0;
}
