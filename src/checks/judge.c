#include "checks/judge.h"

#include "core/check.h"
#include "core/report.h"

json_t *judge_facts(const json_t *facts, const struct accdb *db, const struct judge_options *opts)
{
	static const struct judge_options defaults;
	struct judge_ctx ctx = { .facts = facts, .accdb = db, .options = opts ? opts : &defaults };
	struct findings findings = { 0 };
	json_t *report;

	judge_run(&ctx, &findings);
	report = report_build(facts, &findings);
	findings_free(&findings);
	return report;
}
