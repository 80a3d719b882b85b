/* testutil.c - shared test helpers */
#include "tests/testutil.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

const char *tu_fixtures(void)
{
	const char *d = getenv("HVTUNE_FIXTURES");

	return d && *d ? d : NULL;
}

void tu_skip_msg(const char *fmt, ...)
{
	va_list ap;

	fputs("SKIP: ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
	fflush(stdout);
}

void tu_tmpdir(char *dir, size_t size)
{
	const char *t = getenv("TMPDIR");
	struct stat st;

	/* Unpacking a capture makes thousands of small files: tmpfs is many
	 * times faster than a disk for that. */
	if (!t || !*t)
		t = stat("/dev/shm", &st) == 0 && S_ISDIR(st.st_mode) &&
			    access("/dev/shm", W_OK) == 0
			? "/dev/shm"
			: "/tmp";
	snprintf(dir, size, "%s/hvtune-test.XXXXXX", t);
	if (!mkdtemp(dir))
		fail_msg("mkdtemp '%s': %s", dir, strerror(errno));
}

void tu_rmtree(const char *dir)
{
	char cmd[8400], top[4096];
	const char *mark, *end;
	int rc;

	if (!dir || !(mark = strstr(dir, "/hvtune-test.")) || strstr(dir, ".."))
		return; /* only ever remove what tu_tmpdir() made */
	/* the whole temporary directory, also when given a path inside it (the
	 * root of a capture unpacked by tu_unpack_host()) */
	end = strchr(mark + 1, '/');
	snprintf(top, sizeof(top), "%.*s", (int)(end ? end - dir : (long)strlen(dir)), dir);
	snprintf(cmd, sizeof(cmd), "chmod -R u+rwX '%s' 2>/dev/null; rm -rf '%s'", top, top);
	rc = system(cmd);
	(void)rc;
}

bool tu_unpack_host(const char *host, char *root, size_t size)
{
	const char *fx = tu_fixtures();
	char tarball[4096], dir[4096], cmd[8400];
	struct stat st;

	if (!fx) {
		tu_skip_msg("HVTUNE_FIXTURES is not set: no real-machine captures to test");
		return false;
	}
	snprintf(tarball, sizeof(tarball), "%s/hosts/%s.tar.xz", fx, host);
	if (stat(tarball, &st) < 0) {
		tu_skip_msg("capture '%s' is absent: %s", tarball, strerror(errno));
		return false;
	}
	tu_tmpdir(dir, sizeof(dir));
	snprintf(cmd, sizeof(cmd), "tar -xJf '%s' -C '%s'", tarball, dir);
	if (system(cmd) != 0)
		fail_msg("cannot unpack '%s'", tarball);
	snprintf(root, size, "%s/%s", dir, host);
	return true;
}

char *tu_run(const char *cmd, int *status)
{
	FILE *p = popen(cmd, "r");
	char *out = NULL;
	size_t len = 0, cap = 0;
	char buf[4096];
	size_t n;
	int st;

	if (!p)
		return NULL;
	while ((n = fread(buf, 1, sizeof(buf), p)) > 0) {
		if (len + n + 1 > cap) {
			cap = (len + n + 1) * 2;
			out = realloc(out, cap);
			if (!out)
				abort();
		}
		memcpy(out + len, buf, n);
		len += n;
	}
	if (!out) {
		out = malloc(1);
		if (!out)
			abort();
	}
	out[len] = '\0';
	st = pclose(p);
	if (status)
		*status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
	return out;
}
