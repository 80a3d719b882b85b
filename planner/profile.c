/* profile.c - tuning profiles: INI files (libinih) over the built-in "balanced" defaults
 *
 * The only file that includes <ini.h>.  inih reports the line of the first
 * syntax error but not the line of a key it hands us, so the reader below
 * counts lines itself: inih reads a line and calls the handler before it
 * reads the next one, so the count is the handler's line.
 */
#include "planner/profile.h"

#include <assert.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ini.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "probe/fsroot.h"

#ifndef HVTUNE_PROFILES_DIR
#define HVTUNE_PROFILES_DIR ""
#endif
#define PROFILES_INSTALLED "/usr/share/hvtune/profiles"
/* The largest profile file read: the shipped ones are under 2 KiB. */
#define PROFILE_MAX (1u << 20)

static const char *const smt_names[] = {"prefer", "isolate", "require"};
static const char *const emu_names[] = {"housekeeping", "dedicated-core", "shared"};
static const char *const fit_names[] = {"pack", "spread"};
static const char *const knob_names[] = {"keep", "off", "on"};
static_assert(ARRAY_LEN(smt_names) == SMT_POLICY_COUNT, "smt_names");
static_assert(ARRAY_LEN(emu_names) == EMU_POLICY_COUNT, "emu_names");
static_assert(ARRAY_LEN(fit_names) == FIT_COUNT, "fit_names");
static_assert(ARRAY_LEN(knob_names) == KNOB_COUNT, "knob_names");

const char *smt_policy_str(enum smt_policy p)
{
	return (unsigned)p < SMT_POLICY_COUNT ? smt_names[p] : "?";
}

const char *emulator_policy_str(enum emulator_policy p)
{
	return (unsigned)p < EMU_POLICY_COUNT ? emu_names[p] : "?";
}

const char *node_fit_str(enum node_fit f)
{
	return (unsigned)f < FIT_COUNT ? fit_names[f] : "?";
}

const char *knob_str(enum knob k)
{
	return (unsigned)k < KNOB_COUNT ? knob_names[k] : "?";
}

void profile_default(struct profile *pf)
{
	memset(pf, 0, sizeof(*pf));
	snprintf(pf->name, sizeof(pf->name), "balanced");
	snprintf(
	    pf->description, sizeof(pf->description),
	    "general purpose: pinned vCPUs on sibling threads, 2 MiB pages, host defaults kept");
	pf->smt = SMT_PREFER;
	pf->hugepage_kib = 2048;
	pf->emulator = EMU_HOUSEKEEPING;
	pf->housekeeping_cores_per_node = 1;
	pf->nic_local = true;
	pf->host_reserved_memory_mib = 2048;
	pf->fit = FIT_PACK;
	pf->l3_local = true;
	pf->iothreads = 1;
	snprintf(pf->thp, sizeof(pf->thp), "madvise");
	pf->ksm = KNOB_KEEP;
	pf->numa_balancing = KNOB_OFF;
	snprintf(pf->governor, sizeof(pf->governor), "keep");
	pf->irq_affinity = true;
	pf->isolate = false;
	pf->hugepages_cmdline = false;
	pf->swappiness = -1;
}

/* The parse in progress: where we are, and the first error. */
struct load {
	struct profile *pf;
	const char *shown; /* the file as the user named it */
	FILE *f;	   /* a file, or */
	const char *text;  /* a string */
	int line;	   /* lines read so far */
	bool failed;
	int failed_line;
	struct err *e;
};

static char *read_line(char *str, int num, void *stream)
{
	struct load *ld = stream;
	char *got;

	if (ld->f) {
		got = fgets(str, num, ld->f);
	} else {
		const char *nl;
		size_t len;

		if (*ld->text == '\0')
			return NULL;
		nl = strchr(ld->text, '\n');
		len = nl ? (size_t)(nl - ld->text) + 1 : strlen(ld->text);
		if (len > (size_t)num - 1)
			len = (size_t)num - 1;
		memcpy(str, ld->text, len);
		str[len] = '\0';
		ld->text += len;
		got = str;
	}
	/* A line longer than inih's buffer arrives in pieces; count it once.
	 * A last line without '\n' that fills the buffer exactly leaves the
	 * file short of EOF (feof() is still false): peek to see it ends. */
	if (got && strchr(got, '\n')) {
		ld->line++;
	} else if (got && ld->f) {
		int c = getc(ld->f);

		if (c == EOF)
			ld->line++;
		else
			ungetc(c, ld->f);
	} else if (got && !ld->f && *ld->text == '\0') {
		ld->line++;
	}
	return got;
}

/* Records the first error only; inih keeps going after a handler failure. */
static int fail(struct load *ld, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(struct load *ld, const char *fmt, ...)
{
	va_list ap;
	char what[400];

	if (ld->failed)
		return 0;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	err_set(ld->e, 0, "%s:%d: %s", ld->shown, ld->line, what);
	ld->failed = true;
	ld->failed_line = ld->line;
	return 0;
}

static int pick(struct load *ld, const char *key, const char *value, const char *const *names,
		size_t n, const char *expected, int *out)
{
	for (size_t i = 0; i < n; i++) {
		if (strcmp(value, names[i]) == 0) {
			*out = (int)i;
			return 1;
		}
	}
	return fail(ld, "invalid value '%s' for '%s' (expected %s)", value, key, expected);
}

static int yesno(struct load *ld, const char *key, const char *value, bool *out)
{
	if (strcmp(value, "yes") == 0) {
		*out = true;
		return 1;
	}
	if (strcmp(value, "no") == 0) {
		*out = false;
		return 1;
	}
	return fail(ld, "invalid value '%s' for '%s' (expected %s)", value, key, "yes or no");
}

static int number(struct load *ld, const char *key, const char *value, uint64_t min, uint64_t max,
		  uint64_t *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	if (!isdigit((unsigned char)value[0]))
		goto bad;
	v = strtoull(value, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		goto bad;
	*out = v;
	return 1;
bad:
	return fail(
	    ld, "invalid value '%s' for '%s' (expected a number from %" PRIu64 " to %" PRIu64 ")",
	    value, key, min, max);
}

static int planner_key(struct load *ld, const char *key, const char *value)
{
	struct profile *pf = ld->pf;
	uint64_t v;
	int i = 0;

	if (strcmp(key, "smt_policy") == 0) {
		if (!pick(ld, key, value, smt_names, ARRAY_LEN(smt_names),
			  "prefer, isolate or require", &i))
			return 0;
		pf->smt = (enum smt_policy)i;
	} else if (strcmp(key, "hugepage_kib") == 0) {
		/* 0 = normal pages; else a power of two above the 4 KiB base page */
		if (!number(ld, key, value, 0, UINT64_C(16) << 20, &v))
			return 0;
		if (v != 0 && (v < 64 || (v & (v - 1)) != 0))
			return fail(ld, "invalid value '%s' for '%s' (expected %s)", value, key,
				    "0 or a power of two >= 64, in KiB");
		pf->hugepage_kib = v;
	} else if (strcmp(key, "emulator") == 0) {
		if (!pick(ld, key, value, emu_names, ARRAY_LEN(emu_names),
			  "housekeeping, dedicated-core or shared", &i))
			return 0;
		pf->emulator = (enum emulator_policy)i;
	} else if (strcmp(key, "housekeeping_cores_per_node") == 0) {
		if (!number(ld, key, value, 1, 1024, &v))
			return 0;
		pf->housekeeping_cores_per_node = (unsigned)v;
	} else if (strcmp(key, "nic_local") == 0) {
		return yesno(ld, key, value, &pf->nic_local);
	} else if (strcmp(key, "host_reserved_memory_mib") == 0) {
		if (!number(ld, key, value, 0, UINT64_C(1) << 30, &v))
			return 0;
		pf->host_reserved_memory_mib = v;
	} else if (strcmp(key, "node_fit") == 0) {
		if (!pick(ld, key, value, fit_names, ARRAY_LEN(fit_names), "pack or spread", &i))
			return 0;
		pf->fit = (enum node_fit)i;
	} else if (strcmp(key, "l3_local") == 0) {
		return yesno(ld, key, value, &pf->l3_local);
	} else if (strcmp(key, "iothreads") == 0) {
		if (!number(ld, key, value, 0, 64, &v))
			return 0;
		pf->iothreads = (unsigned)v;
	} else {
		return fail(ld, "unknown key '%s' in [planner]", key);
	}
	return 1;
}

static int host_key(struct load *ld, const char *key, const char *value)
{
	struct profile *pf = ld->pf;
	uint64_t v;
	int i = 0;

	if (strcmp(key, "thp") == 0) {
		static const char *const thp[] = {"always", "madvise", "never", "keep"};

		if (!pick(ld, key, value, thp, ARRAY_LEN(thp), "always, madvise, never or keep",
			  &i))
			return 0;
		snprintf(pf->thp, sizeof(pf->thp), "%s", thp[i]);
	} else if (strcmp(key, "ksm") == 0 || strcmp(key, "numa_balancing") == 0) {
		if (!pick(ld, key, value, knob_names, ARRAY_LEN(knob_names), "on, off or keep", &i))
			return 0;
		if (key[0] == 'k')
			pf->ksm = (enum knob)i;
		else
			pf->numa_balancing = (enum knob)i;
	} else if (strcmp(key, "governor") == 0) {
		/* cpufreq governor names: lowercase letters (schedutil, performance) */
		size_t n = strspn(value, "abcdefghijklmnopqrstuvwxyz");

		if (n == 0 || value[n] != '\0' || n >= sizeof(pf->governor))
			return fail(ld, "invalid value '%s' for '%s' (expected %s)", value, key,
				    "a cpufreq governor name or keep");
		snprintf(pf->governor, sizeof(pf->governor), "%s", value);
	} else if (strcmp(key, "irq_affinity") == 0) {
		static const char *const irq[] = {"keep", "housekeeping"};

		if (!pick(ld, key, value, irq, ARRAY_LEN(irq), "housekeeping or keep", &i))
			return 0;
		pf->irq_affinity = i == 1;
	} else if (strcmp(key, "isolate") == 0) {
		return yesno(ld, key, value, &pf->isolate);
	} else if (strcmp(key, "hugepages_cmdline") == 0) {
		return yesno(ld, key, value, &pf->hugepages_cmdline);
	} else if (strcmp(key, "swappiness") == 0) {
		if (strcmp(value, "keep") == 0) {
			pf->swappiness = -1;
			return 1;
		}
		/* vm.swappiness accepts 0..200 since Linux 5.8 */
		if (!number(ld, key, value, 0, 200, &v))
			return 0;
		pf->swappiness = (int)v;
	} else {
		return fail(ld, "unknown key '%s' in [host]", key);
	}
	return 1;
}

static int handler(void *user, const char *section, const char *key, const char *value)
{
	struct load *ld = user;

	if (ld->failed)
		return 1; /* the first error is the one reported */
	if (strcmp(section, "planner") == 0)
		return planner_key(ld, key, value);
	if (strcmp(section, "host") == 0)
		return host_key(ld, key, value);
	if (strcmp(section, "profile") == 0) {
		if (strcmp(key, "description") != 0)
			return fail(ld, "unknown key '%s' in [profile]", key);
		snprintf(ld->pf->description, sizeof(ld->pf->description), "%s", value);
		return 1;
	}
	if (section[0] == '\0')
		return fail(ld, "key '%s' outside a section", key);
	return fail(ld, "unknown section [%s] (expected [profile], [planner] or [host])", section);
}

/* The base name of @path without ".conf". */
static void name_from(char *name, size_t size, const char *path)
{
	const char *base = strrchr(path, '/');
	size_t len;

	base = base ? base + 1 : path;
	len = strlen(base);
	if (len > 5 && strcmp(base + len - 5, ".conf") == 0)
		len -= 5;
	snprintf(name, size, "%.*s", (int)len, base);
}

static int parse(struct load *ld, struct profile *pf, struct err *e)
{
	int rc;

	rc = ini_parse_stream(read_line, ld, handler, ld);
	if (ld->failed && (rc <= 0 || rc >= ld->failed_line)) {
		profile_default(pf);
		return -1;
	}
	if (rc == -2) {
		profile_default(pf);
		return err_set(e, ENOMEM, "cannot parse profile '%s'", ld->shown);
	}
	if (rc != 0) {
		profile_default(pf);
		return err_set(e, 0, "%s:%d: syntax error (expected [section] or key = value)",
			       ld->shown, rc);
	}
	return 0;
}

int profile_load(struct profile *pf, const char *path, struct err *e)
{
	struct load ld = {.pf = pf, .shown = path, .e = e};
	int rc, fd;

	profile_default(pf);
	/* O_NONBLOCK: open() of a FIFO would wait for a writer */
	fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return err_set(e, errno, "cannot open profile '%s'", path);
	/* a profile is a screenful of "key = value": /dev/zero would be read forever */
	if (fs_check_input(fd, path, PROFILE_MAX, e) < 0) {
		close(fd);
		return -1;
	}
	ld.f = fdopen(fd, "r");
	if (!ld.f) {
		close(fd);
		return err_set(e, errno, "cannot open profile '%s'", path);
	}
	name_from(pf->name, sizeof(pf->name), path);
	snprintf(pf->path, sizeof(pf->path), "%s", path);
	pf->description[0] = '\0';
	rc = parse(&ld, pf, e);
	if (rc == 0 && ferror(ld.f)) {
		profile_default(pf);
		rc = err_set(e, EIO, "cannot read profile '%s'", path);
	}
	fclose(ld.f);
	return rc;
}

int profile_load_string(struct profile *pf, const char *text, const char *shown, struct err *e)
{
	struct load ld = {.pf = pf, .shown = shown, .text = text, .e = e};

	profile_default(pf);
	name_from(pf->name, sizeof(pf->name), shown);
	pf->description[0] = '\0';
	return parse(&ld, pf, e);
}

static bool is_dir(const char *path)
{
	struct stat st;

	return path[0] != '\0' && stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

const char *profile_dir(char *buf, size_t size)
{
	const char *env = getenv("HVTUNE_PROFILES");

	if (env && env[0] != '\0')
		snprintf(buf, size, "%s", env);
	else if (is_dir(HVTUNE_PROFILES_DIR))
		snprintf(buf, size, "%s", HVTUNE_PROFILES_DIR);
	else
		snprintf(buf, size, "%s", PROFILES_INSTALLED);
	return buf;
}

int profile_find(struct profile *pf, const char *name_or_path, const char *dir, struct err *e)
{
	char dbuf[PROFILE_PATH_MAX], path[PROFILE_PATH_MAX + PROFILE_NAME_MAX + 8];
	size_t len = strlen(name_or_path);
	int n;

	if (strchr(name_or_path, '/') || (len > 5 && strcmp(name_or_path + len - 5, ".conf") == 0))
		return profile_load(pf, name_or_path, e);
	profile_default(pf);
	if (len == 0 || len >= PROFILE_NAME_MAX)
		return err_set(e, 0, "invalid profile name '%s'", name_or_path);
	if (!dir)
		dir = profile_dir(dbuf, sizeof(dbuf));
	n = snprintf(path, sizeof(path), "%s/%s.conf", dir, name_or_path);
	if (n < 0 || (size_t)n >= sizeof(path))
		return err_set(e, ENAMETOOLONG, "cannot open profile '%s'", name_or_path);
	if (profile_load(pf, path, e) < 0) {
		if (e->sys == ENOENT)
			return err_set(e, 0,
				       "unknown profile '%s' (no '%s'; see 'hvtune profiles')",
				       name_or_path, path);
		return -1;
	}
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int profile_names(const char *dir, char ***names, size_t *n, struct err *e)
{
	DIR *d;
	struct dirent *de;
	char **v = NULL;
	size_t cnt = 0;

	*names = NULL;
	*n = 0;
	d = opendir(dir);
	if (!d)
		return err_set(e, errno, "cannot open profile directory '%s'", dir);
	while ((de = readdir(d)) != NULL) {
		size_t len = strlen(de->d_name);
		char **grown;

		if (len <= 5 || strcmp(de->d_name + len - 5, ".conf") != 0 || de->d_name[0] == '.')
			continue;
		grown = realloc(v, (cnt + 1) * sizeof(*v));
		if (!grown)
			goto nomem;
		v = grown;
		v[cnt] = strndup(de->d_name, len - 5);
		if (!v[cnt])
			goto nomem;
		cnt++;
	}
	closedir(d);
	if (cnt)
		qsort(v, cnt, sizeof(*v), cmp_str);
	*names = v;
	*n = cnt;
	return 0;
nomem:
	closedir(d);
	profile_names_free(v, cnt);
	return err_set(e, ENOMEM, "cannot list profiles in '%s'", dir);
}

void profile_names_free(char **names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

size_t profile_format(const struct profile *pf, char *buf, size_t size)
{
	char swp[16];
	int n;

	if (pf->swappiness < 0)
		snprintf(swp, sizeof(swp), "keep");
	else
		snprintf(swp, sizeof(swp), "%d", pf->swappiness);
	n = snprintf(buf, size,
		     "# %s%s%s\n"
		     "[profile]\n"
		     "description = %s\n"
		     "\n"
		     "[planner]\n"
		     "smt_policy = %s\n"
		     "hugepage_kib = %" PRIu64 "\n"
		     "emulator = %s\n"
		     "housekeeping_cores_per_node = %u\n"
		     "nic_local = %s\n"
		     "host_reserved_memory_mib = %" PRIu64 "\n"
		     "node_fit = %s\n"
		     "l3_local = %s\n"
		     "iothreads = %u\n"
		     "\n"
		     "[host]\n"
		     "thp = %s\n"
		     "ksm = %s\n"
		     "numa_balancing = %s\n"
		     "governor = %s\n"
		     "irq_affinity = %s\n"
		     "isolate = %s\n"
		     "hugepages_cmdline = %s\n"
		     "swappiness = %s\n",
		     pf->name, pf->path[0] ? " from " : " (built-in)", pf->path, pf->description,
		     smt_policy_str(pf->smt), pf->hugepage_kib, emulator_policy_str(pf->emulator),
		     pf->housekeeping_cores_per_node, pf->nic_local ? "yes" : "no",
		     pf->host_reserved_memory_mib, node_fit_str(pf->fit),
		     pf->l3_local ? "yes" : "no", pf->iothreads, pf->thp, knob_str(pf->ksm),
		     knob_str(pf->numa_balancing), pf->governor,
		     pf->irq_affinity ? "housekeeping" : "keep", pf->isolate ? "yes" : "no",
		     pf->hugepages_cmdline ? "yes" : "no", swp);
	return n < 0 ? 0 : (size_t)n;
}
