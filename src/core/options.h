/* Codes of the command-line options that several commands share, and that
 * handlers below the commands take (evidence_option in src/evidence/record.c):
 * here, under both, so that no library includes a command's header. */
#ifndef CHIPAUDIT_OPTIONS_H
#define CHIPAUDIT_OPTIONS_H

/* Options shared between commands. Options that shape gathering (probe
 * options) are taken by audit, facts and snapshot; options that shape
 * judgement by audit and judge. */
enum shared_option_code {
	OPT_SHARED_FIRST = 0x1000,
	OPT_MANIFEST,
	OPT_DEVICE_NODE,
	OPT_POLICY,
	OPT_NVML_LIBRARY,
	OPT_EXPECT_MIG,
	OPT_MEASURE,
	OPT_BASELINE,
	OPT_REFERENCE,
	OPT_DRIFT_MARGIN,
	OPT_SIGN,        /* audit only, handled in src/cmd/audit.c */
	OPT_NONCE,
	OPT_STATE,
	OPT_NO_HISTORY,
};

#endif
