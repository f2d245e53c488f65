/* Reference data for the integrity checks: vendor security bulletins
 * (data/bulletins.json) and golden manifests (data/manifests/NAME.json plus
 * any given with --manifest FILE). Formats: docs/backdoor.md. Every
 * document is validated strictly before use; errors name the file and the
 * member. */
#ifndef CHIPAUDIT_TRUSTDB_H
#define CHIPAUDIT_TRUSTDB_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BULLETINS_SCHEMA "chipaudit-bulletins/1"
#define MANIFEST_SCHEMA "chipaudit-manifest/1"

struct trustdb {
	json_t *bulletins;   /* the validated bulletins document */
	json_t *manifests;   /* array of {"origin": name, "manifest": document} */
};

/* Validate documents; err = "where: problem" (the caller adds the file). */
int bulletins_validate(const json_t *doc, char *err, size_t errlen);
int manifest_validate(const json_t *doc, char *err, size_t errlen);

/* Load data/bulletins.json and the shipped manifests (embedded, or from
 * --data-dir DIR/manifests/). err = "FILE: problem". */
int trustdb_load(struct trustdb *db, char *err, size_t errlen);
/* Parse, validate and add a manifest file. *error: CA_ERR_NOINPUT when it
 * cannot be read, CA_ERR_DATA when malformed. */
int trustdb_add_manifest_file(struct trustdb *db, const char *path, char *err, size_t errlen, int *error);
/* Add a validated manifest (steals DOC). */
void trustdb_add_manifest(struct trustdb *db, const char *origin, json_t *doc);
void trustdb_free(struct trustdb *db);

enum manifest_verdict { MANIFEST_UNLISTED, MANIFEST_MATCH, MANIFEST_MISMATCH };
/* Look PATH up in the manifests that apply to DRIVER at VERSION (a
 * manifest whose version is null applies to every version; one with a
 * version, only when VERSION is that one). MATCH when an entry for PATH has
 * this sha256 (and size, when the entry gives one); MISMATCH when entries
 * exist and none matches; *expected gets the entry (its manifest in
 * *origin) for the evidence. */
enum manifest_verdict trustdb_manifest_lookup(const struct trustdb *db, const char *driver, const char *version,
					      const char *path, const char *sha256, uint64_t size,
					      const json_t **expected, const char **origin);
/* Does manifest document MAN apply to DRIVER at VERSION? */
bool trustdb_manifest_applies(const json_t *man, const char *driver, const char *version);

#endif
