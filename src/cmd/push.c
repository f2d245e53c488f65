/* chipaudit push: send signed reports to a fleet collector over HTTPS.
 *
 * The only command that opens a network connection, and only when called.
 * Each report goes as its exact bytes in one POST, with its raw Ed25519
 * signature (REPORT.sig) in base64 in the X-Chipaudit-Signature header; the
 * collector verifies both and answers JSON {"status": .., "reason": ..}.
 * A refusal (4xx) is final: resending the same bytes cannot change the
 * collector's mind and a replay would only be recorded as an incident; only
 * what may pass on a second try (no connection, a timeout, 5xx, 429) is
 * retried, with exponential backoff. With --public-key (and always from
 * audit --push) the host's public key goes along in X-Chipaudit-Public-Key,
 * for a collector that enrols hosts on first use; a collector that does not
 * ignores it, and none believes it without the report's signature. */
#include <errno.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd/cmd.h"
#include "evidence/sign.h"
#include "core/curl_lib.h"
#include "core/fileio.h"
#include "core/util.h"

#define PUSH_MAX_REPORT (64u << 20)   /* larger than any report the audit writes */
#define PUSH_MAX_SIGNATURE 4096
#define PUSH_MAX_ANSWER (64u << 10)
#define PUSH_DEFAULT_RETRIES 4
#define PUSH_MAX_RETRIES 20
#define PUSH_BACKOFF_FIRST_MS 1000
#define PUSH_BACKOFF_MAX_MS 60000

static int set_retries(const char *value, void *target, char *err, size_t errlen)
{
	uint64_t n;

	if (parse_u64(value, 10, &n) != 0 || n > PUSH_MAX_RETRIES) {
		snprintf(err, errlen, "push: --retries: expected a number from 0 to %d", PUSH_MAX_RETRIES);
		return EXIT_USAGE;
	}
	*(int *)target = (int)n + 1;  /* stored plus one: 0 means not given */
	return 0;
}

#define PUSH_CACERT_ROW \
	OPT_STRING("cacert", 0, "FILE", \
	  "verify the collector's certificate against the CA certificates in FILE ($CHIPAUDIT_CACERT, " \
	  "else the system's)", struct push_options, cacert)

static const struct opt_row push_rows[] = {
	PUSH_CACERT_ROW,
	OPT_STRING("cert", 0, "FILE", "present the client certificate in FILE (PEM) to the collector",
	  struct push_options, cert),
	OPT_STRING("key", 0, "FILE", "the private key of --cert (PEM)", struct push_options, key),
	OPT_STRING("public-key", 0, "FILE",
	  "send the host's public key in FILE (host.pub.pem) along, for a collector that enrols hosts on first use",
	  struct push_options, public_key),
	{ .long_name = "retries", .arg = OPT_ARG_REQUIRED, .arg_name = "N",
	  .help = "retry a report N times (default 4) when the collector cannot be reached, times out or "
		  "answers 5xx or 429, waiting 1, 2, 4 ... s; a refusal is never retried",
	  .set = set_retries, .offset = offsetof(struct push_options, retries) },
	OPT_END,
};
static const struct opt_table push_table = { NULL, push_rows };

/* audit --push URL [--cacert FILE]: the context is a struct push_options. */
static const struct opt_row audit_push_rows[] = {
	OPT_STRING("push", 0, "URL",
	  "then push the signed report to the collector at URL (needs --sign and -o FILE), as chipaudit push",
	  struct push_options, url),
	PUSH_CACERT_ROW,
	OPT_END,
};
const struct opt_table push_audit_table = { NULL, audit_push_rows };

const struct cmd_spec push_spec = {
	.name = "push",
	.synopsis = "usage: chipaudit push [--cacert FILE] [--cert FILE --key FILE] [--public-key FILE] [--retries N]\n"
		    "                      URL REPORT...\n",
	.about = "  Send each signed REPORT (its signature in REPORT.sig, as audit --sign writes\n"
		 "  them) to the fleet collector at URL (https:// only; URL/v1/reports when URL\n"
		 "  has no path). The certificate of the collector is verified; redirects are\n"
		 "  not followed. This is the only command that opens a network connection.\n",
	.trailer = "Exit: 0 every report stored; 65 the collector refused a report (its HTTP status and\n"
		   "reason are printed; it is not retried); 66 a report or signature cannot be read;\n"
		   "69 the collector could not be reached or kept failing after the retries; 64 usage.\n",
	.operands = "FILE",
	.tables = { &push_table },
};

struct buffer {
	char *data;
	size_t len;
};

static size_t collect_answer(char *ptr, size_t size, size_t nmemb, void *userdata)
{
	struct buffer *b = userdata;
	size_t n = size * nmemb, room = PUSH_MAX_ANSWER - b->len;

	if (n > room)
		n = room;  /* the rest is dropped: the reason is in the first bytes */
	b->data = xrealloc(b->data, b->len + n + 1);
	memcpy(b->data + b->len, ptr, n);
	b->len += n;
	b->data[b->len] = '\0';
	return size * nmemb;
}

/* URL/v1/reports when URL names no path, else URL as it is; NULL when URL is
 * not https. */
static char *reports_url(const char *url)
{
	const char *rest;

	if (strncmp(url, "https://", 8) != 0)
		return NULL;
	rest = strchr(url + 8, '/');
	if (!rest)
		return xasprintf("%s/v1/reports", url);
	if (strcmp(rest, "/") == 0)
		return xasprintf("%.*sv1/reports", (int)(rest + 1 - url), url);
	return xstrdup(url);
}

/* The collector's reason from its JSON answer, else the answer's first line. */
static char *answer_reason(const struct buffer *b)
{
	json_t *root = b->len ? json_loadb(b->data, b->len, 0, NULL) : NULL;
	const char *reason = root ? json_string_value(json_object_get(root, "reason")) : NULL;
	char *out;

	if (reason)
		out = xstrdup(reason);
	else if (b->len)
		out = xstrndup(b->data, strcspn(b->data, "\r\n"));
	else
		out = xstrdup("(no reason given)");
	json_decref(root);
	return out;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

enum attempt { ATTEMPT_STORED, ATTEMPT_REFUSED, ATTEMPT_AGAIN };

static enum attempt post_once(const struct curl_lib *cl, CURL *curl, const struct push_options *o, const char *url, const char *report,
			      const char *body, size_t len, const char *sig_header, const char *key_header)
{
	struct curl_slist *headers = NULL;
	struct buffer answer = { 0 };
	char curl_err[CURL_ERROR_SIZE] = "";
	const char *cacert = o->cacert ? o->cacert : getenv("CHIPAUDIT_CACERT");
	long status = 0;
	enum attempt result;
	CURLcode cc;

	cl->easy_reset(curl);
	headers = cl->slist_append(headers, "Content-Type: application/json");
	headers = cl->slist_append(headers, sig_header);
	if (key_header)
		headers = cl->slist_append(headers, key_header);
	headers = cl->slist_append(headers, "Expect:");
	cl->easy_setopt(curl, CURLOPT_URL, url);
	cl->easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "https");
	cl->easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
	cl->easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	cl->easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, 10L);
	cl->easy_setopt(curl, CURLOPT_TIMEOUT, 120L);
	cl->easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 1L);
	cl->easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 2L);
	if (cacert && *cacert)
		cl->easy_setopt(curl, CURLOPT_CAINFO, cacert);
	if (o->cert)
		cl->easy_setopt(curl, CURLOPT_SSLCERT, o->cert);
	if (o->key)
		cl->easy_setopt(curl, CURLOPT_SSLKEY, o->key);
	cl->easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
	cl->easy_setopt(curl, CURLOPT_POSTFIELDS, body);
	cl->easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
	cl->easy_setopt(curl, CURLOPT_WRITEFUNCTION, collect_answer);
	cl->easy_setopt(curl, CURLOPT_WRITEDATA, &answer);
	cl->easy_setopt(curl, CURLOPT_ERRORBUFFER, curl_err);
	cl->easy_setopt(curl, CURLOPT_USERAGENT, "chipaudit/" CHIPAUDIT_VERSION);

	cc = cl->easy_perform(curl);
	if (cc == CURLE_OK)
		cl->easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
	if (cc != CURLE_OK) {
		error_msg("%s: %s: %s", report, url, curl_err[0] ? curl_err : cl->easy_strerror(cc));
		/* A certificate that does not verify will not verify on the next try either. */
		result = cc == CURLE_PEER_FAILED_VERIFICATION || cc == CURLE_SSL_CACERT_BADFILE ||
				 cc == CURLE_SSL_CERTPROBLEM || cc == CURLE_UNSUPPORTED_PROTOCOL ?
			 ATTEMPT_REFUSED : ATTEMPT_AGAIN;
	} else if (status >= 200 && status < 300) {
		text_printf(stdout, "%s: stored (HTTP %ld)\n", report, status);
		result = ATTEMPT_STORED;
	} else {
		char *reason = answer_reason(&answer);

		error_msg("%s: %s: HTTP %ld: %s", report, status >= 500 || status == 429 ? "collector failed" : "refused",
			  status, reason);
		free(reason);
		result = status >= 500 || status == 429 ? ATTEMPT_AGAIN : ATTEMPT_REFUSED;
	}
	free(answer.data);
	cl->slist_free_all(headers);
	return result;
}

static char *base64(const unsigned char *data, size_t len)
{
	unsigned char *b64 = xmalloc(4 * ((len + 2) / 3) + 1);

	EVP_EncodeBlock(b64, data, (int)len);
	return (char *)b64;
}

/* "X-Chipaudit-Public-Key: " and the base64 of the key's DER
 * SubjectPublicKeyInfo, or NULL with the exit code in *rc. */
static char *public_key_header(const char *path, int *rc)
{
	struct hostkey key = { 0 };
	unsigned char *der = NULL;
	char err[512], *b64, *header;
	int len;

	if ((*rc = hostkey_load_public(path, &key, err, sizeof(err))) != 0) {
		error_msg("push: %s", err);
		return NULL;
	}
	if ((len = i2d_PUBKEY(key.pkey, &der)) <= 0) {
		hostkey_free(&key);
		error_msg("push: %s: the key could not be encoded", path);
		*rc = EXIT_SOFTWARE;
		return NULL;
	}
	b64 = base64(der, (size_t)len);
	header = xasprintf("X-Chipaudit-Public-Key: %s", b64);
	free(b64);
	OPENSSL_free(der);
	hostkey_free(&key);
	return header;
}

/* Push one report; returns 0 or its exit code. */
static int push_one(const struct curl_lib *cl, CURL *curl, const struct push_options *o, const char *url, const char *report,
		    const char *key_header)
{
	char err[1024], *body = NULL, *sig = NULL, *sig_path = xasprintf("%s.sig", report), *header;
	size_t len = 0, sig_len = 0;
	int tries = o->retries ? o->retries : PUSH_DEFAULT_RETRIES + 1;
	long backoff = PUSH_BACKOFF_FIRST_MS;
	int rc = EXIT_UNAVAILABLE;
	int bad = read_file_bounded(report, PUSH_MAX_REPORT, &body, &len, err, sizeof(err));
	char *b64;

	if (bad == 0)
		bad = read_file_bounded(sig_path, PUSH_MAX_SIGNATURE, &sig, &sig_len, err, sizeof(err));
	free(sig_path);
	if (bad != 0) {
		error_msg("%s", err);
		free(body);
		free(sig);
		return bad;
	}
	b64 = base64((const unsigned char *)sig, sig_len);
	header = xasprintf("X-Chipaudit-Signature: %s", b64);
	for (int attempt = 1; attempt <= tries; attempt++) {
		enum attempt a = post_once(cl, curl, o, url, report, body, len, header, key_header);

		if (a == ATTEMPT_STORED) {
			rc = 0;
			break;
		}
		if (a == ATTEMPT_REFUSED) {
			rc = EXIT_DATAERR;
			break;
		}
		if (attempt < tries) {
			note_msg("%s: retrying in %ld ms (attempt %d of %d)", report, backoff, attempt + 1, tries);
			sleep_ms(backoff);
			backoff = backoff * 2 > PUSH_BACKOFF_MAX_MS ? PUSH_BACKOFF_MAX_MS : backoff * 2;
		}
	}
	free(header);
	free(b64);
	free(sig);
	free(body);
	return rc;
}

int push_reports(const struct push_options *o, char *const reports[], int n)
{
	char *url = reports_url(o->url), *key_header = NULL;
	const struct curl_lib *cl;
	char err[512];
	CURL *curl;
	int rc = 0;

	if (!url) {
		error_msg("push: %s: only https:// URLs are accepted", o->url);
		return EXIT_USAGE;
	}
	if ((o->cert == NULL) != (o->key == NULL)) {
		free(url);
		error_msg("push: --cert and --key go together");
		return EXIT_USAGE;
	}
	if (o->public_key && !(key_header = public_key_header(o->public_key, &rc))) {
		free(url);
		return rc;
	}
	if ((cl = curl_lib(err, sizeof(err))) == NULL) {
		free(key_header);
		free(url);
		error_msg("push: %s", err);
		return EXIT_UNAVAILABLE;
	}
	if (cl->global_init(CURL_GLOBAL_DEFAULT) != 0 || !(curl = cl->easy_init())) {
		free(url);
		free(key_header);
		error_msg("push: libcurl could not be initialised");
		return EXIT_SOFTWARE;
	}
	for (int i = 0; i < n; i++) {
		int one = push_one(cl, curl, o, url, reports[i], key_header);

		/* The most serious outcome decides: a refusal over an outage. */
		if (one != 0 && (rc == 0 || one == EXIT_DATAERR))
			rc = one;
	}
	cl->easy_cleanup(curl);
	cl->global_cleanup();
	free(key_header);
	free(url);
	return rc;
}

int cmd_push(int argc, char **argv)
{
	struct push_options o = { 0 };
	void *const ctx[] = { &o };
	struct operands ops;
	int rc = options_parse(&push_spec, ctx, argc, argv, &ops);

	if (rc != 0)
		return rc == OPTIONS_HELP ? 0 : rc;
	if (ops.n < 2)
		rc = options_usage_error(&push_spec, ops.n == 0 ? "expected a URL and reports" : "expected reports after the URL");
	else {
		o.url = ops.v[0];
		rc = push_reports(&o, ops.v + 1, ops.n - 1);
	}
	options_free(&push_spec, ctx);
	return rc;
}
