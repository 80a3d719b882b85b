/* test_strfmt.c - the text fields' formatting: UTF-8 validity and the escaping of text output */
#include "tests/testutil.h"

#include <string.h>

#include "probe/strfmt.h"

static void test_utf8_len(void **state)
{
	static const struct {
		const char *s;
		size_t len;
	} cases[] = {
	    {"a", 1},
	    {"\xc3\xa9", 2},	     /* é */
	    {"\xe2\x82\xac", 3},     /* € */
	    {"\xf0\x9f\x98\x80", 4}, /* U+1F600 */
	    {"\xf4\x8f\xbf\xbf", 4}, /* U+10FFFF, the last */
	    {"\x80", 0},	     /* a continuation byte alone */
	    {"\xc0\xaf", 0},	     /* overlong '/' */
	    {"\xc1\xbf", 0},	     /* overlong */
	    {"\xe0\x80\xaf", 0},     /* overlong */
	    {"\xf0\x80\x80\xaf", 0}, /* overlong */
	    {"\xed\xa0\x80", 0},     /* a UTF-16 surrogate */
	    {"\xf4\x90\x80\x80", 0}, /* past U+10FFFF */
	    {"\xf5\x80\x80\x80", 0},
	    {"\xff", 0},
	    {"\xe2\x82", 0}, /* cut short */
	    {"\xc3(", 0},
	    {"\xe9t\xe9", 0}, /* Latin-1 "été" */
	};
	(void)state;

	for (size_t i = 0; i < ARRAY_LEN(cases); i++)
		if (strfmt_utf8_len(cases[i].s) != cases[i].len)
			fail_msg("case %zu: %zu, wanted %zu", i, strfmt_utf8_len(cases[i].s),
				 cases[i].len);
}

static void test_esc(void **state)
{
	static const struct {
		const char *s, *shown;
	} cases[] = {
	    {"vm0", "vm0"},
	    {"", ""},
	    {"Stra\xc3\x9f"
	     "e \xe2\x82\xac",
	     "Stra\xc3\x9f"
	     "e \xe2\x82\xac"},
	    {"\x1b[2J\x1b]0;pwned\x07", "\\x1b[2J\\x1b]0;pwned\\x07"},
	    {"a\nb\tc\rd\\e", "a\\nb\\tc\\rd\\\\e"},
	    {"del\x7f", "del\\x7f"},
	    {"\xe9t\xe9", "\\xe9t\\xe9"},
	    {"csi\xc2\x9b"
	     "31m",
	     "csi\\xc2\\x9b31m"},		       /* C1 CSI, as UTF-8 */
	    {"\xe2\x80\xaegnp.exe", "\\u202egnp.exe"}, /* RIGHT-TO-LEFT OVERRIDE */
	    {"\xed\xa0\x80", "\\xed\\xa0\\x80"},
	};
	(void)state;

	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		char buf[STRFMT_ESC_SIZE(32)];

		assert_string_equal(strfmt_esc(cases[i].s, buf, sizeof(buf)), cases[i].shown);
		assert_int_equal(strfmt_plain(cases[i].s), strcmp(cases[i].s, cases[i].shown) == 0);
	}
}

/* What does not fit is cut between escapes, never inside one, and says so. */
static void test_esc_cut(void **state)
{
	char buf[12], big[STRFMT_ESC_SIZE(6)];
	(void)state;

	assert_string_equal(strfmt_esc("abcdefghijklmnop", buf, sizeof(buf)), "abcdefgh...");
	assert_string_equal(strfmt_esc("ab\x1b\x1b\x1b", buf, sizeof(buf)), "ab\\x1b...");
	assert_string_equal(strfmt_esc("\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac", buf, 8),
			    "\xe2\x82\xac...");
	assert_string_equal(strfmt_esc("abc", buf, 3), "ab");
	assert_string_equal(strfmt_esc("abc", buf, 1), "");
	/* the documented size always fits: 6 bad bytes, 24 characters */
	assert_string_equal(strfmt_esc("\xff\xff\xff\xff\xff\xff", big, sizeof(big)),
			    "\\xff\\xff\\xff\\xff\\xff\\xff");
}

static void test_size_and_trim(void **state)
{
	char buf[32], s[] = " \t 42 kB\n";
	(void)state;

	assert_string_equal(strfmt_size_kib(512, buf, sizeof(buf)), "512 KiB");
	assert_string_equal(strfmt_size_kib(16u * 1024 * 1024, buf, sizeof(buf)), "16 GiB");
	assert_string_equal(strfmt_size_kib(15u * 1024 * 1024 + 512 * 1024, buf, sizeof(buf)),
			    "15.5 GiB");
	assert_string_equal(strfmt_trim(s), "42 kB");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_utf8_len),
	    cmocka_unit_test(test_esc),
	    cmocka_unit_test(test_esc_cut),
	    cmocka_unit_test(test_size_and_trim),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
