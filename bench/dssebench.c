/* dssebench: what verifying a signed report costs today (pure Ed25519 over
 * the whole report) against the alternative of docs/evidence.md's "Statement
 * or whole report" section (pure Ed25519 over the DSSE PAE of a small in-toto
 * Statement that names the report by its SHA-256, then SHA-256 of the report).
 *
 *   dssebench sign KEY.pem REPORT [ENVELOPE]
 *       writes ENVELOPE (default REPORT.intoto.jsonl): a DSSE envelope whose
 *       payload is an in-toto Statement v1 naming REPORT, its predicate the
 *       evidence members verify relies on, read from REPORT. A prototype of
 *       what `audit --sign` would write; not the product.
 *   dssebench bench PUB.pem ROUNDS REPORT...
 *       each REPORT with REPORT.sig (today's form) and REPORT.intoto.jsonl.
 *       Per report, microseconds of this thread's CPU time, median of ROUNDS
 *       passes over all reports; the variants run one after another in every
 *       pass, so that a change of load touches all alike:
 *         old_sig_only      read REPORT and REPORT.sig, Ed25519 over the report
 *         old_verify        that and the scanner's seven members (chipaudit verify)
 *         old_verify_chain  that and SHA-256 of the report (verify --chain/--previous)
 *         old_jansson       old_sig_only and json_loadb of the whole report: an
 *                           old report once the scanner were retired
 *         new_statement_only the envelope read and parsed, Ed25519 over the PAE,
 *                           the Statement parsed (no report read)
 *         new_verify        that and the report read, SHA-256, compared
 *         new_parse_only    new_statement_only without the Ed25519 check
 *         ed25519_pae_only  EVP_DigestVerify of one PAE, in memory
 *         sha256_report, sha512_report  one digest of the report, in memory
 *
 * Build (bench/dsse_vs_whole.sh does it), from the repository root:
 *   cc -O2 -std=c11 -D_GNU_SOURCE -Isrc bench/dssebench.c src/parse/jscan.c src/core/hashtab.c src/core/util.c \
 *      $(pkg-config --cflags --libs libcrypto jansson) -o dssebench
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "parse/jscan.h"

#define PAYLOAD_TYPE "application/vnd.in-toto+json"
#define STATEMENT_TYPE "https://in-toto.io/Statement/v1"
#define PREDICATE_TYPE "https://chipaudit.invalid/evidence/v1"

static void die(const char *fmt, const char *arg)
{
	fprintf(stderr, "dssebench: ");
	fprintf(stderr, fmt, arg);
	fputc('\n', stderr);
	exit(1);
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t cap = 0, n = 0, r;

	if (f == NULL)
		die("%s: cannot open", path);
	do {
		if (n == cap && (buf = realloc(buf, cap = cap ? cap * 2 : 131072)) == NULL)
			die("%s: out of memory", path);
		r = fread(buf + n, 1, cap - n, f);
		n += r;
	} while (r > 0);
	if (ferror(f))
		die("%s: read error", path);
	fclose(f);
	*len = n;
	return buf;
}

static EVP_PKEY *load_key(const char *path, bool private_key)
{
	FILE *f = fopen(path, "r");
	EVP_PKEY *k;

	if (f == NULL)
		die("%s: cannot open", path);
	k = private_key ? PEM_read_PrivateKey(f, NULL, NULL, NULL) : PEM_read_PUBKEY(f, NULL, NULL, NULL);
	fclose(f);
	if (k == NULL || EVP_PKEY_get_id(k) != EVP_PKEY_ED25519)
		die("%s: not an Ed25519 key", path);
	return k;
}

/* PAE(type, body) = "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body */
static size_t pae(char *out, size_t cap, const char *type, const char *body, size_t blen)
{
	int h = snprintf(out, cap, "DSSEv1 %zu %s %zu ", strlen(type), type, blen);

	if (h < 0 || (size_t)h + blen > cap)
		die("%s", "PAE buffer too small");
	memcpy(out + h, body, blen);
	return (size_t)h + blen;
}

static char *b64(const unsigned char *in, size_t len)
{
	char *out = malloc(4 * ((len + 2) / 3) + 1);

	EVP_EncodeBlock((unsigned char *)out, in, (int)len);
	return out;
}

/* Standard or URL-safe base64 (DSSE verifiers must take both), padded or not. */
static int unb64(const char *in, size_t len, unsigned char *out, size_t cap, size_t *outlen)
{
	char tmp[4096];
	size_t n = 0, pad;
	int r;

	if (len + 4 > sizeof(tmp))
		return -1;
	for (size_t i = 0; i < len; i++)
		tmp[n++] = in[i] == '-' ? '+' : in[i] == '_' ? '/' : in[i];
	while (n % 4)
		tmp[n++] = '=';
	pad = (n && tmp[n - 1] == '=') + (n > 1 && tmp[n - 2] == '=');
	if (3 * (n / 4) > cap || (r = EVP_DecodeBlock(out, (unsigned char *)tmp, (int)n)) < 0)
		return -1;
	*outlen = (size_t)r - pad;
	return 0;
}

static const EVP_MD *md_sha256, *md_sha512;
static EVP_MD_CTX *mdctx;

static void digest(const EVP_MD *md, const void *data, size_t len, unsigned char *out)
{
	unsigned int n;

	if (EVP_DigestInit_ex(mdctx, md, NULL) != 1 || EVP_DigestUpdate(mdctx, data, len) != 1 ||
	    EVP_DigestFinal_ex(mdctx, out, &n) != 1)
		die("%s", "digest failed");
}

static void hex(const unsigned char *in, size_t len, char *out)
{
	for (size_t i = 0; i < len; i++)
		sprintf(out + 2 * i, "%02x", in[i]);
}

/* --- sign: the prototype envelope --------------------------------------- */

static int cmd_sign(int argc, char **argv)
{
	const char *members[] = { "schema_version", "host_id", "public_key_fingerprint", "sequence",
				  "previous_sha256", "nonce" };
	EVP_PKEY *key;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	json_t *report, *stmt, *subject, *pred, *env, *sigs, *sig1;
	json_error_t jerr;
	unsigned char dg[32], sig[64];
	char dhex[65], *data, *payload, *pbuf, *out, *path, *name;
	size_t len, siglen = sizeof(sig), plen;
	FILE *f;

	if (argc < 4)
		die("%s", "usage: dssebench sign KEY.pem REPORT [ENVELOPE]");
	key = load_key(argv[2], true);
	data = slurp(argv[3], &len);
	if ((report = json_loadb(data, len, JSON_REJECT_DUPLICATES, &jerr)) == NULL)
		die("%s: not JSON", argv[3]);
	digest(md_sha256, data, len, dg);
	hex(dg, 32, dhex);
	name = strrchr(argv[3], '/') ? strrchr(argv[3], '/') + 1 : argv[3];
	pred = json_object();
	for (size_t i = 0; i < sizeof(members) / sizeof(members[0]); i++)
		json_object_set(pred, members[i], json_object_get(report, members[i]) ? json_object_get(report, members[i]) : json_null());
	json_object_set(pred, "time", json_object_get(json_object_get(report, "host"), "time"));
	subject = json_pack("[{s:s, s:{s:s}}]", "name", name, "digest", "sha256", dhex);
	stmt = json_pack("{s:s, s:o, s:s, s:o}", "_type", STATEMENT_TYPE, "subject", subject,
			 "predicateType", PREDICATE_TYPE, "predicate", pred);
	payload = json_dumps(stmt, JSON_COMPACT | JSON_PRESERVE_ORDER);
	plen = strlen(payload);
	pbuf = malloc(plen + 256);
	len = pae(pbuf, plen + 256, PAYLOAD_TYPE, payload, plen);
	if (EVP_DigestSignInit(ctx, NULL, NULL, NULL, key) != 1 || EVP_DigestSign(ctx, sig, &siglen, (unsigned char *)pbuf, len) != 1)
		die("%s", "signing failed");
	sig1 = json_pack("{s:O, s:s}", "keyid", json_object_get(pred, "public_key_fingerprint"), "sig", b64(sig, 64));
	sigs = json_pack("[o]", sig1);
	env = json_pack("{s:s, s:s, s:o}", "payloadType", PAYLOAD_TYPE, "payload", b64((unsigned char *)payload, plen),
			"signatures", sigs);
	out = json_dumps(env, JSON_COMPACT | JSON_PRESERVE_ORDER);
	if (argc > 4)
		path = argv[4];
	else if (asprintf(&path, "%s.intoto.jsonl", argv[3]) < 0)
		die("%s", "out of memory");
	if ((f = fopen(path, "w")) == NULL || fprintf(f, "%s\n", out) < 0 || fclose(f) != 0)
		die("%s: cannot write", path);
	return 0;
}

/* --- bench ---------------------------------------------------------------- */

static EVP_PKEY *pub;
static EVP_MD_CTX *vctx;  /* made ready once, reused: as chipaudit verify does */
static EVP_PKEY *vctx_key;

static bool ed_verify(const void *msg, size_t len, const unsigned char *sig)
{
	bool ok;

	if (vctx_key != pub) {
		EVP_MD_CTX_reset(vctx);
		if (EVP_DigestVerifyInit(vctx, NULL, NULL, NULL, pub) != 1)
			die("%s", "EVP_DigestVerifyInit");
		vctx_key = pub;
	}
	ok = EVP_DigestVerify(vctx, sig, 64, msg, len) == 1;
	if (!ok)
		vctx_key = NULL;
	return ok;
}

static volatile size_t sink;

static void read_sig(const char *report, unsigned char sig[64])
{
	char path[4200];
	size_t len;
	char *s;

	snprintf(path, sizeof(path), "%s.sig", report);
	s = slurp(path, &len);
	if (len != 64)
		die("%s: not 64 bytes", path);
	memcpy(sig, s, 64);
	free(s);
}

/* Today: the report's signature, then its evidence members by the scanner. */
static void old_way(const char *path, bool with_scan, bool with_hash)
{
	struct jscan_member want[7] = { { .key = "schema_version" }, { .key = "host_id" },
					{ .key = "public_key_fingerprint" }, { .key = "nonce" }, { .key = "sequence" },
					{ .key = "previous_sha256" }, { .key = "host" } };
	unsigned char sig[64], dg[32];
	char err[256];
	size_t len;
	char *data = slurp(path, &len);

	read_sig(path, sig);
	if (!ed_verify(data, len, sig))
		die("%s: the whole-report signature does not verify", path);
	if (with_scan && jscan_object(data, len, want, 7, err, sizeof(err)) != 0)
		die("%s: scanner refused it", path);
	if (with_hash)
		digest(md_sha256, data, len, dg), sink += dg[0];
	sink += want[6].len;
	free(data);
}

/* Today's signature, with the members read by jansson's strict parser: what
 * an old report would cost once the scanner were retired. */
static void old_jansson(const char *path)
{
	unsigned char sig[64];
	json_error_t jerr;
	size_t len;
	char *data = slurp(path, &len);
	json_t *r;

	read_sig(path, sig);
	if (!ed_verify(data, len, sig))
		die("%s: the whole-report signature does not verify", path);
	if ((r = json_loadb(data, len, JSON_REJECT_DUPLICATES, &jerr)) == NULL)
		die("%s: not JSON", path);
	sink += json_object_size(r);
	json_decref(r);
	free(data);
}

/* The alternative: the envelope (read, parsed, its signature over the PAE
 * checked, the Statement parsed and its members taken), then, with
 * with_report, the report hashed once with SHA-256 and compared with the
 * Statement's subject. */
static void new_way(const char *path, bool with_report, bool with_sig)
{
	char epath[4200], pbuf[4096], dhex[65];
	unsigned char payload[3072], sig[80], dg[32];
	size_t elen, plen, slen, n, rlen;
	json_error_t jerr;
	json_t *env, *stmt, *pred;
	const char *type, *p64, *s64, *want;
	char *edata, *rdata;

	snprintf(epath, sizeof(epath), "%s.intoto.jsonl", path);
	edata = slurp(epath, &elen);
	if ((env = json_loadb(edata, elen, JSON_REJECT_DUPLICATES, &jerr)) == NULL ||
	    json_unpack(env, "{s:s, s:s, s:[{s:s}]}", "payloadType", &type, "payload", &p64, "signatures", "sig", &s64) != 0)
		die("%s: not a DSSE envelope", epath);
	if (strcmp(type, PAYLOAD_TYPE) != 0 ||
	    unb64(p64, strlen(p64), payload, sizeof(payload), &plen) != 0 ||
	    unb64(s64, strlen(s64), sig, sizeof(sig), &slen) != 0 || slen != 64)
		die("%s: bad payload or signature encoding", epath);
	n = pae(pbuf, sizeof(pbuf), type, (char *)payload, plen);
	if (with_sig && !ed_verify(pbuf, n, sig))
		die("%s: the envelope's signature does not verify", epath);
	if ((stmt = json_loadb((char *)payload, plen, JSON_REJECT_DUPLICATES, &jerr)) == NULL ||
	    json_unpack(stmt, "{s:[{s:{s:s}}], s:o}", "subject", "digest", "sha256", &want, "predicate", &pred) != 0 ||
	    strcmp(json_string_value(json_object_get(stmt, "predicateType")), PREDICATE_TYPE) != 0)
		die("%s: not a chipaudit Statement", epath);
	sink += json_object_size(pred);
	if (with_report) {
		rdata = slurp(path, &rlen);
		digest(md_sha256, rdata, rlen, dg);
		hex(dg, 32, dhex);
		if (strcmp(dhex, want) != 0)
			die("%s: the report is not the one the Statement names", path);
		free(rdata);
	}
	json_decref(stmt);
	json_decref(env);
	free(edata);
}

static double cpu_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static double wall_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

enum { V_OLD_SIG, V_OLD, V_OLD_CHAIN, V_OLD_JANSSON, V_NEW_STMT, V_NEW, V_NEW_NOSIG, V_PAE_ED, V_SHA256, V_SHA512, V_COUNT };
static const char *vname[V_COUNT] = {
	"old_sig_only", "old_verify", "old_verify_chain", "old_jansson", "new_statement_only", "new_verify",
	"new_parse_only",
	"ed25519_pae_only", "sha256_report", "sha512_report",
};

static int cmd_bench(int argc, char **argv)
{
	int rounds, nfiles;
	double (*cpu)[V_COUNT], (*wall)[V_COUNT];
	char **mem, pbuf[4096];
	size_t *mlen, n;
	unsigned char dg[64], sig[80], payload[3072];
	size_t elen, plen;

	if (argc < 5)
		die("%s", "usage: dssebench bench PUB.pem ROUNDS REPORT...");
	pub = load_key(argv[2], false);
	rounds = atoi(argv[3]);
	nfiles = argc - 4;
	cpu = calloc(rounds, sizeof(*cpu));
	wall = calloc(rounds, sizeof(*wall));
	/* for the component figures: the bytes in memory, no file reading */
	mem = calloc(nfiles, sizeof(*mem));
	mlen = calloc(nfiles, sizeof(*mlen));
	for (int i = 0; i < nfiles; i++)
		mem[i] = slurp(argv[4 + i], &mlen[i]);
	{
		/* one PAE and its signature, for the Ed25519-of-PAE figure */
		char epath[4200], *e;
		json_t *env;
		json_error_t jerr;
		const char *p64, *s64;
		size_t sl;
		snprintf(epath, sizeof(epath), "%s.intoto.jsonl", argv[4]);
		e = slurp(epath, &elen);
		env = json_loadb(e, elen, 0, &jerr);
		if (env == NULL || json_unpack(env, "{s:s, s:[{s:s}]}", "payload", &p64, "signatures", "sig", &s64) != 0 ||
		    unb64(p64, strlen(p64), payload, sizeof(payload), &plen) != 0 || unb64(s64, strlen(s64), sig, sizeof(sig), &sl) != 0 || sl != 64)
			die("%s: bad envelope", epath);
		n = pae(pbuf, sizeof(pbuf), PAYLOAD_TYPE, (char *)payload, plen);
		printf("statement %zu bytes, PAE %zu bytes, envelope file %zu bytes\n", plen, n, elen);
		json_decref(env);
		free(e);
	}
	for (int r = 0; r < rounds; r++) {
		for (int v = 0; v < V_COUNT; v++) {
			double c0 = cpu_us(), w0 = wall_us();
			for (int i = 0; i < nfiles; i++) {
				const char *p = argv[4 + i];
				switch (v) {
				case V_OLD_SIG: old_way(p, false, false); break;
				case V_OLD: old_way(p, true, false); break;
				case V_OLD_CHAIN: old_way(p, true, true); break;
				case V_OLD_JANSSON: old_jansson(p); break;
				case V_NEW_STMT: new_way(p, false, true); break;
				case V_NEW: new_way(p, true, true); break;
				case V_NEW_NOSIG: new_way(p, false, false); break;
				case V_PAE_ED:
					if (!ed_verify(pbuf, n, sig))
						die("%s", "PAE signature");
					break;
				case V_SHA256: digest(md_sha256, mem[i], mlen[i], dg); sink += dg[0]; break;
				case V_SHA512: digest(md_sha512, mem[i], mlen[i], dg); sink += dg[0]; break;
				}
			}
			cpu[r][v] = (cpu_us() - c0) / nfiles;
			wall[r][v] = (wall_us() - w0) / nfiles;
		}
	}
	printf("%-20s %12s %12s %12s\n", "variant", "cpu_us_med", "cpu_us_min", "wall_us_med");
	for (int v = 0; v < V_COUNT; v++) {
		double c[rounds], w[rounds];
		for (int r = 0; r < rounds; r++)
			c[r] = cpu[r][v], w[r] = wall[r][v];
		qsort(c, rounds, sizeof(double), cmp_double);
		qsort(w, rounds, sizeof(double), cmp_double);
		printf("%-20s %12.2f %12.2f %12.2f\n", vname[v], rounds % 2 ? c[rounds / 2] : (c[rounds / 2 - 1] + c[rounds / 2]) / 2,
		       c[0], rounds % 2 ? w[rounds / 2] : (w[rounds / 2 - 1] + w[rounds / 2]) / 2);
	}
	return 0;
}

int main(int argc, char **argv)
{
	md_sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);
	md_sha512 = EVP_MD_fetch(NULL, "SHA512", NULL);
	mdctx = EVP_MD_CTX_new();
	vctx = EVP_MD_CTX_new();
	if (argc > 1 && strcmp(argv[1], "sign") == 0)
		return cmd_sign(argc, argv);
	if (argc > 1 && strcmp(argv[1], "bench") == 0)
		return cmd_bench(argc, argv);
	die("%s", "usage: dssebench sign KEY.pem REPORT [ENVELOPE] | bench PUB.pem ROUNDS REPORT...");
	return 1;
}
