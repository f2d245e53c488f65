/* Socket tables: the parsers of NETLINK_SOCK_DIAG replies and /proc/net
 * files, pure over byte buffers (the dump itself is src/probe/sockets.c).
 *
 * /proc/net/tcp (net/ipv4/tcp_ipv4.c, get_tcp4_sock) prints one line per
 * socket: "sl local rem st tx:rx tr:when retrnsmt uid timeout inode ...",
 * addresses as 32-bit words in host byte order ("0100007F:1F90" is
 * 127.0.0.1:8080 on a little-endian machine). tcp6, udp and udp6 share the
 * layout. /proc/net/unix (net/unix/af_unix.c, unix_seq_show) prints
 * "Num RefCount Protocol Flags Type St Inode Path".
 * The netlink replies are struct inet_diag_msg and struct unix_diag_msg
 * (include/uapi/linux/inet_diag.h, unix_diag.h), as `ss` reads them. */
#include "parse/socktable.h"

#include <errno.h>
#include <inttypes.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <linux/unix_diag.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "core/hashtab.h"
#include "core/util.h"

/* --- the table: the wanted inodes, in the core hash table ----------------- */

struct slot {
	uint64_t inode;
	int filled;
	struct sock_entry e;
};

struct sock_table {
	struct slot *slots;      /* in the order asked for */
	size_t wanted, cap, found;
	struct hashtab index;    /* inode -> slot + 1 */
};

static bool same_inode(uintptr_t value, const void *key, const void *ctx)
{
	const struct sock_table *t = ctx;
	return t->slots[value - 1].inode == *(const uint64_t *)key;
}

static uint64_t inode_hash(uint64_t inode)
{
	return hashtab_hash(&inode, sizeof(inode), 0);
}

static struct slot *find_slot(const struct sock_table *t, uint64_t inode)
{
	uintptr_t v = hashtab_find(&t->index, inode_hash(inode), same_inode, &inode, t);
	return v ? &t->slots[v - 1] : NULL;
}

struct sock_table *sock_table_new(void)
{
	return xcalloc(1, sizeof(struct sock_table));
}

void sock_table_free(struct sock_table *t)
{
	if (t == NULL)
		return;
	for (size_t i = 0; i < t->wanted; i++)
		if (t->slots[i].filled)
			free(t->slots[i].e.path);
	free(t->slots);
	hashtab_free(&t->index);
	free(t);
}

void sock_table_want(struct sock_table *t, uint64_t inode)
{
	if (inode == 0 || find_slot(t, inode) != NULL)
		return;
	if (t->wanted == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 64;
		t->slots = xreallocarray(t->slots, t->cap, sizeof(*t->slots));
	}
	t->slots[t->wanted++] = (struct slot){ .inode = inode };
	if (hashtab_add(&t->index, inode_hash(inode), t->wanted) != 0)
		out_of_memory();
}

size_t sock_table_wanted(const struct sock_table *t)
{
	return t->wanted;
}

size_t sock_table_found(const struct sock_table *t)
{
	return t->found;
}

const struct sock_entry *sock_table_get(const struct sock_table *t, uint64_t inode)
{
	const struct slot *s = inode ? find_slot(t, inode) : NULL;

	return s && s->filled ? &s->e : NULL;
}

/* Keep E when its inode is wanted and not yet seen (a socket listed twice,
 * as a non-atomic read of a changing table can do, keeps its first sighting).
 * Takes ownership of e->path. */
static void store(struct sock_table *t, struct sock_entry *e)
{
	struct slot *s = e->inode ? find_slot(t, e->inode) : NULL;

	if (s == NULL || s->filled) {
		free(e->path);
		e->path = NULL;
		return;
	}
	s->e = *e;
	s->filled = 1;
	t->found++;
	e->path = NULL;
}

/* --- /proc/net text --------------------------------------------------------- */

struct cursor {
	const char *p, *end;   /* the current line, without its newline */
};

static int next_token(struct cursor *c, const char **tok, size_t *len)
{
	while (c->p < c->end && (*c->p == ' ' || *c->p == '\t'))
		c->p++;
	if (c->p >= c->end)
		return -1;
	*tok = c->p;
	while (c->p < c->end && *c->p != ' ' && *c->p != '\t')
		c->p++;
	*len = (size_t)(c->p - *tok);
	return 0;
}

static int hex_digit(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

/* Exactly N hex digits (N <= 16). */
static int parse_hex_fixed(const char *s, size_t n, uint64_t *out)
{
	uint64_t v = 0;

	if (n == 0 || n > 16)
		return -1;
	for (size_t i = 0; i < n; i++) {
		int d = hex_digit(s[i]);
		if (d < 0)
			return -1;
		v = (v << 4) | (uint64_t)d;
	}
	*out = v;
	return 0;
}

static int parse_dec(const char *s, size_t n, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;

	if (n == 0 || n > 20)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		if (v > (UINT64_MAX - (uint64_t)(s[i] - '0')) / 10)
			return -1;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	if (v > max)
		return -1;
	*out = v;
	return 0;
}

/* "0100007F:1F90" (IPv4) or 32 hex digits and a port (IPv6). */
static int parse_inet_endpoint(const char *s, size_t n, int family, uint8_t addr[16], uint16_t *port)
{
	size_t words = family == AF_INET6 ? 4 : 1, hexlen = words * 8;
	uint64_t v;

	if (n != hexlen + 5 || s[hexlen] != ':')
		return -1;
	memset(addr, 0, 16);
	for (size_t w = 0; w < words; w++) {
		uint32_t word;
		if (parse_hex_fixed(s + w * 8, 8, &v) != 0)
			return -1;
		word = (uint32_t)v;
		/* the kernel printed the 32-bit word as it lies in memory */
		memcpy(addr + w * 4, &word, 4);
	}
	if (parse_hex_fixed(s + hexlen + 1, 4, &v) != 0)
		return -1;
	*port = (uint16_t)v;
	return 0;
}

static int line_error(char *err, size_t errlen, size_t lineno, const char *what, const char *tok, size_t toklen)
{
	if (tok)
		snprintf(err, errlen, "line %zu: %s \"%.*s\"", lineno, what, (int)(toklen > 40 ? 40 : toklen), tok);
	else
		snprintf(err, errlen, "line %zu: %s", lineno, what);
	return -1;
}

static int parse_inet_line(struct sock_table *t, struct cursor *c, size_t lineno, int proto, int family,
			   char *err, size_t errlen)
{
	const char *tok;
	size_t len;
	uint64_t v;
	struct sock_entry e;

	memset(&e, 0, sizeof(e));
	e.proto = (uint8_t)proto;
	e.family = (uint8_t)family;
	/* "0:" */
	if (next_token(c, &tok, &len) || len < 2 || tok[len - 1] != ':' || parse_dec(tok, len - 1, UINT32_MAX, &v))
		return line_error(err, errlen, lineno, "expected a slot number \"N:\"", NULL, 0);
	if (next_token(c, &tok, &len) || parse_inet_endpoint(tok, len, family, e.local, &e.local_port))
		return line_error(err, errlen, lineno, "malformed local address", len ? tok : NULL, len);
	if (next_token(c, &tok, &len) || parse_inet_endpoint(tok, len, family, e.remote, &e.remote_port))
		return line_error(err, errlen, lineno, "malformed remote address", len ? tok : NULL, len);
	if (next_token(c, &tok, &len) || len != 2 || parse_hex_fixed(tok, 2, &v) || v < 1 || v > K_TCP_MAX_STATE)
		return line_error(err, errlen, lineno, "malformed state", NULL, 0);
	e.state = (uint8_t)v;
	/* tx_queue:rx_queue, tr:tm->when, retrnsmt: skipped, but must be there */
	for (int i = 0; i < 3; i++)
		if (next_token(c, &tok, &len))
			return line_error(err, errlen, lineno, "truncated line", NULL, 0);
	if (next_token(c, &tok, &len) || parse_dec(tok, len, UINT32_MAX, &v))
		return line_error(err, errlen, lineno, "malformed uid", NULL, 0);
	e.uid = (uint32_t)v;
	if (next_token(c, &tok, &len) || parse_dec(tok, len, UINT64_MAX, &v))
		return line_error(err, errlen, lineno, "malformed timeout", NULL, 0);
	if (next_token(c, &tok, &len) || parse_dec(tok, len, UINT64_MAX, &v))
		return line_error(err, errlen, lineno, "malformed inode", NULL, 0);
	e.inode = v;
	store(t, &e);
	return 0;
}

/* Split BUF into lines; call FN for each line after the first (the header,
 * which must start with HEADER after leading spaces). */
typedef int (*line_fn)(struct sock_table *t, const char *line, const char *end, size_t lineno, void *arg,
		       char *err, size_t errlen);

static int for_each_line(struct sock_table *t, const char *buf, size_t len, const char *header, line_fn fn,
			 void *arg, char *err, size_t errlen)
{
	const char *p = buf, *end = buf + len;
	size_t lineno = 0;

	if (memchr(buf, '\0', len) != NULL) {
		snprintf(err, errlen, "contains a NUL byte");
		return -1;
	}
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *eol = nl ? nl : end, *q = p;
		lineno++;
		if (lineno == 1) {
			while (q < eol && *q == ' ')
				q++;
			if ((size_t)(eol - q) < strlen(header) || strncmp(q, header, strlen(header)) != 0) {
				snprintf(err, errlen, "line 1: expected the header \"%s ...\"", header);
				return -1;
			}
		} else if (eol > p && fn(t, p, eol, lineno, arg, err, errlen) != 0) {
			return -1;
		}
		p = nl ? nl + 1 : end;
	}
	if (lineno == 0) {
		snprintf(err, errlen, "empty file, expected at least the header line");
		return -1;
	}
	return 0;
}

struct inet_args {
	int proto, family;
};

static int inet_line(struct sock_table *t, const char *line, const char *end, size_t lineno, void *arg,
		     char *err, size_t errlen)
{
	struct inet_args *a = arg;
	struct cursor c = { line, end };
	const char *tok;
	size_t len;

	if (next_token(&c, &tok, &len) != 0)   /* a line of spaces */
		return 0;
	c.p = line;
	return parse_inet_line(t, &c, lineno, a->proto, a->family, err, errlen);
}

int procnet_parse_inet(struct sock_table *t, const char *buf, size_t len, int proto, int family,
		       char *err, size_t errlen)
{
	struct inet_args a = { proto, family };

	if ((proto != SOCK_PROTO_TCP && proto != SOCK_PROTO_UDP) || (family != AF_INET && family != AF_INET6)) {
		snprintf(err, errlen, "internal error: bad protocol or family");
		return -1;
	}
	return for_each_line(t, buf, len, "sl", inet_line, &a, err, errlen);
}

/* A /proc/net/unix line starts with the socket's kernel address "%pK:". */
static int starts_unix_record(const char *p, const char *end)
{
	size_t n = 0;

	while (p + n < end && hex_digit(p[n]) >= 0)
		n++;
	return n >= 1 && n <= 16 && p + n < end && p[n] == ':';
}

/* The path as printed: the kernel already shows abstract names as "@name". */
static char *unix_path_dup(const char *p, size_t n)
{
	return n == 0 ? NULL : xstrndup(p, n);
}

static int parse_unix_record(struct sock_table *t, const char *line, const char *end, size_t lineno,
			     char *err, size_t errlen)
{
	struct cursor c = { line, end };
	const char *tok;
	size_t len;
	uint64_t v, flags, st, type;
	struct sock_entry e;

	memset(&e, 0, sizeof(e));
	e.proto = SOCK_PROTO_UNIX;
	e.family = AF_UNIX;
	if (next_token(&c, &tok, &len) || len < 2 || tok[len - 1] != ':' || parse_hex_fixed(tok, len - 1, &v))
		return line_error(err, errlen, lineno, "expected a socket address \"HEX:\"", NULL, 0);
	for (int i = 0; i < 2; i++)   /* RefCount, Protocol */
		if (next_token(&c, &tok, &len) || len != 8 || parse_hex_fixed(tok, 8, &v))
			return line_error(err, errlen, lineno, "malformed reference count or protocol", NULL, 0);
	if (next_token(&c, &tok, &len) || len != 8 || parse_hex_fixed(tok, 8, &flags))
		return line_error(err, errlen, lineno, "malformed flags", NULL, 0);
	if (next_token(&c, &tok, &len) || len != 4 || parse_hex_fixed(tok, 4, &type) ||
	    (type != SOCK_STREAM && type != SOCK_DGRAM && type != SOCK_SEQPACKET))
		return line_error(err, errlen, lineno, "malformed or unknown socket type", len ? tok : NULL, len);
	if (next_token(&c, &tok, &len) || len != 2 || parse_hex_fixed(tok, 2, &st) || st < 1 || st > 4)
		return line_error(err, errlen, lineno, "malformed state", len ? tok : NULL, len);
	if (next_token(&c, &tok, &len) || parse_dec(tok, len, UINT64_MAX, &v))
		return line_error(err, errlen, lineno, "malformed inode", len ? tok : NULL, len);
	e.inode = v;
	e.unix_type = (uint8_t)type;
	/* __SO_ACCEPTCON marks a listening socket; St 03 is SS_CONNECTED */
	e.state = (flags & 0x10000) ? UNIX_LISTEN : st == 3 ? UNIX_CONNECTED : UNIX_UNCONNECTED;
	if (c.p < end) {
		if (*c.p != ' ')
			return line_error(err, errlen, lineno, "malformed inode", NULL, 0);
		e.path = unix_path_dup(c.p + 1, (size_t)(end - c.p - 1));
	}
	store(t, &e);
	return 0;
}

/* A path may hold a newline: the kernel prints it raw, so a line that does
 * not start a record continues the previous record's path. Records are
 * parsed once complete. */
struct unix_args {
	char *pending;
	size_t len, lineno;
};

static int flush_unix(struct sock_table *t, struct unix_args *a, char *err, size_t errlen)
{
	int rc = 0;

	if (a->pending)
		rc = parse_unix_record(t, a->pending, a->pending + a->len, a->lineno, err, errlen);
	free(a->pending);
	a->pending = NULL;
	a->len = 0;
	return rc;
}

static int unix_line(struct sock_table *t, const char *line, const char *end, size_t lineno, void *arg,
		     char *err, size_t errlen)
{
	struct unix_args *a = arg;
	size_t n = (size_t)(end - line);

	if (starts_unix_record(line, end)) {
		if (flush_unix(t, a, err, errlen) != 0)
			return -1;
		a->pending = xstrndup(line, n);
		a->len = n;
		a->lineno = lineno;
		return 0;
	}
	if (a->pending == NULL)
		return line_error(err, errlen, lineno, "expected a socket address \"HEX:\"", NULL, 0);
	a->pending = xrealloc(a->pending, a->len + 1 + n + 1);
	a->pending[a->len] = '\n';
	memcpy(a->pending + a->len + 1, line, n);
	a->len += 1 + n;
	a->pending[a->len] = '\0';
	return 0;
}

int procnet_parse_unix(struct sock_table *t, const char *buf, size_t len, char *err, size_t errlen)
{
	struct unix_args a = { NULL, 0, 0 };
	int rc = for_each_line(t, buf, len, "Num", unix_line, &a, err, errlen);

	if (rc == 0)
		return flush_unix(t, &a, err, errlen);
	free(a.pending);
	return rc;
}

/* --- netlink sock_diag -------------------------------------------------------- */

static int parse_inet_diag(struct sock_table *t, const uint8_t *p, size_t n, int proto, char *err, size_t errlen)
{
	struct inet_diag_msg m;
	struct sock_entry e;

	if (n < sizeof(m)) {
		snprintf(err, errlen, "inet_diag message of %zu bytes, shorter than its header", n);
		return -1;
	}
	memcpy(&m, p, sizeof(m));
	if (m.idiag_family != AF_INET && m.idiag_family != AF_INET6) {
		snprintf(err, errlen, "inet_diag message for address family %u", m.idiag_family);
		return -1;
	}
	if (m.idiag_state < 1 || m.idiag_state > K_TCP_MAX_STATE) {
		snprintf(err, errlen, "inet_diag message with unknown state %u", m.idiag_state);
		return -1;
	}
	memset(&e, 0, sizeof(e));
	e.proto = (uint8_t)proto;
	e.family = m.idiag_family;
	e.state = m.idiag_state;
	e.local_port = ntohs(m.id.idiag_sport);
	e.remote_port = ntohs(m.id.idiag_dport);
	memcpy(e.local, m.id.idiag_src, m.idiag_family == AF_INET ? 4 : 16);
	memcpy(e.remote, m.id.idiag_dst, m.idiag_family == AF_INET ? 4 : 16);
	e.uid = m.idiag_uid;
	e.inode = m.idiag_inode;
	store(t, &e);
	return 0;
}

/* Name bytes as in the kernel's unix address: a path up to its NUL, or an
 * abstract name (leading NUL) shown as /proc/net/unix shows it. */
static char *unix_name(const uint8_t *p, size_t n)
{
	char *s;

	if (n == 0)
		return NULL;
	if (p[0] != '\0') {
		size_t len = strnlen((const char *)p, n);
		return xstrndup((const char *)p, len);
	}
	s = xmalloc(n + 1);
	s[0] = '@';
	for (size_t i = 1; i < n; i++)
		s[i] = p[i] ? (char)p[i] : '@';
	s[n] = '\0';
	return s;
}

static int parse_unix_diag(struct sock_table *t, const uint8_t *p, size_t n, char *err, size_t errlen)
{
	struct unix_diag_msg m;
	struct sock_entry e;
	size_t off = NLMSG_ALIGN(sizeof(m));

	if (n < sizeof(m)) {
		snprintf(err, errlen, "unix_diag message of %zu bytes, shorter than its header", n);
		return -1;
	}
	memcpy(&m, p, sizeof(m));
	if (m.udiag_family != AF_UNIX) {
		snprintf(err, errlen, "unix_diag message for address family %u", m.udiag_family);
		return -1;
	}
	if (m.udiag_type != SOCK_STREAM && m.udiag_type != SOCK_DGRAM && m.udiag_type != SOCK_SEQPACKET) {
		snprintf(err, errlen, "unix_diag message with unknown socket type %u", m.udiag_type);
		return -1;
	}
	memset(&e, 0, sizeof(e));
	e.proto = SOCK_PROTO_UNIX;
	e.family = AF_UNIX;
	e.unix_type = m.udiag_type;
	e.state = m.udiag_state == K_TCP_LISTEN ? UNIX_LISTEN
		: m.udiag_state == K_TCP_ESTABLISHED ? UNIX_CONNECTED : UNIX_UNCONNECTED;
	e.inode = m.udiag_ino;
	while (off < n) {
		struct nlattr a;
		size_t alen;
		if (n - off < sizeof(a)) {
			free(e.path);
			snprintf(err, errlen, "unix_diag attribute truncated");
			return -1;
		}
		memcpy(&a, p + off, sizeof(a));
		alen = a.nla_len;
		if (alen < sizeof(a) || alen > n - off) {
			free(e.path);
			snprintf(err, errlen, "unix_diag attribute length %zu out of bounds", alen);
			return -1;
		}
		if ((a.nla_type & NLA_TYPE_MASK) == UNIX_DIAG_NAME && e.path == NULL)
			e.path = unix_name(p + off + sizeof(a), alen - sizeof(a));
		off += NLA_ALIGN(alen);
	}
	store(t, &e);
	return 0;
}

int sockdiag_parse(struct sock_table *t, const void *buf, size_t len, int proto,
		   int *kernel_error, char *err, size_t errlen)
{
	const uint8_t *p = buf;
	size_t off = 0;

	*kernel_error = 0;
	while (off < len) {
		struct nlmsghdr h;
		const uint8_t *payload;
		size_t plen;
		int code;

		if (len - off < sizeof(h)) {
			snprintf(err, errlen, "%zu trailing bytes, shorter than a netlink header", len - off);
			return -1;
		}
		memcpy(&h, p + off, sizeof(h));
		if (h.nlmsg_len < NLMSG_HDRLEN || h.nlmsg_len > len - off) {
			snprintf(err, errlen, "netlink message length %u out of bounds", (unsigned)h.nlmsg_len);
			return -1;
		}
		payload = p + off + NLMSG_HDRLEN;
		plen = h.nlmsg_len - NLMSG_HDRLEN;
		switch (h.nlmsg_type) {
		case NLMSG_DONE:
			if (plen >= sizeof(int)) {
				memcpy(&code, payload, sizeof(code));
				if (code < -4095) {
					snprintf(err, errlen, "netlink end of dump with an invalid error code %d", code);
					return -1;
				}
				if (code < 0) {
					*kernel_error = -code;
					snprintf(err, errlen, "the kernel ended the dump with: %s", strerror(-code));
					return -1;
				}
			}
			return 1;
		case NLMSG_ERROR:
			if (plen < sizeof(int)) {
				snprintf(err, errlen, "truncated netlink error message");
				return -1;
			}
			memcpy(&code, payload, sizeof(code));
			if (code < -4095 || code > 0) {
				snprintf(err, errlen, "netlink error message with an invalid error code %d", code);
				return -1;
			}
			*kernel_error = -code;
			snprintf(err, errlen, "the kernel refused the request: %s", code < 0 ? strerror(-code) : "no error given");
			return -1;
		case NLMSG_NOOP:
			break;
		case SOCK_DIAG_BY_FAMILY:
			if ((proto == SOCK_PROTO_UNIX ? parse_unix_diag(t, payload, plen, err, errlen)
						      : parse_inet_diag(t, payload, plen, proto, err, errlen)) != 0)
				return -1;
			break;
		default:
			snprintf(err, errlen, "unexpected netlink message type %u", (unsigned)h.nlmsg_type);
			return -1;
		}
		if (NLMSG_ALIGN(h.nlmsg_len) >= len - off)
			break;
		off += NLMSG_ALIGN(h.nlmsg_len);
	}
	return 0;
}

const char *sock_state_name(const struct sock_entry *e)
{
	static const char *const tcp[] = {
		[K_TCP_ESTABLISHED] = "established", [K_TCP_SYN_SENT] = "syn-sent", [K_TCP_SYN_RECV] = "syn-recv",
		[K_TCP_FIN_WAIT1] = "fin-wait-1", [K_TCP_FIN_WAIT2] = "fin-wait-2", [K_TCP_TIME_WAIT] = "time-wait",
		[K_TCP_CLOSE] = "close", [K_TCP_CLOSE_WAIT] = "close-wait", [K_TCP_LAST_ACK] = "last-ack",
		[K_TCP_LISTEN] = "listen", [K_TCP_CLOSING] = "closing", [K_TCP_NEW_SYN_RECV] = "new-syn-recv",
	};

	if (e->proto == SOCK_PROTO_UNIX)
		return e->state == UNIX_LISTEN ? "listen" : e->state == UNIX_CONNECTED ? "connected" : "unconnected";
	if (e->proto == SOCK_PROTO_UDP)
		return e->state == K_TCP_ESTABLISHED ? "established" : "unconnected";
	return (e->state >= 1 && e->state <= K_TCP_MAX_STATE) ? tcp[e->state] : "unknown";
}

const char *sock_unix_type_name(unsigned type)
{
	switch (type) {
	case SOCK_STREAM: return "stream";
	case SOCK_DGRAM: return "dgram";
	case SOCK_SEQPACKET: return "seqpacket";
	default: return "unknown";
	}
}
