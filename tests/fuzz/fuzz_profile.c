/* fuzz_profile.c - profiles (INI): profile_load() from a file and profile_load_string()
 *
 * The two readers feed inih the same lines, so for a text without a NUL byte
 * they must agree on the result and the message (file and line first).
 */
#include "tests/fuzz/fuzz.h"
#include "planner/profile.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PATH "/fuzz.conf"

static char file[FS_PATH_MAX + 16];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fz_init();
	snprintf(file, sizeof(file), "%s%s", fz_dir, PATH);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char buf[8192];
	struct profile a, b;
	struct err ea = ERR_INIT, eb = ERR_INIT;
	char *text = fz_cstr(data, size);
	int ra, rb;

	fz_write(PATH, data, size);
	ra = profile_load(&a, file, &ea);
	rb = profile_load_string(&b, text, file, &eb);
	if (strlen(text) == size) {
		fz_check(ra == rb, "profile_load and profile_load_string disagree");
		if (ra < 0 && strcmp(ea.msg, eb.msg) != 0) {
			fprintf(stderr, "file:   %s\nstring: %s\n", ea.msg, eb.msg);
			fz_check(0, "profile_load and profile_load_string give other messages");
		}
	}
	if (ra == 0) {
		size_t n = profile_format(&a, buf, sizeof(buf));

		fz_check(n < sizeof(buf), "a profile formats to more than 8 KiB");
		/* what we write we read back */
		fz_check(profile_load_string(&b, buf, "formatted.conf", &eb) == 0,
			 "a formatted profile does not load");
	}
	free(text);
	return 0;
}
