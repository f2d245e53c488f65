/* Scratch --root trees for the fuzz targets that feed the real probe files
 * of their input. RELs are paths under ROOT, with or without a leading '/';
 * anything that cannot be made aborts (a broken harness, not a finding). */
#ifndef CHIPAUDIT_FUZZ_SCRATCH_H
#define CHIPAUDIT_FUZZ_SCRATCH_H

#include <stddef.h>

/* mkdir -p ROOT/REL, ROOT included; the first ROOT made is removed, with
 * all it holds, when the target exits */
void scratch_mkdirs(const char *root, const char *rel);
/* ROOT/REL holds exactly the N bytes of DATA */
void scratch_put(const char *root, const char *rel, const void *data, size_t n);
/* ROOT/REL is a symbolic link to TARGET (an existing one is kept) */
void scratch_link(const char *root, const char *target, const char *rel);
/* ROOT/REL is a FIFO, replacing what was there: what a hostile capture
 * can hold where the probe expects a file */
void scratch_fifo(const char *root, const char *rel);

#endif
