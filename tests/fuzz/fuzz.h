/* fuzz.h - what every libFuzzer harness needs: a private root, input as a file or a string
 *
 * A parser that reads through a struct fsroot is fuzzed by writing the input
 * into a file of a temporary root and calling the real reader, so no test
 * hook enters production code.  The root is made once per process (in
 * LLVMFuzzerInitialize) and removed at exit.
 */
#ifndef HVTUNE_FUZZ_H
#define HVTUNE_FUZZ_H

#include <stddef.h>
#include <stdint.h>

#include "probe/fsroot.h"
#include "probe/host.h"

/* libFuzzer's entry points (no header declares them). */
int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The private root, opened; its directory is fz_dir. */
extern struct fsroot fz_root;
extern char fz_dir[FS_PATH_MAX];

/* Makes the root (mkdtemp under $TMPDIR, /dev/shm or /tmp) and opens fz_root;
 * aborts on failure, since no input can be run without it. */
void fz_init(void);
/* Writes @size bytes to @path under the root (parents made), replacing it. */
void fz_write(const char *path, const void *data, size_t size);
/* The same for a C string. */
void fz_write_str(const char *path, const char *s);
/* Makes the directory @path under the root and its parents. */
void fz_mkdir(const char *path);
/* The input as a NUL-terminated heap string (cut at a NUL inside); free()d by
 * the caller.  Aborts when out of memory. */
char *fz_cstr(const uint8_t *data, size_t size);
/* Splits the input at "\n--8<--\n" into at most @max parts (NUL-terminated
 * heap copies; parts past the input are ""): one input for several files. */
size_t fz_split(const uint8_t *data, size_t size, char **parts, size_t max);
void fz_free_parts(char **parts, size_t n);
/* A host of @ncpus CPUs (0..n-1, one core each) on node 0, as topo_probe()
 * leaves it; host_release() frees it. */
void fz_host(struct host *h, unsigned ncpus);
/* Aborts with @msg when @cond is false: an invariant the parser broke. */
void fz_check(int cond, const char *msg);

/* A probe part, as host_probe() calls it. */
typedef int (*fz_part)(struct host *, const struct fsroot *, struct err *);
/* The input as the file @path, read by @part for a host of @ncpus CPUs. */
int fz_probe_one(const char *path, const uint8_t *data, size_t size, fz_part part, unsigned ncpus);

/* The LLVMFuzzerInitialize() of a harness that needs only the root. */
#define FZ_INITIALIZE()                                                                            \
	int LLVMFuzzerInitialize(int *argc, char ***argv)                                          \
	{                                                                                          \
		(void)argc;                                                                        \
		(void)argv;                                                                        \
		fz_init();                                                                         \
		return 0;                                                                          \
	}

#endif
