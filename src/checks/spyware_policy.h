/* The site policy for the spyware checks (--policy FILE, docs/spyware.md):
 * which processes are expected to talk to which peers, to listen where, and
 * which executables outside the package database are expected. Loaded and
 * validated strictly once, then matched by the checks. */
#ifndef CHIPAUDIT_SPYWARE_POLICY_H
#define CHIPAUDIT_SPYWARE_POLICY_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

enum policy_kind { POLICY_CONNECT = 1, POLICY_LISTEN = 2 };
enum policy_protocol { POLICY_ANY = 0, POLICY_TCP = 1, POLICY_UDP = 2 };

struct cidr {
	int family;             /* AF_INET or AF_INET6 */
	uint8_t addr[16];
	unsigned prefix;
};

struct port_range {
	uint16_t lo, hi;
};

struct policy_rule {
	char *comment;
	enum policy_kind kind;
	char *exe, *command, *user, *daemon;   /* selectors; NULL matches anything */
	struct cidr *cidrs;
	size_t ncidrs;
	struct port_range *ports;              /* none: any port */
	size_t nports;
	enum policy_protocol protocol;
};

struct policy_exe {
	char *comment;
	char *path;             /* glob */
	char sha256[65];        /* "" when any content is accepted */
};

struct spyware_policy {
	char *name;             /* the file, as given */
	struct policy_rule *rules;
	size_t nrules;
	struct policy_exe *exes;
	size_t nexes;
};

/* Load PATH; NULL with err = "PATH: problem" and *error CA_ERR_NOINPUT
 * (unreadable) or CA_ERR_DATA (malformed). */
struct spyware_policy *spyware_policy_load(const char *path, char *err, size_t errlen, int *error);
/* Validate a parsed document; err = "NAME: where: problem". */
struct spyware_policy *spyware_policy_parse(const json_t *doc, const char *name, char *err, size_t errlen);
void spyware_policy_free(struct spyware_policy *p);

/* Who holds the socket, from facts. Any member may be NULL. */
struct policy_subject {
	const char *exe, *command, *user, *daemon;
};

struct policy_socket {
	enum policy_kind kind;
	enum policy_protocol protocol;
	int family;
	uint8_t addr[16];       /* remote for a connection, local for a listener */
	uint16_t port;
};

/* Index of the first rule that expects S held by WHO, or -1. */
long spyware_policy_match(const struct spyware_policy *p, const struct policy_subject *who,
			  const struct policy_socket *s);
/* Index of the first executables entry matching EXE (and SHA256 where the
 * entry pins one), or -1. */
long spyware_policy_exe(const struct spyware_policy *p, const char *exe, const char *sha256);

/* Parse an IP address, folding IPv4-mapped IPv6 (::ffff:a.b.c.d) to IPv4. */
int ip_parse(const char *s, int *family, uint8_t addr[16]);
int ip_is_loopback(int family, const uint8_t addr[16]);
/* "10.0.0.0/8", "fd00::/8", or an address alone (a /32 or /128). */
int cidr_parse(const char *s, struct cidr *out, char *err, size_t errlen);
int cidr_contains(const struct cidr *c, int family, const uint8_t addr[16]);

#endif
