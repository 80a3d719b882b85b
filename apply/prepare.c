/* prepare.c - a plan's change set: the new domain XML and every host write, touching nothing */
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

bool apply_add_line(char (**lines)[APPLY_NOTE_MAX], size_t *n, const char *fmt, ...)
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
char *apply_read_value(const struct fsroot *r, const char *path, struct err *e)
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

/* The live vCPU pins of a running domain that differ from the plan's, with
 * their current values for the undo; vCPUs past the @nvcpus running ones
 * (not plugged in) are left to the definition. */
static int prepare_vcpu_pins(const struct vm_plan *vm, struct lv *c, unsigned nvcpus,
			     struct apply_domain *ad, struct err *e)
{
	struct idset *now = calloc(nvcpus, sizeof(*now));

	ad->pins = calloc(vm->npins ? vm->npins : 1, sizeof(*ad->pins));
	ad->old_pins = calloc(vm->npins ? vm->npins : 1, sizeof(*ad->old_pins));
	if (!now || !ad->pins || !ad->old_pins) {
		free(now);
		return err_set(e, ENOMEM, "cannot prepare domain '%s'", vm->name);
	}
	if (lv_vcpu_pins(c, vm->name, now, nvcpus, e) < 0) {
		free(now);
		return -1;
	}
	for (size_t i = 0; i < vm->npins; i++) {
		struct idset want;

		if (vm->pins[i].vcpu >= nvcpus)
			continue;
		idset_clear(&want);
		idset_add(&want, vm->pins[i].cpu);
		if (idset_equal(&want, &now[vm->pins[i].vcpu]))
			continue;
		ad->pins[ad->npins] = vm->pins[i];
		ad->old_pins[ad->npins++] = now[vm->pins[i].vcpu];
	}
	free(now);
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
		if (prepare_vcpu_pins(vm, c, d->vcpus, &ad, e) < 0)
			goto out;
		if (d->vcpus != vm->vcpus &&
		    !apply_add_line(&cs->notes, &cs->nnotes,
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
			if (!apply_add_line(
				&cs->notes, &cs->nnotes,
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
	w.old_value = apply_read_value(r, s->path, e);
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
			ok = apply_add_line(&cs->notes, &cs->nnotes,
					    "vm '%s' is not placed: skipped", vm->name);
		else if (!c)
			ok = apply_add_line(
			    &cs->notes, &cs->nnotes,
			    "vm '%s': no libvirt connection (--connect URI): its domain "
			    "is not changed",
			    vm->name);
		else if (!d)
			ok = apply_add_line(
			    &cs->notes, &cs->nnotes,
			    "vm '%s': no domain of that name in '%s': nothing to define", vm->name,
			    lv_uri(c));
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
