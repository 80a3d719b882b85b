/* sample.c - the live sampler: CPU, IRQ, hugepage and vCPU thread counters (rates: sample_rate.c)
 *
 * Reads only under the fsroot, never the clock (the caller stamps each
 * sample).  The files and their cost are listed in sample.h.  A thread that
 * exits between readdir() and the read of its files (ENOENT, ESRCH) is simply
 * not in the sample: /proc is a moving target and that is not an error.
 */
#include "probe/sample.h"
#include "probe/strfmt.h"

#include <ctype.h>
#include <errno.h>
#include <linux/perf_event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define STAT	   "/proc/stat"
#define INTERRUPTS "/proc/interrupts"

/* The kernel's errors for a task that went away while we read it. */
static bool gone(int sys)
{
	return sys == ENOENT || sys == ESRCH;
}

/* A proc file of another user's task: numa_maps needs PTRACE_MODE_READ
 * (fs/proc/base.c), so an unprivileged monitor is refused it. */
static bool refused(int sys)
{
	return sys == EACCES || sys == EPERM;
}

static void *grow(void *p, size_t *cap, size_t n, size_t size)
{
	size_t ncap;
	void *q;

	if (n < *cap)
		return p;
	ncap = *cap ? *cap * 2 : 16;
	q = realloc(p, ncap * size);
	if (!q)
		return NULL;
	*cap = ncap;
	return q;
}

/* ---- proc/stat ---- */

/* "cpuN user nice system idle iowait irq softirq steal guest guest_nice":
 * guest time is already counted in user (kernel/sched/cputime.c
 * account_guest_time()), so it is not added again. */
static int read_stat(struct sample *s, const struct fsroot *r, const struct host *h, struct err *e)
{
	char *line = NULL;
	size_t cap = 0, ncap = 0;
	FILE *f;

	f = fs_fopen(r, STAT, FS_MAX_PERCPU, e);
	if (!f) {
		if (e->sys != ENOENT)
			return -1;
		/* a capture without proc/stat: the CPUs without their load */
		strfmt_set(s->stat_why, sizeof(s->stat_why), "no '%s%s'", r->shown, STAT);
		if (h->ncpus == 0)
			return 0;
		s->cpus = calloc(h->ncpus, sizeof(*s->cpus));
		if (!s->cpus)
			return err_set(e, ENOMEM, "cannot read '%s%s'", r->shown, STAT);
		s->ncpus = h->ncpus;
		for (size_t i = 0; i < h->ncpus; i++)
			s->cpus[i].id = h->cpus[i].id;
		return 0;
	}
	errno = 0;
	while (getline(&line, &cap, f) > 0) {
		uint64_t v[8] = {0};
		struct sample_cpu *c;
		char *p = line + 3, *end;
		unsigned long id;
		int n;

		if (strncmp(line, "cpu", 3) != 0 || !isdigit((unsigned char)line[3]))
			continue;
		id = strtoul(p, &end, 10);
		for (n = 0, p = end; n < 8; n++, p = end) {
			while (*p == ' ')
				p++;
			if (!isdigit((unsigned char)*p))
				break;
			v[n] = strtoull(p, &end, 10);
		}
		if (n < 4 || id >= IDSET_MAX) {
			free(line);
			fclose(f);
			return err_set(e, 0, "invalid 'cpu%lu' line in '%s%s'", id, r->shown, STAT);
		}
		s->cpus = grow(s->cpus, &ncap, s->ncpus, sizeof(*s->cpus));
		if (!s->cpus) {
			free(line);
			fclose(f);
			return err_set(e, ENOMEM, "cannot read '%s%s'", r->shown, STAT);
		}
		c = &s->cpus[s->ncpus++];
		memset(c, 0, sizeof(*c));
		c->id = (unsigned)id;
		c->busy_jiffies = v[0] + v[1] + v[2] + v[5] + v[6] + v[7];
		c->total_jiffies = c->busy_jiffies + v[3] + v[4];
		errno = 0;
	}
	if (ferror(f)) {
		int sys = errno;

		free(line);
		fclose(f);
		return err_set(e, sys, "cannot read '%s%s'", r->shown, STAT);
	}
	free(line);
	fclose(f);
	if (s->ncpus == 0)
		return err_set(e, 0, "no 'cpuN' lines in '%s%s'", r->shown, STAT);
	s->stat_known = true;
	return 0;
}

struct sample_cpu *sample_find_cpu(const struct sample *s, unsigned id)
{
	size_t lo = 0, hi = s->ncpus;

	/* proc/stat lists CPUs in ascending order */
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (s->cpus[mid].id == id)
			return &s->cpus[mid];
		if (s->cpus[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* ---- proc/interrupts ---- */

/* The header names the CPU of each column; offline CPUs have none. */
static int irq_columns(struct sample *s, const struct fsroot *r, char *line,
		       struct sample_cpu ***cols, size_t *ncols, struct err *e)
{
	size_t cap = 0;
	char *save = NULL;

	for (char *t = strtok_r(line, " \t\n", &save); t; t = strtok_r(NULL, " \t\n", &save)) {
		char *end;
		unsigned long id;

		if (strncmp(t, "CPU", 3) != 0 || !isdigit((unsigned char)t[3]))
			goto bad;
		id = strtoul(t + 3, &end, 10);
		if (*end != '\0')
			goto bad;
		*cols = grow(*cols, &cap, *ncols, sizeof(**cols));
		if (!*cols)
			return err_set(e, ENOMEM, "cannot read '%s%s'", r->shown, INTERRUPTS);
		/* a CPU not in proc/stat (hot-removed in between) keeps a column we skip */
		(*cols)[(*ncols)++] = id < IDSET_MAX ? sample_find_cpu(s, (unsigned)id) : NULL;
	}
	if (*ncols > 0)
		return 0;
bad:
	return err_set(e, 0, "invalid header line in '%s%s'", r->shown, INTERRUPTS);
}

/* Adds the counts of one row (after "NAME:") to each column's CPU; rows such
 * as "ERR:" have fewer columns than the header. */
static int irq_row(const struct fsroot *r, char *p, struct sample_cpu **cols, size_t ncols,
		   bool tlb, struct err *e)
{
	for (size_t n = 0; n < ncols; n++) {
		char *end;
		uint64_t v;

		while (*p == ' ' || *p == '\t')
			p++;
		if (!isdigit((unsigned char)*p))
			break;
		errno = 0;
		v = strtoull(p, &end, 10);
		if (errno || (*end && !isspace((unsigned char)*end)))
			return err_set(e, 0, "invalid count in '%s%s'", r->shown, INTERRUPTS);
		p = end;
		if (!cols[n])
			continue;
		if (tlb)
			cols[n]->shootdowns = v;
		else
			cols[n]->nic_irqs += v;
	}
	return 0;
}

static int read_interrupts(struct sample *s, const struct fsroot *r, const struct host *h,
			   struct err *e)
{
	struct sample_cpu **cols = NULL;
	struct idset nic;
	size_t ncols = 0, cap = 0;
	bool tlb = false, any_nic = false;
	char *line = NULL;
	FILE *f;
	int rc = -1;

	idset_clear(&nic);
	for (size_t i = 0; i < h->virt.nnics; i++)
		idset_or(&nic, &h->virt.nics[i].irqs);
	f = fs_fopen(r, INTERRUPTS, FS_MAX_INTERRUPTS, e);
	if (!f) {
		if (e->sys != ENOENT)
			return -1;
		strfmt_set(s->shootdowns_why, sizeof(s->shootdowns_why), "no '%s%s'", r->shown,
			   INTERRUPTS);
		strfmt_set(s->nic_irqs_why, sizeof(s->nic_irqs_why), "no '%s%s'", r->shown,
			   INTERRUPTS);
		return 0;
	}
	errno = 0;
	if (getline(&line, &cap, f) <= 0) {
		if (ferror(f))
			err_set(e, errno, "cannot read '%s%s'", r->shown, INTERRUPTS);
		else
			err_set(e, 0, "empty '%s%s'", r->shown, INTERRUPTS);
		goto out;
	}
	if (irq_columns(s, r, line, &cols, &ncols, e) < 0)
		goto out;
	for (size_t i = 0; i < ncols; i++)
		if (cols[i])
			cols[i]->irqs_known = true;
	errno = 0;
	while (getline(&line, &cap, f) > 0) {
		char *p = line, *end;
		unsigned long irq;

		while (*p == ' ')
			p++;
		if (strncmp(p, "TLB:", 4) == 0) {
			tlb = true;
			if (irq_row(r, p + 4, cols, ncols, true, e) < 0)
				goto out;
		} else if (isdigit((unsigned char)*p)) {
			irq = strtoul(p, &end, 10);
			if (*end != ':' || irq >= IDSET_MAX || !idset_has(&nic, (unsigned)irq))
				continue;
			any_nic = true;
			if (irq_row(r, end + 1, cols, ncols, false, e) < 0)
				goto out;
		}
		errno = 0;
	}
	if (ferror(f)) {
		err_set(e, errno, "cannot read '%s%s'", r->shown, INTERRUPTS);
		goto out;
	}
	s->shootdowns_known = tlb;
	if (!tlb)
		strfmt_set(s->shootdowns_why, sizeof(s->shootdowns_why),
			   "no 'TLB' row (x86 only) in '%s%s'", r->shown, INTERRUPTS);
	s->nic_irqs_known = any_nic;
	if (idset_empty(&nic))
		strfmt_set(s->nic_irqs_why, sizeof(s->nic_irqs_why),
			   "no NIC with MSI IRQs (sys/class/net/*/device/msi_irqs)");
	else if (!any_nic)
		strfmt_set(s->nic_irqs_why, sizeof(s->nic_irqs_why),
			   "none of the NIC IRQs is in '%s%s'", r->shown, INTERRUPTS);
	rc = 0;
out:
	free(cols);
	free(line);
	fclose(f);
	return rc;
}

/* ---- hugepages per node ---- */

static int read_pools(struct sample *s, const struct fsroot *r, const struct host *h, struct err *e)
{
	size_t cap = 0;

	for (size_t i = 0; i < h->nnodes; i++) {
		const struct node *nd = &h->nodes[i];

		for (size_t k = 0; k < nd->npools; k++) {
			char path[FS_PATH_MAX];
			uint64_t total, freep;
			struct sample_pool *p;

			strfmt_set(path, sizeof(path),
				   "/sys/devices/system/node/node%u/hugepages/hugepages-%llukB/",
				   nd->id, (unsigned long long)nd->pools[k].size_kib);
			strfmt_cat(path, sizeof(path), "free_hugepages");
			if (fs_read_u64(r, path, &freep, e) < 0) {
				if (e->sys == ENOENT)
					continue; /* the pool went away: reserved at boot only */
				return -1;
			}
			*strrchr(path, '/') = '\0';
			strfmt_cat(path, sizeof(path), "/nr_hugepages");
			if (fs_read_u64(r, path, &total, e) < 0) {
				if (e->sys == ENOENT)
					continue;
				return -1;
			}
			s->pools = grow(s->pools, &cap, s->npools, sizeof(*s->pools));
			if (!s->pools)
				return err_set(e, ENOMEM, "cannot read the hugepage pools");
			p = &s->pools[s->npools++];
			p->node = nd->id;
			p->size_kib = nd->pools[k].size_kib;
			p->total = total;
			p->free = freep;
		}
	}
	if (s->npools == 0)
		strfmt_set(s->pools_why, sizeof(s->pools_why),
			   "no hugepage pools per node in '%s/sys/devices/system/node'", r->shown);
	return 0;
}

/* ---- the vCPU threads of a QEMU process ---- */

/* QEMU names its vCPU threads "CPU %d/%s" with the accelerator's name
 * (qemu_thread_create in the accelerators' start_vcpu_thread). */
static bool vcpu_comm(const char *comm, unsigned *vcpu)
{
	char *end;
	unsigned long n;

	if (strncmp(comm, "CPU ", 4) != 0 || !isdigit((unsigned char)comm[4]))
		return false;
	n = strtoul(comm + 4, &end, 10);
	if (*end != '/' || end[1] == '\0' || n > UINT32_MAX)
		return false;
	*vcpu = (unsigned)n;
	return true;
}

/* stat: "tid (comm) S ppid ...": comm may hold spaces and parentheses, so the
 * fields are counted from the last ')'.  Returns 1 gone, 0 read, -1 error. */
static int thread_stat(struct sample_thread *t, const struct fsroot *r, const char *dir,
		       struct err *e)
{
	char path[FS_PATH_MAX], buf[1024], *p, *end;
	uint64_t utime = 0, stime = 0;
	long cpu = -1;

	strfmt_set(path, sizeof(path), "%s/stat", dir);
	if (fs_read(r, path, buf, sizeof(buf), e) < 0)
		return gone(e->sys) ? 1 : -1;
	p = strrchr(buf, ')');
	if (!p)
		goto bad;
	p++;
	/* field 3 (state) is the first after ')': utime is 14, stime 15, processor 39 */
	for (int field = 3; field <= 39; field++) {
		while (*p == ' ')
			p++;
		if (*p == '\0')
			goto bad;
		if (field == 14 || field == 15 || field == 39) {
			errno = 0;
			if (field == 39)
				cpu = strtol(p, &end, 10);
			else if (field == 14)
				utime = strtoull(p, &end, 10);
			else
				stime = strtoull(p, &end, 10);
			if (errno || end == p)
				goto bad;
			p = end;
		} else {
			while (*p && *p != ' ')
				p++;
		}
	}
	t->cpu_ticks = utime + stime;
	t->cpu = cpu >= 0 && cpu < (long)IDSET_MAX ? (int)cpu : -1;
	return 0;
bad:
	return err_set(e, 0, "invalid '%s%s'", r->shown, path);
}

/* The value of the first line starting with @key in a "key: value" file,
 * into @out.  Returns 1 gone or no such key, 0 found, -1 error. */
static int find_line(const struct fsroot *r, const char *path, const char *key, char *buf,
		     size_t size, const char **out, struct err *e)
{
	size_t klen = strlen(key);

	if (fs_read(r, path, buf, size, e) < 0)
		return gone(e->sys) ? 1 : -1;
	for (char *p = buf; p; p = strchr(p, '\n')) {
		if (*p == '\n')
			p++;
		if (strncmp(p, key, klen) == 0) {
			char *nl = strchr(p, '\n');

			if (nl)
				*nl = '\0';
			p += klen;
			while (*p == ' ' || *p == '\t' || *p == ':')
				p++;
			*out = p;
			return 0;
		}
	}
	return 1;
}

static int thread_read(struct sample_thread *t, const struct fsroot *r, const char *dir,
		       struct err *e)
{
	char path[FS_PATH_MAX], buf[8192];
	const char *v;
	int rc;

	rc = thread_stat(t, r, dir, e);
	if (rc != 0)
		return rc;
	strfmt_set(path, sizeof(path), "%s/status", dir);
	rc = find_line(r, path, "Cpus_allowed_list:", buf, sizeof(buf), &v, e);
	if (rc != 0)
		return rc;
	if (idset_parse(&t->allowed, v, e) < 0)
		return err_prefix(e, "'%s%s'", r->shown, path);
	/* sched exists only with CONFIG_SCHED_DEBUG: without it the
	 * migrations are unknown, not an error */
	strfmt_set(path, sizeof(path), "%s/sched", dir);
	rc = find_line(r, path, "se.nr_migrations", buf, sizeof(buf), &v, e);
	if (rc < 0)
		return refused(e->sys) ? 0 : -1;
	if (rc == 0) {
		char *end;

		errno = 0;
		t->migrations = strtoull(v, &end, 10);
		if (errno || end == v)
			return err_set(e, 0, "invalid se.nr_migrations in '%s%s'", r->shown, path);
		t->migrations_known = true;
	}
	return 0;
}

static int thread_cmp(const void *a, const void *b)
{
	const struct sample_thread *x = a, *y = b;

	if (x->vcpu != y->vcpu)
		return x->vcpu < y->vcpu ? -1 : 1;
	return (x->tid > y->tid) - (x->tid < y->tid);
}

static int read_threads(struct sample_vm *v, const struct fsroot *r, struct err *e)
{
	char dir[FS_PATH_MAX];
	struct dirent *de;
	size_t cap = 0;
	DIR *d;

	strfmt_set(dir, sizeof(dir), "/proc/%d/task", v->pid);
	d = fs_opendir(r, dir, e);
	if (!d) {
		if (!gone(e->sys) && !refused(e->sys))
			return -1;
		strfmt_set(v->why, sizeof(v->why), "%s",
			   e->sys == ENOENT ? "its QEMU process is gone" : e->msg);
		return 0;
	}
	v->running = true;
	while ((de = readdir(d))) {
		char tdir[FS_PATH_MAX], path[FS_PATH_MAX], comm[64];
		struct sample_thread t;
		int rc;

		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		strfmt_set(tdir, sizeof(tdir), "%s/%s", dir, de->d_name);
		strfmt_set(path, sizeof(path), "%s/comm", tdir);
		if (fs_read(r, path, comm, sizeof(comm), e) < 0) {
			if (gone(e->sys))
				continue;
			goto fail;
		}
		memset(&t, 0, sizeof(t));
		if (!vcpu_comm(comm, &t.vcpu))
			continue;
		t.tid = atoi(de->d_name);
		rc = thread_read(&t, r, tdir, e);
		if (rc < 0)
			goto fail;
		if (rc > 0)
			continue;
		v->threads = grow(v->threads, &cap, v->nthreads, sizeof(*v->threads));
		if (!v->threads) {
			err_set(e, ENOMEM, "cannot read '%s%s'", r->shown, dir);
			goto fail;
		}
		v->threads[v->nthreads++] = t;
	}
	closedir(d);
	if (v->nthreads > 1)
		qsort(v->threads, v->nthreads, sizeof(*v->threads), thread_cmp);
	if (v->nthreads == 0)
		strfmt_set(v->why, sizeof(v->why), "no 'CPU n/...' threads in '%s%s'", r->shown,
			   dir);
	return 0;
fail:
	closedir(d);
	return -1;
}

static int read_vms(struct sample *s, const struct fsroot *r, const struct host *h, struct err *e)
{
	s->vms_known = h->vms_known;
	strfmt_set(s->vms_why, sizeof(s->vms_why), "%s", h->vms_why);
	if (h->nvms == 0)
		return 0;
	s->vms = calloc(h->nvms, sizeof(*s->vms));
	if (!s->vms)
		return err_set(e, ENOMEM, "cannot sample the VMs");
	s->nvms = h->nvms;
	for (size_t i = 0; i < h->nvms; i++) {
		const struct vm *vm = &h->vms[i];
		struct sample_vm *v = &s->vms[i];
		struct err e2 = ERR_INIT;

		strfmt_set(v->name, sizeof(v->name), "%s", vm->name);
		v->pid = vm->pid;
		strfmt_set(v->mem_why, sizeof(v->mem_why), "numa_maps not read in this sample");
		if (vm->numa_nodeset[0] && idset_parse(&v->nodeset, vm->numa_nodeset, &e2) == 0)
			v->nodeset_known = true;
		if (vm->pid <= 0) {
			strfmt_set(v->why, sizeof(v->why), "%s",
				   vm->pid_why[0] ? vm->pid_why : "its QEMU pid is unknown");
			continue;
		}
		if (read_threads(v, r, e) < 0)
			return -1;
	}
	return 0;
}

int sample_read(struct sample *s, const struct fsroot *r, const struct host *h, uint64_t now_ns,
		struct err *e)
{
	long tck = sysconf(_SC_CLK_TCK);

	memset(s, 0, sizeof(*s));
	s->ns = now_ns;
	s->clk_tck = tck > 0 ? (unsigned)tck : 100;
	strfmt_set(s->perf_why, sizeof(s->perf_why), "perf counters not read");
	if (h->nnodes > 0) {
		s->node_ids = calloc(h->nnodes, sizeof(*s->node_ids));
		if (!s->node_ids) {
			err_set(e, ENOMEM, "cannot take a sample");
			goto fail;
		}
		s->nnodes = h->nnodes;
		for (size_t i = 0; i < h->nnodes; i++)
			s->node_ids[i] = h->nodes[i].id;
	}
	if (read_stat(s, r, h, e) < 0 || read_interrupts(s, r, h, e) < 0 ||
	    read_pools(s, r, h, e) < 0 || read_vms(s, r, h, e) < 0)
		goto fail;
	return 0;
fail:
	sample_release(s);
	return -1;
}

/* ---- numa_maps ---- */

static int node_index(const struct sample *s, unsigned id)
{
	for (size_t i = 0; i < s->nnodes; i++)
		if (s->node_ids[i] == id)
			return (int)i;
	return -1;
}

/* Each line is one mapping: "addr policy [file=..] ... N0=12 N1=3
 * kernelpagesize_kB=4" (Documentation/filesystems/proc.rst): the Nx= counts
 * are pages of that mapping's page size. */
static int numa_line(struct sample_vm *v, const struct sample *s, char *line)
{
	uint64_t pages[64] = {0};
	int idx[64];
	size_t n = 0;
	uint64_t kps = 0;
	char *save = NULL;

	for (char *t = strtok_r(line, " \n", &save); t; t = strtok_r(NULL, " \n", &save)) {
		char *end;

		if (t[0] == 'N' && isdigit((unsigned char)t[1])) {
			unsigned long id = strtoul(t + 1, &end, 10);

			if (*end != '=' || n == ARRAY_LEN(pages))
				return -1;
			idx[n] = id < IDSET_MAX ? node_index(s, (unsigned)id) : -1;
			pages[n++] = strtoull(end + 1, &end, 10);
		} else if (strncmp(t, "kernelpagesize_kB=", 18) == 0) {
			kps = strtoull(t + 18, &end, 10);
		}
	}
	if (n > 0 && kps == 0)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (idx[i] >= 0)
			v->node_kib[idx[i]] += pages[i] * kps;
	return 0;
}

static int read_numa_maps(struct sample_vm *v, const struct sample *s, const struct fsroot *r,
			  struct err *e)
{
	char path[FS_PATH_MAX];
	char *line = NULL;
	size_t cap = 0;
	FILE *f;

	strfmt_set(path, sizeof(path), "/proc/%d/numa_maps", v->pid);
	f = fs_fopen(r, path, FS_MAX_PERCPU, e);
	if (!f) {
		if (!gone(e->sys) && !refused(e->sys))
			return -1;
		strfmt_set(v->mem_why, sizeof(v->mem_why), "%s", e->msg);
		return 0;
	}
	v->node_kib = calloc(s->nnodes ? s->nnodes : 1, sizeof(*v->node_kib));
	if (!v->node_kib) {
		fclose(f);
		return err_set(e, ENOMEM, "cannot read '%s%s'", r->shown, path);
	}
	errno = 0;
	while (getline(&line, &cap, f) > 0) {
		if (numa_line(v, s, line) < 0) {
			free(line);
			fclose(f);
			free(v->node_kib);
			v->node_kib = NULL;
			return err_set(e, 0, "invalid line in '%s%s'", r->shown, path);
		}
		errno = 0;
	}
	if (ferror(f)) {
		int sys = errno;

		free(line);
		fclose(f);
		free(v->node_kib);
		v->node_kib = NULL;
		if (gone(sys) || refused(sys)) {
			strfmt_set(v->mem_why, sizeof(v->mem_why), "cannot read '%s%s': %s",
				   r->shown, path, strerror(sys));
			return 0;
		}
		return err_set(e, sys, "cannot read '%s%s'", r->shown, path);
	}
	free(line);
	fclose(f);
	v->mem_known = true;
	v->mem_ns = s->ns;
	v->mem_why[0] = '\0';
	return 0;
}

int sample_read_numa(struct sample *s, const struct fsroot *r, struct err *e)
{
	for (size_t i = 0; i < s->nvms; i++) {
		struct sample_vm *v = &s->vms[i];

		if (!v->running || v->mem_known)
			continue;
		if (read_numa_maps(v, s, r, e) < 0)
			return -1;
	}
	return 0;
}

int sample_keep_numa(struct sample *s, const struct sample *prev, struct err *e)
{
	/* node_kib is in node_ids order: only the same nodes carry over */
	if (prev->nnodes != s->nnodes ||
	    (s->nnodes && memcmp(prev->node_ids, s->node_ids, s->nnodes * sizeof(*s->node_ids))))
		return 0;
	for (size_t i = 0; i < s->nvms; i++) {
		struct sample_vm *v = &s->vms[i];

		if (v->mem_known || !v->running)
			continue;
		for (size_t k = 0; k < prev->nvms; k++) {
			const struct sample_vm *p = &prev->vms[k];

			if (strcmp(p->name, v->name) != 0 || p->pid != v->pid || !p->mem_known)
				continue;
			v->node_kib = malloc((s->nnodes ? s->nnodes : 1) * sizeof(*v->node_kib));
			if (!v->node_kib)
				return err_set(e, ENOMEM, "cannot keep the memory of VM '%s'",
					       v->name);
			if (s->nnodes)
				memcpy(v->node_kib, p->node_kib, s->nnodes * sizeof(*v->node_kib));
			v->mem_known = true;
			v->mem_ns = p->mem_ns;
			v->mem_why[0] = '\0';
			break;
		}
	}
	return 0;
}

void sample_release(struct sample *s)
{
	for (size_t i = 0; i < s->nvms; i++) {
		free(s->vms[i].threads);
		free(s->vms[i].node_kib);
	}
	free(s->vms);
	free(s->cpus);
	free(s->pools);
	free(s->node_ids);
	s->vms = NULL;
	s->cpus = NULL;
	s->pools = NULL;
	s->node_ids = NULL;
	s->nvms = s->ncpus = s->npools = s->nnodes = 0;
}

/* ---- perf dTLB/iTLB read misses ---- */

static int perf_fd(unsigned cpu, uint64_t cache)
{
	struct perf_event_attr a;

	memset(&a, 0, sizeof(a));
	a.type = PERF_TYPE_HW_CACHE;
	a.size = sizeof(a);
	a.config =
	    cache | (PERF_COUNT_HW_CACHE_OP_READ << 8) | (PERF_COUNT_HW_CACHE_RESULT_MISS << 16);
	return (int)syscall(SYS_perf_event_open, &a, -1, (int)cpu, -1, PERF_FLAG_FD_CLOEXEC);
}

static void perf_refusal(struct sample_perf *p, const struct fsroot *r, int sys)
{
	struct err e2 = ERR_INIT;
	long paranoid;

	if ((sys == EACCES || sys == EPERM) &&
	    fs_read_int(r, "/proc/sys/kernel/perf_event_paranoid", &paranoid, &e2) == 0)
		strfmt_set(p->why, sizeof(p->why),
			   "not permitted: perf_event_paranoid is %ld (system-wide counting "
			   "needs -1 or 0, or CAP_PERFMON)",
			   paranoid);
	else if (sys == ENOENT || sys == EOPNOTSUPP || sys == ENODEV || sys == EINVAL)
		strfmt_set(p->why, sizeof(p->why),
			   "dTLB/iTLB read-miss events not supported by this CPU/VM (%s)",
			   strerror(sys));
	else
		strfmt_set(p->why, sizeof(p->why), "perf_event_open failed: %s", strerror(sys));
}

int sample_perf_open(struct sample_perf *p, const struct fsroot *r, const struct host *h,
		     struct err *e)
{
	size_t nopen = 0;
	int sys = 0;

	memset(p, 0, sizeof(*p));
	if (!r->live) {
		strfmt_set(p->why, sizeof(p->why), "not the live host");
		return 0;
	}
	if (h->ncpus == 0) {
		strfmt_set(p->why, sizeof(p->why), "no online CPUs known");
		return 0;
	}
	p->cpus = calloc(h->ncpus, sizeof(*p->cpus));
	p->fds = calloc(h->ncpus * 2, sizeof(*p->fds));
	if (!p->cpus || !p->fds) {
		sample_perf_close(p);
		return err_set(e, ENOMEM, "cannot open the perf counters");
	}
	p->ncpus = h->ncpus;
	for (size_t i = 0; i < h->ncpus; i++) {
		p->cpus[i] = h->cpus[i].id;
		p->fds[2 * i] = perf_fd(p->cpus[i], PERF_COUNT_HW_CACHE_DTLB);
		if (p->fds[2 * i] < 0) {
			sys = errno;
			p->fds[2 * i + 1] = -1;
			continue;
		}
		p->fds[2 * i + 1] = perf_fd(p->cpus[i], PERF_COUNT_HW_CACHE_ITLB);
		if (p->fds[2 * i + 1] < 0) {
			sys = errno;
			close(p->fds[2 * i]);
			p->fds[2 * i] = -1;
			continue;
		}
		nopen++;
	}
	p->known = nopen > 0;
	if (nopen == 0)
		perf_refusal(p, r, sys);
	else if (nopen < p->ncpus)
		strfmt_set(p->why, sizeof(p->why), "open on %zu of %zu CPUs", nopen, p->ncpus);
	return 0;
}

void sample_perf_close(struct sample_perf *p)
{
	for (size_t i = 0; p->fds && i < p->ncpus * 2; i++)
		if (p->fds[i] >= 0)
			close(p->fds[i]);
	free(p->fds);
	free(p->cpus);
	p->fds = NULL;
	p->cpus = NULL;
	p->ncpus = 0;
	p->known = false;
}

static int perf_value(int fd, uint64_t *v, struct err *e)
{
	ssize_t n;

	do
		n = read(fd, v, sizeof(*v));
	while (n < 0 && errno == EINTR);
	if (n != (ssize_t)sizeof(*v))
		return err_set(e, n < 0 ? errno : EIO, "cannot read a perf counter");
	return 0;
}

int sample_read_perf(struct sample *s, const struct sample_perf *p, struct err *e)
{
	size_t nread = 0;

	s->perf_known = false;
	strfmt_set(s->perf_why, sizeof(s->perf_why), "%s", p->why);
	for (size_t i = 0; i < p->ncpus; i++) {
		struct sample_cpu *c;

		if (p->fds[2 * i] < 0 || !(c = sample_find_cpu(s, p->cpus[i])))
			continue;
		if (perf_value(p->fds[2 * i], &c->dtlb_misses, e) < 0 ||
		    perf_value(p->fds[2 * i + 1], &c->itlb_misses, e) < 0)
			return err_prefix(e, "CPU %u", c->id);
		c->perf_known = true;
		nread++;
	}
	s->perf_known = nread > 0;
	if (!s->perf_known && !p->why[0])
		strfmt_set(s->perf_why, sizeof(s->perf_why), "no open counter on the sampled CPUs");
	return 0;
}
