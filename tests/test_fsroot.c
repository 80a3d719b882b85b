/* test_fsroot.c - reading and writing host files under a root directory */
#include "tests/testutil.h"
#include "tests/gentree.h"
#include "probe/fsroot.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

struct fixture {
	char dir[4096];
	struct fsroot r;
};

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));
	struct err e = ERR_INIT;

	assert_non_null(fx);
	tu_tmpdir(fx->dir, sizeof(fx->dir));
	assert_ok(fsroot_open(&fx->r, fx->dir, &e), e);
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;

	fsroot_close(&fx->r);
	tu_rmtree(fx->dir);
	free(fx);
	return 0;
}

static void put(const struct fixture *fx, const char *path, const char *content)
{
	struct err e = ERR_INIT;

	assert_ok(gentree_file(fx->dir, path, content, &e), e);
}

/* "<prefix> '<root><path>'<suffix>" */
static void assert_msg(const struct fixture *fx, const struct err *e, const char *prefix,
		       const char *path, const char *suffix)
{
	char want[4600];

	snprintf(want, sizeof(want), "%s%s'%s%s'%s", prefix, prefix[0] ? " " : "", fx->dir, path,
		 suffix);
	assert_string_equal(e->msg, want);
}

struct lines {
	char seen[64];
	int stop_at; /* the line number on which to stop (1), or fail (-1 when negative) */
	int n;
};

static int count_line(char *line, void *arg, struct err *e)
{
	struct lines *l = arg;

	l->n++;
	strncat(l->seen, line, sizeof(l->seen) - strlen(l->seen) - 1);
	if (l->stop_at == l->n)
		return 1;
	if (-l->stop_at == l->n)
		return err_set(e, 0, "bad line %d", l->n);
	return 0;
}

static void test_each_line(void **state)
{
	struct fixture *fx = *state;
	struct err e = ERR_INIT;
	struct lines l = {"", 0, 0};

	put(fx, "/proc/x", "a\nb\nc");
	assert_ok(fs_each_line(&fx->r, "/proc/x", 1024, count_line, &l, &e), e);
	assert_string_equal(l.seen, "a\nb\nc");
	l = (struct lines){"", 2, 0};
	assert_ok(fs_each_line(&fx->r, "/proc/x", 1024, count_line, &l, &e), e);
	assert_string_equal(l.seen, "a\nb\n");
	l = (struct lines){"", -1, 0};
	assert_int_equal(fs_each_line(&fx->r, "/proc/x", 1024, count_line, &l, &e), -1);
	assert_string_equal(e.msg, "bad line 1");
	l = (struct lines){"", 0, 0};
	assert_int_equal(fs_each_line(&fx->r, "/proc/none", 1024, count_line, &l, &e), -1);
	assert_int_equal(e.sys, ENOENT);
	assert_int_equal(l.n, 0);
}

static void test_open(void **state)
{
	struct fsroot r = FSROOT_INIT;
	struct err e = ERR_INIT;
	struct fixture *fx = *state;
	char slash[4200];

	assert_int_equal(fsroot_open(&r, "", &e), -1);
	assert_string_equal(e.msg, "empty root directory: Invalid argument");
	assert_int_equal(fsroot_open(&r, "/nonexistent-hvtune", &e), -1);
	assert_string_equal(e.msg,
			    "cannot open root '/nonexistent-hvtune': No such file or directory");
	assert_int_equal(e.sys, ENOENT);
	fsroot_close(&r);

	put(fx, "/file", "x");
	snprintf(slash, sizeof(slash), "%s/file", fx->dir);
	assert_int_equal(fsroot_open(&r, slash, &e), -1);
	assert_int_equal(e.sys, ENOTDIR);

	assert_ok(fsroot_open(&r, "/", &e), e);
	assert_true(r.live);
	assert_int_equal(r.resolve, FS_RESOLVE_PLAIN); /* nothing above "/" to escape to */
	assert_string_equal(r.shown, "");
	fsroot_close(&r);
	assert_int_equal(r.fd, -1);

	/* "dir/" shows as "dir" */
	snprintf(slash, sizeof(slash), "%s/", fx->dir);
	assert_ok(fsroot_open(&r, slash, &e), e);
	assert_false(r.live);
	assert_int_not_equal(r.resolve, FS_RESOLVE_PLAIN);
	assert_string_equal(r.shown, fx->dir);
	fsroot_close(&r);
	fsroot_close(&r); /* twice is safe */
}

static void test_read(void **state)
{
	struct fixture *fx = *state;
	struct err e = ERR_INIT;
	char buf[8];

	put(fx, "/a", "abc\n");
	assert_int_equal(fs_read(&fx->r, "/a", buf, sizeof(buf), &e), 3);
	assert_string_equal(buf, "abc");
	put(fx, "/b", "x\n\n"); /* one newline is stripped, not all */
	assert_int_equal(fs_read(&fx->r, "/b", buf, sizeof(buf), &e), 2);
	assert_string_equal(buf, "x\n");
	put(fx, "/empty", "");
	assert_int_equal(fs_read(&fx->r, "/empty", buf, sizeof(buf), &e), 0);
	assert_string_equal(buf, "");

	/* a file that does not fit fails instead of being cut */
	put(fx, "/long", "12345678");
	assert_int_equal(fs_read(&fx->r, "/long", buf, sizeof(buf), &e), -1);
	assert_int_equal(e.sys, EFBIG);
	assert_msg(fx, &e, "cannot read", "/long", ": File too large");
	put(fx, "/fits", "1234567");
	assert_int_equal(fs_read(&fx->r, "/fits", buf, sizeof(buf), &e), 7);

	assert_int_equal(fs_read(&fx->r, "/missing", buf, sizeof(buf), &e), -1);
	assert_int_equal(e.sys, ENOENT);
	assert_msg(fx, &e, "cannot open", "/missing", ": No such file or directory");

	/* not a file the kernel provides: as absent as a missing one */
	assert_ok(gentree_mkdir(fx->dir, "/dir", &e), e);
	assert_int_equal(fs_read(&fx->r, "/dir", buf, sizeof(buf), &e), -1);
	assert_int_equal(e.sys, ENOENT);
	assert_msg(fx, &e, "", "/dir", " is not a regular file");
	assert_true(fs_exists(&fx->r, "/dir"));
	assert_false(fs_exists(&fx->r, "/missing"));
}

static void test_numbers(void **state)
{
	static const struct {
		const char *content;
		int rc;
		uint64_t v;
	} u64[] = {
	    {"42\n", 0, 42},
	    {"  7 \n", 0, 7},
	    {"0x10\n", 0, 16},
	    {"18446744073709551615\n", 0, UINT64_MAX},
	    {"18446744073709551616\n", -1, 0},
	    {"-1\n", -1, 0},
	    {"abc\n", -1, 0},
	    {"12 kB\n", -1, 0},
	    {"\n", -1, 0},
	};
	static const struct {
		const char *content;
		int rc;
		long v;
	} ints[] = {
	    {"-1\n", 0, -1}, {"36\n", 0, 36}, {"8442\n", 0, 8442}, {"1.5\n", -1, 0}, {"\n", -1, 0},
	};
	struct fixture *fx = *state;
	struct err e = ERR_INIT;

	for (size_t i = 0; i < ARRAY_LEN(u64); i++) {
		uint64_t v = 0;

		put(fx, "/n", u64[i].content);
		assert_int_equal(fs_read_u64(&fx->r, "/n", &v, &e), u64[i].rc);
		if (u64[i].rc == 0)
			assert_int_equal(v, u64[i].v);
		else
			assert_int_equal(e.sys, EINVAL);
	}
	put(fx, "/n", "abc\n");
	assert_int_equal(fs_read_u64(&fx->r, "/n", &(uint64_t){0}, &e), -1);
	assert_msg(fx, &e, "invalid number 'abc' in", "/n", ": Invalid argument");
	for (size_t i = 0; i < ARRAY_LEN(ints); i++) {
		long v = 0;

		put(fx, "/i", ints[i].content);
		assert_int_equal(fs_read_int(&fx->r, "/i", &v, &e), ints[i].rc);
		if (ints[i].rc == 0)
			assert_int_equal(v, ints[i].v);
	}
}

static void test_sets(void **state)
{
	struct fixture *fx = *state;
	struct err e = ERR_INIT;
	struct idset s;
	char buf[64];

	put(fx, "/list", "0-3,8\n");
	assert_ok(fs_read_idset(&fx->r, "/list", &s, &e), e);
	assert_string_equal(idset_format(&s, buf, sizeof(buf)), "0-3,8");
	put(fx, "/list", "\n"); /* an empty cpulist: a CPU-less node */
	assert_ok(fs_read_idset(&fx->r, "/list", &s, &e), e);
	assert_true(idset_empty(&s));
	put(fx, "/list", "0-x\n");
	assert_int_equal(fs_read_idset(&fx->r, "/list", &s, &e), -1);
	assert_msg(fx, &e, "invalid id list '0-x' in", "/list", ": Invalid argument");
	assert_true(idset_empty(&s));

	put(fx, "/mask", "000000ff,00000000\n");
	assert_ok(fs_read_mask(&fx->r, "/mask", &s, &e), e);
	assert_string_equal(idset_format(&s, buf, sizeof(buf)), "32-39");
	put(fx, "/mask", "zz\n");
	assert_int_equal(fs_read_mask(&fx->r, "/mask", &s, &e), -1);
	assert_msg(fx, &e, "invalid id mask 'zz' in", "/mask", ": Invalid argument");
}

static void test_setting(void **state)
{
	static const struct {
		const char *content, *value;
	} cases[] = {
	    {"always [madvise] never\n", "madvise"},
	    {"[always] madvise never\n", "always"},
	    {"never\n", "never"},
	    {"  1  \n", "1"},
	};
	struct fixture *fx = *state;
	struct err e = ERR_INIT;
	char out[16];

	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		put(fx, "/s", cases[i].content);
		assert_ok(fs_read_setting(&fx->r, "/s", out, sizeof(out), &e), e);
		assert_string_equal(out, cases[i].value);
	}
	put(fx, "/s", "always [madvise\n");
	assert_int_equal(fs_read_setting(&fx->r, "/s", out, sizeof(out), &e), -1);
	assert_msg(fx, &e, "invalid setting 'always [madvise' in", "/s", ": Invalid argument");
	assert_string_equal(out, "");
}

static void test_links_and_dirs(void **state)
{
	struct fixture *fx = *state;
	struct err e = ERR_INIT;
	struct dirent *d;
	char buf[64];
	unsigned n = 0;
	DIR *dir;

	assert_ok(gentree_symlink(fx->dir, "/sys/cpu0/node0", "../node/node0", &e), e);
	assert_int_equal(fs_readlink(&fx->r, "/sys/cpu0/node0", buf, sizeof(buf), &e), 13);
	assert_string_equal(buf, "../node/node0");
	assert_int_equal(fs_readlink(&fx->r, "/sys/cpu0/node0", buf, 8, &e), -1);
	assert_int_equal(e.sys, ENAMETOOLONG);
	assert_int_equal(fs_readlink(&fx->r, "/sys/cpu0/nope", buf, sizeof(buf), &e), -1);
	assert_msg(fx, &e, "cannot read link", "/sys/cpu0/nope", ": No such file or directory");

	put(fx, "/d/x", "1");
	put(fx, "/d/y", "2");
	dir = fs_opendir(&fx->r, "/d", &e);
	assert_non_null(dir);
	while ((d = readdir(dir)) != NULL)
		n += d->d_name[0] != '.';
	closedir(dir);
	assert_int_equal(n, 2);
	assert_null(fs_opendir(&fx->r, "/nodir", &e));
	assert_msg(fx, &e, "cannot open directory", "/nodir", ": No such file or directory");
	assert_null(fs_opendir(&fx->r, "/d/x", &e));
	assert_int_equal(e.sys, ENOTDIR);
	assert_null(fs_fopen(&fx->r, "/nofile", FS_MAX_KEYS, &e));
	assert_msg(fx, &e, "cannot open", "/nofile", ": No such file or directory");
}

static void test_write(void **state)
{
	struct fixture *fx = *state;
	struct err e = ERR_INIT;
	char buf[64];

	put(fx, "/knob", "0\n");
	assert_ok(fs_write(&fx->r, "/knob", "1", &e), e);
	assert_int_equal(fs_read(&fx->r, "/knob", buf, sizeof(buf), &e), 1);
	assert_string_equal(buf, "1");
	/* a typo must fail, never create a file */
	assert_int_equal(fs_write(&fx->r, "/knbo", "1", &e), -1);
	assert_msg(fx, &e, "cannot open", "/knbo", " for writing: No such file or directory");
	assert_false(fs_exists(&fx->r, "/knbo"));
	/* nor follow a link in the last component */
	assert_ok(gentree_symlink(fx->dir, "/link", "knob", &e), e);
	assert_int_equal(fs_write(&fx->r, "/link", "2", &e), -1);
	assert_int_equal(e.sys, ELOOP);
	assert_int_equal(fs_read(&fx->r, "/knob", buf, sizeof(buf), &e), 1);
	assert_string_equal(buf, "1");
	/* nor a path that is not under the root: relative, or with ".." */
	{
		char rel[4200];

		snprintf(rel, sizeof(rel), "x%s/knob", fx->dir);
		assert_int_equal(fs_write(&fx->r, rel, "3", &e), -1);
		assert_int_equal(e.sys, EINVAL);
		assert_int_equal(fs_write(&fx->r, "/d/../knob", "3", &e), -1);
		assert_msg(fx, &e, "refusing to write", "/d/../knob",
			   ": not a path under the root: Invalid argument");
		assert_int_equal(fs_write(&fx->r, "/..", "3", &e), -1);
		assert_int_equal(fs_read(&fx->r, "/knob", buf, sizeof(buf), &e), 1);
		assert_string_equal(buf, "1");
	}
	assert_int_equal(fs_access(&fx->r, "/knob", W_OK, &e), 0);
	assert_int_equal(fs_access(&fx->r, "/none", F_OK, &e), -1);
	assert_msg(fx, &e, "cannot access", "/none", ": No such file or directory");
}

/* Each way of resolving beneath a root that is not "/" (enum fs_resolve). */
static const enum fs_resolve modes[] = {FS_RESOLVE_OPENAT2, FS_RESOLVE_WALK};

/* Links out of the capture and their targets; @out is a directory of "the host". */
static void escape_tree(const struct fixture *fx, const char *out)
{
	struct err e = ERR_INIT;
	char target[4200];

	assert_ok(gentree_file(out, "/secret", "host\n", &e), e);
	assert_ok(gentree_file(out, "/vm/swappiness", "60\n", &e), e);
	snprintf(target, sizeof(target), "%s/secret", out);
	assert_ok(gentree_symlink(fx->dir, "/proc/cmdline", target, &e), e);
	snprintf(target, sizeof(target), "%s/vm", out);
	assert_ok(gentree_symlink(fx->dir, "/proc/sys/vm", target, &e), e);
	assert_ok(gentree_symlink(fx->dir, "/proc/up", "../../../../../../../../../..", &e), e);
	assert_ok(gentree_symlink(fx->dir, "/loop/a", "b", &e), e);
	assert_ok(gentree_symlink(fx->dir, "/loop/b", "/loop/a", &e), e);
	assert_ok(gentree_symlink(fx->dir, "/sys/cpu0/node0", "../node/node0", &e), e);
	put(fx, "/sys/node/node0/meminfo", "Node 0 MemTotal: 1 kB\n");
}

static void host_file_is(const char *out, const char *name, const char *want)
{
	char path[4200], buf[64] = "";
	FILE *f;

	snprintf(path, sizeof(path), "%s%s", out, name);
	f = fopen(path, "r");
	assert_non_null(f);
	assert_non_null(fgets(buf, sizeof(buf), f));
	fclose(f);
	assert_string_equal(buf, want);
}

/* A link, absolute or with enough "..", resolves inside the root as under
 * chroot(): the host's files are never read, listed or written. */
static void test_links_stay_in_root(void **state)
{
	struct fixture *fx = *state;
	struct err e = ERR_INIT;
	struct stat st;
	char out[4096], path[4200], buf[64];

	tu_tmpdir(out, sizeof(out));
	escape_tree(fx, out);
	snprintf(path, sizeof(path), "/proc/up%s/secret", out);
	for (size_t i = 0; i < ARRAY_LEN(modes); i++) {
		fx->r.resolve = modes[i];
		assert_int_equal(fs_read(&fx->r, "/proc/cmdline", buf, sizeof(buf), &e), -1);
		assert_int_equal(e.sys, ENOENT);
		assert_false(fs_exists(&fx->r, "/proc/cmdline"));
		assert_int_equal(fs_read(&fx->r, path, buf, sizeof(buf), &e), -1);
		assert_int_equal(e.sys, ENOENT);
		assert_int_equal(fs_write(&fx->r, "/proc/sys/vm/swappiness", "10", &e), -1);
		assert_msg(fx, &e, "cannot open", "/proc/sys/vm/swappiness",
			   " for writing: No such file or directory");
		assert_null(fs_opendir(&fx->r, "/proc/sys/vm", &e));
		assert_int_equal(e.sys, ENOENT);
		assert_int_equal(fs_stat(&fx->r, "/proc/sys/vm/swappiness", &st, &e), -1);
		assert_int_equal(fs_access(&fx->r, "/proc/sys/vm/swappiness", F_OK, &e), -1);
		assert_int_equal(fs_readlink(&fx->r, "/proc/sys/vm/x", buf, sizeof(buf), &e), -1);
		assert_int_equal(e.sys, ENOENT);
		assert_int_equal(fs_read(&fx->r, "/loop/a", buf, sizeof(buf), &e), -1);
		assert_int_equal(e.sys, ELOOP);
		/* a capture's own relative links keep working */
		assert_int_equal(fs_read(&fx->r, "/sys/cpu0/node0/meminfo", buf, sizeof(buf), &e),
				 21);
		assert_int_equal(fs_readlink(&fx->r, "/sys/cpu0/node0", buf, sizeof(buf), &e), 13);
		assert_string_equal(buf, "../node/node0");
		assert_int_equal(fs_readlink(&fx->r, "/sys/node", buf, sizeof(buf), &e), -1);
		assert_int_equal(e.sys, EINVAL);
	}
	/* the same names inside the root are what is read and written */
	snprintf(path, sizeof(path), "%s/secret", out);
	put(fx, path, "capture\n");
	snprintf(path, sizeof(path), "%s/vm/swappiness", out);
	put(fx, path, "60\n");
	snprintf(path, sizeof(path), "/proc/up/..%s/secret", out);
	for (size_t i = 0; i < ARRAY_LEN(modes); i++) {
		fx->r.resolve = modes[i];
		assert_int_equal(fs_read(&fx->r, "/proc/cmdline", buf, sizeof(buf), &e), 7);
		assert_string_equal(buf, "capture");
		assert_int_equal(fs_read(&fx->r, path, buf, sizeof(buf), &e), 7);
		assert_ok(fs_write(&fx->r, "/proc/sys/vm/swappiness", "10", &e), e);
		assert_ok(fs_access(&fx->r, "/proc/sys/vm/swappiness", W_OK, &e), e);
		assert_ok(fs_stat(&fx->r, "/proc/sys/vm", &st, &e), e);
		assert_true(S_ISDIR(st.st_mode));
		assert_int_equal(fs_read(&fx->r, "/proc/sys/vm/swappiness", buf, sizeof(buf), &e),
				 2);
		assert_string_equal(buf, "10");
	}
	host_file_is(out, "/secret", "host\n");
	host_file_is(out, "/vm/swappiness", "60\n");
	tu_rmtree(out);
}

/* What hwloc, which opens with plain openat(), would trip on in a tree. */
static void test_check_tree(void **state)
{
	static const char *const sys[] = {"/sys"}, *const proc[] = {"/proc"};
	struct fixture *fx = *state;
	struct err e = ERR_INIT;
	char bad[4600], want[4600], path[4200];

	assert_ok(gentree_symlink(fx->dir, "/sys/cpu0/node0", "../node/node0", &e), e);
	put(fx, "/sys/node/node0/meminfo", "Node 0 MemTotal: 1 kB\n");
	put(fx, "/proc/cpuinfo", "processor : 0\n");
	for (size_t i = 0; i < ARRAY_LEN(modes); i++) {
		fx->r.resolve = modes[i];
		assert_int_equal(fs_check_tree(&fx->r, sys, 1, bad, sizeof(bad)), 0);
		assert_string_equal(bad, "");
	}
	assert_ok(gentree_symlink(fx->dir, "/sys/cpu0/up", "../../..", &e), e);
	for (size_t i = 0; i < ARRAY_LEN(modes); i++) {
		fx->r.resolve = modes[i];
		assert_int_equal(fs_check_tree(&fx->r, sys, 1, bad, sizeof(bad)), 1);
		snprintf(want, sizeof(want), "'%s/sys/cpu0/up' links out of the root", fx->dir);
		assert_string_equal(bad, want);
	}
	snprintf(path, sizeof(path), "%s/proc/meminfo", fx->dir);
	assert_int_equal(mkfifo(path, 0600), 0);
	assert_int_equal(fs_check_tree(&fx->r, proc, 1, bad, sizeof(bad)), 1);
	snprintf(want, sizeof(want), "'%s/proc/meminfo' is not a regular file", fx->dir);
	assert_string_equal(bad, want);
}

/* A FIFO, device or directory where a file is read or written fails at once. */
static void test_not_regular(void **state)
{
	static const enum fs_resolve all[] = {FS_RESOLVE_PLAIN, FS_RESOLVE_OPENAT2,
					      FS_RESOLVE_WALK};
	struct fixture *fx = *state;
	struct err e = ERR_INIT;
	char path[4200], buf[64];
	int fd;

	snprintf(path, sizeof(path), "%s/fifo", fx->dir);
	assert_int_equal(mkfifo(path, 0600), 0);
	assert_ok(gentree_mkdir(fx->dir, "/dir", &e), e);
	alarm(20); /* a blocked open() fails the test instead of stalling it */
	for (size_t i = 0; i < ARRAY_LEN(all); i++) {
		fx->r.resolve = all[i];
		assert_int_equal(fs_read(&fx->r, "/fifo", buf, sizeof(buf), &e), -1);
		assert_int_equal(e.sys, ENOENT);
		assert_msg(fx, &e, "", "/fifo", " is not a regular file");
		assert_null(fs_fopen(&fx->r, "/fifo", FS_MAX_KEYS, &e));
		assert_msg(fx, &e, "", "/fifo", " is not a regular file");
		assert_null(fs_fopen(&fx->r, "/dir", FS_MAX_KEYS, &e));
		assert_int_equal(e.sys, ENOENT);
		assert_int_equal(fs_write(&fx->r, "/fifo", "1", &e), -1);
		assert_msg(fx, &e, "cannot open", "/fifo",
			   " for writing: No such device or address");
	}
	alarm(0);
	snprintf(path, sizeof(path), "%s/null", fx->dir);
	if (mknod(path, S_IFCHR | 0666, makedev(1, 3)) == 0) { /* /dev/null, as root */
		assert_int_equal(fs_read(&fx->r, "/null", buf, sizeof(buf), &e), -1);
		assert_msg(fx, &e, "", "/null", " is not a regular file");
		assert_int_equal(fs_write(&fx->r, "/null", "1", &e), -1);
		assert_int_equal(e.sys, EINVAL);
		assert_msg(fx, &e, "", "/null", " is not a regular file");
	}
	fd = open("/dev/zero", O_RDONLY | O_NONBLOCK);
	assert_true(fd >= 0);
	assert_int_equal(fs_check_input(fd, "/dev/zero", 1u << 20, &e), -1);
	assert_string_equal(e.msg, "'/dev/zero' is not a regular file");
	close(fd);
}

/* A 2 GiB file in a capture is refused, not read. */
static void test_size_caps(void **state)
{
	struct fixture *fx = *state;
	struct err e = ERR_INIT;
	char path[4200];
	FILE *f;
	int fd;

	put(fx, "/big", "");
	snprintf(path, sizeof(path), "%s/big", fx->dir);
	assert_int_equal(truncate(path, 2l << 30), 0); /* sparse */
	assert_null(fs_fopen(&fx->r, "/big", FS_MAX_PERCPU, &e));
	assert_int_equal(e.sys, EFBIG);
	assert_msg(fx, &e, "", "/big", " is larger than 64 MiB");
	assert_null(fs_fopen(&fx->r, "/big", FS_MAX_INTERRUPTS, &e));
	assert_msg(fx, &e, "", "/big", " is larger than 1024 MiB");
	fd = open(path, O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(fs_check_input(fd, "big.json", 16u << 20, &e), -1);
	assert_string_equal(e.msg, "'big.json' is larger than 16 MiB");
	close(fd);
	put(fx, "/small", "MemTotal: 1 kB\n");
	f = fs_fopen(&fx->r, "/small", FS_MAX_KEYS, &e);
	assert_non_null(f);
	fclose(f);
}

int main(void)
{
	static const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_open, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_each_line, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_read, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_numbers, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_sets, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_setting, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_links_and_dirs, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_write, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_links_stay_in_root, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_check_tree, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_not_regular, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_size_caps, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
