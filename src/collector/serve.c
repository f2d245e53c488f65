/* chipaudit-collector serve: the collector's HTTPS server (libmicrohttpd,
 * TLS by GnuTLS).
 *
 *   POST /v1/reports       a report's exact bytes; X-Chipaudit-Signature:
 *                          base64 Ed25519 signature. 201 stored, 4xx refused.
 *   GET  /v1/nonce         a fresh nonce for `audit --nonce`.
 *   GET  /v1/query/NAME    the queries of `chipaudit-collector query`, with
 *                          the operator's token (Authorization: Bearer), and
 *                          the dashboard's (query_pages.c).
 *   GET  /                 the dashboard's page and assets (dashboard.c).
 *   GET  /metrics          Prometheus text format, with the same token.
 *
 * Every answer is one line of JSON, {"status": .., "reason": ..}, and every
 * request one line of log on stderr. A thread per connection, at most
 * --max-connections of them, each idle for at most --timeout seconds; the
 * database connections are a pool shared by them. docs/collector-protocol.md
 * has the protocol. */
#include <arpa/inet.h>
#include <errno.h>
#include <jansson.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd/exit.h"
#include "cmd/options.h"
#include "collector/commands.h"
#include "collector/dashboard.h"
#include "collector/db.h"
#include "collector/duration.h"
#include "collector/ingest_core.h"
#include "collector/metrics.h"
#include "collector/query.h"
#include "collector/query_pages.h"
#include "core/fileio.h"
#include "core/util.h"

#define TOKEN_MIN 16
#define PEM_MAX (1u << 20)
/* A body larger than the limit is read and dropped up to this size, so that
 * the client reads the 413; beyond it the connection is closed. */
#define DISCARD_MAX ((uint64_t)64 << 20)

struct serve_options {
	const char *listen, *cert, *key, *db, *token_file, *enroll;
	uint64_t max_body, timeout, max_connections, per_ip, db_connections, silent_after;
};

static int set_count(const char *value, void *target, char *err, size_t errlen)
{
	uint64_t n;

	if (parse_u64(value, 10, &n) != 0 || n == 0 || n > (UINT64_C(1) << 32)) {
		snprintf(err, errlen, "serve: expected a whole number from 1 to 2^32, not '%s'", value);
		return EXIT_USAGE;
	}
	*(uint64_t *)target = n;
	return 0;
}

static int set_duration(const char *value, void *target, char *err, size_t errlen)
{
	if (parse_duration(value, (uint64_t *)target) != 0) {
		snprintf(err, errlen, "serve: expected a duration such as 90m, 36h, 2d or 1w, not '%s'", value);
		return EXIT_USAGE;
	}
	return 0;
}

#define COUNT_ROW(LONG, ARG, HELP, FIELD) \
	{ .long_name = (LONG), .arg = OPT_ARG_REQUIRED, .arg_name = (ARG), .help = (HELP), .set = set_count, \
	  .offset = offsetof(struct serve_options, FIELD) }

static const struct opt_row serve_rows[] = {
	OPT_STRING("listen", 0, "ADDR:PORT", "listen there (default 127.0.0.1:8443; [::1]:8443 for IPv6; port 0: any, "
		   "printed)", struct serve_options, listen),
	OPT_STRING("cert", 0, "FILE", "the server's certificate chain (PEM)", struct serve_options, cert),
	OPT_STRING("key", 0, "FILE", "its private key (PEM)", struct serve_options, key),
	OPT_STRING("db", 0, "CONNINFO", "the collector's database (libpq connection string; $CHIPAUDIT_DB)",
		   struct serve_options, db),
	OPT_STRING("token-file", 0, "FILE", "the operator's token (one line, at least 16 characters): the queries "
		   "need it; without it they are refused", struct serve_options, token_file),
	OPT_STRING("enroll", 0, "MODE", "operator (default): only keys enrolled with `enroll`; first-use: also a "
		   "host never seen before, with the key its first report comes with", struct serve_options, enroll),
	COUNT_ROW("max-body", "BYTES", "refuse reports larger than BYTES (default 8 MiB) with 413", max_body),
	COUNT_ROW("timeout", "SECONDS", "close a connection idle for SECONDS (default 30)", timeout),
	COUNT_ROW("max-connections", "N", "serve at most N connections at once (default 256)", max_connections),
	COUNT_ROW("max-connections-per-ip", "N", "and at most N from one address (default: no limit)", per_ip),
	COUNT_ROW("db-connections", "N", "database connections (default 8)", db_connections),
	{ .long_name = "silent-grace", .arg = OPT_ARG_REQUIRED, .arg_name = "DURATION",
	  .help = "/metrics counts a host silent after its schedule plus DURATION with no report (default 4h, as "
		  "sweep)", .set = set_duration, .offset = offsetof(struct serve_options, silent_after) },
	OPT_END,
};
static const struct opt_table serve_table = { NULL, serve_rows };

static const struct cmd_spec serve_spec = {
	.name = "serve",
	.synopsis = "usage: chipaudit-collector serve --cert FILE --key FILE [--listen ADDR:PORT] [--db CONNINFO]\n"
		    "                                 [--token-file FILE] [--enroll=operator|first-use] [--max-body BYTES]\n"
		    "                                 [--timeout SECONDS] [--max-connections N] [--max-connections-per-ip N]\n"
		    "                                 [--db-connections N] [--silent-grace DURATION]\n",
	.about = "  Serve the collector over HTTPS: verify each pushed report (signature by an\n"
		 "  enrolled key, chain, nonce) and store it, or refuse it and record an incident;\n"
		 "  answer the operator's queries. Stops on SIGTERM or SIGINT.\n",
	.trailer = "Exit: 0 stopped by a signal; 64 usage; 66 a certificate, key or token file\n"
		   "unreadable; 69 the database could not be reached; 71 the address cannot be served.\n",
	.tables = { &serve_table },
};

/* --- the database connections */

struct pool {
	pthread_mutex_t lock;
	pthread_cond_t freed;
	PGconn **idle;
	int nidle, open, max;
	const char *conninfo;
};

static PGconn *pool_take(struct pool *p)
{
	PGconn *c = NULL;

	pthread_mutex_lock(&p->lock);
	while (p->nidle == 0 && p->open >= p->max)
		pthread_cond_wait(&p->freed, &p->lock);
	if (p->nidle > 0) {
		c = p->idle[--p->nidle];
	} else {
		p->open++;
	}
	pthread_mutex_unlock(&p->lock);
	if (c == NULL) {
		c = PQconnectdb(p->conninfo);
		PQclear(PQexec(c, "SET client_min_messages = warning"));
	}
	return c;
}

/* Give C back; a broken connection is closed, and the next taker opens anew. */
static void pool_give(struct pool *p, PGconn *c)
{
	pthread_mutex_lock(&p->lock);
	if (PQstatus(c) == CONNECTION_OK && PQtransactionStatus(c) == PQTRANS_IDLE) {
		p->idle[p->nidle++] = c;
	} else {
		PQfinish(c);
		p->open--;
	}
	pthread_cond_signal(&p->freed);
	pthread_mutex_unlock(&p->lock);
}

/* --- the server */

struct server {
	struct pool pool;
	size_t max_body;
	enum enrolment enrolment;
	char *token;  /* NULL: queries refused */
	unsigned long long silent_after;
};

/* One request's state between libmicrohttpd's calls. */
struct request {
	char *body;
	size_t len, cap;
	uint64_t too_big;  /* the Content-Length, when more than the collector takes */
	bool reports, answered;
	enum metrics_endpoint endpoint;
};

static void peer_address(struct MHD_Connection *c, char *buf, size_t len)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const struct sockaddr *sa = ci ? ci->client_addr : NULL;

	snprintf(buf, len, "?");
	if (sa && sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, buf, (socklen_t)len);
	else if (sa && sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, buf, (socklen_t)len);
}

/* Answer JSON: {"status": STATUS, "reason": REASON} and the members of
 * EXTRA (taken), on one line. */
static enum MHD_Result answer(struct MHD_Connection *c, struct request *rq, unsigned http, const char *status,
			      const char *reason, json_t *extra)
{
	json_t *body = json_pack("{s:s,s:s}", "status", status, "reason", reason);
	char *text;
	struct MHD_Response *resp;
	enum MHD_Result rc;

	if (extra) {
		json_object_update(body, extra);
		json_decref(extra);
	}
	text = json_dumps(body, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(body);
	text = xrealloc(text, strlen(text) + 2);
	strcat(text, "\n");
	resp = MHD_create_response_from_buffer(strlen(text), text, MHD_RESPMEM_MUST_FREE);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	rc = MHD_queue_response(c, http, resp);
	MHD_destroy_response(resp);
	rq->answered = true;
	metrics_request(rq->endpoint, http);
	return rc;
}

static enum MHD_Result post_report(struct server *s, struct MHD_Connection *c, struct request *rq, const char *peer)
{
	struct ingest_request req = {
		.body = rq->body ? rq->body : "", .len = rq->len, .max_body = s->max_body, .enrolment = s->enrolment,
		.sig_b64 = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Chipaudit-Signature"),
		.pubkey_b64 = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Chipaudit-Public-Key"),
	};
	struct ingest_outcome out;
	struct timespec t0, t1;
	PGconn *conn;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	conn = pool_take(&s->pool);

	if (PQstatus(conn) != CONNECTION_OK) {
		char msg[256];
		refuse(&out.r, 503, NULL, "database unavailable: %s", db_error(conn, NULL, msg, sizeof(msg)));
		out.host_id[0] = '\0';
		out.sequence = 0;
	} else {
		ingest_one(conn, &req, NULL, &out);
	}
	pool_give(&s->pool, conn);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	metrics_ingest((unsigned)out.r.http, (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	if (out.r.http == 201) {
		error_msg("serve: 201 stored: host %s sequence %lld from %s%s%s", out.host_id, (long long)out.sequence, peer,
			  out.r.kind ? "; " : "", out.r.kind ? out.r.reason : "");
		return answer(c, rq, 201, "stored", out.r.kind ? out.r.reason : "",
			      json_pack("{s:s,s:I}", "host_id", out.host_id, "sequence", (json_int_t)out.sequence));
	}
	error_msg("serve: %d %s: host %s sequence %lld from %s: %s", out.r.http, out.r.kind ? out.r.kind : "error",
		  out.host_id[0] ? out.host_id : "-", (long long)out.sequence, peer, out.r.reason);
	return answer(c, rq, (unsigned)out.r.http, out.r.http >= 500 ? "error" : "refused", out.r.reason, NULL);
}

static enum MHD_Result get_nonce(struct server *s, struct MHD_Connection *c, struct request *rq, const char *peer)
{
	unsigned char raw[16];
	char hex[33];
	const char *params[] = { hex };
	PGconn *conn;
	bool ok;

	if (RAND_bytes(raw, sizeof(raw)) != 1)
		return answer(c, rq, 500, "error", "no randomness", NULL);
	hex_encode(raw, sizeof(raw), hex);
	conn = pool_take(&s->pool);
	ok = PQstatus(conn) == CONNECTION_OK &&
	     /* each nonce issued clears up to ten that expired a day ago, so the table stays small */
	     db_exec(conn, "WITH old AS (DELETE FROM nonces WHERE nonce IN (SELECT nonce FROM nonces WHERE issued_at < "
		     "now() - interval '1 day' ORDER BY issued_at LIMIT 10)) INSERT INTO nonces (nonce) VALUES ($1)",
		     1, params, NULL);
	pool_give(&s->pool, conn);
	error_msg("serve: %d nonce for %s", ok ? 200 : 503, peer);
	if (!ok)
		return answer(c, rq, 503, "error", "database unavailable", NULL);
	return answer(c, rq, 200, "issued", "", json_pack("{s:s}", "nonce", hex));
}

/* The operator's token, compared in constant time. */
static bool authorised(const struct server *s, struct MHD_Connection *c)
{
	const char *h = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
	size_t n = s->token ? strlen(s->token) : 0;

	return s->token && h && strncmp(h, "Bearer ", 7) == 0 && strlen(h + 7) == n &&
	       CRYPTO_memcmp(h + 7, s->token, n) == 0;
}

static const char *request_param(void *c, const char *key)
{
	return MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, key);
}

/* GET /v1/query/NAME?check=&id=&for=&since= (and the dashboard's, query_pages.c) */
static enum MHD_Result get_query(struct server *s, struct MHD_Connection *c, struct request *rq, const char *name,
				 const char *peer)
{
	const char *check = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "check");
	const char *id = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "id");
	char *args[1] = { (char *)(check ? check : id) };
	char err[600];
	PGconn *conn;
	json_t *a;
	int rc;

	if (!authorised(s, c)) {
		error_msg("serve: 401 query %s from %s: no operator token", name, peer);
		return answer(c, rq, 401, "refused", s->token ? "the operator's token is needed (Authorization: Bearer)" :
			      "queries are off: the collector was started without --token-file", NULL);
	}
	conn = pool_take(&s->pool);
	if (PQstatus(conn) != CONNECTION_OK) {
		pool_give(&s->pool, conn);
		return answer(c, rq, 503, "error", "database unavailable", NULL);
	}
	a = query_pages_has(name) ? query_pages_answer(conn, name, request_param, c, &rc, err, sizeof(err)) :
	    query_answer(conn, name, args, args[0] ? 1 : 0, MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "for"),
			 MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "since"), &rc, err, sizeof(err));
	pool_give(&s->pool, conn);
	error_msg("serve: %d query %s from %s%s%s", a ? 200 : rc == 1 ? 404 : rc == EXIT_SOFTWARE ? 500 : 400, name, peer,
		  a ? "" : ": ", a ? "" : err);
	if (!a)
		return answer(c, rq, rc == 1 ? 404 : rc == EXIT_SOFTWARE ? 500 : 400, "refused", err, NULL);
	return answer(c, rq, 200, "answered", "", json_pack("{s:o}", "answer", a));
}

/* GET /metrics: the operator's token, as for the queries. */
static enum MHD_Result get_metrics(struct server *s, struct MHD_Connection *c, struct request *rq, const char *peer)
{
	char err[300];
	char *text;
	struct MHD_Response *resp;
	enum MHD_Result rc;
	PGconn *conn;

	if (!authorised(s, c)) {
		error_msg("serve: 401 metrics from %s: no operator token", peer);
		return answer(c, rq, 401, "refused", s->token ? "the operator's token is needed (Authorization: Bearer)" :
			      "metrics are off: the collector was started without --token-file", NULL);
	}
	conn = pool_take(&s->pool);
	text = PQstatus(conn) == CONNECTION_OK ? metrics_render(conn, s->silent_after, err, sizeof(err)) : NULL;
	pool_give(&s->pool, conn);
	if (!text) {
		error_msg("serve: 503 metrics from %s: database unavailable", peer);
		return answer(c, rq, 503, "error", "database unavailable", NULL);
	}
	resp = MHD_create_response_from_buffer(strlen(text), text, MHD_RESPMEM_MUST_FREE);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8");
	rc = MHD_queue_response(c, 200, resp);
	MHD_destroy_response(resp);
	rq->answered = true;
	metrics_request(EP_METRICS, 200);
	return rc;
}

static enum MHD_Result dispatch(struct server *s, struct MHD_Connection *c, struct request *rq, const char *url,
				const char *method)
{
	char peer[INET6_ADDRSTRLEN];
	bool get = strcmp(method, MHD_HTTP_METHOD_GET) == 0, post = strcmp(method, MHD_HTTP_METHOD_POST) == 0;

	peer_address(c, peer, sizeof(peer));
	if (strcmp(url, "/v1/reports") == 0)
		return post ? post_report(s, c, rq, peer) : answer(c, rq, 405, "refused", "POST a report here", NULL);
	if (strcmp(url, "/v1/nonce") == 0)
		return get ? get_nonce(s, c, rq, peer) : answer(c, rq, 405, "refused", "GET a nonce here", NULL);
	if (str_starts_with(url, "/v1/query/") && get)
		return get_query(s, c, rq, url + strlen("/v1/query/"), peer);
	if (strcmp(url, "/metrics") == 0)
		return get ? get_metrics(s, c, rq, peer) : answer(c, rq, 405, "refused", "GET the metrics here", NULL);
	if (dashboard_has(url)) {
		error_msg("serve: %d %s %s from %s", get ? 200 : 405, method, url, peer);
		rq->answered = true;
		return get ? dashboard_serve(c, url) : answer(c, rq, 405, "refused", "GET the dashboard here", NULL);
	}
	error_msg("serve: 404 %s from %s", method, peer);
	return answer(c, rq, 404, "refused", "no such endpoint", NULL);
}

/* A refusal made before a report could be read, recorded as an incident. */
static void record_refusal(struct server *s, int http, const char *reason)
{
	struct refusal why;
	PGconn *conn = pool_take(&s->pool);

	refuse(&why, http, "malformed", "%s", reason);
	if (PQstatus(conn) == CONNECTION_OK)
		ingest_record_refusal(conn, &why);
	pool_give(&s->pool, conn);
}

static enum MHD_Result refuse_too_big(struct server *s, struct MHD_Connection *c, struct request *rq)
{
	char peer[INET6_ADDRSTRLEN], reason[160];

	peer_address(c, peer, sizeof(peer));
	snprintf(reason, sizeof(reason), "the body is %llu bytes, more than the %zu this collector takes",
		 (unsigned long long)rq->too_big, rq->reports ? s->max_body : (size_t)0);
	error_msg("serve: 413 malformed: from %s: %s", peer, reason);
	record_refusal(s, 413, reason);
	return answer(c, rq, 413, "refused", reason, NULL);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url, const char *method,
				  const char *version, const char *upload, size_t *upload_size, void **state)
{
	struct server *s = cls;
	struct request *rq = *state;

	(void)version;
	if (rq == NULL) {
		const char *length = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
		uint64_t n;

		rq = xcalloc(1, sizeof(*rq));
		*state = rq;
		rq->reports = strcmp(url, "/v1/reports") == 0 && strcmp(method, MHD_HTTP_METHOD_POST) == 0;
		rq->endpoint = strcmp(url, "/v1/reports") == 0 ? EP_REPORTS : strcmp(url, "/v1/nonce") == 0 ? EP_NONCE :
			       str_starts_with(url, "/v1/query/") ? EP_QUERY : strcmp(url, "/metrics") == 0 ? EP_METRICS :
			       EP_OTHER;
		/* Too large, said before it is sent: refused without keeping a byte
		 * of it. A client that waits for "100 Continue" gets the refusal
		 * at once; one that sends anyway is read to the end (up to
		 * DISCARD_MAX), so that it reads the refusal instead of a broken
		 * connection. */
		if (length && parse_u64(length, 10, &n) == 0 && n > (rq->reports ? s->max_body : 0)) {
			rq->too_big = n;
			if (MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_EXPECT) || n > DISCARD_MAX)
				return refuse_too_big(s, c, rq);
		}
		return MHD_YES;
	}
	if (*upload_size > 0) {
		if (rq->answered || rq->too_big) {
			*upload_size = 0;  /* discarded */
			return MHD_YES;
		}
		if (!rq->reports || *upload_size > s->max_body - rq->len) {
			char peer[INET6_ADDRSTRLEN];

			/* No length given, and more than the limit: a response cannot be
			 * sent in the middle of a body, so the connection is closed. */
			peer_address(c, peer, sizeof(peer));
			error_msg("serve: closed: from %s: a body larger than %zu bytes, sent without its length", peer,
				  rq->reports ? s->max_body : (size_t)0);
			return MHD_NO;
		}
		if (rq->len + *upload_size > rq->cap) {
			rq->cap = rq->len + *upload_size > 2 * rq->cap ? rq->len + *upload_size : 2 * rq->cap;
			rq->body = xrealloc(rq->body, rq->cap);
		}
		memcpy(rq->body + rq->len, upload, *upload_size);
		rq->len += *upload_size;
		*upload_size = 0;
		return MHD_YES;
	}
	if (rq->answered)
		return MHD_YES;
	if (rq->too_big)
		return refuse_too_big(s, c, rq);
	return dispatch(s, c, rq, url, method);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **state, enum MHD_RequestTerminationCode why)
{
	struct request *rq = *state;

	(void)cls, (void)c, (void)why;
	if (rq) {
		free(rq->body);
		free(rq);
		*state = NULL;
	}
}

/* libmicrohttpd's messages: while the daemon starts, its first one is kept
 * for the one line that says why it did not start; later, each is a line
 * of the log. */
static bool starting;
static char start_failure[512];

static void mhd_log(void *cls, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	char line[512];

	(void)cls;
	vsnprintf(line, sizeof(line), fmt, ap);
	str_rstrip(line);
	if (starting) {
		if (!start_failure[0])
			snprintf(start_failure, sizeof(start_failure), "%s", line);
		return;
	}
	error_msg("serve: %s", line);
}

/* ADDR:PORT, [ADDR6]:PORT. */
static int parse_listen(const char *s, struct sockaddr_storage *ss)
{
	const char *colon = strrchr(s, ':');
	char host[INET6_ADDRSTRLEN + 2];
	uint64_t port;
	size_t hl;

	if (!colon || parse_u64(colon + 1, 10, &port) != 0 || port > 65535 || (hl = (size_t)(colon - s)) >= sizeof(host))
		return -1;
	memcpy(host, s, hl);
	host[hl] = '\0';
	memset(ss, 0, sizeof(*ss));
	if (hl > 2 && host[0] == '[' && host[hl - 1] == ']') {
		struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;
		host[hl - 1] = '\0';
		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons((uint16_t)port);
		return inet_pton(AF_INET6, host + 1, &a6->sin6_addr) == 1 ? 0 : -1;
	}
	struct sockaddr_in *a4 = (struct sockaddr_in *)ss;
	a4->sin_family = AF_INET;
	a4->sin_port = htons((uint16_t)port);
	return inet_pton(AF_INET, host, &a4->sin_addr) == 1 ? 0 : -1;
}

static char *read_text(const char *what, const char *path, size_t max, int *rc)
{
	char err[1024], *data = NULL;
	size_t len;
	int e = read_file_bounded(path, max, &data, &len, err, sizeof(err));

	if (e != 0) {
		error_msg("serve: %s: %s", what, err);
		*rc = exit_status(e);
		return NULL;
	}
	if (strlen(data) != len) {
		error_msg("serve: %s: %s: contains a NUL byte", what, path);
		free(data);
		*rc = EXIT_DATAERR;
		return NULL;
	}
	return data;
}

static int run_server(const struct serve_options *o, struct server *s, const struct sockaddr_storage *addr,
		      const char *cert, const char *key)
{
	struct sockaddr_storage ss = *addr;
	struct MHD_Daemon *d;
	const union MHD_DaemonInfo *info;
	sigset_t stop;
	int sig;

	/* The signals that stop the server are taken by sigwait below, never by
	 * a thread of libmicrohttpd's: they are blocked before it starts any. */
	sigemptyset(&stop);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGINT);
	pthread_sigmask(SIG_BLOCK, &stop, NULL);
	signal(SIGPIPE, SIG_IGN);
	starting = true;
	d = MHD_start_daemon(MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL |
			     MHD_USE_TLS | MHD_USE_ERROR_LOG | (ss.ss_family == AF_INET6 ? MHD_USE_IPv6 : 0),
			     0, NULL, NULL, on_request, s,
			     MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
			     MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
			     MHD_OPTION_HTTPS_MEM_CERT, cert, MHD_OPTION_HTTPS_MEM_KEY, key,
			     MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)(o->timeout ? o->timeout : 30),
			     MHD_OPTION_CONNECTION_LIMIT, (unsigned)(o->max_connections ? o->max_connections : 256),
			     MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)o->per_ip,
			     MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL,
			     MHD_OPTION_END);
	starting = false;
	if (!d) {
		error_msg("serve: cannot serve %s: %s", o->listen ? o->listen : "127.0.0.1:8443",
			  start_failure[0] ? start_failure : "the address is in use or not this machine's");
		return EXIT_OSERR;
	}
	info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	printf("listening on port %u\n", info ? info->port : 0);
	fflush(stdout);
	while (sigwait(&stop, &sig) != 0)
		;
	error_msg("serve: stopping (%s)", sig == SIGTERM ? "SIGTERM" : "SIGINT");
	MHD_stop_daemon(d);
	return 0;
}

static int serve(const struct serve_options *o)
{
	struct server s = { .max_body = o->max_body ? o->max_body : COLLECTOR_DEFAULT_MAX_BODY,
			    .silent_after = o->silent_after ? o->silent_after : 4 * 3600 };
	struct sockaddr_storage addr;
	char *cert = NULL, *key = NULL;
	PGconn *conn;
	int rc = 0;

	if (!o->cert || !o->key)
		return options_usage_error(&serve_spec, "--cert and --key are needed (the collector speaks HTTPS only)");
	if (parse_listen(o->listen ? o->listen : "127.0.0.1:8443", &addr) != 0)
		return options_usage_error(&serve_spec, "--listen: expected ADDR:PORT or [ADDR6]:PORT");
	if (o->enroll && strcmp(o->enroll, "first-use") == 0)
		s.enrolment = ENROL_FIRST_USE;
	else if (o->enroll && strcmp(o->enroll, "operator") != 0)
		return options_usage_error(&serve_spec, "--enroll: expected operator or first-use");
	if (!(cert = read_text("--cert", o->cert, PEM_MAX, &rc)) || !(key = read_text("--key", o->key, PEM_MAX, &rc)) ||
	    (o->token_file && !(s.token = read_text("--token-file", o->token_file, 4096, &rc))))
		goto out;
	if (s.token) {
		s.token[strcspn(s.token, "\r\n")] = '\0';
		if (strlen(s.token) < TOKEN_MIN) {
			error_msg("serve: --token-file: %s: the token is shorter than %d characters", o->token_file, TOKEN_MIN);
			rc = EXIT_DATAERR;
			goto out;
		}
	}
	/* The database must be there, and its schema current, before anything is served. */
	if (!(conn = db_connect("serve", o->db, &rc)))
		goto out;
	ingest_ensure_partitions(conn);
	s.pool.conninfo = o->db ? o->db : getenv("CHIPAUDIT_DB");
	s.pool.max = (int)(o->db_connections ? o->db_connections : 8);
	s.pool.idle = xcalloc((size_t)s.pool.max, sizeof(PGconn *));
	s.pool.idle[s.pool.nidle++] = conn;
	s.pool.open = 1;
	pthread_mutex_init(&s.pool.lock, NULL);
	pthread_cond_init(&s.pool.freed, NULL);
	rc = run_server(o, &s, &addr, cert, key);
	for (int i = 0; i < s.pool.nidle; i++)
		PQfinish(s.pool.idle[i]);
	free(s.pool.idle);
	pthread_mutex_destroy(&s.pool.lock);
	pthread_cond_destroy(&s.pool.freed);
out:
	if (key)
		OPENSSL_cleanse(key, strlen(key));
	free(cert);
	free(key);
	free(s.token);
	return rc;
}

int cmd_serve(int argc, char **argv)
{
	struct serve_options o = { 0 };
	void *const ctx[] = { &o };
	struct operands ops;
	int rc = options_parse(&serve_spec, ctx, argc, argv, &ops);

	if (rc != 0)
		return rc == OPTIONS_HELP ? 0 : rc;
	rc = ops.n > 0 ? options_usage_error(&serve_spec, "takes no operands") : serve(&o);
	options_free(&serve_spec, ctx);
	return rc;
}
