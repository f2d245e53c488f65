/* Socket tables: which TCP, UDP and unix socket an inode is, with its state
 * and addresses. Filled from NETLINK_SOCK_DIAG on the live machine (as `ss`
 * does) or from /proc/<pid>/net/{tcp,tcp6,udp,udp6,unix} (a captured tree,
 * a snapshot being recorded, another network namespace, or when netlink is
 * refused).
 *
 * A table keeps only the inodes it was asked for (sock_table_want): a host
 * with 100,000 sockets costs one pass over them and memory for the few that
 * belong to processes of interest. The parsers work on buffers so that they
 * can be fuzzed without a kernel. */
#ifndef CHIPAUDIT_SOCKTABLE_H
#define CHIPAUDIT_SOCKTABLE_H

#include <stddef.h>
#include <stdint.h>

enum sock_proto { SOCK_PROTO_TCP = 1, SOCK_PROTO_UDP = 2, SOCK_PROTO_UNIX = 3 };

/* Unix socket states as `ss` names them. */
enum unix_state { UNIX_UNCONNECTED = 0, UNIX_CONNECTED = 1, UNIX_LISTEN = 2 };

/* Linux TCP states (include/net/tcp_states.h); UDP uses ESTABLISHED for a
 * connected socket and CLOSE for an unconnected one. */
enum {
	K_TCP_ESTABLISHED = 1, K_TCP_SYN_SENT, K_TCP_SYN_RECV, K_TCP_FIN_WAIT1, K_TCP_FIN_WAIT2,
	K_TCP_TIME_WAIT, K_TCP_CLOSE, K_TCP_CLOSE_WAIT, K_TCP_LAST_ACK, K_TCP_LISTEN, K_TCP_CLOSING,
	K_TCP_NEW_SYN_RECV, K_TCP_MAX_STATE = K_TCP_NEW_SYN_RECV,
};

struct sock_entry {
	uint64_t inode;
	uint8_t proto;         /* enum sock_proto */
	uint8_t family;        /* AF_INET, AF_INET6 or AF_UNIX */
	uint8_t state;         /* inet: K_TCP_*; unix: enum unix_state */
	uint8_t unix_type;     /* SOCK_STREAM, SOCK_DGRAM or SOCK_SEQPACKET */
	uint16_t local_port, remote_port;
	uint8_t local[16], remote[16];  /* network byte order; IPv4 in the first 4 bytes */
	uint32_t uid;
	char *path;            /* unix: bound path, "@name" when abstract, NULL when unbound */
};

struct sock_table;

struct sock_table *sock_table_new(void);
void sock_table_free(struct sock_table *t);
/* Ask the table to keep INODE (0 is never a socket and is ignored). */
void sock_table_want(struct sock_table *t, uint64_t inode);
size_t sock_table_wanted(const struct sock_table *t);
size_t sock_table_found(const struct sock_table *t);
/* The entry for INODE, or NULL when it was not wanted or not seen. */
const struct sock_entry *sock_table_get(const struct sock_table *t, uint64_t inode);

/* Parse a whole /proc/net/{tcp,tcp6,udp,udp6} file (PROTO is TCP or UDP,
 * FAMILY AF_INET or AF_INET6). Addresses are read as the kernel prints them,
 * 32-bit words in this machine's byte order. Returns 0, or -1 with
 * err = "line N: problem". */
int procnet_parse_inet(struct sock_table *t, const char *buf, size_t len, int proto, int family,
		       char *err, size_t errlen);
/* Parse a whole /proc/net/unix file. */
int procnet_parse_unix(struct sock_table *t, const char *buf, size_t len, char *err, size_t errlen);

/* Parse one datagram of a NETLINK_SOCK_DIAG dump reply for PROTO (TCP, UDP
 * or UNIX). Returns 1 once NLMSG_DONE is seen, 0 when more is to come, -1
 * with err on a malformed message or a kernel error (errno-style code in
 * *kernel_error, 0 when the message itself was malformed). */
int sockdiag_parse(struct sock_table *t, const void *buf, size_t len, int proto,
		   int *kernel_error, char *err, size_t errlen);

/* Names for facts. */
const char *sock_state_name(const struct sock_entry *e);
const char *sock_unix_type_name(unsigned type);

#endif
