/* Every check family, in catalogue order. */
#include "core/check.h"

extern const struct check_family host_family;
extern const struct check_family identity_family;
/* area: export (issue 3) */
extern const struct check_family export_family;
/* end export */
/* area: backdoor (issue 4) */
extern const struct check_family backdoor_dma_family;
extern const struct check_family backdoor_layout_family;
extern const struct check_family backdoor_kernel_family;
extern const struct check_family backdoor_software_family;
/* end backdoor */
/* area: spyware (issue 5) */
extern const struct check_family spyware_family;
/* end spyware */
/* area: killswitch (issue 6) */
extern const struct check_family killswitch_family;
extern const struct check_family identity_nvml_family;
/* end killswitch */
/* area: capability (issue 7) */
extern const struct check_family measured_family;
/* end capability */
/* area: evidence (issue 8) */
extern const struct check_family drift_family;
/* end evidence */

const struct check_family *const check_families[] = {
	&host_family,
	&identity_family,
	/* area: export (issue 3) */
	&export_family,
	/* end export */
	/* area: backdoor (issue 4) */
	&backdoor_dma_family,
	&backdoor_layout_family,
	&backdoor_kernel_family,
	&backdoor_software_family,
	/* end backdoor */
	/* area: spyware (issue 5) */
	&spyware_family,
	/* end spyware */
	/* area: killswitch (issue 6) */
	&identity_nvml_family,
	&killswitch_family,
	/* end killswitch */
	/* area: capability (issue 7) */
	&measured_family,
	/* end capability */
	/* area: evidence (issue 8) */
	&drift_family,
	/* end evidence */
};
const size_t check_family_count = sizeof(check_families) / sizeof(check_families[0]);
