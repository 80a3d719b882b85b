/* json_build.c - json-c values that remember a failed allocation (see json_build.h) */
#include "tui/report/json_build.h"

#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "probe/strfmt.h"

/* A value json-c made, or NULL and the builder marked out of memory. */
struct json_object *jb_val(struct jb *b, struct json_object *v)
{
	if (!v)
		b->oom = true;
	return v;
}

/* Adds @v (a value just made; NULL means its allocation failed). */
void jb_set(struct jb *b, struct json_object *o, const char *key, struct json_object *v)
{
	if (!v || !o) {
		b->oom = true;
		json_object_put(v);
		return;
	}
	if (json_object_object_add(o, key, v) < 0) {
		json_object_put(v);
		b->oom = true;
	}
}

void jb_null(struct jb *b, struct json_object *o, const char *key)
{
	if (!o || json_object_object_add(o, key, NULL) < 0)
		b->oom = true;
}

void jb_push(struct jb *b, struct json_object *a, struct json_object *v)
{
	if (!v || !a || json_object_array_add(a, v) < 0) {
		json_object_put(v);
		b->oom = true;
	}
}

/* Bytes that are not valid UTF-8 (a Latin-1 firmware string in cpuinfo, a
 * mangled cmdline) would make the whole document unparsable, and json-c
 * writes a string's bytes as they are: each becomes '?', and the valid
 * sequences around it are kept. */
struct json_object *jb_utf8_string(const char *s)
{
	const char *p = s;
	struct json_object *v;
	char *copy;

	while (*p && strfmt_utf8_len(p))
		p += strfmt_utf8_len(p);
	if (*p == '\0')
		return json_object_new_string(s);
	copy = strdup(s);
	if (!copy)
		return NULL;
	for (char *q = copy; *q;) {
		size_t n = strfmt_utf8_len(q);

		if (n == 0)
			*q++ = '?';
		else
			q += n;
	}
	v = json_object_new_string(copy);
	free(copy);
	return v;
}

struct json_object *jb_str(struct jb *b, const char *s)
{
	return jb_val(b, jb_utf8_string(s));
}

void jb_set_str(struct jb *b, struct json_object *o, const char *key, const char *s)
{
	jb_set(b, o, key, jb_str(b, s));
}

void jb_set_u64(struct jb *b, struct json_object *o, const char *key, uint64_t v)
{
	jb_set(b, o, key, jb_val(b, json_object_new_uint64(v)));
}

void jb_set_int(struct jb *b, struct json_object *o, const char *key, int64_t v)
{
	jb_set(b, o, key, jb_val(b, json_object_new_int64(v)));
}

void jb_set_bool(struct jb *b, struct json_object *o, const char *key, bool v)
{
	jb_set(b, o, key, jb_val(b, json_object_new_boolean(v)));
}

/* An id or index where -1 means unknown. */
void jb_set_id(struct jb *b, struct json_object *o, const char *key, int v)
{
	if (v < 0)
		jb_null(b, o, key);
	else
		jb_set_int(b, o, key, v);
}

/* The kernel's list format, with a buffer big enough for any set: the worst
 * case is every other id of 8192, "0,2,4,...", under 6 bytes an id. */
struct json_object *jb_idset(struct jb *b, const struct idset *s)
{
	struct json_object *v;
	char *buf;

	if (idset_empty(s))
		return jb_val(b, json_object_new_string(""));
	buf = malloc(IDSET_MAX * 6);
	if (!buf)
		return jb_val(b, NULL);
	v = jb_val(b, json_object_new_string(idset_format(s, buf, IDSET_MAX * 6)));
	free(buf);
	return v;
}

void jb_set_idset(struct jb *b, struct json_object *o, const char *key, const struct idset *s)
{
	jb_set(b, o, key, jb_idset(b, s));
}

struct json_object *jb_obj(struct jb *b)
{
	return jb_val(b, json_object_new_object());
}

struct json_object *jb_arr(struct jb *b)
{
	return jb_val(b, json_object_new_array());
}

char *jb_text(struct jb *b, struct json_object *root, enum jb_layout layout, const char *what,
	      struct err *e)
{
	const char *s;
	char *text = NULL;

	if (!b->oom && root) {
		if (layout == JB_PRETTY) {
			s = json_object_to_json_string_ext(
			    root, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
				      JSON_C_TO_STRING_NOSLASHESCAPE);
			if (s && asprintf(&text, "%s\n", s) < 0)
				text = NULL;
		} else {
			s = json_object_to_json_string_ext(
			    root, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
			text = s ? strdup(s) : NULL;
		}
	}
	json_object_put(root);
	if (!text) {
		b->oom = true;
		err_set(e, ENOMEM, "cannot format %s", what);
	}
	return text;
}
