/* The purchase justification (docs/justify.md): the accelerators in
 * question (audited, from reports, or declared, a model and a count) beside
 * their alternatives, for one workload, under the export rules of a date and
 * destination. Built as one JSON document; the text and HTML forms are
 * rendered from it (render.c), so they cannot disagree. */
#ifndef CHIPAUDIT_JUSTIFY_H
#define CHIPAUDIT_JUSTIFY_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "core/accdb.h"
#include "export/export.h"
#include "parse/workload.h"

#define JUSTIFY_SCHEMA "chipaudit-justification/1"
#define JUSTIFY_MAX_CANDIDATES 256

struct justify_candidate {
	const struct accel_model *model;
	bool in_question;     /* asked about (--model, --report), not an alternative */
	double count;         /* units held; NAN for an alternative */
	double price;         /* per unit (--price); NAN when not given */
	json_t *measured;     /* [{report, pci_address, dense_tops}] of audited units */
	json_t *audits;       /* [{report, ...trust}] of the reports that hold units */
	bool from_fleet;      /* units counted by a fleet summary */
};

struct justify {
	const struct accdb *db;
	const struct export_data *ex;
	const struct workload *w;
	const char *workload_origin;  /* the preset's name or the file's path */
	char date[11];
	const char *destination;      /* upper-case code, or NULL */
	struct justify_candidate c[JUSTIFY_MAX_CANDIDATES];
	size_t n;
	json_t *notes;                /* strings: what was left out and why */
	json_t *summary;              /* findings counted over the reports read */
	json_t *fleets;               /* [{summary, hosts, ...}] of the fleet summaries read */
	size_t reports;
};

void justify_init(struct justify *j, const struct accdb *db, const struct export_data *ex, const struct workload *w,
		  const char *workload_origin, const char *date, const char *destination);
void justify_free(struct justify *j);

/* The candidate for model M, added when missing; NULL past the limit. An
 * alternative named again as in question becomes in question. */
struct justify_candidate *justify_candidate(struct justify *j, const struct accel_model *m, bool in_question);

/* The accelerators of a report (`chipaudit audit -o`, signed or not) as
 * units in question: counted per model, measured figures kept, the report's
 * trust level and failing checks attached. 0, or an error kind with err
 * ("PATH: problem"). */
int justify_add_report(struct justify *j, const char *path, char *err, size_t errlen);

/* The accelerators of a fleet summary (`chipaudit-collector query summary
 * --json`, src/parse/fleetsummary.h) as units in question, counted per
 * model; its hosts' trust levels and failing checks kept for the document.
 * 0, or an error kind with err ("PATH: problem"). */
int justify_add_fleet_summary(struct justify *j, const char *path, char *err, size_t errlen);

/* Every datacenter model with figures that the rules of the date do not
 * deny to the destination, as alternatives. */
void justify_default_alternatives(struct justify *j);

/* Is model M denied to the destination (licence required, presumption of
 * denial) under the rules of the date? */
bool justify_denied(const struct justify *j, const struct accel_model *m);

/* The document (new reference). TIME is the document's time (ISO 8601),
 * HOSTNAME the host's name or NULL. */
json_t *justify_document(const struct justify *j, const char *time, const char *hostname);

/* The readable forms of a document, as malloc'd text. */
char *justify_render_text(const json_t *doc);
char *justify_render_html(const json_t *doc);

#endif
