/* json.h - the models as JSON (json-c), for `--json` and every later stage
 *
 * The schema is documented in docs/cli.md; scripts rely on it.  Unknown is
 * null, never 0 or "", with a sibling "<key>_why" string that says why.
 * json-c is included only by json.c: callers hold the opaque pointer.
 */
#ifndef HVTUNE_JSON_H
#define HVTUNE_JSON_H

#include <stddef.h>
#include <stdio.h>

#include "planner/check.h"
#include "probe/err.h"
#include "probe/host.h"

struct json_object;

/* Version of the JSON schema, the top-level "schema" key of `probe --json`.
 * Bumped when a key changes meaning or goes away (new keys do not bump it). */
#define JSON_SCHEMA 1

/* The whole host model as a JSON object.  Returns NULL only when out of
 * memory.  The caller releases it with json_free(). */
struct json_object *json_host(const struct host *h);

/* The findings as a JSON array of {"id","level","what","why","fix","vhv"}.
 * Returns NULL only when out of memory.  The caller json_free()s it. */
struct json_object *json_findings(const struct finding *f, size_t n);

/* Writes @o to @f pretty-printed (two-space indent, one key per line) and a
 * newline, then flushes.  Fails when @f cannot be written (a closed pipe). */
int json_write(FILE *f, struct json_object *o, struct err *e);

/* Releases @o (NULL is fine). */
void json_free(struct json_object *o);

#endif
