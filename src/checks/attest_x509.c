#include "checks/attest_x509.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/sha.h>
#include <openssl/x509_vfy.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/data.h"
#include "core/error.h"
#include "core/json.h"
#include "core/util.h"

void attest_step_set(struct attest_step *s, enum status status, const char *fmt, ...)
{
	va_list ap;

	s->status = status;
	va_start(ap, fmt);
	vsnprintf(s->message, sizeof(s->message), fmt, ap);
	va_end(ap);
}

/* The root NAME of data/attestation-roots.json, its PEM checked against
 * its fingerprint; NULL with err. */
static X509 *read_root(const char *name, char *err, size_t errlen)
{
	json_t *doc = data_load("attestation-roots.json", err, errlen), *root;
	const char *text = NULL, *want = NULL;
	unsigned char digest[SHA256_DIGEST_LENGTH], *der = NULL;
	char hex[2 * SHA256_DIGEST_LENGTH + 1];
	X509 *cert = NULL;
	BIO *bio;
	size_t i;
	int len;

	if (doc == NULL)
		return NULL;
	json_array_foreach(json_object_get(doc, "roots"), i, root) {
		if (json_is_string(json_object_get(root, "name")) &&
		    strcmp(json_string_value(json_object_get(root, "name")), name) == 0) {
			text = json_string_value(json_object_get(root, "pem"));
			want = json_string_value(json_object_get(root, "sha256"));
		}
	}
	if (text == NULL || want == NULL) {
		snprintf(err, errlen, "data/attestation-roots.json: no root \"%s\" with pem and sha256", name);
		json_decref(doc);
		return NULL;
	}
	bio = BIO_new_mem_buf(text, -1);
	cert = bio ? PEM_read_bio_X509(bio, NULL, NULL, NULL) : NULL;
	BIO_free(bio);
	len = cert ? i2d_X509(cert, &der) : -1;
	if (len > 0) {
		SHA256(der, (size_t)len, digest);
		hex_encode(digest, sizeof(digest), hex);
	}
	OPENSSL_free(der);
	if (len <= 0 || strcmp(hex, want) != 0) {
		snprintf(err, errlen, "data/attestation-roots.json: root \"%s\": %s", name,
			 len <= 0 ? "pem is not a certificate" : "certificate does not match its sha256 fingerprint");
		X509_free(cert);
		cert = NULL;
	}
	json_decref(doc);
	ERR_clear_error();
	return cert;
}

/* Roots already read, by name and data directory: a node's GPUs and its
 * RIMs verify against the same two, and reading one is a JSON document, a
 * PEM and a SHA-256. */
static struct {
	char name[32];
	char *dir;   /* data_dir() when read; NULL: the built-in data */
	X509 *cert;
} roots_read[8];

X509 *attest_root(const char *name, char *err, size_t errlen)
{
	const char *dir = data_dir();
	size_t i;
	X509 *cert;

	for (i = 0; i < ARRAY_SIZE(roots_read) && roots_read[i].cert != NULL; i++) {
		if (strcmp(roots_read[i].name, name) == 0 && str_same(roots_read[i].dir, dir)) {
			X509_up_ref(roots_read[i].cert);
			return roots_read[i].cert;
		}
	}
	if ((cert = read_root(name, err, errlen)) != NULL && i < ARRAY_SIZE(roots_read)) {
		snprintf(roots_read[i].name, sizeof(roots_read[i].name), "%s", name);
		roots_read[i].dir = dir ? xstrdup(dir) : NULL;
		roots_read[i].cert = cert;
		X509_up_ref(cert);
	}
	return cert;
}

/* How many times NEEDLE occurs in HAY. */
static int count_of(const char *hay, size_t len, const char *needle)
{
	size_t n = strlen(needle);
	const char *p = hay, *end = hay + len;
	int count = 0;

	while ((p = memmem(p, (size_t)(end - p), needle, n)) != NULL) {
		count++;
		p += n;
	}
	return count;
}


/* The certificates of CHAIN: concatenated PEM, else concatenated DER. Every
 * block must be a certificate: a damaged one is not skipped. */
STACK_OF(X509) *attest_read_chain(const char *chain, size_t len)
{
	STACK_OF(X509) *certs = sk_X509_new_null();
	const unsigned char *p = (const unsigned char *)chain, *end = p + len;
	X509 *cert;

	if (certs == NULL || len > ATTEST_CHAIN_MAX)
		goto fail;
	if (memmem(chain, len, "-----BEGIN", 10) != NULL) {
		BIO *bio = BIO_new_mem_buf(chain, (int)len);

		while (bio != NULL && (cert = PEM_read_bio_X509(bio, NULL, NULL, NULL)) != NULL)
			sk_X509_push(certs, cert);
		BIO_free(bio);
		if (sk_X509_num(certs) != count_of(chain, len, "-----BEGIN"))
			goto fail;
		ERR_clear_error();
		return certs;
	}
	while (p < end && (cert = d2i_X509(NULL, &p, end - p)) != NULL)
		sk_X509_push(certs, cert);
	if (p == end)
		return certs;
fail:
	sk_X509_pop_free(certs, X509_free);
	ERR_clear_error();
	return NULL;
}


void attest_subject(X509 *cert, char *out, size_t outlen)
{
	X509_NAME_oneline(X509_get_subject_name(cert), out, (int)outlen);
}


/* The chain verified (BUILT, leaf to the pinned root) must be CERTS, in
 * order, all of them (the copy of the root too, when they carry one): a
 * certificate the path does not use is not accepted. */
static void chain_matches(STACK_OF(X509) *certs, STACK_OF(X509) *built, struct attest_step *out)
{
	int n = sk_X509_num(certs), m = built ? sk_X509_num(built) : 0;
	char subject[256], leaf[256];

	for (int i = 0; i < n; i++) {
		if (i < m && X509_cmp(sk_X509_value(certs, i), sk_X509_value(built, i)) == 0)
			continue;
		attest_subject(sk_X509_value(certs, i), subject, sizeof(subject));
		attest_step_set(out, STATUS_FAIL, "certificate %d (%s): %s", i, subject,
				i == m - 1 ? "not the pinned root" : "not on the path from the leaf to the pinned root");
		return;
	}
	attest_subject(sk_X509_value(certs, 0), leaf, sizeof(leaf));
	attest_subject(sk_X509_value(built, m - 1), subject, sizeof(subject));
	attest_step_set(out, STATUS_PASS, "%d certificates from %s to the pinned root %s, valid at the time checked", m,
			leaf, subject);
}

void attest_chain_verify(STACK_OF(X509) *certs, X509 *root, time_t at, struct attest_step *out)
{
	X509_STORE *store = X509_STORE_new();
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	STACK_OF(X509) *untrusted = sk_X509_new_null();
	char subject[256];
	int err, depth;

	attest_step_set(out, STATUS_ERROR, "the chain could not be examined (out of memory)");
	if (store == NULL || ctx == NULL || untrusted == NULL || !X509_STORE_add_cert(store, root))
		goto out;
	for (int i = 1; i < sk_X509_num(certs); i++)
		sk_X509_push(untrusted, sk_X509_value(certs, i));
	if (!X509_STORE_CTX_init(ctx, store, sk_X509_value(certs, 0), untrusted))
		goto out;
	X509_VERIFY_PARAM_set_time(X509_STORE_CTX_get0_param(ctx), at);
	if (X509_verify_cert(ctx) == 1) {
		chain_matches(certs, X509_STORE_CTX_get0_chain(ctx), out);
		goto out;
	}
	err = X509_STORE_CTX_get_error(ctx);
	depth = X509_STORE_CTX_get_error_depth(ctx);
	subject[0] = '\0';
	if (X509_STORE_CTX_get_current_cert(ctx) != NULL)
		attest_subject(X509_STORE_CTX_get_current_cert(ctx), subject, sizeof(subject));
	attest_step_set(out, STATUS_FAIL, "certificate %d (%s): %s", depth, subject, X509_verify_cert_error_string(err));
out:
	sk_X509_free(untrusted);
	X509_STORE_CTX_free(ctx);
	X509_STORE_free(store);
	ERR_clear_error();
}

