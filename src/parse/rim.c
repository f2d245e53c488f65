#include "parse/rim.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/base64.h"
#include "core/error.h"
#include "core/util.h"
#include "core/xml_lib.h"

struct rim_parser {
	struct rim *rim;
	char *err;
	size_t errlen;
};

static int refuse(struct rim_parser *p, const xmlNode *node, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* "line N: problem" (libxml2 counts lines up to 65535 in a node). */
static int refuse(struct rim_parser *p, const xmlNode *node, const char *fmt, ...)
{
	char what[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (node != NULL)
		snprintf(p->err, p->errlen, "line %u: %s", (unsigned)node->line, what);
	else
		snprintf(p->err, p->errlen, "%s", what);
	return CA_ERR_DATA;
}

static bool named(const xmlNode *node, const char *ns, const char *name)
{
	return node->type == XML_ELEMENT_NODE && strcmp((const char *)node->name, name) == 0 && node->ns != NULL &&
	       node->ns->href != NULL && strcmp((const char *)node->ns->href, ns) == 0;
}

/* The value of attribute NAME in namespace NS (NULL: none), or NULL. Read
 * from the tree itself: a value is one text node (no DTD, so no entity
 * references are left in it). */
static const char *attr(const xmlNode *node, const char *ns, const char *name)
{
	for (const xmlAttr *a = node->properties; a != NULL; a = a->next) {
		bool ns_matches = ns == NULL ? a->ns == NULL
					     : a->ns != NULL && a->ns->href != NULL &&
						       strcmp((const char *)a->ns->href, ns) == 0;
		if (!ns_matches || strcmp((const char *)a->name, name) != 0)
			continue;
		if (a->children == NULL)
			return "";
		if (a->children->type != XML_TEXT_NODE || a->children->next != NULL)
			return NULL;
		return (const char *)a->children->content;
	}
	return NULL;
}

/* Attribute NAME as an unsigned decimal from LO to HI. */
static int number_attr(struct rim_parser *p, const xmlNode *node, const char *name, unsigned lo, unsigned hi,
		       unsigned *out)
{
	const char *v = attr(node, NULL, name);
	unsigned long n = 0;
	size_t i;

	if (v == NULL)
		return refuse(p, node, "Resource without %s", name);
	for (i = 0; v[i] && i < 6 && isdigit((unsigned char)v[i]); i++)
		n = n * 10 + (unsigned long)(v[i] - '0');
	if (i == 0 || v[i] != '\0' || n < lo || n > hi)
		return refuse(p, node, "Resource %s '%.32s': not a number from %u to %u", name, v, lo, hi);
	*out = (unsigned)n;
	return 0;
}

/* A printable attribute into OUT (at most OUTLEN - 1 characters). */
static int text_attr(struct rim_parser *p, const xmlNode *node, const char *name, bool required, char *out,
		     size_t outlen)
{
	const char *v = attr(node, NULL, name);
	size_t n;

	out[0] = '\0';
	if (v == NULL)
		return required ? refuse(p, node, "Meta without %s", name) : 0;
	n = strlen(v);
	if ((required && n == 0) || n >= outlen)
		return refuse(p, node, "Meta %s: empty or longer than %zu characters", name, outlen - 1);
	for (size_t i = 0; i < n; i++)
		if (!isprint((unsigned char)v[i]))
			return refuse(p, node, "Meta %s: a character that is not printable ASCII", name);
	memcpy(out, v, n + 1);
	return 0;
}

static int hex_value(const char *hex, size_t size, uint8_t *out)
{
	if (strlen(hex) != 2 * size)
		return -1;
	for (size_t i = 0; i < size; i++) {
		char pair[3] = { hex[2 * i], hex[2 * i + 1], '\0' };
		if (!isxdigit((unsigned char)pair[0]) || !isxdigit((unsigned char)pair[1]))
			return -1;
		out[i] = (uint8_t)strtoul(pair, NULL, 16);
	}
	return 0;
}

static int parse_resource(struct rim_parser *p, const xmlNode *node)
{
	struct rim *rim = p->rim;
	struct rim_measurement m = { 0 };
	const char *type = attr(node, NULL, "type"), *active = attr(node, NULL, "active");
	char hash[16];
	int rc;

	if (type == NULL || strcmp(type, "Measurement") != 0)
		return refuse(p, node, "Resource of type '%.32s', not Measurement", type ? type : "");
	if ((rc = number_attr(p, node, "index", 0, RIM_MAX_MEASUREMENTS - 1, &m.index)) != 0 ||
	    (rc = number_attr(p, node, "alternatives", 1, RIM_MAX_ALTERNATIVES, &m.nalternatives)) != 0 ||
	    (rc = number_attr(p, node, "size", 1, RIM_MAX_VALUE, &m.size)) != 0)
		return rc;
	if (active == NULL || (strcmp(active, "True") != 0 && strcmp(active, "False") != 0))
		return refuse(p, node, "Resource %u: active is neither True nor False", m.index);
	m.active = strcmp(active, "True") == 0;
	if (rim_measurement(rim, m.index) != NULL)
		return refuse(p, node, "measurement index %u given twice", m.index);
	snprintf(hash, sizeof(hash), "Hash%u", m.nalternatives);
	if (attr(node, RIM_NS_SHA384, hash) != NULL)
		return refuse(p, node, "Resource %u: %s beyond its %u alternatives", m.index, hash, m.nalternatives);
	m.values = xmalloc((size_t)m.nalternatives * m.size);
	for (unsigned i = 0; i < m.nalternatives; i++) {
		const char *v;
		snprintf(hash, sizeof(hash), "Hash%u", i);
		v = attr(node, RIM_NS_SHA384, hash);
		if (v == NULL || hex_value(v, m.size, m.values + (size_t)i * m.size) != 0) {
			free(m.values);
			return refuse(p, node, "Resource %u: %s %s", m.index, hash,
				      v == NULL ? "missing (in the SHA-384 namespace)" : "is not hex of the size given");
		}
	}
	rim->measurements[rim->nmeasurements++] = m;
	return 0;
}

static int parse_payload(struct rim_parser *p, const xmlNode *payload)
{
	for (const xmlNode *n = payload->children; n != NULL; n = n->next) {
		int rc;
		if (n->type != XML_ELEMENT_NODE)
			continue;
		if (!named(n, RIM_NS_SWID, "Resource"))
			return refuse(p, n, "unexpected element %.64s in Payload", (const char *)n->name);
		if (p->rim->nmeasurements == RIM_MAX_MEASUREMENTS)
			return refuse(p, n, "more than %d measurements", RIM_MAX_MEASUREMENTS);
		if ((rc = parse_resource(p, n)) != 0)
			return rc;
	}
	if (p->rim->nmeasurements == 0)
		return refuse(p, payload, "no measurement in Payload");
	return 0;
}

/* The text of NODE's children, whitespace dropped (base64 as XML wraps it). */
static int base64_text(const xmlNode *node, char *out, size_t outlen)
{
	size_t o = 0;

	for (const xmlNode *t = node->children; t != NULL; t = t->next) {
		if (t->type != XML_TEXT_NODE)
			return -1;
		for (const char *c = (const char *)t->content; *c; c++) {
			if (isspace((unsigned char)*c))
				continue;
			if (o + 1 >= outlen)
				return -1;
			out[o++] = *c;
		}
	}
	out[o] = '\0';
	return 0;
}

static int parse_certificate(struct rim_parser *p, const xmlNode *node)
{
	struct rim *rim = p->rim;
	char *text = xmalloc(2 * RIM_MAX_CERT_BYTES);
	unsigned char *der = NULL;
	size_t len = 0;
	int rc = 0;

	if (rim->ncerts == RIM_MAX_CERTS)
		rc = refuse(p, node, "more than %d certificates in X509Data", RIM_MAX_CERTS);
	else if (base64_text(node, text, 2 * RIM_MAX_CERT_BYTES) != 0 ||
		 base64_decode(text, strlen(text), &der, &len) != 0 || len == 0 || len > RIM_MAX_CERT_BYTES)
		rc = refuse(p, node, "X509Certificate %zu: not base64 of at most %d bytes", rim->ncerts,
			    RIM_MAX_CERT_BYTES);
	if (rc == 0) {
		rim->certs[rim->ncerts] = der;
		rim->cert_len[rim->ncerts++] = len;
	} else {
		free(der);
	}
	free(text);
	return rc;
}

/* The signer's certificates: Signature/KeyInfo/X509Data/X509Certificate.
 * The rest of the signature is xmlsec's to judge. */
static int parse_signature(struct rim_parser *p, const xmlNode *sig)
{
	for (const xmlNode *k = sig->children; k != NULL; k = k->next) {
		if (!named(k, RIM_NS_DSIG, "KeyInfo"))
			continue;
		for (const xmlNode *d = k->children; d != NULL; d = d->next) {
			if (!named(d, RIM_NS_DSIG, "X509Data"))
				continue;
			for (const xmlNode *c = d->children; c != NULL; c = c->next) {
				int rc;
				if (named(c, RIM_NS_DSIG, "X509Certificate") && (rc = parse_certificate(p, c)) != 0)
					return rc;
			}
		}
	}
	if (p->rim->ncerts == 0)
		return refuse(p, sig, "Signature without KeyInfo/X509Data/X509Certificate: no signer to verify with");
	return 0;
}

static bool vbios_version(const char *v)
{
	/* NN.NN.NN.NN.NN, hex pairs: 96.00.5E.00.01 */
	if (strlen(v) != 14)
		return false;
	for (int i = 0; i < 14; i++)
		if (i % 3 == 2 ? v[i] != '.' : !isxdigit((unsigned char)v[i]))
			return false;
	return true;
}

/* One Meta, one Payload, one Signature (direct children of the root, so that
 * an enveloped signature of the whole document covers what is read); any
 * number of Entity elements. */
static int parse_root(struct rim_parser *p, xmlNode *root)
{
	struct rim *rim = p->rim;
	int metas = 0, payloads = 0, rc;

	if (!named(root, RIM_NS_SWID, "SoftwareIdentity"))
		return refuse(p, root, "the root element is %.64s, not a SWID tag's SoftwareIdentity", (const char *)root->name);
	for (xmlNode *n = root->children; n != NULL; n = n->next) {
		if (n->type != XML_ELEMENT_NODE)
			continue;
		if (named(n, RIM_NS_SWID, "Entity"))
			continue;
		if (named(n, RIM_NS_SWID, "Meta") && metas++ == 0) {
			if ((rc = text_attr(p, n, "colloquialVersion", true, rim->version, sizeof(rim->version))) != 0 ||
			    (rc = text_attr(p, n, "product", false, rim->product, sizeof(rim->product))) != 0)
				return rc;
		} else if (named(n, RIM_NS_SWID, "Payload") && payloads++ == 0) {
			if ((rc = parse_payload(p, n)) != 0)
				return rc;
		} else if (named(n, RIM_NS_DSIG, "Signature") && rim->signature == NULL) {
			rim->signature = n;
			if ((rc = parse_signature(p, n)) != 0)
				return rc;
		} else {
			return refuse(p, n, "unexpected element %.64s (or one given twice)", (const char *)n->name);
		}
	}
	if (metas == 0 || payloads == 0 || rim->signature == NULL)
		return refuse(p, root, "no %s: not a signed RIM", metas == 0 ? "Meta" : payloads == 0 ? "Payload" : "Signature");
	rim->kind = vbios_version(rim->version) ? RIM_VBIOS : RIM_DRIVER;
	return 0;
}

/* No other Signature in the document than the root's: xmlsec verifies the
 * one it is handed, and a second one would be a place to hide a reference. */
static int count_signatures(const xmlNode *node)
{
	int n = 0;

	for (const xmlNode *c = node; c != NULL; c = c->next) {
		if (named(c, RIM_NS_DSIG, "Signature"))
			n++;
		if (c->type == XML_ELEMENT_NODE)
			n += count_signatures(c->children);
	}
	return n;
}

static int read_document(const struct xml_lib *xl, const char *data, size_t len, xmlDocPtr *doc, char *err,
			 size_t errlen)
{
	xmlParserCtxtPtr ctxt = xl->xmlNewParserCtxt();
	xmlErrorPtr e;

	*doc = NULL;
	if (ctxt == NULL) {
		snprintf(err, errlen, "out of memory");
		return CA_ERR_OS;
	}
	/* No network, no DTD loaded, no entity substituted, nothing printed. */
	*doc = xl->xmlCtxtReadMemory(ctxt, data, (int)len, NULL, NULL, XML_PARSE_NONET | XML_PARSE_NOERROR |
				     XML_PARSE_NOWARNING | XML_PARSE_NOCDATA);
	if (*doc == NULL || !ctxt->wellFormed) {
		e = xl->xmlCtxtGetLastError(ctxt);
		snprintf(err, errlen, "line %d: not well-formed XML: %s", e ? e->line : 0,
			 e && e->message ? e->message : "unreadable");
		err[strcspn(err, "\n")] = '\0';
		if (*doc != NULL)
			xl->xmlFreeDoc(*doc);
		*doc = NULL;
	}
	xl->xmlFreeParserCtxt(ctxt);
	return *doc == NULL ? CA_ERR_DATA : 0;
}

int rim_parse(const char *data, size_t len, struct rim **out, char *err, size_t errlen)
{
	const struct xml_lib *xl = xml_lib(err, errlen);
	struct rim_parser p = { .err = err, .errlen = errlen };
	xmlDocPtr doc = NULL;
	xmlNode *root;
	int rc;

	*out = NULL;
	if (xl == NULL)
		return CA_ERR_CONFIG;
	if (len == 0 || len > RIM_MAX_BYTES) {
		snprintf(err, errlen, "%s", len == 0 ? "empty" : "larger than 1 MiB");
		return CA_ERR_DATA;
	}
	if ((rc = read_document(xl, data, len, &doc, err, errlen)) != 0)
		return rc;
	p.rim = xcalloc(1, sizeof(*p.rim));
	p.rim->doc = doc;
	p.rim->measurements = xcalloc(RIM_MAX_MEASUREMENTS, sizeof(*p.rim->measurements));
	root = xl->xmlDocGetRootElement(doc);
	if (doc->intSubset != NULL || doc->extSubset != NULL)
		rc = refuse(&p, NULL, "a DOCTYPE: a RIM has none, and its entities are not read");
	else if (root == NULL)
		rc = refuse(&p, NULL, "no root element");
	else if ((rc = parse_root(&p, root)) == 0 && count_signatures(root) != 1)
		rc = refuse(&p, NULL, "more than one Signature element");
	if (rc != 0) {
		rim_free(p.rim);
		return rc;
	}
	*out = p.rim;
	return 0;
}

void rim_free(struct rim *rim)
{
	char err[256];
	const struct xml_lib *xl;

	if (rim == NULL)
		return;
	for (size_t i = 0; i < rim->nmeasurements; i++)
		free(rim->measurements[i].values);
	free(rim->measurements);
	for (size_t i = 0; i < rim->ncerts; i++)
		free(rim->certs[i]);
	if (rim->doc != NULL && (xl = xml_lib(err, sizeof(err))) != NULL)
		xl->xmlFreeDoc(rim->doc);
	free(rim);
}

const struct rim_measurement *rim_measurement(const struct rim *rim, unsigned index)
{
	for (size_t i = 0; i < rim->nmeasurements; i++)
		if (rim->measurements[i].index == index)
			return &rim->measurements[i];
	return NULL;
}

const char *rim_kind_name(enum rim_kind kind)
{
	return kind == RIM_VBIOS ? "VBIOS" : "driver";
}
