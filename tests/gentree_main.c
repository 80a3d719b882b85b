/* gentree_main.c - the gentree command: synthetic /sys + /proc trees for scripts and benchmarks */
#include "tests/gentree.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char usage[] =
    "usage: gentree [options] DIR\n"
    "Writes a synthetic /sys + /proc tree (CPUs, NUMA nodes, caches, memory,\n"
    "hugepages, cpuinfo) under DIR, which hwloc (HWLOC_FSROOT=DIR) and hvtune\n"
    "(--root DIR) both read.  DIR is created when missing; it should be empty.\n"
    "\n"
    "  --packages N           sockets (default 1)\n"
    "  --nodes-per-package N  NUMA nodes per socket (default 1)\n"
    "  --cores-per-node N     cores per node (default 4)\n"
    "  --threads N            SMT threads per core (default 2)\n"
    "  --l3-per-node N        L3 groups per node, e.g. AMD CCX (default 1)\n"
    "  --smt-adjacent         number SMT siblings 2k,2k+1 (default: k, k+ncores)\n"
    "  --mem-gib N            memory per node in GiB (default 16)\n"
    "  --hugepages-2m N       2 MiB pages reserved per node (default 0)\n"
    "  --hugepages-1g N       1 GiB pages reserved per node (default 0)\n"
    "  --flags \"...\"          the cpuinfo flags line (default: a VT-x host's)\n"
    "  --vmx-flags \"...\"      a cpuinfo \"vmx flags\" line (default: none)\n"
    "  --vendor ID            cpuinfo vendor_id (default GenuineIntel)\n"
    "  --cmdline \"...\"        /proc/cmdline\n"
    "  --isolated LIST        cpu/isolated\n"
    "  --nohz-full LIST       cpu/nohz_full\n"
    "  --distance N           distance between two nodes (default 21)\n"
    "  --no-numa              no sys/devices/system/node (a kernel without NUMA)\n"
    "  --no-caches            no sys/devices/system/cpu/cpuN/cache (CPUID's cache\n"
    "                         leaves hidden by a hypervisor)\n"
    "  -h, --help             this text\n"
    "\n"
    "example: gentree --packages 2 --nodes-per-package 4 --cores-per-node 16 "
    "--threads 2 /tmp/t\n"
    "         (8 nodes, 256 CPUs)\n";

enum {
	OPT_PACKAGES = 256,
	OPT_NODES,
	OPT_CORES,
	OPT_THREADS,
	OPT_L3,
	OPT_ADJACENT,
	OPT_MEM,
	OPT_HUGE2M,
	OPT_HUGE1G,
	OPT_FLAGS,
	OPT_VMX_FLAGS,
	OPT_VENDOR,
	OPT_CMDLINE,
	OPT_ISOLATED,
	OPT_NOHZ,
	OPT_DISTANCE,
	OPT_NO_NUMA,
	OPT_NO_CACHES,
};

static const struct option options[] = {
    {"packages", required_argument, NULL, OPT_PACKAGES},
    {"nodes-per-package", required_argument, NULL, OPT_NODES},
    {"cores-per-node", required_argument, NULL, OPT_CORES},
    {"threads", required_argument, NULL, OPT_THREADS},
    {"l3-per-node", required_argument, NULL, OPT_L3},
    {"smt-adjacent", no_argument, NULL, OPT_ADJACENT},
    {"mem-gib", required_argument, NULL, OPT_MEM},
    {"hugepages-2m", required_argument, NULL, OPT_HUGE2M},
    {"hugepages-1g", required_argument, NULL, OPT_HUGE1G},
    {"flags", required_argument, NULL, OPT_FLAGS},
    {"vmx-flags", required_argument, NULL, OPT_VMX_FLAGS},
    {"vendor", required_argument, NULL, OPT_VENDOR},
    {"cmdline", required_argument, NULL, OPT_CMDLINE},
    {"isolated", required_argument, NULL, OPT_ISOLATED},
    {"nohz-full", required_argument, NULL, OPT_NOHZ},
    {"distance", required_argument, NULL, OPT_DISTANCE},
    {"no-numa", no_argument, NULL, OPT_NO_NUMA},
    {"no-caches", no_argument, NULL, OPT_NO_CACHES},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

/* A count option: a decimal number from @min to @max. */
static int parse_count(const char *opt, const char *arg, unsigned min, unsigned max, unsigned *v)
{
	unsigned long n;
	char *end;

	errno = 0;
	n = strtoul(arg, &end, 10);
	if (arg[0] < '0' || arg[0] > '9' || *end != '\0' || errno != 0 || n < min || n > max) {
		fprintf(stderr, "gentree: invalid --%s '%s' (a number from %u to %u)\n", opt, arg,
			min, max);
		return -1;
	}
	*v = (unsigned)n;
	return 0;
}

int main(int argc, char **argv)
{
	struct gentree_spec s;
	struct err e = ERR_INIT;
	unsigned mem_gib = 16, v;
	const char *dir;
	int c;

	gentree_default(&s);
	while ((c = getopt_long(argc, argv, "h", options, NULL)) != -1) {
		const char *name = c >= OPT_PACKAGES ? options[c - OPT_PACKAGES].name : "";
		int rc = 0;

		switch (c) {
		case OPT_PACKAGES:
			rc = parse_count(name, optarg, 1, 64, &s.npackages);
			break;
		case OPT_NODES:
			rc = parse_count(name, optarg, 1, 64, &s.nodes_per_package);
			break;
		case OPT_CORES:
			rc = parse_count(name, optarg, 1, 1024, &s.cores_per_node);
			break;
		case OPT_THREADS:
			rc = parse_count(name, optarg, 1, 8, &s.threads_per_core);
			break;
		case OPT_L3:
			rc = parse_count(name, optarg, 1, 1024, &s.l3_per_node);
			break;
		case OPT_ADJACENT:
			s.smt_adjacent = true;
			break;
		case OPT_MEM:
			rc = parse_count(name, optarg, 1, 1u << 20, &mem_gib);
			break;
		case OPT_HUGE2M:
			rc = parse_count(name, optarg, 0, 1u << 30, &s.hugepages_2m);
			break;
		case OPT_HUGE1G:
			rc = parse_count(name, optarg, 0, 1u << 20, &s.hugepages_1g);
			break;
		case OPT_FLAGS:
			s.flags = optarg;
			break;
		case OPT_VMX_FLAGS:
			s.vmx_flags = optarg;
			break;
		case OPT_VENDOR:
			s.vendor = optarg;
			break;
		case OPT_CMDLINE:
			s.cmdline = optarg;
			break;
		case OPT_ISOLATED:
			s.isolated = optarg;
			break;
		case OPT_NOHZ:
			s.nohz_full = optarg;
			break;
		case OPT_DISTANCE:
			rc = parse_count(name, optarg, 10, 255, &v);
			s.distance_remote = v;
			break;
		case OPT_NO_NUMA:
			s.no_numa = true;
			break;
		case OPT_NO_CACHES:
			s.no_caches = true;
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		default:
			fputs(usage, stderr);
			return 2;
		}
		if (rc < 0)
			return 2;
	}
	if (optind != argc - 1) {
		fputs(usage, stderr);
		return 2;
	}
	dir = argv[optind];
	s.mem_per_node_kib = (uint64_t)mem_gib << 20;
	if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
		fprintf(stderr, "gentree: cannot make '%s': %s\n", dir, strerror(errno));
		return 1;
	}
	if (gentree_write(dir, &s, &e) < 0) {
		fprintf(stderr, "gentree: %s\n", e.msg);
		return 1;
	}
	return 0;
}
