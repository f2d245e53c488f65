/* Sysroot: every read of the audited machine goes through here.
 *
 * Paths are resolved with openat2(RESOLVE_IN_ROOT) against a directory file
 * descriptor for the root, so a captured tree's absolute symlinks stay inside
 * it: a hostile snapshot cannot make the probe read the auditor's own files.
 * Where openat2 is missing (kernels before 5.6, seccomp profiles answering
 * ENOSYS) the same resolution is done one component at a time (walk_in_root).
 *
 * Every object is first opened with O_PATH, which opens nothing, and its
 * type checked before it is opened for reading: a device node in a captured
 * tree (tar -x as root makes them) would otherwise read the auditor's disk or
 * arm its watchdog, and a FIFO would hang the audit. */
#include "sysroot.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <linux/openat2.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "hashtab.h"
#include "util.h"

/* Symbolic links followed in one lookup, as the kernel's MAXSYMLINKS. */
#define SYMLINK_HOPS_MAX 40

struct refusal {
	char *path;
	char *reason;
};

struct sysroot_state {
	uint64_t budget;          /* bytes a budgeted run may read in all */
	uint64_t spent;
	bool without_openat2;     /* ENOSYS seen, or asked for by a test */
	int last_errno;           /* errno of the last refusal; 0 when the last call was not refused */
	char last_reason[256];
	struct refusal *refusals;
	size_t nrefusals, dropped;
};

struct recorder {
	struct recorded *items;
	size_t count, cap;
	/* paths already recorded (the item number + 1): a live snapshot can
	 * record tens of thousands of /proc/PID/fd links */
	struct hashtab index;
};

static bool same_path(uintptr_t value, const void *path, const void *ctx)
{
	const struct recorder *rec = ctx;
	return strcmp(rec->items[value - 1].path, path) == 0;
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
	sr->state = xcalloc(1, sizeof(*sr->state));
	sr->state->budget = SYSROOT_TREE_BUDGET;
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
	if (sr->state) {
		for (size_t i = 0; i < sr->state->nrefusals; i++) {
			free(sr->state->refusals[i].path);
			free(sr->state->refusals[i].reason);
		}
		free(sr->state->refusals);
		free(sr->state);
		sr->state = NULL;
	}
}

int sysroot_is_live(const struct sysroot *sr)
{
	return sr->root == NULL || sr->root[0] == '\0';
}

char *sysroot_path(const struct sysroot *sr, const char *path)
{
	return xasprintf("%s%s", sr->root ? sr->root : "", path);
}

void sysroot_set_budget(struct sysroot *sr, uint64_t bytes)
{
	if (sr->state)
		sr->state->budget = bytes;
}

void sysroot_without_openat2(struct sysroot *sr)
{
	if (sr->state)
		sr->state->without_openat2 = true;
}

/* Refuse PATH: errno ERR, the reason kept for sysroot_strerror and listed
 * among the run's refusals (once per path). */
static void refuse(const struct sysroot *sr, const char *path, int err, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void refuse(const struct sysroot *sr, const char *path, int err, const char *fmt, ...)
{
	struct sysroot_state *st = sr->state;
	va_list ap;

	if (st) {
		va_start(ap, fmt);
		vsnprintf(st->last_reason, sizeof(st->last_reason), fmt, ap);
		va_end(ap);
		st->last_errno = err;
		for (size_t i = 0; i < st->nrefusals; i++)
			if (strcmp(st->refusals[i].path, path) == 0)
				goto out;
		if (st->nrefusals == SYSROOT_REFUSALS_MAX) {
			st->dropped++;
		} else {
			st->refusals = xreallocarray(st->refusals, st->nrefusals + 1, sizeof(*st->refusals));
			st->refusals[st->nrefusals].path = xstrdup(path);
			st->refusals[st->nrefusals].reason = xstrdup(st->last_reason);
			st->nrefusals++;
		}
	}
out:
	errno = err;
}

const char *sysroot_strerror(const struct sysroot *sr, int err)
{
	if (sr->state && sr->state->last_errno != 0 && sr->state->last_errno == err)
		return sr->state->last_reason;
	return strerror(err);
}

size_t sysroot_refusal_count(const struct sysroot *sr)
{
	return sr->state ? sr->state->nrefusals : 0;
}

const char *sysroot_refusal(const struct sysroot *sr, size_t i, const char **reason)
{
	if (sr->state == NULL || i >= sr->state->nrefusals)
		return NULL;
	*reason = sr->state->refusals[i].reason;
	return sr->state->refusals[i].path;
}

size_t sysroot_refusals_dropped(const struct sysroot *sr)
{
	return sr->state ? sr->state->dropped : 0;
}

/* "256 MiB", or "4097 bytes" where it is not a whole number of MiB. */
static void format_size(uint64_t n, char *buf, size_t len)
{
	if (n >= (1u << 20) && n % (1u << 20) == 0)
		snprintf(buf, len, "%" PRIu64 " MiB", n >> 20);
	else
		snprintf(buf, len, "%" PRIu64 " bytes", n);
}

/* Reads are budgeted in captured trees and while recording a snapshot (so
 * that every snapshot can be audited again within the same budget). */
static bool budgeted(const struct sysroot *sr)
{
	return sr->state && (!sysroot_is_live(sr) || sr->recorder != NULL);
}

int sysroot_charge(const struct sysroot *sr, const char *path, uint64_t n)
{
	struct sysroot_state *st = sr->state;
	char limit[32];

	if (!budgeted(sr))
		return 0;
	if (n > st->budget - st->spent || st->spent > st->budget) {
		format_size(st->budget, limit, sizeof(limit));
		refuse(sr, path, EDQUOT, "the %s read budget of one captured tree is spent", limit);
		return -1;
	}
	st->spent += n;
	return 0;
}

int sysroot_check_size(const struct sysroot *sr, const char *path, const struct stat *st, uint64_t max)
{
	char limit[32];

	if (!S_ISREG(st->st_mode))
		return 0;
	if ((uint64_t)st->st_size > max) {
		format_size(max, limit, sizeof(limit));
		refuse(sr, path, EFBIG, "%lld bytes, more than the %s limit for this file",
		       (long long)st->st_size, limit);
		return -1;
	}
	if (budgeted(sr) && (uint64_t)st->st_size > sr->state->budget - sr->state->spent) {
		format_size(sr->state->budget, limit, sizeof(limit));
		refuse(sr, path, EDQUOT, "%lld bytes, more than is left of the %s read budget of one captured tree",
		       (long long)st->st_size, limit);
		return -1;
	}
	return 0;
}

/* "block device 7:0", "FIFO"... for a refusal. */
static void describe_type(const struct stat *st, char *buf, size_t len)
{
	if (S_ISBLK(st->st_mode))
		snprintf(buf, len, "block device %u:%u", major(st->st_rdev), minor(st->st_rdev));
	else if (S_ISCHR(st->st_mode))
		snprintf(buf, len, "character device %u:%u", major(st->st_rdev), minor(st->st_rdev));
	else if (S_ISFIFO(st->st_mode))
		snprintf(buf, len, "FIFO");
	else if (S_ISSOCK(st->st_mode))
		snprintf(buf, len, "socket");
	else
		snprintf(buf, len, "file type %o", (unsigned)(st->st_mode & S_IFMT));
}

/* Directories entered by walk_in_root, the root first. */
struct walk {
	int *dirs;
	size_t depth, cap;   /* dirs[0] is the root's descriptor, not the walk's to close */
};

static void walk_push(struct walk *w, int fd)
{
	if (w->depth == w->cap) {
		w->cap = w->cap ? w->cap * 2 : 16;
		w->dirs = xreallocarray(w->dirs, w->cap, sizeof(*w->dirs));
	}
	w->dirs[w->depth++] = fd;
}

static void walk_pop_to(struct walk *w, size_t depth)
{
	while (w->depth > depth)
		close(w->dirs[--w->depth]);
}

/* What openat2(RESOLVE_IN_ROOT) does, one component at a time: each opened
 * with O_NOFOLLOW; a symbolic link is read and its target walked instead
 * (an absolute one from the root), at most SYMLINK_HOPS_MAX of them; ".."
 * goes back to the directory it came from and never above the root. Returns
 * an O_PATH descriptor, or -1 with errno. */
static int walk_in_root(const struct sysroot *sr, const char *path)
{
	struct walk w = { 0 };
	char *todo = xstrdup(path), *p = todo, target[PATH_MAX];
	int hops = 0, fd = -1, saved;

	walk_push(&w, sr->fd);
	for (;;) {
		char *name, *rest;
		struct stat st;
		int next;
		ssize_t n;

		while (*p == '/')
			p++;
		if (*p == '\0') {
			fd = openat(w.dirs[w.depth - 1], ".", O_PATH | O_CLOEXEC);
			break;
		}
		name = p;
		rest = strchr(p, '/');
		if (rest)
			*rest++ = '\0';
		else
			rest = p + strlen(p);
		p = rest;
		if (strcmp(name, ".") == 0)
			continue;
		if (strcmp(name, "..") == 0) {
			walk_pop_to(&w, w.depth > 1 ? w.depth - 1 : 1);
			continue;
		}
		next = openat(w.dirs[w.depth - 1], name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
		if (next < 0)
			break;
		if (fstat(next, &st) != 0) {
			saved = errno;
			close(next);
			errno = saved;
			break;
		}
		if (S_ISLNK(st.st_mode)) {
			char *joined;
			n = ++hops > SYMLINK_HOPS_MAX ? -1 : readlinkat(next, "", target, sizeof(target) - 1);
			close(next);
			if (n <= 0) {
				errno = hops > SYMLINK_HOPS_MAX ? ELOOP : n == 0 ? ENOENT : errno;
				break;
			}
			target[n] = '\0';
			if (target[0] == '/')
				walk_pop_to(&w, 1);
			joined = xasprintf("%s/%s", target, rest);
			free(todo);
			todo = p = joined;
			continue;
		}
		while (*rest == '/')
			rest++;
		if (*rest == '\0') {
			fd = next;
			break;
		}
		if (!S_ISDIR(st.st_mode)) {
			close(next);
			errno = ENOTDIR;
			break;
		}
		walk_push(&w, next);
	}
	saved = errno;
	walk_pop_to(&w, 1);
	free(w.dirs);
	free(todo);
	errno = saved;
	return fd;
}

/* An O_PATH descriptor for PATH, symbolic links followed; in a captured
 * tree, never outside it. */
static int resolve_in_root(const struct sysroot *sr, const char *path)
{
	const char *rel = path;
	struct open_how how;
	int fd = -1;

	while (*rel == '/')
		rel++;
	if (*rel == '\0')
		rel = ".";
	if (sr->fd < 0) {
		errno = EBADF;
		return -1;
	}
	if (!sysroot_is_live(sr) && sr->state && sr->state->without_openat2)
		return walk_in_root(sr, rel);
	memset(&how, 0, sizeof(how));
	how.flags = (uint64_t)(O_PATH | O_CLOEXEC);
	/* The live machine's root is "/": nothing to scope, and RESOLVE_IN_ROOT
	 * would also refuse the magic links the probe must follow there
	 * (/proc/PID/exe, to hash a running executable). */
	if (!sysroot_is_live(sr))
		how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
	/* With RESOLVE_IN_ROOT the kernel answers EAGAIN when a rename anywhere
	 * raced with a ".." step of the lookup (openat2(2)): retry. */
	for (int tries = 0; tries < 1000; tries++) {
		fd = (int)syscall(SYS_openat2, sr->fd, rel, &how, sizeof(how));
		if (fd >= 0 || errno != EAGAIN)
			break;
	}
	if (fd < 0 && errno == ENOSYS) {
		if (sysroot_is_live(sr))
			return openat(sr->fd, rel, O_PATH | O_CLOEXEC);
		if (sr->state)
			sr->state->without_openat2 = true;
		return walk_in_root(sr, rel);
	}
	return fd;
}

/* What may be opened for reading. */
enum {
	OPEN_FILES = 1,           /* regular files and directories */
	OPEN_CHAR_DEVICE = 2,     /* also a character device (the live /dev/kmsg) */
};

/* Open PATH inside the root with FLAGS, after checking what it is (ST,
 * when not NULL, receives its fstat). O_PATH asks only for the lookup. */
static int open_in_root(const struct sysroot *sr, const char *path, int flags, int allow, struct stat *st)
{
	struct stat local;
	char proc[64], type[64];
	int pfd, fd, saved;

	if (st == NULL)
		st = &local;
	if (sr->state)
		sr->state->last_errno = 0;
	pfd = resolve_in_root(sr, path);
	if (pfd < 0)
		return -1;
	if (fstat(pfd, st) != 0)
		goto fail;
	if ((flags & O_DIRECTORY) && !S_ISDIR(st->st_mode)) {
		errno = ENOTDIR;
		goto fail;
	}
	if (flags & O_PATH)
		return pfd;
	if (!S_ISREG(st->st_mode) && !S_ISDIR(st->st_mode) &&
	    !((allow & OPEN_CHAR_DEVICE) && S_ISCHR(st->st_mode))) {
		describe_type(st, type, sizeof(type));
		close(pfd);
		refuse(sr, path, SYSROOT_EREFUSED, "not a regular file (%s)", type);
		return -1;
	}
	/* Reopen the very object checked, not the path again. */
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", pfd);
	fd = open(proc, flags | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT && access("/proc/self/fd", F_OK) != 0) {
		close(pfd);
		refuse(sr, path, SYSROOT_EREFUSED, "not opened: /proc is not mounted, and a file is checked through /proc/self/fd before it is opened");
		return -1;
	}
	saved = errno;
	close(pfd);
	errno = saved;
	return fd;
fail:
	saved = errno;
	close(pfd);
	errno = saved;
	return -1;
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
	uint64_t hash;

	if (rec == NULL)
		return;
	norm = path_normalise(path);
	hash = hashtab_hash(norm, strlen(norm), 0);
	if (hashtab_find(&rec->index, hash, same_path, norm, rec) != 0) {
		free(norm);
		return;
	}
	if (rec->count == rec->cap) {
		rec->cap = rec->cap ? rec->cap * 2 : 256;
		rec->items = xreallocarray(rec->items, rec->cap, sizeof(*rec->items));
	}
	r = &rec->items[rec->count++];
	if (hashtab_add(&rec->index, hash, rec->count) != 0)
		out_of_memory();
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
	char *buf, limit[32];
	struct stat st;
	int fd = open_in_root(sr, path, O_RDONLY | O_NOCTTY | O_NONBLOCK, OPEN_FILES, &st);

	*data = NULL;
	if (len)
		*len = 0;
	if (fd < 0)
		return -1;
	/* Only a captured tree's sizes are told in advance: procfs files say 0
	 * and sysfs attributes 4096. */
	if (!sysroot_is_live(sr) && sysroot_check_size(sr, path, &st, max) != 0) {
		close(fd);
		return -1;
	}
	buf = xmalloc(cap + 1);
	for (;;) {
		ssize_t n;
		/* room for one byte past max, so a file of exactly max bytes
		 * reaches end of file and a longer one is refused */
		if (used == cap) {
			if (cap > max)
				break;
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
		if (sysroot_charge(sr, path, (uint64_t)n) != 0) {
			free(buf);
			close(fd);
			errno = EDQUOT;
			return -1;
		}
		used += (size_t)n;
	}
	if (used > max) {
		free(buf);
		close(fd);
		format_size(max, limit, sizeof(limit));
		refuse(sr, path, EFBIG, "more than the %s limit for this file", limit);
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
	fd = open_in_root(sr, *dir ? dir : "/", O_PATH | O_DIRECTORY, OPEN_FILES, NULL);
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
	int fd = open_in_root(sr, path, O_RDONLY | O_DIRECTORY, OPEN_FILES, NULL);
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
	int fd = open_in_root(sr, path, O_PATH, OPEN_FILES, NULL);
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
	return open_in_root(sr, path, O_RDONLY | O_NOCTTY | O_NONBLOCK, OPEN_FILES, NULL);
}

int sysroot_open_device(const struct sysroot *sr, const char *path)
{
	return open_in_root(sr, path, O_RDONLY | O_NOCTTY | O_NONBLOCK,
			    sysroot_is_live(sr) ? OPEN_FILES | OPEN_CHAR_DEVICE : OPEN_FILES, NULL);
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
	hashtab_free(&rec->index);
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
	struct sysroot tmp = { .root = NULL, .fd = -1, .recorder = rec, .state = NULL };
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
