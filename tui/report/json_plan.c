/* json_plan.c - the plan's JSON (json-c): VM requests in, the plan out */
#include "tui/report/json_plan.h"

#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "probe/fsroot.h"
#include "tui/report/json_build.h"

/*
 * The most a --plan or --requests file may hold.  A plan pins at most one vCPU
 * per CPU (8192, ~40 bytes each pretty-printed) plus a setting per IRQ
 * (~150 bytes, a few thousand): about 2 MiB on the largest host.
 */
#define JSON_MAX (16u << 20)

/* Line and column of byte @off in @text, for messages. */
static void where(const char *text, size_t off, int *line, int *col)
{
	*line = 1;
	*col = 1;
	for (size_t i = 0; i < off && text[i]; i++) {
		if (text[i] == '\n') {
			(*line)++;
			*col = 1;
		} else {
			(*col)++;
		}
	}
}

/*
 * Parses @text (named @shown in messages) strictly: no trailing commas, no
 * 'quotes', nothing after the value.  The document (caller json_object_put()s),
 * or NULL with @e naming the line and column.  Shared by --requests and --plan.
 */
static json_object *parse_doc(const char *text, const char *shown, struct err *e)
{
	json_tokener *tok = json_tokener_new();
	json_object *root;
	size_t len = strlen(text);

	if (!tok) {
		err_set(e, ENOMEM, "cannot parse '%s'", shown);
		return NULL;
	}
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	root = json_tokener_parse_ex(tok, text, (int)len);
	if (!root || json_tokener_get_parse_end(tok) < len) {
		enum json_tokener_error je = json_tokener_get_error(tok);
		const char *what = json_tokener_error_desc(je);
		int line, col;

		/* json-c returns a value only when it parsed one (je is success) */
		if (root)
			what = "text after the end";
		else if (je == json_tokener_continue)
			what = "unexpected end";
		where(text, json_tokener_get_parse_end(tok), &line, &col);
		err_set(e, 0, "'%s':%d:%d: invalid JSON: %s", shown, line, col, what);
		json_object_put(root);
		root = NULL;
	}
	json_tokener_free(tok);
	return root;
}

static int get_uint(json_object *o, const char *key, uint64_t max, uint64_t *v, bool *present)
{
	json_object *x;
	int64_t i;

	*present = json_object_object_get_ex(o, key, &x);
	if (!*present)
		return 0;
	if (!json_object_is_type(x, json_type_int))
		return -1;
	i = json_object_get_int64(x);
	if (i < 0 || (uint64_t)i > max)
		return -1;
	*v = (uint64_t)i;
	return 0;
}

static int one_vm(json_object *o, size_t idx, const char *shown, struct vm_request *vm,
		  struct err *e)
{
	static const char *const keys[] = {"name", "vcpus", "memory_mib", "hugepage_kib", "nic"};
	struct json_object_iterator it, end;
	json_object *x;
	uint64_t v;
	bool present;

	if (!json_object_is_type(o, json_type_object))
		return err_set(e, 0, "'%s': vms[%zu] is not an object", shown, idx);
	for (it = json_object_iter_begin(o), end = json_object_iter_end(o);
	     !json_object_iter_equal(&it, &end); json_object_iter_next(&it)) {
		const char *key = json_object_iter_peek_name(&it);
		bool known = false;

		for (size_t k = 0; k < ARRAY_LEN(keys); k++)
			known |= strcmp(key, keys[k]) == 0;
		if (!known)
			return err_set(e, 0,
				       "'%s': vms[%zu]: unknown key '%s' (expected name, vcpus, "
				       "memory_mib, hugepage_kib, nic)",
				       shown, idx, key);
	}
	/* the length first: a NUL (\u0000) inside would end the copy early */
	if (!json_object_object_get_ex(o, "name", &x) ||
	    !json_object_is_type(x, json_type_string) ||
	    (size_t)json_object_get_string_len(x) != strlen(json_object_get_string(x)) ||
	    !plan_name_ok(json_object_get_string(x)))
		return err_set(e, 0,
			       "'%s': vms[%zu]: 'name' must be 1 to %zu bytes of printable UTF-8 "
			       "without '/' or '\\'",
			       shown, idx, sizeof(vm->name) - 1);
	snprintf(vm->name, sizeof(vm->name), "%s", json_object_get_string(x));
	if (get_uint(o, "vcpus", IDSET_MAX, &v, &present) < 0 || !present)
		return err_set(e, 0, "'%s': vm '%s': 'vcpus' must be an integer from 0 to %u",
			       shown, vm->name, IDSET_MAX);
	vm->vcpus = (unsigned)v;
	if (get_uint(o, "memory_mib", UINT64_MAX / 1024, &v, &present) < 0 || !present)
		return err_set(e, 0, "'%s': vm '%s': 'memory_mib' must be a non-negative integer",
			       shown, vm->name);
	vm->mem_kib = v * 1024;
	if (get_uint(o, "hugepage_kib", PLAN_HUGEPAGE_MAX_KIB, &v, &present) < 0 ||
	    (present && v != 0 && !plan_pages_set(vm, v)))
		return err_set(e, 0,
			       "'%s': vm '%s': 'hugepage_kib' must be 0 or 4 (normal pages) or a "
			       "power of two from 64 to 16777216",
			       shown, vm->name);
	if (present && v == 0)
		vm->pages = PAGES_NORMAL;
	if (json_object_object_get_ex(o, "nic", &x)) {
		if (!json_object_is_type(x, json_type_string) ||
		    json_object_get_string_len(x) == 0 ||
		    (size_t)json_object_get_string_len(x) >= sizeof(vm->nic))
			return err_set(e, 0,
				       "'%s': vm '%s': 'nic' must be an interface name or PCI "
				       "address",
				       shown, vm->name);
		snprintf(vm->nic, sizeof(vm->nic), "%s", json_object_get_string(x));
	}
	return 0;
}

int json_plan_parse_requests(const char *text, const char *shown, struct vm_request **vms,
			     size_t *n, struct err *e)
{
	json_object *root, *arr;
	size_t cnt;
	int rc = -1;

	*vms = NULL;
	*n = 0;
	if (!(root = parse_doc(text, shown, e)))
		return -1;
	if (!json_object_is_type(root, json_type_object) ||
	    !json_object_object_get_ex(root, "vms", &arr) ||
	    !json_object_is_type(arr, json_type_array)) {
		err_set(e, 0, "'%s': expected {\"vms\": [...]}", shown);
		goto out;
	}
	cnt = json_object_array_length(arr);
	*vms = calloc(cnt ? cnt : 1, sizeof(**vms));
	if (!*vms) {
		err_set(e, ENOMEM, "cannot parse '%s'", shown);
		goto out;
	}
	for (size_t i = 0; i < cnt; i++) {
		if (one_vm(json_object_array_get_idx(arr, i), i, shown, &(*vms)[i], e) < 0) {
			free(*vms);
			*vms = NULL;
			goto out;
		}
	}
	*n = cnt;
	rc = 0;
out:
	json_object_put(root);
	return rc;
}

/* The whole file @path as a string (caller free()s); a NUL byte inside is
 * refused, since the JSON parser would stop there.  NULL with @e set. */
static char *slurp(const char *path, struct err *e)
{
	/* O_NONBLOCK: open() of a FIFO would wait for a writer */
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	char *text = NULL;
	size_t len = 0, cap = 0;
	FILE *f;

	if (fd < 0) {
		err_set(e, errno, "cannot open '%s'", path);
		return NULL;
	}
	/* a regular file of bounded size: /dev/zero would be read until memory runs out */
	if (fs_check_input(fd, path, JSON_MAX, e) < 0) {
		close(fd);
		return NULL;
	}
	f = fdopen(fd, "r");
	if (!f) {
		err_set(e, errno, "cannot open '%s'", path);
		close(fd);
		return NULL;
	}
	for (;;) {
		size_t got;

		if (len + 4096 + 1 > cap) {
			char *grown = realloc(text, cap = cap ? cap * 2 : 8192);

			if (!grown) {
				free(text);
				fclose(f);
				err_set(e, ENOMEM, "cannot read '%s'", path);
				return NULL;
			}
			text = grown;
		}
		got = fread(text + len, 1, cap - len - 1, f);
		len += got;
		if (got == 0)
			break;
		if (len > JSON_MAX) { /* it grew since the fstat() */
			free(text);
			fclose(f);
			err_set(e, 0, "'%s' is larger than %u MiB", path, JSON_MAX >> 20);
			e->sys = EFBIG;
			return NULL;
		}
	}
	if (ferror(f)) {
		int sys = errno;

		free(text);
		fclose(f);
		err_set(e, sys ? sys : EIO, "cannot read '%s'", path);
		return NULL;
	}
	fclose(f);
	text[len] = '\0';
	if (strlen(text) != len) {
		free(text);
		err_set(e, 0, "'%s': invalid JSON: a NUL byte", path);
		return NULL;
	}
	return text;
}

int json_plan_read_requests(const char *path, struct vm_request **vms, size_t *n, struct err *e)
{
	char *text;
	int rc;

	*vms = NULL;
	*n = 0;
	if (!(text = slurp(path, e)))
		return -1;
	rc = json_plan_parse_requests(text, path, vms, n, e);
	free(text);
	return rc;
}

/* ---- output ---- */

static json_object *jnodes(struct jb *b, const struct idset *s)
{
	json_object *a = jb_arr(b);

	for (int id = idset_next(s, 0); id >= 0; id = idset_next(s, (unsigned)id + 1))
		jb_push(b, a, jb_val(b, json_object_new_uint64((uint64_t)id)));
	return a;
}

static json_object *vm_json(struct jb *b, const struct vm_plan *v)
{
	json_object *j = jb_obj(b), *a;

	jb_set_str(b, j, "name", v->name);
	jb_set_bool(b, j, "placed", v->placed);
	jb_set_u64(b, j, "vcpus", v->vcpus);
	jb_set_u64(b, j, "memory_mib", v->mem_kib / 1024);
	jb_set_u64(b, j, "memory_kib", v->mem_kib); /* exact: domains have 219100 KiB */
	jb_set_u64(b, j, "hugepage_kib", v->page_kib);
	if (!v->placed) {
		jb_set_str(b, j, "reason", v->why_not);
		jb_set_str(b, j, "shortage", shortage_str(v->shortage));
		return j;
	}
	jb_set(b, j, "nodes", jnodes(b, &v->nodes));
	a = jb_arr(b);
	for (size_t i = 0; i < v->npins; i++) {
		json_object *p = jb_obj(b);

		jb_set_u64(b, p, "vcpu", v->pins[i].vcpu);
		jb_set_u64(b, p, "cpu", v->pins[i].cpu);
		jb_push(b, a, p);
	}
	jb_set(b, j, "vcpu_pins", a);
	jb_set_idset(b, j, "emulator_cpus", &v->emulator);
	jb_set_u64(b, j, "iothreads", v->niothreads);
	jb_set_idset(b, j, "iothread_cpus", &v->iothread);
	jb_set_idset(b, j, "idle_cpus", &v->idle);
	a = jb_arr(b);
	for (size_t i = 0; i < v->ncells; i++) {
		json_object *hp;

		if (v->cells[i].page_kib == 0)
			continue;
		hp = jb_obj(b);
		jb_set_u64(b, hp, "node", v->cells[i].node);
		jb_set_u64(b, hp, "size_kib", v->cells[i].page_kib);
		jb_set_u64(b, hp, "count", v->cells[i].pages);
		jb_push(b, a, hp);
	}
	jb_set(b, j, "hugepages", a);
	{
		json_object *t = jb_obj(b);

		jb_set_u64(b, t, "sockets", v->sockets);
		jb_set_u64(b, t, "cores", v->cores);
		jb_set_u64(b, t, "threads", v->threads);
		jb_set(b, j, "topology", t);
	}
	a = jb_arr(b);
	for (size_t i = 0; i < v->ncells; i++) {
		json_object *c = jb_obj(b);

		jb_set_u64(b, c, "id", v->cells[i].id);
		jb_set_idset(b, c, "vcpus", &v->cells[i].vcpus);
		jb_set_u64(b, c, "memory_mib", v->cells[i].mem_kib / 1024);
		jb_set_u64(b, c, "memory_kib", v->cells[i].mem_kib);
		jb_set_u64(b, c, "node", v->cells[i].node);
		jb_push(b, a, c);
	}
	jb_set(b, j, "numa_cells", a);
	a = jb_arr(b);
	for (size_t i = 0; i < v->nreasons; i++)
		jb_push(b, a, jb_str(b, v->reasons[i]));
	jb_set(b, j, "reasons", a);
	return j;
}

static json_object *host_json(struct jb *b, const struct plan *p)
{
	json_object *j = jb_obj(b), *a;

	jb_set_idset(b, j, "housekeeping_cpus", &p->housekeeping);
	jb_set_idset(b, j, "dedicated_cpus", &p->dedicated);
	jb_set_idset(b, j, "irq_affinity_cpus", &p->housekeeping);
	a = jb_arr(b);
	for (size_t i = 0; i < p->npools; i++) {
		json_object *h = jb_obj(b);

		jb_set_u64(b, h, "node", p->pools[i].node);
		jb_set_u64(b, h, "size_kib", p->pools[i].size_kib);
		jb_set_u64(b, h, "count_now", p->pools[i].total_now);
		jb_set_u64(b, h, "free_now", p->pools[i].free_now);
		jb_set_u64(b, h, "used", p->pools[i].used);
		jb_set_u64(b, h, "count", p->pools[i].total);
		jb_push(b, a, h);
	}
	jb_set(b, j, "hugepages", a);
	a = jb_arr(b);
	for (size_t i = 0; i < p->nsettings; i++) {
		json_object *s = jb_obj(b);

		jb_set_str(b, s, "path", p->settings[i].path);
		jb_set_str(b, s, "value", p->settings[i].value);
		jb_set_str(b, s, "reason", p->settings[i].reason);
		jb_push(b, a, s);
	}
	jb_set(b, j, "settings", a);
	a = jb_arr(b);
	for (size_t i = 0; i < p->ncmdline; i++) {
		json_object *s = jb_obj(b);

		jb_set_str(b, s, "arg", p->cmdline[i].arg);
		jb_set_str(b, s, "reason", p->cmdline[i].reason);
		jb_push(b, a, s);
	}
	jb_set(b, j, "kernel_cmdline", a);
	a = jb_arr(b);
	for (size_t i = 0; i < p->nreasons; i++)
		jb_push(b, a, jb_str(b, p->reasons[i]));
	jb_set(b, j, "reasons", a);
	return j;
}

char *json_plan_format(const struct plan *p, struct err *e)
{
	struct jb b = {false};
	json_object *root = jb_obj(&b), *a;

	jb_set_str(&b, root, "root", p->root[0] ? p->root : "/");
	jb_set_str(&b, root, "profile", p->profile);
	jb_set_u64(&b, root, "placed", p->nplaced);
	jb_set_u64(&b, root, "requested", p->nvms);
	a = jb_arr(&b);
	for (size_t i = 0; i < p->nvms; i++)
		jb_push(&b, a, vm_json(&b, &p->vms[i]));
	jb_set(&b, root, "vms", a);
	jb_set(&b, root, "host", host_json(&b, p));
	return jb_text(&b, root, JB_PRETTY, "the plan as JSON", e);
}

/* ---- reading a plan back (the input of 'hvtune apply --plan FILE') ---- */

struct rd {
	const char *shown;
	char at[96]; /* "vms[1]", "host" ... */
	struct err *e;
};

static int rd_fail(struct rd *r, const char *key, const char *what)
{
	return err_set(r->e, 0, "'%s': %s: '%s' %s", r->shown, r->at, key, what);
}

static json_object *rd_get(struct rd *r, json_object *o, const char *key, json_type t)
{
	json_object *x;

	if (!json_object_object_get_ex(o, key, &x) || !json_object_is_type(x, t)) {
		rd_fail(r, key,
			t == json_type_array	? "is missing or not an array"
			: t == json_type_object ? "is missing or not an object"
			: t == json_type_string ? "is missing or not a string"
			: t == json_type_int	? "is missing or not an integer"
						: "is missing or not a boolean");
		return NULL;
	}
	return x;
}

static int rd_u64(struct rd *r, json_object *o, const char *key, uint64_t max, uint64_t *v)
{
	json_object *x = rd_get(r, o, key, json_type_int);
	int64_t i;

	if (!x)
		return -1;
	i = json_object_get_int64(x);
	if (i < 0 || (uint64_t)i > max)
		return rd_fail(r, key, "is out of range");
	*v = (uint64_t)i;
	return 0;
}

/*
 * Memory in KiB: "memory_kib" when there (exact), else "memory_mib" (plans
 * written before memory_kib; a domain's cell of 219100 KiB is not whole MiB,
 * and a cell rewritten from MiB would shrink the guest).
 */
static int rd_mem(struct rd *r, json_object *o, uint64_t *kib)
{
	json_object *x = NULL;
	uint64_t mib;

	if (json_object_object_get_ex(o, "memory_kib", &x))
		return rd_u64(r, o, "memory_kib", UINT64_MAX, kib);
	if (rd_u64(r, o, "memory_mib", UINT64_MAX / 1024, &mib) < 0)
		return -1;
	*kib = mib * 1024;
	return 0;
}

static int rd_uint(struct rd *r, json_object *o, const char *key, unsigned *v)
{
	uint64_t x;

	if (rd_u64(r, o, key, IDSET_MAX, &x) < 0)
		return -1;
	*v = (unsigned)x;
	return 0;
}

static int rd_str(struct rd *r, json_object *o, const char *key, char *buf, size_t size)
{
	json_object *x = rd_get(r, o, key, json_type_string);

	if (!x)
		return -1;
	if ((size_t)json_object_get_string_len(x) >= size)
		return rd_fail(r, key, "is too long");
	snprintf(buf, size, "%s", json_object_get_string(x));
	return 0;
}

static int rd_dup(struct rd *r, json_object *o, const char *key, char **out)
{
	json_object *x = rd_get(r, o, key, json_type_string);

	if (!x)
		return -1;
	*out = strdup(json_object_get_string(x));
	if (!*out)
		return err_set(r->e, ENOMEM, "cannot read '%s'", r->shown);
	return 0;
}

static int rd_set(struct rd *r, json_object *o, const char *key, struct idset *s)
{
	json_object *x = rd_get(r, o, key, json_type_string);
	struct err pe = ERR_INIT;

	if (!x)
		return -1;
	if (idset_parse(s, json_object_get_string(x), &pe) < 0)
		return err_set(r->e, 0, "'%s': %s: '%s': %s", r->shown, r->at, key, pe.msg);
	return 0;
}

static int rd_reasons(struct rd *r, json_object *o, char (*out)[PLAN_WHY_MAX], size_t *n)
{
	json_object *a = rd_get(r, o, "reasons", json_type_array);

	*n = 0;
	if (!a)
		return -1;
	for (size_t i = 0; i < json_object_array_length(a) && i < PLAN_MAX_REASONS; i++) {
		json_object *x = json_object_array_get_idx(a, i);

		if (!json_object_is_type(x, json_type_string))
			return rd_fail(r, "reasons", "holds a non-string");
		snprintf(out[(*n)++], PLAN_WHY_MAX, "%s", json_object_get_string(x));
	}
	return 0;
}

/* Allocates @n elements of @size (at least one, so 0 is not NULL). */
static void *rd_alloc(struct rd *r, size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size);

	if (!p)
		err_set(r->e, ENOMEM, "cannot read '%s'", r->shown);
	return p;
}

/* "vcpu_pins": [{"vcpu": 0, "cpu": 5}, ...] into @v's pins and CPU set. */
static int rd_pins(struct rd *r, json_object *a, struct vm_plan *v)
{
	v->npins = json_object_array_length(a);
	if (!(v->pins = rd_alloc(r, v->npins, sizeof(*v->pins))))
		return -1;
	for (size_t i = 0; i < v->npins; i++) {
		json_object *p = json_object_array_get_idx(a, i);

		if (!json_object_is_type(p, json_type_object))
			return rd_fail(r, "vcpu_pins", "holds a non-object");
		if (rd_uint(r, p, "vcpu", &v->pins[i].vcpu) < 0 ||
		    rd_uint(r, p, "cpu", &v->pins[i].cpu) < 0)
			return -1;
		if (v->pins[i].cpu >= IDSET_MAX)
			return rd_fail(r, "vcpu_pins", "holds a CPU out of range");
		idset_add(&v->cpus, v->pins[i].cpu);
	}
	return 0;
}

/* "numa_cells" @a, with their pages from "hugepages" @hp, into @v's cells. */
static int rd_cells(struct rd *r, json_object *a, json_object *hp, struct vm_plan *v)
{
	v->ncells = json_object_array_length(a);
	if (!(v->cells = rd_alloc(r, v->ncells, sizeof(*v->cells))))
		return -1;
	for (size_t i = 0, h = 0; i < v->ncells; i++) {
		struct guest_cell *c = &v->cells[i];
		json_object *co = json_object_array_get_idx(a, i);

		if (!json_object_is_type(co, json_type_object))
			return rd_fail(r, "numa_cells", "holds a non-object");
		if (rd_uint(r, co, "id", &c->id) < 0 || rd_set(r, co, "vcpus", &c->vcpus) < 0 ||
		    rd_mem(r, co, &c->mem_kib) < 0 || rd_uint(r, co, "node", &c->node) < 0)
			return -1;
		/* the writer lists hugepages for the cells that have them, in cell order */
		if (v->page_kib && h < json_object_array_length(hp)) {
			json_object *ho = json_object_array_get_idx(hp, h++);
			unsigned node;

			if (!json_object_is_type(ho, json_type_object) ||
			    rd_uint(r, ho, "node", &node) < 0 ||
			    rd_u64(r, ho, "size_kib", UINT64_MAX, &c->page_kib) < 0 ||
			    rd_u64(r, ho, "count", UINT64_MAX, &c->pages) < 0)
				return -1;
			if (node != c->node)
				return rd_fail(r, "hugepages", "do not follow the NUMA cells");
		}
	}
	return 0;
}

static int rd_vm(struct rd *r, json_object *o, struct vm_plan *v)
{
	json_object *x, *a, *hp;
	char sh[32];
	bool found = false;

	if (!json_object_is_type(o, json_type_object))
		return rd_fail(r, "vms", "holds a non-object");
	if (rd_str(r, o, "name", v->name, sizeof(v->name)) < 0)
		return -1;
	snprintf(r->at, sizeof(r->at), "vm '%s'", v->name);
	if (!(x = rd_get(r, o, "placed", json_type_boolean)))
		return -1;
	v->placed = json_object_get_boolean(x);
	if (rd_uint(r, o, "vcpus", &v->vcpus) < 0 || rd_mem(r, o, &v->mem_kib) < 0 ||
	    rd_u64(r, o, "hugepage_kib", UINT64_MAX, &v->page_kib) < 0)
		return -1;
	if (!v->placed) {
		if (rd_str(r, o, "reason", v->why_not, sizeof(v->why_not)) < 0 ||
		    rd_str(r, o, "shortage", sh, sizeof(sh)) < 0)
			return -1;
		for (int s = 0; s < SHORT_COUNT && !found; s++)
			if (strcmp(sh, shortage_str((enum shortage)s)) == 0) {
				v->shortage = (enum shortage)s;
				found = true;
			}
		return found ? 0 : rd_fail(r, "shortage", "is not a known shortage");
	}
	if (!(a = rd_get(r, o, "nodes", json_type_array)))
		return -1;
	for (size_t i = 0; i < json_object_array_length(a); i++) {
		json_object *n = json_object_array_get_idx(a, i);
		int64_t id = json_object_get_int64(n);

		if (!json_object_is_type(n, json_type_int) || id < 0 || id >= IDSET_MAX)
			return rd_fail(r, "nodes", "holds a bad node id");
		idset_add(&v->nodes, (unsigned)id);
	}
	if (!(a = rd_get(r, o, "vcpu_pins", json_type_array)) || rd_pins(r, a, v) < 0)
		return -1;
	if (rd_set(r, o, "emulator_cpus", &v->emulator) < 0 ||
	    rd_uint(r, o, "iothreads", &v->niothreads) < 0 ||
	    rd_set(r, o, "iothread_cpus", &v->iothread) < 0 ||
	    rd_set(r, o, "idle_cpus", &v->idle) < 0 ||
	    !(x = rd_get(r, o, "topology", json_type_object)) ||
	    rd_uint(r, x, "sockets", &v->sockets) < 0 || rd_uint(r, x, "cores", &v->cores) < 0 ||
	    rd_uint(r, x, "threads", &v->threads) < 0 ||
	    !(hp = rd_get(r, o, "hugepages", json_type_array)) ||
	    !(a = rd_get(r, o, "numa_cells", json_type_array)))
		return -1;
	if (rd_cells(r, a, hp, v) < 0)
		return -1;
	return rd_reasons(r, o, v->reasons, &v->nreasons);
}

static int rd_host(struct rd *r, json_object *o, struct plan *p)
{
	json_object *a;

	snprintf(r->at, sizeof(r->at), "host");
	if (rd_set(r, o, "housekeeping_cpus", &p->housekeeping) < 0 ||
	    rd_set(r, o, "dedicated_cpus", &p->dedicated) < 0 ||
	    !(a = rd_get(r, o, "hugepages", json_type_array)))
		return -1;
	p->npools = json_object_array_length(a);
	if (!(p->pools = rd_alloc(r, p->npools, sizeof(*p->pools))))
		return -1;
	for (size_t i = 0; i < p->npools; i++) {
		json_object *h = json_object_array_get_idx(a, i);
		struct plan_pool *pp = &p->pools[i];

		if (!json_object_is_type(h, json_type_object))
			return rd_fail(r, "hugepages", "holds a non-object");
		if (rd_uint(r, h, "node", &pp->node) < 0 ||
		    rd_u64(r, h, "size_kib", UINT64_MAX, &pp->size_kib) < 0 ||
		    rd_u64(r, h, "count_now", UINT64_MAX, &pp->total_now) < 0 ||
		    rd_u64(r, h, "free_now", UINT64_MAX, &pp->free_now) < 0 ||
		    rd_u64(r, h, "used", UINT64_MAX, &pp->used) < 0 ||
		    rd_u64(r, h, "count", UINT64_MAX, &pp->total) < 0)
			return -1;
	}
	if (!(a = rd_get(r, o, "settings", json_type_array)))
		return -1;
	if (!(p->settings = rd_alloc(r, json_object_array_length(a), sizeof(*p->settings))))
		return -1;
	for (size_t i = 0; i < json_object_array_length(a); i++) {
		json_object *s = json_object_array_get_idx(a, i);
		struct plan_setting *ps = &p->settings[i];

		snprintf(r->at, sizeof(r->at), "host: settings[%zu]", i);
		if (!json_object_is_type(s, json_type_object))
			return rd_fail(r, "settings", "holds a non-object");
		if (rd_str(r, s, "path", ps->path, sizeof(ps->path)) < 0 ||
		    rd_str(r, s, "reason", ps->reason, sizeof(ps->reason)) < 0 ||
		    rd_dup(r, s, "value", &ps->value) < 0)
			return -1;
		p->nsettings++;
	}
	snprintf(r->at, sizeof(r->at), "host");
	if (!(a = rd_get(r, o, "kernel_cmdline", json_type_array)))
		return -1;
	if (!(p->cmdline = rd_alloc(r, json_object_array_length(a), sizeof(*p->cmdline))))
		return -1;
	for (size_t i = 0; i < json_object_array_length(a); i++) {
		json_object *s = json_object_array_get_idx(a, i);
		struct plan_cmdline *pc = &p->cmdline[i];

		if (!json_object_is_type(s, json_type_object))
			return rd_fail(r, "kernel_cmdline", "holds a non-object");
		if (rd_str(r, s, "reason", pc->reason, sizeof(pc->reason)) < 0 ||
		    rd_dup(r, s, "arg", &pc->arg) < 0)
			return -1;
		p->ncmdline++;
	}
	return rd_reasons(r, o, p->reasons, &p->nreasons);
}

int json_plan_parse(const char *text, const char *shown, struct plan *p, struct err *e)
{
	json_object *root, *a, *h;
	struct rd r = {shown, "plan", e};
	uint64_t v;
	int rc = -1;

	plan_init(p);
	if (!(root = parse_doc(text, shown, e)))
		return -1;
	if (!json_object_is_type(root, json_type_object)) {
		err_set(e, 0, "'%s': expected the JSON of 'hvtune plan --json'", shown);
		goto out;
	}
	if (rd_str(&r, root, "root", p->root, sizeof(p->root)) < 0 ||
	    rd_str(&r, root, "profile", p->profile, sizeof(p->profile)) < 0 ||
	    rd_u64(&r, root, "placed", IDSET_MAX, &v) < 0 ||
	    !(a = rd_get(&r, root, "vms", json_type_array)) ||
	    !(h = rd_get(&r, root, "host", json_type_object)))
		goto out;
	if (strcmp(p->root, "/") == 0)
		p->root[0] = '\0'; /* plan_compute's "live host" */
	p->nplaced = (unsigned)v;
	if (!(p->vms = rd_alloc(&r, json_object_array_length(a), sizeof(*p->vms))))
		goto out;
	for (size_t i = 0; i < json_object_array_length(a); i++) {
		snprintf(r.at, sizeof(r.at), "vms[%zu]", i);
		p->nvms++;
		if (rd_vm(&r, json_object_array_get_idx(a, i), &p->vms[i]) < 0)
			goto out;
	}
	if (rd_host(&r, h, p) < 0)
		goto out;
	rc = 0;
out:
	if (rc < 0)
		plan_release(p);
	json_object_put(root);
	return rc;
}

int json_plan_read(const char *path, struct plan *p, struct err *e)
{
	char *text;
	int rc;

	plan_init(p);
	if (!(text = slurp(path, e)))
		return -1;
	rc = json_plan_parse(text, path, p, e);
	free(text);
	return rc;
}
