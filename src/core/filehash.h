/* SHA-256 of files on the audited machine (modules, firmware), streamed
 * through the sysroot with large reads, as sha256sum does. */
#ifndef CHIPAUDIT_FILEHASH_H
#define CHIPAUDIT_FILEHASH_H

#include <stddef.h>
#include <stdint.h>

#include "core/sysroot.h"

/* Files larger than this are not hashed (a hostile capture could hold a
 * sparse file of any size); no module or firmware image comes near it. */
#define FILEHASH_MAX_SIZE ((uint64_t)4 << 30)
#define FILEHASH_BUFFER (1u << 20)
/* When snapshotting, files up to this size are captured with their bytes. */
#define FILEHASH_RECORD_MAX ((uint64_t)512 << 20)

struct filehash {
	char sha256[65];      /* lowercase hex */
	uint64_t size;
	unsigned char *tail;  /* the last tail_len bytes when asked for (malloc'd) */
	size_t tail_len;
};

/* Hash PATH (when the sysroot records, for a snapshot, the file's bytes
 * are recorded too, under its canonical path). With tail_max > 0, also keep the file's last tail_max bytes
 * (for a module's signature trailer). Returns 0, or -1 with err saying why
 * (a missing file: errno ENOENT; not a regular file; too large; read error). */
int filehash_sha256(const struct sysroot *sr, const char *path, size_t tail_max, struct filehash *out,
		    char *err, size_t errlen);
void filehash_free(struct filehash *h);

/* Compression of a module file by its name: "xz", "zst", "gz" or NULL. */
const char *filehash_compression(const char *path);

/* For a compressed module: decompress PATH (xz, zstd or gzip, via
 * libarchive's raw reader) and keep the last tail_max bytes of the
 * decompressed image, at most max_out bytes decompressed. Returns 0 or -1
 * with err. */
int filehash_decompressed_tail(const struct sysroot *sr, const char *path, size_t tail_max, uint64_t max_out,
			       unsigned char **tail, size_t *tail_len, uint64_t *out_size, char *err, size_t errlen);

#endif
