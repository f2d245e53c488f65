/* The one hash table: open addressing with linear probing over 64-bit
 * hashes, each slot a hash and a caller's value (an index + 1, or a
 * pointer; 0 is empty). The caller owns the items and says how to compare
 * them, so one table serves paths, JSON keys and file identities.
 *
 * Keys often come from the audited machine or a received report: the hash
 * is keyed with a per-process random seed, so that nobody can choose keys
 * that all land in one chain and make a lookup linear. */
#ifndef CHIPAUDIT_HASHTAB_H
#define CHIPAUDIT_HASHTAB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct hashtab_slot {
	uint64_t hash;
	uintptr_t value;   /* 0: empty */
};

struct hashtab {
	struct hashtab_slot *slots;
	size_t cap;        /* a power of two, or 0 */
	size_t used;
};

/* The seeded hash of LEN bytes, mixed with EXTRA (say, which object a key
 * belongs to). */
uint64_t hashtab_hash(const void *bytes, size_t len, uint64_t extra);

/* The value whose hash is HASH and for which SAME(value, key, ctx) holds,
 * or 0. */
typedef bool hashtab_same_fn(uintptr_t value, const void *key, const void *ctx);
uintptr_t hashtab_find(const struct hashtab *t, uint64_t hash, hashtab_same_fn *same, const void *key,
		       const void *ctx);

/* Add VALUE (not 0) under HASH, whether or not an equal one is there (find
 * first). 0, or -1 when memory ran out (the table is unchanged). */
int hashtab_add(struct hashtab *t, uint64_t hash, uintptr_t value);

void hashtab_free(struct hashtab *t);

#endif
