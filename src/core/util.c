#include "util.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void out_of_memory(void)
{
	fprintf(stderr, "%s: out of memory\n", program_name);
	exit(CA_ERR_OS);
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (p == NULL)
		out_of_memory();
	return p;
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (p == NULL)
		out_of_memory();
	return p;
}

void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (p == NULL)
		out_of_memory();
	return p;
}

void *xreallocarray(void *p, size_t n, size_t size)
{
	if (size && n > SIZE_MAX / size)
		out_of_memory();
	return xrealloc(p, n * size);
}

char *xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *xvasprintf(const char *fmt, va_list ap)
{
	va_list copy;
	int n;
	char *p;

	va_copy(copy, ap);
	n = vsnprintf(NULL, 0, fmt, copy);
	va_end(copy);
	if (n < 0)
		out_of_memory();
	p = xmalloc((size_t)n + 1);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	return p;
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *p;

	va_start(ap, fmt);
	p = xvasprintf(fmt, ap);
	va_end(ap);
	return p;
}

/* A growing string. */
struct textbuf {
	char *data;
	size_t len, cap;
};

static void tb_put(struct textbuf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		b->cap = (b->len + n + 1) * 2;
		b->data = xrealloc(b->data, b->cap);
	}
	memcpy(b->data + b->len, s, n);
	b->len += n;
	b->data[b->len] = '\0';
}

size_t utf8_decode(const unsigned char *p, size_t n, uint32_t *cp)
{
	unsigned char b = p[0], lo = 0x80, hi = 0xbf;
	size_t len;

	if (b >= 0xc2 && b <= 0xdf)
		len = 2, *cp = b & 0x1f;
	else if (b >= 0xe0 && b <= 0xef)
		len = 3, *cp = b & 0x0f;
	else if (b >= 0xf0 && b <= 0xf4)
		len = 4, *cp = b & 0x07;
	else
		return 0;
	if (b == 0xe0)
		lo = 0xa0;
	else if (b == 0xed)
		hi = 0x9f;
	else if (b == 0xf0)
		lo = 0x90;
	else if (b == 0xf4)
		hi = 0x8f;
	if (n < len || p[1] < lo || p[1] > hi)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if (p[i] < 0x80 || p[i] > 0xbf)
			return 0;
		*cp = (*cp << 6) | (p[i] & 0x3f);
	}
	return len;
}

/* Code points a terminal acts on or that reorder what is shown: C1 controls,
 * the line and paragraph separators, and the bidirectional overrides
 * ("Trojan Source"). */
static bool unicode_control(uint32_t cp)
{
	return (cp >= 0x80 && cp <= 0x9f) || cp == 0x2028 || cp == 0x2029 || (cp >= 0x202a && cp <= 0x202e) ||
	       (cp >= 0x2066 && cp <= 0x2069);
}

static void escape_into(struct textbuf *b, const char *text, size_t n)
{
	const unsigned char *p = (const unsigned char *)text, *end = p + n;
	char esc[12];

	while (p < end) {
		const unsigned char *run = p;
		uint32_t cp;
		size_t len;

		while (p < end && *p >= 0x20 && *p < 0x7f)
			p++;
		tb_put(b, (const char *)run, (size_t)(p - run));
		if (p == end)
			break;
		if (*p == '\n' || *p == '\r' || *p == '\t') {
			tb_put(b, *p == '\n' ? "\\n" : *p == '\r' ? "\\r" : "\\t", 2);
			p++;
		} else if (*p < 0x80) {  /* C0 and DEL */
			snprintf(esc, sizeof(esc), "\\x%02x", *p++);
			tb_put(b, esc, 4);
		} else if ((len = utf8_decode(p, (size_t)(end - p), &cp)) == 0) {
			snprintf(esc, sizeof(esc), "\\x%02x", *p++);
			tb_put(b, esc, 4);
		} else if (unicode_control(cp)) {
			snprintf(esc, sizeof(esc), "\\u%04x", (unsigned)cp);
			tb_put(b, esc, 6);
			p += len;
		} else {
			tb_put(b, (const char *)p, len);
			p += len;
		}
	}
}

void text_one_line(char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = '?';
}

char *text_escape(const char *s)
{
	struct textbuf b = { 0 };

	tb_put(&b, "", 0);
	escape_into(&b, s, strlen(s));
	return b.data;
}

/* One conversion of printf, parsed: '*' widths already taken from the
 * arguments. */
struct conversion {
	char flags[8];
	int width, precision;     /* -1: none */
	char length[3];           /* "", "h", "hh", "l", "ll", "z", "j", "t", "L" */
	char conv;
};

static const char *parse_conversion(const char *f, struct conversion *c, va_list *ap)
{
	size_t k = 0;

	memset(c, 0, sizeof(*c));
	c->width = c->precision = -1;
	while (*f && strchr("-+ #0'", *f)) {
		if (k < sizeof(c->flags) - 2)
			c->flags[k++] = *f;
		f++;
	}
	if (*f == '*') {
		c->width = va_arg(*ap, int);
		if (c->width < 0) {
			c->flags[k++] = '-';
			c->width = -c->width;
		}
		f++;
	} else if (isdigit((unsigned char)*f)) {
		for (c->width = 0; isdigit((unsigned char)*f); f++)
			c->width = c->width * 10 + (*f - '0');
	}
	if (*f == '.') {
		f++;
		c->precision = 0;
		if (*f == '*') {
			c->precision = va_arg(*ap, int);
			f++;
		} else {
			for (; isdigit((unsigned char)*f); f++)
				c->precision = c->precision * 10 + (*f - '0');
		}
	}
	for (k = 0; *f && strchr("hlzjtL", *f); f++)
		if (k < sizeof(c->length) - 1)
			c->length[k++] = *f;
	c->conv = *f;
	return *f ? f + 1 : f;
}

/* A string argument: cut at the precision, escaped, then padded to the
 * width as it will show. */
static void format_string(struct textbuf *b, const struct conversion *c, const char *arg)
{
	size_t len, before = b->len, shown, pad;
	bool left = strchr(c->flags, '-') != NULL;

	if (arg == NULL)
		arg = "(null)";
	len = c->precision >= 0 ? strnlen(arg, (size_t)c->precision) : strlen(arg);
	escape_into(b, arg, len);
	shown = b->len - before;
	pad = c->width > 0 && (size_t)c->width > shown ? (size_t)c->width - shown : 0;
	if (pad == 0)
		return;
	if (left) {
		for (size_t i = 0; i < pad; i++)
			tb_put(b, " ", 1);
	} else {
		char *text = xstrndup(b->data + before, shown);
		b->len = before;
		for (size_t i = 0; i < pad; i++)
			tb_put(b, " ", 1);
		tb_put(b, text, shown);
		free(text);
	}
}

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
/* Any other conversion, by printf itself, from a specification rebuilt
 * without '*'. Its text is escaped too (a %c can be anything). */
static void format_other(struct textbuf *b, const struct conversion *c, va_list *ap)
{
	const char *len = c->length;
	bool wide = strcmp(len, "l") == 0, longlong = strcmp(len, "ll") == 0;
	bool sized = strcmp(len, "z") == 0 || strcmp(len, "t") == 0, maximal = strcmp(len, "j") == 0;
	char spec[48], *text;

	snprintf(spec, sizeof(spec), "%%%s", c->flags);
	if (c->width >= 0)
		snprintf(spec + strlen(spec), sizeof(spec) - strlen(spec), "%d", c->width);
	if (c->precision >= 0)
		snprintf(spec + strlen(spec), sizeof(spec) - strlen(spec), ".%d", c->precision);
	snprintf(spec + strlen(spec), sizeof(spec) - strlen(spec), "%s%c", len, c->conv);
	switch (c->conv) {
	case 'd': case 'i':
		text = sized ? xasprintf(spec, va_arg(*ap, ptrdiff_t)) : maximal ? xasprintf(spec, va_arg(*ap, intmax_t))
		     : longlong ? xasprintf(spec, va_arg(*ap, long long)) : wide ? xasprintf(spec, va_arg(*ap, long))
		     : xasprintf(spec, va_arg(*ap, int));
		break;
	case 'u': case 'o': case 'x': case 'X':
		text = sized ? xasprintf(spec, va_arg(*ap, size_t)) : maximal ? xasprintf(spec, va_arg(*ap, uintmax_t))
		     : longlong ? xasprintf(spec, va_arg(*ap, unsigned long long))
		     : wide ? xasprintf(spec, va_arg(*ap, unsigned long)) : xasprintf(spec, va_arg(*ap, unsigned));
		break;
	case 'c':
		text = xasprintf(spec, va_arg(*ap, int));
		break;
	case 'p':
		text = xasprintf(spec, va_arg(*ap, void *));
		break;
	case 'f': case 'F': case 'e': case 'E': case 'g': case 'G': case 'a': case 'A':
		text = strcmp(len, "L") == 0 ? xasprintf(spec, va_arg(*ap, long double)) : xasprintf(spec, va_arg(*ap, double));
		break;
	default:
		return;  /* %n or unknown: the compiler's format check refuses them */
	}
	escape_into(b, text, strlen(text));
	free(text);
}
#pragma GCC diagnostic pop

static void format_escaped(struct textbuf *b, const char *fmt, va_list ap)
{
	va_list args;

	va_copy(args, ap);
	tb_put(b, "", 0);
	while (*fmt) {
		const char *pct = strchr(fmt, '%');
		struct conversion c;
		if (pct == NULL) {
			tb_put(b, fmt, strlen(fmt));
			break;
		}
		tb_put(b, fmt, (size_t)(pct - fmt));
		if (pct[1] == '%') {
			tb_put(b, "%", 1);
			fmt = pct + 2;
			continue;
		}
		fmt = parse_conversion(pct + 1, &c, &args);
		if (c.conv == 's')
			format_string(b, &c, va_arg(args, const char *));
		else
			format_other(b, &c, &args);
	}
	va_end(args);
}

int text_vprintf(FILE *out, const char *fmt, va_list ap)
{
	struct textbuf b = { 0 };
	int rc;

	format_escaped(&b, fmt, ap);
	rc = fputs(b.data, out) == EOF ? -1 : (int)b.len;
	free(b.data);
	return rc;
}

int text_printf(FILE *out, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = text_vprintf(out, fmt, ap);
	va_end(ap);
	return rc;
}

const char *program_name = "chipaudit";

/* The whole message is escaped, the program's own text too: whatever
 * reached it, it stays one line. */
static void message(const char *prefix, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
static void message(const char *prefix, const char *fmt, va_list ap)
{
	struct textbuf b = { 0 };
	char *raw = xvasprintf(fmt, ap);

	tb_put(&b, program_name, strlen(program_name));
	tb_put(&b, ": ", 2);
	tb_put(&b, prefix, strlen(prefix));
	escape_into(&b, raw, strlen(raw));
	tb_put(&b, "\n", 1);
	fputs(b.data, stderr);
	free(raw);
	free(b.data);
}

void error_msg(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	message("", fmt, ap);
	va_end(ap);
}

void note_msg(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	message("note: ", fmt, ap);
	va_end(ap);
}

void str_rstrip(char *s)
{
	size_t n = strlen(s);
	while (n > 0 && isspace((unsigned char)s[n - 1]))
		s[--n] = '\0';
}

bool str_starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

bool str_same(const char *a, const char *b)
{
	return (a == NULL && b == NULL) || (a && b && strcmp(a, b) == 0);
}

bool str_is_printable(const char *s)
{
	for (; *s; s++)
		if (!isprint((unsigned char)*s))
			return false;
	return true;
}

static const char *skip_space(const char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	return s;
}

static bool only_space(const char *s)
{
	return *skip_space(s) == '\0';
}

int parse_u64(const char *s, int base, uint64_t *out)
{
	char *end;
	unsigned long long v;

	s = skip_space(s);
	if (*s == '\0' || *s == '-' || *s == '+')
		return -1;
	errno = 0;
	v = strtoull(s, &end, base);
	if (errno != 0 || end == s || !only_space(end))
		return -1;
	*out = (uint64_t)v;
	return 0;
}

int parse_i64(const char *s, int base, int64_t *out)
{
	char *end;
	long long v;

	s = skip_space(s);
	if (*s == '\0')
		return -1;
	errno = 0;
	v = strtoll(s, &end, base);
	if (errno != 0 || end == s || !only_space(end))
		return -1;
	*out = (int64_t)v;
	return 0;
}

int parse_hex_u32(const char *s, uint32_t max, uint32_t *out)
{
	uint64_t v;

	s = skip_space(s);
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2;
	if (!isxdigit((unsigned char)*s))
		return -1;
	if (parse_u64(s, 16, &v) != 0 || v > max)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

void hex_encode(const unsigned char *in, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	out[2 * n] = '\0';
}

static bool lower_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

static int hex_value(char c)
{
	return c <= '9' ? c - '0' : c - 'a' + 10;
}

bool pci_address_valid(const char *s)
{
	size_t n = 0;

	while (lower_hex(s[n]))
		n++;
	if (n < 4 || n > 8 || s[n] != ':')
		return false;
	s += n + 1;
	if (!lower_hex(s[0]) || !lower_hex(s[1]) || s[2] != ':')
		return false;
	s += 3;
	if (!lower_hex(s[0]) || !lower_hex(s[1]) || s[2] != '.')
		return false;
	if (hex_value(s[0]) * 16 + hex_value(s[1]) > 0x1f)
		return false;
	return s[3] >= '0' && s[3] <= '7' && s[4] == '\0';
}

time_t audit_clock(void)
{
	const char *epoch = getenv("SOURCE_DATE_EPOCH");
	uint64_t v;

	if (epoch && parse_u64(epoch, 10, &v) == 0 && v < (uint64_t)1 << 40)
		return (time_t)v;
	return time(NULL);
}
