/* checks/spyware_policy.c: the site policy and its addresses. */
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_policy),
		cmocka_unit_test(test_policy_errors),
		cmocka_unit_test(test_addresses),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
