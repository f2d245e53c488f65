/* libFuzzer target: the option parser of every command (src/cmd/options.c).
 * The input is an argument vector, NUL-separated. Whatever it holds, the
 * parser answers 0, OPTIONS_HELP or EXIT_USAGE; on 0 the operands are the
 * input's own arguments, in their order, and none looks like an option
 * unless it is "-" or came after "--"; what the setters kept is released. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/exit.h"
#include "cmd/options.h"
#include "core/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct fuzz_ctx {
	const char *beta, *gamma, *delta, *n;
	bool alpha, alpine, flag_b;
	char *kept;  /* what a setter allocated, released by its row's free */
};

/* Keeps a copy of VALUE; refuses "bad", as a setter that validates does. */
static int set_kept(const char *value, void *target, char *err, size_t errlen)
{
	struct fuzz_ctx *c = target;

	if (value && strcmp(value, "bad") == 0) {
		snprintf(err, errlen, "--kept: bad value");
		return EXIT_USAGE;
	}
	free(c->kept);
	c->kept = value ? xstrdup(value) : NULL;
	return 0;
}

static void release_kept(void *target)
{
	struct fuzz_ctx *c = target;

	free(c->kept);
	c->kept = NULL;
}

static const struct opt_row rows[] = {
	OPT_BOOL("alpha", 'a', "a flag", struct fuzz_ctx, alpha),
	OPT_BOOL("alpine", 0, "a flag sharing a prefix", struct fuzz_ctx, alpine),
	OPT_STRING("beta", 'b', "X", "a value", struct fuzz_ctx, beta),
	{ .long_name = "gamma", .arg = OPT_ARG_OPTIONAL, .arg_name = "G", .help = "an optional value",
	  .set = opt_set_string, .offset = offsetof(struct fuzz_ctx, gamma) },
	{ .long_name = "delta", .arg = OPT_ARG_REQUIRED, .arg_name = "D", .help = "set first",
	  .set = opt_set_string, .offset = offsetof(struct fuzz_ctx, delta), .early = true },
	{ .short_name = 'n', .arg = OPT_ARG_REQUIRED, .arg_name = "N", .help = "a short option alone",
	  .set = opt_set_string, .offset = offsetof(struct fuzz_ctx, n) },
	OPT_CALLBACK("kept", 'k', OPT_ARG_OPTIONAL, "K", "a value kept", set_kept, release_kept),
	OPT_END,
};
static const struct opt_table table = { "Fuzz", rows };

static const struct cmd_spec command = {
	.name = "fuzz", .synopsis = "usage: fuzz [options] operands\n", .tables = { &table },
};
static const struct cmd_spec global = {
	.name = "fuzz", .synopsis = "usage: fuzz [options] command\n", .stop_at_operand = true, .tables = { &table },
};

enum { MAX_ARGS = 64 };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *copy = malloc(size + 1), *argv[MAX_ARGS + 2] = { 0 }, *given[MAX_ARGS + 2];
	const struct cmd_spec *spec = size > 0 && data[0] & 1 ? &global : &command;
	struct fuzz_ctx c = { 0 };
	void *const ctx[] = { &c };
	struct operands ops;
	int argc = 1, rc, dashdash = -1, last = 0;

	if (size > 0) {
		memcpy(copy, data + 1, size - 1);
		copy[size - 1] = '\0';
		for (char *p = copy; p < copy + size && argc <= MAX_ARGS; p += strlen(p) + 1)
			argv[argc++] = p;
	}
	argv[0] = (char *)"fuzz";
	argv[argc] = NULL;
	memcpy(given, argv, sizeof(argv));
	for (int i = 1; i < argc && dashdash < 0; i++)
		if (strcmp(given[i], "--") == 0)
			dashdash = i;

	rc = options_parse(spec, ctx, argc, argv, &ops);
	if (rc != 0 && rc != OPTIONS_HELP && rc != EXIT_USAGE)
		abort();
	if (rc != 0) {
		if (c.kept != NULL)  /* released on failure */
			abort();
		free(copy);
		return 0;
	}
	if (ops.n < 0 || ops.n > argc - 1)
		abort();
	for (int k = 0; k < ops.n; k++) {
		int at = 0;
		for (int i = last + 1; i < argc && at == 0; i++)
			if (given[i] == ops.v[k])
				at = i;
		if (at == 0)  /* not an argument of the input, or out of order */
			abort();
		if (ops.v[k][0] == '-' && ops.v[k][1] != '\0' && (dashdash < 0 || at < dashdash) &&
		    !(spec->stop_at_operand && k > 0))
			abort();
		last = at;
	}
	options_free(spec, ctx);
	if (c.kept != NULL)
		abort();
	free(copy);
	return 0;
}
