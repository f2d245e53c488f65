/* Every check family, in catalogue order. */
#include "core/check.h"

extern const struct check_family host_family;
extern const struct check_family identity_family;
extern const struct check_family export_family;
extern const struct check_family backdoor_dma_family;
extern const struct check_family backdoor_layout_family;
extern const struct check_family backdoor_kernel_family;
extern const struct check_family backdoor_software_family;
extern const struct check_family spyware_family;
extern const struct check_family killswitch_family;
extern const struct check_family killswitch_npu_family;
extern const struct check_family identity_driver_family;
extern const struct check_family attestation_family;
extern const struct check_family measured_family;
extern const struct check_family drift_family;

const struct check_family *const check_families[] = {
	&host_family,
	&identity_family,
	&export_family,
	&backdoor_dma_family,
	&backdoor_layout_family,
	&backdoor_kernel_family,
	&backdoor_software_family,
	&spyware_family,
	&identity_driver_family,
	&attestation_family,
	&killswitch_family,
	&killswitch_npu_family,
	&measured_family,
	&drift_family,
};
const size_t check_family_count = sizeof(check_families) / sizeof(check_families[0]);
