#include "evidence/sign.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/output.h"
#include "core/fileio.h"
#include "core/util.h"
#include "evidence/state.h"

/* Keys are a few hundred bytes; anything much larger is not a key. */
#define KEY_FILE_MAX 16384

static void openssl_reason(char *buf, size_t len)
{
	unsigned long e = ERR_get_error();

	if (e == 0)
		snprintf(buf, len, "unknown OpenSSL error");
	else
		ERR_error_string_n(e, buf, len);
	ERR_clear_error();
}

void sha256_hex(const void *data, size_t len, char out[SHA256_HEX_LEN + 1])
{
	unsigned char md[32];
	unsigned int n = 0;

	if (EVP_Digest(data, len, md, &n, EVP_sha256(), NULL) != 1 || n != sizeof(md))
		memset(md, 0, sizeof(md));  /* cannot happen with the default provider */
	hex_encode(md, sizeof(md), out);
}

/* The fixed DER encodings of Ed25519 keys (RFC 8410, section 10): a key in
 * these forms is read and written directly. OpenSSL 3's generic decoders
 * and encoders take milliseconds per key, which every signed audit would
 * pay; anything else still goes through them. */
static const unsigned char ed25519_pkcs8_prefix[16] = {
	0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20,
};
static const unsigned char ed25519_spki_prefix[12] = {
	0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00,
};

static EVP_PKEY *pem_ed25519(const char *data, size_t len, bool private_key)
{
	BIO *bio = BIO_new_mem_buf(data, (int)len);
	char *name = NULL, *header = NULL;
	unsigned char *der = NULL;
	long n = 0;
	EVP_PKEY *pkey = NULL;

	if (bio && PEM_read_bio(bio, &name, &header, &der, &n) == 1) {
		if (private_key && strcmp(name, "PRIVATE KEY") == 0 && n == 48 &&
		    memcmp(der, ed25519_pkcs8_prefix, sizeof(ed25519_pkcs8_prefix)) == 0)
			pkey = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, der + 16, 32);
		else if (!private_key && strcmp(name, "PUBLIC KEY") == 0 && n == 44 &&
			 memcmp(der, ed25519_spki_prefix, sizeof(ed25519_spki_prefix)) == 0)
			pkey = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, der + 12, 32);
	}
	if (der)
		OPENSSL_cleanse(der, (size_t)n);
	OPENSSL_free(name);
	OPENSSL_free(header);
	OPENSSL_free(der);
	BIO_free(bio);
	ERR_clear_error();
	return pkey;
}

int key_fingerprint(EVP_PKEY *pkey, char out[FINGERPRINT_LEN + 1])
{
	unsigned char spki[sizeof(ed25519_spki_prefix) + 32], *der = NULL;
	size_t raw = 32;
	int n;

	memcpy(out, "sha256:", 7);
	if (EVP_PKEY_get_id(pkey) == EVP_PKEY_ED25519 &&
	    EVP_PKEY_get_raw_public_key(pkey, spki + sizeof(ed25519_spki_prefix), &raw) == 1 && raw == 32) {
		memcpy(spki, ed25519_spki_prefix, sizeof(ed25519_spki_prefix));
		sha256_hex(spki, sizeof(spki), out + 7);
		return 0;
	}
	n = i2d_PUBKEY(pkey, &der);
	if (n <= 0)
		return -1;
	memcpy(out, "sha256:", 7);
	sha256_hex(der, (size_t)n, out + 7);
	OPENSSL_free(der);
	return 0;
}

int signature_read(const char *path, unsigned char sig[SIGNATURE_LEN], char *err, size_t errlen)
{
	char *data;
	size_t len;
	int rc = read_file_bounded(path, 4096, &data, &len, err, errlen);

	if (rc != 0)
		return rc;
	if (len != SIGNATURE_LEN) {
		snprintf(err, errlen, "%s: not an Ed25519 signature: %zu bytes, expected %d raw bytes",
			 path, len, SIGNATURE_LEN);
		free(data);
		return CA_ERR_DATA;
	}
	memcpy(sig, data, SIGNATURE_LEN);
	free(data);
	return 0;
}

int ed25519_sign(EVP_PKEY *pkey, const void *msg, size_t len, unsigned char sig[SIGNATURE_LEN])
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	size_t siglen = SIGNATURE_LEN;
	int ok;

	ok = ctx && EVP_DigestSignInit(ctx, NULL, NULL, NULL, pkey) == 1 &&
	     EVP_DigestSign(ctx, sig, &siglen, msg, len) == 1 && siglen == SIGNATURE_LEN;
	EVP_MD_CTX_free(ctx);
	ERR_clear_error();
	return ok ? 0 : -1;
}

void ed25519_verifier_free(struct ed25519_verifier *v)
{
	EVP_MD_CTX_free(v->ctx);
	v->ctx = NULL;
	v->pkey = NULL;
}

int ed25519_verify(EVP_PKEY *pkey, struct ed25519_verifier *v, const void *msg, size_t len,
		   const unsigned char sig[SIGNATURE_LEN])
{
	struct ed25519_verifier once = { 0 };
	int ok;

	if (v == NULL)
		v = &once;
	if (v->ctx == NULL && (v->ctx = EVP_MD_CTX_new()) == NULL)
		return 0;
	if (v->pkey != pkey) {
		EVP_MD_CTX_reset(v->ctx);
		v->pkey = EVP_DigestVerifyInit(v->ctx, NULL, NULL, NULL, pkey) == 1 ? pkey : NULL;
	}
	ok = v->pkey != NULL && EVP_DigestVerify(v->ctx, sig, SIGNATURE_LEN, msg, len) == 1;
	if (!ok) {
		/* Start afresh after a failure, whatever state it left. */
		v->pkey = NULL;
		ERR_clear_error();
	}
	if (v == &once)
		ed25519_verifier_free(&once);
	return ok;
}

static int finish_key(struct hostkey *key, EVP_PKEY *pkey, const char *path, char *err, size_t errlen)
{
	if (EVP_PKEY_get_id(pkey) != EVP_PKEY_ED25519) {
		snprintf(err, errlen, "%s: not an Ed25519 key (%s)", path, OBJ_nid2sn(EVP_PKEY_get_id(pkey)));
		EVP_PKEY_free(pkey);
		return CA_ERR_DATA;
	}
	if (key_fingerprint(pkey, key->fingerprint) != 0) {
		snprintf(err, errlen, "%s: cannot encode the public key", path);
		EVP_PKEY_free(pkey);
		return CA_ERR_DATA;
	}
	key->pkey = pkey;
	return 0;
}

int hostkey_load_public(const char *path, struct hostkey *key, char *err, size_t errlen)
{
	char *data, reason[256];
	size_t len;
	BIO *bio;
	EVP_PKEY *pkey;
	int rc = read_file_bounded(path, KEY_FILE_MAX, &data, &len, err, errlen);

	memset(key, 0, sizeof(*key));
	if (rc != 0)
		return rc;
	pkey = pem_ed25519(data, len, false);
	if (pkey == NULL) {
		bio = BIO_new_mem_buf(data, (int)len);
		pkey = bio ? PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL) : NULL;
		BIO_free(bio);
	}
	free(data);
	if (pkey == NULL) {
		openssl_reason(reason, sizeof(reason));
		snprintf(err, errlen, "%s: not a PEM public key (%s)", path, reason);
		return CA_ERR_DATA;
	}
	return finish_key(key, pkey, path, err, errlen);
}

static int read_private(const char *path, EVP_PKEY **out, char *err, size_t errlen)
{
	char reason[256], *data;
	struct stat st;
	BIO *bio;
	size_t len;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK), rc;  /* a FIFO must not block */

	if (fd < 0) {
		snprintf(err, errlen, "%s: %s%s", path, strerror(errno),
			 errno == ENOENT ? " (make one with chipaudit keygen)" : "");
		return CA_ERR_NOINPUT;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file", path);
		close(fd);
		return CA_ERR_CONFIG;
	}
	close(fd);
	/* As ssh does: a private key others can read is no longer private. */
	if (st.st_mode & 077) {
		snprintf(err, errlen, "%s: permissions %04o are too open; the host key must be readable by its owner only (chmod 600)",
			 path, (unsigned)(st.st_mode & 07777));
		return CA_ERR_CONFIG;
	}
	if ((rc = read_file_bounded(path, KEY_FILE_MAX, &data, &len, err, errlen)) != 0)
		return rc;
	*out = pem_ed25519(data, len, true);
	if (*out == NULL) {
		bio = BIO_new_mem_buf(data, (int)len);
		*out = bio ? PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL) : NULL;
		BIO_free(bio);
	}
	OPENSSL_cleanse(data, len);
	free(data);
	if (*out == NULL) {
		openssl_reason(reason, sizeof(reason));
		snprintf(err, errlen, "%s: not a PEM private key (%s)", path, reason);
		return CA_ERR_DATA;
	}
	return 0;
}

int hostkey_load_private(const char *dir, struct hostkey *key, char *err, size_t errlen)
{
	char *path = state_path(dir, HOSTKEY_PRIVATE), *pubpath = state_path(dir, HOSTKEY_PUBLIC);
	struct hostkey pub;
	EVP_PKEY *pkey = NULL;
	int rc;

	memset(key, 0, sizeof(*key));
	/* a missing directory is a missing key, which read_private explains */
	if (state_check(dir, true, err, errlen) != 0 && errno != ENOENT)
		rc = CA_ERR_CONFIG;
	else
		rc = read_private(path, &pkey, err, errlen);
	if (rc == 0)
		rc = finish_key(key, pkey, path, err, errlen);
	if (rc == 0) {
		rc = hostkey_load_public(pubpath, &pub, err, errlen);
		if (rc == 0 && strcmp(pub.fingerprint, key->fingerprint) != 0) {
			snprintf(err, errlen, "%s: does not match %s (%s against %s); run chipaudit keygen --force to replace both",
				 pubpath, path, pub.fingerprint, key->fingerprint);
			rc = CA_ERR_CONFIG;
		}
		hostkey_free(&pub);
		if (rc != 0)
			hostkey_free(key);
	}
	free(path);
	free(pubpath);
	return rc;
}

void hostkey_free(struct hostkey *key)
{
	EVP_PKEY_free(key->pkey);
	key->pkey = NULL;
}

static int pem_of(EVP_PKEY *pkey, bool private_key, char **out, size_t *len)
{
	BIO *bio = BIO_new(BIO_s_mem());
	char *mem;
	long n;
	int ok;

	if (bio == NULL)
		return -1;
	ok = private_key ? PEM_write_bio_PrivateKey(bio, pkey, NULL, NULL, 0, NULL, NULL)
			 : PEM_write_bio_PUBKEY(bio, pkey);
	n = BIO_get_mem_data(bio, &mem);
	if (ok != 1 || n <= 0) {
		BIO_free(bio);
		return -1;
	}
	*out = xstrndup(mem, (size_t)n);
	*len = (size_t)n;
	OPENSSL_cleanse(mem, (size_t)n);
	BIO_free(bio);
	return 0;
}

int hostkey_generate(const char *dir, bool force, struct hostkey *out, char *err, size_t errlen)
{
	char *path = state_path(dir, HOSTKEY_PRIVATE), *pubpath = state_path(dir, HOSTKEY_PUBLIC);
	char *priv = NULL, *pub = NULL, reason[256];
	size_t privlen = 0, publen = 0;
	EVP_PKEY *pkey = NULL;
	struct stat st;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	if (state_ensure(dir, err, errlen) != 0) {
		rc = CA_ERR_CANTCREAT;
		goto done;
	}
	if (!force && (lstat(path, &st) == 0 || lstat(pubpath, &st) == 0)) {
		snprintf(err, errlen, "%s: a host key exists already; --force replaces it (and starts a new chain of reports)", path);
		rc = CA_ERR_CANTCREAT;
		goto done;
	}
	pkey = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	if (pkey == NULL || pem_of(pkey, true, &priv, &privlen) != 0 || pem_of(pkey, false, &pub, &publen) != 0) {
		openssl_reason(reason, sizeof(reason));
		snprintf(err, errlen, "generating an Ed25519 key: %s", reason);
		rc = CA_ERR_SOFTWARE;
		goto done;
	}
	/* The private key first: a public key without its private half would
	 * let audits name a key nobody can sign with. */
	if ((rc = output_file(path, priv, privlen, 0600, OUTPUT_NEVER_THROUGH, err, errlen)) != 0 ||
	    (rc = output_file(pubpath, pub, publen, 0644, OUTPUT_NEVER_THROUGH, err, errlen)) != 0)
		goto done;
	rc = finish_key(out, pkey, pubpath, err, errlen);
	pkey = NULL;
done:
	if (priv) {
		OPENSSL_cleanse(priv, privlen);
		free(priv);
	}
	free(pub);
	EVP_PKEY_free(pkey);
	free(path);
	free(pubpath);
	return rc;
}
