#include "check.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

static const char *const status_names[STATUS_COUNT] = {
	[STATUS_PASS] = "pass", [STATUS_SKIP] = "skip", [STATUS_WARN] = "warn",
	[STATUS_ERROR] = "error", [STATUS_FAIL] = "fail",
};

static const char *const severity_names[] = {
	[SEVERITY_INFO] = "info", [SEVERITY_LOW] = "low", [SEVERITY_MEDIUM] = "medium",
	[SEVERITY_HIGH] = "high", [SEVERITY_CRITICAL] = "critical",
};

const char *status_name(enum status s)
{
	return (unsigned)s < STATUS_COUNT ? status_names[s] : "?";
}

const char *severity_name(enum severity s)
{
	return (unsigned)s < ARRAY_SIZE(severity_names) ? severity_names[s] : "?";
}

int status_from_name(const char *name, enum status *out)
{
	for (int i = 0; i < STATUS_COUNT; i++) {
		if (strcmp(status_names[i], name) == 0) {
			*out = (enum status)i;
			return 0;
		}
	}
	return -1;
}

void finding_add(struct findings *out, const struct check *check, enum status status,
		 const char *subject, json_t *evidence, const char *remediation,
		 const char *fmt, ...)
{
	struct finding *f;
	va_list ap;

	if (out->count == out->cap) {
		out->cap = out->cap ? out->cap * 2 : 32;
		out->items = xreallocarray(out->items, out->cap, sizeof(*out->items));
	}
	f = &out->items[out->count++];
	f->check = check;
	f->status = status;
	f->subject = xstrdup(subject ? subject : "host");
	f->evidence = evidence ? evidence : json_object();
	f->remediation = remediation ? xstrdup(remediation) : NULL;
	va_start(ap, fmt);
	f->message = xvasprintf(fmt, ap);
	va_end(ap);
}

void findings_free(struct findings *f)
{
	for (size_t i = 0; i < f->count; i++) {
		free(f->items[i].subject);
		json_decref(f->items[i].evidence);
		free(f->items[i].message);
		free(f->items[i].remediation);
	}
	free(f->items);
	memset(f, 0, sizeof(*f));
}

const struct check *check_find(const char *id)
{
	for (size_t i = 0; i < check_family_count; i++) {
		const struct check_family *fam = check_families[i];
		for (size_t j = 0; j < fam->count; j++)
			if (strcmp(fam->checks[j].id, id) == 0)
				return &fam->checks[j];
	}
	return NULL;
}

#define JUDGE_MEMO_SLOTS 8

struct judge_memo {
	struct {
		const void *key;
		void *value;
		void (*release)(void *);
	} slots[JUDGE_MEMO_SLOTS];
	size_t count;
};

void *judge_memo_get(const struct judge_ctx *ctx, const void *key)
{
	for (size_t i = 0; ctx->memo && i < ctx->memo->count; i++)
		if (ctx->memo->slots[i].key == key)
			return ctx->memo->slots[i].value;
	return NULL;
}

void judge_memo_put(const struct judge_ctx *ctx, const void *key, void *value, void (*release)(void *))
{
	struct judge_memo *m = ctx->memo;

	if (m == NULL || m->count == JUDGE_MEMO_SLOTS) {
		/* a programming error: only judge_run's checks memoise, in few, fixed slots */
		fprintf(stderr, "judge_memo_put: no memo, or no room in it\n");
		abort();
	}
	m->slots[m->count].key = key;
	m->slots[m->count].value = value;
	m->slots[m->count++].release = release;
}

void judge_run(const struct judge_ctx *ctx, struct findings *out)
{
	struct judge_memo memo = { .count = 0 };
	struct judge_ctx run = *ctx;

	run.memo = &memo;
	for (size_t i = 0; i < check_family_count; i++) {
		const struct check_family *fam = check_families[i];
		for (size_t j = 0; j < fam->count; j++)
			fam->checks[j].evaluate(&fam->checks[j], &run, out);
	}
	for (size_t i = 0; i < memo.count; i++)
		memo.slots[i].release(memo.slots[i].value);
}

enum status findings_worst(const struct findings *f)
{
	enum status worst = STATUS_PASS;
	for (size_t i = 0; i < f->count; i++)
		if (f->items[i].status > worst)
			worst = f->items[i].status;
	return worst;
}

/* pass and skip: 0; warn: 1; error and fail: 2. An error means a check could
 * not judge what it should have, which is not a clean bill of health. */
int exit_code_for(enum status worst)
{
	switch (worst) {
	case STATUS_PASS:
	case STATUS_SKIP:
		return EXIT_PASS;
	case STATUS_WARN:
		return EXIT_WARN;
	default:
		return EXIT_FAIL;
	}
}

char *remedy_at(const char *tmpl, const char *addr)
{
	size_t n = strlen(tmpl), alen = strlen(addr), o = 0;
	char *out = xmalloc(n * (alen + 1) + 1);

	for (size_t i = 0; i < n; i++) {
		if (tmpl[i] == '%' && tmpl[i + 1] == 's') {
			memcpy(out + o, addr, alen);
			o += alen;
			i++;
		} else {
			out[o++] = tmpl[i];
		}
	}
	out[o] = '\0';
	return out;
}
