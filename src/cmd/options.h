/* Command-line options as tables, in the manner of git's parse-options.
 *
 * Each area describes its options as rows; each command names the row tables
 * it takes and the context each table writes into; one loop (options.c)
 * parses every command's arguments, and the usage, --help and the shell
 * completions are generated from the same rows. */
#ifndef CHIPAUDIT_OPTIONS_H
#define CHIPAUDIT_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

enum opt_arg { OPT_ARG_NONE, OPT_ARG_REQUIRED, OPT_ARG_OPTIONAL };

/* Stores VALUE (NULL for a flag, or an optional value not given) at TARGET:
 * the table's context plus the row's offset. Returns 0, or an exit code with
 * a one-line error (without the "chipaudit: " prefix) in ERR. */
typedef int opt_setter(const char *value, void *target, char *err, size_t errlen);
/* Releases what the setter kept at TARGET; called whether or not the option
 * was given, so it must accept the zeroed state and be idempotent. */
typedef void opt_release(void *target);

struct opt_row {
	const char *long_name;  /* "manifest", without the dashes */
	char short_name;        /* 'o', or 0 */
	enum opt_arg arg;
	const char *arg_name;   /* "FILE", for the help and for completion (DIR, FILE) */
	const char *help;       /* one sentence; wrapped by the help printer */
	opt_setter *set;
	opt_release *free_value;
	size_t offset;          /* of the field the setter writes, in the table's context */
	bool early;             /* set before every other option (--exit-style) */
	const char *choices;    /* the values it takes, space-separated, for completion; or NULL */
};

/* The common shapes of row, as git's OPT_BOOL and OPT_STRING: a flag or a
 * string stored in FIELD of the table's context (a struct TYPE), and a row
 * whose setter receives the table's context itself. */
#define OPT_BOOL(LONG, SHORT, HELP, TYPE, FIELD) \
	{ .long_name = (LONG), .short_name = (SHORT), .arg = OPT_ARG_NONE, .help = (HELP), \
	  .set = opt_set_true, .offset = offsetof(TYPE, FIELD) }
#define OPT_STRING(LONG, SHORT, ARG, HELP, TYPE, FIELD) \
	{ .long_name = (LONG), .short_name = (SHORT), .arg = OPT_ARG_REQUIRED, .arg_name = (ARG), \
	  .help = (HELP), .set = opt_set_string, .offset = offsetof(TYPE, FIELD) }
#define OPT_CALLBACK(LONG, SHORT, KIND, ARG, HELP, SET, RELEASE) \
	{ .long_name = (LONG), .short_name = (SHORT), .arg = (KIND), .arg_name = (ARG), .help = (HELP), \
	  .set = (SET), .free_value = (RELEASE) }
/* The row that ends a table. */
#define OPT_END { 0 }

struct opt_table {
	const char *title;      /* a heading in --help, or NULL */
	const struct opt_row *rows;
};

#define OPT_MAX_TABLES 8

struct cmd_spec {
	const char *name;       /* "audit" */
	const char *synopsis;   /* the "usage: chipaudit audit ..." lines */
	const char *about;      /* what the command does, for --help */
	const char *trailer;    /* exit status lines, after the options in --help */
	/* what the command accepts as operands, for completion: NULL none,
	 * "FILE" files, "REF" report references */
	const char *operands;
	/* The first operand ends the options (the global options before the
	 * command): no permutation. */
	bool stop_at_operand;
	const struct opt_table *tables[OPT_MAX_TABLES];  /* NULL-terminated */
};

/* The operands left once the options are taken, in their order. */
struct operands {
	char **v;
	int n;
};

/* options_parse's result when --help was shown: the command exits 0. */
#define OPTIONS_HELP (-1)

/* Parse ARGV (ARGV[0] is the command's name) by SPEC's tables; CTX[i] is the
 * context of SPEC->tables[i]. GNU conventions: options and operands in any
 * order, "--" ends the options, "-" is an operand, --opt=value or --opt value,
 * -ovalue or -o value, unambiguous prefixes of long options, -h and --help.
 * Returns 0 with the operands (ARGV is permuted: they come first), or
 * OPTIONS_HELP, or an exit code after printing a one-line error; on either of
 * the last two, what the setters kept is released. */
int options_parse(const struct cmd_spec *spec, void *const ctx[], int argc, char **argv, struct operands *ops);
/* Release what the setters kept (every row's free_value). */
void options_free(const struct cmd_spec *spec, void *const ctx[]);
/* The full help: synopsis, about, each table's rows, trailer. */
void options_help(FILE *out, const struct cmd_spec *spec);
/* "chipaudit: CMD: MESSAGE", the synopsis and where the help is; returns EXIT_USAGE. */
int options_usage_error(const struct cmd_spec *spec, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Setters for the common shapes of value. */
opt_setter opt_set_string;  /* const char *: the last one given */
opt_setter opt_set_true;    /* bool */

#endif
