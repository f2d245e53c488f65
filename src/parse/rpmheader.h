/* RPM package headers (rpmdb.sqlite's Packages blobs). */
#ifndef CHIPAUDIT_RPMHEADER_H
#define CHIPAUDIT_RPMHEADER_H

#include <stddef.h>
#include <stdint.h>

/* The largest header accepted: index entries and data store. */
enum { RPM_MAX_INDEX = 0xffff, RPM_MAX_DATA = 256 << 20 };
#define RPM_HEADER_MAX (RPM_MAX_DATA + 8 + RPM_MAX_INDEX * 16)

/* One RPM header blob (as stored in rpmdb.sqlite's Packages table). Calls
 * FN with the package name and each file path it lists; stops when FN
 * returns non-zero. Returns 0, or -1 with err on a malformed header. */
typedef int (*rpm_file_fn)(void *arg, const char *package, const char *dir, const char *base);
int rpm_header_files(const uint8_t *blob, size_t len, rpm_file_fn fn, void *arg, char *err, size_t errlen);


#endif
