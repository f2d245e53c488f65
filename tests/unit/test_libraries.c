/* libarchive, loaded at run time (core/archive_lib.c) with declarations of
 * our own: they must be libarchive's. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/archive_lib.h"

#ifdef HAVE_ARCHIVE_H
#include <archive.h>
#include <archive_entry.h>
#endif

/* Our declarations must be libarchive's: each of our pointers accepts the
 * real function without a cast, or this does not compile (-Werror). Inside
 * sizeof, nothing is evaluated, so nothing links against libarchive. */
#define SAME_TYPE(member, fn) (void)sizeof(((struct archive_lib *)NULL)->member = (fn))

static void test_archive_declarations(void **state)
{
	(void)state;
#ifdef HAVE_ARCHIVE_H
	SAME_TYPE(read_new, archive_read_new);
	SAME_TYPE(read_support_filter_gzip, archive_read_support_filter_gzip);
	SAME_TYPE(read_support_filter_xz, archive_read_support_filter_xz);
	SAME_TYPE(read_support_filter_zstd, archive_read_support_filter_zstd);
	SAME_TYPE(read_support_format_raw, archive_read_support_format_raw);
	SAME_TYPE(read_open_fd, archive_read_open_fd);
	SAME_TYPE(read_next_header, archive_read_next_header);
	SAME_TYPE(read_data, archive_read_data);
	SAME_TYPE(read_free, archive_read_free);
	SAME_TYPE(filter_count, archive_filter_count);
	SAME_TYPE(error_string, archive_error_string);
	SAME_TYPE(write_new, archive_write_new);
	SAME_TYPE(write_set_format_pax_restricted, archive_write_set_format_pax_restricted);
	SAME_TYPE(write_add_filter_gzip, archive_write_add_filter_gzip);
	SAME_TYPE(write_open_fd, archive_write_open_fd);
	SAME_TYPE(write_header, archive_write_header);
	SAME_TYPE(write_data, archive_write_data);
	SAME_TYPE(write_close, archive_write_close);
	SAME_TYPE(write_free, archive_write_free);
	SAME_TYPE(entry_new, archive_entry_new);
	SAME_TYPE(entry_free, archive_entry_free);
	SAME_TYPE(entry_set_pathname, archive_entry_set_pathname);
	SAME_TYPE(entry_set_mtime, archive_entry_set_mtime);
	SAME_TYPE(entry_set_filetype, archive_entry_set_filetype);
	SAME_TYPE(entry_set_perm, archive_entry_set_perm);
	SAME_TYPE(entry_set_size, archive_entry_set_size);
	SAME_TYPE(entry_set_symlink, archive_entry_set_symlink);
	assert_int_equal(ARCHIVE_OK, 0);
	assert_int_equal(ARCHIVE_FATAL, -30);
	assert_int_equal(AE_IFREG, 0100000);
	assert_int_equal(AE_IFLNK, 0120000);
	assert_int_equal(AE_IFDIR, 0040000);
#else
	skip();
#endif
}

/* Loaded on first use, every function found. */
static void test_archive_loads(void **state)
{
	char err[512];
	const struct archive_lib *al = archive_lib(err, sizeof(err));

	(void)state;
	if (al == NULL)
		fail_msg("%s", err);
	assert_non_null(al->read_new);
	assert_non_null(al->entry_set_symlink);
	assert_ptr_equal(archive_lib(err, sizeof(err)), al);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_archive_declarations),
		cmocka_unit_test(test_archive_loads),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
