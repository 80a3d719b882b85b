/* journal.c - the undo journal: append a record, fsync, then act; read it back for rollback */
#include "apply/journal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define MAGIC	 "hvtune-journal 1\n"
#define SUFFIX	 ".journal"
#define DATA_MAX (64u * 1024 * 1024) /* an old XML or value larger than this is corrupt */

static const char *const status_names[] = {"incomplete", "complete", "rolled-back",
					   "rollback-failed"};
static const char *const kind_names[] = {"define", "vcpupin",	  "emulatorpin",
					 "write",  "iothreadpin", "numatune"};

const char *journal_status_str(enum journal_status st)
{
	return (size_t)st < ARRAY_LEN(status_names) ? status_names[st] : "?";
}

const char *jstep_kind_str(enum jstep_kind k)
{
	return (size_t)k < ARRAY_LEN(kind_names) ? kind_names[k] : "?";
}

void journal_init(struct journal *j)
{
	memset(j, 0, sizeof(*j));
	j->fd = -1;
	j->dirfd = -1;
}

void journal_release(struct journal *j)
{
	for (size_t i = 0; i < j->nsteps; i++)
		free(j->steps[i].data);
	free(j->steps);
	if (j->fd >= 0)
		close(j->fd);
	if (j->dirfd >= 0)
		close(j->dirfd);
	journal_init(j);
}

/*
 * The state directory and its journals are trusted: rollback writes what a
 * journal says, as root.  So each must be what hvtune made, and writable by
 * no one else: of the right type, owned by the effective uid, without the
 * group or other write bit.  @what names it in the message.
 */
static int check_owned(const struct stat *st, mode_t type, const char *what, const char *path,
		       struct err *e)
{
	uid_t me = geteuid();

	if ((st->st_mode & S_IFMT) != type)
		return err_set(e, 0, "refusing %s '%s': not a %s", what, path,
			       type == S_IFDIR ? "directory" : "regular file");
	if (st->st_uid != me)
		return err_set(e, 0, "refusing %s '%s': owned by uid %u, not %u", what, path,
			       (unsigned)st->st_uid, (unsigned)me);
	if (st->st_mode & (S_IWGRP | S_IWOTH))
		return err_set(e, 0,
			       "refusing %s '%s': writable by group or others (mode %04o; chmod "
			       "go-w '%s')",
			       what, path, (unsigned)(st->st_mode & 07777), path);
	return 0;
}

/* Opens @name under @dirfd with @flags, refusing a link (O_NOFOLLOW), never
 * blocking on a FIFO (O_NONBLOCK), and checked as check_owned() says. */
static int open_checked(int dirfd, const char *name, int flags, mode_t type, const char *what,
			const char *shown, struct err *e)
{
	struct stat st;
	int fd = openat(dirfd, name, flags | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0600);

	if (fd < 0 && (errno == ELOOP || errno == ENOTDIR)) {
		int sys = errno;

		/* O_DIRECTORY says ENOTDIR for a link too: lstat tells which */
		if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode))
			return err_set(e, 0, "refusing %s '%s': a symbolic link", what, shown);
		if (sys == ENOTDIR)
			return err_set(e, 0, "refusing %s '%s': not a directory", what, shown);
		errno = sys;
	}
	if (fd < 0)
		return err_set(e, errno, "cannot open %s '%s'", what, shown);
	if (fstat(fd, &st) < 0) {
		int sys = errno;

		close(fd);
		return err_set(e, sys, "cannot open %s '%s'", what, shown);
	}
	if (check_owned(&st, type, what, shown, e) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* The state directory, checked.  -1 with e->sys ENOENT when it does not exist. */
static int open_state_dir(const char *dir, struct err *e)
{
	char path[FS_PATH_MAX];
	size_t len = strlen(dir);

	/* "dir/" would follow a link named dir: O_NOFOLLOW looks at the last name */
	while (len > 1 && dir[len - 1] == '/')
		len--;
	snprintf(path, sizeof(path), "%.*s", (int)len, dir);
	return open_checked(AT_FDCWD, path, O_RDONLY | O_DIRECTORY, S_IFDIR, "state directory", dir,
			    e);
}

int journal_lock(const char *dir, struct err *e)
{
	char path[FS_PATH_MAX];
	int dfd, fd;

	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return err_set(e, errno, "cannot create state directory '%s'", dir);
	dfd = open_state_dir(dir, e);
	if (dfd < 0)
		return -1;
	snprintf(path, sizeof(path), "%s/lock", dir);
	fd = openat(dfd, "lock", O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK, 0600);
	close(dfd);
	if (fd < 0)
		return err_set(e, errno, "cannot write '%s'", path);
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		int sys = errno;

		close(fd);
		if (sys == EWOULDBLOCK)
			return err_set(e, 0,
				       "'%s' is locked by another hvtune apply or rollback "
				       "(try again when it is done)",
				       dir);
		return err_set(e, sys, "cannot lock '%s'", path);
	}
	return fd;
}

void journal_unlock(int fd)
{
	if (fd >= 0)
		close(fd); /* closing drops the flock */
}

/* One write() of all of @s (a regular file: short writes only on errors). */
static int put_all(struct journal *j, const char *s, size_t len, struct err *e)
{
	while (len > 0) {
		ssize_t n = write(j->fd, s, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return err_set(e, n < 0 ? errno : EIO, "cannot write journal '%s'",
				       j->path);
		s += n;
		len -= (size_t)n;
	}
	return 0;
}

static int sync_all(struct journal *j, struct err *e)
{
	if (fsync(j->fd) < 0)
		return err_set(e, errno, "cannot sync journal '%s'", j->path);
	return 0;
}

static int put_record(struct journal *j, const char *head, const char *data, struct err *e)
{
	size_t hl = strlen(head), dl = data ? strlen(data) : 0;
	char *rec = malloc(hl + dl + 2);
	int rc;

	if (!rec)
		return err_set(e, ENOMEM, "cannot write journal '%s'", j->path);
	memcpy(rec, head, hl);
	if (data) {
		memcpy(rec + hl, data, dl);
		rec[hl + dl] = '\n';
		dl++;
	}
	/* one write(): a kill leaves the record whole or (power loss) torn, never
	 * interleaved with the next */
	rc = put_all(j, rec, hl + dl, e);
	free(rec);
	if (rc == 0)
		rc = sync_all(j, e);
	return rc;
}

/* @tmp as @name, never over an existing journal.  RENAME_NOREPLACE where the
 * filesystem has it; link(2), which never replaces either, where not (NFS). */
static int place(int dirfd, const char *tmp, const char *name)
{
	if (renameat2(dirfd, tmp, dirfd, name, RENAME_NOREPLACE) == 0)
		return 0;
	if (errno != EINVAL && errno != ENOSYS)
		return -1;
	if (linkat(dirfd, tmp, dirfd, name, 0) < 0)
		return -1;
	unlinkat(dirfd, tmp, 0);
	return 0;
}

/* Writes the header into the open temporary file @tmp and gives it the first
 * free name STAMP-NNN.journal.  The header carries the id, so it is written
 * again when another process took that name in between. */
static int publish(struct journal *j, const char *dir, const char *tmp, const char *stamp,
		   struct err *e)
{
	char head[FS_PATH_MAX + 512];
	struct stat st;

	for (unsigned n = 1; n < 1000; n++) {
		const char *name;

		snprintf(j->id, sizeof(j->id), "%s-%03u", stamp, n);
		snprintf(j->path, sizeof(j->path), "%s/%s%s", dir, j->id, SUFFIX);
		name = strrchr(j->path, '/') + 1;
		if (fstatat(j->dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0)
			continue;
		snprintf(head, sizeof(head), MAGIC "id %s\ntime %" PRId64 "\nroot %s\nuri %s\n",
			 j->id, j->time, j->root, j->uri[0] ? j->uri : "-");
		if (ftruncate(j->fd, 0) < 0)
			return err_set(e, errno, "cannot write journal '%s'", j->path);
		if (put_all(j, head, strlen(head), e) < 0 || sync_all(j, e) < 0)
			return -1;
		if (place(j->dirfd, tmp, name) == 0) {
			/* the new name must survive a crash too */
			if (fsync(j->dirfd) < 0)
				return err_set(e, errno, "cannot sync state directory '%s'", dir);
			return 0;
		}
		if (errno != EEXIST)
			return err_set(e, errno, "cannot create journal '%s'", j->path);
	}
	return err_set(e, EEXIST, "cannot create a journal in '%s'", dir);
}

int journal_create(struct journal *j, const char *dir, const char *root, const char *uri,
		   struct err *e)
{
	time_t now = time(NULL);
	struct tm tm;
	char stamp[24], tmp[64];

	journal_init(j);
	if (strchr(root, '\n') || strchr(uri, '\n'))
		return err_set(e, EINVAL, "cannot journal a root or URI with a newline");
	if (strlen(root) >= sizeof(j->root) || strlen(uri) >= sizeof(j->uri))
		return err_set(e, ENAMETOOLONG, "cannot journal root '%s' or URI '%s'", root, uri);
	gmtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm);
	j->dirfd = open_state_dir(dir, e);
	if (j->dirfd < 0)
		return -1;
	j->time = (int64_t)now;
	snprintf(j->root, sizeof(j->root), "%s", root);
	snprintf(j->uri, sizeof(j->uri), "%s", uri);
	/* The header is written under a name the listing skips and renamed when
	 * it is whole: a kill or a full disk here leaves no empty journal, which
	 * no listing or rollback could read. */
	snprintf(tmp, sizeof(tmp), ".%s-%ld.tmp", stamp, (long)getpid());
	unlinkat(j->dirfd, tmp, 0); /* left by a killed process of the same pid */
	j->fd = openat(j->dirfd, tmp,
		       O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (j->fd < 0) {
		int sys = errno;

		journal_release(j);
		return err_set(e, sys, "cannot write '%s/%s'", dir, tmp);
	}
	if (publish(j, dir, tmp, stamp, e) < 0) {
		unlinkat(j->dirfd, tmp, 0);
		journal_release(j);
		return -1;
	}
	return 0;
}

/* The line of @s, without its data (heap, caller free()s).  The CPU list is
 * whole, however long: a cut one could not be read back. */
static char *record_head(const struct jstep *s)
{
	char *cpus = NULL, *head = NULL;
	int n = -1;

	if (s->kind == JSTEP_VCPUPIN || s->kind == JSTEP_EMULATORPIN ||
	    s->kind == JSTEP_IOTHREADPIN) {
		cpus = idset_format_dup(&s->cpus);
		if (!cpus)
			return NULL;
	}
	switch (s->kind) {
	case JSTEP_DEFINE:
	case JSTEP_WRITE:
		n = asprintf(&head, "%s %zu %s\n", jstep_kind_str(s->kind), strlen(s->data),
			     s->target);
		break;
	case JSTEP_VCPUPIN:
		n = asprintf(&head, "vcpupin %u %s %s\n", s->vcpu, cpus, s->target);
		break;
	case JSTEP_EMULATORPIN:
		n = asprintf(&head, "emulatorpin %s %s\n", cpus, s->target);
		break;
	case JSTEP_IOTHREADPIN:
		n = asprintf(&head, "iothreadpin %u %s %s\n", s->iothread, cpus, s->target);
		break;
	case JSTEP_NUMATUNE:
		n = asprintf(&head, "numatune %s %s %s\n", s->mode[0] ? s->mode : "-",
			     s->nodeset[0] ? s->nodeset : "-", s->target);
		break;
	case JSTEP_KINDS:
		break;
	}
	free(cpus);
	return n < 0 ? NULL : head;
}

int journal_record(struct journal *j, const struct jstep *s, struct err *e)
{
	struct jstep *grown;
	char *head;
	int rc;

	if (strchr(s->target, '\n'))
		return err_set(e, EINVAL, "cannot journal '%s': a newline in the name", s->target);
	if (s->kind == JSTEP_NUMATUNE && (strpbrk(s->mode, " \n") || strpbrk(s->nodeset, " \n")))
		return err_set(e, 0, "cannot journal the numatune of '%s': a blank in '%s %s'",
			       s->target, s->mode, s->nodeset);
	if ((unsigned)s->kind >= JSTEP_KINDS)
		return err_set(e, EINVAL, "cannot journal an unknown record");
	grown = realloc(j->steps, (j->nsteps + 1) * sizeof(*grown));
	if (!grown)
		return err_set(e, ENOMEM, "cannot write journal '%s'", j->path);
	j->steps = grown;
	grown[j->nsteps] = *s;
	grown[j->nsteps].data = NULL;
	if (s->data && !(grown[j->nsteps].data = strdup(s->data)))
		return err_set(e, ENOMEM, "cannot write journal '%s'", j->path);
	head = record_head(s);
	if (!head) {
		free(grown[j->nsteps].data);
		return err_set(e, ENOMEM, "cannot write journal '%s'", j->path);
	}
	j->nsteps++;
	rc = put_record(j, head, s->kind == JSTEP_DEFINE || s->kind == JSTEP_WRITE ? s->data : NULL,
			e);
	free(head);
	return rc;
}

int journal_mark(struct journal *j, enum journal_status st, struct err *e)
{
	char head[64];

	snprintf(head, sizeof(head), "end %s\n", journal_status_str(st));
	if (put_record(j, head, NULL, e) < 0)
		return -1;
	j->status = st;
	return 0;
}

int journal_remove(struct journal *j, struct err *e)
{
	const char *name = strrchr(j->path, '/');

	if (j->dirfd < 0 || !name)
		return err_set(e, EBADF, "cannot remove journal '%s'", j->path);
	if (unlinkat(j->dirfd, name + 1, 0) < 0)
		return err_set(e, errno, "cannot remove journal '%s'", j->path);
	if (fsync(j->dirfd) < 0)
		return err_set(e, errno, "cannot sync the removal of journal '%s'", j->path);
	return 0;
}

/* ---- reading ---- */

/* All of @fd (a regular file) from its start, NUL-terminated. */
static char *slurp(int fd, const char *shown, size_t *len, struct err *e)
{
	size_t cap = 8192;
	char *buf = malloc(cap);

	*len = 0;
	for (;;) {
		ssize_t n;

		if (buf && *len + 1 >= cap) {
			char *grown = realloc(buf, cap *= 2);

			if (!grown)
				free(buf);
			buf = grown;
		}
		if (!buf) {
			err_set(e, ENOMEM, "cannot read journal '%s'", shown);
			return NULL;
		}
		n = pread(fd, buf + *len, cap - *len - 1, (off_t)*len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int sys = errno;

			free(buf);
			err_set(e, sys, "cannot read journal '%s'", shown);
			return NULL;
		}
		if (n == 0)
			break;
		*len += (size_t)n;
	}
	buf[*len] = '\0';
	return buf;
}

/* The rest of the line after @word and a blank, or NULL. */
static const char *after(const char *line, const char *word)
{
	size_t n = strlen(word);

	return strncmp(line, word, n) == 0 && line[n] == ' ' ? line + n + 1 : NULL;
}

/* A line of the header or an "end" line into @j: 1 when it was one, 0 when
 * not (a record), -1 when it was one but bad. */
static int parse_header(struct journal *j, const char *line, const char *shown, unsigned lineno,
			struct err *e)
{
	const char *v;

	if ((v = after(line, "id"))) {
		snprintf(j->id, sizeof(j->id), "%s", v);
		return 1;
	}
	if ((v = after(line, "time"))) {
		char *end;
		long long t;

		errno = 0;
		t = strtoll(v, &end, 10);
		if (end == v || *end != '\0' || errno != 0)
			return err_set(e, 0, "'%s':%u: bad time in '%.64s'", shown, lineno, line);
		j->time = (int64_t)t;
		return 1;
	}
	/* never cut short: a URI cut before "&command=..." would read as another */
	if ((v = after(line, "root")) || (v = after(line, "uri"))) {
		bool root = line[0] == 'r';

		if (strlen(v) >= (root ? sizeof(j->root) : sizeof(j->uri)))
			return err_set(e, 0, "'%s':%u: the %s is too long", shown, lineno,
				       root ? "root" : "URI");
		if (root)
			snprintf(j->root, sizeof(j->root), "%s", v);
		else
			snprintf(j->uri, sizeof(j->uri), "%s", strcmp(v, "-") ? v : "");
		return 1;
	}
	if ((v = after(line, "end"))) {
		for (size_t k = 1; k < ARRAY_LEN(status_names); k++) {
			if (strcmp(v, status_names[k]) == 0) {
				j->status = (enum journal_status)k;
				return 1;
			}
		}
		return err_set(e, 0, "'%s':%u: unknown status '%s'", shown, lineno, v);
	}
	return 0;
}

/*
 * A vcpupin, emulatorpin or iothreadpin record after its word: "[N ]LIST NAME".
 * Returns where the name starts, or NULL with @e set.  The CPU list is as
 * long as the set: parsed in place, never cut.
 */
static const char *parse_pin(char *line, const char *v, struct jstep *s, const char *shown,
			     unsigned lineno, struct err *e)
{
	struct err pe = ERR_INIT;
	char *end, *sp;

	s->kind = line[0] == 'v'   ? JSTEP_VCPUPIN
		  : line[0] == 'e' ? JSTEP_EMULATORPIN
				   : JSTEP_IOTHREADPIN;
	if (s->kind != JSTEP_EMULATORPIN) {
		unsigned long n = strtoul(v, &end, 10);

		if (end == v || *end != ' ' || n >= IDSET_MAX) {
			err_set(e, 0, "'%s':%u: bad %s in '%s'", shown, lineno,
				s->kind == JSTEP_VCPUPIN ? "vCPU" : "iothread", line);
			return NULL;
		}
		if (s->kind == JSTEP_VCPUPIN)
			s->vcpu = (unsigned)n;
		else
			s->iothread = (unsigned)n;
		v = end + 1;
	}
	sp = strchr(line + (v - line), ' ');
	if (!sp) {
		err_set(e, 0, "'%s':%u: bad record '%.64s'", shown, lineno, line);
		return NULL;
	}
	*sp = '\0';
	if (idset_parse(&s->cpus, v, &pe) < 0) {
		err_set(e, 0, "'%s':%u: %.80s", shown, lineno, pe.msg);
		return NULL;
	}
	return sp + 1;
}

static int parse(struct journal *j, char *text, size_t len, const char *shown, struct err *e)
{
	size_t off = 0;
	unsigned lineno = 0;
	int rc;

	if (strncmp(text, MAGIC, strlen(MAGIC)) != 0)
		return err_set(e, 0, "'%s' is not an hvtune journal (no '%.*s' line)", shown,
			       (int)strlen(MAGIC) - 1, MAGIC);
	j->status = JOURNAL_INCOMPLETE;
	while (off < len) {
		char *line = text + off, *nl = memchr(line, '\n', len - off);
		const char *v;
		struct jstep s;
		size_t dlen = 0;

		lineno++;
		if (!nl)
			break; /* a torn last record: never acted on */
		*nl = '\0';
		off = (size_t)(nl - text) + 1;
		if (lineno == 1)
			continue;
		memset(&s, 0, sizeof(s));
		rc = parse_header(j, line, shown, lineno, e);
		if (rc < 0)
			return -1;
		if (rc > 0)
			continue;
		if ((v = after(line, "define")) || (v = after(line, "write"))) {
			char *end;
			unsigned long long n = strtoull(v, &end, 10);

			s.kind = line[0] == 'd' ? JSTEP_DEFINE : JSTEP_WRITE;
			if (end == v || *end != ' ' || n > DATA_MAX)
				return err_set(e, 0, "'%s':%u: bad length in '%s'", shown, lineno,
					       line);
			dlen = (size_t)n;
			v = end + 1;
			if (off + dlen + 1 > len)
				break; /* torn */
			if (text[off + dlen] != '\n')
				return err_set(e, 0,
					       "'%s':%u: the data of '%s' does not end "
					       "where its length says",
					       shown, lineno, line);
		} else if ((v = after(line, "numatune"))) {
			char mode[sizeof(s.mode)], nodeset[sizeof(s.nodeset)];
			int used = 0;

			s.kind = JSTEP_NUMATUNE;
			if (sscanf(v, "%15s %255s %n", mode, nodeset, &used) != 2 || used == 0)
				return err_set(e, 0, "'%s':%u: bad record '%s'", shown, lineno,
					       line);
			snprintf(s.mode, sizeof(s.mode), "%s", strcmp(mode, "-") ? mode : "");
			snprintf(s.nodeset, sizeof(s.nodeset), "%s",
				 strcmp(nodeset, "-") ? nodeset : "");
			v += used;
		} else if ((v = after(line, "vcpupin")) || (v = after(line, "emulatorpin")) ||
			   (v = after(line, "iothreadpin"))) {
			v = parse_pin(line, v, &s, shown, lineno, e);
			if (!v)
				return -1;
		} else {
			return err_set(e, 0, "'%s':%u: unknown record '%.40s'", shown, lineno,
				       line);
		}
		if (!*v || strlen(v) >= sizeof(s.target))
			return err_set(e, 0, "'%s':%u: bad name in '%s'", shown, lineno, line);
		snprintf(s.target, sizeof(s.target), "%s", v);
		if (s.kind == JSTEP_DEFINE || s.kind == JSTEP_WRITE) {
			s.data = strndup(text + off, dlen);
			if (!s.data)
				return err_set(e, ENOMEM, "cannot read journal '%s'", shown);
			off += dlen + 1;
		}
		{
			struct jstep *grown = realloc(j->steps, (j->nsteps + 1) * sizeof(*grown));

			if (!grown) {
				free(s.data);
				return err_set(e, ENOMEM, "cannot read journal '%s'", shown);
			}
			j->steps = grown;
			j->steps[j->nsteps++] = s;
		}
	}
	if (!j->id[0])
		return err_set(e, 0, "'%s': no 'id' line", shown);
	return 0;
}

static int load_at(struct journal *j, int dirfd, const char *dir, const char *id, bool append,
		   struct err *e)
{
	char name[JOURNAL_ID_MAX + 16], shown[FS_PATH_MAX];
	size_t len;
	char *text;
	int fd, rc;

	journal_init(j);
	if (!id[0] || strlen(id) >= JOURNAL_ID_MAX || strchr(id, '/'))
		return err_set(e, 0, "bad journal id '%s'", id);
	snprintf(name, sizeof(name), "%s%s", id, SUFFIX);
	snprintf(shown, sizeof(shown), "%s/%s", dir, name);
	/* one open for reading and appending: the file checked is the one marked */
	fd = open_checked(dirfd, name, append ? O_RDWR | O_APPEND : O_RDONLY, S_IFREG, "journal",
			  shown, e);
	if (fd < 0) {
		if (e->sys == ENOENT)
			err_set(e, 0, "no journal '%s' in '%s' (see 'hvtune journal')", id, dir);
		return -1;
	}
	text = slurp(fd, shown, &len, e);
	rc = text ? parse(j, text, len, shown, e) : -1;
	free(text);
	snprintf(j->path, sizeof(j->path), "%s", shown);
	if (rc == 0 && append) {
		j->fd = fd;
		/* for journal_remove() */
		j->dirfd = fcntl(dirfd, F_DUPFD_CLOEXEC, 0);
		if (j->dirfd < 0)
			rc = err_set(e, errno, "cannot open state directory '%s'", dir);
	} else {
		close(fd);
	}
	if (rc < 0)
		journal_release(j);
	return rc;
}

int journal_load(struct journal *j, const char *dir, const char *id, bool append, struct err *e)
{
	int dirfd;
	int rc;

	journal_init(j);
	dirfd = open_state_dir(dir, e);
	if (dirfd < 0)
		return -1;
	rc = load_at(j, dirfd, dir, id, append, e);
	close(dirfd);
	return rc;
}

static int by_id(const void *a, const void *b)
{
	return strcmp(((const struct journal *)a)->id, ((const struct journal *)b)->id);
}

int journal_scan(const char *dir, struct journal **out, size_t *n, struct journal_bad **bad,
		 size_t *nbad, struct err *e)
{
	int dfd = open_state_dir(dir, e);
	DIR *d;
	struct dirent *de;
	int rc = 0;

	*out = NULL;
	*n = 0;
	if (bad) {
		*bad = NULL;
		*nbad = 0;
	}
	if (dfd < 0)
		return e->sys == ENOENT ? 0 : -1;
	d = fdopendir(dfd);
	if (!d) {
		int sys = errno;

		close(dfd);
		return err_set(e, sys, "cannot open state directory '%s'", dir);
	}
	while ((de = readdir(d)) != NULL && rc == 0) {
		size_t len = strlen(de->d_name), sl = strlen(SUFFIX);
		char id[JOURNAL_ID_MAX];
		struct journal *grown;
		struct journal_bad *more;
		struct err why = ERR_INIT;

		if (len <= sl || len - sl >= sizeof(id) ||
		    strcmp(de->d_name + len - sl, SUFFIX) != 0)
			continue;
		snprintf(id, sizeof(id), "%.*s", (int)(len - sl), de->d_name);
		grown = realloc(*out, (*n + 1) * sizeof(*grown));
		if (!grown) {
			rc = err_set(e, ENOMEM, "cannot list journals in '%s'", dir);
			break;
		}
		*out = grown;
		if (load_at(&grown[*n], dirfd(d), dir, id, false, &why) == 0) {
			(*n)++;
			continue;
		}
		/* one journal that cannot be read does not hide the others */
		if (why.sys == ENOMEM) {
			*e = why;
			rc = -1;
		} else if (bad && (more = realloc(*bad, (*nbad + 1) * sizeof(*more))) != NULL) {
			*bad = more;
			snprintf(more[*nbad].id, sizeof(more[*nbad].id), "%s", id);
			more[(*nbad)++].why = why;
		} else if (bad) {
			rc = err_set(e, ENOMEM, "cannot list journals in '%s'", dir);
		}
	}
	closedir(d);
	if (rc < 0) {
		for (size_t i = 0; i < *n; i++)
			journal_release(&(*out)[i]);
		free(*out);
		*out = NULL;
		*n = 0;
		if (bad) {
			free(*bad);
			*bad = NULL;
			*nbad = 0;
		}
		return -1;
	}
	if (*n)
		qsort(*out, *n, sizeof(**out), by_id);
	return 0;
}

int journal_list(const char *dir, struct journal **out, size_t *n, struct err *e)
{
	return journal_scan(dir, out, n, NULL, NULL, e);
}
