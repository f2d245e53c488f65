/* A validating JSON scanner that builds no tree.
 *
 * `chipaudit verify` checks many signed reports: each needs only a handful of
 * its top-level members (key fingerprint, nonce, sequence, previous hash).
 * Building a jansson tree of a 30 KiB report costs about four times the
 * Ed25519 verification itself (docs/evidence.md has the figures), so verify
 * scans instead: the whole text is validated against RFC 8259 (grammar,
 * UTF-8, escapes, nesting depth) as jansson validates it, and the byte spans
 * of the wanted top-level members are returned for jansson to parse alone.
 *
 * It accepts exactly what json_parse_strict accepts as an object (every
 * other command reads reports with it), so that no report verifies that
 * another reader could read two ways: a duplicate key at any depth, an
 * integer beyond 64 bits or a real beyond a double are refused as jansson
 * refuses them (tests/fuzz/fuzz_jscan.c holds the two to this). */
#ifndef CHIPAUDIT_JSCAN_H
#define CHIPAUDIT_JSCAN_H

#include <stddef.h>

#include <jansson.h>

/* Deepest nesting accepted: jansson's JSON_PARSER_MAX_DEPTH. */
#define JSCAN_MAX_DEPTH 2048

struct jscan_member {
	const char *key;      /* in: the member's name (plain ASCII, no escapes) */
	const char *value;    /* out: first byte of its value, NULL when absent */
	size_t len;           /* out: length of the value text */
};

/* Validate BUF (LEN bytes) as one JSON text whose top level is an object, and
 * locate the top-level members named in WANT. Returns 0, or -1 with
 * err = "LINE:COL: problem". */
int jscan_object(const char *buf, size_t len, struct jscan_member *want, size_t nwant,
		 char *err, size_t errlen);

/* The value of a member jscan_object located (TEXT, LEN: its span), as
 * json_loadb(JSON_DECODE_ANY | JSON_REJECT_DUPLICATES) reads it. The forms a
 * report's evidence members take (null, an integer of up to 18 digits, a
 * string without escapes) are made directly, from text the scanner has
 * validated: seven json_loadb calls cost a small report a twentieth of its
 * verification. Anything else is jansson's to read. */
json_t *jscan_value(const char *text, size_t len, json_error_t *err);

#endif
