#include "fileio.h"

#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "archive_lib.h"
#include "util.h"

void filehash_free(struct filehash *h)
{
	free(h->tail);
	h->tail = NULL;
	h->tail_len = 0;
}

/* Open PATH, a regular file of at most MAX bytes that fits in what is left
 * of the read budget. */
static int open_regular(const struct sysroot *sr, const char *path, uint64_t max, struct stat *st,
			char *err, size_t errlen)
{
	int fd = sysroot_open_file(sr, path);

	if (fd < 0) {
		snprintf(err, errlen, "%s", sysroot_strerror(sr, errno));
		return -1;
	}
	if (fstat(fd, st) != 0) {
		snprintf(err, errlen, "%s", strerror(errno));
		close(fd);
		return -1;
	}
	if (!S_ISREG(st->st_mode)) {
		snprintf(err, errlen, "not a regular file");
		close(fd);
		errno = EINVAL;
		return -1;
	}
	if (sysroot_check_size(sr, path, st, max) != 0) {
		snprintf(err, errlen, "%s", sysroot_strerror(sr, errno));
		close(fd);
		return -1;
	}
	/* sysroot opens with O_NONBLOCK (for sysfs); plain blocking reads here */
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	return fd;
}

static int read_tail(int fd, uint64_t size, size_t tail_max, struct filehash *out, char *err, size_t errlen)
{
	size_t n = size < tail_max ? (size_t)size : tail_max;
	size_t got = 0;

	out->tail = xmalloc(n ? n : 1);
	while (got < n) {
		ssize_t r = pread(fd, out->tail + got, n - got, (off_t)(size - n + got));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			snprintf(err, errlen, "reading the end of the file: %s", r < 0 ? strerror(errno) : "file shrank");
			return -1;
		}
		got += (size_t)r;
	}
	out->tail_len = n;
	return 0;
}

int filehash_sha256_fd(const struct sysroot *sr, int fd, const char *path, uint64_t max, unsigned char *keep,
		       char hex[65], uint64_t *size, char *err, size_t errlen)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned char *buf = NULL, md[EVP_MAX_MD_SIZE];
	unsigned mdlen = 0;
	uint64_t total = 0;
	int rc = -1;

	if (ctx == NULL || EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1) {
		snprintf(err, errlen, "OpenSSL cannot provide SHA-256");
		goto out;
	}
	buf = xmalloc(FILEHASH_BUFFER);
	for (;;) {
		ssize_t n = read(fd, buf, FILEHASH_BUFFER);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			snprintf(err, errlen, "%s", strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		if (total + (uint64_t)n > max) {
			snprintf(err, errlen, "grew past %llu bytes while being read", (unsigned long long)max);
			goto out;
		}
		if (sysroot_charge(sr, path, (uint64_t)n) != 0) {
			snprintf(err, errlen, "%s", sysroot_strerror(sr, errno));
			goto out;
		}
		if (keep)
			memcpy(keep + total, buf, (size_t)n);
		total += (uint64_t)n;
		EVP_DigestUpdate(ctx, buf, (size_t)n);
	}
	EVP_DigestFinal_ex(ctx, md, &mdlen);
	hex_encode(md, mdlen, hex);
	*size = total;
	rc = 0;
out:
	free(buf);
	EVP_MD_CTX_free(ctx);
	return rc;
}

int filehash_sha256(const struct sysroot *sr, const char *path, size_t tail_max, struct filehash *out,
		    char *err, size_t errlen)
{
	struct stat st;
	int fd, rc = -1;
	/* a snapshot carries the files it hashed, so re-gathering from it gives
	 * the same facts */
	unsigned char *keep = NULL;

	memset(out, 0, sizeof(*out));
	fd = open_regular(sr, path, FILEHASH_MAX_SIZE, &st, err, errlen);
	if (fd < 0)
		return -1;
	if (sr->recorder)
		keep = xmalloc((size_t)st.st_size + 1);
	if (filehash_sha256_fd(sr, fd, path, keep ? (uint64_t)st.st_size : FILEHASH_MAX_SIZE, keep, out->sha256,
			       &out->size, err, errlen) != 0)
		goto out;
	if (keep) {
		char *canon = sysroot_canonical_path(sr, fd, path);
		recorder_add_file(sr->recorder, canon, (const char *)keep, (size_t)out->size);
		free(canon);
	}
	if (tail_max > 0 && read_tail(fd, out->size, tail_max, out, err, errlen) != 0)
		goto out;
	rc = 0;
out:
	if (rc != 0)
		filehash_free(out);
	free(keep);
	close(fd);
	return rc;
}

const char *filehash_compression(const char *path)
{
	size_t n = strlen(path);

	if (n > 3 && strcmp(path + n - 3, ".xz") == 0)
		return "xz";
	if (n > 4 && strcmp(path + n - 4, ".zst") == 0)
		return "zst";
	if (n > 3 && strcmp(path + n - 3, ".gz") == 0)
		return "gz";
	return NULL;
}

/* Append DATA to a rolling window of the last CAP bytes. */
static void window_push(unsigned char *win, size_t cap, size_t *len, const unsigned char *data, size_t n)
{
	if (n >= cap) {
		memcpy(win, data + n - cap, cap);
		*len = cap;
		return;
	}
	if (*len + n > cap) {
		size_t drop = *len + n - cap;
		memmove(win, win + drop, *len - drop);
		*len -= drop;
	}
	memcpy(win + *len, data, n);
	*len += n;
}

int filehash_decompressed_tail(const struct sysroot *sr, const char *path, size_t tail_max, uint64_t max_out,
			       unsigned char **tail, size_t *tail_len, uint64_t *out_size, char *err, size_t errlen)
{
	const struct archive_lib *al = archive_lib(err, errlen);
	struct archive *a;
	struct archive_entry *entry;
	unsigned char *win = xmalloc(tail_max ? tail_max : 1), *buf = xmalloc(FILEHASH_BUFFER);
	size_t len = 0;
	uint64_t total = 0;
	struct stat st;
	int fd, rc = -1;

	*tail = NULL;
	*tail_len = 0;
	if (al == NULL) {
		free(win);
		free(buf);
		return -1;
	}
	a = al->read_new();
	fd = open_regular(sr, path, FILEHASH_MAX_SIZE, &st, err, errlen);
	if (fd < 0)
		goto done;
	al->read_support_filter_xz(a);
	al->read_support_filter_zstd(a);
	al->read_support_filter_gzip(a);
	al->read_support_format_raw(a);
	if (al->read_open_fd(a, fd, FILEHASH_BUFFER) != ARCHIVE_OK ||
	    al->read_next_header(a, &entry) != ARCHIVE_OK) {
		snprintf(err, errlen, "cannot decompress: %s", al->error_string(a) ? al->error_string(a) : "unknown format");
		goto out;
	}
	if (al->filter_count(a) < 2) {
		snprintf(err, errlen, "named as compressed, but not xz, zstd or gzip data");
		goto out;
	}
	for (;;) {
		ssize_t n = al->read_data(a, buf, FILEHASH_BUFFER);
		if (n < 0) {
			snprintf(err, errlen, "decompressing: %s", al->error_string(a));
			goto out;
		}
		if (n == 0)
			break;
		total += (uint64_t)n;
		if (total > max_out) {
			snprintf(err, errlen, "decompresses to more than %llu bytes", (unsigned long long)max_out);
			goto out;
		}
		if (sysroot_charge(sr, path, (uint64_t)n) != 0) {
			snprintf(err, errlen, "%s", sysroot_strerror(sr, errno));
			goto out;
		}
		window_push(win, tail_max, &len, buf, (size_t)n);
	}
	*tail = win;
	*tail_len = len;
	*out_size = total;
	win = NULL;
	rc = 0;
out:
	close(fd);
done:
	al->read_free(a);
	free(win);
	free(buf);
	return rc;
}

int read_file_bounded(const char *path, size_t max, char **data, size_t *len, char *err, size_t errlen)
{
	bool is_stdin = strcmp(path, "-") == 0;
	const char *name = is_stdin ? "<stdin>" : path;
	int fd = is_stdin ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC);
	size_t cap = 65536, n = 0;
	struct stat st;
	char *buf;

	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", name, strerror(errno));
		return CA_ERR_NOINPUT;
	}
	if (fstat(fd, &st) != 0)
		st.st_mode = 0;  /* unknown: read it as a stream */
	if (S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "%s: is a directory", name);
		close(fd);
		return CA_ERR_NOINPUT;
	}
	if (S_ISREG(st.st_mode) && (size_t)st.st_size < max)
		cap = (size_t)st.st_size + 1;  /* one read, and one to see the end */
	buf = xmalloc(cap + 1);
	for (;;) {
		ssize_t got;
		if (n == cap) {
			if (cap > max) {
				snprintf(err, errlen, "%s: larger than %zu MiB, refusing to read", name, max >> 20);
				free(buf);
				if (!is_stdin)
					close(fd);
				return CA_ERR_DATA;
			}
			cap *= 2;
			buf = xrealloc(buf, cap + 1);
		}
		got = read(fd, buf + n, cap - n);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			snprintf(err, errlen, "%s: %s", name, strerror(errno));
			free(buf);
			if (!is_stdin)
				close(fd);
			return CA_ERR_NOINPUT;
		}
		if (got == 0)
			break;
		n += (size_t)got;
	}
	if (!is_stdin)
		close(fd);
	if (n > max) {
		snprintf(err, errlen, "%s: larger than %zu MiB, refusing to read", name, max >> 20);
		free(buf);
		return CA_ERR_DATA;
	}
	buf[n] = '\0';
	*data = buf;
	*len = n;
	return 0;
}
