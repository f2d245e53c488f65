/* libFuzzer target: the site policy (--policy): strict JSON, validation, and
 * matching with whatever validates. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/socket.h>

#include "checks/spyware_policy.h"
#include "core/json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const addrs[] = { "10.42.0.8", "fd42::8", "0.0.0.0", "::", "::ffff:10.20.0.2", "203.0.113.50" };
	struct policy_subject who = { "/opt/conda/bin/python3.11", "python3.11", "train", "dcgm-exporter" };
	char err[1024];
	json_t *doc = json_parse_strict((const char *)data, size, "fuzz", err, sizeof(err));
	struct spyware_policy *p;

	if (doc == NULL)
		return 0;
	p = spyware_policy_parse(doc, "fuzz", err, sizeof(err));
	json_decref(doc);
	if (p == NULL)
		return 0;
	for (size_t i = 0; i < sizeof(addrs) / sizeof(addrs[0]); i++) {
		for (int kind = POLICY_CONNECT; kind <= POLICY_LISTEN; kind++) {
			struct policy_socket s = { .kind = kind, .protocol = POLICY_TCP, .port = (uint16_t)(29500 + i) };
			long r;
			if (ip_parse(addrs[i], &s.family, s.addr) != 0)
				abort();
			r = spyware_policy_match(p, &who, &s);
			if (r >= (long)p->nrules)
				abort();
		}
	}
	if (spyware_policy_exe(p, who.exe, "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef") >= (long)p->nexes)
		abort();
	spyware_policy_free(p);
	return 0;
}
