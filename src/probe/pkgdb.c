/* Package ownership of executables, from the dpkg and rpm databases.
 *
 * dpkg: /var/lib/dpkg/info/PACKAGE.list (or PACKAGE:ARCH.list) holds one
 * installed path per line (dpkg(1), "Files" in deb-split(5) and dpkg's own
 * src/main/filesdb.c).
 * rpm: rpmdb.sqlite (RPM 4.16+, Fedora 33+, RHEL 9), table Packages(hnum,
 * blob); each blob is an RPM header: be32 index count, be32 data length,
 * 16-byte index entries {tag, type, offset, count} and the data store
 * (rpm's lib/header.c, headerImport). Files are DIRNAMES[DIRINDEXES[i]] +
 * BASENAMES[i]. The Berkeley DB (RHEL 8 and older) and NDB (SUSE) formats
 * are not read: that is stated as a limitation. */
#include "pkgdb.h"

#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/sysroot.h"
#include "core/util.h"
#include "parse/rpmheader.h"
#include "probe/probe.h"

#define DPKG_INFO "/var/lib/dpkg/info"
#define LIST_MAX SYSROOT_TABLE_MAX
/* rpmdb.sqlite of a large Fedora or RHEL install is 100 to 200 MB */
#define RPMDB_MAX (512u << 20)

static const char *const rpmdb_paths[] = {
	"/var/lib/rpm/rpmdb.sqlite",
	"/usr/lib/sysimage/rpm/rpmdb.sqlite",
};
static const char *const rpm_legacy_paths[] = {
	"/var/lib/rpm/Packages",        /* Berkeley DB */
	"/var/lib/rpm/Packages.db",     /* NDB */
	"/usr/lib/sysimage/rpm/Packages.db",
};

char *pkgdb_fold_usr_into(const char *path, size_t len, char *buf, size_t size)
{
	static const char *const merged[] = { "/bin/", "/sbin/", "/lib/", "/lib64/", "/lib32/", "/libx32/" };
	size_t prefix = 0;

	for (size_t i = 0; i < ARRAY_SIZE(merged); i++) {
		size_t n = strlen(merged[i]);
		if (len >= n && strncmp(path, merged[i], n) == 0) {
			prefix = 4;
			break;
		}
	}
	if (prefix + len + 1 > size)
		return NULL;
	memcpy(buf, "/usr", prefix);
	memcpy(buf + prefix, path, len);
	buf[prefix + len] = '\0';
	return buf;
}

char *pkgdb_fold_usr(const char *path, size_t len)
{
	char *buf = xmalloc(len + 5);
	return pkgdb_fold_usr_into(path, len, buf, len + 5);
}

/* The wanted paths, folded and sorted, each pointing back at its query. */
struct wanted {
	char *folded;
	struct pkg_query *q;
};

struct lookup {
	struct wanted *w;
	size_t n;
	size_t open;      /* queries still without an owner */
};

static int cmp_wanted(const void *a, const void *b)
{
	return strcmp(((const struct wanted *)a)->folded, ((const struct wanted *)b)->folded);
}

/* Give every query whose folded path is PATH (LEN bytes) the owner DB:PKG.
 * Called for each of the hundreds of thousands of lines of a dpkg database:
 * folds into a buffer on the stack, no allocation. */
static void claim(struct lookup *lk, const char *path, size_t len, const char *db, const char *pkg)
{
	char folded[4096 + 8];
	char *f = pkgdb_fold_usr_into(path, len, folded, sizeof(folded));
	struct wanted key = { f, NULL };
	struct wanted *hit;

	if (f == NULL)
		return;        /* longer than any path the kernel reports */
	hit = bsearch(&key, lk->w, lk->n, sizeof(*lk->w), cmp_wanted);
	if (hit) {
		/* several queries may share a path: walk to the first of the run */
		while (hit > lk->w && strcmp(hit[-1].folded, f) == 0)
			hit--;
		for (; hit < lk->w + lk->n && strcmp(hit->folded, f) == 0; hit++) {
			if (hit->q->owner == NULL) {
				hit->q->owner = xasprintf("%s:%s", db, pkg);
				lk->open--;
			}
		}
	}
}

/* --- dpkg ---------------------------------------------------------------- */

static int read_dpkg(struct probe_ctx *ctx, const char *prefix, struct lookup *lk)
{
	char **names = NULL, *info = xasprintf("%s%s", prefix, DPKG_INFO);
	size_t count = 0;

	if (sysroot_list_dir(ctx->sysroot, info, &names, &count) != 0) {
		if (errno != ENOENT && errno != ENOTDIR)
			probe_limitation(ctx, info, "%s: dpkg ownership of executables unknown", sysroot_strerror(ctx->sysroot, errno));
		free(info);
		return 0;
	}
	for (size_t i = 0; i < count && lk->open > 0; i++) {
		size_t n = strlen(names[i]), len;
		char *path, *data, *pkg;
		const char *p, *end;

		if (n <= 5 || strcmp(names[i] + n - 5, ".list") != 0)
			continue;
		path = path_join(info, names[i]);
		if (sysroot_read_file_max(ctx->sysroot, path, LIST_MAX, &data, &len) != 0) {
			probe_limitation(ctx, path, "%s: files of this package not checked", sysroot_strerror(ctx->sysroot, errno));
			free(path);
			continue;
		}
		pkg = xstrndup(names[i], n - 5);
		for (p = data, end = data + len; p < end;) {
			const char *nl = memchr(p, '\n', (size_t)(end - p));
			const char *eol = nl ? nl : end;
			if (eol > p && *p == '/')
				claim(lk, p, (size_t)(eol - p), "dpkg", pkg);
			p = nl ? nl + 1 : end;
		}
		free(pkg);
		free(data);
		free(path);
	}
	sysroot_free_names(names);
	free(info);
	return PKGDB_DPKG;
}

static int rpm_claim(void *arg, const char *package, const char *dir, const char *base)
{
	struct lookup *lk = arg;
	char *path = xasprintf("%s%s", dir, base);

	claim(lk, path, strlen(path), "rpm", package);
	free(path);
	return lk->open == 0;
}

/* Refuse what a hostile database could do to its reader: no views or
 * triggers run, no trusted schema, and a bound on the work done. */
static int harden(sqlite3 *db)
{
	int off = 0;

	if (sqlite3_db_config(db, SQLITE_DBCONFIG_DEFENSIVE, 1, &off) != SQLITE_OK ||
	    sqlite3_db_config(db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, &off) != SQLITE_OK ||
	    sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_TRIGGER, 0, &off) != SQLITE_OK ||
	    sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_VIEW, 0, &off) != SQLITE_OK)
		return -1;
	sqlite3_limit(db, SQLITE_LIMIT_LENGTH, RPM_HEADER_MAX);
	return 0;
}

static int query_rpm(struct probe_ctx *ctx, const char *path, sqlite3 *db, struct lookup *lk)
{
	sqlite3_stmt *st = NULL;
	char err[256];
	int rc;

	if (sqlite3_prepare_v2(db, "SELECT hnum, blob FROM Packages WHERE typeof(blob) = 'blob'", -1, &st, NULL) != SQLITE_OK) {
		probe_fail(ctx, "%s: not an rpm database: %s", path, sqlite3_errmsg(db));
		return -1;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && lk->open > 0) {
		const uint8_t *blob = sqlite3_column_blob(st, 1);
		int len = sqlite3_column_bytes(st, 1);
		if (rpm_header_files(blob, (size_t)(len > 0 ? len : 0), rpm_claim, lk, err, sizeof(err)) != 0) {
			probe_fail(ctx, "%s: package %lld: %s", path, (long long)sqlite3_column_int64(st, 0), err);
			sqlite3_finalize(st);
			return -1;
		}
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		probe_fail(ctx, "%s: %s", path, sqlite3_errmsg(db));
		sqlite3_finalize(st);
		return -1;
	}
	sqlite3_finalize(st);
	return 0;
}

static int read_rpm(struct probe_ctx *ctx, const char *prefix, struct lookup *lk)
{
	for (size_t i = 0; i < ARRAY_SIZE(rpmdb_paths); i++) {
		char *buf = NULL, *path = xasprintf("%s%s", prefix, rpmdb_paths[i]);
		size_t len = 0;
		sqlite3 *db = NULL;
		int rc;

		if (sysroot_read_file_max(ctx->sysroot, path, RPMDB_MAX, &buf, &len) != 0) {
			if (errno != ENOENT && errno != ENOTDIR)
				probe_limitation(ctx, path, "%s: rpm ownership of executables unknown", sysroot_strerror(ctx->sysroot, errno));
			free(path);
			continue;
		}
		if (len < 100 || memcmp(buf, "SQLite format 3", 16) != 0) {
			probe_fail(ctx, "%s: not an SQLite database", path);
			free(buf);
			free(path);
			return 0;
		}
		/* A WAL-mode file read into memory must be opened in rollback mode. */
		buf[18] = buf[19] = 1;
		if (sqlite3_open_v2(":memory:", &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK || harden(db) != 0 ||
		    sqlite3_deserialize(db, "main", (unsigned char *)buf, (sqlite3_int64)len, (sqlite3_int64)len,
					SQLITE_DESERIALIZE_READONLY) != SQLITE_OK) {
			probe_fail(ctx, "%s: cannot open: %s", path, db ? sqlite3_errmsg(db) : "out of memory");
			sqlite3_close(db);
			free(buf);
			free(path);
			return 0;
		}
		rc = query_rpm(ctx, path, db, lk);
		sqlite3_close(db);
		free(buf);
		free(path);
		return rc == 0 ? PKGDB_RPM : 0;
	}
	for (size_t i = 0; i < ARRAY_SIZE(rpm_legacy_paths); i++) {
		char *path = xasprintf("%s%s", prefix, rpm_legacy_paths[i]);
		if (sysroot_exists(ctx->sysroot, path))
			probe_limitation(ctx, path,
					 "rpm database in Berkeley DB or NDB format, which chipaudit does not read: rpm ownership of executables unknown");
		free(path);
	}
	return 0;
}

void pkgdb_lookup(struct probe_ctx *ctx, const char *prefix, struct pkg_query *q, size_t n, unsigned *dbs)
{
	struct lookup lk = { xreallocarray(NULL, n ? n : 1, sizeof(struct wanted)), n, n };

	*dbs = 0;
	for (size_t i = 0; i < n; i++) {
		q[i].owner = NULL;
		lk.w[i].folded = pkgdb_fold_usr(q[i].path, strlen(q[i].path));
		lk.w[i].q = &q[i];
	}
	qsort(lk.w, n, sizeof(*lk.w), cmp_wanted);
	*dbs |= (unsigned)read_dpkg(ctx, prefix, &lk);
	if (!ctx->failed && lk.open > 0)
		*dbs |= (unsigned)read_rpm(ctx, prefix, &lk);
	for (size_t i = 0; i < n; i++)
		free(lk.w[i].folded);
	free(lk.w);
}
