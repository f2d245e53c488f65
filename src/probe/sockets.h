/* The socket table of this network namespace through NETLINK_SOCK_DIAG
 * (src/probe/sockets.c); the table and its parsers are src/parse/socktable.h. */
#ifndef CHIPAUDIT_SOCKETS_H
#define CHIPAUDIT_SOCKETS_H

#include "parse/socktable.h"

/* Dump TCP and UDP over IPv4 and IPv6 and unix sockets of this process's
 * network namespace through NETLINK_SOCK_DIAG (local kernel IPC, no network
 * traffic). Returns 0, or -1 with err saying why (the caller falls back to
 * /proc/net). */
int sockdiag_dump_all(struct sock_table *t, char *err, size_t errlen);

#endif
