/* chipaudit snapshot: capture the raw files the facts come from, in the
 * layout --root reads, as a .tar.gz (as sosreport or nvidia-bug-report.sh are
 * used): the machine can then be audited, and re-judged, elsewhere.
 *
 * The capture is exactly what the probe read, recorded by the sysroot layer
 * with the bytes it saw; symbolic links are kept as links. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "cmd/cmd.h"
#include "core/archive_lib.h"
#include "core/json.h"
#include "core/util.h"

static const char usage[] =
	"usage: chipaudit snapshot -o FILE.tar.gz [--root DIR]\n"
	"  Capture the files the audit reads (sysfs, /proc, /dev, /etc entries) into\n"
	"  a compressed tar archive. Extract it and audit it with --root DIR.\n";

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

static int write_archive(const struct archive_lib *al, const char *path, const struct recorder *rec)
{
	struct archive *a = al->write_new();
	time_t now = time(NULL);
	int rc = 0;

	al->write_set_format_pax_restricted(a);
	al->write_add_filter_gzip(a);
	if (al->write_open_filename(a, path) != ARCHIVE_OK) {
		error_msg("%s: %s", path, al->error_string(a));
		al->write_free(a);
		return EXIT_CANTCREAT;
	}
	for (size_t i = 0; i < recorder_count(rec) && rc == 0; i++) {
		const struct recorded *r = recorder_get(rec, i);
		if (strcmp(r->path, "/") == 0)
			continue;
		if (write_entry(al, a, r, now) != 0) {
			error_msg("%s: writing %s: %s", path, r->path, al->error_string(a));
			rc = EXIT_IOERR;
		}
	}
	if (al->write_close(a) != ARCHIVE_OK && rc == 0) {
		error_msg("%s: %s", path, al->error_string(a));
		rc = EXIT_IOERR;
	}
	al->write_free(a);
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
	const struct archive_lib *al;
	char err[512];
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
	/* before gathering: without the library there is nothing to write to */
	if ((al = archive_lib(err, sizeof(err))) == NULL) {
		error_msg("snapshot: %s", err);
		rc = EXIT_OSERR;
		goto out;
	}
	if ((rc = load_accdb(&db)) != 0)
		goto out;
	rec = recorder_new();
	rc = gather_facts(root, &db, &popts, rec, &facts);
	if (rc == 0) {
		rc = write_archive(al, output, rec);
		if (rc == 0)
			fprintf(stderr, "chipaudit: captured %zu entries in %s\n", recorder_count(rec), output);
	}
	json_decref(facts);
	recorder_free(rec);
	accdb_free(&db);
out:
	shared_options_free(&popts, &jopts);
	return rc;
}
