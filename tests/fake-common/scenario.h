/* What the fake vendor libraries (tests/fake-nvml, -amdsmi, -dcmi, -hlml)
 * share: the scenario file an environment variable names, and its devices,
 * each the scenario's "template" with the device's own members over it. */
#ifndef CHIPAUDIT_FAKE_SCENARIO_H
#define CHIPAUDIT_FAKE_SCENARIO_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

/* The scenario file $ENV, parsed; NULL when ENV is unset (*unset true) or
 * the file is not JSON (said on standard error, after WHO). */
json_t *fake_scenario_open(const char *env, const char *who, bool *unset);

/* SCENARIO's "init" member: the name of the error the library's init call
 * returns, or NULL when it has none. */
const char *fake_scenario_init_error(const json_t *scenario);

/* Each of SCENARIO's "devices" over its "template", at most MAX, into
 * DEVICES (new references); how many. */
size_t fake_scenario_devices(const json_t *scenario, json_t **devices, size_t max);

/* Member KEY of OBJ: an integer (DFLT when it is not one); hex text as a
 * number (0 when absent). */
long long fake_num(const json_t *obj, const char *key, long long dflt);
unsigned fake_hex(const json_t *obj, const char *key);

#endif
