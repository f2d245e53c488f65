/* Benchmark load for bench/sockets_vs_ss.sh: NPROC processes, each holding
 * DEVICE open and NSOCK TCP sockets on 127.0.0.1 (NSOCK/2 connections made
 * to a listener of its own and accepted, the listener then closed).
 *
 *   sockhold NPROC NSOCK DEVICE READYFILE STOPFILE
 *
 * READYFILE appears once every process holds its sockets. Everything exits
 * when STOPFILE appears, when the parent dies (PR_SET_PDEATHSIG), or after
 * ten minutes, whichever comes first: nothing is left behind. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define LIFETIME 600

static int hold(int nsock, const char *device, int ready)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(sin);
	int dev = open(device, O_RDONLY), lis = socket(AF_INET, SOCK_STREAM, 0);
	char ok = 1;

	if (dev < 0 || lis < 0 || bind(lis, (struct sockaddr *)&sin, sizeof(sin)) != 0 || listen(lis, nsock) != 0 ||
	    getsockname(lis, (struct sockaddr *)&sin, &len) != 0)
		return 1;
	for (int i = 0; i < nsock / 2; i++) {
		int c = socket(AF_INET, SOCK_STREAM, 0);
		if (c < 0 || connect(c, (struct sockaddr *)&sin, sizeof(sin)) != 0 || accept(lis, NULL, NULL) < 0)
			return 1;
	}
	close(lis);
	if (write(ready, &ok, 1) != 1)
		return 1;
	close(ready);
	for (;;)
		pause();
}

int main(int argc, char **argv)
{
	int nproc, nsock, pipefd[2], started = 0;
	time_t until = time(NULL) + LIFETIME;
	char c;

	if (argc != 6 || (nproc = atoi(argv[1])) <= 0 || (nsock = atoi(argv[2])) < 2) {
		fprintf(stderr, "usage: sockhold NPROC NSOCK DEVICE READYFILE STOPFILE\n");
		return 64;
	}
	if (pipe(pipefd) != 0)
		return 71;
	/* a process group of our own: the final kill(0, ...) reaches only us */
	if (setpgid(0, 0) != 0)
		return 71;
	signal(SIGTERM, SIG_IGN);
	for (int i = 0; i < nproc; i++) {
		pid_t pid = fork();
		if (pid < 0)
			break;
		if (pid == 0) {
			signal(SIGTERM, SIG_DFL);
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			if (getppid() == 1)
				_exit(1);
			close(pipefd[0]);
			_exit(hold(nsock, argv[3], pipefd[1]));
		}
		started++;
	}
	close(pipefd[1]);
	for (int i = 0; i < started; i++)
		if (read(pipefd[0], &c, 1) != 1)
			break;
	if (started == nproc) {
		int fd = open(argv[4], O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd >= 0)
			close(fd);
	} else {
		fprintf(stderr, "sockhold: only %d of %d processes started\n", started, nproc);
	}
	while (access(argv[5], F_OK) != 0 && time(NULL) < until && started == nproc)
		usleep(100000);
	kill(0, SIGTERM);
	while (wait(NULL) > 0)
		;
	return started == nproc ? 0 : 1;
}
