/* The workload fit (docs/justify.md): how many units of an accelerator a
 * workload needs, and which resource sets that count.
 *
 * A roofline-style bound. Four counts are worked out independently, each
 * from one figure of the unit and the workload:
 *   memory capacity  the weights and cache (inference) or the weights,
 *                    gradients and optimizer state (training) must fit: this
 *                    count is one copy of the model, a replica
 *   memory bandwidth each decoding step reads the weights and the cache once
 *   dense compute    2 x parameters FLOP per token served, 6 x per token trained
 *   interconnect     the tensor-parallel all-reduces of each token between
 *                    the units of a replica
 * and the units needed are the largest, rounded up to whole replicas. Every
 * figure is a peak, so every count is a lower bound. A figure the database
 * lacks makes its count unknown, and an unknown count makes the total
 * unknown: the known counts then give only "at least".
 *
 * Pure: no I/O, no allocation. */
#ifndef CHIPAUDIT_JUSTIFY_FIT_H
#define CHIPAUDIT_JUSTIFY_FIT_H

#include <stdbool.h>

#include "parse/workload.h"

enum fit_limit { FIT_MEMORY, FIT_BANDWIDTH, FIT_COMPUTE, FIT_INTERCONNECT, FIT_LIMIT_COUNT };
extern const char *const fit_limit_names[FIT_LIMIT_COUNT];   /* "memory capacity", ... */
extern const char *const fit_limit_keys[FIT_LIMIT_COUNT];    /* "memory", "bandwidth", ... */

/* One unit's figures; NAN when unknown. */
struct fit_unit {
	double memory_gb;                  /* 10^9 bytes */
	double memory_bandwidth_gbs;
	double interconnect_bandwidth_gbs; /* aggregate, both directions (data/accelerators.json) */
	double dense_tops;                 /* at the workload's precision, 10^12 per second */
	double tdp_w;
};

enum fit_state {
	FIT_KNOWN,      /* count holds the units this resource needs */
	FIT_UNKNOWN,    /* a figure is missing: reason says which */
	FIT_NOT_A_LIMIT /* does not apply to this workload: reason says why */
};

struct fit_count {
	enum fit_state state;
	double units;
	double need;          /* what the workload asks of this resource (bytes, bytes/s, FLOP/s) */
	double per_unit;      /* what one unit gives (same unit as need) */
	char reason[160];
};

struct fit_result {
	double weights_bytes;   /* parameters x bytes per value */
	double state_bytes;     /* training: gradients and optimizer state; 0 for inference */
	double kv_bytes;        /* inference: KV cache of the batch; NAN when the shape is not given */
	double memory_bytes;    /* all of it: what one replica holds */
	double flop_per_token;
	struct fit_count counts[FIT_LIMIT_COUNT];
	double replica_units;   /* the memory count; NAN when unknown */
	double units;           /* units needed; NAN when a count is unknown */
	double units_at_least;  /* the largest known count (whole replicas when known); NAN when none is */
	int limit;              /* enum fit_limit that sets units; -1 when unknown */
	double power_w;         /* units x TDP; NAN when either is unknown */
};

/* Size W on unit U. */
void fit_workload(const struct workload *w, const struct fit_unit *u, struct fit_result *r);

/* Bytes of KV cache per token of context (a key and a value per layer and
 * KV head); NAN when the workload does not give its shape. */
double fit_kv_bytes_per_token(const struct workload *w);

#endif
