/* Base64 (RFC 4648, sections 4 and 5): core/base64.h. */
#include <stdlib.h>

#include "core/base64.h"
#include "core/util.h"

static const char b64_standard[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

char *base64_encode(const void *in, size_t len)
{
	const unsigned char *p = in;
	char *out = xmalloc(4 * ((len + 2) / 3) + 1), *o = out;
	size_t i;

	for (i = 0; i + 2 < len; i += 3) {
		unsigned long v = (unsigned long)p[i] << 16 | (unsigned long)p[i + 1] << 8 | p[i + 2];
		*o++ = b64_standard[v >> 18 & 63];
		*o++ = b64_standard[v >> 12 & 63];
		*o++ = b64_standard[v >> 6 & 63];
		*o++ = b64_standard[v & 63];
	}
	if (i < len) {
		unsigned long v = (unsigned long)p[i] << 16 | (i + 1 < len ? (unsigned long)p[i + 1] << 8 : 0);
		*o++ = b64_standard[v >> 18 & 63];
		*o++ = b64_standard[v >> 12 & 63];
		*o++ = i + 1 < len ? b64_standard[v >> 6 & 63] : '=';
		*o++ = '=';
	}
	*o = '\0';
	return out;
}

/* The value of C in base64, -1 when it is no digit of either alphabet.
 * *alphabet records which one the text uses: 1 standard, 2 URL-safe. */
static int b64_value(char c, int *alphabet)
{
	int which = 0, v;

	if (c >= 'A' && c <= 'Z')
		v = c - 'A';
	else if (c >= 'a' && c <= 'z')
		v = c - 'a' + 26;
	else if (c >= '0' && c <= '9')
		v = c - '0' + 52;
	else if (c == '+' || c == '/')
		v = c == '+' ? 62 : 63, which = 1;
	else if (c == '-' || c == '_')
		v = c == '-' ? 62 : 63, which = 2;
	else
		return -1;
	if (which != 0) {
		if (*alphabet != 0 && *alphabet != which)
			return -1;  /* both alphabets in one text */
		*alphabet = which;
	}
	return v;
}

int base64_decode(const char *in, size_t len, unsigned char **out, size_t *outlen)
{
	size_t pad = 0, digits, n = 0;
	unsigned long acc = 0;
	int alphabet = 0, bits = 0;
	unsigned char *buf;

	if (len % 4 == 0 && len > 0 && in[len - 1] == '=')
		pad = in[len - 2] == '=' ? 2 : 1;
	digits = len - pad;
	if (digits % 4 == 1 || (pad && digits % 4 != 4 - pad))
		return -1;  /* no whole byte, or padding that does not fit */
	buf = xmalloc(digits / 4 * 3 + 3);
	for (size_t i = 0; i < digits; i++) {
		int v = b64_value(in[i], &alphabet);
		if (v < 0) {
			free(buf);
			return -1;
		}
		acc = (acc << 6 | (unsigned long)v) & 0xffffff;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			buf[n++] = (unsigned char)(acc >> bits);
		}
	}
	/* The bits after the last byte are zero in a canonical encoding:
	 * one text per byte string. */
	if (bits > 0 && (acc & ((1ul << bits) - 1)) != 0) {
		free(buf);
		return -1;
	}
	*out = buf;
	*outlen = n;
	return 0;
}
