/* virt.c - libvirt writes: define a domain, pin vCPUs, the emulator and iothreads, numatune
 *
 * The effects hvtune has through libvirt; the reads are probe/lv.c's.  Both go
 * through one connection (probe/lv_int.h): every call here is timed by its
 * watchdog (lv_arm() / lv_disarm()) like a read, and fails with libvirt's
 * own reason.  This file and probe/lv.c are the only ones that include libvirt.
 */
#include "apply/virt.h"
#include "probe/lv_int.h"
#include "probe/strfmt.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* The <name> of a domain XML, for messages only (the XML itself is libxml2's
 * business, in apply/domxml.c). */
static void xml_name(const char *xml, char *out, size_t size)
{
	const char *s = strstr(xml, "<name>"), *end;

	out[0] = '\0';
	if (!s)
		return;
	s += strlen("<name>");
	end = strstr(s, "</name>");
	if (end && end - s < 64)
		strfmt_set(out, size, "%.*s", (int)(end - s), s);
}

static int do_define(struct lv *c, const char *xml, bool validate, struct err *e)
{
	virDomainPtr d =
	    lv_fn.virDomainDefineXMLFlags(c->conn, xml, validate ? VIR_DOMAIN_DEFINE_VALIDATE : 0);
	virErrorPtr err;
	char name[80];
	bool schema;

	if (!d) {
		err = lv_fn.virGetLastError();
		schema = err && err->code == VIR_ERR_XML_INVALID_SCHEMA;
		xml_name(xml, name, sizeof(name));
		lv_fail(e, "cannot define domain '%s' on '%s'", name[0] ? name : "?", c->uri);
		if (schema)
			e->sys = EBADMSG;
		return -1;
	}
	lv_fn.virDomainFree(d);
	return 0;
}

/* A libvirt cpumap (VIR_CPU_MAPLEN(ncpus) bytes, bit n = CPU n) from @cpus. */
static int to_map(const struct lv *c, const struct idset *cpus, unsigned char *map, int *len,
		  const char *name, struct err *e)
{
	int maxid = -1;

	for (int id = idset_next(cpus, 0); id >= 0; id = idset_next(cpus, (unsigned)id + 1))
		maxid = id;
	if (maxid < 0)
		return err_set(e, 0, "cannot pin domain '%s' on '%s': empty CPU set", name, c->uri);
	if ((unsigned)maxid >= c->ncpus)
		return err_set(e, 0,
			       "cannot pin domain '%s' on '%s': CPU %d does not exist "
			       "(the host has %u)",
			       name, c->uri, maxid, c->ncpus);
	*len = VIR_CPU_MAPLEN((int)c->ncpus);
	memset(map, 0, (size_t)*len);
	for (int id = idset_next(cpus, 0); id >= 0; id = idset_next(cpus, (unsigned)id + 1))
		VIR_USE_CPU(map, id);
	return 0;
}

/* virDomainPinVcpuFlags and virDomainPinIOThread: (domain, id, map, maplen, flags) */
typedef int (*pin_fn)(virDomainPtr, unsigned int, unsigned char *, int, unsigned int);

/*
 * libvirt 9.0's test driver takes no flags at all in virDomainPinVcpuFlags
 * (virCheckFlags(0)) and refuses VIR_DOMAIN_AFFECT_LIVE as an invalid
 * argument (older test drivers did the same for virDomainPinIOThread).  For a
 * running domain "current" is the live state, so that one refusal is retried
 * with AFFECT_CURRENT; a domain that is not running is never retried (current
 * would then mean its persistent definition).
 */
static int pin_live(pin_fn pin, virDomainPtr d, unsigned id, unsigned char *map, int len)
{
	virErrorPtr err;

	if (pin(d, id, map, len, VIR_DOMAIN_AFFECT_LIVE) == 0)
		return 0;
	err = lv_fn.virGetLastError();
	if (!err || err->code != VIR_ERR_INVALID_ARG)
		return -1;
	/* every public call resets the last error: keep the first one */
	if (lv_fn.virDomainIsActive(d) != 1) {
		pin(d, id, map, len, VIR_DOMAIN_AFFECT_LIVE);
		return -1;
	}
	return pin(d, id, map, len, VIR_DOMAIN_AFFECT_CURRENT);
}

static int do_pin_vcpu(struct lv *c, const char *name, unsigned vcpu, const struct idset *cpus,
		       struct err *e)
{
	unsigned char map[IDSET_MAX / 8];
	virDomainPtr d;
	int len, rc = 0;

	if (to_map(c, cpus, map, &len, name, e) < 0)
		return -1;
	d = lv_lookup(c, name, e);
	if (!d)
		return -1;
	if (pin_live(lv_fn.virDomainPinVcpuFlags, d, vcpu, map, len) < 0) {
		rc = lv_fail(e, "cannot pin vCPU %u of domain '%s' on '%s'", vcpu, name, c->uri);
	}
	lv_fn.virDomainFree(d);
	return rc;
}

static int do_pin_emulator(struct lv *c, const char *name, const struct idset *cpus, struct err *e)
{
	unsigned char map[IDSET_MAX / 8];
	virDomainPtr d;
	int len, rc = 0;

	if (to_map(c, cpus, map, &len, name, e) < 0)
		return -1;
	d = lv_lookup(c, name, e);
	if (!d)
		return -1;
	if (lv_fn.virDomainPinEmulator(d, map, len, VIR_DOMAIN_AFFECT_LIVE) < 0)
		rc = lv_fail(e, "cannot pin the emulator of domain '%s' on '%s'", name, c->uri);
	lv_fn.virDomainFree(d);
	return rc;
}

static int do_pin_iothread(struct lv *c, const char *name, unsigned iothread_id,
			   const struct idset *cpus, struct err *e)
{
	unsigned char map[IDSET_MAX / 8];
	virDomainPtr d;
	int len, rc = 0;

	if (to_map(c, cpus, map, &len, name, e) < 0)
		return -1;
	d = lv_lookup(c, name, e);
	if (!d)
		return -1;
	if (pin_live(lv_fn.virDomainPinIOThread, d, iothread_id, map, len) < 0)
		rc = lv_fail(e, "cannot pin iothread %u of domain '%s' on '%s'", iothread_id, name,
			     c->uri);
	lv_fn.virDomainFree(d);
	return rc;
}

/*
 * What libvirt says when it will not change numatune live, as opposed to a
 * change it tried and could not make.  QEMU (9.0, qemuDomainSetNumaParameters)
 * refuses with OPERATION_INVALID: no cpuset cgroup controller ("cgroup cpuset
 * controller is not mounted"), a mode change on a running domain, a nodeset
 * change in a mode other than strict or restrictive, a domain not running;
 * with OPERATION_UNSUPPORTED in session mode.  NO_SUPPORT is a driver without
 * the API, ARGUMENT_UNSUPPORTED a parameter it does not take, and
 * CONFIG_UNSUPPORTED a numatune it cannot express live (the test driver: a
 * mode without a nodeset).  Everything else (a cgroup write that failed, an
 * invalid nodeset, a lost connection) is a failure.
 */
static bool refused_live(int code)
{
	switch (code) {
	case VIR_ERR_OPERATION_INVALID:
	case VIR_ERR_OPERATION_UNSUPPORTED:
	case VIR_ERR_ARGUMENT_UNSUPPORTED:
	case VIR_ERR_NO_SUPPORT:
	case VIR_ERR_CONFIG_UNSUPPORTED:
		return true;
	default:
		return false;
	}
}

static int do_set_numa(struct lv *c, const char *name, const char *mode, const char *nodeset,
		       struct err *e)
{
	virTypedParameter p[2];
	char all[32], *ns;
	virNodeInfo ni;
	virDomainPtr d;
	virErrorPtr err;
	int np = 0, m = -1, rc = 0;

	for (size_t i = 0; i < ARRAY_LEN(lv_numa_modes); i++)
		if (mode[0] && strcmp(mode, lv_numa_modes[i]) == 0)
			m = (int)i;
	if (mode[0] && m < 0)
		return err_set(e, 0, "cannot set the numatune of domain '%s': unknown mode '%s'",
			       name, mode);
	/* no nodeset is no binding: every node of the host */
	if (!nodeset[0]) {
		if (lv_fn.virNodeGetInfo(c->conn, &ni) < 0)
			return lv_fail(e, "cannot read the NUMA nodes of '%s'", c->uri);
		if (ni.nodes > 1)
			strfmt_set(all, sizeof(all), "0-%u", ni.nodes - 1);
		else
			strfmt_set(all, sizeof(all), "0");
		nodeset = all;
	}
	ns = strdup(nodeset);
	if (!ns)
		return err_set(e, ENOMEM, "cannot set the numatune of domain '%s'", name);
	memset(p, 0, sizeof(p));
	if (m >= 0) {
		strfmt_set(p[np].field, sizeof(p[np].field), "%s", VIR_DOMAIN_NUMA_MODE);
		p[np].type = VIR_TYPED_PARAM_INT;
		p[np++].value.i = m;
	}
	strfmt_set(p[np].field, sizeof(p[np].field), "%s", VIR_DOMAIN_NUMA_NODESET);
	p[np].type = VIR_TYPED_PARAM_STRING;
	p[np++].value.s = ns;
	d = lv_lookup(c, name, e);
	if (!d) {
		free(ns);
		return -1;
	}
	if (lv_fn.virDomainSetNumaParameters(d, p, np, VIR_DOMAIN_AFFECT_LIVE) < 0) {
		err = lv_fn.virGetLastError();
		if (err && refused_live(err->code)) {
			err_set(e, 0, "%s", lv_why());
			lv_fn.virResetLastError();
			lv_one_line(e->msg);
			rc = 1;
		} else {
			rc = lv_fail(e, "cannot set the numatune of domain '%s' on '%s' to %s %s",
				     name, c->uri, m >= 0 ? mode : "(mode kept)", nodeset);
		}
	}
	lv_fn.virDomainFree(d);
	free(ns);
	return rc;
}

/* ---- every public call under the watchdog (lv_arm() / lv_disarm()) ---- */

int virt_define(struct lv *c, const char *xml, bool validate, struct err *e)
{
	return lv_arm(c, e) < 0 ? -1 : lv_disarm(c, do_define(c, xml, validate, e), e);
}

bool virt_schema_invalid(const struct err *e)
{
	return e->sys == EBADMSG;
}

int virt_pin_vcpu(struct lv *c, const char *name, unsigned vcpu, const struct idset *cpus,
		  struct err *e)
{
	return lv_arm(c, e) < 0 ? -1 : lv_disarm(c, do_pin_vcpu(c, name, vcpu, cpus, e), e);
}

int virt_pin_emulator(struct lv *c, const char *name, const struct idset *cpus, struct err *e)
{
	return lv_arm(c, e) < 0 ? -1 : lv_disarm(c, do_pin_emulator(c, name, cpus, e), e);
}

int virt_pin_iothread(struct lv *c, const char *name, unsigned iothread_id,
		      const struct idset *cpus, struct err *e)
{
	if (lv_arm(c, e) < 0)
		return -1;
	return lv_disarm(c, do_pin_iothread(c, name, iothread_id, cpus, e), e);
}

int virt_set_numa(struct lv *c, const char *name, const char *mode, const char *nodeset,
		  struct err *e)
{
	return lv_arm(c, e) < 0 ? -1 : lv_disarm(c, do_set_numa(c, name, mode, nodeset, e), e);
}
