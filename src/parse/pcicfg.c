#include "parse/pcicfg.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* Where the extended capabilities start (PCIe 7.6.3); libpci has no name for it. */
#define PCI_EXT_CAP_START 0x100
/* At most 48 standard capabilities fit in 192 bytes (4 bytes each), as the
 * kernel's PCI_FIND_CAP_TTL; extended ones are dword aligned in 3840 bytes. */
#define CAP_TTL 48
#define EXT_CAP_TTL ((PCICFG_EXT_SIZE - PCI_EXT_CAP_START) / 4)

static uint16_t rd16(const unsigned char *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t rd32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void set_malformed(struct pcicfg_info *info, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void set_malformed(struct pcicfg_info *info, const char *fmt, ...)
{
	va_list ap;

	if (info->malformed[0] != '\0')
		return;
	va_start(ap, fmt);
	vsnprintf(info->malformed, sizeof(info->malformed), fmt, ap);
	va_end(ap);
}

/* The standard list: find the PCI Express capability and its port type. */
static void walk_caps(const unsigned char *cfg, struct pcicfg_info *info)
{
	unsigned pos = cfg[PCI_CAPABILITY_LIST] & 0xfc;
	unsigned char seen[PCICFG_LEGACY_SIZE] = { 0 };

	for (int ttl = 0; pos != 0; ttl++) {
		if (pos < PCICFG_HEADER_SIZE) {
			set_malformed(info, "capability pointer 0x%02x points into the header", pos);
			return;
		}
		if (seen[pos] || ttl >= CAP_TTL) {
			set_malformed(info, "capability list loops at 0x%02x", pos);
			return;
		}
		seen[pos] = 1;
		/* pos <= 0xfc, so the 4-byte capability header is inside 256 bytes */
		if (cfg[pos + PCI_CAP_LIST_ID] == PCI_CAP_ID_EXP && !info->pcie) {
			info->pcie = true;
			info->port_type = (rd16(cfg + pos + PCI_EXP_FLAGS) & PCI_EXP_FLAGS_TYPE) >> 4;
		}
		pos = cfg[pos + PCI_CAP_LIST_NEXT] & 0xfc;
	}
}

/* The extended list from 0x100: ATS, ACS and SR-IOV. */
static void walk_ext_caps(const unsigned char *cfg, struct pcicfg_info *info)
{
	unsigned pos = PCI_EXT_CAP_START;
	unsigned char seen[PCICFG_EXT_SIZE / 4] = { 0 };

	for (int ttl = 0; pos != 0; ttl++) {
		uint32_t header;
		unsigned id;

		if (pos < PCI_EXT_CAP_START || pos > PCICFG_EXT_SIZE - 8) {
			set_malformed(info, "extended capability pointer 0x%03x is outside 0x100-0xff8", pos);
			return;
		}
		if (seen[pos / 4] || ttl >= EXT_CAP_TTL) {
			set_malformed(info, "extended capability list loops at 0x%03x", pos);
			return;
		}
		seen[pos / 4] = 1;
		header = rd32(cfg + pos);
		/* 0 or all-ones at 0x100: no extended capabilities (PCIe 7.6.3) */
		if (header == 0 || header == 0xffffffffu)
			return;
		id = header & 0xffff;
		if (id == PCI_EXT_CAP_ID_ATS && !info->ats_present) {
			info->ats_present = true;
			info->ats_cap = rd16(cfg + pos + PCI_ATS_CAP);
			info->ats_ctrl = rd16(cfg + pos + PCI_ATS_CTRL);
			info->ats_enabled = (info->ats_ctrl & PCI_ATS_CTRL_ENABLE) != 0;
		} else if (id == PCI_EXT_CAP_ID_ACS && !info->acs_present) {
			info->acs_present = true;
			info->acs_cap = rd16(cfg + pos + PCI_ACS_CAP);
			info->acs_ctrl = rd16(cfg + pos + PCI_ACS_CTRL);
		} else if (id == PCI_EXT_CAP_ID_SRIOV) {
			info->sriov_present = true;
		}
		pos = (header >> 20) & 0xffc;
	}
}

int pcicfg_parse(const unsigned char *cfg, size_t len, struct pcicfg_info *info, char *err, size_t errlen)
{
	memset(info, 0, sizeof(*info));
	info->port_type = -1;
	info->size = len;
	if (len < PCICFG_HEADER_SIZE) {
		snprintf(err, errlen, "%zu bytes, expected at least the 64-byte header", len);
		return -1;
	}
	info->vendor = rd16(cfg);
	info->device = rd16(cfg + 2);
	info->header_type = cfg[PCI_HEADER_TYPE] & 0x7f;
	info->caps_readable = len >= PCICFG_LEGACY_SIZE;
	info->ext_readable = len >= PCICFG_EXT_SIZE;
	if (!info->caps_readable)
		return 0;
	if (rd16(cfg + PCI_STATUS) & PCI_STATUS_CAP_LIST)
		walk_caps(cfg, info);
	/* Extended capabilities exist only on PCI Express functions. */
	if (info->ext_readable && info->pcie && info->malformed[0] == '\0')
		walk_ext_caps(cfg, info);
	return 0;
}

const char *pcie_port_type_name(int type)
{
	switch (type) {
	case PCIE_TYPE_ENDPOINT: return "endpoint";
	case PCIE_TYPE_LEGACY_ENDPOINT: return "legacy endpoint";
	case PCIE_TYPE_ROOT_PORT: return "root port";
	case PCIE_TYPE_UPSTREAM: return "switch upstream port";
	case PCIE_TYPE_DOWNSTREAM: return "switch downstream port";
	case PCIE_TYPE_PCIE_TO_PCI: return "PCIe to PCI bridge";
	case PCIE_TYPE_PCI_TO_PCIE: return "PCI to PCIe bridge";
	case PCIE_TYPE_RC_INTEGRATED: return "root complex integrated endpoint";
	case PCIE_TYPE_RC_EVENT: return "root complex event collector";
	default: return "unknown";
	}
}
