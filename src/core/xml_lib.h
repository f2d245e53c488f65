/* libxml2 and xmlsec (its OpenSSL engine), loaded at run time: only the
 * RIMs of GPU attestation (parse/rim.c, checks/rim_verify.c) are XML, and
 * linking them made every start of the binary load libxml2, libxslt, ICU
 * and libstdc++. The types are those of the installed headers (Debian 12:
 * libxml2 2.9.14, xmlsec1 1.2.37, libxml2-dev and libxmlsec1-dev); each
 * function is called through this table, and xmlsec's ABI is checked
 * against the headers' version when it is loaded. */
#ifndef CHIPAUDIT_XML_LIB_H
#define CHIPAUDIT_XML_LIB_H

#include <stddef.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
/* xmlsec.h first: the others use its types */
#include <xmlsec/xmlsec.h>
#include <xmlsec/errors.h>
#include <xmlsec/keys.h>
#include <xmlsec/list.h>
#include <xmlsec/openssl/app.h>
#include <xmlsec/openssl/crypto.h>
#include <xmlsec/transforms.h>
#include <xmlsec/xmldsig.h>

/* libxmlsec1-openssl.so.1 links libxmlsec1 and libxml2: one handle finds
 * the three libraries' functions. */
#define XML_LIBRARY "libxmlsec1-openssl.so.1"

#define XML_FN(name) __typeof__(name) *name
struct xml_lib {
	void *dl;
	/* libxml2 */
	XML_FN(xmlInitParser);
	XML_FN(xmlNewParserCtxt);
	XML_FN(xmlCtxtReadMemory);
	XML_FN(xmlCtxtGetLastError);
	XML_FN(xmlFreeParserCtxt);
	XML_FN(xmlFreeDoc);
	XML_FN(xmlDocGetRootElement);
	XML_FN(xmlSetGenericErrorFunc);
	XML_FN(xmlSetStructuredErrorFunc);
	/* xmlsec and its OpenSSL engine */
	XML_FN(xmlSecInit);
	XML_FN(xmlSecCheckVersionExt);
	XML_FN(xmlSecErrorsSetCallback);
	XML_FN(xmlSecOpenSSLAppInit);
	XML_FN(xmlSecOpenSSLInit);
	XML_FN(xmlSecOpenSSLAppKeyLoadMemory);
	XML_FN(xmlSecKeyDestroy);
	XML_FN(xmlSecDSigCtxCreate);
	XML_FN(xmlSecDSigCtxDestroy);
	XML_FN(xmlSecDSigCtxVerify);
	XML_FN(xmlSecDSigCtxEnableReferenceTransform);
	XML_FN(xmlSecDSigCtxEnableSignatureTransform);
	XML_FN(xmlSecPtrListGetSize);
	XML_FN(xmlSecTransformEnvelopedGetKlass);
	XML_FN(xmlSecTransformInclC14NGetKlass);
	XML_FN(xmlSecTransformInclC14NWithCommentsGetKlass);
	XML_FN(xmlSecTransformInclC14N11GetKlass);
	XML_FN(xmlSecTransformInclC14N11WithCommentsGetKlass);
	XML_FN(xmlSecTransformExclC14NGetKlass);
	XML_FN(xmlSecTransformExclC14NWithCommentsGetKlass);
	XML_FN(xmlSecOpenSSLTransformSha256GetKlass);
	XML_FN(xmlSecOpenSSLTransformSha384GetKlass);
	XML_FN(xmlSecOpenSSLTransformSha512GetKlass);
	XML_FN(xmlSecOpenSSLTransformEcdsaSha256GetKlass);
	XML_FN(xmlSecOpenSSLTransformEcdsaSha384GetKlass);
	XML_FN(xmlSecOpenSSLTransformEcdsaSha512GetKlass);
};
#undef XML_FN

/* The libraries, loaded and initialised on first use and kept for the
 * process, their own error printing silenced; NULL with err ("...: why
 * (install libxmlsec1-openssl)") when they cannot be loaded, lack a
 * function, or are not ABI-compatible with the headers built against. */
const struct xml_lib *xml_lib(char *err, size_t errlen);

/* The first error xmlsec reported since the last call (its reason and
 * object, one line), "" when none; cleared by the call. */
const char *xml_lib_last_error(void);

#endif
