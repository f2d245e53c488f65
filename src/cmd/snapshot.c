/* chipaudit snapshot: capture the raw files the facts come from, in the
 * layout --root reads, as a .tar.gz (as sosreport or nvidia-bug-report.sh are
 * used): the machine can then be audited, and re-judged, elsewhere.
 *
 * The capture is exactly what the probe read, recorded by the sysroot layer
 * with the bytes it saw; symbolic links are kept as links. */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "cmd/cmd.h"
#include "core/json.h"
#include "core/output.h"
#include "core/util.h"

static const char usage[] =
	"usage: chipaudit snapshot -o FILE.tar.gz [--root DIR]\n"
	"  Capture the files the audit reads (sysfs, /proc, /dev, /etc entries) into\n"
	"  a compressed tar archive. Extract it and audit it with --root DIR.\n";

static int write_entry(struct archive *a, const struct recorded *r, time_t when)
{
	struct archive_entry *e = archive_entry_new();
	int rc;

	archive_entry_set_pathname(e, r->path + 1); /* relative: no leading '/' */
	archive_entry_set_mtime(e, when, 0);
	switch (r->kind) {
	case RECORDED_DIR:
		archive_entry_set_filetype(e, AE_IFDIR);
		archive_entry_set_perm(e, 0755);
		break;
	case RECORDED_LINK:
		archive_entry_set_filetype(e, AE_IFLNK);
		archive_entry_set_perm(e, 0777);
		archive_entry_set_symlink(e, r->data);
		break;
	case RECORDED_FILE:
		archive_entry_set_filetype(e, AE_IFREG);
		archive_entry_set_perm(e, 0644);
		archive_entry_set_size(e, (la_int64_t)r->len);
		break;
	}
	rc = archive_write_header(a, e);
	if (rc == ARCHIVE_OK && r->kind == RECORDED_FILE && r->len > 0 &&
	    archive_write_data(a, r->data, r->len) != (la_ssize_t)r->len)
		rc = ARCHIVE_FATAL;
	archive_entry_free(e);
	return rc == ARCHIVE_OK ? 0 : -1;
}

static int write_entries(struct archive *a, const char *path, const struct recorder *rec)
{
	time_t now = time(NULL);

	for (size_t i = 0; i < recorder_count(rec); i++) {
		const struct recorded *r = recorder_get(rec, i);
		if (strcmp(r->path, "/") == 0)
			continue;
		if (write_entry(a, r, now) != 0) {
			error_msg("%s: writing %s: %s", path, r->path, archive_error_string(a));
			return EXIT_IOERR;
		}
	}
	if (archive_write_close(a) != ARCHIVE_OK) {
		error_msg("%s: %s", path, archive_error_string(a));
		return EXIT_IOERR;
	}
	return 0;
}

/* The archive goes to a temporary file renamed over PATH once complete
 * (core/output.h): a full disk leaves the previous snapshot, not half of one. */
static int write_archive(const char *path, const struct recorder *rec)
{
	struct archive *a;
	struct output out;
	char err[1024];
	int rc = output_open(&out, path, 0644, 0, err, sizeof(err));

	if (rc != 0) {
		error_msg("%s", err);
		return rc;
	}
	a = archive_write_new();
	archive_write_set_format_pax_restricted(a);
	archive_write_add_filter_gzip(a);
	if (archive_write_open_fd(a, out.fd) != ARCHIVE_OK) {
		error_msg("%s: %s", path, archive_error_string(a));
		rc = EXIT_CANTCREAT;
	} else {
		rc = write_entries(a, path, rec);
	}
	archive_write_free(a);
	if (rc != 0)
		output_abort(&out);
	else if ((rc = output_commit(&out, err, sizeof(err))) != 0)
		error_msg("%s", err);
	return rc;
}

int cmd_snapshot(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "root", required_argument, NULL, 'r' },
		{ "output", required_argument, NULL, 'o' },
		PROBE_LONGOPTS
		{ "help", no_argument, NULL, 'h' },
		{ 0, 0, 0, 0 },
	};
	const char *root = NULL, *output = NULL;
	struct probe_options popts = { 0 };
	struct recorder *rec;
	struct judge_options jopts = { 0 };
	struct accdb db;
	json_t *facts;
	int c, rc;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+r:o:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'r': root = optarg; break;
		case 'o': output = optarg; break;
		case 'h': fputs(usage, stdout); fputs(probe_options_help, stdout); return 0;
		default:
			rc = shared_option(c, optarg, &popts, &jopts);
			if (rc == 1)
				break;
			if (rc == 0)
				rc = usage_error(usage, "snapshot: unknown or incomplete option '%s'", argv[optind - 1]);
			shared_options_free(&popts, &jopts);
			return rc;
		}
	}
	if (output == NULL || optind != argc) {
		rc = output ? usage_error(usage, "snapshot: unexpected argument '%s'", argv[optind])
			    : usage_error(usage, "snapshot: -o FILE.tar.gz is required");
		goto out;
	}
	if ((rc = load_accdb(&db)) != 0)
		goto out;
	rec = recorder_new();
	rc = gather_facts(root, &db, &popts, rec, &facts);
	if (rc == 0) {
		rc = write_archive(output, rec);
		if (rc == 0)
			error_msg("captured %zu entries in %s", recorder_count(rec), output);
	}
	json_decref(facts);
	recorder_free(rec);
	accdb_free(&db);
out:
	shared_options_free(&popts, &jopts);
	return rc;
}
