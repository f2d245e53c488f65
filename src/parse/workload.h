/* Workload files (docs/justify.md): what `chipaudit justify` sizes the
 * candidates for, as a small JSON document ("chipaudit-workload/1"): an LLM
 * served (inference) or trained, its parameter count, precision, shape,
 * context, batch and the throughput wanted.
 *
 * Pure: bytes in, a validated workload or a one-line error ("NAME: member:
 * problem") out. Every number is finite and inside a stated range, so what
 * the fit model multiplies cannot overflow into a wrong count. */
#ifndef CHIPAUDIT_WORKLOAD_H
#define CHIPAUDIT_WORKLOAD_H

#include <jansson.h>
#include <stddef.h>

#define WORKLOAD_SCHEMA "chipaudit-workload/1"
#define WORKLOAD_MAX_BYTES (64u * 1024)
#define WORKLOAD_NAME_MAX 64
#define WORKLOAD_TEXT_MAX 512

enum workload_kind { WORKLOAD_INFERENCE, WORKLOAD_TRAINING };

/* Optional figures are NAN when the file does not give them. */
struct workload {
	char name[WORKLOAD_NAME_MAX + 1];
	char description[WORKLOAD_TEXT_MAX + 1];
	char source[WORKLOAD_TEXT_MAX + 1];      /* where the model's shape comes from; "" when none */
	enum workload_kind kind;
	double parameters;            /* count, not billions */
	int precision;                /* enum precision (core/accdb.h) */
	double layers, hidden_size, kv_heads, head_dim;  /* optional */
	double context_tokens;        /* tokens held per sequence */
	double batch;                 /* sequences processed together, per model copy */
	double target_tokens_per_s;   /* optional: aggregate tokens per second wanted */
	double max_units;             /* optional: the most units the deployment can take */
	double memory_reserve;        /* fraction of each unit's memory kept free, 0 when not given */
};

/* Parse LEN bytes of BUF, named NAME in errors. 0, or CA_ERR_DATA with err. */
int workload_parse(const char *buf, size_t len, const char *name, struct workload *w, char *err, size_t errlen);
/* The same validation of a document already parsed. */
int workload_from_json(const json_t *doc, const char *name, struct workload *w, char *err, size_t errlen);

/* Bytes per value at a precision (fp64 8 ... int4 and fp4 0.5). */
double precision_bytes(int precision);

#endif
