/* The one error convention of the library (every layer below cmd/): a
 * function that can fail returns 0 or the kind of failure below, with a
 * one-line message naming the file or source and the problem in the err
 * buffer its caller passed. A caller passes a kind up unchanged or turns it
 * into another with its own message; only cmd/ turns a kind into an exit
 * status (exit_status() in src/cmd/exit.h).
 *
 * The kinds carry the sysexits(3) numbers of the statuses they become, so
 * that a kind passed through unchanged is the same status it always was. */
#ifndef CHIPAUDIT_ERROR_H
#define CHIPAUDIT_ERROR_H

enum ca_error {
	CA_OK = 0,
	CA_ERR_USAGE = 64,     /* a bad argument */
	CA_ERR_DATA = 65,      /* input malformed, or over its size limit */
	CA_ERR_NOINPUT = 66,   /* input missing or unreadable */
	CA_ERR_SOFTWARE = 70,  /* an internal error */
	CA_ERR_OS = 71,        /* the system refused (out of memory) */
	CA_ERR_CANTCREAT = 73, /* an output cannot be created */
	CA_ERR_IO = 74,        /* a write or a read failed half way */
	CA_ERR_TEMP = 75,      /* busy: another process held a lock too long */
	CA_ERR_NOPERM = 77,    /* not permitted */
	CA_ERR_CONFIG = 78,    /* the shipped data files malformed */
};

#endif
