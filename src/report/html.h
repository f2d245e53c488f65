/* The report as one self-contained HTML page: styles and charts inline, no
 * script, nothing fetched. For a person to read, print and sign off. */
#ifndef CHIPAUDIT_HTML_H
#define CHIPAUDIT_HTML_H

#include <jansson.h>

struct accdb;

/* What is known of a report's signature when the page is made. */
enum signature_state {
	SIGNATURE_NONE,       /* no signature file */
	SIGNATURE_UNCHECKED,  /* a signature file, and no key to check it with */
	SIGNATURE_VALID,      /* valid, by the key given */
	SIGNATURE_INVALID,    /* the signature does not hold for these bytes and key */
};

struct report_signature {
	enum signature_state state;
	const char *file;         /* the signature file, or NULL */
	const char *fingerprint;  /* the key it was checked with, or NULL */
};

/* The page of REPORT (malloc'd). DB, when not NULL, gives the datasheet
 * figures measured throughput is drawn against; SIG, when not NULL, what is
 * known of its signature. Every string of the report is escaped. */
char *report_render_html(const json_t *report, const struct accdb *db, const struct report_signature *sig);

#endif
