/* json_monitor.c - `hvtune monitor --json`: the rates of one interval as one JSON line
 *
 * Values are built through tui/report/json_build.h (a failed allocation is
 * remembered, not mistaken for null).
 * Rates are written with two decimals: the counters behind them are
 * jiffies and event counts, finer digits would be noise.
 */
#include "tui/report/json_monitor.h"
#include "tui/report/json_build.h"

#include <json-c/json.h>
#include <stdio.h>

/* A reason: null when there is none. */
static void jset_why(struct jb *b, struct json_object *o, const char *key, const char *why)
{
	if (why && why[0])
		jb_set_str(b, o, key, why);
	else
		jb_null(b, o, key);
}

static void jset_rate(struct jb *b, struct json_object *o, const char *key, double v)
{
	char text[32];

	if (v == RATE_UNKNOWN) {
		jb_null(b, o, key);
		return;
	}
	snprintf(text, sizeof(text), "%.2f", v);
	jb_set(b, o, key, jb_val(b, json_object_new_double_s(v, text)));
}

static struct json_object *jcpus(struct jb *b, const struct rates *r)
{
	struct json_object *a = jb_arr(b);

	for (size_t i = 0; i < r->ncpus; i++) {
		const struct rate_cpu *c = &r->cpus[i];
		struct json_object *o = jb_obj(b);

		jb_set(b, o, "id", jb_val(b, json_object_new_int64(c->id)));
		jset_rate(b, o, "busy_pct", c->busy_pct);
		jset_rate(b, o, "shootdowns_per_s", c->shootdowns_per_s);
		jset_rate(b, o, "nic_irqs_per_s", c->nic_irqs_per_s);
		jset_rate(b, o, "dtlb_misses_per_s", c->dtlb_misses_per_s);
		jset_rate(b, o, "itlb_misses_per_s", c->itlb_misses_per_s);
		jb_push(b, a, o);
	}
	return a;
}

static struct json_object *jpools(struct jb *b, const struct rates *r)
{
	struct json_object *a = jb_arr(b);

	for (size_t i = 0; i < r->npools; i++) {
		struct json_object *o = jb_obj(b);

		jb_set_u64(b, o, "node", r->pools[i].node);
		jb_set_u64(b, o, "size_kib", r->pools[i].size_kib);
		jb_set_u64(b, o, "total", r->pools[i].total);
		jb_set_u64(b, o, "free", r->pools[i].free);
		jb_push(b, a, o);
	}
	return a;
}

static struct json_object *jvm(struct jb *b, const struct rates *r, const struct rate_vm *v)
{
	struct json_object *o = jb_obj(b);
	struct json_object *t = jb_arr(b);

	jb_set_str(b, o, "name", v->name);
	jb_set_id(b, o, "pid", v->pid);
	jb_set_bool(b, o, "running", v->running);
	jset_why(b, o, "why", v->why);
	for (size_t i = 0; i < v->nthreads; i++) {
		const struct rate_thread *th = &v->threads[i];
		struct json_object *x = jb_obj(b);

		jb_set_u64(b, x, "vcpu", th->vcpu);
		jb_set_id(b, x, "tid", th->tid);
		jb_set_id(b, x, "cpu", th->cpu);
		jb_set_idset(b, x, "allowed", &th->allowed);
		jset_rate(b, x, "cpu_pct", th->cpu_pct);
		jset_rate(b, x, "migrations_per_s", th->migrations_per_s);
		jb_set_bool(b, x, "off_pin", th->off_pin);
		jb_push(b, t, x);
	}
	jb_set(b, o, "vcpus", t);
	if (v->mem_known) {
		struct json_object *m = jb_arr(b);

		for (size_t n = 0; n < r->nnodes; n++) {
			struct json_object *x = jb_obj(b);

			jb_set_u64(b, x, "node", r->node_ids[n]);
			jb_set_u64(b, x, "kib", v->node_kib[n]);
			jb_push(b, m, x);
		}
		jb_set(b, o, "memory", m);
	} else {
		jb_null(b, o, "memory");
	}
	jset_why(b, o, "memory_why", v->mem_known ? "" : v->mem_why);
	if (v->remote_known) {
		jb_set_u64(b, o, "remote_kib", v->remote_kib);
		jb_set_bool(b, o, "remote_memory", v->remote_mem);
		jb_null(b, o, "remote_why");
	} else {
		jb_null(b, o, "remote_kib");
		jb_null(b, o, "remote_memory");
		jb_set_str(b, o, "remote_why",
			   !v->mem_known
			       ? "memory per node unknown"
			       : "no <numatune> nodeset: no node is remote by definition");
	}
	return o;
}

char *json_monitor_line(const struct rates *r, unsigned seq, double elapsed_s, struct err *e)
{
	struct jb b = {false};
	struct json_object *o = jb_obj(&b);
	struct json_object *vms = jb_arr(&b);

	jb_set(&b, o, "schema", jb_val(&b, json_object_new_int(JSON_MONITOR_SCHEMA)));
	jb_set_u64(&b, o, "seq", seq);
	jset_rate(&b, o, "elapsed_s", elapsed_s);
	jset_rate(&b, o, "interval_s", r->interval_s);
	jset_why(&b, o, "why", r->why);
	jb_set(&b, o, "cpus", jcpus(&b, r));
	jset_why(&b, o, "busy_why", r->busy_known ? "" : r->busy_why);
	jset_why(&b, o, "shootdowns_why", r->shootdowns_known ? "" : r->shootdowns_why);
	jset_why(&b, o, "nic_irqs_why", r->nic_irqs_known ? "" : r->nic_irqs_why);
	jset_why(&b, o, "perf_why", r->perf_known ? "" : r->perf_why);
	jb_set(&b, o, "hugepages", jpools(&b, r));
	jset_why(&b, o, "hugepages_why", r->pools_why);
	for (size_t i = 0; i < r->nvms; i++)
		jb_push(&b, vms, jvm(&b, r, &r->vms[i]));
	if (r->vms_known) {
		jb_set(&b, o, "vms", vms);
		jb_null(&b, o, "vms_why");
	} else {
		json_object_put(vms);
		jb_null(&b, o, "vms");
		jb_set_str(&b, o, "vms_why", r->vms_why[0] ? r->vms_why : "no libvirt connection");
	}
	return jb_text(&b, o, JB_LINE, "the JSON output", e);
}
