/* The modules section: every kernel module of an accelerator's driver
 * stack, loaded or not, with what the kernel says of it and the file it
 * comes from, hashed, with its signature's signer.
 *
 *   /proc/modules                          loaded modules, users, taint flags
 *   /sys/module/<m>/{version,srcversion,taint}
 *   /lib/modules/<release>/modules.dep     "kernel/.../m.ko[.xz|.zst|.gz]: deps"
 *   /lib/modules/<release>/modules.builtin modules built into the kernel image
 *
 * The set: the module of the bound driver, the driver's known modules
 * (probe/drivers.c), and every module that uses one of them, transitively
 * (the "used by" column), so an unknown module hooking the driver shows up. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/fileio.h"
#include "core/json.h"
#include "parse/kernelinfo.h"
#include "parse/modsig.h"
#include "core/util.h"
#include "probe/drivers.h"
#include "probe/probe.h"

#define PROC_MODULES "/proc/modules"
#define PROC_MODULES_MAX (4u << 20)
#define MODULES_DEP_MAX (32u << 20)
#define MODULE_SET_MAX 64
/* A compressed module is decompressed to read its signature, at most this far. */
#define MODULE_IMAGE_MAX SYSROOT_IMAGE_MAX

struct loaded {
	struct proc_module *mods;
	size_t count;
	bool known;    /* /proc/modules was read */
};

struct module_files {
	char *dep;           /* modules.dep content, NULL when unreadable */
	char *builtin;       /* modules.builtin content, NULL when unreadable */
	char *dir;           /* /lib/modules/<release> */
};

static void loaded_free(struct loaded *l)
{
	for (size_t i = 0; i < l->count; i++)
		proc_module_free(&l->mods[i]);
	free(l->mods);
}

static int read_proc_modules(struct probe_ctx *ctx, struct loaded *l)
{
	char *data = NULL, *save = NULL, err[200];
	unsigned lineno = 0;

	memset(l, 0, sizeof(*l));
	if (sysroot_read_file_max(ctx->sysroot, PROC_MODULES, PROC_MODULES_MAX, &data, NULL) != 0) {
		probe_limitation(ctx, PROC_MODULES, "%s: which modules are loaded is unknown", sysroot_strerror(ctx->sysroot, errno));
		return 0;
	}
	l->known = true;
	for (char *line = strtok_r(data, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		struct proc_module m;
		lineno++;
		if (proc_modules_parse_line(line, &m, err, sizeof(err)) != 0) {
			probe_fail(ctx, "%s: line %u: %s", PROC_MODULES, lineno, err);
			break;
		}
		l->mods = xreallocarray(l->mods, l->count + 1, sizeof(*l->mods));
		l->mods[l->count++] = m;
	}
	free(data);
	return ctx->failed ? -1 : 0;
}

static const struct proc_module *loaded_find(const struct loaded *l, const char *name)
{
	for (size_t i = 0; i < l->count; i++)
		if (kmod_name_equal(l->mods[i].name, name))
			return &l->mods[i];
	return NULL;
}

/* --- the set of modules -------------------------------------------------- */

struct name_set {
	char *names[MODULE_SET_MAX];
	char *driver[MODULE_SET_MAX];   /* the driver that brought it in */
	size_t count;
};

static void set_add(struct name_set *s, const char *name, const char *driver)
{
	if (!kmod_name_valid(name) || s->count == MODULE_SET_MAX)
		return;
	for (size_t i = 0; i < s->count; i++)
		if (kmod_name_equal(s->names[i], name))
			return;
	s->names[s->count] = xstrdup(name);
	for (char *p = s->names[s->count]; *p; p++)
		if (*p == '-')
			*p = '_';
	s->driver[s->count] = xstrdup(driver);
	s->count++;
}

static void set_free(struct name_set *s)
{
	for (size_t i = 0; i < s->count; i++) {
		free(s->names[i]);
		free(s->driver[i]);
	}
}

static void collect(struct probe_ctx *ctx, const struct loaded *l, struct name_set *s)
{
	size_t i;
	json_t *d;

	json_array_foreach(jarr(ctx->facts, "drivers"), i, d) {
		const struct driver_info *info = driver_info_by_name(jstr(d, "name"));
		if (jstr(d, "module"))
			set_add(s, jstr(d, "module"), jstr(d, "name"));
		for (size_t k = 0; info && k < ARRAY_SIZE(info->modules) && info->modules[k]; k++)
			set_add(s, info->modules[k], jstr(d, "name"));
	}
	/* the users of a driver module, transitively (the set grows as we walk it) */
	for (size_t k = 0; k < s->count; k++) {
		const struct proc_module *m = loaded_find(l, s->names[k]);
		for (size_t u = 0; m && u < m->used_by_count; u++)
			if (strcmp(m->used_by[u], "[permanent]") != 0)
				set_add(s, m->used_by[u], s->driver[k]);
	}
}

/* --- files ---------------------------------------------------------------- */

static bool strip_module_suffix(char *base)
{
	static const char *const suffixes[] = { ".ko", ".ko.xz", ".ko.zst", ".ko.gz" };
	size_t n = strlen(base);

	for (size_t i = 0; i < ARRAY_SIZE(suffixes); i++) {
		size_t s = strlen(suffixes[i]);
		if (n > s && strcmp(base + n - s, suffixes[i]) == 0) {
			base[n - s] = '\0';
			return true;
		}
	}
	return false;
}

static bool path_has_dotdot(const char *p)
{
	for (const char *s = p; (s = strstr(s, "..")); s += 2)
		if ((s == p || s[-1] == '/') && (s[2] == '/' || s[2] == '\0'))
			return true;
	return false;
}

/* Find NAME in a modules.dep or modules.builtin text ("path[: deps]" per
 * line). Returns the path as listed (malloc'd), NULL when absent; on a
 * malformed line the probe fails. */
static char *list_find(struct probe_ctx *ctx, const char *text, const char *file, bool with_colon, const char *name)
{
	const char *p = text;
	unsigned lineno = 0;

	while (*p) {
		const char *nl = strchr(p, '\n'), *end = nl ? nl : p + strlen(p);
		size_t len = (size_t)(end - p);
		const char *colon = memchr(p, ':', len);
		lineno++;
		if (len > 0) {
			char *key = xstrndup(p, with_colon ? (colon ? (size_t)(colon - p) : len) : len);
			const char *slash = strrchr(key, '/');
			char *base = xstrdup(slash ? slash + 1 : key);
			if ((with_colon && colon == NULL) || !strip_module_suffix(base) || path_has_dotdot(key) ||
			    !str_is_printable(key)) {
				probe_fail(ctx, "%s: line %u: \"%.60s\" is not \"PATH.ko%s\"", file, lineno, key,
					   with_colon ? ": DEPENDENCIES" : "");
				free(base);
				free(key);
				return NULL;
			}
			if (kmod_name_equal(base, name)) {
				free(base);
				return key;
			}
			free(base);
			free(key);
		}
		p = nl ? nl + 1 : end;
	}
	return NULL;
}

static void read_module_lists(struct probe_ctx *ctx, struct module_files *f)
{
	const char *release = jstr(jobj(ctx->facts, "host"), "kernel");
	char *path;

	memset(f, 0, sizeof(*f));
	if (release == NULL || strchr(release, '/') || strcmp(release, "..") == 0) {
		probe_limitation(ctx, "/lib/modules", "kernel release unknown: module files not examined");
		return;
	}
	f->dir = xasprintf("/lib/modules/%s", release);
	probe_record_path_links(ctx, f->dir);
	path = path_join(f->dir, "modules.dep");
	if (sysroot_read_file_max(ctx->sysroot, path, MODULES_DEP_MAX, &f->dep, NULL) != 0)
		probe_limitation(ctx, path, "%s: module files not examined", sysroot_strerror(ctx->sysroot, errno));
	free(path);
	path = path_join(f->dir, "modules.builtin");
	if (sysroot_read_file_max(ctx->sysroot, path, MODULES_DEP_MAX, &f->builtin, NULL) != 0 && errno != ENOENT)
		probe_limitation(ctx, path, "%s", sysroot_strerror(ctx->sysroot, errno));
	free(path);
}

static json_t *signature_json(const struct modsig *sig)
{
	json_t *s = json_object();

	jset_bool(s, "present", sig->present);
	jset_str(s, "malformed", sig->malformed[0] ? sig->malformed : NULL);
	if (sig->present && !sig->malformed[0]) {
		jset_str(s, "id_type", modsig_id_type_name(sig->id_type));
		jset_str(s, "signer", sig->signer[0] ? sig->signer : NULL);
		jset_str(s, "key_id", sig->key_id[0] ? sig->key_id : NULL);
		jset_str(s, "hash", sig->hash[0] ? sig->hash : NULL);
	} else {
		jset(s, "id_type", NULL);
		jset(s, "signer", NULL);
		jset(s, "key_id", NULL);
		jset(s, "hash", NULL);
	}
	return s;
}

/* Hash the module file and read its signature trailer. */
static json_t *file_json(struct probe_ctx *ctx, const char *path)
{
	const char *compression = filehash_compression(path);
	json_t *f = json_object();
	struct filehash h;
	struct modsig sig;
	char err[256];

	jset_str(f, "path", path);
	jset_str(f, "compression", compression);
	jset(f, "size", NULL);
	jset(f, "sha256", NULL);
	jset(f, "signature", NULL);
	jset(f, "error", NULL);
	if (filehash_sha256(ctx->sysroot, path, compression ? 0 : MODSIG_TAIL_MAX, &h, err, sizeof(err)) != 0) {
		jset_str(f, "error", err);
		probe_limitation(ctx, path, "%s: module file not hashed", err);
		return f;
	}
	jset_int(f, "size", (json_int_t)h.size);
	jset_str(f, "sha256", h.sha256);
	if (compression == NULL) {
		modsig_parse(h.tail, h.tail_len, &sig);
		jset(f, "signature", signature_json(&sig));
	} else {
		unsigned char *tail = NULL;
		size_t tail_len = 0;
		uint64_t image = 0;
		if (filehash_decompressed_tail(ctx->sysroot, path, MODSIG_TAIL_MAX, MODULE_IMAGE_MAX, &tail, &tail_len,
					       &image, err, sizeof(err)) == 0) {
			modsig_parse(tail, tail_len, &sig);
			jset(f, "signature", signature_json(&sig));
		} else {
			probe_limitation(ctx, path, "%s: signature not examined", err);
		}
		free(tail);
	}
	filehash_free(&h);
	return f;
}

/* /sys/module/<m>/ATTR as a string: null when absent. */
static void add_sys_attr(struct probe_ctx *ctx, const char *name, const char *attr, json_t *m, bool letters)
{
	char *path = xasprintf("/sys/module/%s/%s", name, attr), *line = NULL;

	jset(m, attr, NULL);
	if (sysroot_read_line(ctx->sysroot, path, &line) == 0) {
		bool ok = letters ? taint_letters_valid(line) && strlen(line) < 24
				  : (strlen(line) > 0 && strlen(line) <= 64 && str_is_printable(line) && !strchr(line, ' '));
		if (ok)
			jset_str(m, attr, line);
		else
			probe_fail(ctx, "%s: malformed value \"%.60s\"", path, line);
	} else if (errno != ENOENT) {
		probe_limitation(ctx, path, "%s", sysroot_strerror(ctx->sysroot, errno));
	}
	free(line);
	free(path);
}

static json_t *module_json(struct probe_ctx *ctx, const char *name, const char *driver, const struct loaded *l,
			   const struct module_files *files)
{
	const struct proc_module *pm = loaded_find(l, name);
	char *listed = files->dep ? list_find(ctx, files->dep, "modules.dep", true, name) : NULL;
	char *builtin = (!listed && files->builtin && !ctx->failed)
				? list_find(ctx, files->builtin, "modules.builtin", false, name) : NULL;
	json_t *m;

	if (ctx->failed || (!pm && !listed && !builtin)) {
		free(listed);
		free(builtin);
		return NULL;   /* neither loaded nor installed */
	}
	m = json_object();
	jset_str(m, "name", name);
	jset_str(m, "driver", driver);
	jset(m, "loaded", l->known ? json_boolean(pm != NULL) : NULL);
	jset_bool(m, "builtin", builtin != NULL);
	jset_str(m, "state", pm ? pm->state : NULL);
	jset(m, "refcount", pm && pm->refcount >= 0 ? json_integer(pm->refcount) : NULL);
	if (pm) {
		json_t *users = json_array();
		for (size_t u = 0; u < pm->used_by_count; u++)
			json_array_append_new(users, json_string(pm->used_by[u]));
		json_object_set_new(m, "used_by", users);
	} else {
		jset(m, "used_by", NULL);
	}
	jset_str(m, "flags", pm ? pm->flags : NULL);
	add_sys_attr(ctx, name, "version", m, false);
	add_sys_attr(ctx, name, "srcversion", m, false);
	add_sys_attr(ctx, name, "taint", m, true);
	if (listed) {
		char *path = listed[0] == '/' ? xstrdup(listed) : path_join(files->dir, listed);
		jset(m, "file", file_json(ctx, path));
		free(path);
	} else {
		jset(m, "file", NULL);
	}
	free(listed);
	free(builtin);
	return m;
}

int probe_modules(struct probe_ctx *ctx)
{
	json_t *section = json_object(), *list = json_array();
	struct name_set set = { .count = 0 };
	struct module_files files;
	struct loaded l;

	json_object_set_new(ctx->facts, "modules", section);
	jset_str(section, "release", jstr(jobj(ctx->facts, "host"), "kernel"));
	json_object_set_new(section, "list", list);
	if (json_array_size(jarr(ctx->facts, "drivers")) == 0)
		return 0;
	if (read_proc_modules(ctx, &l) != 0) {
		loaded_free(&l);
		return -1;
	}
	read_module_lists(ctx, &files);
	collect(ctx, &l, &set);
	for (size_t i = 0; i < set.count && !ctx->failed; i++) {
		json_t *m = module_json(ctx, set.names[i], set.driver[i], &l, &files);
		if (m)
			json_array_append_new(list, m);
	}
	set_free(&set);
	loaded_free(&l);
	free(files.dep);
	free(files.builtin);
	free(files.dir);
	return ctx->failed ? -1 : 0;
}

/* --- validation ----------------------------------------------------------- */

static int validate_signature(const json_t *f, const char *where, char *err, size_t errlen)
{
	const json_t *s = jobj(f, "signature");
	char sub[160];

	if (jv_object(f, "signature", JV_REQUIRED | JV_NULLABLE, where, err, errlen))
		return -1;
	if (s == NULL)
		return 0;
	snprintf(sub, sizeof(sub), "%s.signature", where);
	return jv_boolean(s, "present", JV_REQUIRED, sub, err, errlen) ||
	       jv_string(s, "malformed", JV_REQUIRED | JV_NULLABLE, 256, sub, err, errlen) ||
	       jv_string(s, "id_type", JV_REQUIRED | JV_NULLABLE, 16, sub, err, errlen) ||
	       jv_string(s, "signer", JV_REQUIRED | JV_NULLABLE, 256, sub, err, errlen) ||
	       jv_string(s, "key_id", JV_REQUIRED | JV_NULLABLE, 130, sub, err, errlen) ||
	       jv_string(s, "hash", JV_REQUIRED | JV_NULLABLE, 32, sub, err, errlen) ? -1 : 0;
}

static int validate_file(const json_t *m, const char *where, char *err, size_t errlen)
{
	const json_t *f = jobj(m, "file");
	char sub[128];

	if (jv_object(m, "file", JV_REQUIRED | JV_NULLABLE, where, err, errlen))
		return -1;
	if (f == NULL)
		return 0;
	snprintf(sub, sizeof(sub), "%s.file", where);
	if (jv_string(f, "path", JV_REQUIRED, 4096, sub, err, errlen) ||
	    jv_string(f, "compression", JV_REQUIRED | JV_NULLABLE, 8, sub, err, errlen) ||
	    jv_integer(f, "size", JV_REQUIRED | JV_NULLABLE, 0, INT64_MAX, sub, err, errlen) ||
	    jv_hex(f, "sha256", JV_REQUIRED | JV_NULLABLE, 64, sub, err, errlen) ||
	    jv_string(f, "error", JV_REQUIRED | JV_NULLABLE, 512, sub, err, errlen) ||
	    validate_signature(f, sub, err, errlen))
		return -1;
	if (jstr(f, "path")[0] != '/') {
		snprintf(err, errlen, "%s.path: not an absolute path", sub);
		return -1;
	}
	return 0;
}

int validate_modules(const json_t *section, const json_t *facts, char *err, size_t errlen)
{
	size_t i;
	json_t *m;

	(void)facts;
	if (!json_is_object(section)) {
		snprintf(err, errlen, "modules: expected an object");
		return -1;
	}
	if (jv_string(section, "release", JV_REQUIRED | JV_NULLABLE, 256, "modules", err, errlen) ||
	    jv_array(section, "list", JV_REQUIRED, "modules", err, errlen))
		return -1;
	json_array_foreach(jarr(section, "list"), i, m) {
		char where[64];
		snprintf(where, sizeof(where), "modules.list[%zu]", i);
		if (!json_is_object(m)) {
			snprintf(err, errlen, "%s: expected an object", where);
			return -1;
		}
		if (jv_string(m, "name", JV_REQUIRED, KMOD_NAME_MAX, where, err, errlen) ||
		    jv_string(m, "driver", JV_REQUIRED, 256, where, err, errlen) ||
		    jv_boolean(m, "loaded", JV_REQUIRED | JV_NULLABLE, where, err, errlen) ||
		    jv_boolean(m, "builtin", JV_REQUIRED, where, err, errlen) ||
		    jv_string(m, "state", JV_REQUIRED | JV_NULLABLE, 16, where, err, errlen) ||
		    jv_integer(m, "refcount", JV_REQUIRED | JV_NULLABLE, 0, INT32_MAX, where, err, errlen) ||
		    jv_string_array(m, "used_by", JV_REQUIRED | JV_NULLABLE, KMOD_NAME_MAX, where, err, errlen) ||
		    jv_string(m, "flags", JV_REQUIRED | JV_NULLABLE, 23, where, err, errlen) ||
		    jv_string(m, "version", JV_REQUIRED | JV_NULLABLE, 64, where, err, errlen) ||
		    jv_string(m, "srcversion", JV_REQUIRED | JV_NULLABLE, 64, where, err, errlen) ||
		    jv_string(m, "taint", JV_REQUIRED | JV_NULLABLE, 23, where, err, errlen) ||
		    validate_file(m, where, err, errlen))
			return -1;
		if (!kmod_name_valid(jstr(m, "name")) ||
		    (jstr(m, "flags") && !taint_letters_valid(jstr(m, "flags"))) ||
		    (jstr(m, "taint") && !taint_letters_valid(jstr(m, "taint")))) {
			snprintf(err, errlen, "%s: name, flags or taint hold characters the kernel does not print", where);
			return -1;
		}
	}
	return 0;
}
