#include "pcinames.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

/* Where distributions install it: Debian (pciutils' default), then Fedora. */
static const char *const pciids_paths[] = { "/usr/share/misc/pci.ids", "/usr/share/hwdata/pci.ids" };
/* pci.ids is about 1.4 MB; a file many times that is not it. */
#define PCIIDS_MAX (64u * 1024 * 1024)
/* Longer names are cut (libpci's buffer held 1024 bytes). */
#define NAME_MAX_LEN 255

static char *pciids;
static size_t pciids_len;
static bool pciids_tried;
/* the last vendor looked up (-1: none) and its lines in pciids */
static int cached_vendor = -1;
static const char *cached_block;
static size_t cached_block_len;

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* One entry line without its leading tabs: four hex digits, blanks, the
 * name. false for anything else (comments, classes, malformed lines). */
static bool parse_entry(const char *p, const char *end, uint16_t *id, const char **name, size_t *name_len)
{
	unsigned v = 0;

	if (end - p < 6)
		return false;
	for (int i = 0; i < 4; i++) {
		int d = hex_digit(p[i]);
		if (d < 0)
			return false;
		v = v << 4 | (unsigned)d;
	}
	p += 4;
	if (*p != ' ' && *p != '\t')
		return false;
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	while (end > p && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r'))
		end--;
	/* a NUL would end the name early: not a line pciutils wrote */
	if (p == end || memchr(p, '\0', (size_t)(end - p)) != NULL)
		return false;
	*id = (uint16_t)v;
	*name = p;
	*name_len = (size_t)(end - p) > NAME_MAX_LEN ? NAME_MAX_LEN : (size_t)(end - p);
	return true;
}

char *pciids_lookup(const char *data, size_t len, uint16_t vendor, bool device_too, uint16_t device)
{
	const char *p = data, *end = data + len, *name;
	bool in_vendor = false;
	size_t name_len;
	uint16_t id;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p)), *eol = nl ? nl : end, *line = p;
		int tabs = 0;

		p = nl ? nl + 1 : end;
		while (line < eol && *line == '\t' && tabs < 3)
			line++, tabs++;
		if (tabs == 0) {
			/* the device classes follow the vendors: nothing more to find */
			if (eol - line >= 2 && line[0] == 'C' && line[1] == ' ')
				break;
			if (!parse_entry(line, eol, &id, &name, &name_len))
				continue;
			if (in_vendor)
				break;   /* the vendor's devices are over */
			in_vendor = id == vendor;
			if (in_vendor && !device_too)
				return xstrndup(name, name_len);
		} else if (tabs == 1 && in_vendor && parse_entry(line, eol, &id, &name, &name_len) && id == device) {
			return xstrndup(name, name_len);
		}
	}
	return NULL;
}

/* The file, mapped once (only the pages a lookup reads are faulted in);
 * false when there is none. */
static bool load_pciids(void)
{
	if (pciids_tried)
		return pciids != NULL;
	pciids_tried = true;
	for (size_t i = 0; i < ARRAY_SIZE(pciids_paths) && pciids == NULL; i++) {
		int fd = open(pciids_paths[i], O_RDONLY | O_CLOEXEC);
		struct stat st;
		void *map;

		if (fd < 0)
			continue;
		if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 && (uint64_t)st.st_size <= PCIIDS_MAX) {
			map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
			if (map != MAP_FAILED) {
				pciids = map;
				pciids_len = (size_t)st.st_size;
			}
		}
		close(fd);
	}
	return pciids != NULL;
}

/* The lines of VENDOR's entry and its devices, from its line to the next
 * line that is neither a device, a comment nor blank: found once and kept,
 * since the GPUs of a host are mostly of one vendor, and NVIDIA's entry is a
 * quarter into the file. false when pci.ids has no such vendor. */
static bool vendor_block(uint16_t vendor, const char **start, size_t *len)
{
	const char *p, *end, *name;
	size_t name_len;
	uint16_t id;

	if (!load_pciids())
		return false;
	if (cached_vendor != (int)vendor) {
		cached_vendor = vendor;
		cached_block = NULL;
		end = pciids + pciids_len;
		for (p = pciids; p < end;) {
			const char *nl = memchr(p, '\n', (size_t)(end - p)), *eol = nl ? nl : end;
			if (cached_block == NULL) {
				if (eol - p >= 2 && p[0] == 'C' && p[1] == ' ')
					break;   /* the device classes: no vendor after them */
				if (parse_entry(p, eol, &id, &name, &name_len) && id == vendor)
					cached_block = p;
			} else if (p != eol && *p != '\t' && *p != '#') {
				break;
			}
			p = nl ? nl + 1 : end;
		}
		cached_block_len = cached_block ? (size_t)(p - cached_block) : 0;
	}
	*start = cached_block;
	*len = cached_block_len;
	return cached_block != NULL;
}

char *pcinames_vendor(uint16_t vendor)
{
	const char *block;
	size_t len;

	return vendor_block(vendor, &block, &len) ? pciids_lookup(block, len, vendor, false, 0) : NULL;
}

char *pcinames_device(uint16_t vendor, uint16_t device)
{
	const char *block;
	size_t len;

	return vendor_block(vendor, &block, &len) ? pciids_lookup(block, len, vendor, true, device) : NULL;
}

void pcinames_close(void)
{
	if (pciids)
		munmap(pciids, pciids_len);
	pciids = NULL;
	pciids_len = 0;
	pciids_tried = false;
	cached_vendor = -1;
	cached_block = NULL;
}
