/* fuzz_journal.c - apply journals (journal_load() of STATE/ID.journal) */
#include "tests/fuzz/fuzz.h"
#include "apply/journal.h"

#include <stdio.h>

#define ID "20261129T222000Z-001"

static char dir[FS_PATH_MAX + 16];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fz_init();
	fz_mkdir("/state");
	snprintf(dir, sizeof(dir), "%s/state", fz_dir);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct journal j;
	struct err e = ERR_INIT;

	fz_write("/state/" ID ".journal", data, size);
	if (journal_load(&j, dir, ID, false, &e) == 0) {
		fz_check(j.id[0] != '\0', "a loaded journal has no id");
		for (size_t i = 0; i < j.nsteps; i++) {
			fz_check(j.steps[i].kind < JSTEP_KINDS, "a step of no known kind");
			fz_check(j.steps[i].target[0] != '\0', "a step without a target");
		}
	}
	journal_release(&j);
	return 0;
}
