#include "archive_lib.h"

#include <stdio.h>
#include <string.h>

#include "dynlib.h"
#include "util.h"

#define SYM(member, name) DYNLIB_SYM(struct archive_lib, member, name)
static const struct dynlib_symbol symbols[] = {
	SYM(read_new, "archive_read_new"),
	SYM(read_support_filter_gzip, "archive_read_support_filter_gzip"),
	SYM(read_support_filter_xz, "archive_read_support_filter_xz"),
	SYM(read_support_filter_zstd, "archive_read_support_filter_zstd"),
	SYM(read_support_format_raw, "archive_read_support_format_raw"),
	SYM(read_open_fd, "archive_read_open_fd"),
	SYM(read_next_header, "archive_read_next_header"),
	SYM(read_data, "archive_read_data"),
	SYM(read_free, "archive_read_free"),
	SYM(filter_count, "archive_filter_count"),
	SYM(error_string, "archive_error_string"),
	SYM(write_new, "archive_write_new"),
	SYM(write_set_format_pax_restricted, "archive_write_set_format_pax_restricted"),
	SYM(write_add_filter_gzip, "archive_write_add_filter_gzip"),
	SYM(write_open_fd, "archive_write_open_fd"),
	SYM(write_header, "archive_write_header"),
	SYM(write_data, "archive_write_data"),
	SYM(write_close, "archive_write_close"),
	SYM(write_free, "archive_write_free"),
	SYM(entry_new, "archive_entry_new"),
	SYM(entry_free, "archive_entry_free"),
	SYM(entry_set_pathname, "archive_entry_set_pathname"),
	SYM(entry_set_mtime, "archive_entry_set_mtime"),
	SYM(entry_set_filetype, "archive_entry_set_filetype"),
	SYM(entry_set_perm, "archive_entry_set_perm"),
	SYM(entry_set_size, "archive_entry_set_size"),
	SYM(entry_set_symlink, "archive_entry_set_symlink"),
};

static struct archive_lib lib;
static char load_error[512];

static int load(void)
{
	return dynlib_load(ARCHIVE_LIBRARY, " (install libarchive13)", symbols, ARRAY_SIZE(symbols),
			   &lib, sizeof(lib), load_error, sizeof(load_error));
}

const struct archive_lib *archive_lib(char *err, size_t errlen)
{
	static int state;   /* 0: not tried, 1: loaded, -1: failed */

	if (state == 0)
		state = load() == 0 ? 1 : -1;
	if (state < 0) {
		snprintf(err, errlen, "%s", load_error);
		return NULL;
	}
	return &lib;
}
