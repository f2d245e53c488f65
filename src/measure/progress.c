/* A one-line progress bar on a terminal (stderr), redrawn in place. */
#include <stdio.h>
#include <string.h>

#include "measure/progress.h"

#define BAR_WIDTH 24

static void tty_update(void *ctx, int device, int devices, const char *phase, double fraction)
{
	struct tty_progress *t = ctx;
	char bar[BAR_WIDTH + 1];
	int filled;

	if (fraction < 0)
		fraction = 0;
	if (fraction > 1)
		fraction = 1;
	filled = (int)(fraction * BAR_WIDTH + 0.5);
	memset(bar, '#', (size_t)filled);
	memset(bar + filled, '.', (size_t)(BAR_WIDTH - filled));
	bar[BAR_WIDTH] = '\0';
	/* \r and erase-to-end-of-line: the bar is one line, rewritten. */
	fprintf(t->out, "\r\033[Kmeasuring [%s] GPU %d/%d %.40s", bar, device + 1, devices, phase ? phase : "");
	fflush(t->out);
	t->drawn = 1;
}

void tty_progress_init(struct tty_progress *t, FILE *out)
{
	t->out = out;
	t->drawn = 0;
	t->progress.ctx = t;
	t->progress.update = tty_update;
}

void tty_progress_done(struct tty_progress *t)
{
	if (t->drawn) {
		fputs("\r\033[K", t->out);
		fflush(t->out);
	}
	t->drawn = 0;
}
