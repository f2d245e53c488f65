/* Site policy for the spyware checks: parse, validate, match.
 * The format is documented in docs/spyware.md. Every member is checked and
 * unknown members are refused: a misspelt key must not silently widen or
 * narrow what is expected. */
#include "spyware_policy.h"

#include <arpa/inet.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "core/json.h"
#include "core/util.h"

#define POLICY_MAX_RULES 10000
#define POLICY_MAX_ITEMS 4096
#define POLICY_MAX_STRING 4096

/* Digits only: no sign, no spaces (parse_u64 allows surrounding blanks). */
static int strict_dec(const char *s, size_t n, uint64_t *out)
{
	uint64_t v = 0;

	if (n == 0 || n > 9)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	*out = v;
	return 0;
}

int ip_parse(const char *s, int *family, uint8_t addr[16])
{
	static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

	memset(addr, 0, 16);
	if (inet_pton(AF_INET, s, addr) == 1) {
		*family = AF_INET;
		return 0;
	}
	if (inet_pton(AF_INET6, s, addr) != 1)
		return -1;
	*family = AF_INET6;
	if (memcmp(addr, mapped, 12) == 0) {
		memmove(addr, addr + 12, 4);
		memset(addr + 4, 0, 12);
		*family = AF_INET;
	}
	return 0;
}

int ip_is_loopback(int family, const uint8_t addr[16])
{
	static const uint8_t v6_loopback[16] = { [15] = 1 };

	if (family == AF_INET)
		return addr[0] == 127;
	return memcmp(addr, v6_loopback, 16) == 0;
}

int cidr_parse(const char *s, struct cidr *out, char *err, size_t errlen)
{
	char buf[64];
	const char *slash = strchr(s, '/');
	size_t n = slash ? (size_t)(slash - s) : strlen(s);
	unsigned max;
	uint64_t prefix;

	memset(out, 0, sizeof(*out));
	if (n == 0 || n >= sizeof(buf)) {
		snprintf(err, errlen, "\"%.64s\" is not an address or CIDR block", s);
		return -1;
	}
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (inet_pton(AF_INET, buf, out->addr) == 1)
		out->family = AF_INET;
	else if (inet_pton(AF_INET6, buf, out->addr) == 1)
		out->family = AF_INET6;
	else {
		snprintf(err, errlen, "\"%.64s\" is not an IPv4 or IPv6 address", buf);
		return -1;
	}
	max = out->family == AF_INET ? 32 : 128;
	if (slash == NULL)
		prefix = max;
	else if (strict_dec(slash + 1, strlen(slash + 1), &prefix) != 0 || prefix > max) {
		snprintf(err, errlen, "\"%.64s\": prefix length must be 0 to %u", s, max);
		return -1;
	}
	out->prefix = (unsigned)prefix;
	for (unsigned bit = out->prefix; bit < max; bit++) {
		if (out->addr[bit / 8] & (0x80 >> (bit % 8))) {
			snprintf(err, errlen, "\"%.64s\": address has bits set beyond the /%u prefix", s, out->prefix);
			return -1;
		}
	}
	return 0;
}

int cidr_contains(const struct cidr *c, int family, const uint8_t addr[16])
{
	unsigned full = c->prefix / 8, rest = c->prefix % 8;

	if (c->family != family)
		return 0;
	if (memcmp(c->addr, addr, full) != 0)
		return 0;
	return rest == 0 || ((c->addr[full] ^ addr[full]) & (uint8_t)(0xff << (8 - rest))) == 0;
}

/* --- parsing ------------------------------------------------------------------- */

static char *opt_string(const json_t *obj, const char *key)
{
	const char *s = jstr(obj, key);
	return s ? xstrdup(s) : NULL;
}

static int parse_port(const json_t *v, struct port_range *r, const char *where, char *err, size_t errlen)
{
	uint64_t lo, hi;

	if (json_is_integer(v)) {
		json_int_t p = json_integer_value(v);
		if (p < 1 || p > 65535)
			goto bad;
		r->lo = r->hi = (uint16_t)p;
		return 0;
	}
	if (json_is_string(v)) {
		const char *s = json_string_value(v), *dash = strchr(s, '-');
		size_t n = dash ? (size_t)(dash - s) : strlen(s);
		if (strict_dec(s, n, &lo) != 0)
			goto bad;
		hi = lo;
		if (dash && strict_dec(dash + 1, strlen(dash + 1), &hi) != 0)
			goto bad;
		if (lo < 1 || hi > 65535 || lo > hi)
			goto bad;
		r->lo = (uint16_t)lo;
		r->hi = (uint16_t)hi;
		return 0;
	}
bad:
	snprintf(err, errlen, "%s: expected a port 1-65535 or a range \"LOW-HIGH\"", where);
	return -1;
}

static int parse_selector(const json_t *rule, const char *key, char **out, const char *where, char *err, size_t errlen)
{
	if (jv_string(rule, key, 0, POLICY_MAX_STRING, where, err, errlen))
		return -1;
	if (jstr(rule, key) && jstr(rule, key)[0] == '\0') {
		snprintf(err, errlen, "%s.%s: empty", where, key);
		return -1;
	}
	*out = opt_string(rule, key);
	return 0;
}

static int parse_rule(const json_t *rule, struct policy_rule *r, const char *where, char *err, size_t errlen)
{
	static const char *const members[] = { "comment", "kind", "exe", "command", "user", "daemon",
					       "addresses", "ports", "protocol" };
	const json_t *addrs = json_object_get(rule, "addresses"), *ports = json_object_get(rule, "ports");
	const char *kind, *proto;
	size_t i;
	json_t *v;

	if (!json_is_object(rule)) {
		snprintf(err, errlen, "%s: expected an object", where);
		return -1;
	}
	if (jv_only_members(rule, members, ARRAY_SIZE(members), where, err, errlen) ||
	    jv_string(rule, "comment", 0, POLICY_MAX_STRING, where, err, errlen) ||
	    jv_string(rule, "kind", JV_REQUIRED, 16, where, err, errlen) ||
	    jv_string(rule, "protocol", 0, 16, where, err, errlen) ||
	    jv_array(rule, "addresses", JV_REQUIRED, where, err, errlen) ||
	    jv_array(rule, "ports", 0, where, err, errlen))
		return -1;
	r->comment = opt_string(rule, "comment");
	kind = jstr(rule, "kind");
	if (strcmp(kind, "connect") == 0)
		r->kind = POLICY_CONNECT;
	else if (strcmp(kind, "listen") == 0)
		r->kind = POLICY_LISTEN;
	else {
		snprintf(err, errlen, "%s.kind: expected \"connect\" or \"listen\"", where);
		return -1;
	}
	proto = jstr(rule, "protocol");
	if (proto == NULL)
		r->protocol = POLICY_ANY;
	else if (strcmp(proto, "tcp") == 0)
		r->protocol = POLICY_TCP;
	else if (strcmp(proto, "udp") == 0)
		r->protocol = POLICY_UDP;
	else {
		snprintf(err, errlen, "%s.protocol: expected \"tcp\" or \"udp\"", where);
		return -1;
	}
	if (parse_selector(rule, "exe", &r->exe, where, err, errlen) ||
	    parse_selector(rule, "command", &r->command, where, err, errlen) ||
	    parse_selector(rule, "user", &r->user, where, err, errlen) ||
	    parse_selector(rule, "daemon", &r->daemon, where, err, errlen))
		return -1;
	if (json_array_size(addrs) == 0 || json_array_size(addrs) > POLICY_MAX_ITEMS) {
		snprintf(err, errlen, "%s.addresses: expected 1 to %d CIDR blocks (0.0.0.0/0 or ::/0 for any)",
			 where, POLICY_MAX_ITEMS);
		return -1;
	}
	r->cidrs = xcalloc(json_array_size(addrs), sizeof(*r->cidrs));
	json_array_foreach(addrs, i, v) {
		char sub[160], cerr[160];
		snprintf(sub, sizeof(sub), "%s.addresses[%zu]", where, i);
		if (!json_is_string(v)) {
			snprintf(err, errlen, "%s: expected a string", sub);
			return -1;
		}
		if (cidr_parse(json_string_value(v), &r->cidrs[i], cerr, sizeof(cerr)) != 0) {
			snprintf(err, errlen, "%s: %s", sub, cerr);
			return -1;
		}
		r->ncidrs++;
	}
	if (json_array_size(ports) > POLICY_MAX_ITEMS) {
		snprintf(err, errlen, "%s.ports: more than %d entries", where, POLICY_MAX_ITEMS);
		return -1;
	}
	if (ports && json_array_size(ports) == 0) {
		snprintf(err, errlen, "%s.ports: empty; leave it out to accept any port", where);
		return -1;
	}
	r->ports = xcalloc(json_array_size(ports) + 1, sizeof(*r->ports));
	json_array_foreach(ports, i, v) {
		char sub[160];
		snprintf(sub, sizeof(sub), "%s.ports[%zu]", where, i);
		if (parse_port(v, &r->ports[i], sub, err, errlen) != 0)
			return -1;
		r->nports++;
	}
	return 0;
}

static int parse_exe(const json_t *e, struct policy_exe *x, const char *where, char *err, size_t errlen)
{
	static const char *const members[] = { "comment", "path", "sha256" };

	if (!json_is_object(e)) {
		snprintf(err, errlen, "%s: expected an object", where);
		return -1;
	}
	if (jv_only_members(e, members, ARRAY_SIZE(members), where, err, errlen) ||
	    jv_string(e, "comment", 0, POLICY_MAX_STRING, where, err, errlen) ||
	    jv_string(e, "path", JV_REQUIRED, POLICY_MAX_STRING, where, err, errlen) ||
	    jv_hex(e, "sha256", 0, 64, where, err, errlen))
		return -1;
	if (jstr(e, "path")[0] != '/') {
		snprintf(err, errlen, "%s.path: expected an absolute path (a glob may be used)", where);
		return -1;
	}
	x->comment = opt_string(e, "comment");
	x->path = xstrdup(jstr(e, "path"));
	if (jstr(e, "sha256"))
		memcpy(x->sha256, jstr(e, "sha256"), 65);
	return 0;
}

static int parse_document(struct spyware_policy *p, const json_t *doc, char *err, size_t errlen)
{
	static const char *const top[] = { "chipaudit_policy", "description", "rules", "executables" };
	const json_t *rules = json_object_get(doc, "rules"), *exes = json_object_get(doc, "executables");
	json_int_t version;
	size_t i;
	json_t *v;

	if (!json_is_object(doc)) {
		snprintf(err, errlen, "expected a JSON object at the top level");
		return -1;
	}
	if (jv_only_members(doc, top, ARRAY_SIZE(top), "policy", err, errlen) ||
	    jv_integer(doc, "chipaudit_policy", JV_REQUIRED, 0, 1 << 30, "policy", err, errlen) ||
	    jv_string(doc, "description", 0, POLICY_MAX_STRING, "policy", err, errlen) ||
	    jv_array(doc, "rules", 0, "policy", err, errlen) ||
	    jv_array(doc, "executables", 0, "policy", err, errlen))
		return -1;
	jint(doc, "chipaudit_policy", &version);
	if (version != 1) {
		snprintf(err, errlen, "policy.chipaudit_policy: version %d is not supported (this build reads 1)", (int)version);
		return -1;
	}
	if (json_array_size(rules) > POLICY_MAX_RULES || json_array_size(exes) > POLICY_MAX_RULES) {
		snprintf(err, errlen, "policy: more than %d rules or executables", POLICY_MAX_RULES);
		return -1;
	}
	p->rules = xcalloc(json_array_size(rules) + 1, sizeof(*p->rules));
	json_array_foreach(rules, i, v) {
		char where[64];
		snprintf(where, sizeof(where), "policy.rules[%zu]", i);
		p->nrules++;
		if (parse_rule(v, &p->rules[i], where, err, errlen) != 0)
			return -1;
	}
	p->exes = xcalloc(json_array_size(exes) + 1, sizeof(*p->exes));
	json_array_foreach(exes, i, v) {
		char where[64];
		snprintf(where, sizeof(where), "policy.executables[%zu]", i);
		p->nexes++;
		if (parse_exe(v, &p->exes[i], where, err, errlen) != 0)
			return -1;
	}
	return 0;
}

struct spyware_policy *spyware_policy_parse(const json_t *doc, const char *name, char *err, size_t errlen)
{
	struct spyware_policy *p = xcalloc(1, sizeof(*p));
	char sub[512];

	p->name = xstrdup(name);
	if (parse_document(p, doc, sub, sizeof(sub)) != 0) {
		snprintf(err, errlen, "%s: %s", name, sub);
		spyware_policy_free(p);
		return NULL;
	}
	return p;
}

struct spyware_policy *spyware_policy_load(const char *path, char *err, size_t errlen, int *exit_code)
{
	json_t *doc = json_load_path(path, err, errlen, exit_code);
	struct spyware_policy *p;

	if (doc == NULL)
		return NULL;
	p = spyware_policy_parse(doc, path, err, errlen);
	json_decref(doc);
	if (p == NULL)
		*exit_code = CA_ERR_DATA;
	return p;
}

void spyware_policy_free(struct spyware_policy *p)
{
	if (p == NULL)
		return;
	for (size_t i = 0; i < p->nrules; i++) {
		struct policy_rule *r = &p->rules[i];
		free(r->comment);
		free(r->exe);
		free(r->command);
		free(r->user);
		free(r->daemon);
		free(r->cidrs);
		free(r->ports);
	}
	free(p->rules);
	for (size_t i = 0; i < p->nexes; i++) {
		free(p->exes[i].comment);
		free(p->exes[i].path);
	}
	free(p->exes);
	free(p->name);
	free(p);
}

/* --- matching ---------------------------------------------------------------- */

static int glob_matches(const char *pattern, const char *value, int flags)
{
	return pattern == NULL || (value != NULL && fnmatch(pattern, value, flags) == 0);
}

static int rule_matches(const struct policy_rule *r, const struct policy_subject *who, const struct policy_socket *s)
{
	int port_ok = r->nports == 0;

	if (r->kind != s->kind || (r->protocol != POLICY_ANY && r->protocol != s->protocol))
		return 0;
	if (!glob_matches(r->exe, who->exe, FNM_PATHNAME) || !glob_matches(r->command, who->command, 0) ||
	    (r->user && (who->user == NULL || strcmp(r->user, who->user) != 0)) ||
	    (r->daemon && (who->daemon == NULL || strcmp(r->daemon, who->daemon) != 0)))
		return 0;
	for (size_t i = 0; i < r->nports && !port_ok; i++)
		port_ok = s->port >= r->ports[i].lo && s->port <= r->ports[i].hi;
	if (!port_ok)
		return 0;
	for (size_t i = 0; i < r->ncidrs; i++)
		if (cidr_contains(&r->cidrs[i], s->family, s->addr))
			return 1;
	return 0;
}

long spyware_policy_match(const struct spyware_policy *p, const struct policy_subject *who,
			  const struct policy_socket *s)
{
	for (size_t i = 0; p && i < p->nrules; i++)
		if (rule_matches(&p->rules[i], who, s))
			return (long)i;
	return -1;
}

long spyware_policy_exe(const struct spyware_policy *p, const char *exe, const char *sha256)
{
	for (size_t i = 0; p && exe && i < p->nexes; i++) {
		const struct policy_exe *x = &p->exes[i];
		if (fnmatch(x->path, exe, FNM_PATHNAME) != 0)
			continue;
		if (x->sha256[0] == '\0' || (sha256 && strcmp(x->sha256, sha256) == 0))
			return (long)i;
	}
	return -1;
}
