/* The workload fit: see fit.h; the formulas and their sources are in
 * docs/justify.md, worked by hand for an 8-H20 server. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/accdb.h"
#include "justify/fit.h"

const char *const fit_limit_names[FIT_LIMIT_COUNT] = {
	"memory capacity", "memory bandwidth", "dense compute", "interconnect",
};
const char *const fit_limit_keys[FIT_LIMIT_COUNT] = { "memory", "bandwidth", "compute", "interconnect" };

/* Mixed-precision Adam keeps, per parameter, an fp32 master copy and two
 * fp32 moments besides the weights and gradients at the training
 * precision: 2 x b + 12 bytes (16 at bf16; Rajbhandari et al., ZeRO,
 * arXiv:1910.02054, section 3.1). */
#define ADAM_STATE_BYTES 12.0

static void known(struct fit_count *c, double need, double per_unit)
{
	c->state = FIT_KNOWN;
	c->need = need;
	c->per_unit = per_unit;
	c->units = ceil(need / per_unit);
	if (c->units < 1)
		c->units = 1;
	c->reason[0] = '\0';
}

static void unknown(struct fit_count *c, double need, const char *reason)
{
	c->state = FIT_UNKNOWN;
	c->units = NAN;
	c->need = need;
	c->per_unit = NAN;
	snprintf(c->reason, sizeof(c->reason), "%s", reason);
}

static void not_a_limit(struct fit_count *c, const char *reason)
{
	c->state = FIT_NOT_A_LIMIT;
	c->units = c->need = c->per_unit = NAN;
	snprintf(c->reason, sizeof(c->reason), "%s", reason);
}

static bool have(double x)
{
	return !isnan(x) && x > 0;
}

double fit_kv_bytes_per_token(const struct workload *w)
{
	/* a key and a value vector per layer and KV head */
	return 2 * w->layers * w->kv_heads * w->head_dim * precision_bytes(w->precision);
}

static void memory_need(const struct workload *w, struct fit_result *r)
{
	double b = precision_bytes(w->precision);

	r->weights_bytes = w->parameters * b;
	if (w->kind == WORKLOAD_TRAINING) {
		r->state_bytes = w->parameters * (b + ADAM_STATE_BYTES);
		r->kv_bytes = 0;
		r->flop_per_token = 6 * w->parameters;
	} else {
		r->state_bytes = 0;
		r->kv_bytes = w->batch * w->context_tokens * fit_kv_bytes_per_token(w);
		r->flop_per_token = 2 * w->parameters;
	}
	r->memory_bytes = r->weights_bytes + r->state_bytes + r->kv_bytes;
}

static void count_memory(const struct workload *w, const struct fit_unit *u, struct fit_result *r)
{
	struct fit_count *c = &r->counts[FIT_MEMORY];
	double usable = u->memory_gb * 1e9 * (1 - w->memory_reserve);

	if (isnan(r->kv_bytes))
		unknown(c, NAN, "KV cache size unknown: the workload gives no layers, kv_heads and head_dim");
	else if (!have(u->memory_gb))
		unknown(c, r->memory_bytes, "memory capacity unknown");
	else
		known(c, r->memory_bytes, usable);
}

static void count_bandwidth(const struct workload *w, const struct fit_unit *u, struct fit_result *r)
{
	struct fit_count *c = &r->counts[FIT_BANDWIDTH];
	/* Each decoding step streams the weights and the batch's cache once and
	 * yields one token per sequence of the batch. */
	double need = w->target_tokens_per_s * r->memory_bytes / w->batch;

	if (w->kind == WORKLOAD_TRAINING)
		not_a_limit(c, "not modelled for training (large batches make it compute-bound)");
	else if (isnan(w->target_tokens_per_s))
		not_a_limit(c, "no throughput target");
	else if (isnan(r->kv_bytes))
		unknown(c, NAN, "KV cache size unknown: the workload gives no layers, kv_heads and head_dim");
	else if (!have(u->memory_bandwidth_gbs))
		unknown(c, need, "memory bandwidth unknown");
	else
		known(c, need, u->memory_bandwidth_gbs * 1e9);
}

static void count_compute(const struct workload *w, const struct fit_unit *u, struct fit_result *r)
{
	struct fit_count *c = &r->counts[FIT_COMPUTE];
	double need = w->target_tokens_per_s * r->flop_per_token;
	char why[96];

	if (isnan(w->target_tokens_per_s)) {
		not_a_limit(c, "no throughput target");
	} else if (!have(u->dense_tops)) {
		snprintf(why, sizeof(why), "dense %s throughput unknown", precision_names[w->precision]);
		unknown(c, need, why);
	} else {
		known(c, need, u->dense_tops * 1e12);
	}
}

/* Tensor parallelism over the m units of a replica: two all-reduces of the
 * hidden state per layer and token (Megatron-LM, arXiv:1909.08053), each a
 * ring moving 2(m-1)/m of it through every unit in each direction. The
 * replicas share the target, so n units in all carry
 * target x 4 x layers x hidden x b x (m-1) / n each per direction. */
static void count_interconnect(const struct workload *w, const struct fit_unit *u, struct fit_result *r)
{
	struct fit_count *c = &r->counts[FIT_INTERCONNECT];
	double m = r->replica_units, per_token, need;

	if (w->kind == WORKLOAD_TRAINING) {
		not_a_limit(c, "not modelled for training (the gradient exchange depends on the parallelism chosen)");
		return;
	}
	if (isnan(w->target_tokens_per_s)) {
		not_a_limit(c, "no throughput target");
		return;
	}
	if (!isnan(m) && m <= 1) {
		not_a_limit(c, "one unit holds the model: no exchange between units");
		return;
	}
	if (isnan(w->layers) || isnan(w->hidden_size)) {
		unknown(c, NAN, "the workload gives no layers and hidden_size");
		return;
	}
	per_token = 4 * w->layers * w->hidden_size * precision_bytes(w->precision);
	need = isnan(m) ? NAN : w->target_tokens_per_s * per_token * (m - 1);
	if (isnan(m))
		unknown(c, NAN, "units per replica unknown (memory count unknown)");
	else if (!have(u->interconnect_bandwidth_gbs))
		unknown(c, need, "interconnect bandwidth unknown");
	else
		known(c, need, u->interconnect_bandwidth_gbs / 2 * 1e9);
}

static void total(struct fit_result *r)
{
	double most = 0;
	bool all_known = true;

	r->limit = -1;
	for (int i = 0; i < FIT_LIMIT_COUNT; i++) {
		const struct fit_count *c = &r->counts[i];
		if (c->state == FIT_UNKNOWN)
			all_known = false;
		if (c->state == FIT_KNOWN && c->units > most) {
			most = c->units;
			r->limit = i;
		}
	}
	/* Whole replicas: a copy of the model is never split across a remainder. */
	if (!isnan(r->replica_units) && most > 0)
		most = ceil(most / r->replica_units) * r->replica_units;
	r->units_at_least = most > 0 ? most : NAN;
	r->units = all_known ? most : NAN;
	if (!all_known)
		r->limit = -1;
}

void fit_workload(const struct workload *w, const struct fit_unit *u, struct fit_result *r)
{
	memset(r, 0, sizeof(*r));
	memory_need(w, r);
	count_memory(w, u, r);
	r->replica_units = r->counts[FIT_MEMORY].state == FIT_KNOWN ? r->counts[FIT_MEMORY].units : NAN;
	count_bandwidth(w, u, r);
	count_compute(w, u, r);
	count_interconnect(w, u, r);
	total(r);
	r->power_w = have(u->tdp_w) ? r->units * u->tdp_w : NAN;
}
