/* apply.c - commit a change set step by step with a journal; undo and roll back */
#include "apply/apply.h"
#include "apply/apply_int.h"
#include "apply/diff.h"
#include "planner/knobs.h"
#include "probe/strfmt.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- commit and undo ---- */

struct run {
	struct journal *j;
	const struct fsroot *r;
	struct lv *c;
	struct apply_result *res;
	bool oom;
	bool maybe_done;  /* the failed step's libvirt answer was lost: it may have acted */
	bool unreachable; /* an undo failed because libvirt could not be reached */
};

static void logf_(struct run *u, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void logf_(struct run *u, const char *fmt, ...)
{
	char line[APPLY_NOTE_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (!apply_add_line(&u->res->log, &u->res->nlog, "%s", line))
		u->oom = true;
}

/*
 * The old live numatune back.  A refusal is no failure: the apply's step
 * was refused the same way and did not act (or the domain's binding can no
 * longer change live), and the restored definition holds the old numatune
 * for the next start.  "" nodeset = every host node, no binding.
 */
static int undo_numa(struct run *u, const struct jstep *s, struct err *e)
{
	struct err why = ERR_INIT;
	int rc = virt_set_numa(u->c, s->target, s->mode, s->nodeset, &why);
	const char *ns = s->nodeset[0] ? s->nodeset : "all nodes";

	if (rc < 0) {
		*e = why;
		return -1;
	}
	if (rc > 0)
		logf_(u, "domain '%s': numatune not restored live (%s): its definition is",
		      s->target, why.msg);
	else
		logf_(u, "restored domain '%s' numatune to %s %s", s->target,
		      s->mode[0] ? s->mode : "(mode kept)", ns);
	return 0;
}

/* Undoes one journal record. */
static int undo(struct run *u, const struct jstep *s, struct err *e)
{
	char cpus[256];

	switch (s->kind) {
	case JSTEP_WRITE:
		if (fs_write(u->r, s->target, s->data, e) < 0)
			return -1;
		logf_(u, "restored '%s' to '%s'", s->target, s->data);
		return 0;
	case JSTEP_DEFINE:
		if (!u->c)
			return err_set(e, 0, "cannot restore domain '%s': no libvirt connection",
				       s->target);
		/* what was defined before, exactly: libvirt's schema judged it then */
		if (virt_define(u->c, s->data, false, e) < 0)
			return -1;
		logf_(u, "restored the definition of domain '%s'", s->target);
		return 0;
	case JSTEP_VCPUPIN:
	case JSTEP_EMULATORPIN:
	case JSTEP_IOTHREADPIN:
	case JSTEP_NUMATUNE: {
		struct lv_domain d;

		if (!u->c)
			return err_set(e, 0, "cannot restore pins of '%s': no libvirt connection",
				       s->target);
		if (lv_domain(u->c, s->target, &d, e) < 0)
			return -1;
		idset_format(&s->cpus, cpus, sizeof(cpus));
		/* a domain stopped since: its next start reads the restored definition */
		if (!d.active) {
			if (s->kind == JSTEP_NUMATUNE)
				logf_(u, "domain '%s' is not running: live numatune not needed",
				      s->target);
			else
				logf_(u, "domain '%s' is not running: live pin to %s not needed",
				      s->target, cpus);
			return 0;
		}
		if (s->kind == JSTEP_NUMATUNE)
			return undo_numa(u, s, e);
		if (s->kind == JSTEP_VCPUPIN) {
			if (virt_pin_vcpu(u->c, s->target, s->vcpu, &s->cpus, e) < 0)
				return -1;
			logf_(u, "restored domain '%s' vCPU %u to CPUs %s", s->target, s->vcpu,
			      cpus);
		} else if (s->kind == JSTEP_IOTHREADPIN) {
			if (virt_pin_iothread(u->c, s->target, s->iothread, &s->cpus, e) < 0)
				return -1;
			logf_(u, "restored domain '%s' iothread %u to CPUs %s", s->target,
			      s->iothread, cpus);
		} else {
			if (virt_pin_emulator(u->c, s->target, &s->cpus, e) < 0)
				return -1;
			logf_(u, "restored domain '%s' emulator to CPUs %s", s->target, cpus);
		}
		return 0;
	}
	case JSTEP_KINDS:
		break;
	}
	return err_set(e, EINVAL, "unknown journal record");
}

/* Undoes steps [0, @n) of the journal, newest first, past failures.  Fills
 * @first with the first undo failure.  Returns the number of failures. */
static size_t undo_all(struct run *u, size_t n, struct err *first)
{
	size_t failed = 0;

	for (size_t i = n; i-- > 0;) {
		struct err ue = ERR_INIT;

		if (undo(u, &u->j->steps[i], &ue) < 0) {
			if (u->j->steps[i].kind != JSTEP_WRITE && lv_unreachable(&ue))
				u->unreachable = true;
			if (failed++ == 0)
				*first = ue;
			logf_(u, "NOT restored: %s", ue.msg);
		} else {
			u->res->undone++;
		}
	}
	u->res->undo_failed = failed;
	return failed;
}

/*
 * After a libvirt call of a step failed with @e: a lost answer (the
 * connection broke or libvirt did not answer in time) may hide a change
 * libvirt made all the same.  The step was journaled before the call, so it
 * counts as done and is undone with the others: putting back the old XML or
 * pin is harmless when nothing changed.
 */
static void lost(struct run *u, const struct err *e, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void lost(struct run *u, const struct err *e, const char *fmt, ...)
{
	char what[APPLY_NOTE_MAX];
	va_list ap;

	if (!lv_outcome_unknown(e))
		return;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	u->maybe_done = true;
	logf_(u, "%s may be done (libvirt's answer was lost): it is undone too", what);
}

static void note(struct run *u, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void note(struct run *u, const char *fmt, ...)
{
	char line[APPLY_NOTE_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (!apply_add_line(&u->res->notes, &u->res->nnotes, "%s", line))
		u->oom = true;
}

/*
 * Defines the new XML with libvirt's schema validation.  Domains defined
 * without it may not pass the schema at all (an odd machine name, say); when
 * libvirt's schema refuses the new XML, the current definition @old is
 * validated too (a define of the same XML, which changes nothing): if it
 * fails as well, the schema is not ours to fix, and the new XML is defined
 * without validation, said in a note.  If it passes, the rewrite broke it.
 */
static int define(struct run *u, const struct apply_domain *d, const char *old, struct err *e)
{
	struct err e2 = ERR_INIT;

	if (virt_define(u->c, d->new_xml, true, e) == 0) {
		logf_(u, "defined domain '%s'", d->name);
		return 0;
	}
	if (!virt_schema_invalid(e) || virt_define(u->c, old, true, &e2) == 0 ||
	    !virt_schema_invalid(&e2))
		return -1;
	if (virt_define(u->c, d->new_xml, false, e) < 0)
		return -1;
	logf_(u, "defined domain '%s' without schema validation", d->name);
	note(u,
	     "domain '%s' did not pass libvirt's schema before the change either: defined "
	     "without validation",
	     d->name);
	return 0;
}

static int step_define(struct run *u, const struct apply_domain *d, struct err *e)
{
	struct jstep s;
	char *now = lv_xml(u->c, d->name, true, e);
	int rc = -1;

	if (!now)
		return -1;
	/* the undo is the definition as it is now, and it must be what was shown */
	if (strcmp(now, d->old_xml) != 0) {
		free(now);
		return err_set(e, 0,
			       "domain '%s' changed since the change set was made: run apply "
			       "again",
			       d->name);
	}
	memset(&s, 0, sizeof(s));
	s.kind = JSTEP_DEFINE;
	snprintf(s.target, sizeof(s.target), "%s", d->name);
	s.data = now;
	if (journal_record(u->j, &s, e) == 0) {
		if (define(u, d, now, e) == 0)
			rc = 0;
		else
			lost(u, e, "the define of domain '%s'", d->name);
	}
	free(now);
	return rc;
}

/* The live numatune, where libvirt allows it: a refusal leaves the live
 * binding as it was (the step did not act) and is a note, not a failure. */
static int step_numa(struct run *u, const struct apply_domain *d, struct err *e)
{
	struct err why = ERR_INIT;
	struct jstep s;
	int rc;

	memset(&s, 0, sizeof(s));
	s.kind = JSTEP_NUMATUNE;
	snprintf(s.target, sizeof(s.target), "%s", d->name);
	snprintf(s.mode, sizeof(s.mode), "%s", d->old_numa_mode);
	snprintf(s.nodeset, sizeof(s.nodeset), "%s", d->old_numa_nodeset);
	if (journal_record(u->j, &s, e) < 0)
		return -1;
	rc = virt_set_numa(u->c, d->name, d->numa_mode, d->numa_nodeset, &why);
	if (rc < 0) {
		*e = why;
		lost(u, e, "the numatune of domain '%s'", d->name);
		return -1;
	}
	if (rc > 0) {
		note(u, "domain '%s': numatune applied to the persistent definition only: %s",
		     d->name, why.msg);
		logf_(u, "domain '%s': numatune %s %s not set live (libvirt refuses it live)",
		      d->name, d->numa_mode, d->numa_nodeset);
		return 0;
	}
	u->res->done++;
	logf_(u, "set domain '%s' numatune to %s %s (was %s %s)", d->name, d->numa_mode,
	      d->numa_nodeset, d->old_numa_mode[0] ? d->old_numa_mode : "none",
	      d->old_numa_nodeset[0] ? d->old_numa_nodeset : "all nodes");
	return 0;
}

static int step_pins(struct run *u, const struct apply_domain *d, struct err *e)
{
	struct jstep s;
	char cpus[256];

	memset(&s, 0, sizeof(s));
	snprintf(s.target, sizeof(s.target), "%s", d->name);
	for (size_t i = 0; i < d->npins; i++) {
		struct idset want;

		idset_clear(&want);
		idset_add(&want, d->pins[i].cpu);
		s.kind = JSTEP_VCPUPIN;
		s.vcpu = d->pins[i].vcpu;
		s.cpus = d->old_pins[i];
		if (journal_record(u->j, &s, e) < 0)
			return -1;
		if (virt_pin_vcpu(u->c, d->name, d->pins[i].vcpu, &want, e) < 0) {
			lost(u, e, "the pin of domain '%s' vCPU %u", d->name, s.vcpu);
			return -1;
		}
		u->res->done++;
		logf_(u, "pinned domain '%s' vCPU %u to CPU %u", d->name, d->pins[i].vcpu,
		      d->pins[i].cpu);
	}
	if (d->pin_emulator) {
		s.kind = JSTEP_EMULATORPIN;
		s.cpus = d->old_emulator;
		if (journal_record(u->j, &s, e) < 0)
			return -1;
		if (virt_pin_emulator(u->c, d->name, &d->emulator, e) < 0) {
			lost(u, e, "the emulator pin of domain '%s'", d->name);
			return -1;
		}
		u->res->done++;
		logf_(u, "pinned domain '%s' emulator to CPUs %s", d->name,
		      idset_format(&d->emulator, cpus, sizeof(cpus)));
	}
	idset_format(&d->iothread, cpus, sizeof(cpus));
	for (size_t i = 0; i < d->niothreads; i++) {
		s.kind = JSTEP_IOTHREADPIN;
		s.iothread = d->old_iothreads[i].id;
		s.cpus = d->old_iothreads[i].cpus;
		if (journal_record(u->j, &s, e) < 0)
			return -1;
		if (virt_pin_iothread(u->c, d->name, s.iothread, &d->iothread, e) < 0) {
			lost(u, e, "the pin of domain '%s' iothread %u", d->name, s.iothread);
			return -1;
		}
		u->res->done++;
		logf_(u, "pinned domain '%s' iothread %u to CPUs %s", d->name, s.iothread, cpus);
	}
	if (d->set_numa)
		return step_numa(u, d, e);
	return 0;
}

static int step_write(struct run *u, const struct apply_write *w, struct err *e)
{
	struct jstep s;
	char *now = apply_read_value(u->r, w->path, e);
	int rc = -1;

	if (!now)
		return -1;
	if (strcmp(now, w->old_value) != 0) {
		err_set(e, 0,
			"'%s%s' changed since the change set was made ('%s', was '%s'): "
			"run apply again",
			u->r->shown, w->path, now, w->old_value);
		free(now);
		return -1;
	}
	memset(&s, 0, sizeof(s));
	s.kind = JSTEP_WRITE;
	snprintf(s.target, sizeof(s.target), "%s", w->path);
	s.data = now;
	if (journal_record(u->j, &s, e) == 0 && fs_write(u->r, w->path, w->new_value, e) == 0) {
		logf_(u, "wrote '%s' to '%s' (was '%s')", w->new_value, w->path, now);
		rc = 0;
	}
	free(now);
	return rc;
}

/* The root as the journal keeps it: resolved, "/" for the live host. */
static void root_name(const struct fsroot *r, char *buf, size_t size)
{
	char real[PATH_MAX];

	if (r->live || !realpath(r->dir, real))
		snprintf(buf, size, "%s", r->live ? "/" : r->dir);
	else
		snprintf(buf, size, "%s", real);
}

/*
 * Marks the journal of an undo that nothing failed in as rolled back.  When
 * the journal cannot grow (a full disk, most likely the very failure that
 * stopped the apply), it is removed instead: nothing in it is left to undo,
 * unlink needs no free space, and left as it is it would stay 'incomplete' or
 * 'complete', the default target of 'hvtune rollback', which would write its
 * stale old values back over later changes.  Returns 0 when marked, 1 when
 * removed (@why says why it could not be marked), -1 when neither.
 */
static int mark_undone(struct journal *j, struct err *why)
{
	struct err re = ERR_INIT;

	if (journal_mark(j, JOURNAL_ROLLED_BACK, why) == 0)
		return 0;
	return journal_remove(j, &re) == 0 ? 1 : -1;
}

/*
 * The end of a failed apply: what was undone, and the journal marked so.  An
 * undo that could not reach libvirt leaves it incomplete (no "end" line):
 * libvirt may hold the plan (a define whose answer was lost), and 'hvtune
 * rollback' undoes every step again once libvirt answers (each undo puts back
 * an old value: doing one twice is harmless).
 */
static void finish(struct run *u, size_t failed, const struct err *first, struct err *e)
{
	struct err me = ERR_INIT;
	int rc;

	if (failed)
		strfmt_cat(e->msg, sizeof(e->msg), "; rollback incomplete: %s%s", first->msg,
			   failed > 1 ? " (and more: see the log)" : "");
	if (u->unreachable) {
		strfmt_cat(e->msg, sizeof(e->msg),
			   "; journal '%s' stays incomplete: run 'hvtune rollback' when libvirt "
			   "answers",
			   u->j->id);
		return;
	}
	if (failed) {
		/* left as it is when this fails too: 'hvtune rollback' completes it */
		rc = journal_mark(u->j, JOURNAL_ROLLBACK_FAILED, &me);
	} else {
		rc = mark_undone(u->j, &me);
		if (rc == 1) {
			strfmt_cat(e->msg, sizeof(e->msg),
				   "; everything was undone, and journal '%s' is removed (it could "
				   "not be marked rolled back)",
				   u->j->id);
			return;
		}
	}
	/* the same failure (the journal cannot grow) is said once */
	if (rc < 0 && !strstr(e->msg, me.msg))
		strfmt_cat(e->msg, sizeof(e->msg), "; %s", me.msg);
}

int apply_commit(const struct changeset *cs, const struct fsroot *r, struct lv *c, const char *uri,
		 const char *state_dir, struct apply_result *res, struct err *e)
{
	struct journal j;
	struct run u = {&j, r, c, res, false, false, false};
	char root[PATH_MAX];
	size_t n0 = 0;
	int lock, rc = -1;

	apply_result_init(res);
	journal_init(&j);
	if (cs->ndomains && !c)
		return err_set(e, 0, "cannot change domains without a libvirt connection");
	lock = journal_lock(state_dir, e);
	if (lock < 0)
		return -1;
	root_name(r, root, sizeof(root));
	if (journal_create(&j, state_dir, root, cs->ndomains ? uri : "", e) < 0)
		goto out;
	snprintf(res->journal_id, sizeof(res->journal_id), "%s", j.id);
	/* libvirt validates each XML at define: a bad one stops the apply before
	 * any live pin or host file is touched */
	for (size_t i = 0; i < cs->ndomains; i++) {
		n0 = j.nsteps;
		if (cs->domains[i].new_xml) {
			if (step_define(&u, &cs->domains[i], e) < 0)
				goto undo;
			res->done++;
		}
	}
	for (size_t i = 0; i < cs->ndomains; i++) {
		n0 = j.nsteps;
		if (step_pins(&u, &cs->domains[i], e) < 0)
			goto undo;
	}
	for (size_t i = 0; i < cs->nwrites; i++) {
		n0 = j.nsteps;
		if (step_write(&u, &cs->writes[i], e) < 0)
			goto undo;
		res->done++;
	}
	n0 = j.nsteps;
	if (journal_mark(&j, JOURNAL_COMPLETE, e) < 0)
		goto undo;
	rc = u.oom ? err_set(e, ENOMEM, "applied, but out of memory for the log") : 0;
	goto out;
undo : {
	struct err first = ERR_INIT;
	/* the step that failed recorded its undo but did not act (a refused
	 * define or write changes nothing): undo the steps before it.  One whose
	 * answer was lost may have acted: it is undone too, as 'hvtune rollback'
	 * undoes the last step of a killed process. */
	size_t acted = j.nsteps > n0 && !u.maybe_done ? j.nsteps - 1 : j.nsteps;

	finish(&u, undo_all(&u, acted, &first), &first, e);
}
out:
	journal_release(&j);
	journal_unlock(lock);
	return rc;
}

/* A domain name as libvirt takes it, on one line of the journal. */
static bool good_name(const char *name)
{
	for (const char *p = name; *p; p++)
		if (iscntrl((unsigned char)*p) || *p == '/')
			return false;
	return name[0] != '\0';
}

/* One record checked as apply checks a plan: the allow-list and the kind of
 * the value for a write, a plain domain name, a known numatune mode. */
static int check_step(const struct jstep *s, struct err *e)
{
	static const char *const modes[] = {"", "strict", "preferred", "interleave", "restrictive"};
	const struct knob_row *k;
	struct idset nodes;
	struct err pe = ERR_INIT;
	bool known = false;

	if (s->kind == JSTEP_WRITE) {
		k = knobs_find(s->target);
		if (!k)
			return err_set(e, 0,
				       "refusing to write to '%s': not a setting hvtune changes",
				       s->target);
		return knobs_check(k, s->target, s->data ? s->data : "", e);
	}
	if ((unsigned)s->kind >= JSTEP_KINDS)
		return err_set(e, 0, "unknown record");
	if (!good_name(s->target))
		return err_set(e, 0, "invalid domain name '%s'", s->target);
	if (s->kind != JSTEP_NUMATUNE)
		return 0;
	for (size_t i = 0; i < ARRAY_LEN(modes); i++)
		known = known || strcmp(s->mode, modes[i]) == 0;
	if (!known)
		return err_set(e, 0, "unknown numatune mode '%s' for domain '%s'", s->mode,
			       s->target);
	if (s->nodeset[0] && idset_parse(&nodes, s->nodeset, &pe) < 0)
		return err_set(e, 0, "%s in the numatune of domain '%s'", pe.msg, s->target);
	return 0;
}

int apply_check_journal(const struct journal *j, struct err *e)
{
	for (size_t i = 0; i < j->nsteps; i++) {
		if (check_step(&j->steps[i], e) < 0) {
			err_prefix(e, "journal '%s' record %zu", j->id, i + 1);
			strfmt_cat(e->msg, sizeof(e->msg), " (nothing was rolled back)");
			return -1;
		}
	}
	return 0;
}

/* An absolute path with nothing a URI would read as more than a path. */
static bool plain_path(const char *p)
{
	if (p[0] != '/')
		return false;
	for (; *p; p++)
		if (iscntrl((unsigned char)*p) || strchr("?&#%;\\ ", *p))
			return false;
	return true;
}

int apply_journal_uri(const struct journal *j, struct err *e)
{
	const char *u = j->uri;

	if (!u[0])
		return err_set(e, 0, "journal '%s' names no libvirt URI (give --connect URI)",
			       j->id);
	/* libvirt runs a command for some transports (qemu+ext://...?command=,
	 * qemu+ssh://, a unix socket's ?command=): a journal may name only the
	 * local forms hvtune records itself */
	if (strcmp(u, "qemu:///system") == 0 || strcmp(u, "qemu:///session") == 0 ||
	    strcmp(u, "test:///default") == 0)
		return 0;
	if (strncmp(u, "qemu:///system?socket=", 22) == 0 && plain_path(u + 22))
		return 0;
	if (strncmp(u, "test://", 7) == 0 && plain_path(u + 7))
		return 0;
	return err_set(e, 0,
		       "journal '%s' names libvirt URI '%s': rollback connects on its own only to "
		       "qemu:///system, qemu:///session, qemu:///system?socket=/PATH, "
		       "test:///default or test:///PATH (give --connect URI to use another)",
		       j->id, u);
}

int apply_pick_journal(const char *state_dir, const char *id, struct journal *j, struct err *e)
{
	struct journal *all;
	struct journal_bad *bad;
	size_t n, nbad;
	ssize_t pick = -1;
	int rc = 0;

	journal_init(j);
	if (journal_scan(state_dir, &all, &n, &bad, &nbad, e) < 0)
		return -1;
	for (size_t i = n; i-- > 0 && pick < 0;)
		if (id[0] ? strcmp(all[i].id, id) == 0 : all[i].status != JOURNAL_ROLLED_BACK)
			pick = (ssize_t)i;
	for (size_t i = 0; i < nbad && rc == 0; i++) {
		/* the default is the newest journal not rolled back: one newer that
		 * cannot be read may be it, and is not passed over */
		if (id[0] && strcmp(bad[i].id, id) == 0) {
			*e = bad[i].why;
			rc = -1;
		} else if (!id[0] && (pick < 0 || strcmp(bad[i].id, all[pick].id) > 0)) {
			rc = err_set(e, 0,
				     "cannot tell whether journal '%s' is rolled back (%s): give "
				     "the ID of the journal to roll back (see 'hvtune journal')",
				     bad[i].id, bad[i].why.msg);
		}
	}
	if (rc == 0 && pick >= 0) {
		*j = all[pick];
		journal_init(&all[pick]);
	}
	for (size_t i = 0; i < n; i++)
		journal_release(&all[i]);
	free(all);
	free(bad);
	if (rc < 0 || pick >= 0)
		return rc;
	if (id[0])
		return err_set(e, 0, "no journal '%s' in '%s' (see 'hvtune journal')", id,
			       state_dir);
	return err_set(e, 0, "nothing to roll back: no journal in '%s' that is not rolled back",
		       state_dir);
}

int apply_rollback(const char *state_dir, const char *id, const struct fsroot *r, struct lv *c,
		   struct apply_result *res, struct err *e)
{
	struct journal j, pick;
	struct run u = {&j, r, c, res, false, false, false};
	char root[PATH_MAX];
	struct err first = ERR_INIT;
	size_t failed;
	int lock, rc = -1;

	apply_result_init(res);
	journal_init(&j);
	lock = journal_lock(state_dir, e);
	if (lock < 0)
		return -1;
	if (apply_pick_journal(state_dir, id, &pick, e) < 0)
		goto out;
	snprintf(res->journal_id, sizeof(res->journal_id), "%s", pick.id);
	journal_release(&pick);
	if (journal_load(&j, state_dir, res->journal_id, true, e) < 0)
		goto out;
	if (j.status == JOURNAL_ROLLED_BACK) {
		err_set(e, 0, "journal '%s' is already rolled back", j.id);
		goto out;
	}
	root_name(r, root, sizeof(root));
	if (strcmp(root, j.root) != 0) {
		err_set(e, 0, "journal '%s' is for root '%s', not '%s' (use --root %s)", j.id,
			j.root, root, j.root);
		goto out;
	}
	/* all or nothing: every record is checked before the first is undone */
	if (apply_check_journal(&j, e) < 0)
		goto out;
	failed = undo_all(&u, j.nsteps, &first);
	if (failed) {
		err_set(e, 0, "rollback of '%s' incomplete: %s%s", j.id, first.msg,
			failed > 1 ? " (and more: see the log)" : "");
		e->sys = first.sys; /* "needs root" is decided on it */
		journal_mark(&j, JOURNAL_ROLLBACK_FAILED, &first);
		goto out;
	}
	switch (mark_undone(&j, &first)) {
	case -1:
		err_set(e, 0, "rolled back, but journal '%s' is not marked so: %s", j.id,
			first.msg);
		e->sys = first.sys;
		goto out;
	case 1:
		logf_(&u, "journal '%s' removed: it could not be marked rolled back (%s)", j.id,
		      first.msg);
		break;
	}
	rc = u.oom ? err_set(e, ENOMEM, "rolled back, but out of memory for the log") : 0;
out:
	journal_release(&j);
	journal_unlock(lock);
	return rc;
}
