/* Exit statuses (sysexits(3)), and the one place that turns a library
 * error kind (core/error.h) into one. */
#ifndef CHIPAUDIT_CMD_EXIT_H
#define CHIPAUDIT_CMD_EXIT_H

#include "core/check.h"
#include "core/error.h"

/* EXIT_PASS, EXIT_WARN and EXIT_FAIL, the verdict's, are in core/check.h. */
enum {
	EXIT_USAGE = 64,    /* EX_USAGE */
	EXIT_DATAERR = 65,  /* EX_DATAERR: input data malformed */
	EXIT_NOINPUT = 66,  /* EX_NOINPUT: input file missing or unreadable */
	EXIT_UNAVAILABLE = 69, /* EX_UNAVAILABLE: a collector or database could not be reached */
	EXIT_SOFTWARE = 70, /* EX_SOFTWARE: internal error */
	EXIT_OSERR = 71,    /* EX_OSERR */
	EXIT_CANTCREAT = 73,/* EX_CANTCREAT: output file cannot be created */
	EXIT_IOERR = 74,    /* EX_IOERR */
	EXIT_TEMPFAIL = 75, /* EX_TEMPFAIL: another process held the history too long */
	EXIT_NOPERM = 77,   /* EX_NOPERM */
	EXIT_CONFIG = 78,   /* EX_CONFIG: data files malformed */
};

/* The exit status for a library function's result (0 or an enum ca_error). */
static inline int exit_status(int error)
{
	switch (error) {
	case CA_OK: return EXIT_PASS;
	case CA_ERR_USAGE: return EXIT_USAGE;
	case CA_ERR_DATA: return EXIT_DATAERR;
	case CA_ERR_NOINPUT: return EXIT_NOINPUT;
	case CA_ERR_OS: return EXIT_OSERR;
	case CA_ERR_CANTCREAT: return EXIT_CANTCREAT;
	case CA_ERR_IO: return EXIT_IOERR;
	case CA_ERR_TEMP: return EXIT_TEMPFAIL;
	case CA_ERR_NOPERM: return EXIT_NOPERM;
	case CA_ERR_CONFIG: return EXIT_CONFIG;
	default: return EXIT_SOFTWARE;
	}
}

#endif
