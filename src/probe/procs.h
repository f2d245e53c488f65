/* The processes probe (facts.processes): which processes hold an
 * accelerator device node open, which accelerator-management daemons run,
 * and the sockets of both. Internal to src/probe; the data tables it reads
 * are data/device-nodes.json and data/daemons.json. */
#ifndef CHIPAUDIT_PROCS_H
#define CHIPAUDIT_PROCS_H

#include <jansson.h>
#include <stddef.h>

struct daemon_def {
	char *name, *vendor;
	char **comms;          /* process names as /proc/PID/comm shows them */
	size_t ncomms;
};

struct spy_data {
	char **patterns;       /* device-node globs: the data table's, then --device-node */
	size_t *prefix;        /* length of each pattern's literal prefix */
	size_t npatterns;
	struct daemon_def *daemons;
	size_t ndaemons;
};

/* Load and validate data/device-nodes.json and data/daemons.json, adding
 * EXTRA patterns (from --device-node). Returns 0, or -1 with err naming the
 * data file and the member. */
int spy_data_load(struct spy_data *d, const char *const *extra, size_t nextra, char *err, size_t errlen);
/* The same from parsed documents (unit tests, fuzzing). */
int spy_data_from_json(struct spy_data *d, const json_t *nodes, const json_t *daemons,
		       const char *const *extra, size_t nextra, char *err, size_t errlen);
void spy_data_free(struct spy_data *d);

/* Does PATH (an fd link target) name an accelerator device node? */
int spy_data_is_device(const struct spy_data *d, const char *path);
/* The daemon whose process name is COMM, or NULL. */
const struct daemon_def *spy_data_daemon(const struct spy_data *d, const char *comm);

struct probe_ctx;
/* The attribution step alone, for bench/sockets_vs_ss.sh: scan every
 * process's fd links, keep those holding a device node, resolve their
 * sockets. *nprocs and *nsockets get the device users and the sockets
 * attributed to them. The full probe is probe_processes (probe.h). */
int procs_attribute(struct probe_ctx *ctx, size_t *nprocs, size_t *nsockets);

/* A --device-node argument: an absolute path glob of sane length. */
int device_glob_valid(const char *glob, char *err, size_t errlen);

#endif
