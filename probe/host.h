/* host.h - struct host: one snapshot of every fact the later stages need
 *
 * Plain data: no fds, no hwloc/libvirt handles, no pointers into other models.
 * Immutable once host_probe() returns; later stages take a const pointer.
 * "Unknown" is a value: enum tri, a count of 0, an id of -1, or a flag named
 * *_known, each next to a *_why string that says why (shown to the operator).
 */
#ifndef HVTUNE_HOST_H
#define HVTUNE_HOST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "probe/err.h"
#include "probe/fsroot.h"
#include "probe/idset.h"

enum tri { TRI_UNKNOWN, TRI_NO, TRI_YES };

#define HOST_WHY_MAX	    160 /* a one-line reason: "no 'proc/cpuinfo' in this root" */
#define HOST_MAX_PAGE_SIZES 8	/* arm64 has 4 hugepage sizes; leave room */

/* One hugepage pool: a page size on a node, or host-wide. */
struct hugepool {
	uint64_t size_kib; /* page size, e.g. 2048 or 1048576 */
	uint64_t total;	   /* nr_hugepages: pages reserved */
	uint64_t free;	   /* free_hugepages */
	uint64_t surplus;  /* surplus_hugepages (overcommitted) */
	uint64_t reserved; /* resv_hugepages: host-wide only, 0 per node */
};

/* One online logical CPU (hwloc's PU). */
struct cpu {
	unsigned id; /* OS index, as in cpulists */
	int node;    /* NUMA node id, -1 when unknown */
	int package; /* physical package id as the kernel reports it; -1 unknown */
	int core;    /* host-wide core index 0..ncores-1, as hwloc counts cores; -1 unknown */
	/* The kernel's unit of sharing (cpuN/topology/thread_siblings) as a
	 * host-wide index: equal = SMT siblings, which share one pipeline.  The
	 * same grouping as @core except on AMD compute-unit modules (Bulldozer),
	 * whose two cores share a front end and FPU: hwloc counts two cores, the
	 * kernel, libvirt and Nova one sibling pair.  SMT policies use this. */
	int smt;
	int l3;		   /* host-wide L3 group index 0..nl3-1; -1 unknown */
	char governor[24]; /* cpufreq scaling_governor, "" when unknown */
};

/* One NUMA node (also CPU-less ones: GPU memory, CXL). */
struct node {
	unsigned id;
	struct idset cpus; /* its online CPUs; empty for a CPU-less node */
	bool mem_known;	   /* nodeN/meminfo (or libnuma) was read */
	uint64_t mem_total_kib;
	uint64_t mem_free_kib;
	char mem_why[HOST_WHY_MAX]; /* why the memory is unknown, "" when known or absent */
	size_t npools;
	struct hugepool pools[HOST_MAX_PAGE_SIZES]; /* by size, ascending */
	char pools_why[HOST_WHY_MAX]; /* why the pools could not be read, "" otherwise */
};

/* CPU and NUMA topology: the only facts whose absence is fatal. */
struct topo {
	char source[16]; /* "hwloc" or "sysfs" (our fallback reader) */
	/* why the fallback was used, or what hwloc read besides sysfs ("L3 from
	 * CPUID: ..."), "" otherwise */
	char source_why[HOST_WHY_MAX];
	/* Counts over online CPUs; 0 = unknown (see *_why). */
	unsigned npackages;
	char packages_why[HOST_WHY_MAX];
	unsigned ndies;
	char dies_why[HOST_WHY_MAX]; /* why ndies is unknown, "" otherwise */
	unsigned ncores;
	char cores_why[HOST_WHY_MAX];
	unsigned npus;
	char pus_why[HOST_WHY_MAX];
	unsigned nl3;		       /* L3 groups (AMD CCX, Intel per socket); 0 unknown */
	char l3_why[HOST_WHY_MAX];     /* why nl3 is unknown, "" otherwise */
	char cores_note[HOST_WHY_MAX]; /* where sysfs and hwloc disagree on cores (AMD modules), ""
					  otherwise */
	char nodes_why[HOST_WHY_MAX];  /* why the nodes are inferred (a kernel without NUMA), ""
					  otherwise */
	/* Why the kernel's NUMA layout cannot be right, "" when it is consistent:
	 * nodes claiming the same CPUs, or CPUs that are not present (a firmware
	 * SRAT bug).  The nodes stay as the kernel lists them; each CPU belongs
	 * to the first node that claims it, as hwloc keeps the first node. */
	char numa_inconsistent[HOST_WHY_MAX];
	struct idset online;  /* cpu/online, or the cpuN dirs */
	struct idset offline; /* possible but not online */
	struct idset present;
	struct idset possible;
	char present_why[HOST_WHY_MAX];	 /* why present is empty (unknown), "" otherwise */
	char possible_why[HOST_WHY_MAX]; /* why possible is empty (unknown), "" otherwise */
	/* NUMA distances (SLIT), nnodes x nnodes in host.nodes order; NULL when unknown */
	uint32_t *distances;
	char distances_why[HOST_WHY_MAX];
	char arch[16];	 /* "x86_64", "aarch64", "ppc64" ... from cpuinfo or uname; "" unknown */
	char vendor[32]; /* vendor_id: "GenuineIntel", "AuthenticAMD"; "" unknown */
	char model[96];	 /* model name */
	/* why arch, vendor or model is unknown (no cpuinfo, or no such line), "" otherwise */
	char cpuinfo_why[HOST_WHY_MAX];
};

/* A network interface backed by a PCI device. */
struct nic {
	char name[32];	      /* "eth0", "ens1f0" */
	char pci[16];	      /* "0000:3b:00.0", "" when not PCI */
	char driver[32];      /* "ixgbe", "" unknown */
	int numa_node;	      /* device/numa_node; -1 = unknown or no affinity */
	unsigned sriov_total; /* sriov_totalvfs; 0 = no SR-IOV */
	unsigned sriov_num;   /* sriov_numvfs */
	bool is_vf;	      /* has device/physfn: an SR-IOV virtual function */
	struct idset irqs;    /* its MSI IRQs (device/msi_irqs) */
};

/* Hardware virtualization, KVM, IOMMU and the devices QEMU wants. */
struct virt {
	/* cpuinfo "flags" and "vmx flags" (unknown when cpuinfo is absent) */
	enum tri vmx, svm;	 /* Intel VT-x / AMD-V */
	enum tri ept, npt, vpid; /* second-level address translation, tagged TLB */
	enum tri unrestricted_guest, posted_intr, apicv, avic;
	enum tri hypervisor; /* "hypervisor" flag: we run inside a VM */
	enum tri pdpe1gb;    /* 1 GiB pages */
	char flags_why[HOST_WHY_MAX];
	/* KVM */
	enum tri kvm_dev;    /* /dev/kvm exists */
	enum tri kvm_access; /* ... and we may open it read-write */
	char kvm_module[16]; /* "kvm_intel", "kvm_amd", "" none loaded */
	enum tri nested;     /* kvm_{intel,amd}/parameters/nested */
	enum tri kvm_usable;
	char kvm_why[HOST_WHY_MAX]; /* why not usable, or why unknown */
	/* devices and cgroups (virt-host-validate's QEMU checks) */
	enum tri vhost_net; /* /dev/vhost-net */
	enum tri tun;	    /* /dev/net/tun */
	bool cgroups_known;
	unsigned cgroup_ctrls; /* CGROUP_* bits available */
	char cgroups_why[HOST_WHY_MAX];
	/* IOMMU: VT-d / AMD-Vi */
	enum tri iommu_firmware; /* ACPI DMAR (Intel) or IVRS (AMD) table present */
	enum tri iommu;		 /* enabled in the kernel: sys/class/iommu or groups */
	unsigned niommu_groups;	 /* 0 = none or unknown */
	enum tri irq_remap;	 /* interrupt remapping (DMAR ecap bit 3) */
	char iommu_why[HOST_WHY_MAX];
	/* secure guests: AMD SEV, Intel TDX, s390 PV */
	enum tri secure_guest;
	char secure_why[HOST_WHY_MAX];
	size_t nnics;
	struct nic *nics; /* heap array, owned */
	/* added with virt.c */
	enum tri flexpriority;		  /* TPR shadow + virtual APIC accesses */
	char vmx_flags_why[HOST_WHY_MAX]; /* why unrestricted_guest/posted_intr/apicv are unknown */
	enum tri sev;			  /* cpuinfo "sev": AMD Secure Encrypted Virtualization */
	enum tri sev_kvm;		  /* kvm_amd/parameters/sev starts with 1, Y or y */
	enum tri sev_dev;		  /* /dev/sev exists */
	/*
	 * The flags virt-host-validate 9.0 sees in the same cpuinfo (VHV_FLAG_*).
	 * It reads the "flags"/"Features"/"features"/"facilities" lines with
	 * fgets() into 1024 bytes and drops the last byte of each chunk, so a
	 * flag past byte 1022 of its line is invisible to it ("sev" on EPYC).
	 */
	unsigned vhv_flags;
	int kvm_api;	    /* KVM_GET_API_VERSION (12) on the live host; 0 unknown */
	enum tri kvm_tdp;   /* kvm_intel.ept / kvm_amd.npt: KVM uses EPT/NPT */
	enum tri kvm_apicv; /* kvm_intel.enable_apicv / kvm_amd.avic */
	char nested_why[HOST_WHY_MAX];
	char devices_why[HOST_WHY_MAX]; /* why vhost_net/tun/sev_dev are unknown */
	char cgroup_mode[8];		/* "v1", "v2", "hybrid", "" none or unknown */
	unsigned cgroup_unknown;	/* CGROUP_* bits that cannot be decided from this root */
	char iommu_table[8];		/* "DMAR", "IVRS" or "" (none, or unknown) */
	enum tri iommu_groups_dir;	/* sys/kernel/iommu_groups is a directory */
	unsigned niommu_units;		/* entries of sys/class/iommu (dmar0, ivhd0 ...) */
	enum tri pci_devices;		/* sys/bus/pci/devices has entries */
};

enum cgroup_ctrl {
	CGROUP_CPU = 1u << 0,
	CGROUP_CPUACCT = 1u << 1,
	CGROUP_CPUSET = 1u << 2,
	CGROUP_MEMORY = 1u << 3,
	CGROUP_DEVICES = 1u << 4,
	CGROUP_BLKIO = 1u << 5,
};
#define CGROUP_NCTRLS 6 /* the CGROUP_* bits are 1u << 0 .. 1u << (CGROUP_NCTRLS - 1) */

/* A CGROUP_* bit's controller name as cgroup v1 mounts it ("cpu", "cpuset",
 * "blkio" ...), or "" for anything else.  A static string. */
const char *cgroup_ctrl_name(unsigned bit);

/* virt.vhv_flags: the cpuinfo tokens virt-host-validate 9.0 looks for. */
enum vhv_flag {
	VHV_FLAG_VMX = 1u << 0,
	VHV_FLAG_SVM = 1u << 1,
	VHV_FLAG_SIE = 1u << 2, /* s390 "features" */
	VHV_FLAG_158 = 1u << 3, /* s390 "facilities": Secure Execution */
	VHV_FLAG_SEV = 1u << 4,
};

/* Host-wide memory settings. */
struct mem {
	bool meminfo_known; /* /proc/meminfo was read */
	uint64_t total_kib, free_kib, available_kib;
	uint64_t default_hugepage_kib; /* Hugepagesize; 0 unknown */
	size_t npools;
	struct hugepool pools[HOST_MAX_PAGE_SIZES]; /* sys/kernel/mm/hugepages, by size */
	char hugepages_why[HOST_WHY_MAX];
	char thp[16]; /* transparent_hugepage/enabled: "always", "madvise", "never"; "" unknown */
	char thp_defrag[24]; /* transparent_hugepage/defrag, "" unknown */
	char thp_defrag_why[HOST_WHY_MAX];
	char default_hugepage_why[HOST_WHY_MAX]; /* why default_hugepage_kib is 0 */
	enum tri ksm;				 /* ksm/run == 1 */
	enum tri numa_balancing;		 /* kernel.numa_balancing != 0 */
	int swappiness;				 /* vm.swappiness, -1 unknown */
	/* added with mem.c */
	char meminfo_why[HOST_WHY_MAX];
	char hugepages_source[16]; /* "sysfs", "meminfo" (default size only), "" none */
	char thp_why[HOST_WHY_MAX];
	char ksm_why[HOST_WHY_MAX];
	char numa_balancing_why[HOST_WHY_MAX];
	char swappiness_why[HOST_WHY_MAX];
};

/* Kernel command line and host CPU isolation. */
struct kern {
	char cmdline[4096]; /* /proc/cmdline, "" unknown */
	bool cmdline_known;
	struct idset isolated; /* cpu/isolated (isolcpus=, domain) */
	bool isolated_known;
	struct idset nohz_full; /* cpu/nohz_full */
	bool nohz_full_known;
	struct idset rcu_nocbs;	 /* from the command line */
	char iommu_opts[128];	 /* intel_iommu=, amd_iommu=, iommu= options as given */
	char hugepage_opts[128]; /* hugepagesz=, hugepages=, default_hugepagesz= */
	char smt_control[24];	 /* cpu/smt/control: "on", "off", "notsupported"; "" unknown */
	enum tri irqbalance;	 /* an irqbalance process is running (live host only) */
	char irqbalance_why[HOST_WHY_MAX];
	/* added with kern.c: the command line as given (applies at the next boot
	 * only if it is also in the boot loader's config) */
	char cmdline_why[HOST_WHY_MAX];
	bool isolcpus_given;	 /* isolcpus= is on the command line */
	struct idset isolcpus;	 /* its CPUs (empty when isolcpus_why says why) */
	char isolcpus_flags[48]; /* "domain,managed_irq"; "" = the kernel default (domain) */
	char isolcpus_why[HOST_WHY_MAX];
	bool nohz_full_given; /* nohz_full= is on the command line */
	struct idset nohz_full_arg;
	bool rcu_nocbs_given;		 /* rcu_nocbs= (or bare rcu_nocbs) is on the command line */
	char isolated_why[HOST_WHY_MAX]; /* why isolated/nohz_full are unknown */
	char nohz_full_why[HOST_WHY_MAX];
	char smt_why[HOST_WHY_MAX];
	char governors_why[HOST_WHY_MAX]; /* why cpu[].governor is "" */
};

/* TLB facts.  Each figure says where it came from, or why it is missing. */
struct tlb {
	/* "TLB shootdowns" row of /proc/interrupts, per CPU column */
	bool shootdowns_known;
	size_t nshootdowns;
	unsigned *shootdown_cpus; /* CPU id of each column (heap, owned) */
	uint64_t *shootdowns;	  /* count per column (heap, owned) */
	char shootdowns_why[HOST_WHY_MAX];
	/* /proc/vmstat (CONFIG_DEBUG_TLBFLUSH kernels only) */
	bool vmstat_known;
	uint64_t nr_tlb_remote_flush, nr_tlb_remote_flush_received;
	uint64_t nr_tlb_local_flush_all, nr_tlb_local_flush_one;
	char vmstat_why[HOST_WHY_MAX];
	/* geometry: CPUID leaf 2/0x18 (live x86) or cpuinfo "TLB size" */
	char geometry[256];	  /* "1536 4K pages", "" unknown */
	char geometry_source[32]; /* "cpuid", "cpuinfo", "device-tree" */
	char geometry_why[HOST_WHY_MAX];
	/* perf dTLB/iTLB miss counters (live host only) */
	enum tri perf; /* counters can be opened */
	char perf_why[HOST_WHY_MAX];
	/* added with tlb.c */
	char cpuinfo_tlb_size[64]; /* cpuinfo "TLB size" (AMD), filled by virt.c's pass */
};

/* One vCPU thread of a running QEMU ("CPU 3/KVM", "CPU 3/TCG"). */
struct vm_thread {
	unsigned vcpu;
	int tid;
	int cpu;	      /* CPU it last ran on (stat field 39), -1 unknown */
	struct idset allowed; /* Cpus_allowed_list: its affinity */
	uint64_t utime_ticks; /* stat utime + stime, in clock ticks */
	uint64_t migrations;  /* sched se.nr_migrations; 0 when unknown */
};

/* A running libvirt domain and its QEMU process (filled only when the probe
 * is given a libvirt connection: host_probe_vms()). */
struct vm {
	char name[64];
	unsigned vcpus;
	uint64_t mem_kib;
	struct idset *pins; /* live affinity per vCPU as libvirt reports it (heap, vcpus entries) */
	struct idset emulator; /* emulator threads' affinity */
	char numa_mode[16];    /* numatune mode, "" none */
	char numa_nodeset[64]; /* numatune nodeset, "" none */
	int pid;	       /* QEMU pid, -1 unknown (see pid_why) */
	char pid_why[HOST_WHY_MAX];
	size_t nthreads;
	struct vm_thread *threads; /* vCPU threads by vCPU (heap, owned) */
	uint64_t *node_kib; /* memory per host node, in h->nodes order (heap, nnodes entries; NULL
			       unknown) */
	uint64_t page_kib;  /* largest page size backing guest memory (numa_maps kernelpagesize_kB);
			       0 unknown */
	char mem_why[HOST_WHY_MAX];
};

struct host {
	char root[FS_PATH_MAX]; /* where it was read: "" for the live host */
	size_t ncpus;
	struct cpu *cpus; /* online CPUs, sorted by id (heap, owned) */
	size_t nnodes;
	struct node *nodes; /* sorted by id (heap, owned) */
	struct topo topo;
	struct virt virt;
	struct mem mem;
	struct kern kern;
	struct tlb tlb;
	bool vms_known; /* host_probe_vms() ran and libvirt answered */
	size_t nvms;
	struct vm *vms;		    /* running domains, by name (heap, owned) */
	char vms_why[HOST_WHY_MAX]; /* why unknown: no connection, libvirt's error */
};

/*
 * Fills @h from the tree under @r.  Only a missing CPU/NUMA topology is an
 * error; every other absent fact stays unknown with its reason.  On error @h
 * is empty (host_release() is always safe).  The caller owns @h.
 */
int host_probe(struct host *h, const struct fsroot *r, struct err *e);
void host_release(struct host *h);

struct lv;
/*
 * Adds the running domains of @c to @h (after host_probe()), with their QEMU
 * processes read under @r.  A libvirt failure is not an error: vms_known stays
 * false and vms_why says why.  Returns -1 only for a real error (out of memory,
 * garbage in a /proc file).
 */
int host_probe_vms(struct host *h, const struct fsroot *r, struct lv *c, struct err *e);

/* Lookups; NULL when the host has no such CPU / node. */
const struct cpu *host_cpu(const struct host *h, unsigned id);
const struct node *host_node(const struct host *h, unsigned id);
/* Index of node @id in h->nodes, or -1. */
int host_node_index(const struct host *h, unsigned id);
/* The SMT siblings of CPU @id (itself included); empty when unknown. */
struct idset host_siblings(const struct host *h, unsigned id);

const char *tri_str(enum tri t); /* "yes", "no", "unknown" */

#endif
