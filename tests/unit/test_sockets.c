/* probe/sockets.c: the sock_diag dump of the live kernel. */
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sockdiag_live),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
