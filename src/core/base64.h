/* Base64 (RFC 4648): DSSE envelopes, and evidence the facts carry as text
 * (an attestation report, a certificate chain). */
#ifndef CHIPAUDIT_BASE64_H
#define CHIPAUDIT_BASE64_H

#include <stddef.h>

/* Standard base64, padded, NUL-terminated. Caller frees. */
char *base64_encode(const void *in, size_t len);
/* Base64 of either alphabet (standard or URL-safe, not mixed), padded or
 * not; no whitespace, no bits left over. 0 with *out (caller frees) and
 * *outlen, or -1. */
int base64_decode(const char *in, size_t len, unsigned char **out, size_t *outlen);

#endif
