/* plan_int.h - the parts of plan_compute(), one per source file (internal to planner/)
 *
 * plan.c is the entry point; plan_search.c sets up the context and runs the
 * batch search over the orders; plan_place.c keeps the search state and
 * places one VM; plan_explain.c turns the chosen state into each VM's plan
 * and reasons; plan_settings.c derives host settings and kernel command-line
 * advice.  Everything here works on one struct ctx, built once per
 * plan_compute() and freed by ctx_free().
 */
#ifndef HVTUNE_PLAN_INT_H
#define HVTUNE_PLAN_INT_H

#include "planner/plan.h"

/* What a CPU is in the search state: free, not ours, or a VM's (vm * ROLE_COUNT + role). */
enum { OWN_FREE = -1, OWN_TAKEN = -2, OWN_HK = -3 };
enum role { ROLE_VCPU, ROLE_EMU, ROLE_IDLE, ROLE_COUNT };
#define OWNER(vm, role) ((int)(vm)*ROLE_COUNT + (int)(role))

#define MAX_PAGE_SIZES	    8 /* distinct hugepage sizes in one batch */
#define REPAIR_TRIES_PER_VM 8

struct core {
	size_t node; /* index in h->nodes */
	int l3;	     /* host-wide L3 group, -1 unknown */
	unsigned nthreads;
	size_t thread[PLAN_SMT_MAX]; /* indices in h->cpus, ascending id */
	bool hk;
};

/* One request, validated, with what the search needs to know about it. */
struct vmx {
	uint64_t page_kib;	      /* 0 = normal pages */
	int psz;		      /* index in ctx.page_kib, -1 for normal pages */
	int nic_node;		      /* node index of its NIC, -1 none or unknown */
	unsigned demand;	      /* pCPU units on one node: vCPUs (+1 own emulator) */
	bool fits_one;		      /* fits one node of the empty host */
	bool hopeless;		      /* no page size, or larger than the host: never tried */
	enum shortage why;	      /* for a hopeless one */
	char bad[PLAN_WHY_MAX];	      /* SHORT_REQUEST: what is wrong with the request */
	char page_note[PLAN_WHY_MAX]; /* why not the profile's page size, "" when it is */
	double size;		      /* its share of the largest node, for ordering */
	double cpu_share, mem_share;
};

/*
 * The search state: one block of memory, so that trying a move is a memcpy.
 * Arrays: owner[ncpus]; res[nnodes] (KiB still reservable); freepg[nnodes *
 * npsz] (free pages of each size left); per VM and node: mem, from_free
 * (pages), from_res (KiB), rank (cell number + 1, 0 = not on the node);
 * placed[nvms]; core_free[ncores], node_u[nnodes]: counts kept in step with
 * owner[] by set_owner(), so a node's capacity is read, not recounted.
 */
struct state {
	void *buf;
	size_t size;
	uint64_t *res, *freepg, *vm_mem, *vm_free, *vm_res;
	int *owner, *rank, *placed;
	int *core_free; /* free threads of each core */
	int *node_u;	/* pCPU units each node offers (kept up to date) */
	int *vm_thr;	/* per VM and node: threads it holds */
	int *cell_node; /* per requested cell (ctx.cell_off): its node index, -1 none */
};

/* place_split()'s scratch, nnodes entries each: allocated once by search_setup(), so placing
 * a VM never allocates (and never fails for memory) inside the search. */
struct split {
	void *buf;
	size_t *set, *best; /* the candidate set, the best set so far (node indices) */
	bool *in;	    /* node index -> in the candidate set */
	unsigned *nu, *vc;  /* free units of each node; vCPUs of each node of the best set */
	uint64_t *nc, *caps, *cell; /* free KiB of each node; pages each best node holds, gets */
};

struct ctx {
	const struct host *h;
	const struct profile *pf;
	const struct vm_request *req;
	const struct idset *taken_set; /* may be NULL */
	size_t nvms, nnodes, ncpus;
	size_t ncores;
	struct core *cores; /* by node, then L3 group, then first CPU id */
	size_t *cpu_core;   /* h->cpus index -> index in cores */
	size_t *node_first, *node_ncores;
	struct idset *node_hk; /* housekeeping CPUs of each node */
	uint32_t *dist;	       /* nnodes x nnodes */
	bool any_mem_known;    /* some node with CPUs has known memory */
	bool dist_known;
	size_t npsz;
	uint64_t page_kib[MAX_PAGE_SIZES];
	int *pool_of;	  /* nnodes x npsz: index in node.pools, -1 none */
	unsigned *units0; /* pCPU units of each node on the empty host */
	struct vmx *vm;
	size_t *cell_off; /* per VM: index of its first requested cell in state.cell_node */
	size_t ncellreq;  /* requested cells of the whole batch */
	struct state st0; /* the empty host: housekeeping and taken CPUs only */
	long tries;	  /* repair budget left */
	struct split split;
};

struct outcome {
	unsigned placed, nic_local, split, shared;
};

enum order_kind { ORD_LARGEST, ORD_NIC, ORD_CPU, ORD_MEM, ORD_SMALLEST, ORD_ARRIVAL, ORD_COUNT };

struct result {
	enum order_kind kind;
	unsigned greedy;  /* placed before repair */
	unsigned moves;	  /* repair moves */
	unsigned arrival; /* what arrival order placed, before repair */
	struct outcome o;
};

/* plan.c: the small helpers every part uses */
/* Appends one reason to @r (PLAN_MAX_REASONS at most; the last says when more were left out). */
void plan_add_reason(char (*r)[PLAN_WHY_MAX], size_t *n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* "1 GiB", "2 MiB"; "normal" for a VM without hugepages (0 KiB).  Returns @buf. */
const char *plan_size_str(uint64_t kib, char *buf, size_t size);
/* The list format of @s ("0-3,8") on the heap (caller free()s), or NULL when out of memory. */
char *plan_set_str(const struct idset *s);
/* The kernel's hex mask of @s, 32-bit words highest first ("ff,00000000"), as plan_set_str(). */
char *plan_mask_str(const struct idset *s);

/* plan_place.c: the search state (one block, so a trial move is a memcpy) */
/* Sizes @st for @c and zeroes it; -1 when out of memory (state_free() is still safe). */
int state_alloc(const struct ctx *c, struct state *st);
void state_copy(struct state *dst, const struct state *src);
void state_free(struct state *st);
/* Recounts core_free and node_u from owner[] (once, for the empty host). */
void state_recount(const struct ctx *c, struct state *st);

/* plan_place.c: capacity and placing one VM */
/* pCPU units node @n still offers under the profile's SMT policy. */
unsigned place_node_units(const struct ctx *c, const struct state *st, size_t n);
/* KiB of memory of @v's page size node @n can still give. */
uint64_t place_mem_cap(const struct ctx *c, const struct state *st, size_t n, const struct vmx *v);
/* The NUMA distance from node index @a to @b. */
uint32_t place_dist(const struct ctx *c, size_t a, size_t b);
/* Does each VM get an emulator thread of its own (a pCPU unit of its demand)? */
bool place_emu_own(const struct ctx *c);
/* Places VM @vi in @st (one node, its requested cells, or split); false when it fits nowhere,
 * and then @st is as it was. */
bool place_vm(const struct ctx *c, struct state *st, size_t vi);
/* Takes VM @vi out of @st: its CPUs, memory and cells are free again. */
void place_remove(const struct ctx *c, struct state *st, size_t vi);

/* plan_search.c: the context and the batch */
/* Fails when @h has no CPUs or nodes to plan on. */
int search_check_host(const struct host *h, struct err *e);
/* Fills @c (cores, housekeeping, distances, page sizes, vetted requests, the empty state);
 * -1 with @e set on a bad request or no memory.  ctx_free() is safe after a failure. */
int search_setup(struct ctx *c, struct err *e);
/* Each VM's share of the largest node, for the orders. */
void search_size_vms(struct ctx *c);
/* The best state over the orders tried, into @best (allocated by the caller), and how it was
 * found into @res; -1 when out of memory. */
int search_run(struct ctx *c, struct state *best, struct result *res, struct err *e);
const char *search_order_name(enum order_kind k);

/* plan_explain.c: VM @vi's plan entry from state @st: pins, cells, where and why; -1 when out
 * of memory. */
int explain_vm(const struct ctx *c, const struct state *st, size_t vi, struct vm_plan *vp,
	       struct err *e);

/* plan_settings.c: what the host needs for the plan; each returns -1 only when out of memory */
/* Hugepage pool sizes per node and page size for the VMs placed in @st. */
int settings_pools(const struct ctx *c, const struct state *st, struct plan *p);
/* The sysfs/procfs settings the profile asks for (THP, KSM, IRQ affinity, governor, ...). */
int settings_host(const struct ctx *c, struct plan *p);
/* Kernel command-line arguments the plan would like (isolcpus, nohz_full, ...). */
int settings_cmdline(const struct ctx *c, struct plan *p);

#endif
