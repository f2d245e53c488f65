/* The one layer through which the probe reads the machine.
 *
 * Every path the probe uses is an absolute path on the audited machine
 * ("/sys/bus/pci/devices"); the sysroot maps it under --root DIR when one is
 * given. When a recorder is attached, every file, link and directory read is
 * remembered with the exact bytes seen, so `chipaudit snapshot` can write out
 * precisely the tree that `--root` will read back. */
#ifndef CHIPAUDIT_SYSROOT_H
#define CHIPAUDIT_SYSROOT_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct recorder;
struct sysroot_state;

struct sysroot {
	char *root;               /* "" for the live machine, else DIR without trailing '/' */
	int fd;                   /* O_PATH descriptor of the root directory */
	char *real_root;          /* realpath of root, NULL for the live machine */
	struct recorder *recorder; /* NULL unless snapshotting */
	struct sysroot_state *state; /* read budget, refusals (private to sysroot.c) */
};

/* What is opened: a captured tree is data, never the auditor's devices.
 * Only regular files and directories are opened for reading (symbolic
 * links are followed, inside the root); a device node, FIFO or socket is
 * refused before it is opened, with errno SYSROOT_EREFUSED and a reason
 * from sysroot_strerror ("not a regular file (block device 7:0)"). The one
 * exception is sysroot_open_device on the live machine (/dev/kmsg). */
#define SYSROOT_EREFUSED ENXIO

/* Per-file limits, each well above the largest real file of its kind.
 * Sysfs attribute files are small; anything larger than SYSROOT_SMALL_FILE
 * is read by the callers that expect it with sysroot_read_file_max. */
#define SYSROOT_SMALL_FILE 65536
/* procfs and sysfs tables and lists (/proc/PID/net/tcp6, /proc/modules,
 * modules.dep, a package's file list): a /proc/net table has about 150
 * bytes a socket, so 64 MiB is over 400,000 sockets. */
#define SYSROOT_TABLE_MAX ((size_t)64 << 20)
/* A kernel module or firmware image, compressed or decompressed: the
 * largest real ones are NVIDIA's GSP firmware (gsp_ga10x.bin, about 70 MB
 * for the 55x and 57x drivers) and nvidia.ko (under 100 MB uncompressed). */
#define SYSROOT_IMAGE_MAX ((uint64_t)256 << 20)
/* All bytes read, hashed or decompressed from a captured tree (--root), or
 * recorded for a snapshot, in one run: a real capture (firmware and modules
 * of one driver, executables of the accelerator users, package lists) is a
 * few hundred MiB. At about 1.5 GB/s of SHA-256 this bounds an audit of a
 * hostile tree of sparse files to seconds, and a snapshot, which holds what
 * it records in memory until it writes the archive, to this much memory. */
#define SYSROOT_TREE_BUDGET ((uint64_t)2 << 30)

int sysroot_open(struct sysroot *sr, const char *root, char *err, size_t errlen);
void sysroot_close(struct sysroot *sr);
int sysroot_is_live(const struct sysroot *sr);

/* Host path for PATH (an absolute path on the audited machine). Caller frees. */
char *sysroot_path(const struct sysroot *sr, const char *path);

/* Read a whole file (at most max bytes; a longer file is an error EFBIG,
 * told before reading when its size says so). Returns 0 and a
 * NUL-terminated malloc'd buffer, or -1 with errno set (sysroot_strerror
 * says why). */
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

/* Open a file for streaming (hashing large files); records nothing. A
 * directory opens too (the caller tells them apart with fstat); a device,
 * FIFO or socket is refused. Returns a file descriptor or -1. Bytes read
 * from it are charged with sysroot_charge. */
int sysroot_open_file(const struct sysroot *sr, const char *path);
/* A device a probe means to read (/dev/kmsg): on the live machine the node
 * itself; in a captured tree, where a capture holds its bytes as a regular
 * file, exactly as sysroot_open_file. */
int sysroot_open_device(const struct sysroot *sr, const char *path);

/* Charge N bytes read from PATH to the tree's budget (captured trees and
 * snapshots; the live machine's reads are not budgeted). 0, or -1 with
 * errno EDQUOT when the budget would be exceeded (recorded as a refusal). */
int sysroot_charge(const struct sysroot *sr, const char *path, uint64_t n);

/* Before reading the regular file PATH whose fstat is ST: its size against
 * MAX (the caller's limit for this kind of file) and against what is left of
 * the budget. 0, or -1 with errno EFBIG or EDQUOT (recorded as a refusal). */
struct stat;
int sysroot_check_size(const struct sysroot *sr, const char *path, const struct stat *st, uint64_t max);

/* Why the last sysroot call failed with ERR: the reason of a refusal (file
 * type, size limit, budget), else strerror(ERR). */
const char *sysroot_strerror(const struct sysroot *sr, int err);

/* Every path refused in this run (file type, size, budget), with its
 * reason, in order; the probe lists those no probe has reported in
 * facts.limitations, so none is silently absent. At most
 * SYSROOT_REFUSALS_MAX are kept; sysroot_refusals_dropped counts the rest. */
#define SYSROOT_REFUSALS_MAX 256
size_t sysroot_refusal_count(const struct sysroot *sr);
const char *sysroot_refusal(const struct sysroot *sr, size_t i, const char **reason);
size_t sysroot_refusals_dropped(const struct sysroot *sr);

/* For tests: a smaller budget, and path resolution without openat2, as on
 * kernels before 5.6 or under seccomp profiles that answer ENOSYS (which
 * also switches to it by itself). */
void sysroot_set_budget(struct sysroot *sr, uint64_t bytes);
void sysroot_without_openat2(struct sysroot *sr);

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
