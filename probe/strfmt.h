/* strfmt.h - formatting into fixed-size text fields, shared by every stage */
#ifndef HVTUNE_STRFMT_H
#define HVTUNE_STRFMT_H

#include <stddef.h>
#include <stdint.h>

/* snprintf() into @dst (the model's fixed text fields: reasons, names). */
void strfmt_set(char *dst, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Appends to the string in @buf; what does not fit ends in a visible "...". */
void strfmt_cat(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* An exact page size: "2 MiB", "1 GiB", "64 KiB".  Returns @buf. */
const char *strfmt_page_kib(uint64_t kib, char *buf, size_t size);

#endif
