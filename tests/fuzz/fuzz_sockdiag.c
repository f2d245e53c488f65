/* libFuzzer target: the NETLINK_SOCK_DIAG reply parser. The first byte picks
 * the dump (TCP, UDP, unix), the rest is one datagram as recv() returns it,
 * at whatever alignment the fuzzer hands it. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "parse/socktable.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const int protos[] = { SOCK_PROTO_TCP, SOCK_PROTO_UDP, SOCK_PROTO_UNIX };
	struct sock_table *t;
	char err[256];
	int kerr, rc;

	if (size < 1)
		return 0;
	t = sock_table_new();
	for (uint64_t i = 1; i <= 256; i++)
		sock_table_want(t, i);
	err[0] = '\0';
	rc = sockdiag_parse(t, data + 1, size - 1, protos[data[0] % 3], &kerr, err, sizeof(err));
	if (rc < 0 && err[0] == '\0')
		abort();
	for (uint64_t i = 1; i <= 256; i++) {
		const struct sock_entry *e = sock_table_get(t, i);
		if (e && sock_state_name(e) == NULL)
			abort();
	}
	sock_table_free(t);
	return 0;
}
