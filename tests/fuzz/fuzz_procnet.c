/* libFuzzer target: the /proc/net/{tcp,tcp6,udp,udp6,unix} parsers. The first
 * byte picks the table, the rest is its content; every inode from 1 to 256
 * is wanted, so what parses is also stored and read back. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "parse/socktable.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct { int proto, family; } kinds[] = {
		{ SOCK_PROTO_TCP, AF_INET }, { SOCK_PROTO_TCP, AF_INET6 }, { SOCK_PROTO_UDP, AF_INET },
		{ SOCK_PROTO_UDP, AF_INET6 }, { SOCK_PROTO_UNIX, AF_UNIX },
	};
	struct sock_table *t;
	char err[256];
	int rc;

	if (size < 1)
		return 0;
	t = sock_table_new();
	for (uint64_t i = 1; i <= 256; i++)
		sock_table_want(t, i);
	if (kinds[data[0] % 5].proto == SOCK_PROTO_UNIX)
		rc = procnet_parse_unix(t, (const char *)data + 1, size - 1, err, sizeof(err));
	else
		rc = procnet_parse_inet(t, (const char *)data + 1, size - 1, kinds[data[0] % 5].proto,
					kinds[data[0] % 5].family, err, sizeof(err));
	if (rc == 0) {
		for (uint64_t i = 1; i <= 256; i++) {
			const struct sock_entry *e = sock_table_get(t, i);
			if (e && (sock_state_name(e) == NULL || (e->path && strlen(e->path) > size)))
				abort();
		}
	} else if (err[0] == '\0') {
		abort();       /* an error always says what */
	}
	sock_table_free(t);
	return 0;
}
