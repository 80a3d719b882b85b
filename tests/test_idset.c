/* test_idset.c - id sets: the kernel's list and mask formats */
#include "tests/testutil.h"
#include "probe/idset.h"

#include <stdlib.h>
#include <string.h>

static void test_parse_and_format(void **state)
{
	static const struct {
		const char *in, *out;
		unsigned n;
	} cases[] = {
	    {"", "", 0},	   {"0", "0", 1},
	    {"0-3,8", "0-3,8", 5}, {"0-7,16-23", "0-7,16-23", 16},
	    {"3,1,2", "1-3", 3},   {"8191", "8191", 1},
	};
	struct err e = ERR_INIT;
	(void)state;

	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		struct idset s;
		char buf[128];

		assert_ok(idset_parse(&s, cases[i].in, &e), e);
		assert_string_equal(idset_format(&s, buf, sizeof(buf)), cases[i].out);
		assert_int_equal(idset_count(&s), cases[i].n);
	}
}

static void test_parse_rejects_garbage(void **state)
{
	static const char *const bad[] = {"a", "1-", "-1", "3-1", "1,,2", "1,", "8192", "0-3 x"};
	struct err e = ERR_INIT;
	(void)state;

	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		struct idset s;

		assert_int_equal(idset_parse(&s, bad[i], &e), -1);
		assert_non_null(strstr(e.msg, "invalid id list"));
		assert_true(idset_empty(&s));
	}
}

static void test_mask(void **state)
{
	struct err e = ERR_INIT;
	struct idset s;
	char buf[64];
	(void)state;

	assert_ok(idset_parse_mask(&s, "00000000,00ff00ff", &e), e);
	assert_string_equal(idset_format(&s, buf, sizeof(buf)), "0-7,16-23");
	assert_ok(idset_parse_mask(&s, "1,00000000", &e), e);
	assert_string_equal(idset_format(&s, buf, sizeof(buf)), "32");
	assert_int_equal(idset_parse_mask(&s, "xyz", &e), -1);
	assert_int_equal(idset_parse_mask(&s, "", &e), -1);
}

static void test_format_too_long_is_marked(void **state)
{
	struct err e = ERR_INIT;
	struct idset s;
	char buf[8];
	(void)state;

	assert_ok(idset_parse(&s, "1,3,5,7,9,11", &e), e);
	idset_format(&s, buf, sizeof(buf));
	assert_non_null(strstr(buf, "..."));
	assert_true(strlen(buf) < sizeof(buf));
}

/* The heap form is never cut, for the longest lists there are: every other id
 * (singletons) and pairs with a gap ("8187-8188,8190-8191"). */
static void test_format_dup_whole(void **state)
{
	(void)state;
	for (unsigned step = 2; step <= 3; step++) {
		struct idset s, back;
		struct err e = ERR_INIT;
		char *list;

		idset_clear(&s);
		for (unsigned id = 0; id < IDSET_MAX; id += step) {
			idset_add(&s, id);
			if (step == 3)
				idset_add(&s, id + 1);
		}
		list = idset_format_dup(&s);
		assert_non_null(list);
		assert_null(strstr(list, "..."));
		assert_ok(idset_parse(&back, list, &e), e);
		assert_true(idset_equal(&s, &back));
		free(list);
	}
}

static void test_set_ops(void **state)
{
	struct err e = ERR_INIT;
	struct idset a, b;
	(void)state;

	assert_ok(idset_parse(&a, "0-7", &e), e);
	assert_ok(idset_parse(&b, "4-11", &e), e);
	assert_true(idset_intersects(&a, &b));
	assert_false(idset_subset(&b, &a));
	idset_and(&b, &a);
	assert_int_equal(idset_count(&b), 4);
	assert_true(idset_subset(&b, &a));
	idset_andnot(&a, &b);
	assert_int_equal(idset_next(&a, 0), 0);
	assert_int_equal(idset_next(&a, 4), -1);
	idset_or(&a, &b);
	assert_int_equal(idset_count(&a), 8);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse_and_format),
	    cmocka_unit_test(test_parse_rejects_garbage),
	    cmocka_unit_test(test_mask),
	    cmocka_unit_test(test_format_too_long_is_marked),
	    cmocka_unit_test(test_format_dup_whole),
	    cmocka_unit_test(test_set_ops),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
