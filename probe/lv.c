/* lv.c - libvirt behind probe/lv.h: loaded with dlopen(), every symbol resolved once
 *
 * The only file that includes libvirt.  Its headers give the types; the
 * functions come from dlsym() into a table of typed pointers, so hvtune never
 * links libvirt (lv.h says why).  The library is never unloaded: libvirt keeps
 * thread-local state and global error handlers that must outlive any
 * connection.  libvirt prints every error on stderr by default; a no-op error
 * handler stops that (nothing prints below tui/), and each failure carries
 * virGetLastErrorMessage() in its struct err instead.
 */
#include "probe/lv.h"
#include "probe/strfmt.h"

#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#define LV_FUNCS(X)                                                                      \
	X(virInitialize) X(virSetErrorFunc) X(virGetLastErrorMessage) X(virResetLastError)   \
	X(virGetLastError)                                                                   \
	X(virConnectOpen) X(virConnectClose) X(virConnectGetURI) X(virNodeGetCPUMap)         \
	X(virNodeGetInfo) X(virConnectListAllDomains) X(virDomainLookupByName)               \
	X(virDomainFree) X(virDomainGetName) X(virDomainGetUUIDString) X(virDomainIsActive)  \
	X(virDomainGetInfo) X(virDomainGetID) X(virDomainGetXMLDesc)                         \
	X(virDomainDefineXMLFlags) X(virDomainPinVcpuFlags) X(virDomainPinEmulator)          \
	X(virDomainGetVcpuPinInfo) X(virDomainGetEmulatorPinInfo)                            \
	X(virDomainGetNumaParameters) X(virTypedParamsClear) X(virDomainPinIOThread)          \
	X(virDomainGetIOThreadInfo) X(virDomainIOThreadInfoFree) X(virDomainSetNumaParameters)

#define LV_MEMBER(f) __typeof__(f) *f;
static struct lv_api {
	LV_FUNCS(LV_MEMBER)
} api;

#define LV_ENTRY(f) { #f, offsetof(struct lv_api, f) },
static const struct {
	const char *name;
	size_t off;
} api_syms[] = { LV_FUNCS(LV_ENTRY) };

static pthread_once_t load_once = PTHREAD_ONCE_INIT;
static char load_error[256];	/* "" once loaded */

struct lv {
	virConnectPtr conn;
	char uri[512];
	unsigned ncpus;		/* host CPUs libvirt knows: the length of its CPU maps */
};

static void no_error_print(void *data, virErrorPtr error)
{
	(void)data;
	(void)error;
}

static void lv_load(void)
{
	void *h = dlopen("libvirt.so.0", RTLD_NOW | RTLD_LOCAL);

	if (!h) {
		strfmt_set(load_error, sizeof(load_error), "cannot load libvirt (%s)", dlerror());
		return;
	}
	for (size_t i = 0; i < ARRAY_LEN(api_syms); i++) {
		void *sym = dlsym(h, api_syms[i].name);

		if (!sym) {
			strfmt_set(load_error, sizeof(load_error),
				   "cannot load libvirt: no symbol '%s' in libvirt.so.0",
				   api_syms[i].name);
			return;
		}
		/* POSIX guarantees a data pointer from dlsym() converts to a
		 * function pointer; memcpy says so without a cast ISO C lacks. */
		memcpy((char *)&api + api_syms[i].off, &sym, sizeof(sym));
	}
	if (api.virInitialize() < 0) {
		strfmt_set(load_error, sizeof(load_error), "cannot initialize libvirt");
		return;
	}
	api.virSetErrorFunc(NULL, no_error_print);
}

/* libvirt's last error of this thread, for the end of a message. */
static const char *lv_why(void)
{
	const char *m = api.virGetLastErrorMessage();

	return m ? m : "unknown libvirt error";
}

/* libvirt's schema and parser errors span lines (the failing line, a caret);
 * an error is one line on stderr: each run of blanks with a newline becomes
 * one space, and trailing blanks go. */
static void one_line(char *s)
{
	char *w = s;

	for (char *r = s; *r; r++) {
		if (*r == '\n' || *r == '\r') {
			while (w > s && (w[-1] == ' ' || w[-1] == '\t'))
				w--;
			while (r[1] == ' ' || r[1] == '\t' || r[1] == '\n' || r[1] == '\r')
				r++;
			*w++ = ' ';
		} else {
			*w++ = *r;
		}
	}
	while (w > s && w[-1] == ' ')
		w--;
	*w = '\0';
}

/* "<what failed>: <libvirt's reason>", then libvirt's error is cleared. */
static int lv_fail(struct err *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int lv_fail(struct err *e, const char *fmt, ...)
{
	char what[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	err_set(e, 0, "%s: %s", what, lv_why());
	api.virResetLastError();
	one_line(e->msg);
	return -1;
}

struct lv *lv_open(const char *uri, struct err *e)
{
	struct lv *c;
	virNodeInfo ni;
	char *u;
	int n;

	pthread_once(&load_once, lv_load);
	if (load_error[0]) {
		err_set(e, 0, "%s", load_error);
		return NULL;
	}
	c = calloc(1, sizeof(*c));
	if (!c) {
		err_set(e, ENOMEM, "cannot connect to '%s'", uri);
		return NULL;
	}
	c->conn = api.virConnectOpen(uri);
	if (!c->conn) {
		lv_fail(e, "cannot connect to '%s'", uri);
		free(c);
		return NULL;
	}
	u = api.virConnectGetURI(c->conn);
	strfmt_set(c->uri, sizeof(c->uri), "%s", u ? u : uri);
	free(u);
	/* virNodeGetCPUMap counts possible CPUs (the highest id + 1), which is
	 * what the cpumaps of the pinning calls are indexed by. */
	n = api.virNodeGetCPUMap(c->conn, NULL, NULL, 0);
	if (n <= 0) {
		api.virResetLastError();
		if (api.virNodeGetInfo(c->conn, &ni) < 0) {
			lv_fail(e, "cannot read the host CPUs of '%s'", c->uri);
			lv_close(c);
			return NULL;
		}
		n = (int)ni.cpus;
	}
	c->ncpus = n > 0 && (unsigned)n <= IDSET_MAX ? (unsigned)n : IDSET_MAX;
	return c;
}

void lv_close(struct lv *c)
{
	if (!c)
		return;
	if (c->conn)
		api.virConnectClose(c->conn);
	free(c);
}

const char *lv_uri(const struct lv *c)
{
	return c->uri;
}

static virDomainPtr lookup(struct lv *c, const char *name, struct err *e)
{
	virDomainPtr d = api.virDomainLookupByName(c->conn, name);

	if (!d)
		lv_fail(e, "cannot find domain '%s' on '%s'", name, c->uri);
	return d;
}

static int fill(struct lv *c, virDomainPtr d, struct lv_domain *out, struct err *e)
{
	virDomainInfo info;
	const char *name = api.virDomainGetName(d);
	char uuid[VIR_UUID_STRING_BUFLEN];
	int active;

	memset(out, 0, sizeof(*out));
	strfmt_set(out->name, sizeof(out->name), "%s", name ? name : "");
	if (api.virDomainGetUUIDString(d, uuid) < 0)
		return lv_fail(e, "cannot read the UUID of domain '%s' on '%s'", out->name, c->uri);
	strfmt_set(out->uuid, sizeof(out->uuid), "%s", uuid);
	active = api.virDomainIsActive(d);
	if (active < 0)
		return lv_fail(e, "cannot read the state of domain '%s' on '%s'", out->name,
			       c->uri);
	if (api.virDomainGetInfo(d, &info) < 0)
		return lv_fail(e, "cannot read domain '%s' on '%s'", out->name, c->uri);
	out->active = active == 1;
	out->vcpus = info.nrVirtCpu;
	out->mem_kib = info.memory;
	out->id = out->active ? (int)api.virDomainGetID(d) : -1;
	return 0;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct lv_domain *)a)->name, ((const struct lv_domain *)b)->name);
}

int lv_domains(struct lv *c, struct lv_domain **out, size_t *n, struct err *e)
{
	virDomainPtr *doms = NULL;
	struct lv_domain *list;
	int nd = api.virConnectListAllDomains(c->conn, &doms, 0);
	int rc = 0;

	*out = NULL;
	*n = 0;
	if (nd < 0)
		return lv_fail(e, "cannot list the domains of '%s'", c->uri);
	list = calloc(nd > 0 ? (size_t)nd : 1, sizeof(*list));
	if (!list)
		rc = err_set(e, ENOMEM, "cannot list the domains of '%s'", c->uri);
	for (int i = 0; i < nd; i++) {
		if (rc == 0 && fill(c, doms[i], &list[i], e) < 0)
			rc = -1;
		api.virDomainFree(doms[i]);
	}
	free(doms);
	if (rc < 0) {
		free(list);
		return -1;
	}
	qsort(list, (size_t)nd, sizeof(*list), by_name);
	*out = list;
	*n = (size_t)nd;
	return 0;
}

int lv_domain(struct lv *c, const char *name, struct lv_domain *out, struct err *e)
{
	virDomainPtr d = lookup(c, name, e);
	int rc;

	memset(out, 0, sizeof(*out));
	if (!d)
		return -1;
	rc = fill(c, d, out, e);
	api.virDomainFree(d);
	return rc;
}

char *lv_xml(struct lv *c, const char *name, bool inactive, struct err *e)
{
	virDomainPtr d = lookup(c, name, e);
	char *xml;

	if (!d)
		return NULL;
	xml = api.virDomainGetXMLDesc(d, inactive ? VIR_DOMAIN_XML_INACTIVE : 0);
	if (!xml)
		lv_fail(e, "cannot read the XML of domain '%s' on '%s'", name, c->uri);
	api.virDomainFree(d);
	return xml;
}

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

int lv_define(struct lv *c, const char *xml, struct err *e)
{
	virDomainPtr d = api.virDomainDefineXMLFlags(c->conn, xml, VIR_DOMAIN_DEFINE_VALIDATE);
	char name[80];

	if (!d) {
		xml_name(xml, name, sizeof(name));
		return lv_fail(e, "cannot define domain '%s' on '%s'", name[0] ? name : "?",
			       c->uri);
	}
	api.virDomainFree(d);
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
		return err_set(e, 0, "cannot pin domain '%s' on '%s': CPU %d does not exist "
			       "(the host has %u)", name, c->uri, maxid, c->ncpus);
	*len = VIR_CPU_MAPLEN((int)c->ncpus);
	memset(map, 0, (size_t)*len);
	for (int id = idset_next(cpus, 0); id >= 0; id = idset_next(cpus, (unsigned)id + 1))
		VIR_USE_CPU(map, id);
	return 0;
}

static void from_map(const struct lv *c, const unsigned char *map, struct idset *cpus)
{
	idset_clear(cpus);
	for (unsigned id = 0; id < c->ncpus; id++)
		if (map[id / 8] & (1u << (id % 8)))
			idset_add(cpus, id);
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
	err = api.virGetLastError();
	if (!err || err->code != VIR_ERR_INVALID_ARG)
		return -1;
	/* every public call resets the last error: keep the first one */
	if (api.virDomainIsActive(d) != 1) {
		pin(d, id, map, len, VIR_DOMAIN_AFFECT_LIVE);
		return -1;
	}
	return pin(d, id, map, len, VIR_DOMAIN_AFFECT_CURRENT);
}

int lv_pin_vcpu(struct lv *c, const char *name, unsigned vcpu, const struct idset *cpus,
		struct err *e)
{
	unsigned char map[IDSET_MAX / 8];
	virDomainPtr d;
	int len, rc = 0;

	if (to_map(c, cpus, map, &len, name, e) < 0)
		return -1;
	d = lookup(c, name, e);
	if (!d)
		return -1;
	if (pin_live(api.virDomainPinVcpuFlags, d, vcpu, map, len) < 0) {
		rc = lv_fail(e, "cannot pin vCPU %u of domain '%s' on '%s'", vcpu, name, c->uri);
	}
	api.virDomainFree(d);
	return rc;
}

int lv_pin_emulator(struct lv *c, const char *name, const struct idset *cpus, struct err *e)
{
	unsigned char map[IDSET_MAX / 8];
	virDomainPtr d;
	int len, rc = 0;

	if (to_map(c, cpus, map, &len, name, e) < 0)
		return -1;
	d = lookup(c, name, e);
	if (!d)
		return -1;
	if (api.virDomainPinEmulator(d, map, len, VIR_DOMAIN_AFFECT_LIVE) < 0)
		rc = lv_fail(e, "cannot pin the emulator of domain '%s' on '%s'", name, c->uri);
	api.virDomainFree(d);
	return rc;
}

/* The live state of a running domain, the persistent one of a defined one. */
static unsigned int state_flag(virDomainPtr d)
{
	return api.virDomainIsActive(d) == 1 ? VIR_DOMAIN_AFFECT_LIVE : VIR_DOMAIN_AFFECT_CONFIG;
}

int lv_vcpu_pins(struct lv *c, const char *name, struct idset *cpus, size_t n, struct err *e)
{
	int len = VIR_CPU_MAPLEN((int)c->ncpus), got;
	unsigned char *maps;
	virDomainPtr d;

	for (size_t i = 0; i < n; i++)
		idset_clear(&cpus[i]);
	if (n == 0)
		return 0;
	if (n > INT32_MAX / (size_t)len)
		return err_set(e, 0, "cannot read the vCPU pins of domain '%s': %zu vCPUs", name,
			       n);
	maps = calloc(n, (size_t)len);
	if (!maps)
		return err_set(e, ENOMEM, "cannot read the vCPU pins of domain '%s'", name);
	d = lookup(c, name, e);
	if (!d) {
		free(maps);
		return -1;
	}
	got = api.virDomainGetVcpuPinInfo(d, (int)n, maps, len, state_flag(d));
	if (got < 0)
		lv_fail(e, "cannot read the vCPU pins of domain '%s' on '%s'", name, c->uri);
	for (int i = 0; i < got && (size_t)i < n; i++)
		from_map(c, maps + (size_t)i * (size_t)len, &cpus[i]);
	api.virDomainFree(d);
	free(maps);
	return got < 0 ? -1 : 0;
}

int lv_emulator_pin(struct lv *c, const char *name, struct idset *cpus, struct err *e)
{
	unsigned char map[IDSET_MAX / 8];
	int len = VIR_CPU_MAPLEN((int)c->ncpus), rc = 0;
	virDomainPtr d;

	idset_clear(cpus);
	d = lookup(c, name, e);
	if (!d)
		return -1;
	memset(map, 0, sizeof(map));
	if (api.virDomainGetEmulatorPinInfo(d, map, len, state_flag(d)) < 0)
		rc = lv_fail(e, "cannot read the emulator pin of domain '%s' on '%s'", name,
			     c->uri);
	else
		from_map(c, map, cpus);
	api.virDomainFree(d);
	return rc;
}

/* virDomainNumatuneMemMode, in its order. */
static const char *const numa_modes[] = { "strict", "preferred", "interleave", "restrictive" };

int lv_numa(struct lv *c, const char *name, char *mode, size_t mode_size, char *nodeset,
	    size_t nodeset_size, struct err *e)
{
	virTypedParameterPtr p = NULL;
	int np = 0, rc = 0;
	unsigned int flags;
	virDomainPtr d;

	mode[0] = '\0';
	nodeset[0] = '\0';
	d = lookup(c, name, e);
	if (!d)
		return -1;
	flags = state_flag(d);
	/* The documented two calls: the count first, then the values. */
	if (api.virDomainGetNumaParameters(d, NULL, &np, flags) < 0) {
		rc = lv_fail(e, "cannot read the numatune of domain '%s' on '%s'", name, c->uri);
		goto out;
	}
	p = calloc(np > 0 ? (size_t)np : 1, sizeof(*p));
	if (!p) {
		rc = err_set(e, ENOMEM, "cannot read the numatune of domain '%s'", name);
		goto out;
	}
	if (np > 0 && api.virDomainGetNumaParameters(d, p, &np, flags) < 0) {
		rc = lv_fail(e, "cannot read the numatune of domain '%s' on '%s'", name, c->uri);
		goto out;
	}
	for (int i = 0; i < np; i++) {
		if (strcmp(p[i].field, VIR_DOMAIN_NUMA_MODE) == 0 &&
		    p[i].type == VIR_TYPED_PARAM_INT) {
			int m = p[i].value.i;

			if (m >= 0 && (size_t)m < ARRAY_LEN(numa_modes))
				strfmt_set(mode, mode_size, "%s", numa_modes[m]);
			else
				strfmt_set(mode, mode_size, "mode-%d", m);
		} else if (strcmp(p[i].field, VIR_DOMAIN_NUMA_NODESET) == 0 &&
			   p[i].type == VIR_TYPED_PARAM_STRING && p[i].value.s) {
			strfmt_set(nodeset, nodeset_size, "%s", p[i].value.s);
		}
	}
	api.virTypedParamsClear(p, np);
out:
	free(p);
	api.virDomainFree(d);
	return rc;
}

int lv_pin_iothread(struct lv *c, const char *name, unsigned iothread_id,
		    const struct idset *cpus, struct err *e)
{
	unsigned char map[IDSET_MAX / 8];
	virDomainPtr d;
	int len, rc = 0;

	if (to_map(c, cpus, map, &len, name, e) < 0)
		return -1;
	d = lookup(c, name, e);
	if (!d)
		return -1;
	if (pin_live(api.virDomainPinIOThread, d, iothread_id, map, len) < 0)
		rc = lv_fail(e, "cannot pin iothread %u of domain '%s' on '%s'", iothread_id, name,
			     c->uri);
	api.virDomainFree(d);
	return rc;
}

static int by_iothread_id(const void *a, const void *b)
{
	unsigned x = ((const struct lv_iothread *)a)->id, y = ((const struct lv_iothread *)b)->id;

	return x < y ? -1 : x > y;
}

int lv_iothread_pins(struct lv *c, const char *name, struct lv_iothread **out, size_t *n,
		     struct err *e)
{
	virDomainIOThreadInfoPtr *info = NULL;
	struct lv_iothread *list = NULL;
	virDomainPtr d;
	int got, rc = 0;

	*out = NULL;
	*n = 0;
	d = lookup(c, name, e);
	if (!d)
		return -1;
	got = api.virDomainGetIOThreadInfo(d, &info, state_flag(d));
	if (got < 0) {
		rc = lv_fail(e, "cannot read the iothreads of domain '%s' on '%s'", name, c->uri);
		got = 0;
	} else {
		list = calloc(got > 0 ? (size_t)got : 1, sizeof(*list));
		if (!list)
			rc = err_set(e, ENOMEM, "cannot read the iothreads of domain '%s'", name);
	}
	for (int i = 0; i < got; i++) {
		if (list) {
			unsigned char map[IDSET_MAX / 8];
			int len = info[i]->cpumaplen;

			/* a map shorter than ours (libvirt sizes it by its own CPU
			 * count) leaves the rest of the CPUs out */
			memset(map, 0, sizeof(map));
			memcpy(map, info[i]->cpumap,
			       len > 0 && (size_t)len < sizeof(map) ? (size_t)len : sizeof(map));
			list[i].id = info[i]->iothread_id;
			from_map(c, map, &list[i].cpus);
		}
		api.virDomainIOThreadInfoFree(info[i]);
	}
	free(info);
	api.virDomainFree(d);
	if (rc < 0) {
		free(list);
		return -1;
	}
	qsort(list, (size_t)got, sizeof(*list), by_iothread_id);
	*out = list;
	*n = (size_t)got;
	return 0;
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

int lv_set_numa(struct lv *c, const char *name, const char *mode, const char *nodeset,
		struct err *e)
{
	virTypedParameter p[2];
	char all[32], *ns;
	virNodeInfo ni;
	virDomainPtr d;
	virErrorPtr err;
	int np = 0, m = -1, rc = 0;

	for (size_t i = 0; i < ARRAY_LEN(numa_modes); i++)
		if (mode[0] && strcmp(mode, numa_modes[i]) == 0)
			m = (int)i;
	if (mode[0] && m < 0)
		return err_set(e, 0, "cannot set the numatune of domain '%s': unknown mode '%s'",
			       name, mode);
	/* no nodeset is no binding: every node of the host */
	if (!nodeset[0]) {
		if (api.virNodeGetInfo(c->conn, &ni) < 0)
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
	d = lookup(c, name, e);
	if (!d) {
		free(ns);
		return -1;
	}
	if (api.virDomainSetNumaParameters(d, p, np, VIR_DOMAIN_AFFECT_LIVE) < 0) {
		err = api.virGetLastError();
		if (err && refused_live(err->code)) {
			err_set(e, 0, "%s", lv_why());
			api.virResetLastError();
			one_line(e->msg);
			rc = 1;
		} else {
			rc = lv_fail(e, "cannot set the numatune of domain '%s' on '%s' to %s %s",
				     name, c->uri, m >= 0 ? mode : "(mode kept)", nodeset);
		}
	}
	api.virDomainFree(d);
	free(ns);
	return rc;
}
