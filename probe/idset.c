/* idset.c - id sets in the kernel's list and mask formats */
#include "probe/idset.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NWORDS (IDSET_MAX / 64)

unsigned idset_count(const struct idset *s)
{
	unsigned n = 0;

	for (size_t i = 0; i < NWORDS; i++)
		n += (unsigned)__builtin_popcountll(s->bits[i]);
	return n;
}

bool idset_empty(const struct idset *s)
{
	for (size_t i = 0; i < NWORDS; i++)
		if (s->bits[i])
			return false;
	return true;
}

int idset_next(const struct idset *s, unsigned from)
{
	while (from < IDSET_MAX) {
		uint64_t w = s->bits[from / 64] >> (from % 64);

		if (w)
			return (int)(from + (unsigned)__builtin_ctzll(w));
		from = (from / 64 + 1) * 64;
	}
	return -1;
}

bool idset_equal(const struct idset *a, const struct idset *b)
{
	return memcmp(a->bits, b->bits, sizeof(a->bits)) == 0;
}

bool idset_subset(const struct idset *a, const struct idset *of)
{
	for (size_t i = 0; i < NWORDS; i++)
		if (a->bits[i] & ~of->bits[i])
			return false;
	return true;
}

bool idset_intersects(const struct idset *a, const struct idset *b)
{
	for (size_t i = 0; i < NWORDS; i++)
		if (a->bits[i] & b->bits[i])
			return true;
	return false;
}

void idset_or(struct idset *dst, const struct idset *src)
{
	for (size_t i = 0; i < NWORDS; i++)
		dst->bits[i] |= src->bits[i];
}

void idset_and(struct idset *dst, const struct idset *src)
{
	for (size_t i = 0; i < NWORDS; i++)
		dst->bits[i] &= src->bits[i];
}

void idset_andnot(struct idset *dst, const struct idset *src)
{
	for (size_t i = 0; i < NWORDS; i++)
		dst->bits[i] &= ~src->bits[i];
}

int idset_parse(struct idset *s, const char *list, struct err *e)
{
	const char *p = list;

	idset_clear(s);
	while (*p != '\0') {
		unsigned long first, last;
		char *end;

		if (!isdigit((unsigned char)*p))
			goto bad;
		first = last = strtoul(p, &end, 10);
		if (*end == '-') {
			if (!isdigit((unsigned char)end[1]))
				goto bad;
			last = strtoul(end + 1, &end, 10);
		}
		if (first > last || last >= IDSET_MAX)
			goto bad;
		for (unsigned long id = first; id <= last; id++)
			idset_add(s, (unsigned)id);
		if (*end == ',' && end[1] != '\0')
			end++;
		else if (*end != '\0')
			goto bad;
		p = end;
	}
	return 0;
bad:
	idset_clear(s);
	return err_set(e, 0, "invalid id list '%s'", list);
}

int idset_parse_mask(struct idset *s, const char *mask, struct err *e)
{
	size_t len = strlen(mask);
	unsigned bit = 0;

	idset_clear(s);
	if (len == 0)
		goto bad;
	/* The mask is big-endian text: walk from the last digit (ids 0-3) up. */
	for (size_t i = len; i-- > 0;) {
		int c = (unsigned char)mask[i];
		unsigned v;

		if (c == ',')
			continue;
		if (!isxdigit(c))
			goto bad;
		v = (unsigned)(isdigit(c) ? c - '0' : tolower(c) - 'a' + 10);
		for (unsigned b = 0; b < 4; b++, bit++)
			if (v & (1u << b)) {
				if (bit >= IDSET_MAX)
					goto bad;
				idset_add(s, bit);
			}
	}
	return 0;
bad:
	idset_clear(s);
	return err_set(e, 0, "invalid id mask '%s'", mask);
}

char *idset_format(const struct idset *s, char *buf, size_t size)
{
	size_t len = 0;
	int id = idset_next(s, 0);

	if (size == 0)
		return buf;
	buf[0] = '\0';
	while (id >= 0) {
		int last = id;
		char part[32];
		int n;

		while (last + 1 < (int)IDSET_MAX && idset_has(s, (unsigned)last + 1))
			last++;
		if (last == id)
			n = snprintf(part, sizeof(part), "%s%d", len ? "," : "", id);
		else
			n = snprintf(part, sizeof(part), "%s%d-%d", len ? "," : "", id, last);
		if (len + (size_t)n >= size ||
		    (len + (size_t)n + 3 >= size && idset_next(s, (unsigned)last + 1) >= 0)) {
			size_t at = len + 4 <= size ? len : (size >= 4 ? size - 4 : 0);

			/* does not fit: end with a visible "..." rather than a silent cut */
			snprintf(buf + at, size - at, "%s", "...");
			return buf;
		}
		memcpy(buf + len, part, (size_t)n + 1);
		len += (size_t)n;
		id = idset_next(s, (unsigned)last + 1);
	}
	return buf;
}

char *idset_format_dup(const struct idset *s)
{
	/* an id takes at most 5 characters: "8191," alone, or half of "8190-8191," */
	size_t size = 5 * (size_t)idset_count(s) + 2;
	char *buf = malloc(size);

	return buf ? idset_format(s, buf, size) : NULL;
}
