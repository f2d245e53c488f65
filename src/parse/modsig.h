/* Kernel module signatures: the trailer sign-file appends to a .ko.
 *
 *   [module][signature: sig_len bytes][struct module_signature: 12 bytes]
 *   ["~Module signature appended~\n": 28 bytes]
 *
 * struct module_signature (include/linux/module_signature.h): u8 algo, hash,
 * id_type, signer_len, key_id_len, pad[3]; __be32 sig_len. Since Linux 4.3
 * id_type is PKEY_ID_PKCS7 (2) and the signature is a DER PKCS#7/CMS
 * SignedData naming its signer by issuer and serial number (or by subject
 * key identifier with sign-file -k), as kmod's modinfo shows "signer" and
 * "sig_key". */
#ifndef CHIPAUDIT_MODSIG_H
#define CHIPAUDIT_MODSIG_H

#include <stdbool.h>
#include <stddef.h>

#define MODSIG_MAGIC "~Module signature appended~\n"
#define MODSIG_MAGIC_LEN 28
#define MODSIG_INFO_LEN 12
/* Bytes of a module's end that always hold a real signature (RSA-4096
 * PKCS#7 is under 1 KiB); larger trailers are reported as malformed. */
#define MODSIG_TAIL_MAX 65536

struct modsig {
	bool present;             /* the magic string ends the file */
	char malformed[160];      /* non-empty: present, but the trailer is inconsistent */
	int id_type;              /* 0 PGP, 1 X.509, 2 PKCS#7 */
	size_t sig_len;
	char signer[256];         /* issuer common name; "" when the CMS names a key id */
	char key_id[130];         /* serial number or subject key identifier, lowercase hex */
	char hash[32];            /* digest algorithm, e.g. "sha512" */
};

/* Examine TAIL, the last LEN bytes of a module image (at most
 * MODSIG_TAIL_MAX, or the whole image when smaller). Never fails: a trailer
 * that does not hold together is described in sig->malformed. */
void modsig_parse(const unsigned char *tail, size_t len, struct modsig *sig);

const char *modsig_id_type_name(int id_type);

#endif
