/* node.c - memory and hugepage pools of each NUMA node
 *
 * sys/devices/system/node/nodeN/meminfo ("Node 0 MemTotal:  47925628 kB")
 * and nodeN/hugepages/hugepages-<size>kB/{nr,free,surplus}_hugepages.  An
 * absent file leaves the node's memory unknown (or its pools empty); a file
 * that is there but unreadable or malformed is an error naming it.  On the
 * live host libnuma may still say what a missing meminfo does not.
 */
#include "probe/probe_int.h"
#include "probe/strfmt.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <numa.h>

#define SYS_NODE "/sys/devices/system/node"

/*
 * One "Node <id> <Key>: <value>[ kB]" line of nodeN/meminfo.  Returns 1 for
 * a line of that shape (key and value filled), 0 for a blank line, -1 else.
 */
static int parse_meminfo_line(char *line, unsigned *id, char *key, size_t key_size, uint64_t *v)
{
	char *p = line, *end, *colon;
	unsigned long long n;
	unsigned long nid;

	line[strcspn(line, "\n")] = '\0';
	while (isspace((unsigned char)*p))
		p++;
	if (*p == '\0')
		return 0;
	if (strncmp(p, "Node ", 5) != 0 || !isdigit((unsigned char)p[5]))
		return -1;
	errno = 0;
	nid = strtoul(p + 5, &end, 10);
	if (errno != 0 || nid > UINT32_MAX || *end != ' ')
		return -1;
	*id = (unsigned)nid;
	while (*end == ' ')
		end++;
	colon = strchr(end, ':');
	if (!colon || colon == end || (size_t)(colon - end) >= key_size)
		return -1;
	snprintf(key, key_size, "%.*s", (int)(colon - end), end);
	p = colon + 1;
	while (*p == ' ' || *p == '\t')
		p++;
	if (!isdigit((unsigned char)*p))
		return -1;
	errno = 0;
	n = strtoull(p, &end, 10);
	if (errno != 0)
		return -1;
	while (*end == ' ' || *end == '\t')
		end++;
	if (strcmp(end, "kB") == 0)
		end += 2;
	while (isspace((unsigned char)*end))
		end++;
	if (*end != '\0')
		return -1;
	*v = n;
	return 1;
}

/* -1 with e->sys ENOENT when nodeN/meminfo is absent (the caller words why). */
static int read_meminfo(struct node *n, const struct fsroot *r, struct err *e)
{
	char path[128], line[256]; /* sysfs lines are short; the path is ours */
	bool have_total = false, have_free = false;
	FILE *f;

	snprintf(path, sizeof(path), SYS_NODE "/node%u/meminfo", n->id);
	f = fs_fopen(r, path, FS_MAX_KEYS, e);
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		char key[64], shown[80];
		uint64_t v;
		unsigned id;
		int rc;

		snprintf(shown, sizeof(shown), "%.72s", line);
		shown[strcspn(shown, "\n")] = '\0';
		rc = parse_meminfo_line(line, &id, key, sizeof(key), &v);
		if (rc == 0)
			continue;
		if (rc < 0 || id != n->id) {
			fclose(f);
			return err_set(e, EINVAL, "invalid line '%s' in '%s%s'", shown, r->shown,
				       path);
		}
		if (strcmp(key, "MemTotal") == 0) {
			n->mem_total_kib = v;
			have_total = true;
		} else if (strcmp(key, "MemFree") == 0) {
			n->mem_free_kib = v;
			have_free = true;
		}
	}
	if (ferror(f)) {
		int sys = errno;

		fclose(f);
		return err_set(e, sys, "cannot read '%s%s'", r->shown, path);
	}
	fclose(f);
	if (!have_total || !have_free)
		return err_set(e, EINVAL, "no '%s' in '%s%s'", have_total ? "MemFree" : "MemTotal",
			       r->shown, path);
	n->mem_known = true;
	return 0;
}

/*
 * The live host without nodeN/meminfo: libnuma's numa_node_size64() reads
 * the same sysfs file where there is one, so this only helps when libnuma
 * knows the node some other way; it answers -1 when it does not.
 */
static void live_meminfo(struct node *n)
{
	long long free_bytes = 0, total;

	if (numa_available() < 0)
		return;
	total = numa_node_size64((int)n->id, &free_bytes);
	if (total < 0 || free_bytes < 0)
		return;
	n->mem_total_kib = (uint64_t)total / 1024;
	n->mem_free_kib = (uint64_t)free_bytes / 1024;
	n->mem_known = true;
}

/* "hugepages-2048kB" -> 2048 */
static bool parse_pool_name(const char *name, uint64_t *size_kib)
{
	const char *p = name + strlen("hugepages-");
	unsigned long long v;
	char *end;

	if (strncmp(name, "hugepages-", strlen("hugepages-")) != 0 || !isdigit((unsigned char)*p))
		return false;
	errno = 0;
	v = strtoull(p, &end, 10);
	if (errno != 0 || strcmp(end, "kB") != 0 || v == 0)
		return false;
	*size_kib = v;
	return true;
}

static int read_pool(struct hugepool *pool, const struct fsroot *r, const char *dir, struct err *e)
{
	const struct {
		const char *file;
		uint64_t *v;
	} files[] = {
	    {"nr_hugepages", &pool->total},
	    {"free_hugepages", &pool->free},
	    {"surplus_hugepages", &pool->surplus},
	};

	for (size_t i = 0; i < ARRAY_LEN(files); i++) {
		char path[600];

		snprintf(path, sizeof(path), "%.511s/%s", dir, files[i].file);
		if (fs_read_u64(r, path, files[i].v, e) < 0)
			return -1;
	}
	pool->reserved = 0; /* resv_hugepages is host-wide only */
	return 0;
}

/* nodeN/hugepages/hugepages-<size>kB: -1 with e->sys ENOENT when the directory is absent. */
static int read_pools(struct node *n, const struct fsroot *r, struct err *e)
{
	char dir[128];
	struct dirent *d;
	DIR *dp;

	snprintf(dir, sizeof(dir), SYS_NODE "/node%u/hugepages", n->id);
	dp = fs_opendir(r, dir, e);
	if (!dp)
		return -1;
	errno = 0;
	while ((d = readdir(dp)) != NULL) {
		char path[512];
		struct hugepool pool;
		size_t at;

		if (!parse_pool_name(d->d_name, &pool.size_kib)) {
			errno = 0;
			continue;
		}
		if (n->npools == ARRAY_LEN(n->pools)) {
			closedir(dp);
			return err_set(e, E2BIG, "more than %zu hugepage sizes in '%s%s'",
				       ARRAY_LEN(n->pools), r->shown, dir);
		}
		snprintf(path, sizeof(path), "%s/%s", dir, d->d_name);
		if (read_pool(&pool, r, path, e) < 0) {
			closedir(dp);
			return -1;
		}
		/* readdir order is arbitrary: insert by size */
		for (at = n->npools; at > 0 && n->pools[at - 1].size_kib > pool.size_kib; at--)
			n->pools[at] = n->pools[at - 1];
		n->pools[at] = pool;
		n->npools++;
		errno = 0;
	}
	if (errno != 0) {
		int sys = errno;

		closedir(dp);
		return err_set(e, sys, "cannot read directory '%s%s'", r->shown, dir);
	}
	closedir(dp);
	return 0;
}

/*
 * A kernel without CONFIG_NUMA has no node directories: its one node is the
 * whole machine, so /proc/meminfo and sys/kernel/mm/hugepages are node 0's,
 * as hwloc reports them.  After mem_probe().
 */
int node_probe_no_numa(struct host *h, const struct fsroot *r, struct err *e)
{
	struct node *n = h->nodes;

	(void)r;
	(void)e;
	if (!h->topo.nodes_why[0] || h->nnodes != 1 || n->mem_known)
		return 0;
	if (h->mem.meminfo_known) {
		n->mem_known = true;
		n->mem_why[0] = '\0';
		n->mem_total_kib = h->mem.total_kib;
		n->mem_free_kib = h->mem.free_kib;
	}
	if (strcmp(h->mem.hugepages_source, "sysfs") == 0) {
		n->npools = h->mem.npools;
		if (n->npools)
			n->pools_why[0] = '\0';
		for (size_t i = 0; i < n->npools; i++) {
			n->pools[i] = h->mem.pools[i];
			n->pools[i].reserved = 0; /* host-wide only */
		}
	}
	return 0;
}

int node_probe(struct host *h, const struct fsroot *r, struct err *e)
{
	for (size_t i = 0; i < h->nnodes; i++) {
		struct node *n = &h->nodes[i];
		char path[64];

		n->mem_known = false;
		n->mem_total_kib = n->mem_free_kib = 0;
		n->npools = 0;
		/* a node file that cannot be read or parsed: that node's memory
		 * (or pools) unknown, with the reason; the probe goes on */
		if (read_meminfo(n, r, e) < 0) {
			if (!probe_soft(e))
				return -1;
			n->mem_known = false;
			snprintf(path, sizeof(path), SYS_NODE "/node%u/meminfo", n->id);
			probe_why(n->mem_why, sizeof(n->mem_why), r, path, e);
		}
		if (read_pools(n, r, e) < 0) {
			if (!probe_soft(e))
				return -1;
			n->npools = 0;
			snprintf(path, sizeof(path), SYS_NODE "/node%u/hugepages", n->id);
			probe_why(n->pools_why, sizeof(n->pools_why), r, path, e);
		}
		if (n->npools == 0 && n->pools_why[0] == '\0')
			strfmt_set(n->pools_why, sizeof(n->pools_why),
				   "no hugepage size in '%s" SYS_NODE "/node%u/hugepages'",
				   r->shown, n->id);
		if (!n->mem_known && r->live)
			live_meminfo(n);
		if (n->mem_known)
			n->mem_why[0] = '\0';
	}
	return 0;
}
