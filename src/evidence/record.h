/* What an audit does with its judged report (src/evidence/record.c). */
#ifndef CHIPAUDIT_EVIDENCE_RECORD_H
#define CHIPAUDIT_EVIDENCE_RECORD_H

#include <jansson.h>
#include <stddef.h>

#include <stdbool.h>

struct accdb;
struct judge_options;

/* What --sign writes beside the report FILE (--sign-format): FILE.sig, the
 * Ed25519 signature of its exact bytes; FILE.intoto.jsonl, a DSSE envelope
 * of an in-toto Statement naming FILE's SHA-256 (evidence/dsse.h); or both,
 * this release's default. */
enum sign_format {
	SIGN_FORMAT_UNSET,  /* not given: both */
	SIGN_FORMAT_WHOLE,
	SIGN_FORMAT_STATEMENT,
	SIGN_FORMAT_BOTH,
};

/* What audit does with its report besides judging it: --sign, --sign-format,
 * --nonce, --state, --no-history (src/cmd/audit.c's rows). */
struct record_options {
	bool sign, no_history;
	enum sign_format sign_format;
	const char *nonce, *state;
};

/* The --sign-format row's setter: whole, statement or both into an enum
 * sign_format. 0, or CA_ERR_USAGE with a one-line message in ERR. */
int evidence_option_sign_format(const char *arg, void *target, char *err, size_t errlen);

/* An audit's report, made of FACTS: its place in the host's chain, the
 * drift baseline from history, the report judged once with it (into
 * *report), the evidence members, the signature, the files and the
 * history. *output is set to NULL once the report file has been written.
 * 0 or an error kind (core/error.h), with a one-line error printed; on an
 * error *report may be NULL. */
int evidence_record_audit(json_t **report, const json_t *facts, const struct accdb *db,
			  const struct record_options *keep, struct judge_options *opts, const char **output);
/* --baseline, --reference and --drift-margin: option-row setters on a struct
 * judge_options (src/cmd/options.h's opt_setter): 0, or -1 with a one-line
 * message in ERR. */
int evidence_option_baseline(const char *arg, void *target, char *err, size_t errlen);
int evidence_option_reference(const char *arg, void *target, char *err, size_t errlen);
int evidence_option_drift_margin(const char *arg, void *target, char *err, size_t errlen);
void evidence_options_free(struct judge_options *opts);

#endif
