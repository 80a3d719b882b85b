/* text.c - the host and the findings as readable text, wrapped to a width
 *
 * Values are composed in a growable buffer and then wrapped under their
 * column, breaking at spaces (or after commas, for long cpulists), so nothing
 * passes the width whatever the host.  Colour never goes inside wrapped text:
 * escape codes would count as columns.
 */
#include "tui/report/text.h"

#include <assert.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "probe/strfmt.h"

#define BOLD   "\033[1m"
#define RED    "\033[31m"
#define GREEN  "\033[32m"
#define YELLOW "\033[33m"
#define CYAN   "\033[36m"
#define RESET  "\033[0m"

#define LABEL_COL 20 /* values start here: "  " + a label of up to 17 + " " */

void text_style_init(struct text_style *st, FILE *f)
{
	const char *term = getenv("TERM");
	const char *cols = getenv("COLUMNS");
	const char *nocolor = getenv("NO_COLOR");
	int fd = fileno(f);
	bool tty = fd >= 0 && isatty(fd);
	struct winsize ws;

	st->color = tty && term && term[0] && strcmp(term, "dumb") != 0 && !(nocolor && nocolor[0]);
	st->width = TEXT_DEFAULT_WIDTH;
	if (tty && ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) {
		st->width = ws.ws_col;
	} else if (cols && cols[0]) {
		char *end;
		unsigned long w = strtoul(cols, &end, 10);

		if (*end == '\0' && w > 0 && w < 10000)
			st->width = (unsigned)w;
	}
	if (st->width < TEXT_MIN_WIDTH)
		st->width = TEXT_MIN_WIDTH;
}

void text_put(FILE *f, const char *s)
{
	size_t size = STRFMT_ESC_SIZE(strlen(s));
	char *shown = malloc(size);

	fputs(shown ? strfmt_esc(s, shown, size) : "?", f);
	free(shown);
}

void text_put_lines(FILE *f, const char *s)
{
	while (*s) {
		size_t n = strcspn(s, "\n");
		char *line = strndup(s, n);

		if (line)
			text_put(f, line);
		else
			fputc('?', f);
		free(line);
		s += n;
		if (*s == '\n') {
			fputc('\n', f);
			s++;
		}
	}
}

struct gov_group *text_governors(const struct host *h, size_t *n)
{
	struct gov_group *g = calloc(h->ncpus + 1, sizeof(*g));

	*n = 0;
	if (!g)
		return NULL;
	for (size_t i = 0; i < h->ncpus; i++) {
		const struct cpu *c = &h->cpus[i];
		size_t j;

		for (j = 0; j < *n; j++)
			if (strcmp(g[j].governor, c->governor) == 0)
				break;
		if (j == *n) {
			snprintf(g[j].governor, sizeof(g[j].governor), "%s", c->governor);
			idset_clear(&g[j].cpus);
			(*n)++;
		}
		idset_add(&g[j].cpus, c->id);
	}
	return g;
}

/* A growable string: the value of one field before it is wrapped. */
struct sb {
	char *s;
	size_t len, cap;
	bool oom;
};

static void sb_add(struct sb *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void sb_add(struct sb *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(b->s ? b->s + b->len : NULL, b->s ? b->cap - b->len : 0, fmt, ap);
	va_end(ap);
	if (n < 0 || b->oom)
		return;
	if (!b->s || b->len + (size_t)n + 1 > b->cap) {
		size_t cap = (b->len + (size_t)n + 1) * 2;
		char *s = realloc(b->s, cap);

		if (!s) {
			b->oom = true;
			return;
		}
		b->s = s;
		b->cap = cap;
		va_start(ap, fmt);
		vsnprintf(b->s + b->len, b->cap - b->len, fmt, ap);
		va_end(ap);
	}
	b->len += (size_t)n;
}

static void sb_reset(struct sb *b)
{
	b->len = 0;
	if (b->s)
		b->s[0] = '\0';
}

/* "unknown (why)", or "unknown" when there is no reason to give. */
static void sb_unknown(struct sb *b, const char *why)
{
	if (why && why[0])
		sb_add(b, "unknown (%s)", why);
	else
		sb_add(b, "unknown");
}

static void sb_set(struct sb *b, const struct idset *s)
{
	char buf[4096]; /* display only: a longer set ends in "..." */

	if (idset_empty(s))
		sb_add(b, "none");
	else
		sb_add(b, "%s", idset_format(s, buf, sizeof(buf)));
}

struct out {
	FILE *f;
	const struct text_style *st;
	struct sb v;
};

/* Writes @s from column @col, wrapping at the width with continuation lines
 * indented to @indent; ends the line.  @s is shown escaped (strfmt_esc()):
 * values quote names and files, never colour. */
static void wrap(struct out *o, const char *s, unsigned col, unsigned indent)
{
	char *shown = malloc(STRFMT_ESC_SIZE(strlen(s)));
	size_t len;

	if (!shown) {
		o->v.oom = true;
		fputc('\n', o->f);
		return;
	}
	s = strfmt_esc(s, shown, STRFMT_ESC_SIZE(strlen(s)));
	len = strlen(s);
	while (len > 0) {
		size_t avail = o->st->width > col ? o->st->width - col : 1;
		size_t cut = len, skip = 0;

		if (len > avail) {
			cut = 0;
			for (size_t i = avail; i > 0 && !cut; i--) {
				if (s[i] == ' ') {
					cut = i;
					skip = 1;
				} else if (s[i - 1] == ',') {
					cut = i;
				}
			}
			if (!cut)
				cut = avail; /* one word longer than the line */
		}
		fprintf(o->f, "%.*s\n", (int)cut, s);
		s += cut + skip;
		len -= cut + skip;
		if (len > 0)
			fprintf(o->f, "%*s", (int)indent, "");
		col = indent;
	}
	free(shown);
}

/* "  label             value", the value wrapped under its column. */
static void field(struct out *o, const char *label)
{
	char shown[STRFMT_ESC_SIZE(64)]; /* a label is at most a VM name */
	int n = fprintf(o->f, "  %-*s ", LABEL_COL - 3, strfmt_esc(label, shown, sizeof(shown)));

	if (o->v.len == 0)
		fputc('\n', o->f);
	else
		wrap(o, o->v.s, n > 0 ? (unsigned)n : LABEL_COL, LABEL_COL);
	sb_reset(&o->v);
}

static void section(struct out *o, const char *title)
{
	if (o->st->color)
		fprintf(o->f, "\n" BOLD "%s" RESET "\n", title);
	else
		fprintf(o->f, "\n%s\n", title);
}

static void cpu_section(struct out *o, const struct host *h)
{
	const struct topo *t = &h->topo;
	struct sb *v = &o->v;

	section(o, "CPU");
	if (t->arch[0])
		sb_add(v, "%s", t->arch);
	else
		sb_unknown(v, t->cpuinfo_why);
	field(o, "architecture");
	if (t->vendor[0])
		sb_add(v, "%s", t->vendor);
	else
		sb_unknown(v, t->cpuinfo_why);
	field(o, "vendor");
	if (t->model[0])
		sb_add(v, "%s", t->model);
	else
		sb_unknown(v, t->cpuinfo_why);
	field(o, "model");

	if (t->npackages)
		sb_add(v, "%u package%s", t->npackages, t->npackages == 1 ? "" : "s");
	else
		sb_add(v, "packages unknown%s%s%s", t->packages_why[0] ? " (" : "", t->packages_why,
		       t->packages_why[0] ? ")" : "");
	if (t->ndies)
		sb_add(v, ", %u die%s", t->ndies, t->ndies == 1 ? "" : "s");
	else
		sb_add(v, ", dies unknown%s%s%s", t->dies_why[0] ? " (" : "", t->dies_why,
		       t->dies_why[0] ? ")" : "");
	if (t->ncores)
		sb_add(v, ", %u cores", t->ncores);
	else
		sb_add(v, ", cores unknown%s%s%s", t->cores_why[0] ? " (" : "", t->cores_why,
		       t->cores_why[0] ? ")" : "");
	if (t->npus)
		sb_add(v, ", %u PUs", t->npus);
	else
		sb_add(v, ", PUs unknown%s%s%s", t->pus_why[0] ? " (" : "", t->pus_why,
		       t->pus_why[0] ? ")" : "");
	if (t->nl3)
		sb_add(v, ", %u L3 group%s", t->nl3, t->nl3 == 1 ? "" : "s");
	else
		sb_add(v, ", L3 groups unknown%s%s%s", t->l3_why[0] ? " (" : "", t->l3_why,
		       t->l3_why[0] ? ")" : "");
	field(o, "topology");
	if (t->source[0])
		sb_add(v, "%s", t->source);
	else
		sb_unknown(v, NULL);
	if (t->source_why[0])
		sb_add(v, " (%s)", t->source_why);
	field(o, "topology source");
	if (t->cores_note[0]) {
		sb_add(v, "%s", t->cores_note);
		field(o, "cores");
	}

	if (idset_empty(&t->online)) {
		sb_unknown(v, NULL); /* host_probe() fails without online CPUs */
	} else {
		sb_set(v, &t->online);
		sb_add(v, " (%u)", idset_count(&t->online));
	}
	field(o, "online CPUs");
	sb_set(v, &t->offline);
	if (!idset_empty(&t->offline))
		sb_add(v, " (%u)", idset_count(&t->offline));
	field(o, "offline CPUs");
	if (idset_empty(&t->present))
		sb_unknown(v, t->present_why);
	else
		sb_set(v, &t->present);
	sb_add(v, " / ");
	if (idset_empty(&t->possible))
		sb_unknown(v, t->possible_why);
	else
		sb_set(v, &t->possible);
	field(o, "present/possible");
	if (h->kern.isolated_known)
		sb_set(v, &h->kern.isolated);
	else
		sb_unknown(v, h->kern.isolated_why);
	field(o, "isolated CPUs");
	if (h->kern.nohz_full_known)
		sb_set(v, &h->kern.nohz_full);
	else
		sb_unknown(v, h->kern.nohz_full_why);
	field(o, "nohz_full CPUs");
}

static void sb_pools(struct sb *v, const struct hugepool *p, size_t n, bool host_wide)
{
	for (size_t i = 0; i < n; i++) {
		char sz[32];

		sb_add(v, "%s%s: %llu total, %llu free", i ? "; " : "",
		       strfmt_size_kib(p[i].size_kib, sz, sizeof(sz)),
		       (unsigned long long)p[i].total, (unsigned long long)p[i].free);
		if (p[i].surplus)
			sb_add(v, ", %llu surplus", (unsigned long long)p[i].surplus);
		if (host_wide && p[i].reserved)
			sb_add(v, ", %llu reserved", (unsigned long long)p[i].reserved);
	}
}

static void distances(struct out *o, const struct host *h)
{
	unsigned cell = 3;
	size_t n = h->nnodes;

	if (!h->topo.distances) {
		sb_unknown(&o->v, h->topo.distances_why);
		field(o, "distances");
		return;
	}
	for (size_t i = 0; i < n; i++) {
		char b[16];
		unsigned w = (unsigned)snprintf(b, sizeof(b), "%u", h->nodes[i].id);

		cell = w + 1 > cell ? w + 1 : cell;
		for (size_t j = 0; j < n; j++) {
			w = (unsigned)snprintf(b, sizeof(b), "%u", h->topo.distances[i * n + j]);
			cell = w + 1 > cell ? w + 1 : cell;
		}
	}
	/* rows are "    " + the node id + one cell per node */
	if (n > 16 || 4 + cell * (n + 1) > o->st->width) {
		sb_add(&o->v, "%zu x %zu matrix, too wide to show (see --json)", n, n);
		field(o, "distances");
		return;
	}
	fprintf(o->f, "  distances\n    %*s", (int)cell, "");
	for (size_t j = 0; j < n; j++)
		fprintf(o->f, "%*u", (int)cell, h->nodes[j].id);
	fputc('\n', o->f);
	for (size_t i = 0; i < n; i++) {
		fprintf(o->f, "    %*u", (int)cell, h->nodes[i].id);
		for (size_t j = 0; j < n; j++)
			fprintf(o->f, "%*u", (int)cell, h->topo.distances[i * n + j]);
		fputc('\n', o->f);
	}
}

static void numa_section(struct out *o, const struct host *h)
{
	char title[64], label[32], a[32], b[32];
	struct sb *v = &o->v;

	snprintf(title, sizeof(title), "NUMA (%zu node%s)", h->nnodes, h->nnodes == 1 ? "" : "s");
	section(o, title);
	if (h->nnodes == 0) {
		sb_unknown(v, NULL); /* host_probe() fails without nodes */
		field(o, "nodes");
	}
	if (h->topo.numa_inconsistent[0]) {
		sb_add(v, "INCONSISTENT: %s (a firmware SRAT bug)", h->topo.numa_inconsistent);
		field(o, "layout");
	}
	for (size_t i = 0; i < h->nnodes; i++) {
		const struct node *n = &h->nodes[i];

		snprintf(label, sizeof(label), "node %u", n->id);
		if (idset_empty(&n->cpus)) {
			sb_add(v, "CPUs none (memory only)");
		} else {
			sb_add(v, "CPUs ");
			sb_set(v, &n->cpus);
			sb_add(v, " (%u)", idset_count(&n->cpus));
		}
		field(o, label);
		if (n->mem_known)
			sb_add(v, "memory %s, %s free",
			       strfmt_size_kib(n->mem_total_kib, a, sizeof(a)),
			       strfmt_size_kib(n->mem_free_kib, b, sizeof(b)));
		else if (n->mem_why[0])
			sb_add(v, "memory unknown (%s)", n->mem_why);
		else
			sb_add(v, "memory unknown");
		field(o, "");
		sb_add(v, "hugepages ");
		if (n->npools)
			sb_pools(v, n->pools, n->npools, false);
		else
			sb_unknown(v, n->pools_why);
		field(o, "");
	}
	if (h->nnodes > 1)
		distances(o, h);
}

/* One field per NIC, or "none found". */
static void nics_fields(struct out *o, const struct virt *x)
{
	struct sb *v = &o->v;

	if (x->nnics == 0) {
		sb_add(v, "none found");
		field(o, "NICs");
	}
	for (size_t i = 0; i < x->nnics; i++) {
		const struct nic *n = &x->nics[i];
		char label[48];

		snprintf(label, sizeof(label), "NIC %s", n->name);
		sb_add(v, "%s, driver %s, ", n->pci[0] ? n->pci : "not PCI",
		       n->driver[0] ? n->driver : "unknown");
		if (n->numa_node >= 0)
			sb_add(v, "node %d", n->numa_node);
		else
			sb_add(v, "node unknown");
		if (n->is_vf)
			sb_add(v, ", SR-IOV VF");
		else if (n->sriov_total)
			sb_add(v, ", SR-IOV %u of %u VFs", n->sriov_num, n->sriov_total);
		field(o, label);
	}
}

/* The cgroup controllers there, then the ones missing. */
static void cgroups_field(struct out *o, const struct virt *x)
{
	struct sb *v = &o->v;
	bool missing = false;
	size_t k = 0;

	if (!x->cgroups_known) {
		sb_unknown(v, x->cgroups_why);
		field(o, "cgroups");
		return;
	}
	for (unsigned i = 0; i < CGROUP_NCTRLS; i++)
		if (x->cgroup_ctrls & 1u << i)
			sb_add(v, "%s%s", k++ ? " " : "", cgroup_ctrl_name(1u << i));
	if (k == 0)
		sb_add(v, "none");
	for (unsigned i = 0; i < CGROUP_NCTRLS; i++)
		if (!(x->cgroup_ctrls & 1u << i)) {
			sb_add(v, "%s%s", missing ? " " : " (missing: ", cgroup_ctrl_name(1u << i));
			missing = true;
		}
	if (missing)
		sb_add(v, ")");
	field(o, "cgroups");
}

static void virt_section(struct out *o, const struct host *h)
{
	static const struct {
		const char *name;
		size_t off;
	} feats[] = {
	    {"EPT", offsetof(struct virt, ept)},
	    {"NPT", offsetof(struct virt, npt)},
	    {"VPID", offsetof(struct virt, vpid)},
	    {"unrestricted guest", offsetof(struct virt, unrestricted_guest)},
	    {"posted interrupts", offsetof(struct virt, posted_intr)},
	    {"APICv", offsetof(struct virt, apicv)},
	    {"AVIC", offsetof(struct virt, avic)},
	};
	const struct virt *x = &h->virt;
	struct sb *v = &o->v;
	bool unknown = false;

	section(o, "Virtualization");
	if (x->vmx == TRI_UNKNOWN && x->svm == TRI_UNKNOWN) {
		sb_unknown(v, x->flags_why);
		field(o, "hardware");
	} else {
		sb_add(v, "VT-x %s, AMD-V %s", tri_str(x->vmx), tri_str(x->svm));
		field(o, "hardware");
		for (size_t i = 0; i < ARRAY_LEN(feats); i++) {
			enum tri t;

			memcpy(&t, (const char *)x + feats[i].off, sizeof(t));
			sb_add(v, "%s%s %s", i ? ", " : "", feats[i].name, tri_str(t));
			unknown |= t == TRI_UNKNOWN;
		}
		if (unknown && (x->flags_why[0] || x->vmx_flags_why[0]))
			sb_add(v, " (unknown: %s)",
			       x->flags_why[0] ? x->flags_why : x->vmx_flags_why);
		field(o, "features");
	}
	if (x->pdpe1gb == TRI_UNKNOWN)
		sb_unknown(v, x->flags_why);
	else
		sb_add(v, "%s (pdpe1gb)", tri_str(x->pdpe1gb));
	field(o, "1 GiB pages");
	if (x->hypervisor == TRI_UNKNOWN)
		sb_unknown(v, x->flags_why);
	else
		sb_add(v, "%s",
		       x->hypervisor == TRI_YES ? "yes (hypervisor flag: nested virtualization)"
						: "no (bare metal)");
	field(o, "running as guest");

	if (x->kvm_usable == TRI_UNKNOWN)
		sb_unknown(v, x->kvm_why);
	else
		sb_add(v, "%s%s%s%s", tri_str(x->kvm_usable), x->kvm_why[0] ? " (" : "", x->kvm_why,
		       x->kvm_why[0] ? ")" : "");
	field(o, "KVM usable");
	sb_add(v, "/dev/kvm %s, read-write %s, module %s, nested %s", tri_str(x->kvm_dev),
	       tri_str(x->kvm_access), x->kvm_module[0] ? x->kvm_module : "none",
	       tri_str(x->nested));
	field(o, "KVM details");
	sb_add(v, "vhost-net %s, tun %s", tri_str(x->vhost_net), tri_str(x->tun));
	if ((x->vhost_net == TRI_UNKNOWN || x->tun == TRI_UNKNOWN) && x->devices_why[0])
		sb_add(v, " (%s)", x->devices_why);
	field(o, "devices");
	cgroups_field(o, x);

	sb_add(v, "firmware table %s, kernel %s, ", tri_str(x->iommu_firmware), tri_str(x->iommu));
	if (x->niommu_groups > 0 || x->iommu == TRI_NO)
		sb_add(v, "%u groups", x->niommu_groups);
	else
		sb_add(v, "groups unknown");
	sb_add(v, ", interrupt remapping %s", tri_str(x->irq_remap));
	if (x->iommu_why[0])
		sb_add(v, " (%s)", x->iommu_why);
	field(o, "IOMMU");
	if (x->secure_guest == TRI_UNKNOWN)
		sb_unknown(v, x->secure_why);
	else
		sb_add(v, "%s%s%s%s", tri_str(x->secure_guest), x->secure_why[0] ? " (" : "",
		       x->secure_why, x->secure_why[0] ? ")" : "");
	field(o, "secure guests");
	nics_fields(o, x);
}

static void memory_section(struct out *o, const struct host *h)
{
	const struct mem *m = &h->mem;
	struct sb *v = &o->v;
	char a[32], b[32], c[32];

	section(o, "Memory");
	if (m->meminfo_known)
		sb_add(v, "%s total, %s free, %s available",
		       strfmt_size_kib(m->total_kib, a, sizeof(a)),
		       strfmt_size_kib(m->free_kib, b, sizeof(b)),
		       strfmt_size_kib(m->available_kib, c, sizeof(c)));
	else
		sb_unknown(v, m->meminfo_why);
	field(o, "memory");
	if (m->npools)
		sb_pools(v, m->pools, m->npools, true);
	else
		sb_unknown(v, m->hugepages_why);
	field(o, "hugepages");
	if (m->default_hugepage_kib)
		sb_add(v, "%s", strfmt_size_kib(m->default_hugepage_kib, a, sizeof(a)));
	else
		sb_unknown(v, m->default_hugepage_why);
	field(o, "default huge page");
	if (m->thp[0])
		sb_add(v, "%s", m->thp);
	else
		sb_unknown(v, m->thp_why);
	if (m->thp_defrag[0])
		sb_add(v, " (defrag %s)", m->thp_defrag);
	field(o, "THP");
	if (m->ksm == TRI_UNKNOWN)
		sb_unknown(v, m->ksm_why);
	else
		sb_add(v, "%s", m->ksm == TRI_YES ? "running" : "off");
	field(o, "KSM");
	if (m->numa_balancing == TRI_UNKNOWN)
		sb_unknown(v, m->numa_balancing_why);
	else
		sb_add(v, "%s", m->numa_balancing == TRI_YES ? "on" : "off");
	field(o, "NUMA balancing");
	if (m->swappiness < 0)
		sb_unknown(v, m->swappiness_why);
	else
		sb_add(v, "%d", m->swappiness);
	field(o, "swappiness");
}

static void kernel_section(struct out *o, const struct host *h)
{
	const struct kern *k = &h->kern;
	struct sb *v = &o->v;
	struct gov_group *g;
	size_t n;

	section(o, "Kernel");
	if (k->cmdline_known) {
		sb_add(v, "%s", k->cmdline[0] ? k->cmdline : "(empty)");
		field(o, "command line");
		sb_set(v, &k->rcu_nocbs);
		field(o, "rcu_nocbs");
		sb_add(v, "%s", k->iommu_opts[0] ? k->iommu_opts : "none");
		field(o, "IOMMU options");
		sb_add(v, "%s", k->hugepage_opts[0] ? k->hugepage_opts : "none");
		field(o, "hugepage options");
	} else {
		sb_unknown(v, h->kern.cmdline_why);
		field(o, "command line");
	}
	if (k->smt_control[0])
		sb_add(v, "%s", k->smt_control);
	else
		sb_unknown(v, h->kern.smt_why);
	field(o, "SMT control");

	g = text_governors(h, &n);
	if (!g) {
		v->oom = true;
		return;
	}
	if (n == 0 || (n == 1 && g[0].governor[0] == '\0')) {
		sb_unknown(v, h->kern.governors_why);
	} else {
		for (size_t i = 0; i < n; i++) {
			sb_add(v, "%s%s on ", i ? ", " : "",
			       g[i].governor[0] ? g[i].governor : "unknown");
			sb_set(v, &g[i].cpus);
		}
	}
	free(g);
	field(o, "governors");
	if (k->irqbalance == TRI_UNKNOWN)
		sb_unknown(v, k->irqbalance_why);
	else
		sb_add(v, "%s%s%s%s", k->irqbalance == TRI_YES ? "running" : "not running",
		       k->irqbalance_why[0] ? " (" : "", k->irqbalance_why,
		       k->irqbalance_why[0] ? ")" : "");
	field(o, "irqbalance");
}

static void tlb_section(struct out *o, const struct host *h)
{
	const struct tlb *t = &h->tlb;
	struct sb *v = &o->v;

	section(o, "TLB");
	if (t->shootdowns_known) {
		uint64_t total = 0;
		size_t top[3], ntop = 0;

		for (size_t i = 0; i < t->nshootdowns; i++)
			total += t->shootdowns[i];
		/* the three busiest CPUs, the lowest column first among equals */
		while (ntop < ARRAY_LEN(top) && ntop < t->nshootdowns) {
			size_t best = SIZE_MAX;

			for (size_t i = 0; i < t->nshootdowns; i++) {
				bool taken = false;

				for (size_t j = 0; j < ntop; j++)
					taken |= top[j] == i;
				if (!taken &&
				    (best == SIZE_MAX || t->shootdowns[i] > t->shootdowns[best]))
					best = i;
			}
			top[ntop++] = best;
		}
		sb_add(v, "%llu total", (unsigned long long)total);
		for (size_t i = 0; i < ntop && total > 0; i++)
			if (t->shootdowns[top[i]])
				sb_add(v, "%s CPU %u: %llu", i ? "," : "; most on",
				       t->shootdown_cpus[top[i]],
				       (unsigned long long)t->shootdowns[top[i]]);
	} else {
		sb_unknown(v, t->shootdowns_why);
	}
	field(o, "shootdowns");
	if (t->vmstat_known)
		sb_add(v, "remote flush %llu, received %llu, local flush all %llu, one %llu",
		       (unsigned long long)t->nr_tlb_remote_flush,
		       (unsigned long long)t->nr_tlb_remote_flush_received,
		       (unsigned long long)t->nr_tlb_local_flush_all,
		       (unsigned long long)t->nr_tlb_local_flush_one);
	else
		sb_unknown(v, t->vmstat_why);
	field(o, "vmstat");
	if (t->geometry[0])
		sb_add(v, "%s (%s)", t->geometry,
		       t->geometry_source[0] ? t->geometry_source : "source unknown");
	else
		sb_unknown(v, t->geometry_why);
	field(o, "geometry");
	if (t->perf == TRI_UNKNOWN)
		sb_unknown(v, t->perf_why);
	else
		sb_add(v, "%s%s%s%s", t->perf == TRI_YES ? "available" : "not available",
		       t->perf_why[0] ? " (" : "", t->perf_why, t->perf_why[0] ? ")" : "");
	field(o, "perf counters");
}

/* Running VMs: what libvirt says (pins, numatune) next to what their QEMU
 * threads do (the CPU each last ran on, its affinity, migrations). */
static void vms_section(struct out *o, const struct host *h)
{
	struct sb *v = &o->v;
	char buf[64];

	section(o, "Running VMs");
	if (!h->vms_known) {
		sb_unknown(v, h->vms_why);
		field(o, "domains");
		return;
	}
	if (h->nvms == 0) {
		sb_add(v, "none running");
		field(o, "domains");
	}
	for (size_t i = 0; i < h->nvms; i++) {
		const struct vm *vm = &h->vms[i];

		sb_add(v, "%u vCPUs, %s", vm->vcpus,
		       strfmt_size_kib(vm->mem_kib, buf, sizeof(buf)));
		if (vm->pid > 0)
			sb_add(v, ", QEMU pid %d%s%s%s", vm->pid, vm->pid_why[0] ? " (" : "",
			       vm->pid_why, vm->pid_why[0] ? ")" : "");
		else
			sb_add(v, ", QEMU pid unknown (%s)", vm->pid_why);
		field(o, vm->name);
		for (unsigned c = 0; c < vm->vcpus; c++) {
			sb_add(v, "%s%u->", c ? ", " : "", c);
			sb_set(v, &vm->pins[c]);
		}
		field(o, "  vCPU pins");
		sb_set(v, &vm->emulator);
		field(o, "  emulator");
		if (vm->numa_mode[0])
			sb_add(v, "%s%s%s", vm->numa_mode, vm->numa_nodeset[0] ? " on nodes " : "",
			       vm->numa_nodeset);
		else
			sb_add(v, "none");
		field(o, "  numatune");
		for (size_t t = 0; t < vm->nthreads; t++) {
			const struct vm_thread *th = &vm->threads[t];

			sb_add(v, "%svCPU %u tid %d ", t ? "; " : "", th->vcpu, th->tid);
			if (th->cpu >= 0)
				sb_add(v, "on CPU %d", th->cpu);
			else
				sb_add(v, "on CPU unknown");
			sb_add(v, " (allowed ");
			sb_set(v, &th->allowed);
			sb_add(v, ", %llu migrations)", (unsigned long long)th->migrations);
		}
		if (vm->pid > 0 && vm->nthreads == 0)
			sb_add(v, "none found (no 'CPU n/KVM' thread)");
		if (vm->pid > 0)
			field(o, "  threads");
		if (vm->node_kib) {
			for (size_t n = 0; n < h->nnodes; n++)
				sb_add(v, "%snode %u %s", n ? ", " : "", h->nodes[n].id,
				       strfmt_size_kib(vm->node_kib[n], buf, sizeof(buf)));
			if (vm->page_kib)
				sb_add(v, "; pages up to %s",
				       strfmt_size_kib(vm->page_kib, buf, sizeof(buf)));
		} else {
			sb_unknown(v, vm->mem_why);
		}
		field(o, "  memory");
	}
}

int text_host(FILE *f, const struct host *h, const struct text_style *st)
{
	struct out o = {f, st, {NULL, 0, 0, false}};

	if (st->color)
		fprintf(f, BOLD "hvtune probe" RESET ": ");
	else
		fprintf(f, "hvtune probe: ");
	if (h->root[0])
		sb_add(&o.v, "captured tree %s", h->root);
	else
		sb_add(&o.v, "live host");
	wrap(&o, o.v.s ? o.v.s : "", 14, 2);
	sb_reset(&o.v);
	cpu_section(&o, h);
	numa_section(&o, h);
	virt_section(&o, h);
	memory_section(&o, h);
	kernel_section(&o, h);
	tlb_section(&o, h);
	vms_section(&o, h);
	free(o.v.s);
	if (o.v.oom) {
		errno = ENOMEM;
		return -1;
	}
	return 0;
}

static const char *level_color(enum level l)
{
	static const char *const colors[] = {GREEN, CYAN, YELLOW, RED};

	static_assert(ARRAY_LEN(colors) == LEVEL_COUNT, "a colour for each level");
	return (unsigned)l < LEVEL_COUNT ? colors[l] : "";
}

/* "  <what> ...... : LEVEL" filling the width; a long @what wraps first. */
static void finding_line(struct out *o, const struct finding *fd)
{
	char shown[STRFMT_ESC_SIZE(sizeof(fd->what))];
	const char *s = strfmt_esc(fd->what, shown, sizeof(shown));
	size_t len = strlen(s);
	/* "  " + what + " " + dots + " : " + 4 letters, one column short of
	 * the width so a terminal never wraps the line itself */
	size_t avail = o->st->width - 2 - 1 - 3 - 4 - 2;

	while (len > avail) {
		size_t cut = avail;

		while (cut > 0 && s[cut] != ' ')
			cut--;
		if (cut == 0)
			cut = avail;
		fprintf(o->f, "  %.*s\n", (int)cut, s);
		s += cut;
		len -= cut;
		while (*s == ' ') {
			s++;
			len--;
		}
	}
	fprintf(o->f, "  %s ", s);
	for (size_t i = len; i < avail + 1; i++)
		fputc('.', o->f);
	if (o->st->color)
		fprintf(o->f, " : %s%s" RESET "\n", level_color(fd->level), level_str(fd->level));
	else
		fprintf(o->f, " : %s\n", level_str(fd->level));
}

void text_findings(FILE *f, const struct finding *fs, size_t n, const struct text_style *st,
		   struct check_counts *c)
{
	struct out o = {f, st, {NULL, 0, 0, false}};
	struct check_counts cc;

	memset(&cc, 0, sizeof(cc));
	for (size_t i = 0; i < n; i++) {
		const struct finding *fd = &fs[i];

		finding_line(&o, fd);
		if ((unsigned)fd->level < LEVEL_COUNT)
			cc.n[fd->level]++;
		cc.total++;
		if (fd->level == LEVEL_PASS)
			continue;
		if (fd->why[0]) {
			fputs("      why: ", f);
			wrap(&o, fd->why, 11, 11);
		}
		if (fd->fix[0]) {
			fputs("      fix: ", f);
			wrap(&o, fd->fix, 11, 11);
		}
	}
	fprintf(f, "\n%zu check%s: %zu pass, %zu warn, ", cc.total, cc.total == 1 ? "" : "s",
		cc.n[LEVEL_PASS], cc.n[LEVEL_WARN]);
	if (st->color && cc.n[LEVEL_FAIL])
		fprintf(f, RED "%zu fail" RESET, cc.n[LEVEL_FAIL]);
	else
		fprintf(f, "%zu fail", cc.n[LEVEL_FAIL]);
	fprintf(f, ", %zu info\n", cc.n[LEVEL_INFO]);
	if (c)
		*c = cc;
}
