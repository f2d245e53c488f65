/* chipaudit snapshot: capture the raw files the facts come from, in the
 * layout --root reads, as a .tar.gz (as sosreport or nvidia-bug-report.sh are
 * used): the machine can then be audited, and re-judged, elsewhere.
 *
 * The capture is exactly what the probe read, recorded by the sysroot layer
 * with the bytes it saw; symbolic links are kept as links. */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "cmd/cmd.h"
#include "core/archive_lib.h"
#include "core/json.h"
#include "core/output.h"
#include "core/util.h"

static const struct opt_row snapshot_rows[] = {
	OPT_STRING("output", 'o', "FILE.tar.gz", "the archive to write (required)", struct common_options,
	  output),
	OPT_END,
};
static const struct opt_table snapshot_table = { NULL, snapshot_rows };

const struct cmd_spec snapshot_spec = {
	.name = "snapshot",
	.synopsis = "usage: chipaudit snapshot -o FILE.tar.gz [--root DIR]\n",
	.about = "  Capture the files the audit reads (sysfs, /proc, /dev, /etc entries) into\n"
		 "  a compressed tar archive. Extract it and audit it with --root DIR.\n",
	.tables = { &snapshot_table, &common_table, &probe_table },
};

static int write_entry(const struct archive_lib *al, struct archive *a, const struct recorded *r, time_t when)
{
	struct archive_entry *e = al->entry_new();
	int rc;

	al->entry_set_pathname(e, r->path + 1); /* relative: no leading '/' */
	al->entry_set_mtime(e, when, 0);
	switch (r->kind) {
	case RECORDED_DIR:
		al->entry_set_filetype(e, AE_IFDIR);
		al->entry_set_perm(e, 0755);
		break;
	case RECORDED_LINK:
		al->entry_set_filetype(e, AE_IFLNK);
		al->entry_set_perm(e, 0777);
		al->entry_set_symlink(e, r->data);
		break;
	case RECORDED_FILE:
		al->entry_set_filetype(e, AE_IFREG);
		al->entry_set_perm(e, 0644);
		al->entry_set_size(e, (int64_t)r->len);
		break;
	}
	rc = al->write_header(a, e);
	if (rc == ARCHIVE_OK && r->kind == RECORDED_FILE && r->len > 0 &&
	    al->write_data(a, r->data, r->len) != (ssize_t)r->len)
		rc = ARCHIVE_FATAL;
	al->entry_free(e);
	return rc == ARCHIVE_OK ? 0 : -1;
}

static int write_entries(const struct archive_lib *al, struct archive *a, const char *path, const struct recorder *rec)
{
	time_t now = time(NULL);

	for (size_t i = 0; i < recorder_count(rec); i++) {
		const struct recorded *r = recorder_get(rec, i);
		if (strcmp(r->path, "/") == 0)
			continue;
		if (write_entry(al, a, r, now) != 0) {
			error_msg("%s: writing %s: %s", path, r->path, al->error_string(a));
			return EXIT_IOERR;
		}
	}
	if (al->write_close(a) != ARCHIVE_OK) {
		error_msg("%s: %s", path, al->error_string(a));
		return EXIT_IOERR;
	}
	return 0;
}

/* The archive goes to a temporary file renamed over PATH once complete
 * (core/output.h): a full disk leaves the previous snapshot, not half of one. */
static int write_archive(const struct archive_lib *al, const char *path, const struct recorder *rec)
{
	struct archive *a;
	struct output out;
	char err[1024];
	int rc = output_open(&out, path, 0644, 0, err, sizeof(err));

	if (rc != 0) {
		error_msg("%s", err);
		return rc;
	}
	a = al->write_new();
	al->write_set_format_pax_restricted(a);
	al->write_add_filter_gzip(a);
	if (al->write_open_fd(a, out.fd) != ARCHIVE_OK) {
		error_msg("%s: %s", path, al->error_string(a));
		rc = EXIT_CANTCREAT;
	} else {
		rc = write_entries(al, a, path, rec);
	}
	al->write_free(a);
	if (rc != 0)
		output_abort(&out);
	else if ((rc = output_commit(&out, err, sizeof(err))) != 0)
		error_msg("%s", err);
	return rc;
}

int cmd_snapshot(int argc, char **argv)
{
	struct common_options co = { 0 };
	const struct archive_lib *al;
	char err[512];
	struct probe_options popts = { 0 };
	void *const ctx[] = { &co, &co, &popts };
	struct operands ops;
	struct recorder *rec;
	struct accdb db;
	json_t *facts;
	int rc = options_parse(&snapshot_spec, ctx, argc, argv, &ops);

	if (rc != 0)
		return rc == OPTIONS_HELP ? 0 : rc;
	if (co.output == NULL || ops.n != 0) {
		rc = co.output ? options_usage_error(&snapshot_spec, "unexpected argument '%s'", ops.v[0])
			       : options_usage_error(&snapshot_spec, "-o FILE.tar.gz is required");
		goto out;
	}
	/* before gathering: without the library there is nothing to write to */
	if ((al = archive_lib(err, sizeof(err))) == NULL) {
		error_msg("snapshot: %s", err);
		rc = EXIT_OSERR;
		goto out;
	}
	if ((rc = load_accdb(&db)) != 0)
		goto out;
	rec = recorder_new();
	rc = gather_facts(co.root, &db, &popts, rec, &facts);
	if (rc == 0) {
		rc = write_archive(al, co.output, rec);
		if (rc == 0)
			error_msg("captured %zu entries in %s", recorder_count(rec), co.output);
	}
	json_decref(facts);
	recorder_free(rec);
	accdb_free(&db);
out:
	options_free(&snapshot_spec, ctx);
	return rc;
}
