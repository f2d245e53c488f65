/* Drift: the tolerances the drift checks (src/checks/drift.c) use. */
#ifndef CHIPAUDIT_DRIFT_H
#define CHIPAUDIT_DRIFT_H

/* Throughput loss tolerated before killswitch.drift.performance fails, as a
 * fraction (--drift-margin PERCENT changes it). Not a vendor figure: a
 * choice, documented in docs/evidence.md: repeated dense GEMM runs on one
 * GPU differ with temperature, clocks and power headroom, and the margin
 * must sit above that run-to-run noise so that a finding means a change. */
#define DRIFT_DEFAULT_MARGIN 0.10

#endif
