/* Host keys, Ed25519 signatures, and the files that hold them.
 *
 * A report is signed as the exact bytes written to report.json, with pure
 * Ed25519 (no pre-hash), so stock OpenSSL verifies it:
 *   openssl pkeyutl -verify -pubin -inkey host.pub.pem -rawin \
 *           -in report.json -sigfile report.json.sig
 * The key's fingerprint is "sha256:" and the SHA-256 of its DER
 * SubjectPublicKeyInfo in lowercase hex, which is what
 *   openssl pkey -pubin -in host.pub.pem -outform DER | sha256sum
 * prints. */
#ifndef CHIPAUDIT_SIGN_H
#define CHIPAUDIT_SIGN_H

#include <openssl/evp.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define HOSTKEY_PRIVATE "host.key.pem"
#define HOSTKEY_PUBLIC "host.pub.pem"
#define SIGNATURE_LEN 64
#define FINGERPRINT_LEN (7 + 64)   /* "sha256:" and 64 hex digits */
#define SHA256_HEX_LEN 64
/* Largest report read back (verify, diff, --baseline): as for facts. */
#define REPORT_MAX_BYTES (64u * 1024 * 1024)

struct hostkey {
	EVP_PKEY *pkey;
	char fingerprint[FINGERPRINT_LEN + 1];
};

/* Make a new Ed25519 host key in DIR (created 0700 when missing):
 * DIR/host.key.pem (PKCS#8, mode 0600) and DIR/host.pub.pem. An existing key
 * is kept unless FORCE. Returns 0 or an error kind (core/error.h) with err. */
int hostkey_generate(const char *dir, bool force, struct hostkey *out, char *err, size_t errlen);
/* DIR/host.key.pem, refused when group or others may read it; checked
 * against DIR/host.pub.pem, which verifiers will use. */
int hostkey_load_private(const char *dir, struct hostkey *key, char *err, size_t errlen);
/* A public key in PEM (SubjectPublicKeyInfo). CA_ERR_NOINPUT when it cannot be
 * read, CA_ERR_DATA when it is not an Ed25519 public key. */
int hostkey_load_public(const char *path, struct hostkey *key, char *err, size_t errlen);
void hostkey_free(struct hostkey *key);

int key_fingerprint(EVP_PKEY *pkey, char out[FINGERPRINT_LEN + 1]);

/* Sign MSG; returns 0 or -1. */
int ed25519_sign(EVP_PKEY *pkey, const void *msg, size_t len, unsigned char sig[SIGNATURE_LEN]);
/* A thread's verification context, made ready for one key once. Pure
 * Ed25519 verification keeps no state between messages, so the context is
 * used again as it is (as `openssl speed` does): initialising it for each
 * report cost 7 us, 5% of verifying an 8 KB one. Zero-initialise; free with
 * ed25519_verifier_free. */
struct ed25519_verifier {
	EVP_MD_CTX *ctx;
	EVP_PKEY *pkey;  /* the key ctx is ready for; NULL: not ready */
};
void ed25519_verifier_free(struct ed25519_verifier *v);

/* 1 when SIG is a valid signature of MSG by PKEY, 0 when not. V is a
 * context to reuse between calls (a thread's own), or NULL. */
int ed25519_verify(EVP_PKEY *pkey, struct ed25519_verifier *v, const void *msg, size_t len,
		   const unsigned char sig[SIGNATURE_LEN]);

/* SHA-256 of DATA as 64 lowercase hex digits. */
void sha256_hex(const void *data, size_t len, char out[SHA256_HEX_LEN + 1]);

/* A detached signature file: exactly 64 bytes. 0, CA_ERR_NOINPUT or CA_ERR_DATA. */
int signature_read(const char *path, unsigned char sig[SIGNATURE_LEN], char *err, size_t errlen);

#endif
