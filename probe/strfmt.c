/* strfmt.c - formatting into fixed-size text fields */
#include "probe/strfmt.h"

#include <assert.h>
#include <ctype.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void strfmt_set(char *dst, size_t size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(dst, size, fmt, ap);
	va_end(ap);
}

void strfmt_cat(char *buf, size_t size, const char *fmt, ...)
{
	size_t len = strlen(buf);
	va_list ap;
	int n;

	if (len + 1 >= size)
		return;
	va_start(ap, fmt);
	n = vsnprintf(buf + len, size - len, fmt, ap);
	va_end(ap);
	if (n >= 0 && len + (size_t)n >= size && size >= 4)
		memcpy(buf + size - 4, "...", 4);
}

const char *strfmt_size_kib(uint64_t kib, char *buf, size_t size)
{
	static const char *const units[] = {"KiB", "MiB", "GiB", "TiB"};
	double v = (double)kib;
	size_t u = 0;

	while (v >= 1024 && u + 1 < sizeof(units) / sizeof(units[0])) {
		v /= 1024;
		u++;
	}
	if (v == (double)(uint64_t)v)
		snprintf(buf, size, "%llu %s", (unsigned long long)v, units[u]);
	else
		snprintf(buf, size, "%.1f %s", v, units[u]);
	return buf;
}

const char *strfmt_page_kib(uint64_t kib, char *buf, size_t size)
{
	const uint64_t gib = UINT64_C(1) << 20;

	if (kib >= gib && kib % gib == 0)
		snprintf(buf, size, "%" PRIu64 " GiB", kib / gib);
	else if (kib >= 1024 && kib % 1024 == 0)
		snprintf(buf, size, "%" PRIu64 " MiB", kib / 1024);
	else
		snprintf(buf, size, "%" PRIu64 " KiB", kib);
	return buf;
}

size_t strfmt_utf8_len(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	unsigned char lo = 0x80, hi = 0xbf; /* the second byte's range (RFC 3629) */
	size_t n;

	if (p[0] < 0x80)
		return 1;
	if (p[0] < 0xc2)
		return 0; /* a continuation byte, or an overlong 2-byte form */
	if (p[0] < 0xe0) {
		n = 2;
	} else if (p[0] < 0xf0) {
		n = 3;
		lo = p[0] == 0xe0 ? 0xa0 : 0x80;
		hi = p[0] == 0xed ? 0x9f : 0xbf; /* not a surrogate */
	} else if (p[0] < 0xf5) {
		n = 4;
		lo = p[0] == 0xf0 ? 0x90 : 0x80;
		hi = p[0] == 0xf4 ? 0x8f : 0xbf; /* not past U+10FFFF */
	} else {
		return 0;
	}
	if (p[1] < lo || p[1] > hi)
		return 0;
	for (size_t i = 2; i < n; i++)
		if ((p[i] & 0xc0) != 0x80)
			return 0;
	return n;
}

/* The code point of the valid sequence of @n bytes at @p. */
static uint32_t utf8_cp(const unsigned char *p, size_t n)
{
	static const unsigned char lead_mask[] = {0, 0x7f, 0x1f, 0x0f, 0x07};
	uint32_t cp = p[0] & lead_mask[n];

	for (size_t i = 1; i < n; i++)
		cp = cp << 6 | (p[i] & 0x3f);
	return cp;
}

/* Bidirectional controls: they reorder the text after them on the screen
 * (the "Trojan Source" trick), so a name could show as another. */
static bool is_bidi(uint32_t cp)
{
	return cp == 0x061c || cp == 0x200e || cp == 0x200f || (cp >= 0x202a && cp <= 0x202e) ||
	       (cp >= 0x2066 && cp <= 0x2069);
}

/* The escape of the character or bad byte at @p into @out (at least 9
 * bytes), "" when it is shown as it is; *@n = the bytes it stands for. */
static void esc_one(const unsigned char *p, size_t *n, char *out)
{
	static const char names[] = "\n\t\r\\", letters[] = "ntr\\";
	size_t len = strfmt_utf8_len((const char *)p);
	const char *named;
	uint32_t cp;

	out[0] = '\0';
	*n = len ? len : 1;
	if (len == 0) {
		snprintf(out, 9, "\\x%02x", p[0]);
		return;
	}
	cp = utf8_cp(p, len);
	named = cp < 0x80 ? strchr(names, (int)cp) : NULL; /* cp is not 0: *p is not */
	if (named)
		snprintf(out, 9, "\\%c", letters[named - names]);
	else if (cp < 0x20 || cp == 0x7f)
		snprintf(out, 9, "\\x%02x", p[0]);
	else if (cp >= 0x80 && cp <= 0x9f)
		snprintf(out, 9, "\\x%02x\\x%02x", p[0], p[1]);
	else if (is_bidi(cp))
		snprintf(out, 9, "\\u%04x", (unsigned)(cp & 0xffff)); /* all are in the BMP */
}

/* Escapes @s into @buf while it fits in @room bytes (no NUL); returns the
 * bytes written and sets *@cut when something was left out. */
static size_t esc_into(const unsigned char *p, char *buf, size_t room, bool *cut)
{
	size_t len = 0;

	*cut = false;
	while (*p) {
		char e[9];
		size_t n, elen;

		esc_one(p, &n, e);
		elen = e[0] ? strlen(e) : n;
		if (len + elen > room) {
			*cut = true;
			break;
		}
		memcpy(buf + len, e[0] ? e : (const char *)p, elen);
		len += elen;
		p += n;
	}
	return len;
}

const char *strfmt_esc(const char *s, char *buf, size_t size)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t len;
	bool cut;

	assert(size > 0);
	len = esc_into(p, buf, size - 1, &cut);
	if (cut && size > 4) {
		/* again, short enough for the "..." that says so */
		len = esc_into(p, buf, size - 4, &cut);
		memcpy(buf + len, "...", 3);
		len += 3;
	}
	buf[len] = '\0';
	return buf;
}

bool strfmt_plain(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p) {
		char e[9];
		size_t n;

		esc_one(p, &n, e);
		if (e[0])
			return false;
		p += n;
	}
	return true;
}

char *strfmt_trim(char *s)
{
	size_t len = strlen(s);

	while (len > 0 && isspace((unsigned char)s[len - 1]))
		s[--len] = '\0';
	while (isspace((unsigned char)*s))
		s++;
	return s;
}
