/* Reading files: the bounded reader of the files a user names (reports,
 * keys, facts, data), and the SHA-256 of files on the audited machine
 * (modules, firmware), streamed through the sysroot with large reads, as
 * sha256sum does. */
#ifndef CHIPAUDIT_FILEIO_H
#define CHIPAUDIT_FILEIO_H

#include <stddef.h>
#include <stdint.h>

#include "core/sysroot.h"

/* Module and firmware images larger than this are not hashed, nor
 * decompressed past it (a hostile capture could hold a sparse file of any
 * size, or a small xz file of zeros): see SYSROOT_IMAGE_MAX. Every byte
 * hashed or decompressed is also charged to the tree's read budget. */
#define FILEHASH_MAX_SIZE SYSROOT_IMAGE_MAX
#define FILEHASH_BUFFER (1u << 20)

struct filehash {
	char sha256[65];      /* lowercase hex */
	uint64_t size;
	unsigned char *tail;  /* the last tail_len bytes when asked for (malloc'd) */
	size_t tail_len;
};

/* Hash PATH, a file of at most FILEHASH_MAX_SIZE bytes (when the sysroot
 * records, for a snapshot, the file's bytes are recorded too, under its
 * canonical path). With tail_max > 0, also keep the file's last tail_max
 * bytes (for a module's signature trailer). Returns 0, or -1 with err saying
 * why (a missing file: errno ENOENT; "not a regular file" for a directory;
 * a device node refused; too large; the budget spent; read error). */
int filehash_sha256(const struct sysroot *sr, const char *path, size_t tail_max, struct filehash *out,
		    char *err, size_t errlen);
void filehash_free(struct filehash *h);

/* SHA-256 of the open regular file FD (PATH names it in errors and in the
 * budget), from its current offset to its end: the one hashing loop. More
 * than MAX bytes is an error; when KEEP is not NULL the bytes are copied
 * there too (it holds max bytes). *size is the number of bytes hashed. */
int filehash_sha256_fd(const struct sysroot *sr, int fd, const char *path, uint64_t max, unsigned char *keep,
		       char hex[65], uint64_t *size, char *err, size_t errlen);

/* Compression of a module file by its name: "xz", "zst", "gz" or NULL. */
const char *filehash_compression(const char *path);

/* For a compressed module: decompress PATH (xz, zstd or gzip, via
 * libarchive's raw reader) and keep the last tail_max bytes of the
 * decompressed image, at most max_out bytes decompressed. Returns 0 or -1
 * with err. */
int filehash_decompressed_tail(const struct sysroot *sr, const char *path, size_t tail_max, uint64_t max_out,
			       unsigned char **tail, size_t *tail_len, uint64_t *out_size, char *err, size_t errlen);

/* Read a whole file of at most MAX bytes ("-" for standard input). 0,
 * CA_ERR_NOINPUT (unreadable) or CA_ERR_DATA (too large), with err. */
int read_file_bounded(const char *path, size_t max, char **data, size_t *len, char *err, size_t errlen);

#endif
