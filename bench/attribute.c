/* bench/sockets_vs_ss.sh: chipaudit's socket attribution alone, as one
 * command to time beside `ss -tanp`: every process's fd links read, those
 * holding a device node matching GLOB kept, their sockets resolved through
 * netlink sock_diag. Prints "PROCESSES SOCKETS" attributed.
 *   attribute GLOB */
#include <jansson.h>
#include <stdio.h>

#include "core/sysroot.h"
#include "probe/probe.h"
#include "probe/procs.h"

int main(int argc, char **argv)
{
	struct sysroot sr;
	struct probe_options opts = { 0 };
	struct probe_ctx ctx = { 0 };
	char err[512];
	size_t nprocs = 0, nsockets = 0;
	int rc;

	if (argc != 2) {
		fprintf(stderr, "usage: attribute GLOB\n");
		return 64;
	}
	opts.device_globs = &argv[1];
	opts.n_device_globs = 1;
	if (sysroot_open(&sr, NULL, err, sizeof(err)) != 0) {
		fprintf(stderr, "attribute: %s\n", err);
		return 66;
	}
	ctx.sysroot = &sr;
	ctx.options = &opts;
	ctx.facts = json_object();
	rc = procs_attribute(&ctx, &nprocs, &nsockets);
	if (rc != 0 && ctx.failed)
		fprintf(stderr, "attribute: %s\n", ctx.error);
	printf("%zu %zu\n", nprocs, nsockets);
	json_decref(ctx.facts);
	sysroot_close(&sr);
	return rc == 0 ? 0 : 1;
}
