/* json_journal.c - `hvtune journal --json`: one object per journal
 *
 * Built through tui/report/json_build.h: a failed allocation makes the whole
 * list an error, never a journal or a key silently turned into null.
 */
#include "tui/report/json_journal.h"

#include <json-c/json.h>
#include <string.h>

#include "tui/report/json_build.h"

static struct json_object *one(struct jb *b, const struct journal *j)
{
	struct json_object *o = jb_obj(b), *steps = jb_obj(b);
	size_t cnt[JSTEP_KINDS];

	memset(cnt, 0, sizeof(cnt));
	for (size_t i = 0; i < j->nsteps; i++)
		if ((size_t)j->steps[i].kind < JSTEP_KINDS)
			cnt[j->steps[i].kind]++;
	jb_set_str(b, o, "id", j->id);
	jb_set_int(b, o, "time", j->time);
	jb_set_str(b, o, "status", journal_status_str(j->status));
	jb_set_str(b, o, "root", j->root);
	if (j->uri[0])
		jb_set_str(b, o, "uri", j->uri);
	else
		jb_null(b, o, "uri"); /* the apply touched no domain */
	for (int k = 0; k < JSTEP_KINDS; k++)
		jb_set_int(b, steps, jstep_kind_str((enum jstep_kind)k), (int64_t)cnt[k]);
	jb_set(b, o, "steps", steps);
	return o;
}

char *json_journal_list(const struct journal *js, size_t n, struct err *e)
{
	struct jb b = {false};
	struct json_object *a = jb_arr(&b);

	for (size_t i = 0; i < n && !b.oom; i++)
		jb_push(&b, a, one(&b, &js[i]));
	return jb_text(&b, a, JB_PRETTY, "the journals as JSON", e);
}
