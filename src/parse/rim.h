/* NVIDIA's Reference Integrity Manifests (RIMs): ISO/IEC 19770-2 SWID tags,
 * signed XML, holding the golden values of a driver's or a VBIOS's
 * measurements (nvtrust's samples, e.g. 1010_0200_882_96005E0001_PROD.swidtag;
 * its verifier's rim/__init__.py reads the same fields):
 *
 *   <SoftwareIdentity xmlns="http://standards.iso.org/iso/19770/-2/2015/schema.xsd" ...>
 *     <Entity .../>
 *     <Meta colloquialVersion="96.00.5E.00.01" product="GH100" .../>
 *     <Payload>
 *       <Resource type="Measurement" index="1" active="True" alternatives="1"
 *                 sha384:Hash0="c3f6..." name="..." size="48"/> ...
 *     </Payload>
 *     <ds:Signature> ... <ds:KeyInfo><ds:X509Data><ds:X509Certificate>...
 *   </SoftwareIdentity>
 *
 * The parser refuses what does not have that shape: a DOCTYPE, elements it
 * does not know, a measurement index given twice, a value that is not hex of
 * its stated size. It checks no signature: checks/rim_verify.c does, on the
 * document parsed here. */
#ifndef CHIPAUDIT_PARSE_RIM_H
#define CHIPAUDIT_PARSE_RIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RIM_MAX_BYTES (1024 * 1024)
#define RIM_MAX_MEASUREMENTS 256   /* indices 0 to 255: an SPDM block index less one */
#define RIM_MAX_ALTERNATIVES 16
#define RIM_MAX_VALUE 64           /* bytes of one golden value (SHA-384: 48) */
#define RIM_MAX_CERTS 8
#define RIM_MAX_CERT_BYTES 16384

#define RIM_NS_SWID "http://standards.iso.org/iso/19770/-2/2015/schema.xsd"
#define RIM_NS_SHA384 "http://www.w3.org/2001/04/xmlenc#sha384"
#define RIM_NS_DSIG "http://www.w3.org/2000/09/xmldsig#"

enum rim_kind { RIM_DRIVER, RIM_VBIOS };

struct rim_measurement {
	unsigned index;            /* 0-based: SPDM measurement block index - 1 */
	bool active;
	unsigned size;             /* bytes of each value */
	unsigned nalternatives;
	uint8_t *values;           /* nalternatives values of size bytes, one after the other */
};

struct rim {
	void *doc;                 /* the parsed document (xmlDocPtr), kept for the signature */
	void *signature;           /* its ds:Signature element (xmlNodePtr), a child of the root */
	char version[64];          /* Meta colloquialVersion, as written */
	char product[64];          /* Meta product, "" when absent */
	enum rim_kind kind;        /* VBIOS when the version reads as one (96.00.5E.00.01), else driver */
	size_t nmeasurements;
	struct rim_measurement *measurements;   /* in document order */
	size_t ncerts;             /* KeyInfo's certificates, signer first, as DER */
	uint8_t *certs[RIM_MAX_CERTS];
	size_t cert_len[RIM_MAX_CERTS];
};

/* Parse DATA (LEN bytes) into *out. Returns 0, CA_ERR_DATA with err
 * ("line N: problem") when the document is not a RIM, or CA_ERR_CONFIG when
 * libxml2 cannot be loaded (core/xml_lib.h). */
int rim_parse(const char *data, size_t len, struct rim **out, char *err, size_t errlen);
void rim_free(struct rim *rim);

/* The measurement of INDEX, or NULL. */
const struct rim_measurement *rim_measurement(const struct rim *rim, unsigned index);

const char *rim_kind_name(enum rim_kind kind);

#endif
