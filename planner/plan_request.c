/* plan_request.c - parsing VM requests: --vm specs, sizes, names */
#include "planner/plan_int.h"
#include "probe/strfmt.h"

#include <assert.h>
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- request parsing ---- */

int plan_parse_size(const char *s, uint64_t unit_kib, uint64_t *kib, struct err *e)
{
	unsigned long long v;
	uint64_t mult = unit_kib;
	char *end;

	*kib = 0;
	errno = 0;
	if (!isdigit((unsigned char)s[0]))
		goto bad;
	v = strtoull(s, &end, 10);
	if (errno != 0)
		goto bad;
	switch (toupper((unsigned char)*end)) {
	case '\0':
		break;
	case 'K':
		mult = 1;
		break;
	case 'M':
		mult = 1024;
		break;
	case 'G':
		mult = 1024 * 1024;
		break;
	case 'T':
		mult = UINT64_C(1024) * 1024 * 1024;
		break;
	default:
		goto bad;
	}
	if (*end != '\0') {
		end++;
		if (strcmp(end, "iB") == 0 || strcmp(end, "B") == 0 || strcmp(end, "i") == 0)
			end += strlen(end);
	}
	if (*end != '\0' || (v != 0 && mult > UINT64_MAX / v))
		goto bad;
	*kib = v * mult;
	return 0;
bad:
	return err_set(e, 0, "invalid size '%s' (expected a number with K, M, G or T)", s);
}

bool plan_name_ok(const char *name)
{
	size_t len = strlen(name);

	return len > 0 && len < PLAN_NAME_MAX && !strchr(name, '/') && strfmt_plain(name);
}

bool plan_hugepage_ok(uint64_t kib)
{
	return kib >= PLAN_HUGEPAGE_MIN_KIB && kib <= PLAN_HUGEPAGE_MAX_KIB &&
	       (kib & (kib - 1)) == 0;
}

bool plan_pages_set(struct vm_request *vm, uint64_t kib)
{
	if (kib == PLAN_BASE_PAGE_KIB) {
		vm->pages = PAGES_NORMAL;
		vm->hugepage_kib = 0;
		return true;
	}
	if (!plan_hugepage_ok(kib))
		return false;
	vm->pages = PAGES_HUGE;
	vm->hugepage_kib = kib;
	return true;
}

/* One "key=value" of the VM spec @spec into @vm (whose name is set);
 * *@seen gets 1 for vcpus, 2 for mem.  -1 with @e set. */
static int parse_kv(struct vm_request *vm, char *kv, const char *spec, unsigned *seen,
		    struct err *e)
{
	char *eq = strchr(kv, '='), *end;
	const char *val;
	unsigned long n;
	uint64_t kib;

	if (!eq)
		goto bad_key;
	*eq = '\0';
	val = eq + 1;
	if (strcmp(kv, "vcpus") == 0) {
		errno = 0;
		n = strtoul(val, &end, 10);
		if (!isdigit((unsigned char)val[0]) || *end != '\0' || errno != 0 || n > IDSET_MAX)
			return err_set(e, 0, "vm '%s': invalid vcpus '%s'", spec, val);
		vm->vcpus = (unsigned)n;
		*seen |= 1;
	} else if (strcmp(kv, "mem") == 0) {
		if (plan_parse_size(val, 1024, &vm->mem_kib, e) < 0)
			goto bad_val;
		*seen |= 2;
	} else if (strcmp(kv, "pages") == 0) {
		if (strcmp(val, "none") == 0)
			vm->pages = PAGES_NORMAL;
		else if (plan_parse_size(val, 1, &kib, e) < 0 || !plan_pages_set(vm, kib))
			return err_set(e, 0,
				       "vm '%s': invalid pages '%s' (expected none, 4K, or a power "
				       "of two from 64K to 16G)",
				       vm->name, val);
	} else if (strcmp(kv, "nic") == 0) {
		if (val[0] == '\0' || strlen(val) >= sizeof(vm->nic))
			goto bad_val;
		snprintf(vm->nic, sizeof(vm->nic), "%s", val);
	} else {
		goto bad_key;
	}
	return 0;
bad_val:
	return err_set(e, 0, "vm '%s': invalid %s '%s'", vm->name, kv, val);
bad_key:
	return err_set(e, 0, "vm '%s': unknown key '%s' (expected vcpus, mem, pages, nic)",
		       vm->name, kv);
}

int plan_parse_vm(struct vm_request *vm, const char *spec, struct err *e)
{
	const char *colon = strchr(spec, ':');
	char buf[512], *save = NULL;
	size_t nlen;
	unsigned seen = 0;

	memset(vm, 0, sizeof(*vm));
	if (!colon)
		return err_set(e, 0,
			       "invalid VM '%s' (expected NAME:vcpus=N,mem=SIZE[,pages=SIZE]"
			       "[,nic=IF])",
			       spec);
	nlen = (size_t)(colon - spec);
	if (nlen < sizeof(vm->name))
		memcpy(vm->name, spec, nlen);
	if (nlen >= sizeof(vm->name) || !plan_name_ok(vm->name)) {
		memset(vm, 0, sizeof(*vm));
		return err_set(e, 0,
			       "invalid VM name in '%s' (1 to %d bytes of printable UTF-8 without "
			       "'/' or '\\')",
			       spec, PLAN_NAME_MAX - 1);
	}
	if (strlen(colon + 1) >= sizeof(buf)) {
		memset(vm, 0, sizeof(*vm));
		return err_set(e, 0, "VM spec '%s' is too long", spec);
	}
	snprintf(buf, sizeof(buf), "%s", colon + 1);
	for (char *kv = strtok_r(buf, ",", &save); kv; kv = strtok_r(NULL, ",", &save)) {
		if (parse_kv(vm, kv, spec, &seen, e) < 0) {
			memset(vm, 0, sizeof(*vm));
			return -1;
		}
	}
	if (seen != 3) {
		err_set(e, 0, "vm '%s': needs vcpus= and mem=", vm->name);
		memset(vm, 0, sizeof(*vm));
		return -1;
	}
	return 0;
}
