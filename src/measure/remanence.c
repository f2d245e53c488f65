/* The cross-tenant memory remanence test.
 *
 * A writer process (a tenant) fills device global memory with a canary
 * (cuMemsetD32) and every multiprocessor's shared memory (kernel
 * ca_fill_shared), then exits without freeing. A second process (the next
 * tenant) allocates and reads without writing: first its blocks' dynamic
 * shared memory, copied out uninitialised (ca_dump_shared, as the
 * LeftoverLocals test does), then its global allocation, scanned on the
 * device (ca_scan_words). Any canary or other non-zero word is residue that
 * the driver did not scrub between tenants.
 *
 * Both are children of this process, forked before it initialises CUDA
 * (CUDA does not survive fork). They report on a pipe, one line per device
 * and region (remanence_parse below); the parent gives up on a child that
 * runs past the timeout (by mode, or CHIPAUDIT_MEASURE_TIMEOUT_S). */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/json.h"
#include "core/util.h"
#include "measure/internal.h"

#define REPORT_MAX (64 * 1024)
#define SAMPLE_BYTES 32
#define SHARED_BLOCKS_PER_SM 2
#define QUICK_REGION (16 * GIB)
#define REGION_MIN (64 * MIB)

/* Child side ---------------------------------------------------------------- */

struct child {
	const struct cuda_api *cu;
	const struct measure_options *opts;
	FILE *out;
	char tag;            /* 'W' or 'R' */
	int ordinal;
	char pci[32];
	unsigned canary;
};

/* Report a failed call for this device and say whether it failed. */
static int child_check(struct child *c, CUresult rc, const char *what)
{
	char buf[96];

	if (rc == CUDA_SUCCESS)
		return 0;
	fprintf(c->out, "%c %d %s error %s: %s\n", c->tag, c->ordinal, c->pci, what,
		cuda_error(c->cu, rc, buf, sizeof(buf)));
	return -1;
}

struct child_device {
	CUdevice dev;
	CUcontext ctx;
	CUmodule util;
	int sm_count, smem_optin;
};

static int child_open(struct child *c, struct child_device *cd)
{
	const struct cuda_api *cu = c->cu;
	int bus = 0, slot = 0, domain = 0;

	memset(cd, 0, sizeof(*cd));
	snprintf(c->pci, sizeof(c->pci), "-");
	if (child_check(c, cu->DeviceGet(&cd->dev, c->ordinal), "cuDeviceGet"))
		return -1;
	if (cu->DeviceGetAttribute(&domain, CU_DEVICE_ATTRIBUTE_PCI_DOMAIN_ID, cd->dev) == CUDA_SUCCESS &&
	    cu->DeviceGetAttribute(&bus, CU_DEVICE_ATTRIBUTE_PCI_BUS_ID, cd->dev) == CUDA_SUCCESS &&
	    cu->DeviceGetAttribute(&slot, CU_DEVICE_ATTRIBUTE_PCI_DEVICE_ID, cd->dev) == CUDA_SUCCESS)
		snprintf(c->pci, sizeof(c->pci), "%04x:%02x:%02x.0", (unsigned)domain,
			 (unsigned)bus & 0xff, (unsigned)slot & 0x1f);
	if (child_check(c, cu->DeviceGetAttribute(&cd->sm_count, CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT, cd->dev),
			"cuDeviceGetAttribute") ||
	    child_check(c, cu->DeviceGetAttribute(&cd->smem_optin, CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK_OPTIN,
						  cd->dev), "cuDeviceGetAttribute") ||
	    child_check(c, cu->DevicePrimaryCtxRetain(&cd->ctx, cd->dev), "cuDevicePrimaryCtxRetain") ||
	    child_check(c, cu->CtxSetCurrent(cd->ctx), "cuCtxSetCurrent") ||
	    child_check(c, cu->ModuleLoadData(&cd->util, measure_ptx_util), "cuModuleLoadData"))
		return -1;
	if (cd->sm_count <= 0 || cd->sm_count > 4096 || cd->smem_optin < 1024 || cd->smem_optin > (1 << 24)) {
		fprintf(c->out, "%c %d %s error implausible device attributes (%d SMs, %d bytes of shared memory)\n",
			c->tag, c->ordinal, c->pci, cd->sm_count, cd->smem_optin);
		return -1;
	}
	return 0;
}

/* Launch NAME with the whole opt-in shared memory per block, two blocks per
 * SM so that every SM runs at least one whatever the scheduler does. */
static int child_shared_kernel(struct child *c, struct child_device *cd, const char *name, void **params)
{
	const struct cuda_api *cu = c->cu;
	CUfunction fn;

	if (child_check(c, cu->ModuleGetFunction(&fn, cd->util, name), "cuModuleGetFunction") ||
	    child_check(c, cu->FuncSetAttribute(fn, CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES, cd->smem_optin),
			"cuFuncSetAttribute") ||
	    child_check(c, cu->LaunchKernel(fn, (unsigned)cd->sm_count * SHARED_BLOCKS_PER_SM, 1, 1, 256, 1, 1,
					    (unsigned)cd->smem_optin, NULL, params, NULL), name) ||
	    child_check(c, cu->CtxSynchronize(), name))
		return -1;
	return 0;
}

static size_t region_target(const struct child *c)
{
	size_t free_bytes = 0, total = 0;

	if (c->cu->MemGetInfo(&free_bytes, &total) != CUDA_SUCCESS)
		return REGION_MIN;
	if (c->opts->mode == MEASURE_QUICK && free_bytes > QUICK_REGION)
		return QUICK_REGION;
	return free_bytes;
}

static int child_alloc(struct child *c, CUdeviceptr *p, size_t *got)
{
	struct mdev d = { .cu = c->cu };

	if (malloc_upto(&d, region_target(c), REGION_MIN, p, got) != 0) {
		fprintf(c->out, "%c %d %s error no region of %zu MiB could be allocated\n", c->tag, c->ordinal,
			c->pci, REGION_MIN / MIB);
		return -1;
	}
	*got &= ~(size_t)3;
	return 0;
}

static void writer_device(struct child *c)
{
	struct child_device cd;
	CUdeviceptr region;
	size_t bytes;
	unsigned words;
	void *params[] = { &c->canary, &words };

	if (child_open(c, &cd) != 0 || child_alloc(c, &region, &bytes) != 0 ||
	    child_check(c, c->cu->MemsetD32(region, c->canary, bytes / 4), "cuMemsetD32"))
		return;
	words = (unsigned)cd.smem_optin / 4;
	if (child_shared_kernel(c, &cd, "ca_fill_shared", params) != 0)
		return;
	/* Left allocated on purpose: the tenant goes away without cleaning up. */
	fprintf(c->out, "W %d %s ok %zu %zu\n", c->ordinal, c->pci, bytes,
		(size_t)cd.smem_optin * (size_t)cd.sm_count * SHARED_BLOCKS_PER_SM);
}

static void hex_sample(const unsigned char *p, size_t n, char *out)
{
	if (n > SAMPLE_BYTES)
		n = SAMPLE_BYTES;
	hex_encode(p, n, out);
}

static void report_region(struct child *c, const char *region, size_t examined, uint64_t canary_words,
			  uint64_t nonzero_words, uint64_t first, const char *sample)
{
	if (nonzero_words == 0)
		fprintf(c->out, "R %d %s %s %zu 0 0 - -\n", c->ordinal, c->pci, region, examined);
	else
		fprintf(c->out, "R %d %s %s %zu %" PRIu64 " %" PRIu64 " %" PRIu64 " %s\n", c->ordinal, c->pci,
			region, examined, canary_words, nonzero_words, first * 4, sample);
}

static int reader_shared(struct child *c, struct child_device *cd)
{
	const struct cuda_api *cu = c->cu;
	size_t bytes = (size_t)cd->smem_optin * (size_t)cd->sm_count * SHARED_BLOCKS_PER_SM, nwords = bytes / 4;
	uint64_t canaries = 0, nonzero = 0, first = 0;
	char sample[SAMPLE_BYTES * 2 + 1] = "-";
	CUdeviceptr dump;
	uint32_t *host;
	unsigned words = (unsigned)cd->smem_optin / 4;
	void *params[] = { &dump, &words };

	if (child_check(c, cu->MemAlloc(&dump, bytes), "cuMemAlloc"))
		return -1;
	/* First kernel of this context: nothing of ours has used shared memory. */
	if (child_shared_kernel(c, cd, "ca_dump_shared", params) != 0)
		return -1;
	host = xmalloc(bytes);
	if (child_check(c, cu->MemcpyDtoH(host, dump, bytes), "cuMemcpyDtoH")) {
		free(host);
		return -1;
	}
	for (size_t i = 0; i < nwords; i++) {
		if (host[i] == 0)
			continue;
		if (nonzero++ == 0) {
			first = i;
			hex_sample((const unsigned char *)&host[i], (nwords - i) * 4, sample);
		}
		canaries += host[i] == c->canary;
	}
	report_region(c, "shared", bytes, canaries, nonzero, first, sample);
	free(host);
	cu->MemFree(dump);
	return 0;
}

static int reader_global(struct child *c, struct child_device *cd)
{
	const struct cuda_api *cu = c->cu;
	uint64_t counters[3] = { 0, 0, UINT64_MAX }, nwords;
	unsigned char bytes_at[SAMPLE_BYTES];
	char sample[SAMPLE_BYTES * 2 + 1] = "-";
	CUdeviceptr region, dcounters;
	size_t bytes;
	void *params[] = { &region, &nwords, &c->canary, &dcounters };
	CUfunction fn;

	if (child_check(c, cu->MemAlloc(&dcounters, sizeof(counters)), "cuMemAlloc") ||
	    /* Set by a copy, not a kernel: the region must be read, never written. */
	    child_check(c, cu->MemcpyHtoD(dcounters, counters, sizeof(counters)), "cuMemcpyHtoD") ||
	    child_alloc(c, &region, &bytes) != 0)
		return -1;
	nwords = bytes / 4;
	if (child_check(c, cu->ModuleGetFunction(&fn, cd->util, "ca_scan_words"), "cuModuleGetFunction") ||
	    child_check(c, cu->LaunchKernel(fn, (unsigned)cd->sm_count * 8, 1, 1, 512, 1, 1, 0, NULL, params, NULL),
			"ca_scan_words") ||
	    child_check(c, cu->CtxSynchronize(), "ca_scan_words") ||
	    child_check(c, cu->MemcpyDtoH(counters, dcounters, sizeof(counters)), "cuMemcpyDtoH"))
		return -1;
	if (counters[1] > nwords || counters[0] > counters[1] || (counters[1] && counters[2] >= nwords)) {
		fprintf(c->out, "R %d %s error the scan returned impossible counts\n", c->ordinal, c->pci);
		return -1;
	}
	if (counters[1] > 0) {
		size_t at = (size_t)counters[2] * 4, n = bytes - at < SAMPLE_BYTES ? bytes - at : SAMPLE_BYTES;
		if (child_check(c, cu->MemcpyDtoH(bytes_at, region + at, n), "cuMemcpyDtoH"))
			return -1;
		hex_sample(bytes_at, n, sample);
	}
	report_region(c, "global", bytes, counters[0], counters[1], counters[2], sample);
	cu->MemFree(region);
	cu->MemFree(dcounters);
	return 0;
}

static void reader_device(struct child *c)
{
	struct child_device cd;

	if (child_open(c, &cd) != 0)
		return;
	if (reader_shared(c, &cd) != 0)
		return;
	reader_global(c, &cd);
	c->cu->ModuleUnload(cd.util);
	c->cu->DevicePrimaryCtxRelease(cd.dev);
}

static void child_main(struct child *c)
{
	char buf[96];
	int count = 0;
	CUresult rc = c->cu->Init(0);

	if (rc == CUDA_SUCCESS)
		rc = c->cu->DeviceGetCount(&count);
	if (rc != CUDA_SUCCESS) {
		fprintf(c->out, "E %s %s\n", c->tag == 'W' ? "writer" : "reader", cuda_error(c->cu, rc, buf, sizeof(buf)));
		return;
	}
	for (c->ordinal = 0; c->ordinal < count && c->ordinal < 64; c->ordinal++) {
		if (c->tag == 'W')
			writer_device(c);
		else
			reader_device(c);
		fflush(c->out);
	}
}

/* Parent side --------------------------------------------------------------- */

static double child_timeout_s(const struct measure_options *opts)
{
	const char *env = getenv("CHIPAUDIT_MEASURE_TIMEOUT_S");
	uint64_t v;

	if (env && parse_u64(env, 10, &v) == 0 && v > 0 && v < 86400)
		return (double)v;
	return opts->mode == MEASURE_QUICK ? 120 : opts->mode == MEASURE_THOROUGH ? 1800 : 600;
}

/* Fork, run the child's part, collect what it printed. Returns the text
 * (caller frees) or NULL with err. */
static char *run_child(const struct cuda_api *cu, const struct measure_options *opts, char tag, unsigned canary,
		       char *err, size_t errlen)
{
	const char *who = tag == 'W' ? "writer" : "reader";
	double deadline = monotonic_s() + child_timeout_s(opts);
	char *text = xmalloc(REPORT_MAX + 1);
	size_t len = 0;
	int fds[2], status = 0, timed_out = 0;
	pid_t pid;

	if (pipe(fds) != 0) {
		snprintf(err, errlen, "remanence %s: pipe: %s", who, strerror(errno));
		free(text);
		return NULL;
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		snprintf(err, errlen, "remanence %s: fork: %s", who, strerror(errno));
		close(fds[0]);
		close(fds[1]);
		free(text);
		return NULL;
	}
	if (pid == 0) {
		struct child c = { .cu = cu, .opts = opts, .tag = tag, .canary = canary };
		close(fds[0]);
		c.out = fdopen(fds[1], "w");
		if (c.out != NULL) {
			child_main(&c);
			fflush(c.out);
		}
		/* _exit: no atexit handlers, no CUDA teardown of ours; the driver
		 * reclaims the context as for any tenant that goes away. */
		_exit(0);
	}
	close(fds[1]);
	for (;;) {
		struct pollfd pfd = { .fd = fds[0], .events = POLLIN };
		double left = deadline - monotonic_s();
		ssize_t n;
		if (left <= 0) {
			timed_out = 1;
			break;
		}
		if (poll(&pfd, 1, (int)(left * 1000) + 1) <= 0) {
			if (errno == EINTR)
				continue;
			continue; /* the deadline check above ends it */
		}
		n = read(fds[0], text + len, REPORT_MAX - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
		if (len == REPORT_MAX)
			break;
	}
	close(fds[0]);
	if (timed_out)
		kill(pid, SIGKILL);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	text[len] = '\0';
	if (timed_out)
		snprintf(err, errlen, "remanence %s did not finish within %.0f s: stopped", who, child_timeout_s(opts));
	else if (WIFSIGNALED(status))
		snprintf(err, errlen, "remanence %s ended by signal %d", who, WTERMSIG(status));
	else
		return text;
	free(text);
	return NULL;
}

json_t *remanence_run(const struct cuda_api *cu, const struct measure_options *opts, unsigned canary)
{
	json_t *out = json_object();
	char err[512];
	char *text;

	for (int step = 0; step < 2; step++) {
		char tag = step == 0 ? 'W' : 'R';
		if (opts->progress)
			opts->progress->update(opts->progress->ctx, 0, 1, step == 0 ? "remanence: writer" : "remanence: reader",
					       step * 0.5);
		text = run_child(cu, opts, tag, canary, err, sizeof(err));
		if (text == NULL || remanence_parse(text, strlen(text), canary, out, err, sizeof(err)) != 0) {
			json_decref(out);
			out = json_object();
			jset_str(out, "error", err);
			free(text);
			return out;
		}
		free(text);
	}
	return out;
}

/* Report parsing (also fuzzed: tests/fuzz/fuzz_remanence.c) ----------------- */

static json_t *device_entry(json_t *out, unsigned ordinal, const char *pci)
{
	char key[16];
	json_t *e;

	snprintf(key, sizeof(key), "%u", ordinal);
	e = json_object_get(out, key);
	if (e == NULL) {
		e = json_object();
		jset_str(e, "pci_address", pci_address_valid(pci) ? pci : NULL);
		jset(e, "writer", NULL);
		jset(e, "global", NULL);
		jset(e, "shared", NULL);
		json_object_set_new(e, "errors", json_array());
		json_object_set_new(out, key, e);
	}
	return e;
}

static int parse_count(const char *tok, uint64_t *v)
{
	return tok == NULL || parse_u64(tok, 10, v) != 0 ? -1 : 0;
}

/* "<examined> <canary_words> <nonzero_words> <first_offset|-> <hex|->" */
static json_t *parse_region(char **save, unsigned canary, char *err, size_t errlen)
{
	uint64_t examined, canaries, nonzero, first = 0;
	char *t_ex = strtok_r(NULL, " ", save), *t_c = strtok_r(NULL, " ", save), *t_n = strtok_r(NULL, " ", save);
	char *t_first = strtok_r(NULL, " ", save), *t_hex = strtok_r(NULL, " ", save);
	json_t *r;

	if (parse_count(t_ex, &examined) || parse_count(t_c, &canaries) || parse_count(t_n, &nonzero) ||
	    t_first == NULL || t_hex == NULL || strtok_r(NULL, " ", save) != NULL) {
		snprintf(err, errlen, "expected \"EXAMINED CANARY NONZERO FIRST SAMPLE\"");
		return NULL;
	}
	if (examined == 0 || examined % 4 || nonzero > examined / 4 || canaries > nonzero) {
		snprintf(err, errlen, "counts out of range");
		return NULL;
	}
	if (nonzero == 0 ? (strcmp(t_first, "-") || strcmp(t_hex, "-")) :
	    (parse_u64(t_first, 10, &first) || first >= examined || first % 4 ||
	     strlen(t_hex) > SAMPLE_BYTES * 2 || strlen(t_hex) % 2 || !is_hex_string(t_hex, strlen(t_hex)))) {
		snprintf(err, errlen, "malformed first offset or sample");
		return NULL;
	}
	r = json_object();
	jset_int(r, "bytes_examined", (json_int_t)examined);
	jset_int(r, "canary_bytes", (json_int_t)(canaries * 4));
	jset_int(r, "nonzero_bytes", (json_int_t)(nonzero * 4));
	jset_num(r, "fraction", (double)(nonzero * 4) / (double)examined);
	jset(r, "first_offset", nonzero ? json_integer((json_int_t)first) : NULL);
	jset_str(r, "sample", nonzero ? t_hex : NULL);
	(void)canary;
	return r;
}

static int parse_line(char *line, unsigned canary, json_t *out, char *err, size_t errlen)
{
	char *save = NULL, *tag = strtok_r(line, " ", &save), *t_ord, *pci, *kind, *rest;
	uint64_t ordinal;
	json_t *e, *r;

	if (tag == NULL || strlen(tag) != 1) {
		snprintf(err, errlen, "expected a line tag");
		return -1;
	}
	if (tag[0] == 'E') {
		rest = save && *save ? save : "unknown error";
		jset_str(out, "error", rest);
		return 0;
	}
	t_ord = strtok_r(NULL, " ", &save);
	pci = strtok_r(NULL, " ", &save);
	kind = strtok_r(NULL, " ", &save);
	if ((tag[0] != 'W' && tag[0] != 'R') || parse_count(t_ord, &ordinal) || ordinal >= 64 || pci == NULL ||
	    kind == NULL || (strcmp(pci, "-") != 0 && !pci_address_valid(pci))) {
		snprintf(err, errlen, "expected \"W|R ORDINAL PCI KIND ...\"");
		return -1;
	}
	e = device_entry(out, (unsigned)ordinal, pci);
	if (strcmp(kind, "error") == 0) {
		rest = save && *save ? save : "unknown error";
		json_array_append_new(jarr(e, "errors"), json_string_lossy(rest));
		return 0;
	}
	if (tag[0] == 'W' && strcmp(kind, "ok") == 0) {
		uint64_t global, shared;
		if (parse_count(strtok_r(NULL, " ", &save), &global) || parse_count(strtok_r(NULL, " ", &save), &shared) ||
		    strtok_r(NULL, " ", &save) != NULL || json_is_object(jobj(e, "writer"))) {
			snprintf(err, errlen, "expected \"W ORDINAL PCI ok GLOBAL SHARED\" once");
			return -1;
		}
		r = json_object();
		jset_int(r, "global_bytes", (json_int_t)(global > INT64_MAX ? INT64_MAX : global));
		jset_int(r, "shared_bytes", (json_int_t)(shared > INT64_MAX ? INT64_MAX : shared));
		jset(e, "writer", r);
		return 0;
	}
	if (tag[0] == 'R' && (strcmp(kind, "global") == 0 || strcmp(kind, "shared") == 0)) {
		if (json_is_object(jobj(e, kind))) {
			snprintf(err, errlen, "%s reported twice", kind);
			return -1;
		}
		if ((r = parse_region(&save, canary, err, errlen)) == NULL)
			return -1;
		jset(e, kind, r);
		return 0;
	}
	snprintf(err, errlen, "unknown report \"%.20s\"", kind);
	return -1;
}

int remanence_parse(const char *text, size_t len, unsigned canary, json_t *out, char *err, size_t errlen)
{
	char *copy = xstrndup(text, len), *save = NULL, sub[128];
	int lineno = 0, rc = 0;

	if (strlen(copy) != len) {
		snprintf(err, errlen, "remanence report: contains a NUL byte");
		free(copy);
		return -1;
	}
	for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		lineno++;
		if (parse_line(line, canary, out, sub, sizeof(sub)) != 0) {
			snprintf(err, errlen, "remanence report line %d: %s", lineno, sub);
			rc = -1;
			break;
		}
	}
	free(copy);
	return rc;
}
