/* kern.c - the kernel command line, CPU isolation, SMT control, governors, irqbalance
 *
 * The command line is parsed as the kernel parses it (kernel/params.c
 * next_arg(): blanks separate, double quotes group, "--" ends the kernel's
 * part, '-' and '_' are the same in a name).  What the kernel actually did
 * with isolcpus= and nohz_full= is in sys/devices/system/cpu/{isolated,
 * nohz_full}; both are kept, so a check can tell "asked" from "in effect".
 */
#include "probe/probe_int.h"
#include "probe/strfmt.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CMDLINE "/proc/cmdline"

/* Appends "name=val" to the blank-separated list @buf (dropped when it does not fit). */
static void append_word(char *buf, size_t size, const char *name, size_t nlen, const char *val)
{
	char word[256];
	size_t len = strlen(buf);

	strfmt_set(word, sizeof(word), "%.*s%s%s", (int)nlen, name, val ? "=" : "", val ? val : "");
	if (len + (len > 0) + strlen(word) + 1 > size)
		return;
	if (len > 0)
		buf[len++] = ' ';
	memcpy(buf + len, word, strlen(word) + 1);
}

/* The kernel's parameq(): '-' and '_' compare equal. */
static bool name_is(const char *name, size_t len, const char *want)
{
	size_t i;

	for (i = 0; i < len && want[i]; i++) {
		char a = name[i] == '-' ? '_' : name[i];
		char b = want[i] == '-' ? '_' : want[i];

		if (a != b)
			return false;
	}
	return i == len && want[i] == '\0';
}

/* The last possible CPU: what "N" means in a kernel cpulist; -1 unknown. */
static long last_cpu(const struct host *h)
{
	int id, last = -1;

	for (id = idset_next(&h->topo.possible, 0); id >= 0;
	     id = idset_next(&h->topo.possible, (unsigned)id + 1))
		last = id;
	if (last < 0)
		for (size_t i = 0; i < h->ncpus; i++)
			if ((int)h->cpus[i].id > last)
				last = (int)h->cpus[i].id;
	return last;
}

/* 1: a number (or "N") read; 0: not a number; -1: "N" but @last is unknown */
static int parse_num(const char **p, long last, unsigned long *v)
{
	char *end;

	if (**p == 'N') {
		if (last < 0)
			return -1;
		*v = (unsigned long)last;
		(*p)++;
		return 1;
	}
	if (!isdigit((unsigned char)**p))
		return 0;
	*v = strtoul(*p, &end, 10);
	*p = end;
	return 1;
}

/*
 * A command-line CPU list, as lib/bitmap-str.c bitmap_parselist() reads it:
 * "0-3,8", "all", "N" (the last CPU), "0-15:2/4" (2 of every 4).  @last is
 * the last possible CPU (-1 unknown, then "N" and "all" cannot be read).
 */
static int parse_cmdline_list(const char *s, long last, struct idset *out, char *why,
			      size_t whysize)
{
	const char *p = s;
	int rc = 1;

	idset_clear(out);
	while (*p) {
		unsigned long a, b, used = 1, group = 1;

		if (strncmp(p, "all", 3) == 0 && (p[3] == ',' || p[3] == '\0')) {
			if (last < 0) {
				rc = -1;
				goto fail;
			}
			a = 0;
			b = (unsigned long)last;
			p += 3;
		} else {
			if ((rc = parse_num(&p, last, &a)) <= 0)
				goto fail;
			b = a;
			if (*p == '-') {
				p++;
				if ((rc = parse_num(&p, last, &b)) <= 0)
					goto fail;
			}
			if (*p == ':') {
				p++;
				if ((rc = parse_num(&p, -1, &used)) <= 0 || *p != '/')
					goto fail;
				p++;
				rc = parse_num(&p, -1, &group);
				if (rc <= 0 || used == 0 || used > group)
					goto fail;
			}
		}
		if (a > b || b >= IDSET_MAX)
			goto fail;
		for (unsigned long id = a; id <= b; id++)
			if ((id - a) % group < used)
				idset_add(out, (unsigned)id);
		if (*p == ',' && p[1] != '\0')
			p++;
		else if (*p != '\0')
			goto fail;
	}
	return 0;
fail:
	idset_clear(out);
	if (rc < 0)
		strfmt_set(why, whysize,
			   "cannot expand '%s': the number of possible CPUs is unknown", s);
	else
		strfmt_set(why, whysize, "invalid CPU list '%s' (the kernel ignores it)", s);
	return -1;
}

/*
 * isolcpus=[flag,...,]<cpulist> as kernel/sched/isolation.c reads it: leading
 * words followed by ',' are flags (nohz, domain, managed_irq; others skipped
 * with a warning), the rest is the list.
 */
static void parse_isolcpus(struct kern *k, const char *val, long last)
{
	const char *p = val;

	k->isolcpus_flags[0] = '\0';
	k->isolcpus_why[0] = '\0';
	while (isalpha((unsigned char)*p)) {
		const char *comma = strchr(p, ',');
		char word[48];

		if (!comma) {
			idset_clear(&k->isolcpus);
			strfmt_set(k->isolcpus_why, sizeof(k->isolcpus_why),
				   "isolcpus='%s' has no CPU list (the kernel ignores it)", val);
			return;
		}
		strfmt_set(word, sizeof(word), "%.*s", (int)(comma - p), p);
		if (strcmp(word, "nohz") == 0 || strcmp(word, "domain") == 0 ||
		    strcmp(word, "managed_irq") == 0) {
			size_t len = strlen(k->isolcpus_flags);

			strfmt_set(k->isolcpus_flags + len, sizeof(k->isolcpus_flags) - len, "%s%s",
				   len ? "," : "", word);
		}
		p = comma + 1;
	}
	parse_cmdline_list(p, last, &k->isolcpus, k->isolcpus_why, sizeof(k->isolcpus_why));
}

static void parse_cmdline(struct host *h)
{
	struct kern *k = &h->kern;
	long last = last_cpu(h);
	char buf[sizeof(k->cmdline)];
	char *p = buf;

	strfmt_set(buf, sizeof(buf), "%s", k->cmdline);
	while (*p) {
		char *name, *val = NULL, *end;
		size_t nlen;
		bool quoted = false;

		while (isspace((unsigned char)*p))
			p++;
		if (!*p)
			break;
		/* next_arg(): a quote anywhere makes blanks part of the word */
		name = p;
		for (end = p; *end && (quoted || !isspace((unsigned char)*end)); end++)
			if (*end == '"')
				quoted = !quoted;
		if (*end)
			*end++ = '\0';
		p = end;
		if (strcmp(name, "--") == 0)
			break; /* the rest belongs to init */
		if (*name == '"') {
			name++;
			if (name[0] && name[strlen(name) - 1] == '"')
				name[strlen(name) - 1] = '\0';
		}
		val = strchr(name, '=');
		nlen = val ? (size_t)(val - name) : strlen(name);
		if (val) {
			size_t vlen;

			val++;
			vlen = strlen(val);
			if (val[0] == '"') {
				val++;
				vlen--;
				if (vlen > 0 && val[vlen - 1] == '"')
					val[--vlen] = '\0';
			}
		}

		if (name_is(name, nlen, "isolcpus") && val) {
			k->isolcpus_given = true;
			parse_isolcpus(k, val, last);
		} else if (name_is(name, nlen, "nohz_full") && val) {
			k->nohz_full_given = true;
			parse_cmdline_list(val, last, &k->nohz_full_arg, k->cmdline_why,
					   sizeof(k->cmdline_why));
		} else if (name_is(name, nlen, "rcu_nocbs")) {
			/* bare rcu_nocbs (Linux >= 5.17): offload-capable, none offloaded yet */
			k->rcu_nocbs_given = true;
			idset_clear(&k->rcu_nocbs);
			if (val)
				parse_cmdline_list(val, last, &k->rcu_nocbs, k->cmdline_why,
						   sizeof(k->cmdline_why));
		} else if (name_is(name, nlen, "intel_iommu") || name_is(name, nlen, "amd_iommu") ||
			   name_is(name, nlen, "iommu") || strncmp(name, "iommu.", 6) == 0) {
			/* iommu.passthrough=, iommu.strict=: the generic IOMMU layer's */
			append_word(k->iommu_opts, sizeof(k->iommu_opts), name, nlen, val);
		} else if (name_is(name, nlen, "hugepagesz") || name_is(name, nlen, "hugepages") ||
			   name_is(name, nlen, "default_hugepagesz")) {
			append_word(k->hugepage_opts, sizeof(k->hugepage_opts), name, nlen, val);
		}
	}
}

/* cpu/isolated and cpu/nohz_full: an empty file is the empty set (known). */
static int read_cpu_set(const struct fsroot *r, const char *path, struct idset *s, bool *known,
			char *why, size_t whysize, struct err *e)
{
	struct err e2 = ERR_INIT;
	char buf[256];
	size_t len;

	*known = false;
	idset_clear(s);
	if (fs_read_idset(r, path, s, e) == 0) {
		*known = true;
		return 0;
	}
	/* Kernels with CONFIG_NO_HZ_FULL but no nohz_full= print "(null)",
	 * some padded with blanks to about 100 bytes: no CPU is nohz_full. */
	if ((e->sys == EINVAL || e->sys == EFBIG) && fs_read(r, path, buf, sizeof(buf), &e2) >= 0) {
		len = strlen(buf);
		while (len > 0 && isspace((unsigned char)buf[len - 1]))
			buf[--len] = '\0';
		if (strcmp(buf, "(null)") == 0) {
			*known = true;
			return 0;
		}
	}
	if (!probe_soft(e))
		return -1;
	probe_why(why, whysize, r, path, e);
	return 0;
}

static int read_governors(struct host *h, const struct fsroot *r, struct err *e)
{
	size_t absent = 0;
	char first[FS_PATH_MAX] = "";

	for (size_t i = 0; i < h->ncpus; i++) {
		struct cpu *c = &h->cpus[i];
		char path[FS_PATH_MAX];

		strfmt_set(path, sizeof(path),
			   "/sys/devices/system/cpu/cpu%u/cpufreq/scaling_governor", c->id);
		if (fs_read(r, path, c->governor, sizeof(c->governor), e) >= 0)
			continue;
		c->governor[0] = '\0';
		if (!probe_soft(e))
			return -1;
		/* unreadable counts as absent: that CPU's governor is unknown */
		if (absent++ == 0)
			strfmt_set(first, sizeof(first), "%s%s", r->shown, path);
	}
	if (h->ncpus == 0)
		strfmt_set(h->kern.governors_why, sizeof(h->kern.governors_why),
			   "no CPUs are known");
	else if (absent == h->ncpus)
		strfmt_set(h->kern.governors_why, sizeof(h->kern.governors_why),
			   "no cpufreq: no '%s'", first);
	else if (absent > 0)
		strfmt_set(h->kern.governors_why, sizeof(h->kern.governors_why),
			   "%zu of %zu CPUs have no cpufreq governor (first: '%s')", absent,
			   h->ncpus, first);
	return 0;
}

/* irqbalance moves IRQs onto CPUs we isolate; only the live host has processes. */
static int find_irqbalance(struct kern *k, const struct fsroot *r, struct err *e)
{
	struct dirent *de;
	DIR *d;

	k->irqbalance = TRI_UNKNOWN;
	if (!r->live) {
		strfmt_set(k->irqbalance_why, sizeof(k->irqbalance_why), "not the live host");
		return 0;
	}
	d = fs_opendir(r, "/proc", e);
	if (!d) {
		if (!probe_soft(e))
			return -1;
		strfmt_set(k->irqbalance_why, sizeof(k->irqbalance_why), "%s", e->msg);
		return 0;
	}
	k->irqbalance = TRI_NO;
	while ((de = readdir(d))) {
		char path[64], comm[64];
		struct err e2 = ERR_INIT;

		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		strfmt_set(path, sizeof(path), "/proc/%s/comm", de->d_name);
		/* a process may exit between readdir() and the read */
		if (fs_read(r, path, comm, sizeof(comm), &e2) < 0)
			continue;
		if (strcmp(comm, "irqbalance") == 0) {
			k->irqbalance = TRI_YES;
			break;
		}
	}
	closedir(d);
	return 0;
}

int kern_probe(struct host *h, const struct fsroot *r, struct err *e)
{
	struct kern *k = &h->kern;

	if (fs_read(r, CMDLINE, k->cmdline, sizeof(k->cmdline), e) >= 0) {
		k->cmdline_known = true;
		parse_cmdline(h);
	} else if (probe_soft(e)) {
		k->cmdline[0] = '\0';
		probe_why(k->cmdline_why, sizeof(k->cmdline_why), r, CMDLINE, e);
	} else {
		return -1;
	}

	if (read_cpu_set(r, "/sys/devices/system/cpu/isolated", &k->isolated, &k->isolated_known,
			 k->isolated_why, sizeof(k->isolated_why), e) < 0)
		return -1;
	if (read_cpu_set(r, "/sys/devices/system/cpu/nohz_full", &k->nohz_full, &k->nohz_full_known,
			 k->nohz_full_why, sizeof(k->nohz_full_why), e) < 0)
		return -1;

	if (fs_read(r, "/sys/devices/system/cpu/smt/control", k->smt_control,
		    sizeof(k->smt_control), e) < 0) {
		k->smt_control[0] = '\0';
		if (!probe_soft(e))
			return -1;
		probe_why(k->smt_why, sizeof(k->smt_why), r, "/sys/devices/system/cpu/smt/control",
			  e);
	}
	if (read_governors(h, r, e) < 0)
		return -1;
	return find_irqbalance(k, r, e);
}
