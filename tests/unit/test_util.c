#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "core/hashtab.h"
#include "core/output.h"
#include "core/util.h"

static void test_parse_u64(void **state)
{
	uint64_t v;
	(void)state;
	assert_int_equal(parse_u64("42", 10, &v), 0);
	assert_int_equal(v, 42);
	assert_int_equal(parse_u64(" 7\n", 10, &v), 0);
	assert_int_equal(v, 7);
	assert_int_equal(parse_u64("", 10, &v), -1);
	assert_int_equal(parse_u64("-1", 10, &v), -1);
	assert_int_equal(parse_u64("12x", 10, &v), -1);
	assert_int_equal(parse_u64("99999999999999999999999", 10, &v), -1);
}

static void test_parse_hex(void **state)
{
	uint32_t v;
	(void)state;
	assert_int_equal(parse_hex_u32("0x10de", 0xffff, &v), 0);
	assert_int_equal(v, 0x10de);
	assert_int_equal(parse_hex_u32("0x10000", 0xffff, &v), -1);
	assert_int_equal(parse_hex_u32("0x", 0xffff, &v), -1);
	assert_int_equal(parse_hex_u32("0x-1", 0xffff, &v), -1);
}

static void test_pci_address(void **state)
{
	(void)state;
	assert_true(pci_address_valid("0000:17:00.0"));
	assert_true(pci_address_valid("10000:e1:1f.7"));
	assert_false(pci_address_valid("0000:17:20.0"));
	assert_false(pci_address_valid("0000:17:00.8"));
	assert_false(pci_address_valid("0000:17:00"));
	assert_false(pci_address_valid("0000:17:00.0 "));
	assert_false(pci_address_valid("0000:1A:00.0"));
	assert_false(pci_address_valid("00:17:00.0"));
	assert_false(pci_address_valid(""));
	assert_false(pci_address_valid("../../etc"));
}

static void test_hex_encode(void **state)
{
	const unsigned char in[] = { 0x00, 0xab, 0xff };
	char out[7];
	(void)state;
	hex_encode(in, 3, out);
	assert_string_equal(out, "00abff");
}

static void assert_escaped(const char *in, const char *want)
{
	char *got = text_escape(in);
	assert_string_equal(got, want);
	free(got);
}

static void test_text_escape(void **state)
{
	(void)state;
	assert_escaped("plain text, 100% ok", "plain text, 100% ok");
	assert_escaped("\033[1A\033[2K\033[1A", "\\x1b[1A\\x1b[2K\\x1b[1A");
	assert_escaped("a\nb\rc\td", "a\\nb\\rc\\td");
	assert_escaped("\x01\x7f", "\\x01\\x7f");
	assert_escaped("caf\xc3\xa9 \xe2\x9c\x93", "caf\xc3\xa9 \xe2\x9c\x93");  /* UTF-8 kept */
	assert_escaped("\xc2\x9b" "2J", "\\u009b2J");                            /* C1 CSI */
	assert_escaped("\xe2\x80\xae" "txt", "\\u202etxt");                       /* RIGHT-TO-LEFT OVERRIDE */
	assert_escaped("\xff\xc3(\xc0\xaf\xed\xa0\x80", "\\xff\\xc3(\\xc0\\xaf\\xed\\xa0\\x80");
	assert_escaped("\xe2\x9c", "\\xe2\\x9c");                                /* truncated */
}

static char *printed(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *printed(const char *fmt, ...)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	va_list ap;

	va_start(ap, fmt);
	text_vprintf(f, fmt, ap);
	va_end(ap);
	fclose(f);
	return buf;
}

static void test_text_printf(void **state)
{
	char *s;
	(void)state;
	s = printed("%-6s|%5s|%.3s|%d %lld %zu %5.1f %x %c%%\n", "ab", "\033", "abcdef", -4, 1LL << 40, (size_t)7, 2.25, 255u, 'z');
	assert_string_equal(s, "ab    | \\x1b|abc|-4 1099511627776 7   2.2 ff z%\n");
	free(s);
	s = printed("[%*s] [%-*s] [%.*s]", 4, "x", 3, "y", 2, "\nabc");
	assert_string_equal(s, "[   x] [y  ] [\\na]");
	free(s);
}

static char *path_of(const char *dir, const char *name)
{
	size_t n = strlen(dir) + strlen(name) + 2;
	char *p = malloc(n);
	snprintf(p, n, "%s/%s", dir, name);
	return p;
}

static char *scratch_dir(void)
{
	char tmpl[] = "/tmp/chipaudit-output-XXXXXX";
	assert_non_null(mkdtemp(tmpl));
	return strdup(tmpl);
}

static char *slurp(const char *path)
{
	static char buf[256];
	int fd = open(path, O_RDONLY);
	ssize_t n;
	assert_true(fd >= 0);
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	assert_true(n >= 0);
	buf[n] = '\0';
	return buf;
}

/* Files in DIR: only those named. */
static size_t entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t n = 0;
	while ((e = readdir(d)) != NULL)
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

static void test_output_replaces_atomically(void **state)
{
	char *dir = scratch_dir(), *path = path_of(dir, "out"), *link = path_of(dir, "link"), err[256];
	struct output o;
	struct stat st;
	mode_t old = umask(027);
	(void)state;

	assert_int_equal(output_file(path, "one", 3, 0644, 0, err, sizeof(err)), 0);
	assert_string_equal(slurp(path), "one");
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0640);  /* the mode, under the umask */
	/* given up: the old file stays, no temporary file remains */
	assert_int_equal(output_open(&o, path, 0644, 0, err, sizeof(err)), 0);
	assert_int_equal(output_write(&o, "two", 3, err, sizeof(err)), 0);
	assert_int_equal(entries(dir), 2);
	output_abort(&o);
	assert_string_equal(slurp(path), "one");
	assert_int_equal(entries(dir), 1);
	/* a link to a regular file stays a link; the file it names is replaced */
	assert_int_equal(symlink("out", link), 0);
	assert_int_equal(output_file(link, "three", 5, 0644, 0, err, sizeof(err)), 0);
	assert_int_equal(lstat(link, &st), 0);
	assert_true(S_ISLNK(st.st_mode));
	assert_string_equal(slurp(path), "three");
	assert_int_equal(entries(dir), 2);
	/* a secret is never written through a link: the link is replaced */
	assert_int_equal(output_file(link, "key", 3, 0600, OUTPUT_NEVER_THROUGH, err, sizeof(err)), 0);
	assert_int_equal(lstat(link, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_string_equal(slurp(path), "three");
	umask(old);
	unlink(link);
	unlink(path);
	rmdir(dir);
	free(link);
	free(path);
	free(dir);
}

static void test_output_fifo(void **state)
{
	char *dir = scratch_dir(), *fifo = path_of(dir, "host.key.pem"), err[256];
	struct stat st;
	(void)state;

	/* A FIFO planted where a key goes is replaced, never opened: opening it
	 * for writing would block here, with no reader. */
	assert_int_equal(mkfifo(fifo, 0666), 0);
	assert_int_equal(output_file(fifo, "secret", 6, 0600, OUTPUT_NEVER_THROUGH, err, sizeof(err)), 0);
	assert_int_equal(lstat(fifo, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_mode & 077, 0);
	assert_string_equal(slurp(fifo), "secret");
	unlink(fifo);
	rmdir(dir);
	free(fifo);
	free(dir);
}

static void test_output_device(void **state)
{
	char *dir = scratch_dir(), *dev = path_of(dir, "null"), err[256];
	struct output o;
	struct stat st;
	(void)state;

	if (mknod(dev, S_IFCHR | 0666, makedev(1, 3)) != 0) {
		rmdir(dir);
		free(dev);
		free(dir);
		skip();  /* not root: no device node to test with */
	}
	/* written directly, and neither replaced nor removed when given up */
	assert_int_equal(output_file(dev, "x", 1, 0644, 0, err, sizeof(err)), 0);
	assert_int_equal(output_open(&o, dev, 0644, 0, err, sizeof(err)), 0);
	assert_true(o.direct);
	output_abort(&o);
	assert_int_equal(lstat(dev, &st), 0);
	assert_true(S_ISCHR(st.st_mode));
	assert_int_equal(entries(dir), 1);
	unlink(dev);
	rmdir(dir);
	free(dev);
	free(dir);
}

static bool same_string(uintptr_t value, const void *key, const void *ctx)
{
	char *const *names = ctx;
	return strcmp(names[value - 1], key) == 0;
}

/* Every key added is found with its own value, absent keys are not, and a
 * table where every key has the same hash (the worst a hostile input could
 * do without the seed) still answers right. */
static void check_table(bool one_hash)
{
	enum { N = 5000 };
	char **names = calloc(N, sizeof(*names));
	struct hashtab t = { 0 };
	char buf[32];

	for (size_t i = 0; i < N; i++) {
		snprintf(buf, sizeof(buf), "key-%zu", i);
		names[i] = strdup(buf);
		uint64_t h = one_hash ? 42 : hashtab_hash(buf, strlen(buf), 0);
		assert_int_equal(hashtab_find(&t, h, same_string, buf, names), 0);
		assert_int_equal(hashtab_add(&t, h, i + 1), 0);
	}
	assert_int_equal(t.used, N);
	for (size_t i = 0; i < N; i += one_hash ? 97 : 1) {
		uint64_t h = one_hash ? 42 : hashtab_hash(names[i], strlen(names[i]), 0);
		assert_int_equal(hashtab_find(&t, h, same_string, names[i], names), i + 1);
	}
	assert_int_equal(hashtab_find(&t, one_hash ? 42 : hashtab_hash("absent", 6, 0), same_string, "absent", names), 0);
	hashtab_free(&t);
	assert_null(t.slots);
	for (size_t i = 0; i < N; i++)
		free(names[i]);
	free(names);
}

static void test_hashtab(void **state)
{
	(void)state;
	check_table(false);
	check_table(true);
	/* the extra word and the length are part of the hash; an empty table finds nothing */
	assert_true(hashtab_hash("ab", 2, 1) != hashtab_hash("ab", 2, 2));
	assert_true(hashtab_hash("ab", 1, 0) != hashtab_hash("ab", 2, 0));
	struct hashtab empty = { 0 };
	assert_int_equal(hashtab_find(&empty, 1, same_string, "x", NULL), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_u64),
		cmocka_unit_test(test_parse_hex),
		cmocka_unit_test(test_pci_address),
		cmocka_unit_test(test_hex_encode),
		cmocka_unit_test(test_hashtab),
		cmocka_unit_test(test_text_escape),
		cmocka_unit_test(test_text_printf),
		cmocka_unit_test(test_output_replaces_atomically),
		cmocka_unit_test(test_output_fifo),
		cmocka_unit_test(test_output_device),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
