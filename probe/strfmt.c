/* strfmt.c - formatting into fixed-size text fields */
#include "probe/strfmt.h"

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
