/* strfmt.h - formatting into fixed-size text fields, shared by every stage */
#ifndef HVTUNE_STRFMT_H
#define HVTUNE_STRFMT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* snprintf() into @dst (the model's fixed text fields: reasons, names). */
void strfmt_set(char *dst, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Appends to the string in @buf; what does not fit ends in a visible "...". */
void strfmt_cat(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* @s without leading and trailing white space: cuts the end in place and
 * returns a pointer into @s. */
char *strfmt_trim(char *s);
/* A memory size for people: "16 GiB", "15.5 GiB", "512 MiB" (the largest unit
 * of KiB, MiB, GiB, TiB that leaves at least 1; one decimal when not whole).
 * Returns @buf. */
const char *strfmt_size_kib(uint64_t kib, char *buf, size_t size);
/* An exact page size: "2 MiB", "1 GiB", "64 KiB".  Returns @buf. */
const char *strfmt_page_kib(uint64_t kib, char *buf, size_t size);

/*
 * Strings from files, requests and libvirt (VM names, reasons that quote
 * them, firmware strings) are shown through strfmt_esc(), the one escaping
 * of text output: a name must not move the cursor, recolour the terminal or
 * start a new line.
 *
 * The length (1 to 4) of the valid UTF-8 sequence at @s, or 0 when the bytes
 * there are not one: a stray continuation byte, an overlong form, a UTF-16
 * surrogate, a code point past U+10FFFF, a sequence cut short.  @s is not "".
 */
size_t strfmt_utf8_len(const char *s);

/* Room for any string of @len bytes escaped: "\xNN" is the longest escape
 * of one byte. */
#define STRFMT_ESC_SIZE(len) (4 * (size_t)(len) + 1)

/*
 * @s for a terminal or a one-line message, into @buf: valid, printable UTF-8
 * as it is; "\n", "\t", "\r" and "\\"; other control characters (C0, DEL
 * and the C1 range U+0080..U+009F) and every byte that is not part of valid
 * UTF-8 as "\xNN"; the bidirectional controls that reorder what follows
 * them (U+061C, U+200E/F, U+202A..E, U+2066..9) as "\uNNNN".  Never cuts an
 * escape or a character: what does not fit is left out and the end is "..."
 * (when @size > 4).
 * A @buf of STRFMT_ESC_SIZE(strlen(@s)) always fits.  Returns @buf.
 */
const char *strfmt_esc(const char *s, char *buf, size_t size);

/* strfmt_esc() of the text in the char array @arr (a model's fixed-size
 * field; not a pointer), into a buffer that lives until the end of the
 * enclosing block: for printf's arguments. */
#define STRFMT_ESC(arr)                                                                            \
	strfmt_esc((arr), (char[STRFMT_ESC_SIZE(sizeof(arr))]){0}, STRFMT_ESC_SIZE(sizeof(arr)))

/* Whether strfmt_esc() shows @s as it is (nothing to escape). */
bool strfmt_plain(const char *s);

#endif
