/* Progress bar for measurements, shown only when stderr is a terminal. */
#ifndef CHIPAUDIT_MEASURE_PROGRESS_H
#define CHIPAUDIT_MEASURE_PROGRESS_H

#include <stdio.h>

#include "measure/measure.h"

struct tty_progress {
	struct measure_progress progress;   /* pass &t.progress to measure_run */
	FILE *out;
	int drawn;
};

void tty_progress_init(struct tty_progress *t, FILE *out);
/* Erase the bar. */
void tty_progress_done(struct tty_progress *t);

#endif
