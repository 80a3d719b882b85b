/* test_cli_help.c - each command's --help names every option of its table
 *
 * The tables (tui/cli/, struct cli_command) are what the parser accepts; the
 * help is hand-written text.  An option added to a table and not to the help
 * fails here.  The help may name more (--plan's "'hvtune plan --json'").
 */
#include "tests/testutil.h"

#include <stdio.h>
#include <string.h>

#include "tui/cli/cli.h"

/* Whether @help names "--@name" as a whole option (not "--vm" in "--vmx"). */
static bool names(const char *help, const char *name)
{
	char opt[64];
	size_t len;

	len = (size_t)snprintf(opt, sizeof(opt), "--%s", name);
	for (const char *p = strstr(help, opt); p; p = strstr(p + 1, opt))
		if (!(p[len] >= 'a' && p[len] <= 'z') && p[len] != '-')
			return true;
	return false;
}

static const struct cli_command *const cmds[] = {
    &cli_cmd_probe,    &cli_cmd_check,	 &cli_cmd_plan,	   &cli_cmd_apply,
    &cli_cmd_rollback, &cli_cmd_journal, &cli_cmd_monitor, &cli_cmd_tui,
};

static void test_help_names_every_option(void **state)
{
	int missing = 0;

	(void)state;
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		const struct cli_option *tabs[] = {cmds[i]->opts, cmds[i]->more};

		assert_non_null(cmds[i]->help);
		for (size_t t = 0; t < 2; t++) {
			for (const struct cli_option *o = tabs[t]; o && o->name; o++) {
				if (names(cmds[i]->help, o->name))
					continue;
				print_error("'hvtune %s --help' does not name --%s\n",
					    cmds[i]->name, o->name);
				missing++;
			}
		}
	}
	assert_int_equal(missing, 0);
}

/* Each table row has a help line, and no two rows of a command share a name or code. */
static void test_tables_are_well_formed(void **state)
{

	(void)state;
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		const struct cli_option *rows[CLI_OPTS_MAX];
		const struct cli_option *tabs[] = {cmds[i]->opts, cmds[i]->more};
		size_t n = 0;

		for (size_t t = 0; t < 2; t++)
			for (const struct cli_option *o = tabs[t]; o && o->name; o++) {
				assert_true(n < CLI_OPTS_MAX);
				rows[n++] = o;
			}
		for (size_t a = 0; a < n; a++) {
			assert_non_null(rows[a]->help);
			assert_true(rows[a]->code != 'h' && rows[a]->code > 0);
			for (size_t b = a + 1; b < n; b++) {
				assert_string_not_equal(rows[a]->name, rows[b]->name);
				assert_int_not_equal(rows[a]->code, rows[b]->code);
			}
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_help_names_every_option),
	    cmocka_unit_test(test_tables_are_well_formed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
