/* gentree.c - writing synthetic /sys + /proc trees */
#include "tests/gentree.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int gentree_mkdir(const char *dir, const char *path, struct err *e)
{
	char full[4096];

	snprintf(full, sizeof(full), "%s%s", dir, path);
	for (char *p = full + strlen(dir) + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(full, 0755) < 0 && errno != EEXIST)
			return err_set(e, errno, "cannot make '%s'", full);
		*p = '/';
	}
	if (mkdir(full, 0755) < 0 && errno != EEXIST)
		return err_set(e, errno, "cannot make '%s'", full);
	return 0;
}

static int mkparent(const char *dir, const char *path, struct err *e)
{
	char parent[4096];
	char *slash;

	snprintf(parent, sizeof(parent), "%s", path);
	slash = strrchr(parent, '/');
	if (!slash || slash == parent)
		return 0;
	*slash = '\0';
	return gentree_mkdir(dir, parent, e);
}

int gentree_file(const char *dir, const char *path, const char *content, struct err *e)
{
	char full[4096];
	size_t len = strlen(content);
	FILE *f;

	if (mkparent(dir, path, e) < 0)
		return -1;
	snprintf(full, sizeof(full), "%s%s", dir, path);
	f = fopen(full, "w");
	if (!f)
		return err_set(e, errno, "cannot create '%s'", full);
	if (fwrite(content, 1, len, f) != len) {
		fclose(f);
		return err_set(e, errno, "cannot write '%s'", full);
	}
	if (fclose(f) != 0)
		return err_set(e, errno, "cannot write '%s'", full);
	return 0;
}

int gentree_symlink(const char *dir, const char *path, const char *target, struct err *e)
{
	char full[4096];

	if (mkparent(dir, path, e) < 0)
		return -1;
	snprintf(full, sizeof(full), "%s%s", dir, path);
	if (symlink(target, full) < 0 && errno != EEXIST)
		return err_set(e, errno, "cannot link '%s'", full);
	return 0;
}

void gentree_default(struct gentree_spec *s)
{
	memset(s, 0, sizeof(*s));
	s->npackages = 1;
	s->nodes_per_package = 1;
	s->cores_per_node = 4;
	s->threads_per_core = 2;
	s->l3_per_node = 1;
	s->mem_per_node_kib = UINT64_C(16) << 20;
}

/* SCAFFOLD: gentree_write() is written by the topology work. */
int gentree_write(const char *dir, const struct gentree_spec *s, struct err *e)
{
	(void)s;
	return err_set(e, ENOSYS, "gentree_write '%s'", dir);
}
