/* Checks and findings.
 *
 * A check has a stable dotted id, a category, a severity and an evaluate
 * function that reads facts only (never the machine) and adds findings.
 * Each check family (src/checks/<family>.c) exports a table of checks. */
#ifndef CHIPAUDIT_CHECK_H
#define CHIPAUDIT_CHECK_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

/* The verdict's exit status, recorded in a report (summary.exit_code) and
 * the status of the commands that judge: pass and skip 0, warn 1, error and
 * fail 2. Failures of the tool itself are core/error.h's. */
enum { EXIT_PASS = 0, EXIT_WARN = 1, EXIT_FAIL = 2 };

enum status { STATUS_PASS, STATUS_SKIP, STATUS_WARN, STATUS_ERROR, STATUS_FAIL, STATUS_COUNT };
enum severity { SEVERITY_INFO, SEVERITY_LOW, SEVERITY_MEDIUM, SEVERITY_HIGH, SEVERITY_CRITICAL };

/* What a check needs to say anything useful; shown in the catalogue. */
enum { NEEDS_ROOT = 1u << 0, NEEDS_GPU = 1u << 1, NEEDS_VENDOR_LIBRARY = 1u << 2 };

struct accdb;
struct findings;
struct judge_ctx;

struct check {
	const char *id;        /* "backdoor.iommu.passthrough": public, never renamed */
	const char *category;  /* identity, capability, export, backdoor, killswitch, spyware, host */
	const char *title;
	enum severity severity;
	const char *looks_at;  /* the facts it reads, for the catalogue */
	unsigned needs;
	void (*evaluate)(const struct check *check, const struct judge_ctx *ctx, struct findings *out);
};

struct check_family {
	const char *name;
	const struct check *checks;
	size_t count;
};

/* Options that shape judgement. */
struct rim_set;

struct judge_options {
	/* --rim FILE|DIR: NVIDIA's RIMs, the golden values of GPU attestation
	 * (checks/attestation_rim.h); NULL when none given */
	struct rim_set *rims;
	/* --manifest FILE: validated golden manifests, an array of
	 * {"origin": FILE, "manifest": document} (checks/trustdb.h) */
	json_t *manifests;
	struct spyware_policy *spyware_policy;   /* --policy FILE (src/checks/spyware_policy.h) */
	const char *expect_mig_path; /* --expect-mig FILE: the MIG layout the site expects */
	json_t *expect_mig;          /* that file, validated; NULL: MIG expected off */
	/* The facts the drift checks compare with: the previous report of this
	 * host (from history, or --baseline FILE), and the host's first report
	 * (history, or --reference FILE) against which slow drift shows. NULL
	 * when there is none. Owned; freed by shared_options_free. */
	json_t *baseline;
	char *baseline_name;
	json_t *reference;
	char *reference_name;
	double drift_margin;   /* throughput loss tolerated, a fraction; 0: DRIFT_DEFAULT_MARGIN */
};

struct judge_memo;

struct judge_ctx {
	const json_t *facts;
	const struct accdb *accdb;
	const struct judge_options *options;
	struct judge_memo *memo;   /* set by judge_run */
};

/* What one judgement computes once and more than one check reads (each
 * GPU's verified attestation: five ECDSA verifications and its RIMs), kept
 * under KEY (the address of a static object of the file that computes it) until
 * judge_run returns, then released with RELEASE. */
void *judge_memo_get(const struct judge_ctx *ctx, const void *key);
void judge_memo_put(const struct judge_ctx *ctx, const void *key, void *value, void (*release)(void *));

struct finding {
	const struct check *check;
	enum status status;
	char *subject;       /* "host" or a PCI address */
	json_t *evidence;    /* object: the fact values used */
	char *message;
	char *remediation;   /* may be NULL */
};

struct findings {
	struct finding *items;
	size_t count, cap;
};

/* Add a finding. EVIDENCE is stolen (NULL means an empty object). */
void finding_add(struct findings *out, const struct check *check, enum status status,
		 const char *subject, json_t *evidence, const char *remediation,
		 const char *fmt, ...) __attribute__((format(printf, 7, 8)));
void findings_free(struct findings *f);
/* A remediation template with "%s" wherever the subject's address goes;
 * the caller frees it. */
char *remedy_at(const char *tmpl, const char *addr);

const char *status_name(enum status s);
const char *severity_name(enum severity s);
int status_from_name(const char *name, enum status *out);

/* The registry of every check family (src/checks/registry.c). */
extern const struct check_family *const check_families[];
extern const size_t check_family_count;

const struct check *check_find(const char *id);

/* Run every check on FACTS in catalogue order. */
void judge_run(const struct judge_ctx *ctx, struct findings *out);

/* Worst status among findings and the exit code it maps to (0, 1, 2). */
enum status findings_worst(const struct findings *f);
int exit_code_for(enum status worst);

#endif
