/* Sysroot: every read of the audited machine goes through here.
 *
 * Paths are resolved with openat2(RESOLVE_IN_ROOT) against a directory file
 * descriptor for the root, so a captured tree's absolute symlinks stay inside
 * it: a hostile snapshot cannot make the probe read the auditor's own files.
 * Kernels without openat2 (before 5.6) fall back to plain path joining. */
#include "sysroot.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <linux/openat2.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "util.h"

struct recorder {
	struct recorded *items;
	size_t count, cap;
	/* paths already recorded: open addressing, item number + 1 (0: empty).
	 * A live snapshot can record tens of thousands of /proc/PID/fd links. */
	size_t *index;
	size_t index_cap;         /* a power of two, or 0 */
};

static size_t path_hash(const char *s)
{
	uint64_t h = 1469598103934665603ull;   /* FNV-1a */
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return (size_t)h;
}

static size_t *index_slot(const struct recorder *rec, const char *path)
{
	size_t i = path_hash(path) & (rec->index_cap - 1);

	while (rec->index[i] != 0 && strcmp(rec->items[rec->index[i] - 1].path, path) != 0)
		i = (i + 1) & (rec->index_cap - 1);
	return &rec->index[i];
}

static void index_grow(struct recorder *rec)
{
	free(rec->index);
	rec->index_cap = rec->index_cap ? rec->index_cap * 2 : 1024;
	rec->index = xcalloc(rec->index_cap, sizeof(*rec->index));
	for (size_t i = 0; i < rec->count; i++)
		*index_slot(rec, rec->items[i].path) = i + 1;
}

int sysroot_open(struct sysroot *sr, const char *root, char *err, size_t errlen)
{
	struct stat st;
	const char *dir = (root && *root) ? root : "/";
	int fd;

	memset(sr, 0, sizeof(*sr));
	sr->fd = -1;
	if (stat(dir, &st) != 0) {
		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "%s: not a directory", dir);
		return -1;
	}
	fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		return -1;
	}
	sr->fd = fd;
	sr->real_root = NULL;
	if (root && *root && strcmp(root, "/") != 0)
		sr->real_root = realpath(root, NULL);
	if (root && *root && strcmp(root, "/") != 0) {
		size_t n = strlen(root);
		while (n > 1 && root[n - 1] == '/')
			n--;
		sr->root = xstrndup(root, n);
	} else {
		sr->root = xstrdup("");
	}
	return 0;
}

void sysroot_close(struct sysroot *sr)
{
	if (sr->fd >= 0)
		close(sr->fd);
	sr->fd = -1;
	free(sr->root);
	free(sr->real_root);
	sr->real_root = NULL;
	sr->root = NULL;
}

int sysroot_is_live(const struct sysroot *sr)
{
	return sr->root == NULL || sr->root[0] == '\0';
}

char *sysroot_path(const struct sysroot *sr, const char *path)
{
	return xasprintf("%s%s", sr->root ? sr->root : "", path);
}

/* openat2 relative to the root; absolute links resolve inside it. */
static int open_in_root(const struct sysroot *sr, const char *path, int flags)
{
	int rootfd = sr->fd;
	const char *rel = path;
	struct open_how how;
	int fd;

	while (*rel == '/')
		rel++;
	if (*rel == '\0')
		rel = ".";
	if (rootfd < 0) {
		errno = EBADF;
		return -1;
	}
	memset(&how, 0, sizeof(how));
	how.flags = (uint64_t)(flags | O_CLOEXEC);
	/* The live machine's root is "/": nothing to scope, and RESOLVE_IN_ROOT
	 * would also refuse the magic links the probe must follow there
	 * (/proc/PID/exe, to hash a running executable). */
	if (!sysroot_is_live(sr))
		how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
	/* With RESOLVE_IN_ROOT the kernel answers EAGAIN when a rename anywhere
	 * raced with a ".." step of the lookup (openat2(2)): retry. */
	for (int tries = 0; tries < 1000; tries++) {
		fd = (int)syscall(SYS_openat2, rootfd, rel, &how, sizeof(how));
		if (fd >= 0 || errno != EAGAIN)
			break;
	}
	if (fd < 0 && errno == ENOSYS) {
		char *full = sysroot_path(sr, path);
		fd = open(full, flags | O_CLOEXEC);
		free(full);
	}
	return fd;
}

/* Where an open descriptor really is, as a path on the audited machine: files
 * are recorded under their canonical path so that a snapshot holds real files
 * where the machine has them, and the symbolic links (recorded separately)
 * point at them as on the machine. */
char *sysroot_canonical_path(const struct sysroot *sr, int fd, const char *fallback)
{
	char proc[64], buf[PATH_MAX];
	const char *root = sr->real_root ? sr->real_root : "";
	size_t rootlen = strlen(root);
	ssize_t n;

	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	n = readlink(proc, buf, sizeof(buf) - 1);
	if (n <= 0)
		return xstrdup(fallback);
	buf[n] = '\0';
	if (rootlen > 0) {
		if (strncmp(buf, root, rootlen) != 0 || (buf[rootlen] != '/' && buf[rootlen] != '\0'))
			return xstrdup(fallback);
		return xstrdup(buf[rootlen] ? buf + rootlen : "/");
	}
	return buf[0] == '/' ? xstrdup(buf) : xstrdup(fallback);
}

static void record(const struct sysroot *sr, enum recorded_kind kind, const char *path,
		   const char *data, size_t len)
{
	struct recorder *rec = sr->recorder;
	struct recorded *r;
	char *norm;
	size_t *slot;

	if (rec == NULL)
		return;
	if ((rec->count + 1) * 2 > rec->index_cap)
		index_grow(rec);
	norm = path_normalise(path);
	slot = index_slot(rec, norm);
	if (*slot != 0) {
		free(norm);
		return;
	}
	if (rec->count == rec->cap) {
		rec->cap = rec->cap ? rec->cap * 2 : 256;
		rec->items = xreallocarray(rec->items, rec->cap, sizeof(*rec->items));
	}
	r = &rec->items[rec->count++];
	*slot = rec->count;
	r->kind = kind;
	r->path = norm;
	r->len = len;
	r->data = NULL;
	if (data) {
		r->data = xmalloc(len + 1);
		memcpy(r->data, data, len);
		r->data[len] = '\0';
	}
}

int sysroot_read_file_max(const struct sysroot *sr, const char *path, size_t max,
			  char **data, size_t *len)
{
	size_t cap = 4096, used = 0;
	char *buf;
	int fd = open_in_root(sr, path, O_RDONLY | O_NOCTTY | O_NONBLOCK);

	*data = NULL;
	if (len)
		*len = 0;
	if (fd < 0)
		return -1;
	buf = xmalloc(cap + 1);
	for (;;) {
		ssize_t n;
		/* room for one byte past max, so a file of exactly max bytes
		 * reaches end of file and a longer one is refused */
		if (used == cap) {
			if (cap > max) {
				free(buf);
				close(fd);
				errno = EFBIG;
				return -1;
			}
			cap = cap * 2 > max + 1 ? max + 1 : cap * 2;
			buf = xrealloc(buf, cap + 1);
		}
		n = read(fd, buf + used, cap - used);
		if (n < 0) {
			int saved = errno;
			if (saved == EINTR)
				continue;
			free(buf);
			close(fd);
			errno = saved;
			return -1;
		}
		if (n == 0)
			break;
		used += (size_t)n;
	}
	if (used > max) {
		free(buf);
		close(fd);
		errno = EFBIG;
		return -1;
	}
	buf[used] = '\0';
	if (sr->recorder) {
		char *canon = sysroot_canonical_path(sr, fd, path);
		record(sr, RECORDED_FILE, canon, buf, used);
		free(canon);
	}
	close(fd);
	*data = buf;
	if (len)
		*len = used;
	return 0;
}

int sysroot_read_file(const struct sysroot *sr, const char *path, char **data, size_t *len)
{
	return sysroot_read_file_max(sr, path, SYSROOT_SMALL_FILE, data, len);
}

int sysroot_read_line(const struct sysroot *sr, const char *path, char **line)
{
	char *data, *nl;
	size_t len;

	if (sysroot_read_file(sr, path, &data, &len) != 0)
		return -1;
	if (memchr(data, '\0', len) != NULL) {
		free(data);
		errno = EILSEQ;
		return -1;
	}
	nl = strchr(data, '\n');
	if (nl)
		*nl = '\0';
	str_rstrip(data);
	*line = data;
	return 0;
}

/* Open the parent directory of PATH inside the root; *base points into PATH. */
static int open_parent(const struct sysroot *sr, const char *path, const char **base)
{
	const char *slash = strrchr(path, '/');
	char *dir;
	int fd;

	if (slash == NULL || slash[1] == '\0') {
		errno = EINVAL;
		return -1;
	}
	dir = xstrndup(path, (size_t)(slash - path));
	fd = open_in_root(sr, *dir ? dir : "/", O_PATH | O_DIRECTORY);
	free(dir);
	*base = slash + 1;
	return fd;
}

int sysroot_readlink(const struct sysroot *sr, const char *path, char **target)
{
	char buf[PATH_MAX];
	const char *base;
	ssize_t n;
	int dfd = open_parent(sr, path, &base);

	*target = NULL;
	if (dfd < 0)
		return -1;
	n = readlinkat(dfd, base, buf, sizeof(buf) - 1);
	if (n < 0) {
		int saved = errno;
		close(dfd);
		errno = saved;
		return -1;
	}
	buf[n] = '\0';
	if (sr->recorder) {
		char *dir = sysroot_canonical_path(sr, dfd, "/"), *canon = path_join(dir, base);
		record(sr, RECORDED_LINK, canon, buf, (size_t)n);
		free(canon);
		free(dir);
	}
	close(dfd);
	*target = xstrdup(buf);
	return 0;
}

int sysroot_link_basename(const struct sysroot *sr, const char *path, char **name)
{
	char *target, *slash;

	if (sysroot_readlink(sr, path, &target) != 0)
		return -1;
	slash = strrchr(target, '/');
	*name = xstrdup(slash ? slash + 1 : target);
	free(target);
	if (**name == '\0') {
		free(*name);
		*name = NULL;
		errno = EINVAL;
		return -1;
	}
	return 0;
}

int sysroot_resolve_link(const struct sysroot *sr, const char *path, char **resolved)
{
	char *target, *joined;

	*resolved = NULL;
	if (sysroot_readlink(sr, path, &target) != 0)
		return -1;
	if (target[0] == '/') {
		joined = target;
	} else {
		const char *slash = strrchr(path, '/');
		char *dir = xstrndup(path, slash ? (size_t)(slash - path) : 0);
		joined = xasprintf("%s/%s", dir, target);
		free(dir);
		free(target);
	}
	*resolved = path_normalise(joined);
	free(joined);
	return 0;
}

/* A listed directory's symbolic links are recorded too, so the snapshot's
 * listing matches the machine's (/sys/bus/pci/devices is all links). */
static void record_entry_link(const struct sysroot *sr, int dfd, const char *dir, const char *name)
{
	char buf[PATH_MAX], *path;
	ssize_t n = readlinkat(dfd, name, buf, sizeof(buf) - 1);

	if (n < 0)
		return;
	buf[n] = '\0';
	path = path_join(dir, name);
	record(sr, RECORDED_LINK, path, buf, (size_t)n);
	free(path);
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A directory stream for PATH inside the root; NULL with errno set. */
static DIR *open_dir(const struct sysroot *sr, const char *path)
{
	int fd = open_in_root(sr, path, O_RDONLY | O_DIRECTORY);
	DIR *d;

	if (fd < 0)
		return NULL;
	d = fdopendir(fd);
	if (d == NULL) {
		int saved = errno;
		close(fd);
		errno = saved;
	}
	return d;
}

int sysroot_list_dir(const struct sysroot *sr, const char *path, char ***names, size_t *count)
{
	size_t n = 0, cap = 16;
	char **out, *canon = NULL;
	struct dirent *de;
	DIR *d;

	*names = NULL;
	if (count)
		*count = 0;
	if ((d = open_dir(sr, path)) == NULL)
		return -1;
	if (sr->recorder)
		canon = sysroot_canonical_path(sr, dirfd(d), path);
	out = xreallocarray(NULL, cap + 1, sizeof(*out));
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (canon && de->d_type == DT_LNK)
			record_entry_link(sr, dirfd(d), canon, de->d_name);
		if (n == cap) {
			cap *= 2;
			out = xreallocarray(out, cap + 1, sizeof(*out));
		}
		out[n++] = xstrdup(de->d_name);
	}
	closedir(d);
	qsort(out, n, sizeof(*out), cmp_names);
	out[n] = NULL;
	if (canon)
		record(sr, RECORDED_DIR, canon, NULL, 0);
	free(canon);
	*names = out;
	if (count)
		*count = n;
	return 0;
}

void sysroot_free_names(char **names)
{
	if (names == NULL)
		return;
	for (char **p = names; *p; p++)
		free(*p);
	free(names);
}

int sysroot_list_links(const struct sysroot *sr, const char *path, struct sysroot_link **links, size_t *count)
{
	size_t n = 0, cap = 16;
	struct sysroot_link *out;
	char *canon = NULL, buf[PATH_MAX];
	struct dirent *de;
	DIR *d;

	*links = NULL;
	*count = 0;
	if ((d = open_dir(sr, path)) == NULL)
		return -1;
	if (sr->recorder)
		canon = sysroot_canonical_path(sr, dirfd(d), path);
	out = xreallocarray(NULL, cap, sizeof(*out));
	while ((de = readdir(d)) != NULL) {
		ssize_t len;
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (n == cap) {
			cap *= 2;
			out = xreallocarray(out, cap, sizeof(*out));
		}
		out[n].name = xstrdup(de->d_name);
		out[n].target = NULL;
		len = (de->d_type == DT_LNK || de->d_type == DT_UNKNOWN)
			? readlinkat(dirfd(d), de->d_name, buf, sizeof(buf) - 1) : -1;
		if (len >= 0) {
			buf[len] = '\0';
			out[n].target = xstrdup(buf);
			if (canon) {
				char *p = path_join(canon, de->d_name);
				record(sr, RECORDED_LINK, p, buf, (size_t)len);
				free(p);
			}
		}
		n++;
	}
	closedir(d);
	if (canon)
		record(sr, RECORDED_DIR, canon, NULL, 0);
	free(canon);
	*links = out;
	*count = n;
	return 0;
}

void sysroot_free_links(struct sysroot_link *links, size_t count)
{
	for (size_t i = 0; i < count; i++) {
		free(links[i].name);
		free(links[i].target);
	}
	free(links);
}

static int stat_in_root(const struct sysroot *sr, const char *path, struct stat *st)
{
	int fd = open_in_root(sr, path, O_PATH);
	int rc;

	if (fd < 0)
		return -1;
	rc = fstat(fd, st);
	close(fd);
	return rc;
}

int sysroot_exists(const struct sysroot *sr, const char *path)
{
	struct stat st;
	return stat_in_root(sr, path, &st) == 0;
}

int sysroot_is_dir(const struct sysroot *sr, const char *path)
{
	struct stat st;
	return stat_in_root(sr, path, &st) == 0 && S_ISDIR(st.st_mode);
}

int sysroot_open_file(const struct sysroot *sr, const char *path)
{
	return open_in_root(sr, path, O_RDONLY | O_NOCTTY | O_NONBLOCK);
}

struct recorder *recorder_new(void)
{
	return xcalloc(1, sizeof(struct recorder));
}

void recorder_free(struct recorder *rec)
{
	if (rec == NULL)
		return;
	for (size_t i = 0; i < rec->count; i++) {
		free(rec->items[i].path);
		free(rec->items[i].data);
	}
	free(rec->items);
	free(rec->index);
	free(rec);
}

size_t recorder_count(const struct recorder *rec)
{
	return rec ? rec->count : 0;
}

const struct recorded *recorder_get(const struct recorder *rec, size_t i)
{
	return (rec && i < rec->count) ? &rec->items[i] : NULL;
}

int recorder_add_file(struct recorder *rec, const char *path, const char *data, size_t len)
{
	struct sysroot tmp = { .root = NULL, .fd = -1, .recorder = rec };
	record(&tmp, RECORDED_FILE, path, data, len);
	return 0;
}

char *path_join(const char *dir, const char *name)
{
	size_t n = strlen(dir);
	if (n > 0 && dir[n - 1] == '/')
		return xasprintf("%s%s", dir, name);
	return xasprintf("%s/%s", dir, name);
}

char *path_normalise(const char *path)
{
	size_t len = strlen(path);
	char *out = xmalloc(len + 2);
	size_t o = 0;
	const char *p = path;

	out[o++] = '/';
	while (*p) {
		const char *seg;
		size_t n;
		while (*p == '/')
			p++;
		seg = p;
		while (*p && *p != '/')
			p++;
		n = (size_t)(p - seg);
		if (n == 0 || (n == 1 && seg[0] == '.'))
			continue;
		if (n == 2 && seg[0] == '.' && seg[1] == '.') {
			/* drop the last component, never above "/" */
			if (o > 1) {
				o--;
				while (o > 1 && out[o - 1] != '/')
					o--;
			}
			continue;
		}
		if (o > 1 && out[o - 1] != '/')
			out[o++] = '/';
		memcpy(out + o, seg, n);
		o += n;
	}
	if (o > 1 && out[o - 1] == '/')
		o--;
	out[o] = '\0';
	return out;
}
