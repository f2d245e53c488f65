/* parse/socktable.c: /proc/net tables and sock_diag replies. */
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
#include "parse/rpmheader.h"
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_procnet_inet),
		cmocka_unit_test(test_procnet_inet_errors),
		cmocka_unit_test(test_procnet_unix),
		cmocka_unit_test(test_sockdiag_parse),
		cmocka_unit_test(test_sockdiag_unix),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
