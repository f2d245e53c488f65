/* The one layer through which the probe reads the machine.
 *
 * Every path the probe uses is an absolute path on the audited machine
 * ("/sys/bus/pci/devices"); the sysroot maps it under --root DIR when one is
 * given. When a recorder is attached, every file, link and directory read is
 * remembered with the exact bytes seen, so `chipaudit snapshot` can write out
 * precisely the tree that `--root` will read back. */
#ifndef CHIPAUDIT_SYSROOT_H
#define CHIPAUDIT_SYSROOT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct recorder;

struct sysroot {
	char *root;               /* "" for the live machine, else DIR without trailing '/' */
	int fd;                   /* O_PATH descriptor of the root directory */
	char *real_root;          /* realpath of root, NULL for the live machine */
	struct recorder *recorder; /* NULL unless snapshotting */
};

/* Sysfs attribute files are small; anything larger than this is read by the
 * callers that expect it (config space, firmware) with sysroot_read_file_max. */
#define SYSROOT_SMALL_FILE 65536

int sysroot_open(struct sysroot *sr, const char *root, char *err, size_t errlen);
void sysroot_close(struct sysroot *sr);
int sysroot_is_live(const struct sysroot *sr);

/* Host path for PATH (an absolute path on the audited machine). Caller frees. */
char *sysroot_path(const struct sysroot *sr, const char *path);

/* Read a whole file (at most max bytes; a longer file is an error E2BIG).
 * Returns 0 and a NUL-terminated malloc'd buffer, or -1 with errno set. */
int sysroot_read_file_max(const struct sysroot *sr, const char *path, size_t max,
			  char **data, size_t *len);
int sysroot_read_file(const struct sysroot *sr, const char *path, char **data, size_t *len);

/* First line of a small text file, trailing whitespace removed. -1/errno on error. */
int sysroot_read_line(const struct sysroot *sr, const char *path, char **line);

/* Target of a symbolic link, as stored (relative or absolute). */
int sysroot_readlink(const struct sysroot *sr, const char *path, char **target);

/* Last component of a link's target ("../../../bus/pci/drivers/nvidia" -> "nvidia"). */
int sysroot_link_basename(const struct sysroot *sr, const char *path, char **name);

/* Resolve a symbolic link in the audited machine's namespace: relative
 * targets are taken against the link's directory, absolute ones stay on the
 * audited machine (never escape --root). Result is a normalised absolute path. */
int sysroot_resolve_link(const struct sysroot *sr, const char *path, char **resolved);

/* Sorted names in a directory (no "." or ".."). NULL-terminated array; free
 * with sysroot_free_names. */
int sysroot_list_dir(const struct sysroot *sr, const char *path, char ***names, size_t *count);
void sysroot_free_names(char **names);

/* Entries of a directory with their symbolic-link targets, read through one
 * open directory (a process's /proc/PID/fd can hold thousands of links).
 * target is NULL for an entry that is not a link. In directory order, not
 * sorted. Records the directory and its links when snapshotting. Free with
 * sysroot_free_links. */
struct sysroot_link {
	char *name;
	char *target;
};
int sysroot_list_links(const struct sysroot *sr, const char *path, struct sysroot_link **links, size_t *count);
void sysroot_free_links(struct sysroot_link *links, size_t count);

int sysroot_exists(const struct sysroot *sr, const char *path);
int sysroot_is_dir(const struct sysroot *sr, const char *path);

/* Open a file for streaming (hashing large files); records only its presence
 * when snapshotting. Returns a file descriptor or -1. */
int sysroot_open_file(const struct sysroot *sr, const char *path);

/* Where the open descriptor FD really is, as a path on the audited machine
 * (FALLBACK when that cannot be told). Recorded files use it, so a snapshot
 * holds each file where the machine has it. Caller frees. */
char *sysroot_canonical_path(const struct sysroot *sr, int fd, const char *fallback);

/* Recording, for snapshots. */
struct recorder *recorder_new(void);
void recorder_free(struct recorder *rec);
enum recorded_kind { RECORDED_FILE, RECORDED_LINK, RECORDED_DIR };
struct recorded {
	enum recorded_kind kind;
	char *path;      /* absolute path on the audited machine */
	char *data;      /* file bytes or link target; NULL for a directory */
	size_t len;
};
size_t recorder_count(const struct recorder *rec);
const struct recorded *recorder_get(const struct recorder *rec, size_t i);
/* Record extra content (used by backends that capture live library output). */
int recorder_add_file(struct recorder *rec, const char *path, const char *data, size_t len);

/* Normalise an absolute path: collapse "//", ".", "..". Caller frees. */
char *path_normalise(const char *path);
/* Join directory and name with one '/'. Caller frees. */
char *path_join(const char *dir, const char *name);

#endif
