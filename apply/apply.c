/* apply.c - prepare a plan's change set, commit it step by step with a journal, roll back */
#include "apply/apply.h"
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

#define VALUE_MAX 4096 /* a sysfs value: one page at most */

void changeset_init(struct changeset *cs)
{
	memset(cs, 0, sizeof(*cs));
}

static void domain_release(struct apply_domain *d)
{
	free(d->old_xml);
	free(d->new_xml);
	free(d->diff);
	free(d->pins);
	free(d->old_pins);
	free(d->old_iothreads);
}

void changeset_release(struct changeset *cs)
{
	for (size_t i = 0; i < cs->ndomains; i++)
		domain_release(&cs->domains[i]);
	free(cs->domains);
	for (size_t i = 0; i < cs->nwrites; i++) {
		free(cs->writes[i].old_value);
		free(cs->writes[i].new_value);
	}
	free(cs->writes);
	free(cs->notes);
	changeset_init(cs);
}

bool changeset_empty(const struct changeset *cs)
{
	return cs->ndomains == 0 && cs->nwrites == 0;
}

void apply_result_init(struct apply_result *r)
{
	memset(r, 0, sizeof(*r));
}

void apply_result_release(struct apply_result *r)
{
	free(r->log);
	free(r->notes);
	apply_result_init(r);
}

/* Appends a line to a list of fixed lines; false when out of memory. */
static bool add_line(char (**lines)[APPLY_NOTE_MAX], size_t *n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static bool add_line(char (**lines)[APPLY_NOTE_MAX], size_t *n, const char *fmt, ...)
{
	char(*grown)[APPLY_NOTE_MAX] = realloc(*lines, (*n + 1) * sizeof(*grown));
	va_list ap;

	if (!grown)
		return false;
	*lines = grown;
	va_start(ap, fmt);
	vsnprintf(grown[*n], APPLY_NOTE_MAX, fmt, ap);
	va_end(ap);
	(*n)++;
	return true;
}

void apply_opts(const struct profile *pf, struct domxml_opts *o)
{
	memset(o, 0, sizeof(*o));
	/* the guest's sockets/cores/threads and NUMA cells mirror the host's
	 * placement: only host-passthrough shows the guest the real caches */
	o->host_passthrough = true;
	/* KSM off for the host: a guest's pages are never merged either (merged
	 * pages would sit on whichever node ksmd picked) */
	o->nosharepages = pf->ksm == KNOB_OFF;
	/* a profile that isolates its CPUs wants no page faults from swap */
	o->locked = pf->isolate;
	/* SCHED_FIFO vCPUs starve host threads on CPUs the kernel still uses for
	 * work (kworkers, RCU) unless isolcpus is booted: never set here */
	o->vcpusched[0] = '\0';
}

bool apply_allowed(const char *path)
{
	return knobs_find(path) != NULL;
}

/* The value of @path in the form it is written back: THP's bracketed choice. */
static char *read_value(const struct fsroot *r, const char *path, struct err *e)
{
	const struct knob_row *k = knobs_find(path);
	char buf[VALUE_MAX];
	char *v;

	if (k && k->kind == KIND_CHOICE) {
		if (fs_read_setting(r, path, buf, sizeof(buf), e) < 0)
			return NULL;
	} else if (fs_read(r, path, buf, sizeof(buf), e) < 0) {
		return NULL;
	}
	v = strdup(buf);
	if (!v)
		err_set(e, ENOMEM, "cannot read '%s%s'", r->shown, path);
	return v;
}

/* The plan's root and the root being applied to are the same directory. */
int apply_check_root(const struct plan *p, const struct fsroot *r, struct err *e)
{
	const char *plan_root = p->root;
	char a[PATH_MAX], b[PATH_MAX];
	bool plan_live = plan_root[0] == '\0' || strcmp(plan_root, "/") == 0;

	if (plan_live && r->live)
		return 0;
	if (!plan_live && !r->live && realpath(plan_root, a) && realpath(r->dir, b) &&
	    strcmp(a, b) == 0)
		return 0;
	return err_set(e, 0, "the plan is for root '%s', not '%s' (plan again with --root %s)",
		       plan_live ? "/" : plan_root, r->live ? "/" : r->dir, r->live ? "/" : r->dir);
}

/* The running domain's iothreads whose live pin differs from the plan's: the
 * iothread cpuset, else the emulator's (as domxml_rewrite() pins them). */
static int prepare_iothreads(const struct vm_plan *vm, struct lv *c, struct apply_domain *ad,
			     struct err *e)
{
	const struct idset *want = idset_empty(&vm->iothread) ? &vm->emulator : &vm->iothread;
	struct lv_iothread *io;
	size_t n;

	if (idset_empty(want))
		return 0;
	if (lv_iothread_pins(c, vm->name, &io, &n, e) < 0)
		return -1;
	ad->iothread = *want;
	for (size_t i = 0; i < n; i++)
		if (!idset_equal(&io[i].cpus, want))
			io[ad->niothreads++] = io[i];
	if (ad->niothreads == 0) {
		free(io);
		io = NULL;
	}
	ad->old_iothreads = io;
	return 0;
}

/* The live numatune the plan wants: strict on the nodes of the VM and its
 * cells (as domxml_rewrite() writes <numatune><memory>). */
static int prepare_numa(const struct vm_plan *vm, struct lv *c, struct apply_domain *ad,
			struct err *e)
{
	struct idset nodes = vm->nodes, now;
	struct err pe = ERR_INIT;

	for (size_t i = 0; i < vm->ncells; i++)
		idset_add(&nodes, vm->cells[i].node);
	if (idset_empty(&nodes))
		return 0;
	if (lv_numa(c, vm->name, ad->old_numa_mode, sizeof(ad->old_numa_mode), ad->old_numa_nodeset,
		    sizeof(ad->old_numa_nodeset), e) < 0)
		return -1;
	snprintf(ad->numa_mode, sizeof(ad->numa_mode), "strict");
	idset_format(&nodes, ad->numa_nodeset, sizeof(ad->numa_nodeset));
	ad->set_numa = strcmp(ad->old_numa_mode, ad->numa_mode) != 0 || !ad->old_numa_nodeset[0] ||
		       idset_parse(&now, ad->old_numa_nodeset, &pe) < 0 ||
		       !idset_equal(&now, &nodes);
	return 0;
}

static int prepare_domain(const struct vm_plan *vm, const struct domxml_opts *o, struct lv *c,
			  const struct lv_domain *d, struct changeset *cs, struct err *e)
{
	struct apply_domain ad;
	char la[PLAN_NAME_MAX + 32], lb[PLAN_NAME_MAX + 32];
	int rc = -1;

	memset(&ad, 0, sizeof(ad));
	snprintf(ad.name, sizeof(ad.name), "%s", vm->name);
	ad.active = d->active;
	ad.old_xml = lv_xml(c, vm->name, true, e);
	if (!ad.old_xml)
		goto out;
	ad.new_xml = domxml_rewrite(ad.old_xml, vm, o, e);
	if (!ad.new_xml) {
		err_prefix(e, "domain '%s'", vm->name);
		goto out;
	}
	snprintf(la, sizeof(la), "%s.xml (now)", vm->name);
	snprintf(lb, sizeof(lb), "%s.xml (plan)", vm->name);
	ad.diff = diff_unified(ad.old_xml, ad.new_xml, la, lb, e);
	if (!ad.diff)
		goto out;
	if (ad.diff[0] == '\0') {
		free(ad.new_xml);
		ad.new_xml = NULL;
	}
	if (ad.active && d->vcpus > 0) {
		struct idset *now = calloc(d->vcpus, sizeof(*now));

		ad.pins = calloc(vm->npins ? vm->npins : 1, sizeof(*ad.pins));
		ad.old_pins = calloc(vm->npins ? vm->npins : 1, sizeof(*ad.old_pins));
		if (!now || !ad.pins || !ad.old_pins) {
			free(now);
			err_set(e, ENOMEM, "cannot prepare domain '%s'", vm->name);
			goto out;
		}
		if (lv_vcpu_pins(c, vm->name, now, d->vcpus, e) < 0) {
			free(now);
			goto out;
		}
		for (size_t i = 0; i < vm->npins; i++) {
			struct idset want;

			if (vm->pins[i].vcpu >= d->vcpus)
				continue;
			idset_clear(&want);
			idset_add(&want, vm->pins[i].cpu);
			if (idset_equal(&want, &now[vm->pins[i].vcpu]))
				continue;
			ad.pins[ad.npins] = vm->pins[i];
			ad.old_pins[ad.npins++] = now[vm->pins[i].vcpu];
		}
		free(now);
		if (d->vcpus != vm->vcpus &&
		    !add_line(&cs->notes, &cs->nnotes,
			      "domain '%s' runs %u vCPUs, the plan has %u: the change takes "
			      "effect at its next start",
			      vm->name, d->vcpus, vm->vcpus)) {
			err_set(e, ENOMEM, "cannot prepare domain '%s'", vm->name);
			goto out;
		}
		if (!idset_empty(&vm->emulator)) {
			if (lv_emulator_pin(c, vm->name, &ad.old_emulator, e) < 0)
				goto out;
			ad.emulator = vm->emulator;
			ad.pin_emulator = !idset_equal(&ad.emulator, &ad.old_emulator);
		}
		if (prepare_iothreads(vm, c, &ad, e) < 0 || prepare_numa(vm, c, &ad, e) < 0)
			goto out;
		/* The definition already carries the plan's numatune: an apply
		 * before tried it live, and libvirt refused it (or it was changed
		 * by hand since).  Trying again would journal a change at every
		 * apply of the same plan; the next start brings it. */
		if (ad.set_numa && !ad.new_xml) {
			ad.set_numa = false;
			if (!add_line(&cs->notes, &cs->nnotes,
				      "domain '%s': live numatune %s %s, the definition's %s %s: "
				      "it takes effect at the next start",
				      vm->name, ad.old_numa_mode[0] ? ad.old_numa_mode : "none",
				      ad.old_numa_nodeset[0] ? ad.old_numa_nodeset : "(all nodes)",
				      ad.numa_mode, ad.numa_nodeset)) {
				err_set(e, ENOMEM, "cannot prepare domain '%s'", vm->name);
				goto out;
			}
		}
	}
	if (!ad.new_xml && ad.npins == 0 && !ad.pin_emulator && ad.niothreads == 0 &&
	    !ad.set_numa) {
		rc = 0;
		goto out;
	}
	{
		struct apply_domain *grown =
		    realloc(cs->domains, (cs->ndomains + 1) * sizeof(*grown));

		if (!grown) {
			err_set(e, ENOMEM, "cannot prepare domain '%s'", vm->name);
			goto out;
		}
		cs->domains = grown;
		grown[cs->ndomains++] = ad;
		return 0;
	}
out:
	domain_release(&ad);
	return rc;
}

static int prepare_write(const struct plan_setting *s, const struct fsroot *r, struct changeset *cs,
			 struct err *e)
{
	const struct knob_row *k = knobs_find(s->path);
	struct apply_write w;
	struct apply_write *grown;

	memset(&w, 0, sizeof(w));
	if (!k)
		return err_set(e, 0,
			       "refusing to write '%s': not a setting hvtune changes (see "
			       "'hvtune apply --help')",
			       s->path);
	w.old_value = read_value(r, s->path, e);
	if (!w.old_value)
		return -1;
	if (knobs_same(k, w.old_value, s->value)) {
		free(w.old_value);
		return 0;
	}
	/* the old value goes into the journal: rollback checks it as a plan's */
	if (knobs_check(k, s->path, w.old_value, e) < 0) {
		free(w.old_value);
		return err_prefix(e, "cannot record the old value of '%s%s' for rollback", r->shown,
				  s->path);
	}
	snprintf(w.path, sizeof(w.path), "%s", s->path);
	snprintf(w.reason, sizeof(w.reason), "%s", s->reason);
	w.new_value = strdup(s->value);
	grown = w.new_value ? realloc(cs->writes, (cs->nwrites + 1) * sizeof(*grown)) : NULL;
	if (!grown) {
		free(w.old_value);
		free(w.new_value);
		return err_set(e, ENOMEM, "cannot prepare '%s'", s->path);
	}
	cs->writes = grown;
	grown[cs->nwrites++] = w;
	return 0;
}

int apply_prepare(const struct plan *p, const struct domxml_opts *o, const struct fsroot *r,
		  struct lv *c, struct changeset *cs, struct err *e)
{
	struct lv_domain *doms = NULL;
	size_t ndoms = 0;

	changeset_init(cs);
	if (apply_check_root(p, r, e) < 0)
		return -1;
	/* every path and value first: a refused one refuses the plan before
	 * anything is read */
	for (size_t i = 0; i < p->nsettings; i++) {
		const struct plan_setting *s = &p->settings[i];
		const struct knob_row *k = knobs_find(s->path);

		if (!k)
			return err_set(e, 0,
				       "refusing to write '%s': not a setting hvtune changes "
				       "(see 'hvtune apply --help')",
				       s->path);
		if (knobs_check(k, s->path, s->value, e) < 0)
			return -1;
	}
	if (c && lv_domains(c, &doms, &ndoms, e) < 0)
		return -1;
	for (size_t i = 0; i < p->nvms; i++) {
		const struct vm_plan *vm = &p->vms[i];
		const struct lv_domain *d = NULL;
		bool ok = true;

		for (size_t k = 0; k < ndoms && !d; k++)
			if (strcmp(doms[k].name, vm->name) == 0)
				d = &doms[k];
		if (!vm->placed)
			ok = add_line(&cs->notes, &cs->nnotes, "vm '%s' is not placed: skipped",
				      vm->name);
		else if (!c)
			ok = add_line(&cs->notes, &cs->nnotes,
				      "vm '%s': no libvirt connection (--connect URI): its domain "
				      "is not changed",
				      vm->name);
		else if (!d)
			ok = add_line(&cs->notes, &cs->nnotes,
				      "vm '%s': no domain of that name in '%s': nothing to define",
				      vm->name, lv_uri(c));
		else if (prepare_domain(vm, o, c, d, cs, e) < 0)
			goto fail;
		if (!ok) {
			err_set(e, ENOMEM, "cannot prepare the change set");
			goto fail;
		}
	}
	for (size_t i = 0; i < p->nsettings; i++)
		if (prepare_write(&p->settings[i], r, cs, e) < 0)
			goto fail;
	free(doms);
	return 0;
fail:
	free(doms);
	changeset_release(cs);
	return -1;
}

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
	if (!add_line(&u->res->log, &u->res->nlog, "%s", line))
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
	if (!add_line(&u->res->notes, &u->res->nnotes, "%s", line))
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
	char *now = read_value(u->r, w->path, e);
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
