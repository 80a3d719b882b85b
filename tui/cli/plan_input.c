/* plan_input.c - the inputs of a plan, one parser for 'hvtune plan' and 'hvtune apply' */
#include "tui/cli/plan_input.h"

#include <stdlib.h>
#include <string.h>

const struct cli_option plan_input_options[] = {
    {"profile", PLAN_INPUT_PROFILE, true, "a profile from 'hvtune profiles', or a file"},
    {"requests", PLAN_INPUT_REQUESTS, true, "the VMs to place, as JSON"},
    {"vm", PLAN_INPUT_VM, true, "a VM to place: NAME:vcpus=N,mem=SIZE[,...] (repeatable)"},
    {"taken", PLAN_INPUT_TAKEN, true, "CPUs pinned by VMs that are not re-planned"},
    {NULL, 0, false, NULL},
};

void plan_input_init(struct plan_input *in)
{
	memset(in, 0, sizeof(*in));
	idset_clear(&in->taken);
}

static int add_vm(struct plan_input *in, const char *spec)
{
	struct vm_request *grown = realloc(in->vms, (in->nvms + 1) * sizeof(*in->vms));
	struct err e = ERR_INIT;

	if (!grown) {
		cli_error("out of memory");
		return -1;
	}
	in->vms = grown;
	if (plan_parse_vm(&grown[in->nvms], spec, &e) < 0) {
		cli_error("%s", e.msg);
		return -1;
	}
	in->nvms++;
	return 0;
}

int plan_input_take(struct plan_input *in, int c, const char *arg)
{
	struct err e = ERR_INIT;

	switch (c) {
	case PLAN_INPUT_PROFILE:
		in->profile = arg;
		return 1;
	case PLAN_INPUT_REQUESTS:
		in->requests = arg;
		return 1;
	case PLAN_INPUT_VM:
		return add_vm(in, arg) < 0 ? -1 : 1;
	case PLAN_INPUT_TAKEN:
		if (idset_parse(&in->taken, arg, &e) < 0) {
			cli_error("--taken: %s", e.msg);
			return -1;
		}
		return 1;
	case PLAN_INPUT_DOMAINS:
		in->domains = true;
		return 1;
	default:
		return 0;
	}
}

void plan_input_release(struct plan_input *in)
{
	for (size_t i = 0; i < in->nvms; i++)
		vm_request_release(&in->vms[i]);
	free(in->vms);
	in->vms = NULL;
	in->nvms = 0;
}
