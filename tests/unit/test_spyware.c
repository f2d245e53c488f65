/* Spyware: socket-table parsers, netlink sock_diag, the site policy, RPM
 * headers, the data tables and sysroot_list_links. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <linux/unix_diag.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "checks/spyware_policy.h"
#include "core/json.h"
#include "core/sysroot.h"
#include "core/util.h"
#include "probe/pkgdb.h"
#include "probe/procs.h"
#include "probe/sockets.h"

static const char tcp4[] =
	"  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode                                                     \n"
	"   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 23064 1 0000000000000000 100 0 0 10 0\n"
	"   1: 0100007F:D5F4 0100007F:CB0B 06 00000000:00000000 03:00001086 00000000     0        0 0 3 000000003d15a124\n"
	"   2: 07002A0A:D130 3271CBCB:01BB 01 00000000:00000000 02:000A7A1D 00000000  1000        0 23071 2 0000000000000000 20 4 30 10 -1\n";

static const char tcp6[] =
	"  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
	"   0: 00000000000000000000000000000000:0016 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 21953 1 0000000000000000 100 0 0 10 0\n"
	"   1: 0000000000000000FFFF00000200A8C0:2328 0000000000000000FFFF00000A00A8C0:C350 01 00000000:00000000 00:00000000 00000000   113        0 21954 1 0000000000000000 20 4 0 10 -1\n";

static void test_procnet_inet(void **state)
{
	struct sock_table *t = sock_table_new();
	const struct sock_entry *e;
	char err[256], buf[64];
	(void)state;

	sock_table_want(t, 23064);
	sock_table_want(t, 23071);
	sock_table_want(t, 21954);
	sock_table_want(t, 99999);
	assert_int_equal(procnet_parse_inet(t, tcp4, sizeof(tcp4) - 1, SOCK_PROTO_TCP, AF_INET, err, sizeof(err)), 0);
	assert_int_equal(procnet_parse_inet(t, tcp6, sizeof(tcp6) - 1, SOCK_PROTO_TCP, AF_INET6, err, sizeof(err)), 0);
	assert_int_equal(sock_table_wanted(t), 4);
	assert_int_equal(sock_table_found(t), 3);
	e = sock_table_get(t, 23064);
	assert_non_null(e);
	assert_int_equal(e->state, K_TCP_LISTEN);
	assert_string_equal(inet_ntop(AF_INET, e->local, buf, sizeof(buf)), "127.0.0.1");
	assert_int_equal(e->local_port, 8080);
	e = sock_table_get(t, 23071);
	assert_string_equal(inet_ntop(AF_INET, e->local, buf, sizeof(buf)), "10.42.0.7");
	assert_string_equal(inet_ntop(AF_INET, e->remote, buf, sizeof(buf)), "203.203.113.50");
	assert_int_equal(e->remote_port, 443);
	assert_int_equal(e->uid, 1000);
	assert_string_equal(sock_state_name(e), "established");
	e = sock_table_get(t, 21954);
	assert_string_equal(inet_ntop(AF_INET6, e->local, buf, sizeof(buf)), "::ffff:192.168.0.2");
	assert_string_equal(inet_ntop(AF_INET6, e->remote, buf, sizeof(buf)), "::ffff:192.168.0.10");
	assert_int_equal(e->local_port, 9000);
	assert_null(sock_table_get(t, 99999));      /* wanted, never seen */
	assert_null(sock_table_get(t, 21953));      /* seen, not wanted */
	assert_null(sock_table_get(t, 0));          /* TIME-WAIT: no inode */
	sock_table_free(t);
}

static void expect_inet_error(const char *text, int family, const char *want)
{
	struct sock_table *t = sock_table_new();
	char err[256] = "";

	assert_int_equal(procnet_parse_inet(t, text, strlen(text), SOCK_PROTO_TCP, family, err, sizeof(err)), -1);
	if (strstr(err, want) == NULL)
		fail_msg("error \"%s\" lacks \"%s\"", err, want);
	sock_table_free(t);
}

static void test_procnet_inet_errors(void **state)
{
	static const char hdr[] = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n";
	char buf[512];
	(void)state;

	expect_inet_error("", AF_INET, "empty file");
	expect_inet_error("garbage\n", AF_INET, "line 1: expected the header");
	snprintf(buf, sizeof(buf), "%s   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0\n", hdr);
	expect_inet_error(buf, AF_INET, "line 2: malformed timeout");
	snprintf(buf, sizeof(buf), "%s   0: 0100007F:1F90 00000000:0000 0D 0 0 0 0 0 1\n", hdr);
	expect_inet_error(buf, AF_INET, "line 2: malformed state");
	snprintf(buf, sizeof(buf), "%s   0: 0100007F:1F90 00000000:0000 0A 0 0 0 0 0 -1\n", hdr);
	expect_inet_error(buf, AF_INET, "line 2: malformed inode");
	snprintf(buf, sizeof(buf), "%s   0: 0100007F:1F90 00000000:0000 0A 0 0 0 4294967296 0 1\n", hdr);
	expect_inet_error(buf, AF_INET, "line 2: malformed uid");
	snprintf(buf, sizeof(buf), "%s   0: 0100007F:1F90 00000000:0000 0A 0 0 0 0 0 99999999999999999999999\n", hdr);
	expect_inet_error(buf, AF_INET, "line 2: malformed inode");
	/* an IPv4 address in an IPv6 table, and one port digit short */
	snprintf(buf, sizeof(buf), "%s   0: 0100007F:1F90 00000000:0000 0A 0 0 0 0 0 1\n", hdr);
	expect_inet_error(buf, AF_INET6, "line 2: malformed local address");
	snprintf(buf, sizeof(buf), "%s   0: 0100007F:1F9 00000000:0000 0A 0 0 0 0 0 1\n", hdr);
	expect_inet_error(buf, AF_INET, "line 2: malformed local address");
	snprintf(buf, sizeof(buf), "%s   x: 0100007F:1F90 00000000:0000 0A 0 0 0 0 0 1\n", hdr);
	expect_inet_error(buf, AF_INET, "line 2: expected a slot number");
	memcpy(buf, hdr, sizeof(hdr));
	buf[3] = '\0';
	{
		struct sock_table *t = sock_table_new();
		char err[128];
		assert_int_equal(procnet_parse_inet(t, buf, sizeof(hdr) - 1, SOCK_PROTO_TCP, AF_INET, err, sizeof(err)), -1);
		assert_string_equal(err, "contains a NUL byte");
		sock_table_free(t);
	}
}

static void test_procnet_unix(void **state)
{
	static const char text[] =
		"Num       RefCount Protocol Flags    Type St Inode Path\n"
		"ffff8f0a40000000: 00000002 00000000 00010000 0001 01 20283 /run/systemd/private\n"
		"ffff8f0a40000400: 00000003 00000000 00000000 0001 03   121\n"
		"0000000000000000: 00000002 00000000 00000000 0002 01 20290 @gpu-telemetry\n"
		"0000000000000000: 00000002 00000000 00010000 0005 01 20291 /run/gpu telemetry/ctl\n"
		"continued.sock\n"
		"0000000000000000: 00000002 00000000 00000000 0001 03 20292\n";
	struct sock_table *t = sock_table_new();
	const struct sock_entry *e;
	char err[256];
	(void)state;

	for (uint64_t i = 20283; i <= 20292; i++)
		sock_table_want(t, i);
	sock_table_want(t, 121);
	assert_int_equal(procnet_parse_unix(t, text, sizeof(text) - 1, err, sizeof(err)), 0);
	e = sock_table_get(t, 20283);
	assert_string_equal(e->path, "/run/systemd/private");
	assert_string_equal(sock_state_name(e), "listen");
	assert_string_equal(sock_unix_type_name(e->unix_type), "stream");
	e = sock_table_get(t, 121);
	assert_null(e->path);
	assert_string_equal(sock_state_name(e), "connected");
	e = sock_table_get(t, 20290);
	assert_string_equal(e->path, "@gpu-telemetry");
	assert_string_equal(sock_unix_type_name(e->unix_type), "dgram");
	assert_string_equal(sock_state_name(e), "unconnected");
	e = sock_table_get(t, 20291);
	assert_string_equal(e->path, "/run/gpu telemetry/ctl\ncontinued.sock");
	assert_string_equal(sock_unix_type_name(e->unix_type), "seqpacket");
	assert_non_null(sock_table_get(t, 20292));
	sock_table_free(t);

	t = sock_table_new();
	assert_int_equal(procnet_parse_unix(t, "Num RefCount\nnot a record\n", 26, err, sizeof(err)), -1);
	assert_string_equal(err, "line 2: expected a socket address \"HEX:\"");
	assert_int_equal(procnet_parse_unix(t, "Num\n0: 00000002 00000000 00000000 0001 07 1\n", 44, err, sizeof(err)), -1);
	assert_string_equal(err, "line 2: malformed state \"07\"");
	assert_int_equal(procnet_parse_unix(t, "Num\n0: 00000002 00000000 00000000 0001 01 12x\n", 46, err, sizeof(err)), -1);
	assert_string_equal(err, "line 2: malformed inode \"12x\"");
	sock_table_free(t);
}

/* A netlink datagram holding MSGS messages, built the way the kernel does. */
struct nlbuf {
	uint8_t data[4096];
	size_t len;
};

static void nl_add(struct nlbuf *b, uint16_t type, const void *payload, size_t plen)
{
	struct nlmsghdr h = { .nlmsg_len = (uint32_t)NLMSG_LENGTH(plen), .nlmsg_type = type, .nlmsg_flags = NLM_F_MULTI };

	memcpy(b->data + b->len, &h, sizeof(h));
	memcpy(b->data + b->len + NLMSG_HDRLEN, payload, plen);
	b->len += NLMSG_ALIGN(h.nlmsg_len);
}

static void test_sockdiag_parse(void **state)
{
	struct sock_table *t = sock_table_new();
	struct inet_diag_msg m;
	struct nlbuf b = { .len = 0 };
	const struct sock_entry *e;
	char err[256], addr[64];
	int kerr, done = 0;
	(void)state;

	memset(&m, 0, sizeof(m));
	m.idiag_family = AF_INET6;
	m.idiag_state = K_TCP_ESTABLISHED;
	m.id.idiag_sport = htons(9400);
	m.id.idiag_dport = htons(51844);
	inet_pton(AF_INET6, "fd42::7", m.id.idiag_src);
	inet_pton(AF_INET6, "fd42::8", m.id.idiag_dst);
	m.idiag_uid = 113;
	m.idiag_inode = 4242;
	nl_add(&b, SOCK_DIAG_BY_FAMILY, &m, sizeof(m));
	nl_add(&b, NLMSG_DONE, &done, sizeof(done));
	sock_table_want(t, 4242);
	/* unaligned, as a fuzzer would hand it */
	{
		uint8_t *odd = malloc(b.len + 1);
		memcpy(odd + 1, b.data, b.len);
		assert_int_equal(sockdiag_parse(t, odd + 1, b.len, SOCK_PROTO_TCP, &kerr, err, sizeof(err)), 1);
		free(odd);
	}
	e = sock_table_get(t, 4242);
	assert_non_null(e);
	assert_int_equal(e->family, AF_INET6);
	assert_int_equal(e->local_port, 9400);
	assert_int_equal(e->remote_port, 51844);
	assert_string_equal(inet_ntop(AF_INET6, e->remote, addr, sizeof(addr)), "fd42::8");
	assert_int_equal(e->uid, 113);

	/* a length past the buffer, a short payload, an error, an unknown type */
	b.len = 0;
	nl_add(&b, SOCK_DIAG_BY_FAMILY, &m, sizeof(m));
	assert_int_equal(sockdiag_parse(t, b.data, b.len - 8, SOCK_PROTO_TCP, &kerr, err, sizeof(err)), -1);
	assert_string_equal(err, "netlink message length 88 out of bounds");
	b.len = 0;
	nl_add(&b, SOCK_DIAG_BY_FAMILY, &m, 20);
	assert_int_equal(sockdiag_parse(t, b.data, b.len, SOCK_PROTO_TCP, &kerr, err, sizeof(err)), -1);
	assert_string_equal(err, "inet_diag message of 20 bytes, shorter than its header");
	b.len = 0;
	{
		int code = -2;   /* -ENOENT: no udp_diag */
		nl_add(&b, NLMSG_ERROR, &code, sizeof(code));
	}
	assert_int_equal(sockdiag_parse(t, b.data, b.len, SOCK_PROTO_UDP, &kerr, err, sizeof(err)), -1);
	assert_int_equal(kerr, 2);
	b.len = 0;
	{
		int code = INT32_MIN;   /* fuzz_sockdiag: negating it was undefined */
		nl_add(&b, NLMSG_ERROR, &code, sizeof(code));
	}
	assert_int_equal(sockdiag_parse(t, b.data, b.len, SOCK_PROTO_UDP, &kerr, err, sizeof(err)), -1);
	assert_string_equal(err, "netlink error message with an invalid error code -2147483648");
	b.len = 0;
	nl_add(&b, 77, &m, sizeof(m));
	assert_int_equal(sockdiag_parse(t, b.data, b.len, SOCK_PROTO_TCP, &kerr, err, sizeof(err)), -1);
	assert_string_equal(err, "unexpected netlink message type 77");
	m.idiag_state = 40;
	b.len = 0;
	nl_add(&b, SOCK_DIAG_BY_FAMILY, &m, sizeof(m));
	assert_int_equal(sockdiag_parse(t, b.data, b.len, SOCK_PROTO_TCP, &kerr, err, sizeof(err)), -1);
	assert_string_equal(err, "inet_diag message with unknown state 40");
	assert_int_equal(sockdiag_parse(t, b.data, 7, SOCK_PROTO_TCP, &kerr, err, sizeof(err)), -1);
	assert_string_equal(err, "7 trailing bytes, shorter than a netlink header");
	sock_table_free(t);
}

static void test_sockdiag_unix(void **state)
{
	struct sock_table *t = sock_table_new();
	uint8_t payload[64];
	struct unix_diag_msg m;
	struct nlattr a;
	struct nlbuf b = { .len = 0 };
	const struct sock_entry *e;
	static const char name[] = "\0nvidia\0x";   /* abstract, with a NUL inside */
	char err[256];
	int kerr;
	(void)state;

	memset(&m, 0, sizeof(m));
	m.udiag_family = AF_UNIX;
	m.udiag_type = SOCK_STREAM;
	m.udiag_state = K_TCP_LISTEN;
	m.udiag_ino = 777;
	memcpy(payload, &m, sizeof(m));
	a.nla_len = (uint16_t)(NLA_HDRLEN + sizeof(name) - 1);
	a.nla_type = UNIX_DIAG_NAME;
	memcpy(payload + sizeof(m), &a, sizeof(a));
	memcpy(payload + sizeof(m) + NLA_HDRLEN, name, sizeof(name) - 1);
	nl_add(&b, SOCK_DIAG_BY_FAMILY, payload, sizeof(m) + NLA_ALIGN(a.nla_len));
	sock_table_want(t, 777);
	assert_int_equal(sockdiag_parse(t, b.data, b.len, SOCK_PROTO_UNIX, &kerr, err, sizeof(err)), 0);
	e = sock_table_get(t, 777);
	assert_string_equal(e->path, "@nvidia@x");
	assert_string_equal(sock_state_name(e), "listen");

	/* an attribute longer than its message */
	a.nla_len = 200;
	memcpy(payload + sizeof(m), &a, sizeof(a));
	b.len = 0;
	nl_add(&b, SOCK_DIAG_BY_FAMILY, payload, sizeof(m) + 12);
	assert_int_equal(sockdiag_parse(t, b.data, b.len, SOCK_PROTO_UNIX, &kerr, err, sizeof(err)), -1);
	assert_string_equal(err, "unix_diag attribute length 200 out of bounds");
	sock_table_free(t);
}

/* The live kernel: a listening socket of our own is found by its inode. */
static void test_sockdiag_live(void **state)
{
	struct sock_table *t = sock_table_new();
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t slen = sizeof(sin);
	const struct sock_entry *e;
	struct stat st;
	char err[256];
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	(void)state;

	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	assert_int_equal(listen(fd, 1), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sin, &slen), 0);
	assert_int_equal(fstat(fd, &st), 0);
	sock_table_want(t, st.st_ino);
	if (sockdiag_dump_all(t, err, sizeof(err)) != 0) {
		close(fd);
		sock_table_free(t);
		print_message("netlink sock_diag refused here: %s\n", err);
		skip();
	}
	e = sock_table_get(t, st.st_ino);
	assert_non_null(e);
	assert_int_equal(e->state, K_TCP_LISTEN);
	assert_int_equal(e->local_port, ntohs(sin.sin_port));
	assert_int_equal(e->local[0], 127);
	close(fd);
	sock_table_free(t);
}

static struct spyware_policy *policy_from(const char *text, char *err, size_t errlen)
{
	json_t *doc = json_parse_strict(text, strlen(text), "p", err, errlen);
	struct spyware_policy *p;

	if (doc == NULL)
		return NULL;
	p = spyware_policy_parse(doc, "p", err, errlen);
	json_decref(doc);
	return p;
}

static struct policy_socket sock_of(enum policy_kind kind, enum policy_protocol proto, const char *addr, uint16_t port)
{
	struct policy_socket s = { .kind = kind, .protocol = proto, .port = port };
	assert_int_equal(ip_parse(addr, &s.family, s.addr), 0);
	return s;
}

static void test_policy(void **state)
{
	static const char text[] =
		"{\"chipaudit_policy\": 1, \"rules\": ["
		" {\"kind\": \"connect\", \"exe\": \"/opt/conda/bin/python3*\", \"user\": \"train\","
		"  \"addresses\": [\"10.42.0.0/16\", \"fd42::/64\"], \"ports\": [\"1024-65535\"], \"protocol\": \"tcp\"},"
		" {\"kind\": \"listen\", \"daemon\": \"dcgm-exporter\", \"addresses\": [\"::/0\"], \"ports\": [9400]},"
		" {\"kind\": \"connect\", \"addresses\": [\"192.0.2.1\"]}],"
		" \"executables\": [{\"path\": \"/opt/*/python3.11\", \"sha256\": \"" /* 64 hex */
		"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\"}, {\"path\": \"/usr/local/bin/agent\"}]}";
	struct policy_subject train = { "/opt/conda/bin/python3.11", "python3.11", "train", NULL };
	struct policy_subject other = { "/opt/conda/bin/python3.11", "python3.11", "bob", NULL };
	struct policy_subject exporter = { "/usr/bin/dcgm-exporter", "dcgm-exporter", "root", "dcgm-exporter" };
	struct policy_socket s;
	char err[512];
	struct spyware_policy *p = policy_from(text, err, sizeof(err));
	(void)state;

	if (p == NULL)
		fail_msg("%s", err);
	s = sock_of(POLICY_CONNECT, POLICY_TCP, "10.42.3.4", 29500);
	assert_int_equal(spyware_policy_match(p, &train, &s), 0);
	assert_int_equal(spyware_policy_match(p, &other, &s), -1);        /* user */
	s = sock_of(POLICY_CONNECT, POLICY_UDP, "10.42.3.4", 29500);
	assert_int_equal(spyware_policy_match(p, &train, &s), -1);        /* protocol */
	s = sock_of(POLICY_CONNECT, POLICY_TCP, "10.43.0.1", 29500);
	assert_int_equal(spyware_policy_match(p, &train, &s), -1);        /* outside the /16 */
	s = sock_of(POLICY_CONNECT, POLICY_TCP, "10.42.0.1", 80);
	assert_int_equal(spyware_policy_match(p, &train, &s), -1);        /* port */
	s = sock_of(POLICY_CONNECT, POLICY_TCP, "fd42::8", 43002);
	assert_int_equal(spyware_policy_match(p, &train, &s), 0);
	s = sock_of(POLICY_CONNECT, POLICY_TCP, "fd42:0:0:1::8", 43002);
	assert_int_equal(spyware_policy_match(p, &train, &s), -1);        /* outside the /64 */
	s = sock_of(POLICY_CONNECT, POLICY_TCP, "::ffff:10.42.0.9", 40000);
	assert_int_equal(s.family, AF_INET);                              /* v4-mapped folds to IPv4 */
	assert_int_equal(spyware_policy_match(p, &train, &s), 0);
	s = sock_of(POLICY_LISTEN, POLICY_TCP, "::", 9400);
	assert_int_equal(spyware_policy_match(p, &exporter, &s), 1);
	assert_int_equal(spyware_policy_match(p, &train, &s), -1);        /* daemon */
	s = sock_of(POLICY_LISTEN, POLICY_TCP, "0.0.0.0", 9400);
	assert_int_equal(spyware_policy_match(p, &exporter, &s), -1);     /* ::/0 does not cover IPv4 */
	s = sock_of(POLICY_CONNECT, POLICY_UDP, "192.0.2.1", 53);
	assert_int_equal(spyware_policy_match(p, &other, &s), 2);         /* a /32, any port and protocol */
	assert_int_equal(spyware_policy_exe(p, "/opt/conda/bin/python3.11",
					    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"), -1);  /* '*' does not cross '/' */
	assert_int_equal(spyware_policy_exe(p, "/opt/conda/python3.11",
					    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"), 0);
	assert_int_equal(spyware_policy_exe(p, "/opt/conda/python3.11", "ff"), -1);
	assert_int_equal(spyware_policy_exe(p, "/usr/local/bin/agent", NULL), 1);
	assert_int_equal(spyware_policy_match(NULL, &train, &s), -1);
	spyware_policy_free(p);
}

static void expect_policy_error(const char *text, const char *want)
{
	char err[512] = "";
	struct spyware_policy *p = policy_from(text, err, sizeof(err));

	assert_null(p);
	if (strcmp(err, want) != 0)
		fail_msg("got \"%s\", wanted \"%s\"", err, want);
}

static void test_policy_errors(void **state)
{
	(void)state;
	expect_policy_error("[]", "p: expected a JSON object at the top level");
	expect_policy_error("{}", "p: policy.chipaudit_policy: missing");
	expect_policy_error("{\"chipaudit_policy\": 1, \"rules\": [{\"kind\": \"connect\", \"addresses\": [\"10.0.0.0/8\"], \"ports\": []}]}",
			    "p: policy.rules[0].ports: empty; leave it out to accept any port");
	expect_policy_error("{\"chipaudit_policy\": 1, \"rules\": [{\"kind\": \"connect\", \"addresses\": [\"10.0.0.0/ 8\"]}]}",
			    "p: policy.rules[0].addresses[0]: \"10.0.0.0/ 8\": prefix length must be 0 to 32");
	expect_policy_error("{\"chipaudit_policy\": 1, \"rules\": [{\"kind\": \"connect\", \"addresses\": [\"fd42::/129\"]}]}",
			    "p: policy.rules[0].addresses[0]: \"fd42::/129\": prefix length must be 0 to 128");
	expect_policy_error("{\"chipaudit_policy\": 1, \"rules\": [{\"kind\": \"connect\", \"addresses\": [\"example.com\"]}]}",
			    "p: policy.rules[0].addresses[0]: \"example.com\" is not an IPv4 or IPv6 address");
	expect_policy_error("{\"chipaudit_policy\": 1, \"rules\": [{\"kind\": \"connect\", \"addresses\": [\"::/0\"], \"ports\": [\"+80\"]}]}",
			    "p: policy.rules[0].ports[0]: expected a port 1-65535 or a range \"LOW-HIGH\"");
	expect_policy_error("{\"chipaudit_policy\": 1, \"rules\": [{\"kind\": \"connect\", \"addresses\": [\"::/0\"], \"user\": \"\"}]}",
			    "p: policy.rules[0].user: empty");
	expect_policy_error("{\"chipaudit_policy\": 1, \"rules\": [{\"kind\": \"connect\", \"addresses\": [\"::/0\"], \"protocol\": \"sctp\"}]}",
			    "p: policy.rules[0].protocol: expected \"tcp\" or \"udp\"");
	expect_policy_error("{\"chipaudit_policy\": 1, \"rules\": [7]}", "p: policy.rules[0]: expected an object");
}

static void test_addresses(void **state)
{
	uint8_t a[16];
	int family;
	struct cidr c;
	char err[128];
	(void)state;

	assert_int_equal(ip_parse("127.255.0.1", &family, a), 0);
	assert_true(ip_is_loopback(family, a));
	assert_int_equal(ip_parse("::1", &family, a), 0);
	assert_true(ip_is_loopback(family, a));
	assert_int_equal(ip_parse("::ffff:127.0.0.1", &family, a), 0);
	assert_int_equal(family, AF_INET);
	assert_true(ip_is_loopback(family, a));
	assert_int_equal(ip_parse("0.0.0.0", &family, a), 0);
	assert_false(ip_is_loopback(family, a));
	assert_int_equal(ip_parse("::", &family, a), 0);
	assert_false(ip_is_loopback(family, a));
	assert_int_equal(ip_parse("1.2.3", &family, a), -1);
	assert_int_equal(cidr_parse("10.42.0.0/15", &c, err, sizeof(err)), 0);
	assert_int_equal(ip_parse("10.43.255.255", &family, a), 0);
	assert_true(cidr_contains(&c, family, a));
	assert_int_equal(ip_parse("10.44.0.0", &family, a), 0);
	assert_false(cidr_contains(&c, family, a));
	assert_int_equal(cidr_parse("0.0.0.0/0", &c, err, sizeof(err)), 0);
	assert_true(cidr_contains(&c, family, a));
	assert_int_equal(cidr_parse("10.42.0.1/15", &c, err, sizeof(err)), -1);
	assert_string_equal(err, "\"10.42.0.1/15\": address has bits set beyond the /15 prefix");
}

/* An RPM header as rpmdb.sqlite stores it. */
static size_t rpm_blob(uint8_t *out, const uint32_t *dirindex, size_t nfiles, const char *name,
		       const char *bases, size_t baselen, const char *dirs, size_t dirlen, uint32_t ndirs)
{
	uint8_t data[512];
	size_t dl = 0, n;
	uint32_t entries[4][4];

#define BE(x) (uint32_t)htonl((uint32_t)(x))
	entries[0][0] = BE(1116); entries[0][1] = BE(4); entries[0][2] = BE(dl); entries[0][3] = BE(nfiles);
	for (size_t i = 0; i < nfiles; i++) {
		uint32_t v = BE(dirindex[i]);
		memcpy(data + dl, &v, 4);
		dl += 4;
	}
	entries[1][0] = BE(1000); entries[1][1] = BE(6); entries[1][2] = BE(dl); entries[1][3] = BE(1);
	memcpy(data + dl, name, strlen(name) + 1);
	dl += strlen(name) + 1;
	entries[2][0] = BE(1117); entries[2][1] = BE(8); entries[2][2] = BE(dl); entries[2][3] = BE(nfiles);
	memcpy(data + dl, bases, baselen);
	dl += baselen;
	entries[3][0] = BE(1118); entries[3][1] = BE(8); entries[3][2] = BE(dl); entries[3][3] = BE(ndirs);
	memcpy(data + dl, dirs, dirlen);
	dl += dirlen;
	n = 0;
	{
		uint32_t il = BE(4), dlen = BE(dl);
		memcpy(out, &il, 4);
		memcpy(out + 4, &dlen, 4);
		n = 8;
	}
	memcpy(out + n, entries, sizeof(entries));
	n += sizeof(entries);
	memcpy(out + n, data, dl);
#undef BE
	return n + dl;
}

struct collected {
	char files[8][128];
	size_t n;
};

static int collect(void *arg, const char *package, const char *dir, const char *base)
{
	struct collected *c = arg;
	if (c->n < 8)
		snprintf(c->files[c->n++], 128, "%s %s%s", package, dir, base);
	return 0;
}

static void test_rpm_header(void **state)
{
	static const uint32_t idx[] = { 0, 1, 0 };
	static const char bases[] = "nv-hostengine\0libdcgm.so.4\0dcgmi";
	static const char dirs[] = "/usr/bin/\0/usr/lib64/";
	uint8_t blob[1024];
	struct collected c = { .n = 0 };
	char err[256];
	size_t n = rpm_blob(blob, idx, 3, "datacenter-gpu-manager-4-core", bases, sizeof(bases), dirs, sizeof(dirs), 2);
	(void)state;

	assert_int_equal(rpm_header_files(blob, n, collect, &c, err, sizeof(err)), 0);
	assert_int_equal(c.n, 3);
	assert_string_equal(c.files[0], "datacenter-gpu-manager-4-core /usr/bin/nv-hostengine");
	assert_string_equal(c.files[1], "datacenter-gpu-manager-4-core /usr/lib64/libdcgm.so.4");
	assert_string_equal(c.files[2], "datacenter-gpu-manager-4-core /usr/bin/dcgmi");
	/* truncated, a directory index past the list, a string running off the end */
	assert_int_equal(rpm_header_files(blob, n - 1, collect, &c, err, sizeof(err)), -1);
	{
		char want[128];
		snprintf(want, sizeof(want), "header claims 4 index entries and %zu data bytes in a %zu-byte blob", n - 72, n - 1);
		assert_string_equal(err, want);
	}
	{
		static const uint32_t bad[] = { 0, 5, 0 };
		size_t m = rpm_blob(blob, bad, 3, "evil", bases, sizeof(bases), dirs, sizeof(dirs), 2);
		assert_int_equal(rpm_header_files(blob, m, collect, &c, err, sizeof(err)), -1);
		assert_string_equal(err, "package evil: file 1 names directory 5 of 2");
	}
	{
		size_t m = rpm_blob(blob, idx, 3, "evil", bases, sizeof(bases), "/usr/bin/", 9, 1);
		assert_int_equal(rpm_header_files(blob, m, collect, &c, err, sizeof(err)), -1);
		assert_string_equal(err, "dirnames: string 0 runs past the data store");
	}
	assert_int_equal(rpm_header_files(blob, 4, collect, &c, err, sizeof(err)), -1);
}

static void test_fold_usr(void **state)
{
	char *p;
	(void)state;
	p = pkgdb_fold_usr("/bin/bash", 9);
	assert_string_equal(p, "/usr/bin/bash");
	free(p);
	p = pkgdb_fold_usr("/lib64/ld-linux-x86-64.so.2", 27);
	assert_string_equal(p, "/usr/lib64/ld-linux-x86-64.so.2");
	free(p);
	p = pkgdb_fold_usr("/usr/bin/python3.11", 19);
	assert_string_equal(p, "/usr/bin/python3.11");
	free(p);
	p = pkgdb_fold_usr("/binary", 7);
	assert_string_equal(p, "/binary");
	free(p);
}

static void test_data_tables(void **state)
{
	static const char *const extra[] = { "/tmp/fake-accel*" };
	struct spy_data d;
	char err[512];
	(void)state;

	assert_int_equal(spy_data_load(&d, extra, 1, err, sizeof(err)), 0);
	assert_true(spy_data_is_device(&d, "/dev/nvidia0"));
	assert_true(spy_data_is_device(&d, "/dev/nvidiactl"));
	assert_true(spy_data_is_device(&d, "/dev/nvidia-caps/nvidia-cap21"));
	assert_true(spy_data_is_device(&d, "/dev/dri/renderD128"));
	assert_true(spy_data_is_device(&d, "/dev/davinci_manager"));
	assert_true(spy_data_is_device(&d, "/dev/accel/accel0"));
	assert_true(spy_data_is_device(&d, "/tmp/fake-accel0"));
	assert_false(spy_data_is_device(&d, "/dev/dri/card0"));
	assert_false(spy_data_is_device(&d, "/dev/null"));
	assert_false(spy_data_is_device(&d, "socket:[123]"));
	assert_false(spy_data_is_device(&d, "/dev/nvidia-caps/x/y"));   /* '*' does not cross '/' */
	assert_string_equal(spy_data_daemon(&d, "nv-hostengine")->name, "nv-hostengine");
	assert_string_equal(spy_data_daemon(&d, "nvidia-persiste")->name, "nvidia-persistenced");
	assert_null(spy_data_daemon(&d, "nvidia-persistenced"));   /* comm is at most 15 bytes */
	spy_data_free(&d);
}

static void expect_data_error(const char *nodes, const char *daemons, const char *want)
{
	char err[512] = "";
	json_t *n = json_loads(nodes, 0, NULL), *dm = json_loads(daemons, 0, NULL);
	struct spy_data d;

	assert_non_null(n);
	assert_non_null(dm);
	assert_int_equal(spy_data_from_json(&d, n, dm, NULL, 0, err, sizeof(err)), -1);
	if (strcmp(err, want) != 0)
		fail_msg("got \"%s\", wanted \"%s\"", err, want);
	json_decref(n);
	json_decref(dm);
}

static void test_data_errors(void **state)
{
	static const char good_daemons[] = "{\"schema\": \"chipaudit-daemons/1\", \"updated\": \"x\", \"sources\": {}, \"daemons\": []}";
	static const char good_nodes[] = "{\"schema\": \"chipaudit-device-nodes/1\", \"updated\": \"x\", \"sources\": {\"S\": {\"title\": \"t\", \"url\": null}}, \"vendors\": []}";
	(void)state;

	expect_data_error("{\"schema\": \"chipaudit-device-nodes/2\", \"updated\": \"x\", \"sources\": {}, \"vendors\": []}", good_daemons,
			  "data/device-nodes.json.schema: \"chipaudit-device-nodes/2\" is not chipaudit-device-nodes/1");
	expect_data_error("{\"schema\": \"chipaudit-device-nodes/1\", \"updated\": \"x\", \"sources\": {\"S\": {\"title\": \"t\", \"url\": null}},"
			  " \"vendors\": [{\"vendor\": \"V\", \"patterns\": [\"/dev/x\"], \"source\": []}]}", good_daemons,
			  "data/device-nodes.json.vendors[0].source: empty: every entry names its source");
	expect_data_error("{\"schema\": \"chipaudit-device-nodes/1\", \"updated\": \"x\", \"sources\": {}, \"vendors\": [], \"extra\": 1}", good_daemons,
			  "data/device-nodes.json.extra: unknown member");
	expect_data_error(good_nodes, "{\"schema\": \"chipaudit-daemons/1\", \"updated\": \"x\", \"sources\": {\"S\": {\"title\": \"t\", \"url\": null}},"
			  " \"daemons\": [{\"name\": \"d\", \"vendor\": \"v\", \"role\": \"r\", \"process_names\": [\"a-very-long-process-name\"],"
			  " \"default_listen\": [], \"source\": [\"S\"]}]}",
			  "data/daemons.json.daemons[0].process_names[0]: string longer than 15 bytes");
	expect_data_error(good_nodes, "{\"schema\": \"chipaudit-daemons/1\", \"updated\": \"x\", \"sources\": {\"S\": {\"title\": \"t\", \"url\": null}},"
			  " \"daemons\": [{\"name\": \"d\", \"vendor\": \"v\", \"role\": \"r\", \"process_names\": [\"d\"],"
			  " \"default_listen\": [{\"protocol\": \"tcp\", \"port\": 70000, \"address\": null}], \"source\": [\"S\"]}]}",
			  "data/daemons.json.daemons[0].default_listen[0].port: 70000 out of range [1, 65535]");
}

static void test_list_links(void **state)
{
	char dir[] = "/tmp/chipaudit-links-XXXXXX", path[256], err[256];
	struct sysroot sr;
	struct sysroot_link *links;
	size_t n, found = 0;
	(void)state;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/proc/7/fd", dir);
	{
		char cmd[1400];
		snprintf(cmd, sizeof(cmd), "mkdir -p '%s' && ln -s '/dev/nvidia0' '%s/3' && ln -s 'socket:[99]' '%s/4' && touch '%s/5'",
			 path, path, path, path);
		assert_int_equal(system(cmd), 0);
	}
	assert_int_equal(sysroot_open(&sr, dir, err, sizeof(err)), 0);
	sr.recorder = recorder_new();
	assert_int_equal(sysroot_list_links(&sr, "/proc/7/fd", &links, &n), 0);
	assert_int_equal(n, 3);
	for (size_t i = 0; i < n; i++) {
		if (strcmp(links[i].name, "3") == 0 && strcmp(links[i].target, "/dev/nvidia0") == 0)
			found++;
		if (strcmp(links[i].name, "4") == 0 && strcmp(links[i].target, "socket:[99]") == 0)
			found++;
		if (strcmp(links[i].name, "5") == 0 && links[i].target == NULL)
			found++;
	}
	assert_int_equal(found, 3);
	/* the links and the directory are recorded for a snapshot */
	assert_int_equal(recorder_count(sr.recorder), 3);
	sysroot_free_links(links, n);
	assert_int_equal(sysroot_list_links(&sr, "/proc/8/fd", &links, &n), -1);
	recorder_free(sr.recorder);
	sysroot_close(&sr);
	{
		char cmd[300];
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		assert_int_equal(system(cmd), 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_procnet_inet),
		cmocka_unit_test(test_procnet_inet_errors),
		cmocka_unit_test(test_procnet_unix),
		cmocka_unit_test(test_sockdiag_parse),
		cmocka_unit_test(test_sockdiag_unix),
		cmocka_unit_test(test_sockdiag_live),
		cmocka_unit_test(test_policy),
		cmocka_unit_test(test_policy_errors),
		cmocka_unit_test(test_addresses),
		cmocka_unit_test(test_rpm_header),
		cmocka_unit_test(test_fold_usr),
		cmocka_unit_test(test_data_tables),
		cmocka_unit_test(test_data_errors),
		cmocka_unit_test(test_list_links),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
