/* The NETLINK_SOCK_DIAG dump, as iproute2's libnetlink does it for `ss`:
 * open the socket, send one request per protocol and family, receive the
 * datagrams and hand each to sockdiag_parse (src/parse/socktable.c), which
 * knows the messages. Local kernel IPC only: no network traffic. */
#include "probe/sockets.h"

#include <errno.h>
#include <inttypes.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <linux/unix_diag.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "core/util.h"

#define DIAG_BUFSIZE 65536

static int send_request(int fd, int proto, int family, uint32_t seq)
{
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	struct {
		struct nlmsghdr nlh;
		union {
			struct inet_diag_req_v2 inet;
			struct unix_diag_req unx;
		} r;
	} req;
	size_t body;

	memset(&req, 0, sizeof(req));
	if (proto == SOCK_PROTO_UNIX) {
		req.r.unx.sdiag_family = AF_UNIX;
		req.r.unx.udiag_states = ~0u;
		req.r.unx.udiag_show = UDIAG_SHOW_NAME;
		body = sizeof(req.r.unx);
	} else {
		req.r.inet.sdiag_family = (uint8_t)family;
		req.r.inet.sdiag_protocol = proto == SOCK_PROTO_TCP ? IPPROTO_TCP : IPPROTO_UDP;
		req.r.inet.idiag_states = ~0u;
		body = sizeof(req.r.inet);
	}
	req.nlh.nlmsg_len = (uint32_t)NLMSG_LENGTH(body);
	req.nlh.nlmsg_type = SOCK_DIAG_BY_FAMILY;
	req.nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	req.nlh.nlmsg_seq = seq;
	return sendto(fd, &req, req.nlh.nlmsg_len, 0, (struct sockaddr *)&kernel, sizeof(kernel)) < 0 ? -1 : 0;
}

static int dump_one(struct sock_table *t, int fd, uint8_t *buf, int proto, int family, uint32_t seq,
		    char *err, size_t errlen)
{
	if (send_request(fd, proto, family, seq) != 0) {
		snprintf(err, errlen, "sending the request: %s", strerror(errno));
		return -1;
	}
	for (;;) {
		struct sockaddr_nl from;
		struct iovec iov = { buf, DIAG_BUFSIZE };
		struct msghdr msg = { .msg_name = &from, .msg_namelen = sizeof(from), .msg_iov = &iov, .msg_iovlen = 1 };
		int kerr, rc;
		ssize_t n = recvmsg(fd, &msg, 0);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			snprintf(err, errlen, "reading the reply: %s", strerror(errno));
			return -1;
		}
		if (msg.msg_flags & MSG_TRUNC) {
			snprintf(err, errlen, "reply larger than %d bytes", DIAG_BUFSIZE);
			return -1;
		}
		if (from.nl_pid != 0)   /* only the kernel answers */
			continue;
		if (n == 0) {
			snprintf(err, errlen, "the kernel closed the dump early");
			return -1;
		}
		rc = sockdiag_parse(t, buf, (size_t)n, proto, &kerr, err, errlen);
		if (rc != 0)
			return rc < 0 ? -1 : 0;
	}
}

int sockdiag_dump_all(struct sock_table *t, char *err, size_t errlen)
{
	static const struct { int proto, family; const char *name; } dumps[] = {
		{ SOCK_PROTO_TCP, AF_INET, "tcp" }, { SOCK_PROTO_TCP, AF_INET6, "tcp6" },
		{ SOCK_PROTO_UDP, AF_INET, "udp" }, { SOCK_PROTO_UDP, AF_INET6, "udp6" },
		{ SOCK_PROTO_UNIX, AF_UNIX, "unix" },
	};
	uint8_t *buf;
	int fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
	char sub[256];
	int rc = 0;

	if (fd < 0) {
		snprintf(err, errlen, "netlink sock_diag socket: %s", strerror(errno));
		return -1;
	}
	buf = xmalloc(DIAG_BUFSIZE);
	for (size_t i = 0; i < ARRAY_SIZE(dumps) && rc == 0; i++) {
		if (dump_one(t, fd, buf, dumps[i].proto, dumps[i].family, (uint32_t)(i + 1), sub, sizeof(sub)) != 0) {
			snprintf(err, errlen, "netlink sock_diag %s dump: %s", dumps[i].name, sub);
			rc = -1;
		}
	}
	free(buf);
	close(fd);
	return rc;
}

