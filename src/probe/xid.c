/* XID events: the NVIDIA driver's fault reports in the kernel log.
 *
 * Read from /dev/kmsg through the sysroot (Documentation/ABI/testing/
 * dev-kmsg): each record is "PRIORITY,SEQUENCE,MICROSECONDS,FLAGS[,...];TEXT"
 * followed by '\n', with optional continuation lines that start with a space.
 * Live, one read() returns one record and EAGAIN after the last (the file is
 * opened non-blocking); under --root /dev/kmsg is a plain file of the same
 * records. A snapshot keeps only the XID records, which is all the facts use.
 *
 * The driver writes (open-gpu-kernel-modules, NVRM):
 *   NVRM: Xid (PCI:0000:18:00): 79, pid=1234, name=python, GPU has fallen off the bus.
 *   NVRM: Xid (PCI:0000:65:00): 119, pid='N/A', Timeout waiting for RPC from GSP ...
 * and older drivers "NVRM: Xid (0000:01:00): 13, ..." without "PCI:". With
 * MIG the GPU instance follows the address: "(PCI:0000:01:00 GPU-I:05)".
 * A process the driver could not name is "pid='<unknown>', name=<unknown>":
 * recorded as no pid and no name.
 * The journal is not read: where /dev/kmsg is unreadable (not root, with
 * kernel.dmesg_restrict=1) that is stated as a limitation. */
#include "probe/xid.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/json.h"
#include "core/util.h"
#include "probe/probe.h"

#define KMSG "/dev/kmsg"
#define XID_TEXT_MAX 512
#define KMSG_LINE_MAX 65536
#define KMSG_BYTES_MAX (256u * 1024 * 1024)

static bool hex_digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f') || (s[i] >= 'A' && s[i] <= 'F')))
			return false;
	return true;
}

/* "0000:18:00" (domain 4 to 8 digits, then bus and device) -> "0000:18:00.0". */
static int xid_address(const char *s, size_t n, char *out, size_t outlen)
{
	size_t dlen;

	if (n < 10 || n > 14)
		return -1;
	dlen = n - 6;
	if (!hex_digits(s, dlen) || s[dlen] != ':' || !hex_digits(s + dlen + 1, 2) || s[dlen + 3] != ':' ||
	    !hex_digits(s + dlen + 4, 2))
		return -1;
	snprintf(out, outlen, "%.*s:%.2s:%.2s.0", (int)dlen, s, s + dlen + 1, s + dlen + 4);
	for (char *p = out; *p; p++)
		if (*p >= 'A' && *p <= 'F')
			*p = (char)(*p - 'A' + 'a');
	return pci_address_valid(out) ? 0 : -1;
}

/* After "pid=": a number, or 'N/A'. */
static void parse_pid(const char **p, struct xid_event *ev)
{
	const char *s = *p;
	uint64_t pid;
	char num[16];
	size_t n = strcspn(s, ",");

	if (n < sizeof(num)) {
		memcpy(num, s, n);
		num[n] = '\0';
		if (parse_u64(num, 10, &pid) == 0 && pid <= INT32_MAX)
			ev->pid = (long)pid;
	}
	s += n;
	if (*s == ',')
		s++;
	while (*s == ' ')
		s++;
	*p = s;
}

int xid_parse_message(const char *msg, struct xid_event *ev)
{
	const char *p = strstr(msg, "NVRM: Xid ("), *close;
	uint64_t xid;
	char num[8];
	size_t n;

	memset(ev, 0, sizeof(*ev));
	ev->pid = -1;
	if (p == NULL)
		return 0;
	p += strlen("NVRM: Xid (");
	if (str_starts_with(p, "PCI:"))
		p += 4;
	close = strchr(p, ')');
	if (close == NULL)
		return -1;
	n = strcspn(p, " )");   /* the address, without a MIG instance after it */
	if (xid_address(p, n, ev->pci_address, sizeof(ev->pci_address)) != 0)
		return -1;
	p = close + 1;
	if (*p++ != ':' || *p++ != ' ')
		return -1;
	n = strspn(p, "0123456789");
	if (n == 0 || n >= sizeof(num))
		return -1;
	memcpy(num, p, n);
	num[n] = '\0';
	if (parse_u64(num, 10, &xid) != 0 || xid > 65535)
		return -1;
	ev->xid = (int)xid;
	p += n;
	if (*p == ',')
		p++;
	while (*p == ' ')
		p++;
	if (str_starts_with(p, "pid=")) {
		p += 4;
		parse_pid(&p, ev);
	}
	if (str_starts_with(p, "name=")) {
		const char *end = strstr(p, ", ");
		n = end ? (size_t)(end - p - 5) : strlen(p + 5);
		if (n < sizeof(ev->process) && !(n == 9 && memcmp(p + 5, "<unknown>", 9) == 0)) {
			memcpy(ev->process, p + 5, n);
			ev->process[n] = '\0';
		}
		p = end ? end + 2 : p + strlen(p);
	}
	snprintf(ev->text, sizeof(ev->text), "%.*s", XID_TEXT_MAX, p);
	return 1;
}

/* "6,1234,5678901,-;TEXT": sequence, microseconds and the text. */
int kmsg_parse_record(const char *line, uint64_t *seq, uint64_t *usec, const char **text)
{
	const char *semi = strchr(line, ';');
	char head[128], *save = NULL, *tok;
	uint64_t v[3];
	size_t n;

	if (semi == NULL || (n = (size_t)(semi - line)) >= sizeof(head))
		return -1;
	memcpy(head, line, n);
	head[n] = '\0';
	tok = strtok_r(head, ",", &save);
	for (int i = 0; i < 3; i++) {
		if (tok == NULL || parse_u64(tok, 10, &v[i]) != 0 || v[i] > INT64_MAX)
			return -1;
		tok = strtok_r(NULL, ",", &save);
	}
	if (tok == NULL || strlen(tok) != 1)   /* flags: '-', 'c' or '+' */
		return -1;
	*seq = v[1];
	*usec = v[2];
	*text = semi + 1;
	return 0;
}

struct reader {
	struct probe_ctx *ctx;
	json_t *events;
	size_t total;           /* XID records seen */
	size_t line_no;
	char *kept;             /* the XID records, for a snapshot */
	size_t kept_len;
	bool failed;
};

static void keep(struct reader *r, const char *line)
{
	size_t n = strlen(line);

	if (r->ctx->sysroot->recorder == NULL)
		return;
	r->kept = xrealloc(r->kept, r->kept_len + n + 2);
	memcpy(r->kept + r->kept_len, line, n);
	r->kept[r->kept_len + n] = '\n';
	r->kept_len += n + 1;
	r->kept[r->kept_len] = '\0';
}

static void on_line(struct reader *r, char *line)
{
	uint64_t seq, usec;
	const char *text;
	struct xid_event ev;
	json_t *e;
	int rc;

	r->line_no++;
	if (line[0] == ' ' || line[0] == '\0')   /* continuation: KEY=value */
		return;
	if (kmsg_parse_record(line, &seq, &usec, &text) != 0) {
		probe_fail(r->ctx, "%s: record %zu: not a kernel log record \"%.60s\"", KMSG, r->line_no, line);
		r->failed = true;
		return;
	}
	rc = xid_parse_message(text, &ev);
	if (rc == 0)
		return;
	keep(r, line);
	if (rc < 0) {
		probe_limitation(r->ctx, KMSG, "record %" PRIu64 ": XID report not understood: \"%.120s\"", seq, text);
		return;
	}
	r->total++;
	e = json_object();
	jset_int(e, "sequence", (json_int_t)seq);
	jset_int(e, "boot_usec", (json_int_t)usec);
	jset_str(e, "pci_address", ev.pci_address);
	jset_int(e, "xid", ev.xid);
	jset(e, "pid", ev.pid >= 0 ? json_integer(ev.pid) : NULL);
	jset_str(e, "process", ev.process[0] && str_is_printable(ev.process) ? ev.process : NULL);
	json_object_set_new(e, "text", json_string_lossy(str_is_printable(ev.text) ? ev.text : ""));
	/* keep the most recent events */
	if (json_array_size(r->events) >= XID_EVENTS_MAX)
		json_array_remove(r->events, 0);
	json_array_append_new(r->events, e);
}

/* Read records until the end (EAGAIN live, EOF in a tree). Returns 0, or -1
 * with errno when the file could not be read at all. */
static int read_records(struct reader *r, int fd)
{
	size_t cap = KMSG_LINE_MAX * 2, used = 0, total = 0;
	char *buf = xmalloc(cap + 1);
	int rc = 0;

	for (;;) {
		ssize_t n = read(fd, buf + used, cap - used);
		char *start, *nl;
		if (n < 0) {
			if (errno == EINTR || errno == EPIPE)   /* EPIPE: records overwritten meanwhile */
				continue;
			if (errno != EAGAIN && total == 0)
				rc = -1;
			else if (errno != EAGAIN)
				probe_limitation(r->ctx, KMSG, "read stopped after %zu bytes: %s", total, strerror(errno));
			break;
		}
		if (n == 0)
			break;
		if (sysroot_charge(r->ctx->sysroot, KMSG, (uint64_t)n) != 0) {
			probe_limitation(r->ctx, KMSG, "%s: read stopped after %zu bytes",
					 sysroot_strerror(r->ctx->sysroot, errno), total);
			break;
		}
		used += (size_t)n;
		total += (size_t)n;
		buf[used] = '\0';
		if (memchr(buf + used - (size_t)n, '\0', (size_t)n) != NULL) {
			probe_fail(r->ctx, "%s: contains a NUL byte: not a kernel log", KMSG);
			r->failed = true;
			break;
		}
		start = buf;
		while (!r->failed && (nl = memchr(start, '\n', used - (size_t)(start - buf))) != NULL) {
			*nl = '\0';
			on_line(r, start);
			start = nl + 1;
		}
		used -= (size_t)(start - buf);
		memmove(buf, start, used);
		if (r->failed)
			break;
		if (used >= KMSG_LINE_MAX) {
			probe_fail(r->ctx, "%s: record %zu: longer than %d bytes", KMSG, r->line_no + 1, KMSG_LINE_MAX);
			r->failed = true;
			break;
		}
		if (total >= KMSG_BYTES_MAX) {
			probe_limitation(r->ctx, KMSG, "kernel log larger than %u MiB: only its start was read",
					 KMSG_BYTES_MAX >> 20);
			break;
		}
	}
	if (!r->failed && rc == 0 && used > 0) {   /* a last record without its newline */
		buf[used] = '\0';
		on_line(r, buf);
	}
	free(buf);
	return rc;
}

static bool has_nvidia(const json_t *facts)
{
	size_t i;
	json_t *acc;

	json_array_foreach(jarr(facts, "accelerators"), i, acc)
		if (strcmp(jstr(acc, "vendor_id"), "10de") == 0)
			return true;
	return false;
}

int probe_kernel_xids(struct probe_ctx *ctx)
{
	json_t *section = json_object();
	struct reader r = { .ctx = ctx, .events = json_array() };
	int fd, saved;
	const char *reason = NULL;
	char *why = NULL;

	json_object_set_new(ctx->facts, "kernel_xids", section);
	jset_str(section, "source", KMSG);
	fd = sysroot_open_device(ctx->sysroot, KMSG);
	if (fd >= 0 && read_records(&r, fd) != 0) {
		saved = errno;
		close(fd);
		fd = -1;
		errno = saved;
	} else if (fd >= 0) {
		close(fd);
	}
	if (fd < 0 && !r.failed) {
		if (errno == ENOENT && !sysroot_is_live(ctx->sysroot))
			reason = "not in the captured tree";
		else
			reason = why = xasprintf("%s%s", sysroot_strerror(ctx->sysroot, errno),
						 errno == EACCES || errno == EPERM ? " (run as root)" : "");
	}
	jset_bool(section, "readable", reason == NULL && !r.failed);
	jset_str(section, "reason", reason);
	jset_int(section, "total", (json_int_t)r.total);
	jset_bool(section, "truncated", r.total > json_array_size(r.events));
	json_object_set_new(section, "events", r.events);
	if (reason && has_nvidia(ctx->facts))
		probe_limitation(ctx, KMSG, "%s: XID events of the NVIDIA GPUs not examined", reason);
	if (ctx->sysroot->recorder && reason == NULL && !r.failed)
		recorder_add_file(ctx->sysroot->recorder, KMSG, r.kept ? r.kept : "", r.kept_len);
	free(r.kept);
	free(why);
	return r.failed ? -1 : 0;
}

int validate_kernel_xids(const json_t *section, const json_t *facts, char *err, size_t errlen)
{
	const json_t *events = json_object_get(section, "events");
	size_t i;
	json_t *e;

	(void)facts;
	if (!json_is_object(section)) {
		snprintf(err, errlen, "kernel_xids: expected an object");
		return -1;
	}
	if (jv_string(section, "source", JV_REQUIRED, 256, "kernel_xids", err, errlen) ||
	    jv_boolean(section, "readable", JV_REQUIRED, "kernel_xids", err, errlen) ||
	    jv_string(section, "reason", JV_NULLABLE, 1024, "kernel_xids", err, errlen) ||
	    jv_integer(section, "total", JV_REQUIRED, 0, INT64_MAX, "kernel_xids", err, errlen) ||
	    jv_boolean(section, "truncated", JV_REQUIRED, "kernel_xids", err, errlen) ||
	    jv_array(section, "events", JV_REQUIRED, "kernel_xids", err, errlen))
		return -1;
	if (json_array_size(events) > XID_EVENTS_MAX) {
		snprintf(err, errlen, "kernel_xids.events: more than %d events", XID_EVENTS_MAX);
		return -1;
	}
	json_array_foreach(events, i, e) {
		char where[48];
		const char *addr, *text;
		snprintf(where, sizeof(where), "kernel_xids.events[%zu]", i);
		if (!json_is_object(e)) {
			snprintf(err, errlen, "%s: expected an object", where);
			return -1;
		}
		if (jv_integer(e, "sequence", JV_REQUIRED, 0, INT64_MAX, where, err, errlen) ||
		    jv_integer(e, "boot_usec", JV_REQUIRED, 0, INT64_MAX, where, err, errlen) ||
		    jv_string(e, "pci_address", JV_REQUIRED, 32, where, err, errlen) ||
		    jv_integer(e, "xid", JV_REQUIRED, 0, 65535, where, err, errlen) ||
		    jv_integer(e, "pid", JV_NULLABLE, 0, INT32_MAX, where, err, errlen) ||
		    jv_string(e, "process", JV_NULLABLE, 255, where, err, errlen) ||
		    jv_string(e, "text", JV_REQUIRED, XID_TEXT_MAX, where, err, errlen))
			return -1;
		addr = jstr(e, "pci_address");
		text = jstr(e, "text");
		if (!pci_address_valid(addr)) {
			snprintf(err, errlen, "%s.pci_address: \"%.40s\" is not a PCI address", where, addr);
			return -1;
		}
		if (!str_is_printable(text) || (jstr(e, "process") && !str_is_printable(jstr(e, "process")))) {
			snprintf(err, errlen, "%s: text not printable", where);
			return -1;
		}
	}
	return 0;
}
