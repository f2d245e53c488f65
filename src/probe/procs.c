/* Processes that hold an accelerator, accelerator-management daemons, and
 * the sockets of both (facts.processes).
 *
 * Layout read (proc(5)):
 *   /proc/PID/fd/N      links: "/dev/nvidia0", "socket:[12345]", "pipe:[..]"
 *   /proc/PID/comm      process name (15 bytes at most)
 *   /proc/PID/status    "PPid:", "Uid: real effective saved fs"
 *   /proc/PID/cmdline   arguments separated by NUL bytes
 *   /proc/PID/cgroup    "0::/system.slice/x.service" (v2) or "N:ctrl:/path" (v1)
 *   /proc/PID/exe       link to the executable, " (deleted)" appended when gone
 *   /proc/PID/ns/net    link "net:[INODE]": the network namespace
 *   /proc/PID/net/{tcp,tcp6,udp,udp6,unix}   that namespace's socket tables
 *   /etc/passwd         user names
 * One pass lists every process's fd links; only processes holding a device
 * node or running a known daemon are read further. Their socket inodes are
 * then looked up, per network namespace, in one netlink dump (live) or in
 * the namespace's /proc/PID/net tables (captured trees, snapshots being
 * recorded, other namespaces, or when netlink is refused). */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include <arpa/inet.h>

#include "core/fileio.h"
#include "core/json.h"
#include "core/hashtab.h"
#include "core/util.h"
#include "probe/pkgdb.h"
#include "probe/probe.h"
#include "probe/procs.h"
#include "probe/sockets.h"

#define CMDLINE_MAX (4u << 20)
#define PROCNET_MAX SYSROOT_TABLE_MAX
#define EXE_RECORD_MAX (256u << 20)
/* Executables hashed: the largest real ones (statically linked servers
 * with embedded GPU code) are a few hundred MiB. */
#define EXE_HASH_MAX ((uint64_t)1 << 30)

struct fd_socket {
	int fd;
	uint64_t inode;
};

struct proc {
	int pid;
	char *comm;
	int inspectable;
	int gone;
	int device_user;
	const struct daemon_def *daemon;
	char **devices;
	size_t ndevices;
	struct fd_socket *socks;
	size_t nsocks;
	/* read for the processes kept */
	int64_t uid, ppid;         /* -1: unknown */
	int kthread;               /* a kernel thread: no user-space files */
	json_t *cmdline;
	char *exe;
	int exe_deleted;
	char *exe_sha256;
	char *exe_owner;
	int dbs_read;              /* -1: ownership not looked up; else PKGDB_* bits */
	char *cgroup;
	char *netns;
	char *mntns;
	int own_root;              /* in another mount namespace (a container): its own files */
	const struct sock_table *sockets;   /* NULL: the namespace's tables could not be read */
};

struct user;

struct scan {
	struct probe_ctx *ctx;
	struct spy_data data;
	struct proc *procs;        /* kept processes, by pid */
	size_t nprocs, cap;
	size_t not_inspectable;
	int first_errno;
	struct sock_table **tables;
	size_t ntables;
	int container_files_skipped; /* snapshot: containers' files not captured (said once) */
	struct user *users;        /* from /etc/passwd, by uid */
	size_t nusers;
	int passwd_read;
};

static char *proc_path(int pid, const char *what)
{
	return xasprintf("/proc/%d/%s", pid, what);
}

static void proc_free(struct proc *p)
{
	for (size_t i = 0; i < p->ndevices; i++)
		free(p->devices[i]);
	free(p->devices);
	free(p->socks);
	free(p->comm);
	json_decref(p->cmdline);
	free(p->exe);
	free(p->exe_sha256);
	free(p->exe_owner);
	free(p->cgroup);
	free(p->netns);
	free(p->mntns);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int cmp_socket(const void *a, const void *b)
{
	const struct fd_socket *x = a, *y = b;
	return (x->fd > y->fd) - (x->fd < y->fd);
}

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;
	return (x > y) - (x < y);
}

/* --- one pass over every process's fd links ---------------------------------- */

/* "socket:[12345]" -> 12345 */
static int socket_inode(const char *target, uint64_t *inode)
{
	size_t n = strlen(target);
	char buf[32];

	if (n < 10 || n > 30 || strncmp(target, "socket:[", 8) != 0 || target[n - 1] != ']')
		return -1;
	memcpy(buf, target + 8, n - 9);
	buf[n - 9] = '\0';
	return parse_u64(buf, 10, inode);
}

static void add_device(struct proc *p, const char *path)
{
	for (size_t i = 0; i < p->ndevices; i++)
		if (strcmp(p->devices[i], path) == 0)
			return;
	p->devices = xreallocarray(p->devices, p->ndevices + 1, sizeof(*p->devices));
	p->devices[p->ndevices++] = xstrdup(path);
}

static void add_socket(struct proc *p, int fd, uint64_t inode)
{
	if ((p->nsocks & (p->nsocks + 1)) == 0 || p->nsocks == 0)
		p->socks = xreallocarray(p->socks, p->nsocks * 2 + 1, sizeof(*p->socks));
	p->socks[p->nsocks].fd = fd;
	p->socks[p->nsocks].inode = inode;
	p->nsocks++;
}

/* Classify every fd link: device nodes and sockets. */
static int read_fds(struct scan *s, struct proc *p)
{
	char *dir = proc_path(p->pid, "fd");
	struct sysroot_link *links;
	size_t n;
	int rc = 0;

	if (sysroot_list_links(s->ctx->sysroot, dir, &links, &n) != 0) {
		rc = -1;
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		uint64_t fd, inode;
		if (links[i].target == NULL || parse_u64(links[i].name, 10, &fd) != 0 || fd > INT32_MAX)
			continue;
		if (socket_inode(links[i].target, &inode) == 0)
			add_socket(p, (int)fd, inode);
		else if (spy_data_is_device(&s->data, links[i].target))
			add_device(p, links[i].target);
	}
	sysroot_free_links(links, n);
out:
	free(dir);
	return rc;
}

static char *read_comm(struct scan *s, int pid)
{
	char *path = proc_path(pid, "comm"), *line = NULL;

	if (sysroot_read_line(s->ctx->sysroot, path, &line) != 0)
		line = NULL;
	free(path);
	return line;
}

/* "Uid:\t1000\t1000\t1000\t1000": the effective uid, as ps shows it. */
static void read_status(struct scan *s, struct proc *p)
{
	char *path = proc_path(p->pid, "status"), *data = NULL, *save = NULL;

	p->uid = p->ppid = -1;
	if (sysroot_read_file(s->ctx->sysroot, path, &data, NULL) != 0) {
		free(path);
		return;
	}
	for (char *line = strtok_r(data, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (str_starts_with(line, "Uid:")) {
			unsigned long long real, eff, saved, fs;
			char extra;
			if (sscanf(line + 4, "%llu %llu %llu %llu %c", &real, &eff, &saved, &fs, &extra) != 4 ||
			    eff > UINT32_MAX) {
				probe_fail(s->ctx, "%s: malformed Uid line \"%.60s\"", path, line);
				break;
			}
			p->uid = (int64_t)eff;
		} else if (str_starts_with(line, "Kthread:")) {
			p->kthread = strcmp(line, "Kthread:\t1") == 0;
		} else if (str_starts_with(line, "PPid:")) {
			int64_t v;
			if (parse_i64(line + 5, 10, &v) != 0 || v < 0 || v > INT32_MAX) {
				probe_fail(s->ctx, "%s: malformed PPid line \"%.60s\"", path, line);
				break;
			}
			p->ppid = v;
		}
	}
	free(data);
	free(path);
}

static struct proc *keep(struct scan *s, const struct proc *p)
{
	if (s->nprocs == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 16;
		s->procs = xreallocarray(s->procs, s->cap, sizeof(*s->procs));
	}
	s->procs[s->nprocs] = *p;
	return &s->procs[s->nprocs++];
}

/* Look at one process. Processes that exit while being read are skipped. */
static void scan_process(struct scan *s, int pid)
{
	struct proc p;
	int live = sysroot_is_live(s->ctx->sysroot), e = 0;

	memset(&p, 0, sizeof(p));
	p.pid = pid;
	p.uid = p.ppid = -1;
	p.inspectable = 1;
	if (read_fds(s, &p) != 0) {
		e = errno;
		if (live && (e == ENOENT || e == ESRCH))
			goto drop;         /* exited */
		p.inspectable = 0;
	}
	p.comm = read_comm(s, pid);
	if (p.comm == NULL)
		goto drop;                 /* exited, or not captured at all */
	p.daemon = spy_data_daemon(&s->data, p.comm);
	p.device_user = p.ndevices > 0;
	if (!p.inspectable) {
		read_status(s, &p);
		/* Kernel threads (children of kthreadd, pid 2) hold no user-space
		 * files; their fd directories are closed to the unprivileged like any
		 * root process's, and listing them would only be noise. */
		if (p.kthread || p.pid == 2 || p.ppid == 2)
			goto drop;
		if (s->not_inspectable++ == 0)
			s->first_errno = live ? e : ENOENT;
		keep(s, &p);
		return;
	}
	if (p.device_user || p.daemon) {
		keep(s, &p);         /* status with the other details */
		return;
	}
drop:
	proc_free(&p);
}

/* --- details of the processes kept ----------------------------------------------- */

static void read_cmdline(struct scan *s, struct proc *p)
{
	char *path = proc_path(p->pid, "cmdline"), *data = NULL;
	size_t len = 0;

	p->cmdline = json_array();
	if (sysroot_read_file_max(s->ctx->sysroot, path, CMDLINE_MAX, &data, &len) == 0) {
		for (size_t off = 0; off < len;) {
			size_t n = strnlen(data + off, len - off);
			char *arg = xstrndup(data + off, n);
			json_array_append_new(p->cmdline, json_string_lossy(arg));
			free(arg);
			off += n + 1;
		}
	}
	free(data);
	free(path);
}

static void read_cgroup(struct scan *s, struct proc *p)
{
	char *path = proc_path(p->pid, "cgroup"), *data = NULL, *save = NULL, *first = NULL, *systemd = NULL;

	if (sysroot_read_file(s->ctx->sysroot, path, &data, NULL) != 0) {
		free(path);
		return;
	}
	for (char *line = strtok_r(data, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *c1 = strchr(line, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
		if (c2 == NULL || c2[1] != '/') {
			probe_fail(s->ctx, "%s: malformed line \"%.60s\", expected ID:CONTROLLERS:/PATH", path, line);
			break;
		}
		if (str_starts_with(line, "0::")) {
			free(p->cgroup);
			p->cgroup = xstrdup(c2 + 1);
			break;
		}
		if (first == NULL)
			first = c2 + 1;
		if (systemd == NULL && (size_t)(c2 - c1 - 1) == strlen("name=systemd") &&
		    strncmp(c1 + 1, "name=systemd", strlen("name=systemd")) == 0)
			systemd = c2 + 1;
	}
	if (p->cgroup == NULL && !s->ctx->failed && (systemd || first))
		p->cgroup = xstrdup(systemd ? systemd : first);
	free(data);
	free(path);
}

static void read_exe(struct scan *s, struct proc *p)
{
	static const char deleted[] = " (deleted)";
	char *path = proc_path(p->pid, "exe"), *target = NULL;
	size_t n, d = sizeof(deleted) - 1;

	if (sysroot_readlink(s->ctx->sysroot, path, &target) == 0) {
		n = strlen(target);
		if (n > d && strcmp(target + n - d, deleted) == 0) {
			p->exe_deleted = 1;
			target[n - d] = '\0';
		}
		p->exe = target;
	}
	free(path);
}

static char *read_proc_link(struct scan *s, int pid, const char *which)
{
	char *path = proc_path(pid, which), *target = NULL;

	if (sysroot_readlink(s->ctx->sysroot, path, &target) != 0)
		target = NULL;
	free(path);
	return target;
}

/* The host's mount namespace is init's; where /proc/1/ns/mnt cannot be read
 * on the live machine, chipaudit's own stands in for it. */
static void mark_containers(struct scan *s)
{
	char *host = read_proc_link(s, 1, "ns/mnt");

	if (host == NULL && sysroot_is_live(s->ctx->sysroot) &&
	    sysroot_readlink(s->ctx->sysroot, "/proc/self/ns/mnt", &host) != 0)
		host = NULL;
	for (size_t i = 0; host && i < s->nprocs; i++)
		s->procs[i].own_root = s->procs[i].mntns && strcmp(s->procs[i].mntns, host) != 0;
	free(host);
}

/* Said once. On the live machine a container's files can only be reached
 * through the /proc/PID/root magic link, and the recorder would store them
 * under their path inside the container, where they would shadow the host's
 * own files in the snapshot. (A captured tree's containers are captured:
 * there /proc/PID/root is a plain link into the tree.) */
static void container_files_not_captured(struct scan *s)
{
	if (s->container_files_skipped++)
		return;
	probe_limitation(s->ctx, "/proc/PID/root",
			 "a snapshot does not capture files inside containers: executables and package databases of processes in other mount namespaces are left out");
}

/* The executable's sha256, read through /proc/PID/exe (the running binary,
 * even when deleted). Cached per file: 2,000 workers of one program hash it
 * once. When snapshotting, the binary is captured so that the snapshot gives
 * the same hash. */
struct hash_cache {
	dev_t dev;
	ino_t ino;
	off_t size;
	time_t mtime;
	const char *mntns, *exe;   /* the path it was reached by (borrowed from a proc) */
	char hex[65];
};

struct exe_cache {
	struct hash_cache *items;
	size_t n;
	struct hashtab by_path;   /* (mount namespace, path) -> item + 1 */
	struct hashtab by_file;   /* (dev, inode, size, mtime) -> item + 1 */
};

static uint64_t path_key_hash(const char *mntns, const char *exe)
{
	return hashtab_hash(exe, strlen(exe), hashtab_hash(mntns, strlen(mntns), 0));
}

static bool same_path(uintptr_t value, const void *key, const void *ctx)
{
	const struct hash_cache *c = &((const struct exe_cache *)ctx)->items[value - 1];
	const struct proc *p = key;
	return c->exe && strcmp(c->exe, p->exe) == 0 && strcmp(c->mntns, p->mntns) == 0;
}

static uint64_t file_key_hash(const struct stat *st)
{
	const uint64_t id[4] = { st->st_dev, st->st_ino, (uint64_t)st->st_size, (uint64_t)st->st_mtime };
	return hashtab_hash(id, sizeof(id), 0);
}

static bool same_file(uintptr_t value, const void *key, const void *ctx)
{
	const struct hash_cache *c = &((const struct exe_cache *)ctx)->items[value - 1];
	const struct stat *st = key;
	return c->dev == st->st_dev && c->ino == st->st_ino && c->size == st->st_size && c->mtime == st->st_mtime;
}

/* A file still on disk is the same file for every process of one mount
 * namespace that runs it by the same path: no need to open it again. A
 * deleted one is not (two upgrades can leave two at one path). */
static const char *cached_by_path(const struct proc *p, const struct exe_cache *cache)
{
	uintptr_t v;

	if (p->exe == NULL || p->exe_deleted || p->mntns == NULL)
		return NULL;
	v = hashtab_find(&cache->by_path, path_key_hash(p->mntns, p->exe), same_path, p, cache);
	return v ? cache->items[v - 1].hex : NULL;
}

static void cache_add(struct exe_cache *cache, const struct proc *p, const struct stat *st, const char hex[65])
{
	struct hash_cache *c;

	cache->items = xreallocarray(cache->items, cache->n + 1, sizeof(*cache->items));
	c = &cache->items[cache->n++];
	*c = (struct hash_cache){ st->st_dev, st->st_ino, st->st_size, st->st_mtime, p->mntns,
				  p->exe_deleted ? NULL : p->exe, "" };
	memcpy(c->hex, hex, sizeof(c->hex));
	if (hashtab_add(&cache->by_file, file_key_hash(st), cache->n) != 0 ||
	    (c->exe && c->mntns && hashtab_add(&cache->by_path, path_key_hash(c->mntns, c->exe), cache->n) != 0))
		out_of_memory();
}

static void exe_cache_free(struct exe_cache *cache)
{
	free(cache->items);
	hashtab_free(&cache->by_path);
	hashtab_free(&cache->by_file);
}

static void hash_exe(struct scan *s, struct proc *p, struct exe_cache *cache)
{
	const struct sysroot *sr = s->ctx->sysroot;
	/* In a captured tree /proc/PID/exe is a plain link resolved against the
	 * tree's root, which is not a container's: go through its root instead. */
	char *path = !sysroot_is_live(sr) && p->own_root && p->exe && p->exe[0] == '/'
		? xasprintf("/proc/%d/root%s", p->pid, p->exe) : proc_path(p->pid, "exe");
	struct stat st;
	const char *known = cached_by_path(p, cache);
	uintptr_t same;
	int fd;

	if (known) {
		p->exe_sha256 = xstrdup(known);
		free(path);
		return;
	}
	fd = sysroot_open_file(sr, path);
	if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
		goto out;
	if (sysroot_check_size(sr, path, &st, EXE_HASH_MAX) != 0) {
		probe_limitation(s->ctx, path, "%s: executable not hashed", sysroot_strerror(sr, errno));
		goto out;
	}
	same = hashtab_find(&cache->by_file, file_key_hash(&st), same_file, &st, cache);
	if (same != 0) {
		p->exe_sha256 = xstrdup(cache->items[same - 1].hex);
		goto out;
	}
	if (sr->recorder && p->own_root && sysroot_is_live(sr)) {
		container_files_not_captured(s);
	} else if (sr->recorder && (size_t)st.st_size <= EXE_RECORD_MAX) {
		/* read once more through the recorder so the snapshot holds the binary */
		char *data = NULL;
		size_t len;
		if (sysroot_read_file_max(sr, path, EXE_RECORD_MAX, &data, &len) == 0)
			free(data);
	} else if (sr->recorder) {
		probe_limitation(s->ctx, p->exe ? p->exe : path, "executable larger than %u MiB: not captured in the snapshot",
				 EXE_RECORD_MAX >> 20);
	}
	{
		char hex[65], err[256];
		uint64_t size;
		if (filehash_sha256_fd(sr, fd, path, EXE_HASH_MAX, NULL, hex, &size, err, sizeof(err)) != 0) {
			probe_limitation(s->ctx, path, "%s: executable not hashed", err);
			goto out;
		}
		cache_add(cache, p, &st, hex);
		p->exe_sha256 = xstrdup(hex);
	}
out:
	if (fd >= 0)
		close(fd);
	free(path);
}

/* --- sockets, one table per network namespace ------------------------------------- */

static int load_procnet(struct scan *s, int pid, struct sock_table *t)
{
	static const struct { const char *name; int proto, family, required; } files[] = {
		{ "tcp", SOCK_PROTO_TCP, AF_INET, 1 }, { "tcp6", SOCK_PROTO_TCP, AF_INET6, 0 },
		{ "udp", SOCK_PROTO_UDP, AF_INET, 1 }, { "udp6", SOCK_PROTO_UDP, AF_INET6, 0 },
		{ "unix", SOCK_PROTO_UNIX, AF_UNIX, 1 },
	};

	for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
		char *path = xasprintf("/proc/%d/net/%s", pid, files[i].name), *data = NULL, err[256];
		size_t len;
		int rc;

		if (sysroot_read_file_max(s->ctx->sysroot, path, PROCNET_MAX, &data, &len) != 0) {
			int e = errno;
			free(path);
			if (!files[i].required && e == ENOENT)
				continue;     /* no IPv6 on this machine */
			errno = e;
			return -1;
		}
		rc = files[i].proto == SOCK_PROTO_UNIX ? procnet_parse_unix(t, data, len, err, sizeof(err))
			: procnet_parse_inet(t, data, len, files[i].proto, files[i].family, err, sizeof(err));
		if (rc != 0)
			probe_fail(s->ctx, "%s: %s", path, err);
		free(data);
		free(path);
		if (rc != 0)
			return -2;
	}
	return 0;
}

/* Does this namespace belong to chipaudit itself (netlink sees it)? */
static int own_netns(struct scan *s, const char *netns)
{
	char *self = NULL;
	int same;

	if (netns == NULL || sysroot_readlink(s->ctx->sysroot, "/proc/self/ns/net", &self) != 0)
		return 0;
	same = strcmp(self, netns) == 0;
	free(self);
	return same;
}

static void resolve_group(struct scan *s, struct proc **members, size_t n)
{
	const struct sysroot *sr = s->ctx->sysroot;
	struct sock_table *t = sock_table_new();
	int loaded = 0, e = 0;
	char err[256];

	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < members[i]->nsocks; j++)
			sock_table_want(t, members[i]->socks[j].inode);
	/* Live and not recording: netlink, as ss does. A snapshot records the
	 * /proc/PID/net files instead, so that --root reads the same tables. */
	if (sysroot_is_live(sr) && sr->recorder == NULL && own_netns(s, members[0]->netns) &&
	    sockdiag_dump_all(t, err, sizeof(err)) == 0)
		loaded = 1;
	if (!loaded) {
		sock_table_free(t);
		t = sock_table_new();
		for (size_t i = 0; i < n; i++)
			for (size_t j = 0; j < members[i]->nsocks; j++)
				sock_table_want(t, members[i]->socks[j].inode);
		for (size_t i = 0; i < n && !loaded; i++) {
			int rc = load_procnet(s, members[i]->pid, t);
			if (rc == -2)
				break;          /* malformed: the probe has failed */
			if (rc == 0)
				loaded = 1;
			else if (e == 0)
				e = errno;
		}
	}
	if (!loaded) {
		if (!s->ctx->failed)
			probe_limitation(s->ctx, members[0]->netns ? members[0]->netns : "/proc/PID/net",
					 "socket tables of this network namespace could not be read (%s): the sockets of %zu process%s are unknown",
					 sysroot_strerror(s->ctx->sysroot, e ? e : ENOENT), n, n == 1 ? "" : "es");
		sock_table_free(t);
		return;
	}
	s->tables = xreallocarray(s->tables, s->ntables + 1, sizeof(*s->tables));
	s->tables[s->ntables++] = t;
	for (size_t i = 0; i < n; i++)
		members[i]->sockets = t;
}

/* Group by namespace, by pid within it; a process whose namespace is
 * unknown is a group of its own, after the others. */
static int cmp_netns(const void *a, const void *b)
{
	const struct proc *x = *(struct proc *const *)a, *y = *(struct proc *const *)b;
	int c;

	if (x->netns == NULL || y->netns == NULL)
		c = x->netns ? -1 : y->netns ? 1 : 0;
	else
		c = strcmp(x->netns, y->netns);
	return c ? c : (x->pid > y->pid) - (x->pid < y->pid);
}

static void resolve_sockets(struct scan *s)
{
	struct proc **v = xreallocarray(NULL, s->nprocs + 1, sizeof(*v));
	size_t n = 0;

	for (size_t i = 0; i < s->nprocs; i++)
		if (s->procs[i].inspectable && s->procs[i].nsocks > 0)
			v[n++] = &s->procs[i];
	qsort(v, n, sizeof(*v), cmp_netns);
	for (size_t i = 0; i < n && !s->ctx->failed;) {
		size_t j = i + 1;
		while (j < n && v[i]->netns && v[j]->netns && strcmp(v[i]->netns, v[j]->netns) == 0)
			j++;
		resolve_group(s, v + i, j - i);
		i = j;
	}
	free(v);
}

/* --- users -------------------------------------------------------------------- */

struct user {
	int64_t uid;
	size_t line;      /* the first line for a uid wins, as getpwuid(3) does */
	char *name;
};

static int cmp_uid(const void *a, const void *b)
{
	const struct user *x = a, *y = b;
	return (x->uid > y->uid) - (x->uid < y->uid);
}

static int cmp_user(const void *a, const void *b)
{
	const struct user *x = a, *y = b;
	int c = cmp_uid(a, b);
	return c ? c : (x->line > y->line) - (x->line < y->line);
}

/* /etc/passwd "name:password:uid:..." read once; users known only to NSS
 * (LDAP, SSSD) have no name here and are shown by uid. */
static void load_passwd(struct scan *s)
{
	char *data = NULL, *save = NULL;

	s->passwd_read = 1;
	if (sysroot_read_file_max(s->ctx->sysroot, "/etc/passwd", SYSROOT_TABLE_MAX, &data, NULL) != 0)
		return;
	for (char *line = strtok_r(data, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *c1 = strchr(line, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL, *c3 = c2 ? strchr(c2 + 1, ':') : NULL;
		int64_t v;
		if (c3 == NULL)
			continue;
		*c3 = '\0';
		if (parse_i64(c2 + 1, 10, &v) != 0 || v < 0 || v > UINT32_MAX)
			continue;
		s->users = xreallocarray(s->users, s->nusers + 1, sizeof(*s->users));
		s->users[s->nusers].uid = v;
		s->users[s->nusers].line = s->nusers;
		s->users[s->nusers].name = xstrndup(line, (size_t)(c1 - line));
		s->nusers++;
	}
	free(data);
	if (s->nusers > 1)
		qsort(s->users, s->nusers, sizeof(*s->users), cmp_user);
}

static char *user_name(struct scan *s, int64_t uid)
{
	struct user key = { uid, 0, NULL }, *hit;

	if (uid < 0)
		return NULL;
	if (!s->passwd_read)
		load_passwd(s);
	hit = s->nusers ? bsearch(&key, s->users, s->nusers, sizeof(*s->users), cmp_uid) : NULL;
	if (hit == NULL)
		return NULL;
	while (hit > s->users && hit[-1].uid == uid)
		hit--;
	return xstrdup(hit->name);
}

/* --- facts ------------------------------------------------------------------------ */

static const char *family_name(int family)
{
	return family == AF_INET6 ? "ipv6" : "ipv4";
}

static json_t *address_json(const struct sock_entry *e, const uint8_t addr[16])
{
	char buf[INET6_ADDRSTRLEN];

	if (inet_ntop(e->family == AF_INET6 ? AF_INET6 : AF_INET, addr, buf, sizeof(buf)) == NULL)
		return json_null();
	return json_string(buf);
}

static json_t *socket_json(const struct proc *p, const struct fd_socket *fs)
{
	const struct sock_entry *e = p->sockets ? sock_table_get(p->sockets, fs->inode) : NULL;
	json_t *o = json_object();

	jset_int(o, "fd", fs->fd);
	jset_int(o, "inode", (json_int_t)fs->inode);
	if (e == NULL) {
		/* netlink, packet, vsock... sockets, or one opened or closed meanwhile */
		jset_str(o, "protocol", p->sockets ? "other" : "unknown");
		return o;
	}
	if (e->proto == SOCK_PROTO_UNIX) {
		jset_str(o, "protocol", "unix");
		jset_str(o, "type", sock_unix_type_name(e->unix_type));
		jset_str(o, "state", sock_state_name(e));
		jset_str(o, "path", e->path);
		return o;
	}
	jset_str(o, "protocol", e->proto == SOCK_PROTO_TCP ? "tcp" : "udp");
	jset_str(o, "family", family_name(e->family));
	jset_str(o, "state", sock_state_name(e));
	jset(o, "local_address", address_json(e, e->local));
	jset_int(o, "local_port", e->local_port);
	jset(o, "remote_address", address_json(e, e->remote));
	jset_int(o, "remote_port", e->remote_port);
	return o;
}

static void set_id(json_t *o, const char *key, int64_t v)
{
	jset(o, key, v >= 0 ? json_integer(v) : NULL);
}

/* "docker-<64 hex>.scope", ".../docker/<64 hex>", "cri-containerd-<id>.scope",
 * "crio-<id>.scope", "libpod-<id>.scope" -> "docker:<id>" etc. */
static char *container_of(const char *cgroup)
{
	static const struct { const char *prefix, *runtime; } kinds[] = {
		{ "docker-", "docker" }, { "cri-containerd-", "containerd" }, { "crio-", "cri-o" },
		{ "libpod-", "podman" },
	};
	const char *p = cgroup;

	while (p && *p) {
		const char *seg = p + (*p == '/'), *end = strchr(seg, '/');
		size_t n = end ? (size_t)(end - seg) : strlen(seg);
		for (size_t k = 0; k < ARRAY_SIZE(kinds); k++) {
			size_t pl = strlen(kinds[k].prefix);
			if (n == pl + 64 + 6 && strncmp(seg, kinds[k].prefix, pl) == 0 &&
			    strncmp(seg + pl + 64, ".scope", 6) == 0)
				return xasprintf("%s:%.64s", kinds[k].runtime, seg + pl);
		}
		if (n == 64 && seg - cgroup >= 7 && strncmp(seg - 7, "docker/", 7) == 0)
			return xasprintf("docker:%.64s", seg);
		p = end;
	}
	return NULL;
}

/* The systemd unit: the last .service or .scope component. */
static char *unit_of(const char *cgroup)
{
	const char *best = NULL;
	size_t bestlen = 0;

	for (const char *p = cgroup; p && *p;) {
		const char *seg = p + (*p == '/'), *end = strchr(seg, '/');
		size_t n = end ? (size_t)(end - seg) : strlen(seg);
		if ((n > 8 && strncmp(seg + n - 8, ".service", 8) == 0) || (n > 6 && strncmp(seg + n - 6, ".scope", 6) == 0)) {
			best = seg;
			bestlen = n;
		}
		p = end;
	}
	return best ? xstrndup(best, bestlen) : NULL;
}

static json_t *process_json(struct scan *s, const struct proc *p)
{
	json_t *o = json_object(), *list;
	char *user = user_name(s, p->uid), *unit, *container;

	jset_int(o, "pid", p->pid);
	set_id(o, "uid", p->uid);
	jset_str(o, "user", user);
	jset_str(o, "command", p->comm);
	jset_bool(o, "inspectable", p->inspectable);
	free(user);
	if (!p->inspectable)
		return o;
	set_id(o, "ppid", p->ppid);
	jset(o, "cmdline", json_incref(p->cmdline));
	jset_str(o, "exe", p->exe);
	jset_bool(o, "exe_deleted", p->exe_deleted);
	jset_str(o, "exe_sha256", p->exe_sha256);
	jset_str(o, "exe_package", p->exe_owner);
	if (p->dbs_read >= 0) {
		list = json_array();
		if (p->dbs_read & PKGDB_DPKG)
			json_array_append_new(list, json_string("dpkg"));
		if (p->dbs_read & PKGDB_RPM)
			json_array_append_new(list, json_string("rpm"));
		jset(o, "package_databases", list);
	} else {
		jset(o, "package_databases", NULL);
	}
	jset_bool(o, "own_root", p->own_root);
	jset_str(o, "cgroup", p->cgroup);
	unit = p->cgroup ? unit_of(p->cgroup) : NULL;
	container = p->cgroup ? container_of(p->cgroup) : NULL;
	jset_str(o, "unit", unit);
	jset_str(o, "container", container);
	free(unit);
	free(container);
	list = json_array();
	for (size_t i = 0; i < p->ndevices; i++)
		json_array_append_new(list, json_string_lossy(p->devices[i]));
	jset(o, "devices", list);
	jset_bool(o, "sockets_resolved", p->nsocks == 0 || p->sockets != NULL);
	list = json_array();
	for (size_t i = 0; i < p->nsocks; i++)
		json_array_append_new(list, socket_json(p, &p->socks[i]));
	jset(o, "sockets", list);
	return o;
}

static json_t *daemons_json(struct scan *s)
{
	json_t *list = json_array();

	for (size_t d = 0; d < s->data.ndaemons; d++) {
		const struct daemon_def *def = &s->data.daemons[d];
		json_t *o = json_object(), *procs = json_array();
		for (size_t i = 0; i < s->nprocs; i++)
			if (s->procs[i].daemon == def)
				json_array_append_new(procs, process_json(s, &s->procs[i]));
		jset_str(o, "name", def->name);
		jset_str(o, "vendor", def->vendor);
		jset_bool(o, "running", json_array_size(procs) > 0);
		jset(o, "processes", procs);
		json_array_append_new(list, o);
	}
	return list;
}

static json_t *section_json(struct scan *s)
{
	json_t *sec = json_object(), *list = json_array(), *users = json_array(), *hidden = json_array();

	for (size_t i = 0; i < s->data.npatterns; i++)
		json_array_append_new(list, json_string_lossy(s->data.patterns[i]));
	jset(sec, "device_node_patterns", list);
	for (size_t i = 0; i < s->nprocs; i++) {
		const struct proc *p = &s->procs[i];
		if (p->inspectable && p->device_user)
			json_array_append_new(users, process_json(s, p));
		else if (!p->inspectable)
			json_array_append_new(hidden, process_json(s, p));
	}
	jset(sec, "device_users", users);
	jset(sec, "daemons", daemons_json(s));
	jset(sec, "not_inspectable", hidden);
	return sec;
}

/* --- the probe ---------------------------------------------------------------- */

static int *list_pids(struct scan *s, size_t *count)
{
	char **names = NULL;
	size_t n = 0, k = 0;
	int *pids;

	*count = 0;
	if (sysroot_list_dir(s->ctx->sysroot, "/proc", &names, &n) != 0) {
		probe_limitation(s->ctx, "/proc", "%s: processes and their sockets not examined", sysroot_strerror(s->ctx->sysroot, errno));
		return NULL;
	}
	pids = xreallocarray(NULL, n + 1, sizeof(*pids));
	for (size_t i = 0; i < n; i++) {
		uint64_t v;
		if (parse_u64(names[i], 10, &v) == 0 && v > 0 && v <= INT32_MAX && names[i][0] != '0')
			pids[k++] = (int)v;
	}
	sysroot_free_names(names);
	if (k == 0) {
		probe_limitation(s->ctx, "/proc", "no process directories: processes and their sockets not examined");
		free(pids);
		return NULL;
	}
	qsort(pids, k, sizeof(*pids), cmp_int);
	*count = k;
	return pids;
}

static void read_details(struct scan *s)
{
	struct exe_cache cache = { 0 };

	for (size_t i = 0; i < s->nprocs && !s->ctx->failed; i++) {
		struct proc *p = &s->procs[i];
		if (!p->inspectable)
			continue;
		if (p->ndevices > 1)
			qsort(p->devices, p->ndevices, sizeof(*p->devices), cmp_str);
		if (p->nsocks > 1)
			qsort(p->socks, p->nsocks, sizeof(*p->socks), cmp_socket);
		read_status(s, p);
		read_cmdline(s, p);
		read_cgroup(s, p);
		read_exe(s, p);
		p->mntns = read_proc_link(s, p->pid, "ns/mnt");
	}
	mark_containers(s);
	for (size_t i = 0; i < s->nprocs && !s->ctx->failed; i++) {
		struct proc *p = &s->procs[i];
		if (!p->inspectable)
			continue;
		if (p->own_root && !sysroot_is_live(s->ctx->sysroot)) {
			/* record the link into the tree, so a snapshot of this tree holds it */
			char *root = read_proc_link(s, p->pid, "root");
			free(root);
		}
		hash_exe(s, p, &cache);
	}
	exe_cache_free(&cache);
}

/* Package ownership, per root: the machine's for its own processes, each
 * container's (through /proc/PID/root) for processes in other mount
 * namespaces, whose executables the host's database knows nothing of. */
static int cmp_root(const void *a, const void *b)
{
	const struct proc *x = *(struct proc *const *)a, *y = *(struct proc *const *)b;
	int c = x->own_root - y->own_root;

	if (c == 0 && x->own_root)
		c = strcmp(x->mntns, y->mntns);
	return c ? c : (x->pid > y->pid) - (x->pid < y->pid);
}

static void owners_of_group(struct scan *s, struct proc **v, size_t n)
{
	struct pkg_query *q = xreallocarray(NULL, n, sizeof(*q));
	char *prefix = v[0]->own_root ? xasprintf("/proc/%d/root", v[0]->pid) : xstrdup("");
	unsigned dbs = 0;

	for (size_t i = 0; i < n; i++)
		q[i].path = v[i]->exe;
	pkgdb_lookup(s->ctx, prefix, q, n, &dbs);
	for (size_t i = 0; i < n; i++) {
		v[i]->exe_owner = q[i].owner;
		v[i]->dbs_read = (int)dbs;
	}
	if (dbs == 0 && !s->ctx->failed)
		probe_limitation(s->ctx, v[0]->own_root ? prefix : "/var/lib/dpkg/info, /var/lib/rpm",
				 v[0]->own_root ? "no dpkg or rpm (SQLite) package database in this container's root: whether its executables belong to a package is unknown"
						: "no dpkg or rpm (SQLite) package database readable: whether executables belong to a package is unknown");
	free(prefix);
	free(q);
}

static void owners(struct scan *s)
{
	struct proc **v = xreallocarray(NULL, s->nprocs + 1, sizeof(*v));
	size_t n = 0;

	for (size_t i = 0; i < s->nprocs; i++) {
		struct proc *p = &s->procs[i];
		p->dbs_read = -1;
		if (!p->inspectable || p->exe == NULL)
			continue;
		if (p->own_root && s->ctx->sysroot->recorder && sysroot_is_live(s->ctx->sysroot))
			container_files_not_captured(s);
		else
			v[n++] = p;
	}
	qsort(v, n, sizeof(*v), cmp_root);
	for (size_t i = 0; i < n && !s->ctx->failed;) {
		size_t j = i + 1;
		while (j < n && v[j]->own_root == v[i]->own_root &&
		       (!v[i]->own_root || strcmp(v[i]->mntns, v[j]->mntns) == 0))
			j++;
		owners_of_group(s, v + i, j - i);
		i = j;
	}
	free(v);
}

static void scan_free(struct scan *s)
{
	for (size_t i = 0; i < s->nprocs; i++)
		proc_free(&s->procs[i]);
	free(s->procs);
	for (size_t i = 0; i < s->ntables; i++)
		sock_table_free(s->tables[i]);
	free(s->tables);
	for (size_t i = 0; i < s->nusers; i++)
		free(s->users[i].name);
	free(s->users);
	spy_data_free(&s->data);
}

/* The attribution: every process's fd links in one pass, then the sockets
 * of those kept, per network namespace. */
static int attribute(struct scan *s)
{
	char err[512];
	size_t npids = 0;
	int *pids;

	if (spy_data_load(&s->data, (const char *const *)s->ctx->options->device_globs,
			  s->ctx->options->n_device_globs, err, sizeof(err)) != 0) {
		probe_fail(s->ctx, "%s", err);
		return -1;
	}
	pids = list_pids(s, &npids);
	if (pids == NULL)
		return -1;
	for (size_t i = 0; i < npids && !s->ctx->failed; i++)
		scan_process(s, pids[i]);
	free(pids);
	for (size_t i = 0; i < s->nprocs && !s->ctx->failed; i++)
		if (s->procs[i].inspectable && s->procs[i].nsocks > 0)
			s->procs[i].netns = read_proc_link(s, s->procs[i].pid, "ns/net");
	if (!s->ctx->failed)
		resolve_sockets(s);
	return s->ctx->failed ? -1 : 0;
}

int procs_attribute(struct probe_ctx *ctx, size_t *nprocs, size_t *nsockets)
{
	struct scan s;
	int rc;

	memset(&s, 0, sizeof(s));
	s.ctx = ctx;
	*nprocs = *nsockets = 0;
	rc = attribute(&s);
	for (size_t i = 0; i < s.nprocs; i++) {
		const struct proc *p = &s.procs[i];
		if (!p->device_user || !p->sockets)
			continue;
		(*nprocs)++;
		for (size_t j = 0; j < p->nsocks; j++)
			*nsockets += sock_table_get(p->sockets, p->socks[j].inode) != NULL;
	}
	scan_free(&s);
	return rc;
}

int probe_processes(struct probe_ctx *ctx)
{
	struct scan s;

	memset(&s, 0, sizeof(s));
	s.ctx = ctx;
	json_object_set_new(ctx->facts, "processes", json_null());
	if (attribute(&s) != 0) {
		scan_free(&s);
		return -1;
	}
	read_details(&s);
	if (!ctx->failed)
		owners(&s);
	if (!ctx->failed && s.not_inspectable > 0)
		probe_limitation(ctx, "/proc/PID/fd",
				 "%zu process%s could not be inspected (%s): %s device nodes and sockets are unknown; run as root",
				 s.not_inspectable, s.not_inspectable == 1 ? "" : "es",
				 s.first_errno == ENOENT ? "their open files are not in the capture" : strerror(s.first_errno),
				 s.not_inspectable == 1 ? "its" : "their");
	if (!ctx->failed)
		json_object_set_new(ctx->facts, "processes", section_json(&s));
	scan_free(&s);
	return ctx->failed ? -1 : 0;
}
