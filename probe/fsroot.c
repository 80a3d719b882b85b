/* fsroot.c - reading (and writing) host files relative to a root directory fd */
#include "probe/fsroot.h"
#include "probe/strfmt.h"

#include <assert.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

/* The kernel's own bound on links in one lookup (MAXSYMLINKS, fs/namei.c) */
#define WALK_MAX_LINKS 40
/* Directories held open while walking; /sys paths are about 12 deep */
#define WALK_MAX_DEPTH 256

static const char *rel(const char *path)
{
	assert(path[0] == '/');
	return path[1] ? path + 1 : ".";
}

/*
 * glibc 2.36 has no openat2() wrapper.  RESOLVE_IN_ROOT makes "/" and ".."
 * stop at @dirfd, as chroot() would; it already refuses magic links
 * (/proc/PID/root and kin jump anywhere), RESOLVE_NO_MAGICLINKS says so.
 */
static int open2(int dirfd, const char *name, int flags, uint64_t resolve)
{
	struct open_how how = {
	    .flags = (uint64_t)(unsigned)(flags | O_CLOEXEC),
	    .resolve = resolve | RESOLVE_NO_MAGICLINKS,
	};
	long fd = -1;

	/* EAGAIN: a rename raced with a ".." lookup, and the kernel asks for a retry */
	for (int i = 0; i < 16; i++) {
		fd = syscall(SYS_openat2, dirfd, name, &how, sizeof(how));
		if (fd >= 0 || (errno != EAGAIN && errno != EINTR))
			break;
	}
	return (int)fd;
}

/* The fallback walk: the directories below the root it went through, so ".."
 * returns to the one it came from (no lookup of "..", which a rename could
 * move outside the root). */
struct walk {
	int root;		  /* the root fd, not ours to close */
	int dirs[WALK_MAX_DEPTH]; /* O_PATH fds, outermost first */
	size_t ndirs;
	unsigned nlinks;	       /* links followed so far */
	bool beneath;		       /* EXDEV where chroot() would stop at the root */
	char pending[2 * FS_PATH_MAX]; /* what is left to resolve, links expanded */
};

static int walk_cur(const struct walk *w)
{
	return w->ndirs ? w->dirs[w->ndirs - 1] : w->root;
}

static void walk_up_to(struct walk *w, size_t depth)
{
	while (w->ndirs > depth)
		close(w->dirs[--w->ndirs]);
}

/* Puts the target of the link @fd in front of @rest; an absolute target starts
 * again at the root. */
static int walk_link(struct walk *w, int fd, const char *rest)
{
	char target[FS_PATH_MAX], next[sizeof(w->pending)];
	ssize_t n;
	int len;

	if (++w->nlinks > WALK_MAX_LINKS)
		return errno = ELOOP, -1;
	n = readlinkat(fd, "", target, sizeof(target));
	if (n < 0)
		return -1;
	if ((size_t)n >= sizeof(target))
		return errno = ENAMETOOLONG, -1;
	target[n] = '\0';
	if (target[0] == '/' && w->beneath)
		return errno = EXDEV, -1;
	if (target[0] == '/')
		walk_up_to(w, 0);
	len = snprintf(next, sizeof(next), "%s/%s", target, rest);
	if (len < 0 || (size_t)len >= sizeof(next))
		return errno = ENAMETOOLONG, -1;
	memcpy(w->pending, next, (size_t)len + 1);
	return 0;
}

/* One component @name, the last one when @last: the next directory pushed, a
 * link expanded into w->pending (1), or the final fd (2 with *out set). */
static int walk_step(struct walk *w, const char *name, bool last, const char *rest, int flags,
		     int *out)
{
	struct stat st;
	int fd = openat(walk_cur(w), name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	int rc;

	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0)
		goto fail;
	if (S_ISLNK(st.st_mode) && !(last && (flags & O_NOFOLLOW))) {
		rc = walk_link(w, fd, rest);
		close(fd);
		return rc < 0 ? -1 : 1;
	}
	if (last) {
		close(fd);
		/* O_NOFOLLOW: a link swapped in since the fstat() fails with ELOOP */
		*out = openat(walk_cur(w), name, flags | O_NOFOLLOW | O_CLOEXEC);
		return *out < 0 ? -1 : 2;
	}
	if (!S_ISDIR(st.st_mode)) {
		errno = ENOTDIR;
		goto fail;
	}
	if (w->ndirs == WALK_MAX_DEPTH) {
		errno = ENAMETOOLONG;
		goto fail;
	}
	w->dirs[w->ndirs++] = fd;
	return 0;
fail:
	rc = errno;
	close(fd);
	errno = rc;
	return -1;
}

/* openat2(RESOLVE_IN_ROOT), or RESOLVE_BENEATH when @beneath, by hand, for
 * kernels before 5.6. */
static int walk_open(int root, const char *path, int flags, bool beneath)
{
	struct walk *w = malloc(sizeof(*w));
	const char *p;
	int fd = -1, sys;

	if (!w)
		return -1;
	w->root = root;
	w->ndirs = 0;
	w->nlinks = 0;
	w->beneath = beneath;
	snprintf(w->pending, sizeof(w->pending), "%s", path);
	p = w->pending;
	for (;;) {
		char name[NAME_MAX + 1];
		size_t len;
		int rc;

		p += strspn(p, "/");
		len = strcspn(p, "/");
		if (len == 0) { /* the path ends on a directory */
			fd = openat(walk_cur(w), ".", flags | O_CLOEXEC);
			break;
		}
		if (len > NAME_MAX) {
			errno = ENAMETOOLONG;
			break;
		}
		memcpy(name, p, len);
		name[len] = '\0';
		p += len;
		if (strcmp(name, ".") == 0)
			continue;
		if (strcmp(name, "..") == 0) { /* clamped at the root, as in chroot() */
			if (w->ndirs == 0 && w->beneath) {
				errno = EXDEV;
				break;
			}
			if (w->ndirs > 0)
				walk_up_to(w, w->ndirs - 1);
			continue;
		}
		rc = walk_step(w, name, p[strspn(p, "/")] == '\0', p, flags, &fd);
		if (rc < 0 || rc == 2)
			break;
		if (rc == 1)
			p = w->pending;
	}
	sys = errno;
	walk_up_to(w, 0);
	free(w);
	errno = sys;
	return fd;
}

/* Opens @path beneath the root: an fd, or -1 with errno. */
static int open_in(const struct fsroot *r, const char *path, int flags)
{
	switch (r->resolve) {
	case FS_RESOLVE_OPENAT2:
		return open2(r->fd, rel(path), flags, RESOLVE_IN_ROOT);
	case FS_RESOLVE_WALK:
		return walk_open(r->fd, path, flags, false);
	case FS_RESOLVE_PLAIN:
	default:
		return openat(r->fd, rel(path), flags | O_CLOEXEC);
	}
}

int fsroot_open(struct fsroot *r, const char *dir, struct err *e)
{
	char real[FS_PATH_MAX];
	struct stat st;

	r->fd = -1;
	r->live = false;
	r->resolve = FS_RESOLVE_PLAIN;
	snprintf(r->dir, sizeof(r->dir), "%s", dir);
	r->shown[0] = '\0';
	if (dir[0] == '\0')
		return err_set(e, EINVAL, "empty root directory");
	r->fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (r->fd < 0)
		return err_set(e, errno, "cannot open root '%s'", dir);
	if (fstat(r->fd, &st) < 0 || realpath(dir, real) == NULL) {
		int sys = errno;

		fsroot_close(r);
		return err_set(e, sys, "cannot resolve root '%s'", dir);
	}
	r->live = strcmp(real, "/") == 0;
	if (!r->live) {
		size_t len = strlen(dir);
		int fd = open2(r->fd, ".", O_PATH | O_DIRECTORY, RESOLVE_IN_ROOT);

		r->resolve = fd >= 0 ? FS_RESOLVE_OPENAT2 : FS_RESOLVE_WALK;
		if (fd >= 0)
			close(fd);

		/* "fx/" and "fx" both show as "fx/sys/..." */
		while (len > 1 && dir[len - 1] == '/')
			len--;
		snprintf(r->shown, sizeof(r->shown), "%.*s", (int)len, dir);
	}
	return 0;
}

void fsroot_close(struct fsroot *r)
{
	if (r->fd >= 0)
		close(r->fd);
	r->fd = -1;
}

/*
 * A regular file, of at most @max bytes when @max is not 0.  A capture's FIFO,
 * device or directory fails with @notreg in e->sys; procfs and sysfs files are
 * S_IFREG (procfs ones of size 0, so @max limits only files on a disk).
 */
static int check_regular(int fd, const char *shown, const char *path, size_t max, int notreg,
			 struct err *e)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return err_set(e, errno, "cannot stat '%s%s'", shown, path);
	if (!S_ISREG(st.st_mode)) {
		err_set(e, 0, "'%s%s' is not a regular file", shown, path);
		e->sys = notreg;
		return -1;
	}
	if (max > 0 && (uintmax_t)st.st_size > max) {
		err_set(e, 0, "'%s%s' is larger than %zu MiB", shown, path, max >> 20);
		e->sys = EFBIG;
		return -1;
	}
	return 0;
}

int fs_check_input(int fd, const char *shown, size_t max, struct err *e)
{
	return check_regular(fd, shown, "", max, EINVAL, e);
}

/* A regular file beneath the root, opened for reading: an fd or -1. */
static int open_regular(const struct fsroot *r, const char *path, size_t max, struct err *e)
{
	/* O_NONBLOCK: open() of a FIFO waits for a writer; regular files ignore it */
	int fd = open_in(r, path, O_RDONLY | O_NONBLOCK | O_NOCTTY);

	if (fd < 0)
		return err_set(e, errno, "cannot open '%s%s'", r->shown, path);
	/* The live /proc and /sys hold only the kernel's files, all S_IFREG (procfs
	 * ones of size 0): the fstat() would cost a syscall a file for nothing. */
	if (!r->live && check_regular(fd, r->shown, path, max, ENOENT, e) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

bool fs_exists(const struct fsroot *r, const char *path)
{
	int fd;

	if (r->resolve == FS_RESOLVE_PLAIN)
		return faccessat(r->fd, rel(path), F_OK, 0) == 0;
	fd = open_in(r, path, O_PATH);
	if (fd < 0)
		return false;
	close(fd);
	return true;
}

int fs_access(const struct fsroot *r, const char *path, int mode, struct err *e)
{
	char proc[64];
	int fd, rc;

	if (r->resolve == FS_RESOLVE_PLAIN) {
		if (faccessat(r->fd, rel(path), mode, 0) < 0)
			return err_set(e, errno, "cannot access '%s%s'", r->shown, path);
		return 0;
	}
	fd = open_in(r, path, O_PATH);
	if (fd < 0)
		return err_set(e, errno, "cannot access '%s%s'", r->shown, path);
	/* faccessat2() takes AT_EMPTY_PATH since Linux 5.8; before, the fd's proc link */
	rc = faccessat(fd, "", mode, AT_EMPTY_PATH);
	if (rc < 0 && (errno == EINVAL || errno == ENOSYS)) {
		snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
		rc = access(proc, mode);
	}
	if (rc < 0)
		rc = err_set(e, errno, "cannot access '%s%s'", r->shown, path);
	close(fd);
	return rc;
}

int fs_stat(const struct fsroot *r, const char *path, struct stat *st, struct err *e)
{
	int fd, rc = 0;

	if (r->resolve == FS_RESOLVE_PLAIN) {
		if (fstatat(r->fd, rel(path), st, 0) < 0)
			return err_set(e, errno, "cannot stat '%s%s'", r->shown, path);
		return 0;
	}
	fd = open_in(r, path, O_PATH);
	if (fd < 0 || fstat(fd, st) < 0)
		rc = err_set(e, errno, "cannot stat '%s%s'", r->shown, path);
	if (fd >= 0)
		close(fd);
	return rc;
}

long fs_read(const struct fsroot *r, const char *path, char *buf, size_t size, struct err *e)
{
	size_t len = 0;
	int fd;

	assert(size > 0);
	buf[0] = '\0';
	fd = open_regular(r, path, 0, e);
	if (fd < 0)
		return -1;
	for (;;) {
		ssize_t n = read(fd, buf + len, size - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int sys = errno;

			close(fd);
			buf[0] = '\0';
			return err_set(e, sys, "cannot read '%s%s'", r->shown, path);
		}
		if (n == 0)
			break;
		len += (size_t)n;
		if (len == size) {
			close(fd);
			buf[0] = '\0';
			return err_set(e, EFBIG, "cannot read '%s%s'", r->shown, path);
		}
	}
	close(fd);
	buf[len] = '\0';
	if (len > 0 && buf[len - 1] == '\n')
		buf[--len] = '\0';
	return (long)len;
}

int fs_read_u64(const struct fsroot *r, const char *path, uint64_t *v, struct err *e)
{
	char buf[128];
	const char *s;
	char *end;

	if (fs_read(r, path, buf, sizeof(buf), e) < 0)
		return -1;
	s = strfmt_trim(buf);
	errno = 0;
	*v = strtoull(s, &end, 0);
	if (!isdigit((unsigned char)*s) || *end != '\0' || errno != 0)
		return err_set(e, EINVAL, "invalid number '%s' in '%s%s'", s, r->shown, path);
	return 0;
}

int fs_read_int(const struct fsroot *r, const char *path, long *v, struct err *e)
{
	char buf[128];
	const char *s;
	char *end;

	if (fs_read(r, path, buf, sizeof(buf), e) < 0)
		return -1;
	s = strfmt_trim(buf);
	errno = 0;
	*v = strtol(s, &end, 10);
	if (*s == '\0' || *end != '\0' || errno != 0)
		return err_set(e, EINVAL, "invalid number '%s' in '%s%s'", s, r->shown, path);
	return 0;
}

int fs_read_idset(const struct fsroot *r, const char *path, struct idset *s, struct err *e)
{
	char buf[16384]; /* a sysfs attribute is one page; cpulists of 8192 CPUs fit */
	const char *t;

	idset_clear(s);
	if (fs_read(r, path, buf, sizeof(buf), e) < 0)
		return -1;
	t = strfmt_trim(buf);
	if (idset_parse(s, t, e) < 0)
		return err_set(e, EINVAL, "invalid id list '%.64s' in '%s%s'", t, r->shown, path);
	return 0;
}

int fs_read_mask(const struct fsroot *r, const char *path, struct idset *s, struct err *e)
{
	char buf[16384];
	const char *t;

	idset_clear(s);
	if (fs_read(r, path, buf, sizeof(buf), e) < 0)
		return -1;
	t = strfmt_trim(buf);
	if (idset_parse_mask(s, t, e) < 0)
		return err_set(e, EINVAL, "invalid id mask '%.64s' in '%s%s'", t, r->shown, path);
	return 0;
}

int fs_read_setting(const struct fsroot *r, const char *path, char *out, size_t size, struct err *e)
{
	char buf[1024];
	const char *open, *close;
	const char *t;

	out[0] = '\0';
	if (fs_read(r, path, buf, sizeof(buf), e) < 0)
		return -1;
	t = strfmt_trim(buf);
	open = strchr(t, '[');
	close = open ? strchr(open, ']') : NULL;
	if (open && !close)
		return err_set(e, EINVAL, "invalid setting '%s' in '%s%s'", t, r->shown, path);
	if (open)
		snprintf(out, size, "%.*s", (int)(close - open - 1), open + 1);
	else
		snprintf(out, size, "%s", t);
	return 0;
}

long fs_readlink(const struct fsroot *r, const char *path, char *buf, size_t size, struct err *e)
{
	ssize_t n;
	int fd = -1;

	if (r->resolve == FS_RESOLVE_PLAIN) {
		n = readlinkat(r->fd, rel(path), buf, size);
	} else {
		/* the link itself, its directory resolved beneath the root */
		fd = open_in(r, path, O_PATH | O_NOFOLLOW);
		n = fd < 0 ? -1 : readlinkat(fd, "", buf, size);
		if (n < 0 && fd >= 0 && errno == ENOENT)
			errno = EINVAL; /* "" names no link: readlink(2)'s "not a link" */
	}
	if (n < 0) {
		int sys = errno;

		if (fd >= 0)
			close(fd);
		return err_set(e, sys, "cannot read link '%s%s'", r->shown, path);
	}
	if (fd >= 0)
		close(fd);
	if ((size_t)n >= size)
		return err_set(e, ENAMETOOLONG, "cannot read link '%s%s'", r->shown, path);
	buf[n] = '\0';
	return (long)n;
}

FILE *fs_fopen(const struct fsroot *r, const char *path, size_t max, struct err *e)
{
	int fd = open_regular(r, path, max, e);
	FILE *f;

	if (fd < 0)
		return NULL;
	f = fdopen(fd, "r");
	if (!f) {
		err_set(e, errno, "cannot open '%s%s'", r->shown, path);
		close(fd);
	}
	return f;
}

int fs_each_line(const struct fsroot *r, const char *path, size_t max, fs_line_fn fn, void *arg,
		 struct err *e)
{
	FILE *f = fs_fopen(r, path, max, e);
	char *line = NULL;
	size_t cap = 0;
	int rc = 0;

	if (!f)
		return -1;
	errno = 0;
	while (getline(&line, &cap, f) > 0) {
		rc = fn(line, arg, e);
		if (rc != 0)
			break;
		errno = 0;
	}
	if (rc == 0 && ferror(f))
		rc = err_set(e, errno, "cannot read '%s%s'", r->shown, path);
	free(line);
	fclose(f);
	return rc < 0 ? -1 : 0;
}

DIR *fs_opendir(const struct fsroot *r, const char *path, struct err *e)
{
	int fd = open_in(r, path, O_RDONLY | O_DIRECTORY);
	DIR *d;

	if (fd < 0) {
		err_set(e, errno, "cannot open directory '%s%s'", r->shown, path);
		return NULL;
	}
	d = fdopendir(fd);
	if (!d) {
		err_set(e, errno, "cannot open directory '%s%s'", r->shown, path);
		close(fd);
	}
	return d;
}

/* A ".." component: the path would leave the directory it names. */
static bool has_dotdot(const char *path)
{
	for (const char *p = strstr(path, ".."); p; p = strstr(p + 1, ".."))
		if ((p == path || p[-1] == '/') && (p[2] == '\0' || p[2] == '/'))
			return true;
	return false;
}

int fs_write(const struct fsroot *r, const char *path, const char *value, struct err *e)
{
	size_t len = strlen(value);
	ssize_t n;
	int fd;

	/* the path can come from a file (a journal): rel() only asserts that it
	 * is absolute, and "x/etc/f" would become "/etc/f", outside the root */
	if (path[0] != '/' || has_dotdot(path))
		return err_set(e, EINVAL, "refusing to write '%s%s': not a path under the root",
			       r->shown, path);
	/* O_TRUNC: sysfs and procfs ignore it, a plain file (a capture) needs it.
	 * O_NONBLOCK: a FIFO with no reader fails (ENXIO) instead of blocking. */
	fd = open_in(r, path, O_WRONLY | O_TRUNC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY);
	if (fd < 0)
		return err_set(e, errno, "cannot open '%s%s' for writing", r->shown, path);
	/* a device node in a capture is not a knob: never write to it */
	if (check_regular(fd, r->shown, path, 0, EINVAL, e) < 0) {
		close(fd);
		return -1;
	}
	do
		n = write(fd, value, len);
	while (n < 0 && errno == EINTR);
	if (n < 0 || (size_t)n != len) {
		int sys = n < 0 ? errno : EIO;

		close(fd);
		return err_set(e, sys, "cannot write '%s' to '%s%s'", value, r->shown, path);
	}
	if (close(fd) < 0)
		return err_set(e, errno, "cannot write '%s' to '%s%s'", value, r->shown, path);
	return 0;
}

/* ---- what another reader of the tree would trip on ---- */

/* Does the link at @path (beneath the root) lead out of it, as a plain openat()
 * from the root fd would follow it?  Loops and magic links count as out. */
static bool link_leaves(const struct fsroot *r, const char *path)
{
	int fd;

	if (r->resolve == FS_RESOLVE_OPENAT2)
		fd = open2(r->fd, rel(path), O_PATH, RESOLVE_BENEATH);
	else
		fd = walk_open(r->fd, path, O_PATH, true);
	if (fd >= 0) {
		close(fd);
		return false;
	}
	return errno == EXDEV || errno == ELOOP;
}

/* getdents64() records (glibc 2.36 has no getdents64() wrapper) */
struct dirent64_rec {
	uint64_t ino;
	int64_t off;
	unsigned short reclen;
	unsigned char type;
	char name[];
};

#define SCAN_BUF 16384

struct scan {
	const struct fsroot *r;
	char path[FS_PATH_MAX];	    /* the entry being looked at, beneath the root */
	char *bufs[WALK_MAX_DEPTH]; /* a getdents64() buffer per depth, reused */
	char *bad;		    /* the first finding */
	size_t size;
	unsigned depth;
};

static int scan_dir(struct scan *sc, int dirfd, size_t len);

/* 1 with sc->bad set when the entry @name of @dirfd (sc->path) is a finding. */
static int scan_entry(struct scan *sc, int dirfd, const char *name, unsigned char type, size_t len)
{
	struct stat st;
	int fd, rc;

	if (type == DT_UNKNOWN) { /* some file systems leave d_type to stat() */
		if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			return 0;
		type = S_ISDIR(st.st_mode)   ? DT_DIR
		       : S_ISREG(st.st_mode) ? DT_REG
		       : S_ISLNK(st.st_mode) ? DT_LNK
					     : DT_FIFO;
	}
	if (type == DT_REG)
		return 0;
	if (type == DT_LNK) {
		if (!link_leaves(sc->r, sc->path))
			return 0;
		snprintf(sc->bad, sc->size, "'%s%s' links out of the root", sc->r->shown, sc->path);
		return 1;
	}
	if (type != DT_DIR) {
		snprintf(sc->bad, sc->size, "'%s%s' is not a regular file", sc->r->shown, sc->path);
		return 1;
	}
	if (sc->depth + 1 >= WALK_MAX_DEPTH)
		return 0;
	fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return 0; /* what cannot be listed cannot be read either */
	sc->depth++;
	rc = scan_dir(sc, fd, len);
	sc->depth--;
	return rc;
}

/*
 * Every entry of @dirfd (closed here), sc->path being its path of @len bytes.
 * Raw getdents64() and d_type: the scan of a 256-CPU capture lists ~2000
 * directories, and opendir()'s fcntl() and allocation were a third of it.
 */
static int scan_dir(struct scan *sc, int dirfd, size_t len)
{
	char *buf = sc->bufs[sc->depth];
	long n;
	int rc = 0;

	if (!buf && !(buf = sc->bufs[sc->depth] = malloc(SCAN_BUF))) {
		close(dirfd);
		return 0;
	}
	while (rc == 0 && (n = syscall(SYS_getdents64, dirfd, buf, SCAN_BUF)) > 0) {
		for (long off = 0; rc == 0 && off < n;) {
			const struct dirent64_rec *d = (const void *)(buf + off);
			size_t nlen = strlen(d->name);

			off += d->reclen;
			if (d->name[0] == '.' && (nlen == 1 || (nlen == 2 && d->name[1] == '.')))
				continue;
			if (len + 1 + nlen >= sizeof(sc->path))
				continue;
			sc->path[len] = '/';
			memcpy(sc->path + len + 1, d->name, nlen + 1);
			rc = scan_entry(sc, dirfd, d->name, d->type, len + 1 + nlen);
		}
	}
	sc->path[len] = '\0';
	close(dirfd);
	return rc;
}

int fs_check_tree(const struct fsroot *r, const char *const *dirs, size_t ndirs, char *bad,
		  size_t size)
{
	struct scan *sc = calloc(1, sizeof(*sc));
	int rc = 0;

	bad[0] = '\0';
	if (!sc) { /* unscanned is unsafe: our own reader then reads the tree */
		snprintf(bad, size, "cannot scan '%s': out of memory", r->shown);
		return 1;
	}
	sc->r = r;
	sc->bad = bad;
	sc->size = size;
	for (size_t i = 0; i < ndirs && rc == 0; i++) {
		int fd;

		snprintf(sc->path, sizeof(sc->path), "%s", dirs[i]);
		if (link_leaves(r, sc->path)) {
			snprintf(bad, size, "'%s%s' links out of the root", r->shown, sc->path);
			rc = 1;
			break;
		}
		fd = openat(r->fd, rel(sc->path), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd >= 0)
			rc = scan_dir(sc, fd, strlen(sc->path));
	}
	for (size_t i = 0; i < WALK_MAX_DEPTH; i++)
		free(sc->bufs[i]);
	free(sc);
	return rc;
}
