/* RPM package headers as rpmdb.sqlite's Packages table stores them: a
 * header structure (RPM file format, "Header Structure": index entries of
 * tag, type, offset and count, then a data store), read for the package
 * name and its file list. Pure: bytes in, callbacks out, fuzzed
 * (tests/fuzz/fuzz_rpmheader.c). */
#include "parse/rpmheader.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"

enum {
	RPMTAG_NAME = 1000, RPMTAG_DIRINDEXES = 1116, RPMTAG_BASENAMES = 1117, RPMTAG_DIRNAMES = 1118,
	RPM_INT32_TYPE = 4, RPM_STRING_TYPE = 6, RPM_STRING_ARRAY_TYPE = 8,
};

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

struct rpm_entry {
	uint32_t type, offset, count;
	int present;
};

/* COUNT NUL-terminated strings at OFFSET in the data store; fills the array. */
static int rpm_strings(const uint8_t *data, uint32_t dl, const struct rpm_entry *e, const char ***out,
		       char *err, size_t errlen, const char *what)
{
	const char **v;
	uint32_t off = e->offset;

	if (e->count == 0 || e->count > dl) {
		snprintf(err, errlen, "%s: %u strings in a %u-byte data store", what, e->count, dl);
		return -1;
	}
	v = xreallocarray(NULL, e->count, sizeof(*v));
	for (uint32_t i = 0; i < e->count; i++) {
		const uint8_t *nul;
		if (off >= dl || (nul = memchr(data + off, '\0', dl - off)) == NULL) {
			free(v);
			snprintf(err, errlen, "%s: string %u runs past the data store", what, i);
			return -1;
		}
		v[i] = (const char *)data + off;
		off = (uint32_t)(nul - data) + 1;
	}
	*out = v;
	return 0;
}

int rpm_header_files(const uint8_t *blob, size_t len, rpm_file_fn fn, void *arg, char *err, size_t errlen)
{
	struct rpm_entry name = { 0 }, dirindexes = { 0 }, basenames = { 0 }, dirnames = { 0 };
	const char **names = NULL, **bases = NULL, **dirs = NULL;
	const uint8_t *index, *data;
	uint32_t il, dl;
	int rc = -1;

	if (len < 8) {
		snprintf(err, errlen, "header of %zu bytes, shorter than its preamble", len);
		return -1;
	}
	il = be32(blob);
	dl = be32(blob + 4);
	if (il < 1 || il > RPM_MAX_INDEX || dl > RPM_MAX_DATA || (size_t)il * 16 + dl > len - 8) {
		snprintf(err, errlen, "header claims %u index entries and %u data bytes in a %zu-byte blob", il, dl, len);
		return -1;
	}
	index = blob + 8;
	data = index + (size_t)il * 16;
	for (uint32_t i = 0; i < il; i++) {
		const uint8_t *e = index + (size_t)i * 16;
		uint32_t tag = be32(e);
		struct rpm_entry *slot = tag == RPMTAG_NAME ? &name : tag == RPMTAG_DIRINDEXES ? &dirindexes
				       : tag == RPMTAG_BASENAMES ? &basenames : tag == RPMTAG_DIRNAMES ? &dirnames : NULL;
		if (slot == NULL || slot->present)
			continue;
		slot->type = be32(e + 4);
		slot->offset = be32(e + 8);
		slot->count = be32(e + 12);
		slot->present = 1;
		if (slot->offset >= dl) {
			snprintf(err, errlen, "tag %u: offset %u past the %u-byte data store", tag, slot->offset, dl);
			return -1;
		}
	}
	if (!name.present || name.type != RPM_STRING_TYPE) {
		snprintf(err, errlen, "no package name (tag 1000) of type STRING");
		return -1;
	}
	name.count = 1;
	if (rpm_strings(data, dl, &name, &names, err, errlen, "name") != 0)
		return -1;
	if (!basenames.present) {          /* a package without files */
		rc = 0;
		goto out;
	}
	if (basenames.type != RPM_STRING_ARRAY_TYPE || !dirnames.present || dirnames.type != RPM_STRING_ARRAY_TYPE ||
	    !dirindexes.present || dirindexes.type != RPM_INT32_TYPE || dirindexes.count != basenames.count) {
		snprintf(err, errlen, "package %.64s: file list tags (1116-1118) missing or of the wrong type", names[0]);
		goto out;
	}
	if (dirindexes.offset % 4 != 0 || (uint64_t)dirindexes.offset + 4ull * dirindexes.count > dl) {
		snprintf(err, errlen, "package %.64s: directory indexes run past the data store", names[0]);
		goto out;
	}
	if (rpm_strings(data, dl, &basenames, &bases, err, errlen, "basenames") != 0 ||
	    rpm_strings(data, dl, &dirnames, &dirs, err, errlen, "dirnames") != 0)
		goto out;
	for (uint32_t i = 0; i < basenames.count; i++) {
		uint32_t d = be32(data + dirindexes.offset + 4 * i);
		if (d >= dirnames.count) {
			snprintf(err, errlen, "package %.64s: file %u names directory %u of %u", names[0], i, d, dirnames.count);
			goto out;
		}
		if (fn(arg, names[0], dirs[d], bases[i]) != 0)
			break;
	}
	rc = 0;
out:
	free(names);
	free(bases);
	free(dirs);
	return rc;
}

