/* chipaudit measure: measure each GPU and show the figures (or print the
 * facts document, measured figures included, with --json). */
#include <errno.h>
#include <stddef.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cmd/cmd.h"
#include "core/json.h"
#include "core/util.h"
#include "measure/measure.h"

static int set_mode(struct probe_options *probe, int mode)
{
	probe->measure = mode;
	return 0;
}

static int set_quick(const char *value, void *target, char *err, size_t errlen)
{
	return set_mode(target, MEASURE_QUICK);
}

static int set_standard(const char *value, void *target, char *err, size_t errlen)
{
	return set_mode(target, MEASURE_STANDARD);
}

static int set_thorough(const char *value, void *target, char *err, size_t errlen)
{
	return set_mode(target, MEASURE_THOROUGH);
}

struct measure_cmd {
	struct probe_options probe;
	bool json;
};

static const struct opt_row measure_rows[] = {
	{ .long_name = "quick", .arg = OPT_ARG_NONE, .help = "at most about 10 s a GPU", .set = set_quick,
	  .offset = offsetof(struct measure_cmd, probe) },
	{ .long_name = "standard", .arg = OPT_ARG_NONE, .help = "longer timed runs (the default)",
	  .set = set_standard, .offset = offsetof(struct measure_cmd, probe) },
	{ .long_name = "thorough", .arg = OPT_ARG_NONE,
	  .help = "longest runs, more algorithms tried, all memory examined", .set = set_thorough,
	  .offset = offsetof(struct measure_cmd, probe) },
	OPT_BOOL("json", 'j', "print the facts document (judge it with 'chipaudit judge')", struct measure_cmd,
	  json),
	OPT_END,
};
static const struct opt_table measure_table = { NULL, measure_rows };

const struct cmd_spec measure_spec = {
	.name = "measure",
	.synopsis = "usage: chipaudit measure [--quick|--standard|--thorough] [--json]\n",
	.about = "  Measure every GPU on this machine through its driver: dense matrix-multiply\n"
		 "  throughput per precision, device and host copy bandwidth, allocatable\n"
		 "  memory, and whether one tenant can read memory another left behind.\n",
	.trailer = "Exit: 0 measured, or nothing to measure (no CUDA driver or GPU: said on\n"
		   "stdout); 1 a device's measurement recorded errors; 64-78 usage errors.\n",
	.tables = { &measure_table },
};

int measure_option(const char *arg, void *target, char *err, size_t errlen)
{
	struct probe_options *probe = target;
	int mode = arg ? measure_mode_from_name(arg) : MEASURE_STANDARD;

	if (mode < 0) {
		snprintf(err, errlen, "--measure=%s: expected quick, standard or thorough", arg);
		return EXIT_USAGE;
	}
	probe->measure = mode;
	return 0;
}

static void print_rate_line(const json_t *m)
{
	const json_t *tops = jobj(m, "dense_tops"), *approx = jobj(m, "approximate");
	bool any_approx = false;
	json_int_t n;

	fputs("  dense throughput (TFLOPS / TOPS):", stdout);
	for (int p = 0; p < PREC_COUNT; p++) {
		double v;
		bool a = false;
		if (!jnum(tops, precision_names[p], &v))
			continue;
		jbool(approx, precision_names[p], &a);
		any_approx |= a;
		text_printf(stdout, " %s %.1f%s", precision_names[p], v, a ? "*" : "");
	}
	if (jstr(m, "method") && strcmp(jstr(m, "method"), "cublaslt") == 0 && jint(m, "gemm_size", &n))
		text_printf(stdout, "  [cuBLASLt, %lld^3]", (long long)n);
	else if (jstr(m, "method") == NULL)
		fputs(" none measured", stdout);
	putchar('\n');
	if (any_approx)
		puts("    * approximate: chipaudit's own PTX kernels, a lower bound (cuBLASLt not used)");
}

static void print_region(const char *name, const json_t *r)
{
	json_int_t examined, nonzero, canary;

	if (!json_is_object(r)) {
		text_printf(stdout, " %s not examined;", name);
		return;
	}
	jint(r, "bytes_examined", &examined);
	jint(r, "nonzero_bytes", &nonzero);
	jint(r, "canary_bytes", &canary);
	if (nonzero == 0)
		text_printf(stdout, " %s %.1f MiB examined, clean;", name, (double)examined / 1048576.0);
	else
		text_printf(stdout, " %s %.1f MiB examined, RESIDUE %lld bytes (%lld canary), %.4f%%;", name,
		       (double)examined / 1048576.0, (long long)nonzero, (long long)canary,
		       100.0 * (double)nonzero / (double)examined);
}

static void print_measured(const char *pci, const char *model, const json_t *m)
{
	const json_t *rem = jobj(m, "remanence"), *errors = jarr(m, "errors"), *e;
	double v, h2d, d2h, secs;
	json_int_t sms, l2, alloc, total;
	size_t i;

	text_printf(stdout, "GPU %s  %s", pci ? pci : "(no PCI address)", jstr(m, "name") ? jstr(m, "name") : "unnamed");
	if (model)
		text_printf(stdout, " (database: %s)", model);
	putchar('\n');
	if (jint(m, "sm_count", &sms) && jint(m, "l2_bytes", &l2))
		text_printf(stdout, "  compute capability %s, %lld SMs, L2 %.1f MiB\n",
		       jstr(m, "compute_capability") ? jstr(m, "compute_capability") : "?", (long long)sms,
		       (double)l2 / 1048576.0);
	print_rate_line(m);
	fputs("  memory:", stdout);
	if (jnum(m, "memory_copy_gbs", &v))
		text_printf(stdout, " device copy %.0f GB/s (read + write);", v);
	if (jnum(m, "h2d_gbs", &h2d) && jnum(m, "d2h_gbs", &d2h))
		text_printf(stdout, " host->device %.1f GB/s, device->host %.1f GB/s;", h2d, d2h);
	if (jint(m, "allocatable_bytes", &alloc))
		text_printf(stdout, " allocatable %.2f GiB", (double)alloc / 1073741824.0);
	else
		fputs(" allocatable not measured", stdout);
	if (jint(m, "memory_total_bytes", &total))
		text_printf(stdout, " of %.2f GiB", (double)total / 1073741824.0);
	putchar('\n');
	if (json_is_object(rem)) {
		fputs("  remanence:", stdout);
		print_region("global", jobj(rem, "global"));
		print_region("shared", jobj(rem, "shared"));
		putchar('\n');
		json_array_foreach(jarr(rem, "errors"), i, e)
			text_printf(stdout, "    remanence error: %s\n", json_string_value(e));
	}
	if (!json_is_array(jarr(m, "clock_samples")))
		puts("  clocks: not sampled: no telemetry backend");
	if (jnum(m, "duration_s", &secs))
		text_printf(stdout, "  took %.1f s (%s)\n", secs, jstr(m, "mode"));
	json_array_foreach(errors, i, e)
		text_printf(stdout, "  error: %s\n", json_string_value(e));
}

/* 1 when a device's measurement recorded errors. */
static int any_errors(const json_t *facts)
{
	const json_t *run = jobj(facts, "measurement"), *acc;
	size_t i;

	json_array_foreach(jarr(facts, "accelerators"), i, acc)
		if (json_array_size(jarr(jobj(acc, "measured"), "errors")) > 0)
			return 1;
	json_array_foreach(jarr(run, "unmatched"), i, acc)
		if (json_array_size(jarr(jobj(acc, "measured"), "errors")) > 0)
			return 1;
	return 0;
}

static void print_text(const json_t *facts)
{
	const json_t *run = jobj(facts, "measurement"), *lt = jobj(run, "cublaslt"), *acc, *dev;
	int shown = 0;
	bool loaded = false;
	size_t i;

	if (run == NULL)
		return;
	if (strcmp(jstr(run, "status"), "unavailable") == 0) {
		text_printf(stdout, "Nothing measured: %s.\n", jstr(run, "reason"));
		return;
	}
	json_array_foreach(jarr(facts, "accelerators"), i, acc) {
		const json_t *m = jobj(acc, "measured");
		if (m == NULL)
			continue;
		print_measured(jstr(acc, "pci_address"), jstr(acc, "model"), m);
		shown++;
	}
	json_array_foreach(jarr(run, "unmatched"), i, dev) {
		const json_t *m = jobj(dev, "measured");
		print_measured(jstr(dev, "pci_address"), NULL, m);
		puts("  (not among the accelerators found on the PCI bus: not judged)");
		shown++;
	}
	if (shown == 0)
		puts("Nothing measured: the driver listed no device.");
	jbool(lt, "loaded", &loaded);
	text_printf(stdout, "CUDA driver %s; cuBLASLt: %s\n", jstr(run, "driver_version") ? jstr(run, "driver_version") : "(version unknown)",
	       loaded ? jstr(lt, "path") : jstr(lt, "reason"));
}

int cmd_measure(int argc, char **argv)
{
	struct measure_cmd o = { .probe = { .measure = MEASURE_STANDARD } };
	void *const ctx[] = { &o };
	struct operands ops;
	struct accdb db;
	json_t *facts = NULL;
	int rc = options_parse(&measure_spec, ctx, argc, argv, &ops);

	if (rc != 0)
		return rc == OPTIONS_HELP ? 0 : rc;
	if (ops.n != 0)
		return options_usage_error(&measure_spec, "unexpected argument '%s'", ops.v[0]);
	if ((rc = load_accdb(&db)) != 0)
		return rc;
	rc = gather_facts(NULL, &db, &o.probe, NULL, &facts);
	if (rc == 0) {
		if (o.json) {
			rc = print_json(stdout, facts);
		} else {
			print_text(facts);
			if (fflush(stdout) != 0) {
				error_msg("writing output: %s", strerror(errno));
				rc = EXIT_IOERR;
			}
		}
		if (rc == 0)
			rc = any_errors(facts);
	}
	json_decref(facts);
	accdb_free(&db);
	return rc;
}
