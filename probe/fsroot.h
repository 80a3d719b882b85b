/* fsroot.h - every /sys, /proc and /dev path is read through a root directory */
#ifndef HVTUNE_FSROOT_H
#define HVTUNE_FSROOT_H

#include <dirent.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/stat.h>

#include "probe/err.h"
#include "probe/idset.h"

#define FS_PATH_MAX 4096

/*
 * How a path beneath the root is resolved.  A capture is data from another
 * machine: a link in it (absolute, or with enough "..") must not reach the host
 * we run on, so it resolves as under chroot(): "/" and ".." stop at the root.
 */
enum fs_resolve {
	FS_RESOLVE_PLAIN,   /* the live root "/": openat() has nothing to escape to */
	FS_RESOLVE_OPENAT2, /* openat2(RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS), Linux 5.6 */
	FS_RESOLVE_WALK,    /* no openat2 (ENOSYS, or EPERM from a seccomp filter):
			     * one component at a time, links read and followed here */
};

/*
 * A root directory held open: "/" for the live host, or a captured tree of
 * another machine (hwloc's fsroot).  Every path below is absolute-looking
 * ("/sys/...") and is opened relative to the root fd, so a capture is read
 * exactly like the live host.  Nothing else in the code names /proc or /sys
 * on its own.
 */
struct fsroot {
	int fd;			 /* O_PATH directory fd, -1 when closed */
	bool live;		 /* the root is "/": the running host */
	char dir[FS_PATH_MAX];	 /* as given, for HWLOC_FSROOT */
	char shown[FS_PATH_MAX]; /* prefix for messages: "" when live, else the dir */
	enum fs_resolve resolve; /* chosen by fsroot_open() */
};

#define FSROOT_INIT                                                                                \
	{                                                                                          \
		-1, false, "", "", FS_RESOLVE_PLAIN                                                \
	}

/*
 * The most a line-oriented file may hold (fs_fopen()), by kind.  A capture is
 * plain files, and a 2 GB one would be read whole (getline() keeps the longest
 * line); these are far above what a kernel writes on the largest host Linux
 * runs (NR_CPUS 8192), so only a wrong or hostile file reaches them.
 */
/* "Key: value" files with a fixed set of keys: meminfo (~1.5 KiB), node
 * meminfo, vmstat (~200 lines), /proc/PID/status, cgroup files. */
#define FS_MAX_KEYS (1u << 20)
/* A block or line per CPU, per mapping or per mount: cpuinfo (x86: ~1.7 KiB a
 * CPU, 14 MiB at 8192), /proc/stat, numa_maps, mounts. */
#define FS_MAX_PERCPU (64u << 20)
/* /proc/interrupts is CPUs x IRQs: "%10u " is 11 bytes a CPU, 88 KiB a line at
 * 8192 CPUs, and 1 GiB still holds 12000 such lines. */
#define FS_MAX_INTERRUPTS (1024u << 20)

/* Opens @dir as the root.  On error @r is closed (fsroot_close() is safe). */
int fsroot_open(struct fsroot *r, const char *dir, struct err *e);
void fsroot_close(struct fsroot *r);

/*
 * Every function below resolves @path beneath the root (enum fs_resolve):
 * links inside the tree are followed, but never out of it.
 */

/* True when @path exists under the root (following links inside it). */
bool fs_exists(const struct fsroot *r, const char *path);
/* faccessat() under the root: 0, or -1 with errno in e->sys. */
int fs_access(const struct fsroot *r, const char *path, int mode, struct err *e);
/* stat() under the root (following links inside it): 0, or -1 with errno in e->sys. */
int fs_stat(const struct fsroot *r, const char *path, struct stat *st, struct err *e);

/*
 * Reads the whole file @path into @buf (NUL-terminated, one trailing newline
 * stripped).  Loops on EINTR and short reads, and fails with EFBIG instead of
 * truncating when the file does not fit.  Returns the length, or -1.
 *
 * fs_read() and fs_fopen() open only regular files (procfs and sysfs files are
 * S_IFREG), with O_NONBLOCK so a FIFO in a capture cannot block the open.
 * Anything else (FIFO, device, directory, socket) fails with "'PATH' is not a
 * regular file" and e->sys ENOENT: to the probe it stands for no kernel file,
 * so the fact is unknown, as for a missing one.
 */
long fs_read(const struct fsroot *r, const char *path, char *buf, size_t size, struct err *e);
/* A decimal (or "0x" hex) unsigned value, surrounding blanks allowed. */
int fs_read_u64(const struct fsroot *r, const char *path, uint64_t *v, struct err *e);
int fs_read_int(const struct fsroot *r, const char *path, long *v, struct err *e);
/* The kernel list format "0-3,8" (an empty file is the empty set). */
int fs_read_idset(const struct fsroot *r, const char *path, struct idset *s, struct err *e);
/* The kernel hex mask format "ff,00000000". */
int fs_read_mask(const struct fsroot *r, const char *path, struct idset *s, struct err *e);
/* The bracketed choice of "always [madvise] never", or the whole value when
 * there are no brackets. */
int fs_read_setting(const struct fsroot *r, const char *path, char *out, size_t size,
		    struct err *e);
/* readlink() under the root; NUL-terminated.  Returns the length or -1. */
long fs_readlink(const struct fsroot *r, const char *path, char *buf, size_t size, struct err *e);

/*
 * Opens a line-oriented file (cpuinfo, interrupts) for getline().  A file
 * larger than @max bytes (FS_MAX_*) fails with EFBIG and "'PATH' is larger
 * than N MiB"; procfs files show a size of 0 and are not limited.  Caller
 * fclose()s.
 */
FILE *fs_fopen(const struct fsroot *r, const char *path, size_t max, struct err *e);
/* Called by fs_each_line() for each line of the file, "\n" included when the
 * file has one; @line may be changed.  Returns 0 to go on, 1 to stop, or -1
 * with @e filled to fail the read. */
typedef int (*fs_line_fn)(char *line, void *arg, struct err *e);
/*
 * fs_fopen()s @path (at most @max bytes) and calls @fn on each line in turn:
 * the open, the read loop, the size cap and the "cannot read" wording once.
 * Returns 0 at the end of the file or when @fn returned 1, or -1 with @e
 * filled: the open failed (e->sys ENOENT for a missing file), a read failed,
 * or @fn failed (its own message).
 */
int fs_each_line(const struct fsroot *r, const char *path, size_t max, fs_line_fn fn, void *arg,
		 struct err *e);
/* Opens a directory for readdir().  Caller closedir()s. */
DIR *fs_opendir(const struct fsroot *r, const char *path, struct err *e);

/*
 * Writes @value to an existing file in one write(), as sysfs requires.  Never
 * creates a file (a typo fails with ENOENT), never follows a symlink in the
 * last component, and never writes to what is not a regular file (a FIFO or a
 * device node in a capture: "'PATH' is not a regular file", EINVAL).
 */
int fs_write(const struct fsroot *r, const char *path, const char *value, struct err *e);

/*
 * Looks through the directories @dirs of the tree (not following links) for
 * what a reader that does not resolve beneath the root would trip on: hwloc
 * with HWLOC_FSROOT opens with plain openat(), so a FIFO blocks it and an
 * absolute link takes it to our own host.  Returns 1 with "'PATH' is not a
 * regular file" or "'PATH' links out of the root" in @bad, or 0 (@bad "").
 */
int fs_check_tree(const struct fsroot *r, const char *const *dirs, size_t ndirs, char *bad,
		  size_t size);

/*
 * Checks @fd, opened by the caller on a file the user named (--plan, a
 * profile; not under a root), before it is read: a regular file of at most
 * @max bytes.  Otherwise -1 with "'@shown' is not a regular file" (EINVAL),
 * so /dev/zero or a FIFO fails at once instead of being read forever, or
 * "'@shown' is larger than N MiB" (EFBIG).  Open with O_NONBLOCK: a FIFO with
 * no writer would block open() itself.
 */
int fs_check_input(int fd, const char *shown, size_t max, struct err *e);

#endif
