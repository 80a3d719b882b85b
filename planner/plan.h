/* plan.h - VM placement: a host, a profile and VM requests in, a plan with reasons out
 *
 * plan_compute() is a pure function: no I/O, no clock, no globals.  The plan
 * is plain data that copies every id it needs (no pointers into the host), so
 * it stays valid when the host is re-probed, and it is the input of apply/.
 */
#ifndef HVTUNE_PLAN_H
#define HVTUNE_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "planner/profile.h"
#include "probe/err.h"
#include "probe/host.h"
#include "probe/idset.h"

#define PLAN_NAME_MAX	 64
#define PLAN_WHY_MAX	 256 /* one reason: a line the CLI and the TUI show */
#define PLAN_MAX_REASONS 16
#define PLAN_SMT_MAX	 8 /* threads per core (POWER has SMT8) */

/* Hugepage sizes a request may name, in KiB: powers of two from arm64's
 * 64 KiB contiguous pages to POWER's 16 GiB pages (the profile's range). */
#define PLAN_HUGEPAGE_MIN_KIB 64
#define PLAN_HUGEPAGE_MAX_KIB (UINT64_C(16) << 20)
/* The base page: asking for pages of this size asks for normal pages. */
#define PLAN_BASE_PAGE_KIB 4

/* Which pages back a VM's memory.  A separate choice, not a reserved size:
 * every size is a number a user can type. */
enum page_choice {
	PAGES_PROFILE, /* the profile's hugepage_kib (a zeroed request) */
	PAGES_NORMAL,  /* normal pages: "pages=none", "pages=4K", hugepage_kib 0 */
	PAGES_HUGE,    /* hugepages of vm_request.hugepage_kib */
};

/* A guest NUMA cell a request asks for: the domain's own layout, kept. */
struct cell_request {
	struct idset vcpus; /* its guest vCPU ids (empty: a memory-only cell) */
	uint64_t mem_kib;
};

/* One VM to place. */
struct vm_request {
	char name[PLAN_NAME_MAX];
	unsigned vcpus; /* the maximum: hot-plugged vCPUs get pCPUs too */
	uint64_t mem_kib;
	enum page_choice pages;
	uint64_t hugepage_kib; /* the page size when pages == PAGES_HUGE, else 0 */
	char nic[32];	       /* interface name or PCI address; "" = none */
	/* Guest cells to keep (0: the planner chooses them).  Cell k is guest
	 * cell id k; each is placed whole on one host node (two may share one);
	 * their vCPUs are 0..vcpus-1, each once, and their memory adds up to
	 * mem_kib.  Heap, owned: vm_request_release(). */
	size_t ncells;
	struct cell_request *cells;
	/* Why the request could not even be read (a domain whose XML asks
	 * something hvtune cannot take), "" otherwise: the VM is NOT PLACED,
	 * short of "request", and the batch goes on. */
	char unreadable[PLAN_WHY_MAX];
};

/* The resource that kept a VM out. */
enum shortage {
	SHORT_NONE,	 /* placed */
	SHORT_CPUS,	 /* no node (or set of nodes) has the free pCPUs / whole cores */
	SHORT_MEMORY,	 /* ... has the memory of the page size */
	SHORT_BOTH,	 /* nodes with CPUs lack memory and the other way round */
	SHORT_PAGE_SIZE, /* no node offers the page size */
	SHORT_HOST,	 /* larger than the whole host */
	SHORT_REQUEST,	 /* the request itself cannot be planned (no page size fits ...) */
	SHORT_COUNT
};

struct pin {
	unsigned vcpu;
	unsigned cpu;
};

/* A guest NUMA cell: it mirrors the host node that holds its vCPUs and memory. */
struct guest_cell {
	unsigned id;	    /* guest cell 0.. */
	unsigned node;	    /* host node id its memory is bound to (strict) */
	struct idset vcpus; /* guest vCPU ids */
	uint64_t mem_kib;
	uint64_t page_kib; /* 0 = normal pages */
	uint64_t pages;	   /* hugepages of page_kib on @node (0 for normal pages) */
};

struct vm_plan {
	char name[PLAN_NAME_MAX];
	unsigned vcpus;
	uint64_t mem_kib;
	uint64_t page_kib; /* 0 = normal pages */
	bool placed;
	enum shortage shortage;	    /* why not, when !placed */
	char why_not[PLAN_WHY_MAX]; /* which resource ran out where, when !placed */
	struct idset nodes;	    /* host node ids */
	size_t npins;
	struct pin *pins;      /* vCPU i -> pCPU, by vCPU (heap, owned) */
	struct idset cpus;     /* the pCPUs of its vCPUs */
	struct idset idle;     /* siblings held idle for it (isolate, whole cores) */
	struct idset emulator; /* emulator threads' cpuset */
	struct idset iothread; /* iothreads' cpuset */
	unsigned niothreads;
	unsigned sockets, cores, threads; /* guest CPU topology */
	size_t ncells;
	struct guest_cell *cells; /* heap, owned */
	size_t nreasons;
	char reasons[PLAN_MAX_REASONS][PLAN_WHY_MAX];
};

/* Hugepages of one size on one node after the plan. */
struct plan_pool {
	unsigned node;
	uint64_t size_kib;
	uint64_t total_now; /* nr_hugepages before */
	uint64_t free_now;  /* free_hugepages before */
	uint64_t used;	    /* pages the plan binds to VMs */
	uint64_t total;	    /* nr_hugepages the plan needs (>= total_now) */
};

/* A file the apply stage writes: {path, value, reason}. */
struct plan_setting {
	char path[160]; /* "/sys/kernel/mm/transparent_hugepage/enabled" */
	char *value;	/* heap, owned: "never", "0-3,32-35" */
	char reason[PLAN_WHY_MAX];
};

/* Kernel command line advice: needs a reboot, so it is never applied. */
struct plan_cmdline {
	char *arg; /* heap, owned: "isolcpus=managed_irq,domain,2-31" */
	char reason[PLAN_WHY_MAX];
};

struct plan {
	char root[FS_PATH_MAX]; /* the host's root ("" live): apply refuses another */
	char profile[PROFILE_NAME_MAX];
	struct idset housekeeping; /* kept for the host: never dedicated */
	struct idset dedicated;	   /* every pCPU the plan gives a VM (vCPUs, own emulator, idle) */
	size_t nvms;
	struct vm_plan *vms; /* in request order (heap, owned) */
	unsigned nplaced;
	size_t npools;
	struct plan_pool *pools; /* node/size pairs the plan uses (heap, owned) */
	size_t nsettings;
	struct plan_setting *settings; /* heap, owned */
	size_t ncmdline;
	struct plan_cmdline *cmdline; /* heap, owned */
	size_t nreasons;
	char reasons[PLAN_MAX_REASONS][PLAN_WHY_MAX]; /* plan-wide: housekeeping, order */
};

/* Frees @vm's cells (a zeroed request is fine). */
void vm_request_release(struct vm_request *vm);

/* An empty plan (plan_release() is safe on it). */
void plan_init(struct plan *p);

/*
 * Places the batch @vms on @h under @pf; the CPUs in @taken (may be NULL)
 * belong to VMs that are not re-planned.  A VM that does not fit is in the
 * plan with placed = false and the reason; that is not an error.  Errors
 * (-1, @out empty): a host whose CPU/NUMA topology is unknown, a bad request
 * (no name, a duplicate name), out of memory.  A request with cells gets
 * them as its guest cells, in order, each on one node, or is not placed.
 * The caller owns @out and calls plan_release().
 */
int plan_compute(const struct host *h, const struct profile *pf, const struct vm_request *vms,
		 size_t nvms, const struct idset *taken, struct plan *out, struct err *e);

void plan_release(struct plan *p);

/*
 * Parses a command-line VM spec "NAME:vcpus=4,mem=8G[,pages=1G][,nic=eth2]"
 * (sizes: a number with K, M, G or T, binary units; no suffix = MiB for mem
 * and KiB for pages).  pages=none and pages=4K mean normal pages; another
 * size must pass plan_hugepage_ok().  NAME must pass plan_name_ok().
 * On error @vm is zeroed.
 */
int plan_parse_vm(struct vm_request *vm, const char *spec, struct err *e);

/*
 * Whether @name may name a requested VM: 1 to PLAN_NAME_MAX - 1 bytes of
 * printable UTF-8 (nothing strfmt_esc() would escape: no control characters,
 * no bidi controls, no '\\') and no '/', which libvirt refuses in a domain
 * name.  Names libvirt gives back (--domains, running VMs) are not checked:
 * they are shown escaped.
 */
bool plan_name_ok(const char *name);

/* Whether @kib is a hugepage size a request may ask for (see PLAN_HUGEPAGE_*). */
bool plan_hugepage_ok(uint64_t kib);

/* Sets @vm's page choice from a requested size: the base page is normal
 * pages, else hugepages of @kib.  Returns false when @kib is neither. */
bool plan_pages_set(struct vm_request *vm, uint64_t kib);

/* Parses a size "8G", "512M", "2048K", "1T" into KiB; @unit_kib when no suffix. */
int plan_parse_size(const char *s, uint64_t unit_kib, uint64_t *kib, struct err *e);

const char *shortage_str(enum shortage s); /* "cpus", "memory", ... */

#endif
