/* err.h - the error type every stage returns: a message and the errno behind it */
#ifndef HVTUNE_ERR_H
#define HVTUNE_ERR_H

#include <stddef.h>

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/*
 * A failure travels up as -1 (or NULL) plus a filled struct err, to whoever can
 * show it (tmux's "char **cause", git's error()).  @msg follows git's rules:
 * lowercase, no full stop, what failed first, the subject in 'quotes', then the
 * system reason.  @sys keeps errno so callers can decide policy (ENOENT in
 * probe/ means "the kernel lacks this": a fact is unknown, not an error).
 */
struct err {
	int sys; /* errno of the failure, 0 when none applies */
	char msg[512];
};

#define ERR_INIT                                                                                   \
	{                                                                                          \
		0, ""                                                                              \
	}

/* Fills @e with the formatted message, appending ": strerror(sys)" when @sys
 * is not 0.  Always returns -1, for "return err_set(e, errno, ...)". */
int err_set(struct err *e, int sys, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Puts "<prefix>: " in front of the message already in @e.  Returns -1. */
int err_prefix(struct err *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
