/* plan_input.h - the inputs of a plan, one parser for 'hvtune plan' and 'hvtune apply'
 *
 * --profile NAME|FILE, --requests FILE, --vm SPEC (repeatable), --taken CPULIST
 * and --domains: the rows of plan_input_options[] (the codes below), taken one
 * by one from the command's option loop.  Which combinations make sense is
 * the command's to say (apply has no --domains).
 */
#ifndef HVTUNE_PLAN_INPUT_H
#define HVTUNE_PLAN_INPUT_H

#include <stdbool.h>
#include <stddef.h>

#include "planner/plan.h"
#include "probe/idset.h"
#include "tui/cli/cli.h"

enum {
	PLAN_INPUT_PROFILE = 'p',
	PLAN_INPUT_REQUESTS = 'q',
	PLAN_INPUT_VM = 'v',
	PLAN_INPUT_TAKEN = 't',
	PLAN_INPUT_DOMAINS = 'd',
};

struct plan_input {
	const char *profile;	/* --profile, or NULL */
	const char *requests;	/* --requests FILE, or NULL */
	struct vm_request *vms; /* the --vm requests, in order; heap, owned */
	size_t nvms;
	struct idset taken; /* --taken, empty without */
	bool domains;	    /* --domains */
};

/* --profile, --requests, --vm, --taken (the rows 'plan' and 'apply' share). */
extern const struct cli_option plan_input_options[];

void plan_input_init(struct plan_input *in);

/*
 * When @c is one of the codes above: takes its value @arg into @in and
 * returns 1, or returns -1 after printing why it is bad ("--taken: ...").
 * Returns 0 for any other code.
 */
int plan_input_take(struct plan_input *in, int c, const char *arg);

/* Frees the requests; @in is then empty. */
void plan_input_release(struct plan_input *in);

#endif
