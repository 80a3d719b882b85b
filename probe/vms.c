/* vms.c - the running libvirt domains and their QEMU processes (host_probe_vms)
 *
 * libvirt says what a domain should be (vCPUs, memory, pins, numatune); the
 * QEMU process under the root says what it is: its vCPU threads, where each
 * last ran, and where its memory sits.  The process is found through
 * libvirt's pid file (run/libvirt/qemu/NAME.pid, written by the QEMU driver
 * of a system libvirtd), else by its command line: libvirt starts QEMU with
 * "-name guest=NAME,..." and "-uuid UUID".
 */
#include "probe/host.h"
#include "probe/lv.h"
#include "probe/probe_int.h"
#include "probe/strfmt.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

/* A process that exits while we read it, or one we may not read, makes a
 * fact unknown, not the probe fail. */
static bool gone_or_denied(const struct err *e)
{
	return e->sys == ENOENT || e->sys == ESRCH || e->sys == EACCES || e->sys == EPERM;
}

static void vms_free(struct host *h)
{
	for (size_t i = 0; i < h->nvms; i++) {
		free(h->vms[i].pins);
		free(h->vms[i].threads);
		free(h->vms[i].node_kib);
	}
	free(h->vms);
	h->vms = NULL;
	h->nvms = 0;
}

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

/* Does the NUL-separated @cmd (@len bytes) belong to domain @name (@uuid)? */
static bool cmdline_is(const char *cmd, size_t len, const char *name, const char *uuid)
{
	size_t nlen = strlen(name);
	bool guest = false, uuid_ok = true;
	const char *prev = "";

	for (size_t at = 0; at < len;) {
		const char *arg = cmd + at;
		size_t alen = strnlen(arg, len - at);

		if (strncmp(arg, "guest=", 6) == 0 && strncmp(arg + 6, name, nlen) == 0 &&
		    (arg[6 + nlen] == ',' || arg[6 + nlen] == '\0') && strcmp(prev, "-name") == 0)
			guest = true;
		if (strcmp(prev, "-uuid") == 0 && uuid[0])
			uuid_ok = strncmp(arg, uuid, alen) == 0 && strlen(uuid) == alen;
		prev = arg;
		at += alen + 1;
	}
	return guest && uuid_ok;
}

/* Scans proc/ for the QEMU of @name.  Returns its pid, 0 when none, -1 on error. */
static int find_by_cmdline(const struct fsroot *r, const char *name, const char *uuid,
			   struct err *e)
{
	const size_t size = 256 * 1024; /* QEMU's command line is a few KiB */
	char path[64], *buf;
	struct dirent *de;
	int found = 0;
	DIR *d;

	d = fs_opendir(r, "/proc", e);
	if (!d)
		return e->sys == ENOENT ? 0 : -1;
	buf = malloc(size);
	if (!buf) {
		closedir(d);
		return err_set(e, ENOMEM, "cannot scan '%s/proc'", r->shown);
	}
	while (!found && (de = readdir(d))) {
		struct err pe = ERR_INIT;
		long n;

		if (!all_digits(de->d_name) || strlen(de->d_name) > 10)
			continue;
		strfmt_set(path, sizeof(path), "/proc/%s/cmdline", de->d_name);
		n = fs_read(r, path, buf, size, &pe);
		if (n <= 0)
			continue; /* gone, a kernel thread, or too long for QEMU */
		if (cmdline_is(buf, (size_t)n, name, uuid))
			found = atoi(de->d_name);
	}
	free(buf);
	closedir(d);
	return found;
}

/* Fills v->pid and v->pid_why.  Returns -1 only on a real error. */
static int find_qemu(struct vm *v, const struct fsroot *r, const char *uuid, struct err *e)
{
	char path[FS_PATH_MAX], buf[64], *end;
	struct err pe = ERR_INIT;
	long pid = -1;
	int found;

	strfmt_set(path, sizeof(path), "/run/libvirt/qemu/%s.pid", v->name);
	if (fs_read(r, path, buf, sizeof(buf), &pe) >= 0) {
		pid = strtol(buf, &end, 10);
		if (end == buf || *end != '\0' || pid <= 0 || pid > INT32_MAX)
			return err_set(e, 0, "invalid pid '%s' in '%s%s'", buf, r->shown, path);
		strfmt_set(buf, sizeof(buf), "/proc/%ld", pid);
		if (fs_exists(r, buf)) {
			v->pid = (int)pid;
			return 0;
		}
		strfmt_set(v->pid_why, sizeof(v->pid_why), "stale '%s%s' (no process %ld)",
			   r->shown, path, pid);
	} else if (gone_or_denied(&pe)) {
		probe_why(v->pid_why, sizeof(v->pid_why), r, path, &pe);
	} else {
		*e = pe;
		return -1;
	}
	found = find_by_cmdline(r, v->name, uuid, e);
	if (found < 0)
		return -1;
	if (found == 0) {
		strfmt_cat(v->pid_why, sizeof(v->pid_why), ", and no process with 'guest=%s'",
			   v->name);
		return 0;
	}
	v->pid = found;
	/* known, and the remark says how it was found */
	strfmt_cat(v->pid_why, sizeof(v->pid_why), ": found by its command line (guest=%s)",
		   v->name);
	return 0;
}

/* utime + stime (fields 14, 15) and the last CPU (field 39) of a stat line.
 * The comm (field 2) may hold blanks and ')': fields count from the last ')'. */
static int parse_stat(const char *stat, struct vm_thread *t)
{
	const char *p = strrchr(stat, ')');
	uint64_t ut = 0, st = 0;
	long cpu = -1;
	unsigned field = 2;

	if (!p)
		return -1;
	p++;
	while (*p) {
		char *end;

		while (*p == ' ')
			p++;
		if (!*p)
			break;
		field++;
		if (field == 14 || field == 15 || field == 39) {
			unsigned long long v = strtoull(p, &end, 10);

			if (end == p)
				return -1;
			if (field == 14)
				ut = v;
			else if (field == 15)
				st = v;
			else
				cpu = (long)v;
			p = end;
		}
		while (*p && *p != ' ')
			p++;
	}
	if (field < 39)
		return -1;
	t->utime_ticks = ut + st;
	t->cpu = cpu >= 0 && cpu < (long)IDSET_MAX ? (int)cpu : -1;
	return 0;
}

/* se.nr_migrations from a task's sched file (CONFIG_SCHED_DEBUG). */
static uint64_t parse_migrations(const char *sched)
{
	const char *p = strstr(sched, "se.nr_migrations");

	if (!p || !(p = strchr(p, ':')))
		return 0;
	return strtoull(p + 1, NULL, 10);
}

/* Reads one "CPU n/..." thread.  Returns 1 when read, 0 when it vanished or
 * may not be read, -1 on garbage. */
static int read_thread(const struct fsroot *r, int pid, const char *tid, struct vm_thread *t,
		       struct err *e)
{
	char path[128], buf[16384]; /* sched is about 2 KiB, status 1.5 KiB */
	struct err pe = ERR_INIT;
	const char *p;

	strfmt_set(path, sizeof(path), "/proc/%d/task/%s/stat", pid, tid);
	if (fs_read(r, path, buf, sizeof(buf), &pe) < 0) {
		if (gone_or_denied(&pe))
			return 0;
		*e = pe;
		return -1;
	}
	if (parse_stat(buf, t) < 0)
		return err_set(e, 0, "cannot parse '%s%s'", r->shown, path);
	t->tid = atoi(tid);
	strfmt_set(path, sizeof(path), "/proc/%d/task/%s/status", pid, tid);
	if (fs_read(r, path, buf, sizeof(buf), &pe) < 0) {
		if (gone_or_denied(&pe))
			return 0;
		*e = pe;
		return -1;
	}
	p = strstr(buf, "Cpus_allowed_list:");
	if (p) {
		char list[1024];
		size_t n;

		p += strlen("Cpus_allowed_list:");
		p += strspn(p, " \t");
		n = strcspn(p, "\n");
		if (n >= sizeof(list))
			return err_set(e, 0, "cannot parse '%s%s'", r->shown, path);
		memcpy(list, p, n);
		list[n] = '\0';
		if (idset_parse(&t->allowed, list, e) < 0)
			return err_prefix(e, "'%s%s'", r->shown, path);
	}
	strfmt_set(path, sizeof(path), "/proc/%d/task/%s/sched", pid, tid);
	if (fs_read(r, path, buf, sizeof(buf), &pe) >= 0) {
		t->migrations = parse_migrations(buf);
	} else if (!gone_or_denied(&pe)) {
		*e = pe;
		return -1;
	}
	return 1;
}

static int by_vcpu(const void *a, const void *b)
{
	const struct vm_thread *x = a, *y = b;

	return (x->vcpu > y->vcpu) - (x->vcpu < y->vcpu);
}

/* The "CPU n/KVM" (or /TCG under emulation) threads of v->pid. */
static int read_threads(struct vm *v, const struct fsroot *r, struct err *e)
{
	char path[64], comm[64];
	struct dirent *de;
	size_t cap = 0;
	DIR *d;

	strfmt_set(path, sizeof(path), "/proc/%d/task", v->pid);
	d = fs_opendir(r, path, e);
	if (!d)
		return gone_or_denied(e) ? 0 : -1;
	while ((de = readdir(d))) {
		struct err pe = ERR_INIT;
		char cpath[128], kind[8];
		unsigned vcpu;
		int rc;

		if (!all_digits(de->d_name))
			continue;
		strfmt_set(cpath, sizeof(cpath), "%s/%s/comm", path, de->d_name);
		if (fs_read(r, cpath, comm, sizeof(comm), &pe) < 0)
			continue; /* exited since readdir */
		if (sscanf(comm, "CPU %u/%7s", &vcpu, kind) != 2 ||
		    (strcmp(kind, "KVM") != 0 && strcmp(kind, "TCG") != 0))
			continue;
		if (v->nthreads == cap) {
			size_t ncap = cap ? 2 * cap : 8;
			struct vm_thread *g = realloc(v->threads, ncap * sizeof(*g));

			if (!g) {
				closedir(d);
				return err_set(e, ENOMEM, "cannot read '%s%s'", r->shown, path);
			}
			v->threads = g;
			cap = ncap;
		}
		memset(&v->threads[v->nthreads], 0, sizeof(v->threads[0]));
		v->threads[v->nthreads].vcpu = vcpu;
		rc = read_thread(r, v->pid, de->d_name, &v->threads[v->nthreads], e);
		if (rc < 0) {
			closedir(d);
			return -1;
		}
		v->nthreads += (size_t)rc;
	}
	closedir(d);
	qsort(v->threads, v->nthreads, sizeof(v->threads[0]), by_vcpu);
	return 0;
}

/*
 * Memory per node from numa_maps: each mapping lists "N<node>=<pages>" and
 * "kernelpagesize_kB=<size>" (Documentation/filesystems/proc.rst).  The page
 * size kept is the largest one backing any mapping (hugepages show there).
 */
static int read_numa_maps(struct vm *v, const struct host *h, const struct fsroot *r, struct err *e)
{
	char path[64], line[4096];
	FILE *f;

	strfmt_set(path, sizeof(path), "/proc/%d/numa_maps", v->pid);
	f = fs_fopen(r, path, FS_MAX_PERCPU, e);
	if (!f) {
		if (!gone_or_denied(e))
			return -1;
		probe_why(v->mem_why, sizeof(v->mem_why), r, path, e);
		return 0;
	}
	v->node_kib = calloc(h->nnodes ? h->nnodes : 1, sizeof(*v->node_kib));
	if (!v->node_kib) {
		fclose(f);
		return err_set(e, ENOMEM, "cannot read '%s%s'", r->shown, path);
	}
	while (fgets(line, sizeof(line), f)) {
		uint64_t page_kib = 0, pages[64] = {0};
		unsigned nodes[64];
		size_t nn = 0;
		char *save = NULL;

		for (char *tok = strtok_r(line, " \n", &save); tok;
		     tok = strtok_r(NULL, " \n", &save)) {
			unsigned node;
			unsigned long long n;
			int used = 0;

			if (sscanf(tok, "kernelpagesize_kB=%llu%n", &n, &used) == 1 &&
			    tok[used] == '\0')
				page_kib = n;
			else if (sscanf(tok, "N%u=%llu%n", &node, &n, &used) == 2 &&
				 tok[used] == '\0' && nn < ARRAY_LEN(nodes)) {
				nodes[nn] = node;
				pages[nn++] = n;
			}
		}
		if (nn == 0)
			continue;
		if (page_kib == 0) {
			fclose(f);
			free(v->node_kib);
			v->node_kib = NULL;
			return err_set(e, 0, "no kernelpagesize_kB in a line of '%s%s'", r->shown,
				       path);
		}
		if (page_kib > v->page_kib)
			v->page_kib = page_kib;
		for (size_t i = 0; i < nn; i++) {
			int idx = host_node_index(h, nodes[i]);

			if (idx >= 0)
				v->node_kib[idx] += pages[i] * page_kib;
		}
	}
	fclose(f);
	return 0;
}

static int probe_vm(struct vm *v, const struct lv_domain *d, const struct host *h,
		    const struct fsroot *r, struct lv *c, struct err *e)
{
	struct err le = ERR_INIT;

	strfmt_set(v->name, sizeof(v->name), "%s", d->name);
	v->vcpus = d->vcpus;
	v->mem_kib = d->mem_kib;
	v->pid = -1;
	v->pins = calloc(d->vcpus ? d->vcpus : 1, sizeof(*v->pins));
	if (!v->pins)
		return err_set(e, ENOMEM, "cannot read domain '%s'", d->name);
	/* libvirt failures (the domain stopped meanwhile) go to the caller's
	 * vms_why through @le: they are not errors of the probe */
	if (lv_vcpu_pins(c, d->name, v->pins, d->vcpus, &le) < 0 ||
	    lv_emulator_pin(c, d->name, &v->emulator, &le) < 0 ||
	    lv_numa(c, d->name, v->numa_mode, sizeof(v->numa_mode), v->numa_nodeset,
		    sizeof(v->numa_nodeset), &le) < 0) {
		*e = le;
		return 1;
	}
	if (find_qemu(v, r, d->uuid, e) < 0)
		return -1;
	if (v->pid < 0) {
		strfmt_set(v->mem_why, sizeof(v->mem_why), "no QEMU process");
		return 0;
	}
	if (read_threads(v, r, e) < 0 || read_numa_maps(v, h, r, e) < 0)
		return -1;
	return 0;
}

int host_probe_vms(struct host *h, const struct fsroot *r, struct lv *c, struct err *e)
{
	struct lv_domain *doms = NULL;
	struct err le = ERR_INIT;
	size_t n = 0;

	vms_free(h);
	h->vms_known = false;
	h->vms_why[0] = '\0';
	if (!c) {
		strfmt_set(h->vms_why, sizeof(h->vms_why), "no libvirt connection (--connect URI)");
		return 0;
	}
	if (lv_domains(c, &doms, &n, &le) < 0) {
		strfmt_set(h->vms_why, sizeof(h->vms_why), "%s", le.msg);
		return 0;
	}
	h->vms = calloc(n ? n : 1, sizeof(*h->vms));
	if (!h->vms) {
		free(doms);
		return err_set(e, ENOMEM, "cannot read the domains of '%s'", lv_uri(c));
	}
	for (size_t i = 0; i < n; i++) {
		int rc;

		if (!doms[i].active)
			continue;
		rc = probe_vm(&h->vms[h->nvms], &doms[i], h, r, c, e);
		h->nvms++; /* even half-read: vms_free() frees what it holds */
		if (rc != 0) {
			free(doms);
			if (rc > 0) {
				strfmt_set(h->vms_why, sizeof(h->vms_why), "%s", e->msg);
				vms_free(h);
				return 0;
			}
			vms_free(h);
			return -1;
		}
	}
	free(doms);
	h->vms_known = true;
	return 0;
}
