/* diff.c - a unified diff of two texts: longest common subsequence of lines, hunks of 3 */
#include "apply/diff.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CONTEXT	  3
#define TABLE_MAX (64u * 1024 * 1024) /* cells of the LCS table: 256 MiB at most */

struct line {
	const char *s;
	size_t len; /* without the newline */
	bool nl;    /* ends in a newline */
};

struct lines {
	struct line *v;
	size_t n;
};

struct op {
	char kind;     /* ' ', '-', '+' */
	size_t ai, bi; /* line of a (for ' ' and '-') and of b (for ' ' and '+') */
};

struct buf {
	char *s;
	size_t len, cap;
	bool oom;
};

static void put(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void put(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->oom)
		return;
	va_start(ap, fmt);
	n = vsnprintf(b->s ? b->s + b->len : NULL, b->s ? b->cap - b->len : 0, fmt, ap);
	va_end(ap);
	if (n < 0) {
		b->oom = true;
		return;
	}
	if (!b->s || b->len + (size_t)n + 1 > b->cap) {
		size_t cap = (b->cap ? b->cap : 256) * 2 + (size_t)n + 1;
		char *grown = realloc(b->s, cap);

		if (!grown) {
			b->oom = true;
			return;
		}
		b->s = grown;
		b->cap = cap;
		va_start(ap, fmt);
		vsnprintf(b->s + b->len, b->cap - b->len, fmt, ap);
		va_end(ap);
	}
	b->len += (size_t)n;
}

static int split(const char *t, struct lines *l)
{
	size_t cap = 16;

	l->n = 0;
	l->v = malloc(cap * sizeof(*l->v));
	if (!l->v)
		return -1;
	while (*t) {
		const char *nl = strchr(t, '\n');
		size_t len = nl ? (size_t)(nl - t) : strlen(t);

		if (l->n == cap) {
			struct line *grown = realloc(l->v, (cap *= 2) * sizeof(*l->v));

			if (!grown)
				return -1;
			l->v = grown;
		}
		l->v[l->n++] = (struct line){t, len, nl != NULL};
		t += len + (nl != NULL);
	}
	return 0;
}

static bool same(const struct line *x, const struct line *y)
{
	return x->len == y->len && x->nl == y->nl && memcmp(x->s, y->s, x->len) == 0;
}

/* The edit script: common prefix and suffix, and an LCS table for the middle. */
static struct op *script(const struct lines *a, const struct lines *b, size_t *nops, struct err *e)
{
	size_t pre = 0, suf = 0, n, m, k = 0;
	struct op *ops;
	uint32_t *t;

	while (pre < a->n && pre < b->n && same(&a->v[pre], &b->v[pre]))
		pre++;
	while (suf < a->n - pre && suf < b->n - pre &&
	       same(&a->v[a->n - 1 - suf], &b->v[b->n - 1 - suf]))
		suf++;
	n = a->n - pre - suf;
	m = b->n - pre - suf;
	if (n + 1 > TABLE_MAX / (m + 1)) {
		err_set(e, EFBIG, "cannot compare texts of %zu and %zu lines", a->n, b->n);
		return NULL;
	}
	ops = malloc((a->n + b->n + 1) * sizeof(*ops));
	t = calloc((n + 1) * (m + 1), sizeof(*t));
	if (!ops || !t) {
		free(ops);
		free(t);
		err_set(e, ENOMEM, "cannot compare texts");
		return NULL;
	}
#define T(i, j) t[(i) * (m + 1) + (j)]
	for (size_t i = n; i-- > 0;)
		for (size_t j = m; j-- > 0;)
			T(i, j) = same(&a->v[pre + i], &b->v[pre + j])
				      ? T(i + 1, j + 1) + 1
				      : (T(i + 1, j) >= T(i, j + 1) ? T(i + 1, j) : T(i, j + 1));
	for (size_t i = 0; i < pre; i++)
		ops[k++] = (struct op){' ', i, i};
	{
		size_t i = 0, j = 0;

		while (i < n || j < m) {
			if (i < n && j < m && same(&a->v[pre + i], &b->v[pre + j])) {
				ops[k++] = (struct op){' ', pre + i, pre + j};
				i++;
				j++;
			} else if (i < n && (j == m || T(i + 1, j) >= T(i, j + 1))) {
				ops[k++] = (struct op){'-', pre + i, pre + j};
				i++;
			} else {
				ops[k++] = (struct op){'+', pre + i, pre + j};
				j++;
			}
		}
	}
#undef T
	for (size_t i = 0; i < suf; i++)
		ops[k++] = (struct op){' ', a->n - suf + i, b->n - suf + i};
	free(t);
	*nops = k;
	return ops;
}

static void hunk(struct buf *out, const struct lines *a, const struct lines *b,
		 const struct op *ops, size_t from, size_t to)
{
	size_t al = 0, bl = 0, as = ops[from].ai, bs = ops[from].bi;

	for (size_t i = from; i < to; i++) {
		al += ops[i].kind != '+';
		bl += ops[i].kind != '-';
	}
	/* GNU diff: a range of 0 lines starts at the line before it */
	put(out, "@@ -%zu,%zu +%zu,%zu @@\n", al ? as + 1 : as, al, bl ? bs + 1 : bs, bl);
	for (size_t i = from; i < to; i++) {
		const struct line *l = ops[i].kind == '+' ? &b->v[ops[i].bi] : &a->v[ops[i].ai];

		put(out, "%c%.*s\n", ops[i].kind, (int)l->len, l->s);
		if (!l->nl)
			put(out, "\\ No newline at end of file\n");
	}
}

char *diff_unified(const char *a, const char *b, const char *la, const char *lb, struct err *e)
{
	struct lines x = {NULL, 0}, y = {NULL, 0};
	struct buf out = {NULL, 0, 0, false};
	struct op *ops = NULL;
	size_t nops = 0, i = 0;

	if (split(a, &x) < 0 || split(b, &y) < 0) {
		err_set(e, ENOMEM, "cannot compare texts");
		goto out;
	}
	ops = script(&x, &y, &nops, e);
	if (!ops)
		goto out;
	put(&out, "%s", "");
	while (i < nops) {
		size_t start, end, last;

		while (i < nops && ops[i].kind == ' ')
			i++;
		if (i == nops)
			break;
		if (out.len == 0)
			put(&out, "--- %s\n+++ %s\n", la, lb);
		start = i > CONTEXT ? i - CONTEXT : 0;
		last = i;
		/* extend while the next change is within two contexts */
		for (end = i; end < nops; end++) {
			if (ops[end].kind != ' ')
				last = end;
			else if (end - last > 2 * CONTEXT)
				break;
		}
		end = last + 1 + CONTEXT < nops ? last + 1 + CONTEXT : nops;
		hunk(&out, &x, &y, ops, start, end);
		i = end;
	}
out:
	free(x.v);
	free(y.v);
	free(ops);
	if (out.oom) {
		free(out.s);
		err_set(e, ENOMEM, "cannot format a diff");
		return NULL;
	}
	if (!ops) {
		free(out.s);
		return NULL;
	}
	return out.s;
}
