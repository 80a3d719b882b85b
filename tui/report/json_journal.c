/* json_journal.c - `hvtune journal --json` (json-c): one object per journal */
#include "tui/report/json_journal.h"

#include <errno.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#include "tui/report/json_build.h"

static struct json_object *one(const struct journal *j)
{
	struct json_object *o = json_object_new_object(), *steps = json_object_new_object();
	size_t cnt[JSTEP_KINDS];

	if (!o || !steps) {
		json_object_put(o);
		json_object_put(steps);
		return NULL;
	}
	memset(cnt, 0, sizeof(cnt));
	for (size_t i = 0; i < j->nsteps; i++)
		if ((size_t)j->steps[i].kind < JSTEP_KINDS)
			cnt[j->steps[i].kind]++;
	json_object_object_add(o, "id", jb_utf8_string(j->id));
	json_object_object_add(o, "time", json_object_new_int64(j->time));
	json_object_object_add(o, "status", json_object_new_string(journal_status_str(j->status)));
	json_object_object_add(o, "root", jb_utf8_string(j->root));
	json_object_object_add(o, "uri", j->uri[0] ? jb_utf8_string(j->uri) : NULL);
	for (int k = 0; k < JSTEP_KINDS; k++)
		json_object_object_add(steps, jstep_kind_str((enum jstep_kind)k),
				       json_object_new_int64((int64_t)cnt[k]));
	json_object_object_add(o, "steps", steps);
	return o;
}

char *json_journal_list(const struct journal *js, size_t n, struct err *e)
{
	struct json_object *a = json_object_new_array();
	const char *s;
	char *out = NULL;

	for (size_t i = 0; a && i < n; i++) {
		struct json_object *o = one(&js[i]);

		if (!o || json_object_array_add(a, o) < 0) {
			json_object_put(o);
			json_object_put(a);
			a = NULL;
		}
	}
	if (a) {
		s = json_object_to_json_string_ext(a, JSON_C_TO_STRING_PRETTY |
							  JSON_C_TO_STRING_SPACED |
							  JSON_C_TO_STRING_NOSLASHESCAPE);
		if (s && (out = malloc(strlen(s) + 2)) != NULL) {
			strcpy(out, s);
			strcat(out, "\n");
		}
	}
	json_object_put(a);
	if (!out)
		err_set(e, ENOMEM, "cannot format the journals as JSON");
	return out;
}
