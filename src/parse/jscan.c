#include "parse/jscan.h"

#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/hashtab.h"
#include "core/util.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

struct scan {
	const unsigned char *start, *end;
	const unsigned char *at;   /* where the problem is */
	char problem[160];
	size_t escapes;            /* escapes met in strings so far */
};

static int fail(struct scan *s, const unsigned char *at, const char *problem)
{
	s->at = at;
	snprintf(s->problem, sizeof(s->problem), "%s", problem);
	return -1;
}

static bool is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

/* Bytes that need no attention inside a string: printable ASCII but '"' and
 * '\\'. A table: strings are most of a report, and this loop most of the scan. */
#define PLAIN_ROW(a) [a] = 1, [a + 1] = 1, [a + 2] = 1, [a + 3] = 1, [a + 4] = 1, [a + 5] = 1, [a + 6] = 1, [a + 7] = 1
static const unsigned char plain_table[256] = {
	[0x20] = 1, [0x21] = 1, /* 0x22 '"' */ [0x23] = 1, [0x24] = 1, [0x25] = 1, [0x26] = 1, [0x27] = 1,
	PLAIN_ROW(0x28), PLAIN_ROW(0x30), PLAIN_ROW(0x38), PLAIN_ROW(0x40), PLAIN_ROW(0x48), PLAIN_ROW(0x50),
	[0x58] = 1, [0x59] = 1, [0x5a] = 1, [0x5b] = 1, /* 0x5c '\\' */ [0x5d] = 1, [0x5e] = 1, [0x5f] = 1,
	PLAIN_ROW(0x60), PLAIN_ROW(0x68), PLAIN_ROW(0x70), PLAIN_ROW(0x78),
};

static bool plain_byte(unsigned char c)
{
	return plain_table[c];
}

/* Length of the well-formed UTF-8 sequence at p, or 0. */
static size_t utf8_sequence(const unsigned char *p, const unsigned char *end)
{
	uint32_t cp;

	return p[0] < 0x80 ? 1 : utf8_decode(p, (size_t)(end - p), &cp);
}

static int hex4(const unsigned char *p, const unsigned char *end, unsigned *out)
{
	unsigned v = 0;

	if (end - p < 4)
		return -1;
	for (int i = 0; i < 4; i++) {
		unsigned char c = p[i];
		v <<= 4;
		if (is_digit(c))
			v |= (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (unsigned)(c - 'A' + 10);
		else
			return -1;
	}
	*out = v;
	return 0;
}

/* The escape at p (just after the backslash). Stores the code point. */
static int scan_escape(struct scan *s, const unsigned char **pp, unsigned *cp)
{
	const unsigned char *p = *pp;
	static const char simple[] = "\"\\/bfnrt";
	static const unsigned values[] = { '"', '\\', '/', '\b', '\f', '\n', '\r', '\t' };
	unsigned low;

	if (p >= s->end)
		return fail(s, p, "premature end of input in a string");
	if (*p != 'u') {
		const char *at = *p ? strchr(simple, *p) : NULL;
		if (at == NULL)
			return fail(s, p, "invalid escape in a string");
		*cp = values[at - simple];
		*pp = p + 1;
		return 0;
	}
	if (hex4(p + 1, s->end, cp) != 0)
		return fail(s, p, "invalid \\u escape in a string");
	p += 5;
	if (*cp == 0)
		return fail(s, p - 6, "\\u0000 is not allowed");
	if (*cp >= 0xdc00 && *cp <= 0xdfff)
		return fail(s, p - 6, "invalid Unicode escape: lone low surrogate");
	if (*cp >= 0xd800 && *cp <= 0xdbff) {
		if (s->end - p < 6 || p[0] != '\\' || p[1] != 'u' || hex4(p + 2, s->end, &low) != 0 ||
		    low < 0xdc00 || low > 0xdfff)
			return fail(s, p - 6, "invalid Unicode escape: high surrogate without its low half");
		*cp = 0x10000 + ((*cp - 0xd800) << 10) + (low - 0xdc00);
		p += 6;
	}
	*pp = p;
	return 0;
}

/* What follows a plain run inside a string that is not its end: an escape,
 * a control character or a UTF-8 sequence. Past it, or NULL (s->at set).
 * Out of line: reports seldom have any, and the loop that calls it keeps its
 * cursor in a register. */
static __attribute__((noinline)) const unsigned char *scan_string_special(struct scan *s, const unsigned char *p)
{
	unsigned cp;
	size_t n;

	if (*p == '\\') {
		p++;
		s->escapes++;
		if (scan_escape(s, &p, &cp) != 0)
			return NULL;
		return p;
	}
	if (*p < 0x20) {
		fail(s, p, "control character in a string");
		return NULL;
	}
	n = utf8_sequence(p, s->end);
	if (n == 0) {
		fail(s, p, "invalid UTF-8 in a string");
		return NULL;
	}
	return p + n;
}

/* The string whose opening quote is at p: just past its closing quote, or
 * NULL (s->at set). Inlined into its two callers (a key, a value): 41 to
 * 39 us per 80 KB report. */
static inline __attribute__((always_inline)) const unsigned char *scan_string_at(struct scan *s, const unsigned char *p)
{
	const unsigned char *end = s->end;

	p++;
	for (;;) {
#if defined(__SSE2__)
		/* Sixteen bytes a step (SSE2: every x86-64) to the first that
		 * needs attention: '"', '\\', or below ' ' as a signed byte, which
		 * takes control characters and everything from 0x80. Whether it
		 * is the closing quote comes from the quote mask rather than from
		 * loading the byte again: each string's end is a chain of
		 * dependent steps the next token waits for, and this is one less. */
		const __m128i quote = _mm_set1_epi8('"'), backslash = _mm_set1_epi8('\\'), space = _mm_set1_epi8(' ');
		while (end - p >= 16) {
			__m128i v = _mm_loadu_si128((const void *)p), is_quote = _mm_cmpeq_epi8(v, quote);
			unsigned special = (unsigned)_mm_movemask_epi8(_mm_or_si128(
				_mm_or_si128(is_quote, _mm_cmpeq_epi8(v, backslash)), _mm_cmplt_epi8(v, space)));
			if (special) {
				unsigned at = (unsigned)__builtin_ctz(special);
				if (((unsigned)_mm_movemask_epi8(is_quote) >> at) & 1)
					return p + at + 1;
				p += at;
				goto special_byte;
			}
			p += 16;
		}
#endif
		while (p < end && plain_byte(*p))
			p++;
		if (p >= end) {
			fail(s, p, "premature end of input in a string");
			return NULL;
		}
		if (*p == '"')
			return p + 1;
#if defined(__SSE2__)
special_byte:
#endif
		if ((p = scan_string_special(s, p)) == NULL)
			return NULL;
	}
}

/* Whether the integer DIGITS (LEN of them, no sign) fits json_int_t, as
 * jansson requires ("too big integer"). */
static bool integer_fits(const unsigned char *digits, size_t len, bool negative)
{
	const char *limit = negative ? "9223372036854775808" : "9223372036854775807";

	return len < 19 || (len == 19 && memcmp(digits, limit, 19) <= 0);
}

/* Whether the real number TEXT overflows a double, which jansson refuses
 * ("real number overflow"). Out of line: only numbers with a large exponent
 * or hundreds of digits come here. */
static __attribute__((noinline)) bool real_overflows(const unsigned char *text, size_t len)
{
	char small[64], *copy = len < sizeof(small) ? small : malloc(len + 1);
	double v;

	if (copy == NULL)
		return true;
	memcpy(copy, text, len);
	copy[len] = '\0';
	v = strtod(copy, NULL);
	if (copy != small)
		free(copy);
	return isinf(v);
}

/* The number at start: just past it, or NULL (s->at set). A number jansson
 * cannot hold is refused as it refuses it: an integer beyond 64 bits, a real
 * beyond a double. */
static const unsigned char *scan_number_at(struct scan *s, const unsigned char *start)
{
	const unsigned char *p = start, *end = s->end, *digits;
	bool negative = false, real = false;
	size_t int_digits;
	long exponent = 0;

	if (*p == '-') {
		negative = true;
		p++;
	}
	if (p >= end || !is_digit(*p))
		goto invalid;
	digits = p;
	if (*p == '0')
		p++;
	else
		while (p < end && is_digit(*p))
			p++;
	int_digits = (size_t)(p - digits);
	if (p < end && *p == '.') {
		real = true;
		p++;
		if (p >= end || !is_digit(*p))
			goto invalid;
		while (p < end && is_digit(*p))
			p++;
	}
	if (p < end && (*p == 'e' || *p == 'E')) {
		bool minus = false;
		real = true;
		p++;
		if (p < end && (*p == '+' || *p == '-'))
			minus = *p++ == '-';
		if (p >= end || !is_digit(*p))
			goto invalid;
		while (p < end && is_digit(*p)) {
			if (exponent < 100000)
				exponent = exponent * 10 + (*p - '0');
			p++;
		}
		if (minus)
			exponent = -exponent;
	}
	if (!real && !integer_fits(digits, int_digits, negative)) {
		fail(s, start, "integer too big for 64 bits");
		return NULL;
	}
	/* below 10^300 nothing overflows: most numbers end here */
	if (real && (long)int_digits + exponent >= 300 && real_overflows(start, (size_t)(p - start))) {
		fail(s, start, "real number overflow");
		return NULL;
	}
	return p;
invalid:
	fail(s, start, "invalid number");
	return NULL;
}

static const unsigned char *scan_literal_at(struct scan *s, const unsigned char *p, const char *word, size_t n)
{
	if ((size_t)(s->end - p) < n || memcmp(p, word, n) != 0) {
		fail(s, p, "invalid token");
		return NULL;
	}
	return p + n;
}

/* The number or literal at p: just past it, or NULL (s->at set). */
static const unsigned char *scan_scalar_at(struct scan *s, const unsigned char *p)
{
	switch (*p) {
	case 't': return scan_literal_at(s, p, "true", 4);
	case 'f': return scan_literal_at(s, p, "false", 5);
	case 'n': return scan_literal_at(s, p, "null", 4);
	default:
		if (*p == '-' || is_digit(*p))
			return scan_number_at(s, p);
		fail(s, p, "unexpected character where a value was expected");
		return NULL;
	}
}

static void put_utf8(char *out, size_t *n, unsigned cp)
{
	if (cp < 0x80) {
		out[(*n)++] = (char)cp;
	} else if (cp < 0x800) {
		out[(*n)++] = (char)(0xc0 | (cp >> 6));
		out[(*n)++] = (char)(0x80 | (cp & 0x3f));
	} else if (cp < 0x10000) {
		out[(*n)++] = (char)(0xe0 | (cp >> 12));
		out[(*n)++] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[(*n)++] = (char)(0x80 | (cp & 0x3f));
	} else {
		out[(*n)++] = (char)(0xf0 | (cp >> 18));
		out[(*n)++] = (char)(0x80 | ((cp >> 12) & 0x3f));
		out[(*n)++] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[(*n)++] = (char)(0x80 | (cp & 0x3f));
	}
}

/* Which wanted member the key between a and b (a validated string body)
 * names, or -1. A key written with escapes is decoded first, so
 * "\u0073equence" is "sequence", as jansson reads it. */
static int match_key(struct scan *s, const unsigned char *a, const unsigned char *b,
		     const struct jscan_member *want, size_t nwant)
{
	char decoded[128];
	size_t n = 0;
	const char *key = (const char *)a;
	size_t len = (size_t)(b - a);

	if (memchr(a, '\\', len) != NULL) {
		const unsigned char *p = a;
		unsigned cp;
		while (p < b) {
			if (n + 4 >= sizeof(decoded))
				return -1;  /* longer than any wanted key */
			if (*p == '\\') {
				p++;
				if (scan_escape(s, &p, &cp) != 0)
					return -1;  /* cannot happen: the string was validated */
				put_utf8(decoded, &n, cp);
			} else {
				decoded[n++] = (char)*p++;
			}
		}
		key = decoded;
		len = n;
	}
	for (size_t i = 0; i < nwant; i++)
		if (strlen(want[i].key) == len && memcmp(want[i].key, key, len) == 0)
			return (int)i;
	return -1;
}

static void locate(const struct scan *s, char *err, size_t errlen)
{
	size_t line = 1, col = 1;

	for (const unsigned char *p = s->start; p < s->at && p < s->end; p++) {
		if (*p == '\n') {
			line++;
			col = 1;
		} else {
			col++;
		}
	}
	snprintf(err, errlen, "%zu:%zu: %s", line, col, s->problem);
}

static bool is_ws(unsigned char c)
{
	return c == ' ' || c == '\n' || c == '\r' || c == '\t';
}

/* Past whitespace; compact reports have none, so the first test decides. */
static const unsigned char *ws(const unsigned char *p, const unsigned char *end)
{
	while (p < end && is_ws(*p))
		p++;
	return p;
}

/* The keys of the objects open on the path to the cursor, to refuse a
 * duplicate at any depth as jansson's JSON_REJECT_DUPLICATES does: a key read
 * two ways (jq and Python keep the last value, jansson refuses) would let a
 * signed report say two things. Keys are compared decoded, so "\u0061" is
 * "a". An object's new key is compared with its earlier ones directly (a
 * report's objects have four or five keys, the largest thirty); an object of
 * more than KEYS_LINEAR keys also goes in a hash table, so that a hostile
 * object of a million keys costs a million lookups, not 10^12 comparisons.
 * With 16, the twenty-one objects of 19 to 30 keys of an eight-GPU report
 * went through the table, a third of the scan's time. */
#define KEYS_LINEAR 64
#define KEYS_INLINE 256

struct key {
	const unsigned char *bytes;
	size_t len;
};

/* A key of an object that went into the hash table. */
struct key_entry {
	uint32_t object;
	struct key key;
};

struct keys {
	struct key inline_keys[KEYS_INLINE], *stack;
	size_t top, cap;
	struct hashtab table;      /* (object, key) -> entry + 1 */
	struct key_entry *entries;
	size_t n_entries, entries_cap;
	uint32_t objects;          /* objects given a hash table number so far */
	unsigned char **decoded;   /* keys written with escapes, decoded */
	size_t n_decoded;
};

struct frame {
	uint32_t base;     /* the object's first key in keys.stack */
	uint32_t object;   /* its number in the hash table, 0 while it has few keys */
	uint64_t seen;     /* a bit for each key's key_bit: a new bit is a new key */
};

/* One of 64 bits from a key's length and ends: most keys of an object differ
 * there, and are then known to be new without a comparison. */
static uint64_t key_bit(const struct key *key)
{
	unsigned v = (unsigned)key->len * 7u;

	if (key->len > 0)
		v += key->bytes[0] * 3u + key->bytes[key->len - 1];
	return (uint64_t)1 << (v & 63);
}



static void keys_free(struct keys *k)
{
	if (k->stack != k->inline_keys)
		free(k->stack);
	hashtab_free(&k->table);
	free(k->entries);
	for (size_t i = 0; i < k->n_decoded; i++)
		free(k->decoded[i]);
	free(k->decoded);
}

static bool key_equal(const struct key *a, const struct key *b)
{
	return a->len == b->len && (a->len == 0 || (a->bytes[0] == b->bytes[0] && memcmp(a->bytes, b->bytes, a->len) == 0));
}

static bool same_key(uintptr_t value, const void *key, const void *ctx)
{
	const struct keys *k = ctx;
	const struct key_entry *e = &k->entries[value - 1];
	const struct key_entry *want = key;
	return e->object == want->object && key_equal(&e->key, &want->key);
}

/* 1 when KEY was in OBJECT already, else 0 (now it is); -1 out of memory. */
static int table_insert(struct keys *k, uint32_t object, const struct key *key)
{
	struct key_entry want = { object, *key };
	uint64_t h = hashtab_hash(key->bytes, key->len, object);

	if (hashtab_find(&k->table, h, same_key, &want, k) != 0)
		return 1;
	if (k->n_entries == k->entries_cap) {
		size_t cap = k->entries_cap ? k->entries_cap * 2 : 256;
		struct key_entry *grown = realloc(k->entries, cap * sizeof(*grown));
		if (grown == NULL)
			return -1;
		k->entries = grown;
		k->entries_cap = cap;
	}
	k->entries[k->n_entries] = want;
	if (hashtab_add(&k->table, h, k->n_entries + 1) != 0)
		return -1;
	k->n_entries++;
	return 0;
}

/* The key between A and B (a validated string body) as its bytes decoded;
 * NULL when out of memory. */
static const unsigned char *decode_key(struct scan *s, struct keys *k, const unsigned char *a,
				       const unsigned char *b, size_t *len)
{
	unsigned char *out = malloc((size_t)(b - a) + 1), **list;
	size_t n = 0;
	unsigned cp;

	list = out ? realloc(k->decoded, (k->n_decoded + 1) * sizeof(*list)) : NULL;
	if (list == NULL) {
		free(out);
		return NULL;
	}
	k->decoded = list;
	k->decoded[k->n_decoded++] = out;
	/* an escape is never shorter than what it stands for */
	while (a < b) {
		if (*a == '\\') {
			a++;
			if (scan_escape(s, &a, &cp) != 0)
				return NULL;  /* cannot happen: the string was validated */
			put_utf8((char *)out, &n, cp);
		} else {
			out[n++] = *a++;
		}
	}
	*len = n;
	return out;
}

/* The error for a duplicate KEY (decoded) whose string starts at AT. */
static int duplicate(struct scan *s, const unsigned char *at, const struct key *key)
{
	snprintf(s->problem, sizeof(s->problem), "duplicate object key '%.*s'",
		 (int)(key->len > 64 ? 64 : key->len), (const char *)key->bytes);
	s->at = at;
	return -1;
}

/* Note the key between A and B in the innermost object F (ESCAPED: written
 * with escapes): 0, or -1 (s->at set) when the object has it already. */
static int key_add(struct scan *s, struct keys *k, struct frame *f, const unsigned char *a, const unsigned char *b,
		   bool escaped)
{
	struct key key = { a, (size_t)(b - a) };
	size_t count = k->top - f->base;
	uint64_t bit;

	if (escaped && (key.bytes = decode_key(s, k, a, b, &key.len)) == NULL)
		return fail(s, a - 1, "out of memory");
	bit = key_bit(&key);
	if (f->object == 0 && (f->seen & bit)) {
		for (size_t i = f->base; i < k->top; i++)
			if (key_equal(&k->stack[i], &key))
				return duplicate(s, a - 1, &key);
	}
	f->seen |= bit;
	if (count + 1 > KEYS_LINEAR) {
		int dup;
		if (f->object == 0) {
			f->object = ++k->objects;
			for (size_t i = f->base; i < k->top; i++)
				if (table_insert(k, f->object, &k->stack[i]) < 0)
					return fail(s, a - 1, "out of memory");
		}
		dup = table_insert(k, f->object, &key);
		if (dup < 0)
			return fail(s, a - 1, "out of memory");
		if (dup)
			return duplicate(s, a - 1, &key);
	}
	if (k->top == k->cap) {
		struct key *grown = malloc(k->cap * 2 * sizeof(*grown));
		if (grown == NULL)
			return fail(s, a - 1, "out of memory");
		memcpy(grown, k->stack, k->cap * sizeof(*grown));
		if (k->stack != k->inline_keys)
			free(k->stack);
		k->stack = grown;
		k->cap *= 2;
	}
	/* field by field: copying the struct whole loaded it back from the
	 * stack as one 16-byte word, stalling on its two 8-byte stores */
	k->stack[k->top].bytes = key.bytes;
	k->stack[k->top].len = key.len;
	k->top++;
	return 0;
}

/* The grammar as code positions rather than a state variable: "value",
 * "key" and "after a value" are labels, and the cursor stays in a register.
 * Each token follows a fixed path, which the branch predictor learns, and
 * the scanners of strings, numbers and literals return the cursor rather
 * than store it: an 80 KB report took 59.5 us with a switch on a state
 * variable and the cursor in struct scan, 41 us so (one processor of the
 * build machine; 65 us without SSE2). */
static int scan_document(struct scan *s, struct keys *k, struct jscan_member *want, size_t nwant)
{
	unsigned char stack[JSCAN_MAX_DEPTH];
	struct frame frames[JSCAN_MAX_DEPTH];
	const unsigned char *p = ws(s->start, s->end), *end = s->end, *value_start = NULL, *key_start;
	size_t depth = 0, escapes;
	int member = -1;

	if (p >= end || *p != '{')
		return fail(s, p, "expected a JSON object at the top level");
value:
	p = ws(p, end);
	if (p >= end)
		return fail(s, p, "premature end of input");
	if (depth == 1)
		value_start = p;
	if (*p == '{' || *p == '[') {
		unsigned char open = *p;
		if (depth == JSCAN_MAX_DEPTH)
			return fail(s, p, "maximum parsing depth reached");
		frames[depth] = (struct frame){ .base = (uint32_t)k->top };
		stack[depth++] = open;
		p = ws(p + 1, end);
		if (p >= end)
			return fail(s, p, "premature end of input");
		if (*p == (open == '{' ? '}' : ']')) {
			p++;
			goto closed;
		}
		if (open == '[')
			goto value;
		goto key;
	}
	if (*p == '"')
		p = scan_string_at(s, p);
	else
		p = scan_scalar_at(s, p);
	if (p == NULL)
		return -1;
	goto value_done;
key:
	if (*p != '"')
		return fail(s, p, "expected a string as object key");
	key_start = p + 1;
	escapes = s->escapes;
	if ((p = scan_string_at(s, p)) == NULL)
		return -1;
	if (key_add(s, k, &frames[depth - 1], key_start, p - 1, s->escapes != escapes) != 0)
		return -1;
	if (depth == 1) {
		member = match_key(s, key_start, p - 1, want, nwant);
		if (member >= 0 && want[member].value != NULL) {
			snprintf(s->problem, sizeof(s->problem), "duplicate object key '%s'", want[member].key);
			s->at = key_start - 1;
			return -1;
		}
	}
	p = ws(p, end);
	if (p >= end || *p != ':')
		return fail(s, p, "expected ':' after an object key");
	p++;
	goto value;
closed:
	depth--;
	if (stack[depth] == '{')
		k->top = frames[depth].base;
value_done:
	if (depth == 1 && member >= 0) {
		want[member].value = (const char *)value_start;
		want[member].len = (size_t)(p - value_start);
		member = -1;
	}
	p = ws(p, end);
	if (depth == 0) {
		if (p < end)
			return fail(s, p, "end of file expected");
		return 0;
	}
	if (p >= end)
		return fail(s, p, "premature end of input");
	if (*p == ',') {
		p++;
		if (stack[depth - 1] == '[')
			goto value;
		p = ws(p, end);
		if (p >= end)
			return fail(s, p, "premature end of input");
		goto key;
	}
	if (*p == (stack[depth - 1] == '{' ? '}' : ']')) {
		p++;
		goto closed;
	}
	return fail(s, p, stack[depth - 1] == '{' ? "expected ',' or '}'" : "expected ',' or ']'");
}

int jscan_object(const char *buf, size_t len, struct jscan_member *want, size_t nwant,
		 char *err, size_t errlen)
{
	struct scan s = { .start = (const unsigned char *)buf, .end = (const unsigned char *)buf + len };

	for (size_t i = 0; i < nwant; i++) {
		want[i].value = NULL;
		want[i].len = 0;
	}
	struct keys *k = malloc(sizeof(*k));
	int rc;

	if (k == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	k->stack = k->inline_keys;
	k->top = 0;
	k->cap = KEYS_INLINE;
	k->table = (struct hashtab){ 0 };
	k->entries = NULL;
	k->n_entries = k->entries_cap = 0;
	k->objects = 0;
	k->decoded = NULL;
	k->n_decoded = 0;
	rc = scan_document(&s, k, want, nwant);
	keys_free(k);
	free(k);
	if (rc != 0) {
		locate(&s, err, errlen);
		for (size_t i = 0; i < nwant; i++)
			want[i].value = NULL;
		return -1;
	}
	return 0;
}

/* An integer of 1 to 18 digits, optionally negative: no overflow. */
static int small_integer(const char *text, size_t len, json_int_t *out)
{
	size_t i = len > 0 && text[0] == '-';
	json_int_t v = 0;

	if (len == i || len - i > 18)
		return -1;
	for (; i < len; i++) {
		if (!is_digit((unsigned char)text[i]))
			return -1;
		v = v * 10 + (text[i] - '0');
	}
	*out = text[0] == '-' ? -v : v;
	return 0;
}

json_t *jscan_value(const char *text, size_t len, json_error_t *err)
{
	json_int_t n;

	if (len == 4 && memcmp(text, "null", 4) == 0)
		return json_null();
	/* UTF-8, control characters and the closing quote were checked by the scanner */
	if (len >= 2 && text[0] == '"' && memchr(text, '\\', len) == NULL)
		return json_stringn_nocheck(text + 1, len - 2);
	if (small_integer(text, len, &n) == 0)
		return json_integer(n);
	return json_loadb(text, len, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, err);
}
