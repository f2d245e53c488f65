/* PCI configuration space: the capability walker the DMA checks need.
 *
 * Input is the bytes of /sys/bus/pci/devices/<bdf>/config as read: 4096 as
 * root, 64 (or 256 on some kernels) otherwise. What lies beyond the bytes
 * read is unknown, never assumed absent. Layout: PCI Local Bus 3.0 (header,
 * capability list at 0x34), PCI Express Base 5.0 section 7.6 (extended
 * capabilities from 0x100), 7.7.7 (ACS), 10.5.1 (ATS). */
#ifndef CHIPAUDIT_PCICFG_H
#define CHIPAUDIT_PCICFG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <pci/header.h>

#define PCICFG_HEADER_SIZE 64
#define PCICFG_LEGACY_SIZE 256
#define PCICFG_EXT_SIZE 4096

/* PCI Express capability, device/port type (bits 7:4 of its register), by
 * libpci's names for them (<pci/header.h>). */
enum pcie_port_type {
	PCIE_TYPE_ENDPOINT = PCI_EXP_TYPE_ENDPOINT, PCIE_TYPE_LEGACY_ENDPOINT = PCI_EXP_TYPE_LEG_END,
	PCIE_TYPE_ROOT_PORT = PCI_EXP_TYPE_ROOT_PORT, PCIE_TYPE_UPSTREAM = PCI_EXP_TYPE_UPSTREAM,
	PCIE_TYPE_DOWNSTREAM = PCI_EXP_TYPE_DOWNSTREAM, PCIE_TYPE_PCIE_TO_PCI = PCI_EXP_TYPE_PCI_BRIDGE,
	PCIE_TYPE_PCI_TO_PCIE = PCI_EXP_TYPE_PCIE_BRIDGE, PCIE_TYPE_RC_INTEGRATED = PCI_EXP_TYPE_ROOT_INT_EP,
	PCIE_TYPE_RC_EVENT = PCI_EXP_TYPE_ROOT_EC,
};

/* ACS control bits (PCIe 5.0 7.7.8.3), libpci's constants. */
enum {
	ACS_SV = PCI_ACS_CTRL_VALID, ACS_TB = PCI_ACS_CTRL_BLOCK, ACS_RR = PCI_ACS_CTRL_REQ_RED,
	ACS_CR = PCI_ACS_CTRL_CMPLT_RED, ACS_UF = PCI_ACS_CTRL_FORWARD, ACS_EC = PCI_ACS_CTRL_EGRESS,
	ACS_DT = PCI_ACS_CTRL_TRANS,
};
/* What Linux requires of every port on the path for isolation
 * (drivers/pci/pci.c REQ_ACS_FLAGS and pci_std_enable_acs). */
#define ACS_REQUIRED (ACS_SV | ACS_RR | ACS_CR | ACS_UF)

struct pcicfg_info {
	size_t size;             /* bytes available */
	uint16_t vendor, device;
	int header_type;         /* 0 endpoint, 1 bridge, 2 CardBus */
	bool caps_readable;      /* the capability list (needs 256 bytes) */
	bool ext_readable;       /* extended capabilities (needs 4096 bytes) */
	bool pcie;               /* PCI Express capability present */
	int port_type;           /* enum pcie_port_type, -1 when not PCIe or unknown */
	bool ats_present, ats_enabled;
	uint16_t ats_cap, ats_ctrl;
	bool acs_present;
	uint16_t acs_cap, acs_ctrl;
	bool sriov_present;
	/* Set when the device's own capability chain is malformed (a loop, a
	 * pointer into the header or past the end). The device wrote it, so it
	 * is evidence, not a read error: MALFORMED says what is wrong and the
	 * capability fields above are not to be trusted. */
	char malformed[128];
};

/* Parse LEN bytes of configuration space. Returns 0 (info filled, perhaps
 * with info->malformed set), or -1 when the bytes cannot be configuration
 * space at all (fewer than 64): err says why. */
int pcicfg_parse(const unsigned char *cfg, size_t len, struct pcicfg_info *info, char *err, size_t errlen);

const char *pcie_port_type_name(int type);

#endif
