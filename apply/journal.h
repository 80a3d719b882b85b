/* journal.h - the undo journal of an apply: one file per apply in the state directory
 *
 * Written before each step it undoes (record, fsync, then act: git's lockfile,
 * libvirt's virFileRewrite), so a process killed anywhere leaves a journal
 * that 'hvtune rollback' completes.  The format is text, one record a line;
 * old XML and old values follow their line as LEN raw bytes and a newline:
 *
 *   hvtune-journal 1
 *   id 20261129T222000Z-001
 *   time 1796...                     (seconds since the epoch, UTC)
 *   root /                           (the --root of the apply)
 *   uri qemu:///system               ("-" when no domain was touched)
 *   define LEN NAME                  then the old persistent XML
 *   vcpupin VCPU CPULIST NAME        the old live pin of one vCPU
 *   emulatorpin CPULIST NAME         the old live emulator pin
 *   iothreadpin ID CPULIST NAME      the old live pin of one iothread
 *   numatune MODE NODESET NAME       the old live numatune ("-" for none)
 *   write LEN PATH                   then the old value
 *   end complete | rolled-back | rollback-failed
 *
 * A journal without an "end" line is incomplete (the apply died); the last
 * "end" line is its status.  A torn last record (the write() was cut short)
 * is ignored: its step was never acted on.  The records iothreadpin and
 * numatune came later under the same version: a journal without them reads
 * as before, and an older hvtune refuses one with them ("unknown record").
 */
#ifndef HVTUNE_JOURNAL_H
#define HVTUNE_JOURNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "probe/err.h"
#include "probe/fsroot.h"
#include "probe/idset.h"

#define JOURNAL_ID_MAX 32
#define JOURNAL_DIR    "/var/lib/hvtune"

enum jstep_kind {
	JSTEP_DEFINE,
	JSTEP_VCPUPIN,
	JSTEP_EMULATORPIN,
	JSTEP_WRITE,
	JSTEP_IOTHREADPIN,
	JSTEP_NUMATUNE,
	JSTEP_KINDS /* how many */
};

/* One undo record: how to put back what the step after it changes. */
struct jstep {
	enum jstep_kind kind;
	char target[256];  /* domain name, or the path under the root */
	unsigned vcpu;	   /* JSTEP_VCPUPIN */
	unsigned iothread; /* JSTEP_IOTHREADPIN: the iothread id */
	struct idset cpus; /* the old pin (JSTEP_VCPUPIN, _EMULATORPIN, _IOTHREADPIN) */
	char mode[16];	   /* JSTEP_NUMATUNE: the old memory mode ("" none) */
	char nodeset[256]; /* JSTEP_NUMATUNE: the old nodeset ("" none) */
	char *data;	   /* heap, owned: the old XML (DEFINE) or old value (WRITE) */
};

enum journal_status {
	JOURNAL_INCOMPLETE,	 /* no "end": the apply died or is running */
	JOURNAL_COMPLETE,	 /* applied; 'hvtune rollback' undoes it */
	JOURNAL_ROLLED_BACK,	 /* undone */
	JOURNAL_ROLLBACK_FAILED, /* an undo failed: see the message of that rollback */
};

struct journal {
	char id[JOURNAL_ID_MAX];
	int64_t time;
	char root[FS_PATH_MAX];
	char uri[256]; /* "" when no domain is in it */
	enum journal_status status;
	size_t nsteps;
	struct jstep *steps; /* heap, owned, in the order recorded */
	int fd;		     /* open for appending, -1 when not */
	int dirfd;
	char path[FS_PATH_MAX];
};

/* An empty journal (journal_release() is safe on it). */
void journal_init(struct journal *j);
void journal_release(struct journal *j); /* closes, frees the steps */

/*
 * The state directory and every journal in it are trusted (rollback writes
 * what a journal says, as root), so every function here refuses a state
 * directory that is a symbolic link, not a directory, not owned by the
 * effective uid or writable by group or others, and likewise a journal file
 * that is not such a regular file: "refusing state directory 'DIR': owned by
 * uid 1000, not 0".  Journal files are opened O_NOFOLLOW | O_NONBLOCK (a FIFO
 * never blocks).
 *
 * Creates @dir (0700) when it does not exist and takes an exclusive flock on
 * @dir/lock.  Returns the lock fd; a second apply or rollback at the same time
 * fails with "'DIR' is locked by another hvtune apply or rollback".
 */
int journal_lock(const char *dir, struct err *e);
void journal_unlock(int fd);

/* Creates @dir/ID.journal (id = UTC time + a counter): the header is written
 * and fsynced under a temporary name, renamed into place, and the directory
 * fsynced, so a journal is never seen without its header.  @uri "" = no
 * libvirt.  On failure nothing is left in @dir. */
int journal_create(struct journal *j, const char *dir, const char *root, const char *uri,
		   struct err *e);
/* Appends @s and fsyncs: after it returns 0 the undo survives a crash. */
int journal_record(struct journal *j, const struct jstep *s, struct err *e);
/* Appends "end STATUS" and fsyncs. */
int journal_mark(struct journal *j, enum journal_status st, struct err *e);

/* Removes the file of @j (created, or loaded with @append) and fsyncs the
 * directory.  Needs no free space: for a journal journal_mark() cannot
 * extend. */
int journal_remove(struct journal *j, struct err *e);

/* Reads @dir/@id.journal; @append opens it for journal_mark() and
 * journal_remove() as well. */
int journal_load(struct journal *j, const char *dir, const char *id, bool append, struct err *e);
/* A journal file the listing could not read, and why. */
struct journal_bad {
	char id[JOURNAL_ID_MAX];
	struct err why;
};

/*
 * Every journal in @dir, oldest first (steps loaded, not open).  A journal
 * that cannot be read (corrupt, refused) is skipped and, when @bad is not
 * NULL, added to *@bad (heap, caller free()s).  Fails only for the directory
 * itself or out of memory.  Caller journal_release()s each and free()s *@out.
 * A missing @dir is no journal.  Names not ending in ".journal" (the
 * temporary file of journal_create()) are not journals.
 */
int journal_scan(const char *dir, struct journal **out, size_t *n, struct journal_bad **bad,
		 size_t *nbad, struct err *e);
/* journal_scan() without the list of journals it skipped. */
int journal_list(const char *dir, struct journal **out, size_t *n, struct err *e);

const char *journal_status_str(enum journal_status st); /* "complete", ... */
const char *jstep_kind_str(enum jstep_kind k);		/* "define", ... */

#endif
