/* json_monitor.c - `hvtune monitor --json`: the rates of one interval as one JSON line
 *
 * json-c represents null as a NULL pointer, so a failed allocation is
 * remembered in struct jb (as in json.c) rather than told from null.
 * Rates are written with two decimals: the counters behind them are
 * jiffies and event counts, finer digits would be noise.
 */
#include "tui/json_monitor.h"

#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct jb {
	bool oom;
};

static struct json_object *jv(struct jb *b, struct json_object *v)
{
	if (!v)
		b->oom = true;
	return v;
}

static void jset(struct jb *b, struct json_object *o, const char *key, struct json_object *v)
{
	if (!v || !o || json_object_object_add(o, key, v) < 0) {
		json_object_put(v);
		b->oom = true;
	}
}

static void jnull(struct jb *b, struct json_object *o, const char *key)
{
	if (!o || json_object_object_add(o, key, NULL) < 0)
		b->oom = true;
}

static void jpush(struct jb *b, struct json_object *a, struct json_object *v)
{
	if (!v || !a || json_object_array_add(a, v) < 0) {
		json_object_put(v);
		b->oom = true;
	}
}

/* The length of the valid UTF-8 sequence at @s, or 0. */
static size_t utf8_len(const unsigned char *s)
{
	size_t n = *s < 0x80 ? 1 : (*s & 0xe0) == 0xc0 ? 2 : (*s & 0xf0) == 0xe0 ? 3
		: (*s & 0xf8) == 0xf0 ? 4 : 0;

	for (size_t i = 1; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	return n;
}

/* A byte that is not UTF-8 (a path in a reason) becomes '?': one bad byte
 * must not make the whole line unparsable. */
static void jset_str(struct jb *b, struct json_object *o, const char *key, const char *s)
{
	char buf[1024];
	size_t i = 0;

	for (const unsigned char *p = (const unsigned char *)s; *p && i + 4 < sizeof(buf);) {
		size_t n = utf8_len(p);

		if (n == 0) {
			buf[i++] = '?';
			p++;
			continue;
		}
		memcpy(buf + i, p, n);
		i += n;
		p += n;
	}
	buf[i] = '\0';
	jset(b, o, key, jv(b, json_object_new_string(buf)));
}

/* A reason: null when there is none. */
static void jset_why(struct jb *b, struct json_object *o, const char *key, const char *why)
{
	if (why && why[0])
		jset_str(b, o, key, why);
	else
		jnull(b, o, key);
}

static void jset_u64(struct jb *b, struct json_object *o, const char *key, uint64_t v)
{
	jset(b, o, key, jv(b, json_object_new_uint64(v)));
}

static void jset_bool(struct jb *b, struct json_object *o, const char *key, bool v)
{
	jset(b, o, key, jv(b, json_object_new_boolean(v)));
}

static void jset_id(struct jb *b, struct json_object *o, const char *key, int v)
{
	if (v < 0)
		jnull(b, o, key);
	else
		jset(b, o, key, jv(b, json_object_new_int64(v)));
}

static void jset_rate(struct jb *b, struct json_object *o, const char *key, double v)
{
	char text[32];

	if (v == RATE_UNKNOWN) {
		jnull(b, o, key);
		return;
	}
	snprintf(text, sizeof(text), "%.2f", v);
	jset(b, o, key, jv(b, json_object_new_double_s(v, text)));
}

static void jset_idset(struct jb *b, struct json_object *o, const char *key,
		       const struct idset *s)
{
	char *buf = malloc(IDSET_MAX * 6);	/* any set: under 6 bytes an id */

	if (!buf) {
		b->oom = true;
		return;
	}
	jset(b, o, key, jv(b, json_object_new_string(idset_format(s, buf, IDSET_MAX * 6))));
	free(buf);
}

static struct json_object *jcpus(struct jb *b, const struct rates *r)
{
	struct json_object *a = jv(b, json_object_new_array());

	for (size_t i = 0; i < r->ncpus; i++) {
		const struct rate_cpu *c = &r->cpus[i];
		struct json_object *o = jv(b, json_object_new_object());

		jset(b, o, "id", jv(b, json_object_new_int64(c->id)));
		jset_rate(b, o, "busy_pct", c->busy_pct);
		jset_rate(b, o, "shootdowns_per_s", c->shootdowns_per_s);
		jset_rate(b, o, "nic_irqs_per_s", c->nic_irqs_per_s);
		jset_rate(b, o, "dtlb_misses_per_s", c->dtlb_misses_per_s);
		jset_rate(b, o, "itlb_misses_per_s", c->itlb_misses_per_s);
		jpush(b, a, o);
	}
	return a;
}

static struct json_object *jpools(struct jb *b, const struct rates *r)
{
	struct json_object *a = jv(b, json_object_new_array());

	for (size_t i = 0; i < r->npools; i++) {
		struct json_object *o = jv(b, json_object_new_object());

		jset_u64(b, o, "node", r->pools[i].node);
		jset_u64(b, o, "size_kib", r->pools[i].size_kib);
		jset_u64(b, o, "total", r->pools[i].total);
		jset_u64(b, o, "free", r->pools[i].free);
		jpush(b, a, o);
	}
	return a;
}

static struct json_object *jvm(struct jb *b, const struct rates *r, const struct rate_vm *v)
{
	struct json_object *o = jv(b, json_object_new_object());
	struct json_object *t = jv(b, json_object_new_array());

	jset_str(b, o, "name", v->name);
	jset_id(b, o, "pid", v->pid);
	jset_bool(b, o, "running", v->running);
	jset_why(b, o, "why", v->why);
	for (size_t i = 0; i < v->nthreads; i++) {
		const struct rate_thread *th = &v->threads[i];
		struct json_object *x = jv(b, json_object_new_object());

		jset_u64(b, x, "vcpu", th->vcpu);
		jset_id(b, x, "tid", th->tid);
		jset_id(b, x, "cpu", th->cpu);
		jset_idset(b, x, "allowed", &th->allowed);
		jset_rate(b, x, "cpu_pct", th->cpu_pct);
		jset_rate(b, x, "migrations_per_s", th->migrations_per_s);
		jset_bool(b, x, "off_pin", th->off_pin);
		jpush(b, t, x);
	}
	jset(b, o, "vcpus", t);
	if (v->mem_known) {
		struct json_object *m = jv(b, json_object_new_array());

		for (size_t n = 0; n < r->nnodes; n++) {
			struct json_object *x = jv(b, json_object_new_object());

			jset_u64(b, x, "node", r->node_ids[n]);
			jset_u64(b, x, "kib", v->node_kib[n]);
			jpush(b, m, x);
		}
		jset(b, o, "memory", m);
	} else {
		jnull(b, o, "memory");
	}
	jset_why(b, o, "memory_why", v->mem_known ? "" : v->mem_why);
	if (v->remote_known) {
		jset_u64(b, o, "remote_kib", v->remote_kib);
		jset_bool(b, o, "remote_memory", v->remote_mem);
		jnull(b, o, "remote_why");
	} else {
		jnull(b, o, "remote_kib");
		jnull(b, o, "remote_memory");
		jset_str(b, o, "remote_why", !v->mem_known ? "memory per node unknown"
			 : "no <numatune> nodeset: no node is remote by definition");
	}
	return o;
}

char *json_monitor_line(const struct rates *r, unsigned seq, double elapsed_s, struct err *e)
{
	struct jb b = { false };
	struct json_object *o = jv(&b, json_object_new_object());
	struct json_object *vms = jv(&b, json_object_new_array());
	const char *s;
	char *line = NULL;

	jset(&b, o, "schema", jv(&b, json_object_new_int(JSON_MONITOR_SCHEMA)));
	jset_u64(&b, o, "seq", seq);
	jset_rate(&b, o, "elapsed_s", elapsed_s);
	jset_rate(&b, o, "interval_s", r->interval_s);
	jset_why(&b, o, "why", r->why);
	jset(&b, o, "cpus", jcpus(&b, r));
	jset_why(&b, o, "busy_why", r->busy_known ? "" : r->busy_why);
	jset_why(&b, o, "shootdowns_why", r->shootdowns_known ? "" : r->shootdowns_why);
	jset_why(&b, o, "nic_irqs_why", r->nic_irqs_known ? "" : r->nic_irqs_why);
	jset_why(&b, o, "perf_why", r->perf_known ? "" : r->perf_why);
	jset(&b, o, "hugepages", jpools(&b, r));
	jset_why(&b, o, "hugepages_why", r->pools_why);
	for (size_t i = 0; i < r->nvms; i++)
		jpush(&b, vms, jvm(&b, r, &r->vms[i]));
	if (r->vms_known) {
		jset(&b, o, "vms", vms);
		jnull(&b, o, "vms_why");
	} else {
		json_object_put(vms);
		jnull(&b, o, "vms");
		jset_str(&b, o, "vms_why", r->vms_why[0] ? r->vms_why : "no libvirt connection");
	}
	if (!b.oom) {
		s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
						   JSON_C_TO_STRING_NOSLASHESCAPE);
		line = s ? strdup(s) : NULL;
	}
	json_object_put(o);
	if (!line)
		err_set(e, ENOMEM, "cannot format the JSON output");
	return line;
}
