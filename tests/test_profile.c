/* test_profile.c - profiles: the shipped ones load, bad ones say file:line, show round-trips */
#include "tests/testutil.h"
#include "planner/profile.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *profiles_dir(char *buf, size_t size)
{
	const char *src = getenv("HVTUNE_SRC");

	snprintf(buf, size, "%s/profiles", src ? src : ".");
	return buf;
}

static void test_shipped_profiles_load(void **state)
{
	static const struct {
		const char *name;
		enum smt_policy smt;
		uint64_t page_kib;
		enum emulator_policy emu;
		const char *thp;
		enum knob ksm;
		bool isolate;
	} want[] = {
	    {"balanced", SMT_PREFER, 2048, EMU_HOUSEKEEPING, "madvise", KNOB_KEEP, false},
	    {"density", SMT_PREFER, 2048, EMU_SHARED, "madvise", KNOB_ON, false},
	    {"high-pps", SMT_REQUIRE, 1048576, EMU_HOUSEKEEPING, "never", KNOB_OFF, true},
	    {"low-latency", SMT_ISOLATE, 1048576, EMU_DEDICATED, "never", KNOB_OFF, true},
	    {"throughput", SMT_PREFER, 1048576, EMU_HOUSEKEEPING, "madvise", KNOB_OFF, false},
	};
	char dir[4096];
	char **names;
	size_t n;
	struct err e = ERR_INIT;
	(void)state;

	assert_ok(profile_names(profiles_dir(dir, sizeof(dir)), &names, &n, &e), e);
	assert_int_equal(n, ARRAY_LEN(want));
	for (size_t i = 0; i < n; i++) {
		struct profile pf;

		assert_string_equal(names[i], want[i].name); /* sorted */
		assert_ok(profile_find(&pf, names[i], dir, &e), e);
		assert_string_equal(pf.name, want[i].name);
		assert_non_null(strstr(pf.path, "/profiles/"));
		assert_true(strlen(pf.description) > 20);
		assert_int_equal(pf.smt, want[i].smt);
		assert_int_equal(pf.hugepage_kib, want[i].page_kib);
		assert_int_equal(pf.emulator, want[i].emu);
		assert_string_equal(pf.thp, want[i].thp);
		assert_int_equal(pf.ksm, want[i].ksm);
		assert_int_equal(pf.isolate, want[i].isolate);
		assert_true(pf.housekeeping_cores_per_node >= 1);
	}
	profile_names_free(names, n);
}

/* The built-in defaults are balanced.conf: the file only writes them out. */
static void test_default_is_balanced(void **state)
{
	struct profile def, file;
	char dir[4096];
	struct err e = ERR_INIT;
	(void)state;

	profile_default(&def);
	assert_ok(profile_find(&file, "balanced", profiles_dir(dir, sizeof(dir)), &e), e);
	snprintf(def.path, sizeof(def.path), "%s", file.path);
	assert_string_equal(def.description, file.description);
	assert_memory_equal(&def, &file, sizeof(def));
}

static void test_bad_profiles(void **state)
{
	static const struct {
		const char *text, *msg;
	} cases[] = {
	    {"[planner]\nsmt = isolate\n", "bad.conf:2: unknown key 'smt' in [planner]"},
	    {"[planner]\nsmt_policy = sometimes\n",
	     "bad.conf:2: invalid value 'sometimes' for 'smt_policy' (expected prefer, isolate "
	     "or require)"},
	    {"; comment\n[host]\nthp = off\n",
	     "bad.conf:3: invalid value 'off' for 'thp' (expected always, madvise, never or keep)"},
	    {"[host]\nksm = maybe\n",
	     "bad.conf:2: invalid value 'maybe' for 'ksm' (expected on, off "
	     "or keep)"},
	    {"[host]\ngovernor = Perf0rmance\n",
	     "bad.conf:2: invalid value 'Perf0rmance' for 'governor' (expected a cpufreq governor "
	     "name or keep)"},
	    {"[host]\nisolate = true\n", "bad.conf:2: invalid value 'true' for 'isolate' (expected "
					 "yes or no)"},
	    {"[host]\nswappiness = 300\n", "bad.conf:2: invalid value '300' for 'swappiness' "
					   "(expected a number from 0 to 200)"},
	    {"[cpu]\nx = 1\n",
	     "bad.conf:2: unknown section [cpu] (expected [profile], [planner] or "
	     "[host])"},
	    {"x = 1\n", "bad.conf:1: key 'x' outside a section"},
	    {"[planner]\n# c\n\nhousekeeping_cores_per_node = 0\n",
	     "bad.conf:4: invalid value '0' for 'housekeeping_cores_per_node' (expected a number "
	     "from 1 to 1024)"},
	    {"[planner]\nhugepage_kib = 3000\n",
	     "bad.conf:2: invalid value '3000' for 'hugepage_kib' (expected 0 or a power of two >= "
	     "64, in KiB)"},
	    {"[planner]\nhost_reserved_memory_mib = -1\n",
	     "bad.conf:2: invalid value '-1' for 'host_reserved_memory_mib' (expected a number "
	     "from "
	     "0 to 1073741824)"},
	    {"[planner]\nemulator = pinned\n",
	     "bad.conf:2: invalid value 'pinned' for 'emulator' (expected housekeeping, "
	     "dedicated-core or shared)"},
	    {"[profile]\nname = x\n", "bad.conf:2: unknown key 'name' in [profile]"},
	    /* the first error is the one reported */
	    {"[planner]\nfoo = 1\nbar = 2\n", "bad.conf:2: unknown key 'foo' in [planner]"},
	    {"[planner]\nnic_local\n",
	     "bad.conf:2: syntax error (expected [section] or key = value)"},
	    /* a syntax error before a bad key is reported first */
	    {"[planner\nfoo = 1\n", "bad.conf:1: syntax error (expected [section] or key = value)"},
	    /* no newline at the end */
	    {"[planner]\n\nl3_local = sure", "bad.conf:3: invalid value 'sure' for 'l3_local' "
					     "(expected yes or no)"},
	};
	struct err e = ERR_INIT;
	(void)state;

	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		struct profile pf, def;

		assert_int_equal(profile_load_string(&pf, cases[i].text, "bad.conf", &e), -1);
		assert_string_equal(e.msg, cases[i].msg);
		profile_default(&def);
		assert_memory_equal(&pf, &def, sizeof(pf)); /* defaults after a failure */
	}
}

static void test_files_and_names(void **state)
{
	char dir[4096], path[4200], msg[4400];
	struct profile pf;
	struct err e = ERR_INIT;
	FILE *f;
	(void)state;

	assert_int_equal(profile_load(&pf, "/nonexistent/x.conf", &e), -1);
	assert_string_equal(e.msg, "cannot open profile '/nonexistent/x.conf': No such file or "
				   "directory");
	/* a device is read for ever: refused before a byte is read */
	assert_int_equal(profile_load(&pf, "/dev/zero", &e), -1);
	assert_string_equal(e.msg, "'/dev/zero' is not a regular file");
	assert_int_equal(profile_find(&pf, "nope", profiles_dir(dir, sizeof(dir)), &e), -1);
	snprintf(msg, sizeof(msg),
		 "unknown profile 'nope' (no '%s/nope.conf'; see 'hvtune profiles')", dir);
	assert_string_equal(e.msg, msg);

	/* a file by path: named by its base name; errors carry the path */
	tu_tmpdir(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/mine.conf", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("[profile]\ndescription = mine\n[planner]\nsmt_policy = isolate\n", f);
	fclose(f);
	assert_ok(profile_find(&pf, path, NULL, &e), e);
	assert_string_equal(pf.name, "mine");
	assert_int_equal(pf.smt, SMT_ISOLATE);
	assert_int_equal(pf.hugepage_kib, 2048); /* the rest is the default */
	f = fopen(path, "a");
	assert_non_null(f);
	fputs("[host]\nthp = sometimes\n", f);
	fclose(f);
	assert_int_equal(profile_find(&pf, path, NULL, &e), -1);
	snprintf(msg, sizeof(msg),
		 "%s:6: invalid value 'sometimes' for 'thp' (expected always, "
		 "madvise, never or keep)",
		 path);
	assert_string_equal(e.msg, msg);
	/* a last line without '\n' that fills inih's 200-byte buffer exactly is
	 * still line 1 (found by fuzz_profile: the file reader said line 0) */
	f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "x = %0195d", 0);
	fclose(f);
	assert_int_equal(profile_find(&pf, path, NULL, &e), -1);
	snprintf(msg, sizeof(msg), "%s:1: key 'x' outside a section", path);
	assert_string_equal(e.msg, msg);
	/* $HVTUNE_PROFILES picks the directory */
	setenv("HVTUNE_PROFILES", dir, 1);
	assert_string_equal(profile_dir(msg, sizeof(msg)), dir);
	unsetenv("HVTUNE_PROFILES");
	tu_rmtree(dir);
}

/* 'hvtune profiles show' prints profile_format(): it loads back to the same profile. */
static void test_format_round_trip(void **state)
{
	static const char *const names[] = {"balanced", "density", "high-pps", "low-latency",
					    "throughput"};
	char dir[4096], text[4096];
	struct err e = ERR_INIT;
	(void)state;

	profiles_dir(dir, sizeof(dir));
	for (size_t i = 0; i < ARRAY_LEN(names); i++) {
		struct profile pf, back;
		char shown[80];

		assert_ok(profile_find(&pf, names[i], dir, &e), e);
		assert_true(profile_format(&pf, text, sizeof(text)) < sizeof(text));
		snprintf(shown, sizeof(shown), "%s.conf", names[i]);
		assert_ok(profile_load_string(&back, text, shown, &e), e);
		snprintf(back.path, sizeof(back.path), "%s", pf.path);
		assert_memory_equal(&pf, &back, sizeof(pf));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_shipped_profiles_load),
	    cmocka_unit_test(test_default_is_balanced),
	    cmocka_unit_test(test_bad_profiles),
	    cmocka_unit_test(test_files_and_names),
	    cmocka_unit_test(test_format_round_trip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
