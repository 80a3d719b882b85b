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
	FS_RESOLVE_PLAIN,	/* the live root "/": openat() has nothing to escape to */
	FS_RESOLVE_OPENAT2,	/* openat2(RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS), Linux 5.6 */
	FS_RESOLVE_WALK,	/* no openat2 (ENOSYS, or EPERM from a seccomp filter):
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
	int fd;			/* O_PATH directory fd, -1 when closed */
	bool live;		/* the root is "/": the running host */
	char dir[FS_PATH_MAX];	/* as given, for HWLOC_FSROOT */
	char shown[FS_PATH_MAX];/* prefix for messages: "" when live, else the dir */
	enum fs_resolve resolve;/* chosen by fsroot_open() */
};

#define FSROOT_INIT { -1, false, "", "", FS_RESOLVE_PLAIN }

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
long fs_readlink(const struct fsroot *r, const char *path, char *buf, size_t size,
		 struct err *e);

/* Opens a line-oriented file (cpuinfo, interrupts) for getline().  Caller fclose()s. */
FILE *fs_fopen(const struct fsroot *r, const char *path, struct err *e);
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

#endif
