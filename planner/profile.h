/* profile.h - tuning profiles: the planner's policies and the host settings, from INI files
 *
 * A profile is a small INI file (profiles/NAME.conf) with three sections:
 * [profile] (description), [planner] (how VMs are placed) and [host] (what the
 * host is set to).  Every key is optional: an absent key keeps the built-in
 * value, which is the "balanced" profile.  A bad section, key or value is an
 * error that names the file and line, as git does for its config.
 */
#ifndef HVTUNE_PROFILE_H
#define HVTUNE_PROFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "probe/err.h"

#define PROFILE_NAME_MAX 64
#define PROFILE_PATH_MAX 4096

/* How a VM's vCPUs use SMT siblings (Nova's hw:cpu_thread_policy, with the
 * whole-core rule that NFV deployments want). */
enum smt_policy {
	SMT_PREFER,  /* fill both siblings of a core with the VM's own vCPUs;
		      * a half-free core may be shared with another VM */
	SMT_ISOLATE, /* one vCPU per core; its siblings stay idle */
	SMT_REQUIRE, /* whole cores per VM: vCPUs on siblings, and no core
		      * is ever shared by two VMs (an odd leftover stays idle) */
	SMT_POLICY_COUNT
};

/* Where a VM's QEMU emulator and I/O threads run. */
enum emulator_policy {
	EMU_HOUSEKEEPING, /* on the host's housekeeping CPUs of the VM's nodes */
	EMU_DEDICATED,	  /* on one extra pCPU of its own on the VM's first node */
	EMU_SHARED,	  /* float over the VM's own vCPU pCPUs (libvirt's default) */
	EMU_POLICY_COUNT
};

/* Which node a VM goes to when several have room. */
enum node_fit {
	FIT_PACK,   /* the fullest node that fits (best fit): keeps whole nodes free */
	FIT_SPREAD, /* the emptiest node (worst fit): spreads memory bandwidth */
	FIT_COUNT
};

/* A host setting the profile asks for; KEEP leaves the host as it is. */
enum knob { KNOB_KEEP, KNOB_OFF, KNOB_ON, KNOB_COUNT };

struct profile {
	char name[PROFILE_NAME_MAX]; /* "high-pps"; "balanced" for the built-in */
	char path[PROFILE_PATH_MAX]; /* the file it came from, "" for the built-in */
	char description[160];	     /* [profile] description: one line */
	/* [planner] */
	enum smt_policy smt;		      /* smt_policy */
	uint64_t hugepage_kib;		      /* hugepage_kib: VM page size; 0 = normal pages */
	enum emulator_policy emulator;	      /* emulator */
	unsigned housekeeping_cores_per_node; /* >= 1: the kernel needs somewhere to run */
	bool nic_local;			   /* nic_local: a VM with a NIC goes to its node first */
	uint64_t host_reserved_memory_mib; /* per node, kept for the host */
	enum node_fit fit;		   /* node_fit */
	bool l3_local;			   /* l3_local: keep a VM in one L3 group when it fits */
	unsigned iothreads;		   /* iothreads per VM (placed with the emulator) */
	/* [host] */
	char thp[16];		  /* thp: "always", "madvise", "never", or "keep" */
	enum knob ksm;		  /* ksm */
	enum knob numa_balancing; /* numa_balancing */
	char governor[24];	  /* governor for dedicated CPUs, or "keep" */
	bool irq_affinity;	  /* irq_affinity = housekeeping (true) | keep */
	bool isolate;		  /* isolate: advise isolcpus/nohz_full/rcu_nocbs */
	bool hugepages_cmdline;	  /* hugepages_cmdline: advise boot-time reservation */
	int swappiness;		  /* swappiness 0..200, -1 = keep */
};

/* Fills @pf with the built-in defaults (the "balanced" profile). */
void profile_default(struct profile *pf);

/*
 * Loads the INI file @path over the defaults.  The profile's name is the
 * file's base name without ".conf".  Errors: "cannot open profile 'P': ...",
 * "P:LINE: unknown key 'x' in [planner]", "P:LINE: invalid value 'v' for
 * 'smt_policy' (expected prefer, isolate or require)".  On error @pf holds
 * the defaults.
 */
int profile_load(struct profile *pf, const char *path, struct err *e);

/* The same from a string (tests, fuzzing); @shown names it in messages. */
int profile_load_string(struct profile *pf, const char *text, const char *shown, struct err *e);

/*
 * The directory profiles are looked up in: $HVTUNE_PROFILES when set, else
 * the source tree's profiles/ when it exists (a build that is not installed),
 * else /usr/share/hvtune/profiles.  Returns @buf.
 */
const char *profile_dir(char *buf, size_t size);

/*
 * Loads a profile by @name_or_path: a value with a '/' or ending in ".conf"
 * is a file; anything else is NAME.conf in @dir (profile_dir() when NULL).
 * An unknown name is "unknown profile 'x' (no 'DIR/x.conf')".
 */
int profile_find(struct profile *pf, const char *name_or_path, const char *dir, struct err *e);

/*
 * The profile names in @dir (the *.conf files), sorted: a heap array of
 * *@n heap strings.  Caller frees with profile_names_free().
 */
int profile_names(const char *dir, char ***names, size_t *n, struct err *e);
void profile_names_free(char **names, size_t n);

/* The INI text of @pf's effective settings (every key), into @buf.  Returns
 * the length profile_format() wanted, like snprintf. */
size_t profile_format(const struct profile *pf, char *buf, size_t size);

const char *smt_policy_str(enum smt_policy p);		 /* "prefer", "isolate", "require" */
const char *emulator_policy_str(enum emulator_policy p); /* "housekeeping", ... */
const char *node_fit_str(enum node_fit f);		 /* "pack", "spread" */
const char *knob_str(enum knob k);			 /* "keep", "off", "on" */

#endif
