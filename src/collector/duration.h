/* Durations as the collector's options take them: "90m", "36h", "2d",
 * "1w", "45s" or bare seconds, from 1 s to 100 years. */
#ifndef CHIPAUDIT_COLLECTOR_DURATION_H
#define CHIPAUDIT_COLLECTOR_DURATION_H

#include <stdint.h>

/* 0 and *SECONDS, or -1 when S is not a duration. */
int parse_duration(const char *s, uint64_t *seconds);

#endif
