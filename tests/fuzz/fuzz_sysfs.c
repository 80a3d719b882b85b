/* fuzz_sysfs.c - one sysfs/procfs attribute through every typed reader of fsroot.c:
 * fs_read_u64, fs_read_int, fs_read_idset, fs_read_mask, fs_read_setting, fs_read */
#include "tests/fuzz/fuzz.h"

#include <string.h>

#define PATH "/sys/kernel/mm/transparent_hugepage/enabled"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fz_init();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct err e = ERR_INIT;
	struct idset s;
	char out[16], buf[64];
	uint64_t u;
	long l;

	fz_write(PATH, data, size);
	fs_read_u64(&fz_root, PATH, &u, &e);
	fs_read_int(&fz_root, PATH, &l, &e);
	if (fs_read_idset(&fz_root, PATH, &s, &e) < 0)
		fz_check(idset_empty(&s), "a failed id list leaves ids");
	if (fs_read_mask(&fz_root, PATH, &s, &e) < 0)
		fz_check(idset_empty(&s), "a failed mask leaves ids");
	if (fs_read_setting(&fz_root, PATH, out, sizeof(out), &e) == 0)
		fz_check(strlen(out) < sizeof(out), "a setting overflows");
	if (fs_read(&fz_root, PATH, buf, sizeof(buf), &e) >= 0)
		fz_check(strlen(buf) < sizeof(buf), "a read overflows");
	return 0;
}
