/* Parsing the NVIDIA driver's XID reports in the kernel log (src/probe/xid.c). */
#ifndef CHIPAUDIT_XID_H
#define CHIPAUDIT_XID_H

#include <stdint.h>

/* Most recent XID events kept in facts. */
#define XID_EVENTS_MAX 1000

struct xid_event {
	char pci_address[24];    /* "0000:18:00.0" */
	int xid;
	long pid;                /* -1 when not given */
	char process[64];        /* "" when not given */
	char text[520];          /* the driver's words after the XID number */
};

/* One kernel log message. Returns 1 and fills EV for an XID report, 0 for
 * any other message, -1 for "NVRM: Xid" text that does not parse. */
int xid_parse_message(const char *msg, struct xid_event *ev);

/* One /dev/kmsg record line "PRIORITY,SEQUENCE,USEC,FLAGS[,...];TEXT".
 * Returns 0 with the sequence, the microseconds since boot and the text. */
int kmsg_parse_record(const char *line, uint64_t *seq, uint64_t *usec, const char **text);

#endif
