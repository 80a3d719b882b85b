/* apply.h - a plan onto the host: prepare the change set, commit it with a journal, roll back
 *
 * Prepare touches nothing: it reads each domain's persistent XML and live
 * pins and each file's current value, and keeps only what differs.  Commit
 * takes the state directory's lock and, for each step, records its undo in
 * the journal (fsync) before acting: define each domain (libvirt validates
 * the XML), pin running domains live, write the host files.  A failure undoes
 * what was done, newest first.  Nothing here prints: the caller shows the
 * change set and the result.
 */
#ifndef HVTUNE_APPLY_H
#define HVTUNE_APPLY_H

#include <stdbool.h>
#include <stddef.h>

#include "apply/domxml.h"
#include "apply/journal.h"
#include "apply/virt.h"
#include "planner/plan.h"
#include "planner/profile.h"
#include "probe/err.h"
#include "probe/fsroot.h"
#include "probe/lv.h"

#define APPLY_NOTE_MAX 256

/* One domain's changes. */
struct apply_domain {
	char name[PLAN_NAME_MAX];
	bool active;		/* running: pinned live as well */
	char *old_xml;		/* heap: the persistent XML now */
	char *new_xml;		/* heap: the rewritten XML; NULL when it is the same */
	char *diff;		/* heap: unified diff old -> new ("" when the same) */
	size_t npins;		/* live vCPU pins that differ (active only) */
	struct pin *pins;	/* heap: the new pins, vCPU -> pCPU */
	struct idset *old_pins; /* heap: npins old live pins, same order */
	bool pin_emulator;	/* the live emulator pin differs */
	struct idset emulator, old_emulator;
	size_t niothreads;		       /* live iothread pins that differ (active only) */
	struct lv_iothread *old_iothreads;     /* heap: their ids and old pins */
	struct idset iothread;		       /* the new pin of each of them */
	bool set_numa;			       /* the live numatune differs (active only) */
	char numa_mode[16], numa_nodeset[256]; /* the plan's */
	char old_numa_mode[16], old_numa_nodeset[256]; /* live now ("" none) */
};

/* One host file's change. */
struct apply_write {
	char path[160];
	char *old_value; /* heap: the current value in writable form */
	char *new_value; /* heap */
	char reason[PLAN_WHY_MAX];
};

struct changeset {
	size_t ndomains;
	struct apply_domain *domains; /* heap: only domains with changes */
	size_t nwrites;
	struct apply_write *writes; /* heap: only values that differ */
	size_t nnotes;
	char (*notes)[APPLY_NOTE_MAX]; /* heap: what is not applied and why */
};

/* What a commit or rollback did, for the caller to show. */
struct apply_result {
	char journal_id[JOURNAL_ID_MAX];
	size_t done;	    /* steps acted on */
	size_t undone;	    /* steps undone after a failure */
	size_t undo_failed; /* undos that failed */
	size_t nlog;
	char (*log)[APPLY_NOTE_MAX]; /* heap: one line per step: "restored '...' to '0'" */
	size_t nnotes;
	char (*notes)[APPLY_NOTE_MAX]; /* heap: not failures, but not done as planned:
					* "domain 'vm0': numatune applied to the
					* persistent definition only: <libvirt's reason>" */
};

void changeset_init(struct changeset *cs);
void changeset_release(struct changeset *cs);
bool changeset_empty(const struct changeset *cs);
void apply_result_init(struct apply_result *r);
void apply_result_release(struct apply_result *r);

/* The XML options a profile asks for: host-passthrough always (the guest
 * topology mirrors the host's), nosharepages when KSM is off, locked memory
 * when the profile isolates its CPUs, no real-time vcpusched (documented). */
void apply_opts(const struct profile *pf, struct domxml_opts *o);

/*
 * True when @path may be written by apply (a row of apply/knobs.c): hugepage
 * pools, THP enabled and defrag, KSM run, NUMA balancing, swappiness, IRQ
 * affinity, cpufreq governor.  Anything else is refused.
 */
bool apply_allowed(const char *path);

/* Refuses a plan made for another root than @r (compared resolved). */
int apply_check_root(const struct plan *p, const struct fsroot *r, struct err *e);

/*
 * Computes the change set of @p on the host at @r: placed VMs whose domain
 * exists in @c (may be NULL: no domain is changed, and a note says so), and
 * every setting whose current value differs.  Refuses a plan made for another
 * root, a setting outside the allow-list or a value not of its kind (both
 * before any file is read), a file that cannot be read, and a current value
 * that rollback could not write back.
 */
int apply_prepare(const struct plan *p, const struct domxml_opts *o, const struct fsroot *r,
		  struct lv *c, struct changeset *cs, struct err *e);

/*
 * Commits @cs under the lock of @state_dir (created 0700 when missing): a new
 * journal, then each step recorded before it is done: defines, then per
 * running domain its vCPU, emulator and iothread pins and its numatune.
 * libvirt refusing the numatune live (virt_set_numa() returns 1) is no
 * failure: the define carries it to the next start, and @res gets a note.  On failure every step
 * done is undone, newest first; the error is the first failure, with
 * "; rollback incomplete: ..." when an undo failed.  The journal is then
 * marked rolled back, or, when everything was undone but it cannot grow (a
 * full disk), removed, so that no later rollback writes its stale values.  @res says what happened
 * either way.  @uri is written to the journal for 'hvtune rollback'.
 */
int apply_commit(const struct changeset *cs, const struct fsroot *r, struct lv *c, const char *uri,
		 const char *state_dir, struct apply_result *res, struct err *e);

/*
 * Undoes the journal @id of @state_dir ("" = the newest one not rolled back),
 * newest step first, including one left incomplete by a killed apply.
 * Nothing is undone unless apply_check_journal() accepts every record.  A
 * journal fully undone that cannot take its "end" line is removed.
 * @c may be NULL when the journal changed no domain.
 */
int apply_rollback(const char *state_dir, const char *id, const struct fsroot *r, struct lv *c,
		   struct apply_result *res, struct err *e);

/*
 * Checks every record of @j as apply_prepare() checks a plan: a write's path
 * is in the allow-list (absolute, no ".." component) and its old value of
 * the kind that file takes; a domain record names a domain on one line; a
 * numatune has a known mode and a valid nodeset.  apply_rollback() calls it
 * before it undoes anything, so a bad record refuses the whole journal:
 * "journal 'ID' record N: <why> (nothing was rolled back)".
 */
int apply_check_journal(const struct journal *j, struct err *e);

/*
 * 0 when the libvirt URI recorded in @j is one rollback may connect to
 * without being told (--connect): qemu:///system, qemu:///session,
 * qemu:///system?socket=/PATH, test:///default or test:///PATH.  A
 * +transport or any other parameter can make libvirt run a command.
 */
int apply_journal_uri(const struct journal *j, struct err *e);

/* The journal that apply_rollback() would pick for @id (""): fills @j (not
 * open).  For the caller to connect to the journal's URI first.  With @id
 * "", a journal newer than the pick that cannot be read refuses the pick. */
int apply_pick_journal(const char *state_dir, const char *id, struct journal *j, struct err *e);

#endif
