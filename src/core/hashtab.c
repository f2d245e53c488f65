#include "hashtab.h"

#include <pthread.h>
#include <stdlib.h>
#include <sys/random.h>

static uint64_t seed;
static pthread_once_t seed_once = PTHREAD_ONCE_INIT;

static void seed_init(void)
{
	/* A failed getrandom leaves the address of a local, which ASLR makes
	 * differ between runs: weaker, never fatal. */
	if (getrandom(&seed, sizeof(seed), GRND_NONBLOCK) != (ssize_t)sizeof(seed))
		seed = (uint64_t)(uintptr_t)&seed_once * 0x9e3779b97f4a7c15ull;
}

/* FNV-1a over the bytes, started from the seed, with a final mix so that
 * the low bits the table uses depend on every byte. */
uint64_t hashtab_hash(const void *bytes, size_t len, uint64_t extra)
{
	const unsigned char *p = bytes;
	uint64_t h;

	pthread_once(&seed_once, seed_init);
	h = seed ^ (len * 0x9e3779b97f4a7c15ull) ^ (extra * 0xc2b2ae3d27d4eb4full);
	for (size_t i = 0; i < len; i++)
		h = (h ^ p[i]) * 0x100000001b3ull;
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	return h;
}

uintptr_t hashtab_find(const struct hashtab *t, uint64_t hash, hashtab_same_fn *same, const void *key,
		       const void *ctx)
{
	if (t->cap == 0)
		return 0;
	for (size_t i = hash & (t->cap - 1); t->slots[i].value != 0; i = (i + 1) & (t->cap - 1))
		if (t->slots[i].hash == hash && same(t->slots[i].value, key, ctx))
			return t->slots[i].value;
	return 0;
}

static void place(struct hashtab_slot *slots, size_t cap, uint64_t hash, uintptr_t value)
{
	size_t i = hash & (cap - 1);

	while (slots[i].value != 0)
		i = (i + 1) & (cap - 1);
	slots[i] = (struct hashtab_slot){ hash, value };
}

int hashtab_add(struct hashtab *t, uint64_t hash, uintptr_t value)
{
	/* at most half full, so that probe chains stay short */
	if ((t->used + 1) * 2 > t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 64;
		struct hashtab_slot *slots = calloc(cap, sizeof(*slots));
		if (slots == NULL)
			return -1;
		for (size_t i = 0; i < t->cap; i++)
			if (t->slots[i].value != 0)
				place(slots, cap, t->slots[i].hash, t->slots[i].value);
		free(t->slots);
		t->slots = slots;
		t->cap = cap;
	}
	place(t->slots, t->cap, hash, value);
	t->used++;
	return 0;
}

void hashtab_free(struct hashtab *t)
{
	free(t->slots);
	*t = (struct hashtab){ 0 };
}
