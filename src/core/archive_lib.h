/* libarchive, loaded at run time: only decompressing kernel modules
 * (core/fileio.c) and writing a snapshot (cmd/snapshot.c) need it, and
 * linking it made every start load it and the ten libraries it links
 * (libxml2, ICU, libstdc++, the compressors). Our own minimal declarations,
 * as for NVML; the signatures and values are those of libarchive 3's
 * archive.h and archive_entry.h, which tests/unit/test_archive_lib.c
 * compares with the installed headers where they are present. */
#ifndef CHIPAUDIT_ARCHIVE_LIB_H
#define CHIPAUDIT_ARCHIVE_LIB_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#define ARCHIVE_LIBRARY "libarchive.so.13"

/* archive.h */
#define ARCHIVE_OK 0
#define ARCHIVE_FATAL (-30)
/* archive_entry.h: file types for archive_entry_set_filetype */
#define AE_IFREG 0100000u
#define AE_IFLNK 0120000u
#define AE_IFDIR 0040000u

struct archive;
struct archive_entry;

struct archive_lib {
	void *dl;
	/* reading one compressed stream */
	struct archive *(*read_new)(void);
	int (*read_support_filter_gzip)(struct archive *);
	int (*read_support_filter_xz)(struct archive *);
	int (*read_support_filter_zstd)(struct archive *);
	int (*read_support_format_raw)(struct archive *);
	int (*read_open_fd)(struct archive *, int fd, size_t block_size);
	int (*read_next_header)(struct archive *, struct archive_entry **);
	ssize_t (*read_data)(struct archive *, void *, size_t);
	int (*read_free)(struct archive *);
	int (*filter_count)(struct archive *);
	const char *(*error_string)(struct archive *);
	/* writing a tar.gz */
	struct archive *(*write_new)(void);
	int (*write_set_format_pax_restricted)(struct archive *);
	int (*write_add_filter_gzip)(struct archive *);
	int (*write_open_fd)(struct archive *, int);
	int (*write_header)(struct archive *, struct archive_entry *);
	ssize_t (*write_data)(struct archive *, const void *, size_t);
	int (*write_close)(struct archive *);
	int (*write_free)(struct archive *);
	struct archive_entry *(*entry_new)(void);
	void (*entry_free)(struct archive_entry *);
	void (*entry_set_pathname)(struct archive_entry *, const char *);
	void (*entry_set_mtime)(struct archive_entry *, time_t, long);
	void (*entry_set_filetype)(struct archive_entry *, unsigned int);
	void (*entry_set_perm)(struct archive_entry *, mode_t);
	void (*entry_set_size)(struct archive_entry *, int64_t);
	void (*entry_set_symlink)(struct archive_entry *, const char *);
};

/* The library, loaded on first use and kept for the process; NULL with err =
 * "libarchive.so.13: why (install libarchive13)" when it cannot be loaded or
 * lacks a function. */
const struct archive_lib *archive_lib(char *err, size_t errlen);

#endif
