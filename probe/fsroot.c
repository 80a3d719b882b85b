/* fsroot.c - reading (and writing) host files relative to a root directory fd */
#include "probe/fsroot.h"

#include <assert.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int fsroot_open(struct fsroot *r, const char *dir, struct err *e)
{
	char real[FS_PATH_MAX];
	struct stat st;

	r->fd = -1;
	r->live = false;
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

static const char *rel(const char *path)
{
	assert(path[0] == '/');
	return path[1] ? path + 1 : ".";
}

bool fs_exists(const struct fsroot *r, const char *path)
{
	return faccessat(r->fd, rel(path), F_OK, 0) == 0;
}

int fs_access(const struct fsroot *r, const char *path, int mode, struct err *e)
{
	if (faccessat(r->fd, rel(path), mode, 0) < 0)
		return err_set(e, errno, "cannot access '%s%s'", r->shown, path);
	return 0;
}

long fs_read(const struct fsroot *r, const char *path, char *buf, size_t size, struct err *e)
{
	size_t len = 0;
	int fd;

	assert(size > 0);
	fd = openat(r->fd, rel(path), O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return err_set(e, errno, "cannot open '%s%s'", r->shown, path);
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

static const char *trim(char *s)
{
	size_t len = strlen(s);

	while (len > 0 && isspace((unsigned char)s[len - 1]))
		s[--len] = '\0';
	while (isspace((unsigned char)*s))
		s++;
	return s;
}

int fs_read_u64(const struct fsroot *r, const char *path, uint64_t *v, struct err *e)
{
	char buf[128];
	const char *s;
	char *end;

	if (fs_read(r, path, buf, sizeof(buf), e) < 0)
		return -1;
	s = trim(buf);
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
	s = trim(buf);
	errno = 0;
	*v = strtol(s, &end, 10);
	if (*s == '\0' || *end != '\0' || errno != 0)
		return err_set(e, EINVAL, "invalid number '%s' in '%s%s'", s, r->shown, path);
	return 0;
}

int fs_read_idset(const struct fsroot *r, const char *path, struct idset *s, struct err *e)
{
	char buf[16384];	/* a sysfs attribute is one page; cpulists of 8192 CPUs fit */
	const char *t;

	idset_clear(s);
	if (fs_read(r, path, buf, sizeof(buf), e) < 0)
		return -1;
	t = trim(buf);
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
	t = trim(buf);
	if (idset_parse_mask(s, t, e) < 0)
		return err_set(e, EINVAL, "invalid id mask '%.64s' in '%s%s'", t, r->shown, path);
	return 0;
}

int fs_read_setting(const struct fsroot *r, const char *path, char *out, size_t size,
		    struct err *e)
{
	char buf[1024];
	const char *open, *close;
	const char *t;

	out[0] = '\0';
	if (fs_read(r, path, buf, sizeof(buf), e) < 0)
		return -1;
	t = trim(buf);
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

long fs_readlink(const struct fsroot *r, const char *path, char *buf, size_t size,
		 struct err *e)
{
	ssize_t n = readlinkat(r->fd, rel(path), buf, size);

	if (n < 0)
		return err_set(e, errno, "cannot read link '%s%s'", r->shown, path);
	if ((size_t)n >= size)
		return err_set(e, ENAMETOOLONG, "cannot read link '%s%s'", r->shown, path);
	buf[n] = '\0';
	return (long)n;
}

FILE *fs_fopen(const struct fsroot *r, const char *path, struct err *e)
{
	int fd = openat(r->fd, rel(path), O_RDONLY | O_CLOEXEC | O_NOCTTY);
	FILE *f;

	if (fd < 0) {
		err_set(e, errno, "cannot open '%s%s'", r->shown, path);
		return NULL;
	}
	f = fdopen(fd, "r");
	if (!f) {
		err_set(e, errno, "cannot open '%s%s'", r->shown, path);
		close(fd);
	}
	return f;
}

DIR *fs_opendir(const struct fsroot *r, const char *path, struct err *e)
{
	int fd = openat(r->fd, rel(path), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
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
	/* O_TRUNC: sysfs and procfs ignore it, a plain file (a capture) needs it */
	fd = openat(r->fd, rel(path), O_WRONLY | O_TRUNC | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return err_set(e, errno, "cannot open '%s%s' for writing", r->shown, path);
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
