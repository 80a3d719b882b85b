/* facts_tu.h - helpers of the virt/mem/kern/tlb tests: small trees, one part probed at a time
 *
 * The parts are called directly (probe/probe_int.h), so these tests do not
 * depend on the topology reader: where a part needs CPUs, the test builds
 * h->cpus by hand.
 */
#ifndef HVTUNE_FACTS_TU_H
#define HVTUNE_FACTS_TU_H

#include "tests/testutil.h"
#include "tests/gentree.h"
#include "probe/probe_int.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef int (*ft_part)(struct host *, const struct fsroot *, struct err *);

/* One entry of a synthetic tree: a file (content), a symlink (link) or,
 * with neither, a directory. */
struct ft_file {
	const char *path;
	const char *content;
	const char *link;
};

static inline void ft_write(const char *dir, const struct ft_file *f, size_t n)
{
	struct err e = ERR_INIT;

	for (size_t i = 0; i < n; i++) {
		if (f[i].link)
			assert_ok(gentree_symlink(dir, f[i].path, f[i].link, &e), e);
		else if (f[i].content)
			assert_ok(gentree_file(dir, f[i].path, f[i].content, &e), e);
		else
			assert_ok(gentree_mkdir(dir, f[i].path, &e), e);
	}
}

/* A fresh tree from @f in a new temporary directory (tu_rmtree() it). */
static inline void ft_tree(char *dir, size_t size, const struct ft_file *f, size_t n)
{
	tu_tmpdir(dir, size);
	ft_write(dir, f, n);
}

static inline void ft_host_init(struct host *h)
{
	memset(h, 0, sizeof(*h));
	h->mem.swappiness = -1;
}

/* CPUs 0..n-1, one node, as topo_probe() would leave them. */
static inline void ft_cpus(struct host *h, unsigned n)
{
	h->cpus = calloc(n, sizeof(*h->cpus));
	assert_non_null(h->cpus);
	h->ncpus = n;
	for (unsigned i = 0; i < n; i++) {
		h->cpus[i].id = i;
		h->cpus[i].node = 0;
		h->cpus[i].package = 0;
		h->cpus[i].core = (int)i;
		h->cpus[i].l3 = 0;
		idset_add(&h->topo.possible, i);
	}
}

/* Runs the parts @parts on the tree at @dir into @h; returns what the last
 * part returned (the parts before it must succeed). */
static inline int ft_probe(const char *dir, const ft_part *parts, size_t nparts, struct host *h,
			   struct err *e)
{
	struct fsroot r = FSROOT_INIT;
	int rc = 0;

	assert_ok(fsroot_open(&r, dir, e), *e);
	for (size_t i = 0; i < nparts && rc == 0; i++)
		rc = parts[i](h, &r, e);
	fsroot_close(&r);
	return rc;
}

static inline int ft_probe1(const char *dir, ft_part part, struct host *h, struct err *e)
{
	return ft_probe(dir, &part, 1, h, e);
}

/*
 * A directory, then a FIFO, where the file @path belongs: the probe @part
 * carries on (alarm() fails an open() that blocks), and the why string at
 * @why_off in struct host says "'PATH' is not a regular file".
 */
static inline void ft_not_a_file(ft_part part, const char *path, unsigned ncpus, size_t why_off)
{
	for (int fifo = 0; fifo < 2; fifo++) {
		struct ft_file f = {path, NULL, NULL};
		char dir[4096], full[4200], want[4300];
		struct err e = ERR_INIT;
		struct host h;

		ft_tree(dir, sizeof(dir), &f, 1);
		snprintf(full, sizeof(full), "%s%s", dir, path);
		if (fifo) {
			assert_int_equal(rmdir(full), 0);
			assert_int_equal(mkfifo(full, 0644), 0);
		}
		ft_host_init(&h);
		if (ncpus)
			ft_cpus(&h, ncpus);
		alarm(20);
		if (ft_probe1(dir, part, &h, &e) < 0)
			fail_msg("%s for a %s: %s", path, fifo ? "FIFO" : "directory", e.msg);
		alarm(0);
		snprintf(want, sizeof(want), "'%s' is not a regular file", full);
		if (!strstr((const char *)&h + why_off, want))
			fail_msg("%s for a %s: why '%s'", path, fifo ? "FIFO" : "directory",
				 (const char *)&h + why_off);
		host_release(&h);
		tu_rmtree(dir);
	}
}

/*
 * Whether one of the text fields of @h (its *_why strings) contains @needle:
 * a fact the probe could not read says why somewhere in the host.
 */
static inline bool ft_host_says(const struct host *h, const char *needle)
{
	return memmem(h, sizeof(*h), needle, strlen(needle)) != NULL;
}

/* Asserts that @haystack contains @needle, showing both when it does not. */
#define assert_contains(haystack, needle)                                                          \
	do {                                                                                       \
		if (!strstr((haystack), (needle)))                                                 \
			fail_msg("'%s' does not contain '%s'", (haystack), (needle));              \
	} while (0)

#endif
