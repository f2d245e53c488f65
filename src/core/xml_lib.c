#include "xml_lib.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "dynlib.h"
#include "util.h"

#define SYM(name) DYNLIB_SYM(struct xml_lib, name, #name)
static const struct dynlib_symbol symbols[] = {
	SYM(xmlInitParser),
	SYM(xmlNewParserCtxt),
	SYM(xmlCtxtReadMemory),
	SYM(xmlCtxtGetLastError),
	SYM(xmlFreeParserCtxt),
	SYM(xmlFreeDoc),
	SYM(xmlDocGetRootElement),
	SYM(xmlSetGenericErrorFunc),
	SYM(xmlSetStructuredErrorFunc),
	SYM(xmlSecInit),
	SYM(xmlSecCheckVersionExt),
	SYM(xmlSecErrorsSetCallback),
	SYM(xmlSecOpenSSLAppInit),
	SYM(xmlSecOpenSSLInit),
	SYM(xmlSecOpenSSLAppKeyLoadMemory),
	SYM(xmlSecKeyDestroy),
	SYM(xmlSecDSigCtxCreate),
	SYM(xmlSecDSigCtxDestroy),
	SYM(xmlSecDSigCtxVerify),
	SYM(xmlSecDSigCtxEnableReferenceTransform),
	SYM(xmlSecDSigCtxEnableSignatureTransform),
	SYM(xmlSecPtrListGetSize),
	SYM(xmlSecTransformEnvelopedGetKlass),
	SYM(xmlSecTransformInclC14NGetKlass),
	SYM(xmlSecTransformInclC14NWithCommentsGetKlass),
	SYM(xmlSecTransformInclC14N11GetKlass),
	SYM(xmlSecTransformInclC14N11WithCommentsGetKlass),
	SYM(xmlSecTransformExclC14NGetKlass),
	SYM(xmlSecTransformExclC14NWithCommentsGetKlass),
	SYM(xmlSecOpenSSLTransformSha256GetKlass),
	SYM(xmlSecOpenSSLTransformSha384GetKlass),
	SYM(xmlSecOpenSSLTransformSha512GetKlass),
	SYM(xmlSecOpenSSLTransformEcdsaSha256GetKlass),
	SYM(xmlSecOpenSSLTransformEcdsaSha384GetKlass),
	SYM(xmlSecOpenSSLTransformEcdsaSha512GetKlass),
};

static struct xml_lib lib;
static char load_error[512];
static char last_error[256];

/* libxml2 prints parse errors to stderr unless told otherwise; the parser
 * reads them from its context instead. */
static void XMLCDECL silent_generic(void *ctx, const char *msg, ...)
{
	(void)ctx;
	(void)msg;
}

static void XMLCALL silent_structured(void *ctx, xmlErrorPtr error)
{
	(void)ctx;
	(void)error;
}

/* xmlsec reports each failure up its call stack; the first is the cause. */
static void keep_first_error(const char *file, int line, const char *func, const char *object, const char *subject,
			     int reason, const char *msg)
{
	(void)file;
	(void)line;
	(void)func;
	(void)subject;
	(void)reason;
	if (last_error[0] == '\0')
		snprintf(last_error, sizeof(last_error), "%s%s%s", msg ? msg : "error", object ? " in " : "",
			 object ? object : "");
}

static int initialise(void)
{
	lib.xmlInitParser();
	lib.xmlSetGenericErrorFunc(NULL, silent_generic);
	lib.xmlSetStructuredErrorFunc(NULL, silent_structured);
	lib.xmlSecErrorsSetCallback(keep_first_error);
	if (lib.xmlSecInit() < 0) {
		snprintf(load_error, sizeof(load_error), "%s: xmlSecInit failed", XML_LIBRARY);
		return -1;
	}
	if (lib.xmlSecCheckVersionExt(XMLSEC_VERSION_MAJOR, XMLSEC_VERSION_MINOR, XMLSEC_VERSION_SUBMINOR,
				      xmlSecCheckVersionABICompatible) != 1) {
		snprintf(load_error, sizeof(load_error), "%s: not ABI-compatible with xmlsec %s, which chipaudit was "
			 "built with", XML_LIBRARY, XMLSEC_VERSION);
		return -1;
	}
	if (lib.xmlSecOpenSSLAppInit(NULL) < 0 || lib.xmlSecOpenSSLInit() < 0) {
		snprintf(load_error, sizeof(load_error), "%s: its OpenSSL engine failed to initialise", XML_LIBRARY);
		return -1;
	}
	last_error[0] = '\0';
	return 0;
}

const struct xml_lib *xml_lib(char *err, size_t errlen)
{
	static int state;   /* 0: not tried, 1: loaded, -1: failed */

	if (state == 0) {
		state = dynlib_load(XML_LIBRARY, " (install libxmlsec1-openssl)", symbols, ARRAY_SIZE(symbols), &lib,
				    sizeof(lib), load_error, sizeof(load_error)) == 0 && initialise() == 0 ? 1 : -1;
	}
	if (state < 0) {
		snprintf(err, errlen, "%s", load_error);
		return NULL;
	}
	return &lib;
}

const char *xml_lib_last_error(void)
{
	static char taken[sizeof(last_error)];

	memcpy(taken, last_error, sizeof(taken));
	last_error[0] = '\0';
	return taken;
}
