/* check.h - judging a host: findings (PASS / INFO / WARN / FAIL) with why and fix
 *
 * virt-host-validate's checks, kept as data so the CLI, the TUI and the tests
 * can all use them, plus the tuning-readiness checks it does not make.
 */
#ifndef HVTUNE_CHECK_H
#define HVTUNE_CHECK_H

#include <stddef.h>

#include "probe/err.h"
#include "probe/host.h"

enum level { LEVEL_PASS, LEVEL_INFO, LEVEL_WARN, LEVEL_FAIL, LEVEL_COUNT };

struct finding {
	char id[32]; /* stable id for scripts: "hw-virt", "iommu-kernel", "isolcpus-smt" */
	enum level level;
	char what[192]; /* one line: what was found ("no hardware virtualization (VT-x/AMD-V)") */
	char why[320];	/* why it matters for guests */
	char fix[320];	/* how to fix it; "" when nothing needs fixing */
	/* The virt-host-validate QEMU check this one answers ("Checking for
	 * hardware virtualization"), "" for hvtune's own checks.  Its level is
	 * the verdict virt-host-validate gives on the same host. */
	char vhv[80];
};

/*
 * Judges @h: fills @out with a heap array of *@n findings in a stable order
 * (virt-host-validate's first, in its order).  Caller free()s *@out.  Fails
 * only when out of memory (*@out is then NULL).
 */
int check_host(const struct host *h, struct finding **out, size_t *n, struct err *e);

/* "PASS", "INFO", "WARN", "FAIL" */
const char *level_str(enum level l);

#endif
