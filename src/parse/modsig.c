#include "parse/modsig.h"

#include <openssl/asn1.h>
#include <openssl/bn.h>
#include <openssl/cms.h>
#include <openssl/objects.h>
#include <openssl/x509.h>
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "core/util.h"

#define PKEY_ID_PGP 0
#define PKEY_ID_X509 1
#define PKEY_ID_PKCS7 2

const char *modsig_id_type_name(int id_type)
{
	switch (id_type) {
	case PKEY_ID_PGP: return "PGP";
	case PKEY_ID_X509: return "X.509";
	case PKEY_ID_PKCS7: return "PKCS#7";
	default: return "unknown";
	}
}

static void hex_of(const unsigned char *p, size_t n, char *out, size_t outlen)
{
	if (n * 2 + 1 > outlen)
		n = (outlen - 1) / 2;
	hex_encode(p, n, out);
}

/* Common name of an X.509 name, printable characters only. */
static void common_name(const X509_NAME *name, char *out, size_t outlen)
{
	int idx = X509_NAME_get_index_by_NID(name, NID_commonName, -1);
	const ASN1_STRING *s;
	const unsigned char *data;
	size_t n, o = 0;

	out[0] = '\0';
	if (idx < 0)
		return;
	s = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, idx));
	data = ASN1_STRING_get0_data(s);
	n = (size_t)ASN1_STRING_length(s);
	for (size_t i = 0; i < n && o + 1 < outlen; i++)
		out[o++] = isprint(data[i]) ? (char)data[i] : '?';
	out[o] = '\0';
}

static void serial_hex(const ASN1_INTEGER *sno, char *out, size_t outlen)
{
	BIGNUM *bn = ASN1_INTEGER_to_BN(sno, NULL);
	unsigned char buf[64];
	int n;

	out[0] = '\0';
	if (bn == NULL)
		return;
	n = BN_num_bytes(bn);
	if (n > 0 && (size_t)n <= sizeof(buf) && BN_bn2bin(bn, buf) == n)
		hex_of(buf, (size_t)n, out, outlen);
	BN_free(bn);
}

/* Signer and key from the first SignerInfo of a DER CMS SignedData. */
static void parse_pkcs7(const unsigned char *der, size_t len, struct modsig *sig)
{
	const unsigned char *p = der;
	CMS_ContentInfo *cms = d2i_CMS_ContentInfo(NULL, &p, (long)len);
	STACK_OF(CMS_SignerInfo) *infos;
	CMS_SignerInfo *si;
	ASN1_OCTET_STRING *keyid = NULL;
	X509_NAME *issuer = NULL;
	ASN1_INTEGER *sno = NULL;
	X509_ALGOR *digest = NULL;

	if (cms == NULL || p != der + len) {
		snprintf(sig->malformed, sizeof(sig->malformed), "the PKCS#7 signature (%zu bytes) is not valid DER", len);
		CMS_ContentInfo_free(cms);
		return;
	}
	infos = CMS_get0_SignerInfos(cms);
	if (infos == NULL || sk_CMS_SignerInfo_num(infos) < 1) {
		snprintf(sig->malformed, sizeof(sig->malformed), "the PKCS#7 signature names no signer");
		CMS_ContentInfo_free(cms);
		return;
	}
	si = sk_CMS_SignerInfo_value(infos, 0);
	if (CMS_SignerInfo_get0_signer_id(si, &keyid, &issuer, &sno) == 1) {
		if (issuer)
			common_name(issuer, sig->signer, sizeof(sig->signer));
		if (sno)
			serial_hex(sno, sig->key_id, sizeof(sig->key_id));
		else if (keyid)
			hex_of(ASN1_STRING_get0_data(keyid), (size_t)ASN1_STRING_length(keyid),
			       sig->key_id, sizeof(sig->key_id));
	}
	CMS_SignerInfo_get0_algs(si, NULL, NULL, &digest, NULL);
	if (digest) {
		const ASN1_OBJECT *obj;
		const char *sn;
		X509_ALGOR_get0(&obj, NULL, NULL, digest);
		sn = OBJ_nid2sn(OBJ_obj2nid(obj));
		if (sn && OBJ_obj2nid(obj) != NID_undef) {
			size_t i;
			for (i = 0; sn[i] && i + 1 < sizeof(sig->hash); i++)
				sig->hash[i] = (char)tolower((unsigned char)sn[i]);
			sig->hash[i] = '\0';
		}
	}
	CMS_ContentInfo_free(cms);
}

void modsig_parse(const unsigned char *tail, size_t len, struct modsig *sig)
{
	const unsigned char *info;
	size_t avail;
	uint32_t sig_len;

	memset(sig, 0, sizeof(*sig));
	if (len < MODSIG_MAGIC_LEN || memcmp(tail + len - MODSIG_MAGIC_LEN, MODSIG_MAGIC, MODSIG_MAGIC_LEN) != 0)
		return;
	sig->present = true;
	if (len < MODSIG_MAGIC_LEN + MODSIG_INFO_LEN) {
		snprintf(sig->malformed, sizeof(sig->malformed), "the signature trailer is truncated");
		return;
	}
	info = tail + len - MODSIG_MAGIC_LEN - MODSIG_INFO_LEN;
	avail = len - MODSIG_MAGIC_LEN - MODSIG_INFO_LEN;
	sig->id_type = info[2];
	sig_len = (uint32_t)info[8] << 24 | (uint32_t)info[9] << 16 | (uint32_t)info[10] << 8 | info[11];
	sig->sig_len = sig_len;
	if (sig_len == 0 || sig_len > avail) {
		snprintf(sig->malformed, sizeof(sig->malformed),
			 "sig_len %u does not fit the %zu bytes before the trailer", sig_len, avail);
		return;
	}
	if (sig->id_type != PKEY_ID_PKCS7) {
		/* Pre-4.3 formats carried the signer inline; no kernel since
		 * accepts them (kernel/module/signing.c requires PKCS#7). */
		snprintf(sig->malformed, sizeof(sig->malformed), "id_type %d (%s) is not PKCS#7", sig->id_type,
			 modsig_id_type_name(sig->id_type));
		return;
	}
	/* For PKCS#7 the algo, hash, signer_len and key_id_len bytes are zero. */
	if (info[0] || info[1] || info[3] || info[4]) {
		snprintf(sig->malformed, sizeof(sig->malformed), "PKCS#7 trailer with non-zero algo/hash/signer/key fields");
		return;
	}
	parse_pkcs7(info - sig_len, sig_len, sig);
}
