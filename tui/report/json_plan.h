/* json_plan.h - the plan's JSON: VM requests in (--requests FILE), the plan out (--json)
 *
 * Requests: {"vms":[{"name":"vm0","vcpus":4,"memory_mib":4096,
 * "hugepage_kib":1048576,"nic":"0000:3b:00.0"}]}; hugepage_kib and nic are
 * optional (hugepage_kib 0 = normal pages, absent = the profile's size).
 * The plan's JSON is the input of the apply stage.
 */
#ifndef HVTUNE_JSON_PLAN_H
#define HVTUNE_JSON_PLAN_H

#include <stddef.h>

#include "planner/plan.h"
#include "probe/err.h"

/* Parses @text (named @shown in messages) into a heap array of *@n requests;
 * caller free()s *@vms.  On error *@vms is NULL. */
int json_plan_parse_requests(const char *text, const char *shown, struct vm_request **vms,
			     size_t *n, struct err *e);
/* The same from the file @path. */
int json_plan_read_requests(const char *path, struct vm_request **vms, size_t *n, struct err *e);

/* The plan as pretty JSON text ending in a newline; caller free()s.  NULL
 * (with @e) when out of memory. */
char *json_plan_format(const struct plan *p, struct err *e);

/* Reads the plan's JSON (the output of json_plan_format) back into @p, for
 * 'hvtune apply --plan FILE'.  Strict: a missing or mistyped key is an error
 * naming the file, the VM and the key.  On error @p is empty. */
int json_plan_parse(const char *text, const char *shown, struct plan *p, struct err *e);
int json_plan_read(const char *path, struct plan *p, struct err *e);

#endif
