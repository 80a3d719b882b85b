/* fuzz_plan_json.c - the plan's JSON (hvtune apply --plan FILE): json_plan_parse()
 *
 * A plan that parses is written again with json_plan_format() (as `hvtune
 * plan --json` does) and must parse again: apply reads what plan writes.
 */
#include "tests/fuzz/fuzz.h"
#include "tui/json_plan.h"

#include <stdlib.h>

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fz_cstr(data, size), *again;
	struct plan p, q;
	struct err e = ERR_INIT;

	if (json_plan_parse(text, "fuzz.json", &p, &e) == 0) {
		again = json_plan_format(&p, &e);
		fz_check(again != NULL, "a parsed plan does not format");
		fz_check(json_plan_parse(again, "again.json", &q, &e) == 0,
			 "a formatted plan does not parse");
		plan_release(&q);
		free(again);
	}
	plan_release(&p);
	free(text);
	return 0;
}
