/* testutil.h - what every test needs: fixtures, temporary trees, assert_ok */
#ifndef HVTUNE_TESTUTIL_H
#define HVTUNE_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "probe/err.h"

/* Fails the test with the code's own message when @call returns < 0. */
#define assert_ok(call, e)                                                                         \
	do {                                                                                       \
		if ((call) < 0)                                                                    \
			fail_msg("%s", (e).msg);                                                   \
	} while (0)

/* The fixtures directory (HVTUNE_FIXTURES, set by CMake), or NULL. */
const char *tu_fixtures(void);

/*
 * Unpacks ../shared/fixtures/hosts/@host.tar.xz into a new temporary directory
 * and writes the root (".../@host") into @root.  Returns false when the capture
 * is absent; the caller then calls skip() after printing why (tu_skip_msg).
 */
bool tu_unpack_host(const char *host, char *root, size_t size);
/* Prints "SKIP: <why>" so a skipped test says why in the ctest log. */
void tu_skip_msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A new empty temporary directory (mkdtemp) in @dir; aborts the test on failure. */
void tu_tmpdir(char *dir, size_t size);
/* rm -rf @dir (a temporary directory made by the tests). */
void tu_rmtree(const char *dir);
/* Runs @cmd through /bin/sh and returns its stdout (caller free()s), or NULL. */
char *tu_run(const char *cmd, int *status);

#endif
