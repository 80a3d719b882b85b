/* json_build.c - json-c values that remember a failed allocation (see json_build.h) */
#include "tui/json_build.h"

#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

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

/* The length of the valid UTF-8 sequence at @s, or 0 when it is not one. */
static size_t utf8_len(const unsigned char *s)
{
	size_t n = *s < 0x80 ? 1 : (*s & 0xe0) == 0xc0 ? 2 : (*s & 0xf0) == 0xe0 ? 3
		: (*s & 0xf8) == 0xf0 ? 4 : 0;

	for (size_t i = 1; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	return n;
}

/* Bytes that are not valid UTF-8 (a Latin-1 firmware string in cpuinfo, a
 * mangled cmdline) would make the whole document unparsable: each becomes
 * '?', and the valid sequences around it are kept. */
struct json_object *jb_str(struct jb *b, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	struct json_object *v;
	char *copy;

	while (*p && utf8_len(p))
		p += utf8_len(p);
	if (*p == '\0')
		return jb_val(b, json_object_new_string(s));
	copy = strdup(s);
	if (!copy)
		return jb_val(b, NULL);
	for (unsigned char *q = (unsigned char *)copy; *q;) {
		size_t n = utf8_len(q);

		if (n == 0)
			*q++ = '?';
		else
			q += n;
	}
	v = jb_val(b, json_object_new_string(copy));
	free(copy);
	return v;
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
