/* fuzz_plan_json.c - the plan's JSON (hvtune apply --plan FILE): json_plan_parse()
 *
 * A plan that parses is written again with json_plan_format() (as `hvtune
 * plan --json` does) and must parse again: apply reads what plan writes.
 * Each VM of it is then given to domxml_rewrite(), as apply does: a plan
 * read from a file may say anything, and the rewrite must refuse what does
 * not fit rather than trust it.
 */
#include "tests/fuzz/fuzz.h"
#include "apply/domxml.h"
#include "tui/report/json_plan.h"

#include <stdlib.h>

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

static const char domain[] = "<domain type='kvm'>\n"
			     "  <name>vm</name>\n"
			     "  <memory unit='KiB'>4194304</memory>\n"
			     "  <vcpu placement='static'>4</vcpu>\n"
			     "  <iothreads>2</iothreads>\n"
			     "  <cpu mode='host-model'>\n"
			     "    <numa>\n"
			     "      <cell id='0' cpus='0-3' memory='4194304' unit='KiB'/>\n"
			     "    </numa>\n"
			     "  </cpu>\n"
			     "</domain>\n";

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
		for (size_t i = 0; i < p.nvms; i++) {
			struct domxml_opts o = {.host_passthrough = true, .locked = i % 2 == 1};

			free(domxml_rewrite(domain, &p.vms[i], &o, &e));
		}
	}
	plan_release(&p);
	free(text);
	return 0;
}
