/* Every check family, in catalogue order. */
#include "core/check.h"

extern const struct check_family host_family;
extern const struct check_family identity_family;
/* area: export (issue 3) */
/* end export */
/* area: backdoor (issue 4) */
/* end backdoor */
/* area: spyware (issue 5) */
extern const struct check_family spyware_family;
/* end spyware */
/* area: killswitch (issue 6) */
/* end killswitch */
/* area: capability (issue 7) */
/* end capability */
/* area: evidence (issue 8) */
/* end evidence */

const struct check_family *const check_families[] = {
	&host_family,
	&identity_family,
	/* area: export (issue 3) */
	/* end export */
	/* area: backdoor (issue 4) */
	/* end backdoor */
	/* area: spyware (issue 5) */
	&spyware_family,
	/* end spyware */
	/* area: killswitch (issue 6) */
	/* end killswitch */
	/* area: capability (issue 7) */
	/* end capability */
	/* area: evidence (issue 8) */
	/* end evidence */
};
const size_t check_family_count = sizeof(check_families) / sizeof(check_families[0]);
