/* json_build.h - building json-c values without losing "out of memory" (tui/report/json*.c only)
 *
 * The one way hvtune builds JSON: the host, findings, plan, journal and
 * monitor outputs all go through it.  json-c represents JSON null as a NULL
 * pointer, so a failed allocation cannot be told from null by the pointer:
 * every value goes through struct jb, which remembers a failed allocation,
 * and a builder checks b->oom at the end (jb_text() does it for a document).
 * Strings are made valid UTF-8 on the way in (each bad byte becomes '?'): one
 * Latin-1 byte in a firmware string must not make a whole document unparsable.
 */
#ifndef HVTUNE_JSON_BUILD_H
#define HVTUNE_JSON_BUILD_H

#include <stdbool.h>
#include <stdint.h>

#include "probe/err.h"
#include "probe/idset.h"

struct json_object;

struct jb {
	bool oom;
};

/* @v as made by json-c; NULL marks the builder out of memory. */
struct json_object *jb_val(struct jb *b, struct json_object *v);
/* Adds @v under @key of @o (a NULL @v or @o marks out of memory; @v is freed). */
void jb_set(struct jb *b, struct json_object *o, const char *key, struct json_object *v);
void jb_null(struct jb *b, struct json_object *o, const char *key);
void jb_push(struct jb *b, struct json_object *a, struct json_object *v);
/* A JSON string of @s, valid UTF-8 (each byte strfmt_utf8_len() refuses
 * becomes '?'); NULL when out of memory.  For builders without a struct jb. */
struct json_object *jb_utf8_string(const char *s);
struct json_object *jb_str(struct jb *b, const char *s);
/* A set in list format ("0-3,8"; "" for the empty set), never truncated. */
struct json_object *jb_idset(struct jb *b, const struct idset *s);
void jb_set_str(struct jb *b, struct json_object *o, const char *key, const char *s);
void jb_set_u64(struct jb *b, struct json_object *o, const char *key, uint64_t v);
void jb_set_int(struct jb *b, struct json_object *o, const char *key, int64_t v);
void jb_set_bool(struct jb *b, struct json_object *o, const char *key, bool v);
/* An id or index where -1 (any negative) means unknown: null. */
void jb_set_id(struct jb *b, struct json_object *o, const char *key, int v);
void jb_set_idset(struct jb *b, struct json_object *o, const char *key, const struct idset *s);
/* A new empty object or array (NULL marks out of memory). */
struct json_object *jb_obj(struct jb *b);
struct json_object *jb_arr(struct jb *b);

/* How jb_text() writes a document. */
enum jb_layout {
	JB_PRETTY, /* indented, "key": value, ending in a newline (files, --json) */
	JB_LINE,   /* one compact line, no newline (a stream of lines) */
};

/* The document @root as text; caller free()s.  @root is freed either way.
 * When @b ran out of memory while building it (or the text cannot be made),
 * NULL with @e set to ENOMEM "cannot format @what": an allocation failure is
 * an error, never a document with a null in place of what was lost. */
char *jb_text(struct jb *b, struct json_object *root, enum jb_layout layout, const char *what,
	      struct err *e);

#endif
