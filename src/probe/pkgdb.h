/* Which installed package owns a file: the dpkg database
 * (/var/lib/dpkg/info/PACKAGE.list) and the rpm database in its SQLite form
 * (rpmdb.sqlite, RPM 4.16 and later), both read through the sysroot.
 *
 * Paths are compared after folding the merged-/usr aliases (/bin, /sbin,
 * /lib, /lib64 -> /usr/...), since a package may list /bin/foo while the
 * kernel reports the executable as /usr/bin/foo. */
#ifndef CHIPAUDIT_PKGDB_H
#define CHIPAUDIT_PKGDB_H

#include <stddef.h>
#include <stdint.h>

struct probe_ctx;

struct pkg_query {
	const char *path;    /* absolute path on the audited machine */
	char *owner;         /* out: "dpkg:PACKAGE" or "rpm:PACKAGE", NULL when not owned (malloc'd) */
};

/* Look every query up in the databases under PREFIX ("" for the machine's
 * root, "/proc/PID/root" for a container's). *dbs gets a bitmask of the
 * databases that were read (PKGDB_DPKG, PKGDB_RPM); a database that exists
 * but cannot be read is a limitation; a malformed one stops the probe
 * (probe_fail). */
enum { PKGDB_DPKG = 1, PKGDB_RPM = 2 };
void pkgdb_lookup(struct probe_ctx *ctx, const char *prefix, struct pkg_query *q, size_t n, unsigned *dbs);

/* The merged-/usr form of PATH ("/bin/x" -> "/usr/bin/x"). Caller frees. */
char *pkgdb_fold_usr(const char *path, size_t len);
/* The same into BUF; NULL when it does not fit. */
char *pkgdb_fold_usr_into(const char *path, size_t len, char *buf, size_t size);

#endif
