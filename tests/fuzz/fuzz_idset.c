/* fuzz_idset.c - idset_parse (kernel list "0-3,8") and idset_parse_mask (hex "ff,00000000")
 *
 * Besides not crashing: a list that parses formats back (in a buffer large
 * enough) to a list that parses to the same set, and a failed parse leaves
 * the set empty, as idset.h promises.
 */
#include "tests/fuzz/fuzz.h"
#include "probe/idset.h"

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
	static char big[IDSET_MAX * 12]; /* every id as "NNNN," */
	char *s = fz_cstr(data, size), small[24];
	struct idset a, b;
	struct err e = ERR_INIT;

	if (idset_parse(&a, s, &e) == 0) {
		idset_format(&a, big, sizeof(big));
		fz_check(strstr(big, "...") == NULL, "a full-size format is cut");
		fz_check(idset_parse(&b, big, &e) == 0, "a formatted list does not parse");
		fz_check(idset_equal(&a, &b), "list -> format -> list changes the set");
		idset_format(&a, small, sizeof(small));
		fz_check(strlen(small) < sizeof(small), "a short format overflows");
	} else {
		fz_check(idset_empty(&a), "a failed list parse leaves ids");
	}
	if (idset_parse_mask(&a, s, &e) < 0)
		fz_check(idset_empty(&a), "a failed mask parse leaves ids");
	free(s);
	return 0;
}
