/* fuzz.c - the private root of the harnesses, and input helpers */
#include "tests/fuzz/fuzz.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sanitizer/common_interface_defs.h>

struct fsroot fz_root = FSROOT_INIT;
char fz_dir[FS_PATH_MAX];

static const char sep[] = "\n--8<--\n";

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	remove(path); /* keep going past a failure: leave as little as we can */
	return 0;
}

static void fz_cleanup(void)
{
	fsroot_close(&fz_root);
	if (fz_dir[0])
		nftw(fz_dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

void fz_check(int cond, const char *msg)
{
	if (!cond) {
		fprintf(stderr, "fuzz: invariant broken: %s\n", msg);
		fz_cleanup(); /* libFuzzer leaves with _Exit() after a crash */
		abort();
	}
}

void fz_init(void)
{
	const char *t = getenv("TMPDIR");
	struct err e = ERR_INIT;
	struct stat st;

	if (fz_dir[0])
		return;
	if (!t || !t[0])
		t = stat("/dev/shm", &st) == 0 && access("/dev/shm", W_OK) == 0 ? "/dev/shm"
										: "/tmp";
	snprintf(fz_dir, sizeof(fz_dir), "%s/hvtune-fuzz.XXXXXX", t);
	if (!mkdtemp(fz_dir)) {
		fprintf(stderr, "fuzz: cannot make '%s': %s\n", fz_dir, strerror(errno));
		abort();
	}
	atexit(fz_cleanup);
	/* a sanitizer report ends the process without atexit handlers */
	__sanitizer_set_death_callback(fz_cleanup);
	if (fsroot_open(&fz_root, fz_dir, &e) < 0) {
		fprintf(stderr, "fuzz: %s\n", e.msg);
		abort();
	}
}

void fz_mkdir(const char *path)
{
	char full[FS_PATH_MAX + 64];

	snprintf(full, sizeof(full), "%s%s", fz_dir, path);
	for (char *p = full + strlen(fz_dir) + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(full, 0755) < 0 && errno != EEXIST) {
			fprintf(stderr, "fuzz: cannot make '%s': %s\n", full, strerror(errno));
			abort();
		}
		*p = '/';
	}
	if (mkdir(full, 0755) < 0 && errno != EEXIST) {
		fprintf(stderr, "fuzz: cannot make '%s': %s\n", full, strerror(errno));
		abort();
	}
}

void fz_write(const char *path, const void *data, size_t size)
{
	char full[FS_PATH_MAX + 64], dir[FS_PATH_MAX];
	const char *slash = strrchr(path, '/');
	int fd;

	if (slash && slash != path) {
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
		snprintf(full, sizeof(full), "%s%s", fz_dir, dir);
		if (access(full, F_OK) < 0)
			fz_mkdir(dir);
	}
	snprintf(full, sizeof(full), "%s%s", fz_dir, path);
	fd = open(full, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		fprintf(stderr, "fuzz: cannot write '%s': %s\n", full, strerror(errno));
		abort();
	}
	for (size_t off = 0; off < size;) {
		ssize_t n = write(fd, (const char *)data + off, size - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			fprintf(stderr, "fuzz: cannot write '%s': %s\n", full, strerror(errno));
			abort();
		}
		off += (size_t)n;
	}
	close(fd);
}

void fz_write_str(const char *path, const char *s)
{
	fz_write(path, s, strlen(s));
}

char *fz_cstr(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (!s)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

size_t fz_split(const uint8_t *data, size_t size, char **parts, size_t max)
{
	const char *p = (const char *)data, *end = p + size;
	size_t n = 0;

	for (; n < max; n++) {
		const char *at =
		    p < end ? memmem(p, (size_t)(end - p), sep, sizeof(sep) - 1) : NULL;
		size_t len = p >= end ? 0 : at ? (size_t)(at - p) : (size_t)(end - p);
		/* the last part takes the rest, separators included */
		if (n == max - 1 && p < end)
			len = (size_t)(end - p);
		parts[n] = fz_cstr((const uint8_t *)(p < end ? p : ""), len);
		p = at && n < max - 1 ? at + sizeof(sep) - 1 : end;
	}
	return n;
}

void fz_free_parts(char **parts, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(parts[i]);
}

void fz_host(struct host *h, unsigned ncpus)
{
	memset(h, 0, sizeof(*h));
	h->mem.swappiness = -1;
	h->cpus = calloc(ncpus, sizeof(*h->cpus));
	h->nodes = calloc(1, sizeof(*h->nodes));
	if (!h->cpus || !h->nodes)
		abort();
	h->ncpus = ncpus;
	h->nnodes = 1;
	for (unsigned i = 0; i < ncpus; i++) {
		h->cpus[i] = (struct cpu){
		    .id = i, .node = 0, .package = 0, .core = (int)i, .smt = (int)i, .l3 = 0};
		idset_add(&h->nodes[0].cpus, i);
		idset_add(&h->topo.online, i);
		idset_add(&h->topo.possible, i);
	}
}

int fz_probe_one(const char *path, const uint8_t *data, size_t size, fz_part part, unsigned ncpus)
{
	struct err e = ERR_INIT;
	struct host h;

	fz_write(path, data, size);
	fz_host(&h, ncpus);
	part(&h, &fz_root, &e);
	host_release(&h);
	return 0;
}
