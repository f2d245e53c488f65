/* A writer killed with SIGKILL in the middle of writing history leaves a
 * database that opens, passes SQLite's integrity_check and our chain check,
 * and holds every report the writer said it had committed.
 *
 * A child process appends reports of about 32 KiB (several pages each, so a
 * kill can land inside a commit) in a loop and writes each sequence number to
 * a pipe after its commit returns. The parent kills it at pseudo-random
 * moments, ten times, each time starting a new writer on the same database
 * (which recovers the WAL the dead one left). */
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "core/util.h"
#include "evidence/history.h"
#include "evidence/sign.h"

#define ROUNDS 10
#define MAX_COMMITTED 100000

static void sleep_ms(unsigned ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };
	nanosleep(&ts, NULL);
}

static char *report_body(int64_t seq)
{
	size_t len = 32 * 1024;
	char *body = xmalloc(len + 64);
	int n = snprintf(body, 64, "{\"sequence\": %lld, \"padding\": \"", (long long)seq);

	for (size_t i = (size_t)n; i < len; i++)
		body[i] = (char)('a' + (seq + (int64_t)i) % 26);
	strcpy(body + len, "\"}\n");
	return body;
}

static void writer(const char *dir, int out)
{
	struct history *h;
	char err[512];

	if (history_open(dir, true, &h, err, sizeof(err)) != 0) {
		fprintf(stderr, "writer: %s\n", err);
		_exit(3);
	}
	for (;;) {
		struct history_row head, row = { 0 };
		int found;
		char *body;

		if (history_begin(h, err, sizeof(err)) != 0)
			_exit(4);
		found = history_chain_head(h, "host", "sha256:key", &head, err, sizeof(err));
		if (found > 1)
			_exit(5);
		row.host_id = "host";
		row.fingerprint = "sha256:key";
		row.sequence = found ? head.sequence + 1 : 1;
		row.previous_sha256 = found ? head.sha256 : NULL;
		body = report_body(row.sequence);
		row.body = body;
		row.body_len = strlen(body);
		sha256_hex(body, row.body_len, row.sha256);
		row.time = "2025-11-29T08:00:00Z";
		row.worst = "pass";
		if (history_append(h, &row, err, sizeof(err)) != 0 || history_commit(h, err, sizeof(err)) != 0)
			_exit(6);
		/* only now is it committed, and only now is it announced */
		if (write(out, &row.sequence, sizeof(row.sequence)) != sizeof(row.sequence))
			_exit(7);
		free(body);
		if (found)
			history_row_free(&head);
	}
}

static void problem(const char *msg, void *arg)
{
	(void)arg;
	print_error("history problem: %s\n", msg);
}

static void test_sigkill(void **state)
{
	char dir[] = "/tmp/chipaudit-kill-XXXXXX", err[512], *cmd;
	static int64_t committed[MAX_COMMITTED];
	size_t ncommitted = 0;
	unsigned seed = (unsigned)time(NULL);
	struct history *h;
	(void)state;
	assert_non_null(mkdtemp(dir));
	print_message("seed %u\n", seed);
	for (int round = 0; round < ROUNDS; round++) {
		int fds[2], status;
		pid_t pid;
		int64_t seq;

		assert_int_equal(pipe(fds), 0);
		pid = fork();
		assert_true(pid >= 0);
		if (pid == 0) {
			close(fds[0]);
			writer(dir, fds[1]);
		}
		close(fds[1]);
		sleep_ms(20 + (unsigned)(rand_r(&seed) % 180));
		kill(pid, SIGKILL);
		assert_int_equal(waitpid(pid, &status, 0), pid);
		if (!WIFSIGNALED(status))
			fail_msg("round %d: the writer exited by itself (status %d)", round, WEXITSTATUS(status));
		while (read(fds[0], &seq, sizeof(seq)) == (ssize_t)sizeof(seq) && ncommitted < MAX_COMMITTED)
			committed[ncommitted++] = seq;
		close(fds[0]);
	}
	print_message("%zu reports committed across %d killed writers\n", ncommitted, ROUNDS);
	assert_true(ncommitted >= ROUNDS);
	assert_int_equal(history_open(dir, false, &h, err, sizeof(err)), 0);
	assert_int_equal(history_check(h, problem, NULL, err, sizeof(err)), 0);
	for (size_t i = 0; i < ncommitted; i++) {
		struct history_row row;
		char sha[SHA256_HEX_LEN + 1], *body = report_body(committed[i]);
		if (history_by_sequence(h, "host", "sha256:key", committed[i], &row, err, sizeof(err)) != 1)
			fail_msg("committed report %lld is missing", (long long)committed[i]);
		sha256_hex(body, strlen(body), sha);
		assert_string_equal(row.sha256, sha);
		assert_int_equal(row.body_len, strlen(body));
		assert_memory_equal(row.body, body, row.body_len);
		history_row_free(&row);
		free(body);
	}
	history_close(h);
	cmd = xasprintf("rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
	free(cmd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sigkill),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
