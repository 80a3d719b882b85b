/* lv.h - libvirt connections and reads (lv.c); the writes are apply/virt.h's
 *
 * libvirt.so is loaded with dlopen() on the first lv_open(): linking it costs
 * about 7.5 ms at every start of hvtune (its 55 libraries), more than a whole
 * `hvtune check`.  Commands that never talk to libvirt never pay for it.
 * Every failure carries libvirt's own message ("cannot define domain 'vm0':
 * <virGetLastErrorMessage()>").  No libvirt type leaves lv.c and apply/virt.c.
 *
 * No call waits for ever (lv.c says how): each has a deadline of
 * lv_timeout_s() seconds, and keepalive closes a connection whose daemon
 * stops answering.  Then the call fails with "libvirt at 'URI' did not
 * answer within N s" and the connection is lost: every later call on it
 * fails at once (@e->sys ENOTCONN); lv_close() is still needed.
 */
#ifndef HVTUNE_LV_H
#define HVTUNE_LV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "probe/err.h"
#include "probe/idset.h"

struct lv; /* an open connection (opaque) */

#define LV_TIMEOUT_S	   30 /* the deadline of one call, the open included */
#define LV_TIMEOUT_MAX_S   3600
#define LV_KEEPALIVE_S	   2 /* keepalive: a probe after 2 s of silence, */
#define LV_KEEPALIVE_COUNT 3 /* closed after 3 probes unanswered (8 s) */

/*
 * Call before the first lv_open() in a process that forks children which use
 * libvirt (the TUI and tui/vmsproc.c): keepalive is then off in it, since
 * libvirt's event loop thread that keepalive needs could hold one of its
 * locks at the fork, and the child would wait for that lock for ever.  The
 * deadline alone then ends a wait.
 */
void lv_forks(void);

/* The deadline of a call in seconds: LV_TIMEOUT_S, or the environment's
 * HVTUNE_LIBVIRT_TIMEOUT (1 to LV_TIMEOUT_MAX_S; documented in docs/cli.md;
 * an invalid one fails lv_open()). */
unsigned lv_timeout_s(void);

/*
 * After a failed call, whether libvirt may have done it all the same: its
 * answer was lost with the connection (@e->sys ECONNABORTED: a
 * connection-level libvirt error) or did not come in time (ETIMEDOUT).  A
 * refusal (a bad XML, an invalid operation) is a reply: false.
 */
bool lv_outcome_unknown(const struct err *e);
/* lv_outcome_unknown(), or a call not even sent on a lost connection
 * (ENOTCONN): libvirt cannot be reached through this connection. */
bool lv_unreachable(const struct err *e);
/*
 * The rule behind ECONNABORTED, on libvirt's virErrorNumber @code and
 * virErrorDomain @domain: RPC and NO_CONNECT always; SYSTEM_ERROR and
 * INTERNAL_ERROR when they come from the client's RPC layer (VIR_FROM_RPC,
 * VIR_FROM_REMOTE: a socket that failed or closed, keepalive), not from a
 * driver's reply.  Everything else is a reply: libvirt refused or failed
 * before changing anything.
 */
bool lv_error_lost(int code, int domain);

/* The URI every command connects to when none is given: the system QEMU driver. */
#define LV_DEFAULT_URI "qemu:///system"

/* Loads libvirt if needed and opens @uri ("qemu:///system", "test:///default").
 * Returns NULL with @e set: "cannot load libvirt (libvirt.so.0: ...)" or
 * "cannot connect to 'URI': <libvirt's reason>". */
struct lv *lv_open(const char *uri, struct err *e);
void lv_close(struct lv *c);
/* The URI libvirt says it is connected to (for messages). */
const char *lv_uri(const struct lv *c);

/* What the wrapper reports of one domain. */
struct lv_domain {
	char name[64];
	char uuid[40];
	bool active;	  /* running (or paused) */
	unsigned vcpus;	  /* current vCPUs */
	uint64_t mem_kib; /* current memory */
	int id;		  /* libvirt domain id, -1 when inactive */
};

/* Every defined domain (active and inactive), sorted by name.  Caller free()s *@out. */
int lv_domains(struct lv *c, struct lv_domain **out, size_t *n, struct err *e);
/* One domain by name. */
int lv_domain(struct lv *c, const char *name, struct lv_domain *out, struct err *e);

/* The domain XML: @inactive = the persistent definition (what define wrote),
 * else the live one.  Caller free()s.  NULL on error. */
char *lv_xml(struct lv *c, const char *name, bool inactive, struct err *e);

/* Live vCPU affinity as libvirt reports it: @cpus[i] for vCPU i, @n entries. */
int lv_vcpu_pins(struct lv *c, const char *name, struct idset *cpus, size_t n, struct err *e);
int lv_emulator_pin(struct lv *c, const char *name, struct idset *cpus, struct err *e);
/* Live <numatune> memory mode ("strict", "preferred", "interleave",
 * "restrictive") and nodeset ("" = none) through virDomainGetNumaParameters. */
int lv_numa(struct lv *c, const char *name, char *mode, size_t mode_size, char *nodeset,
	    size_t nodeset_size, struct err *e);

struct lv_iothread {
	unsigned id;	   /* the iothread id (<iothreadids>, or 1..<iothreads>) */
	struct idset cpus; /* its affinity */
};

/* The iothreads of a running domain and their live affinity (of a defined
 * one: its definition), by id.  A domain without iothreads has none (0).
 * Caller free()s *@out. */
int lv_iothread_pins(struct lv *c, const char *name, struct lv_iothread **out, size_t *n,
		     struct err *e);

#endif
