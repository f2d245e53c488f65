#include "json.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fileio.h"
#include "util.h"

json_t *json_parse_strict(const char *buf, size_t len, const char *name, char *err, size_t errlen)
{
	json_error_t jerr;
	json_t *root;

	if (memchr(buf, '\0', len) != NULL) {
		snprintf(err, errlen, "%s: contains a NUL byte: not a JSON text", name);
		return NULL;
	}
	root = json_loadb(buf, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &jerr);
	if (root == NULL) {
		/* jansson quotes the text near the error, newlines and all: the
		 * message must stay one line */
		text_one_line(jerr.text);
		if (len == 0)
			snprintf(err, errlen, "%s: empty file, expected a JSON document", name);
		else
			snprintf(err, errlen, "%s:%d:%d: %s", name, jerr.line, jerr.column, jerr.text);
		return NULL;
	}
	return root;
}

json_t *json_load_path(const char *path, char *err, size_t errlen, int *exit_code)
{
	const char *name = strcmp(path, "-") == 0 ? "<stdin>" : path;
	char *buf;
	size_t len;
	json_t *root;

	*exit_code = read_file_bounded(path, JSON_MAX_DOCUMENT, &buf, &len, err, errlen);
	if (*exit_code != 0)
		return NULL;
	root = json_parse_strict(buf, len, name, err, errlen);
	free(buf);
	if (root == NULL)
		*exit_code = CA_ERR_DATA;
	return root;
}

static int present(const json_t *parent, const char *key, int flags, const json_t **v,
		   const char *where, char *err, size_t errlen)
{
	*v = json_object_get(parent, key);
	if (*v == NULL) {
		if (flags & JV_REQUIRED) {
			snprintf(err, errlen, "%s.%s: missing", where, key);
			return -1;
		}
		return 0;
	}
	if (json_is_null(*v)) {
		if (!(flags & JV_NULLABLE)) {
			snprintf(err, errlen, "%s.%s: null where a value is required", where, key);
			return -1;
		}
		*v = NULL;
		return 0;
	}
	return 1;
}

#define VALIDATE_PRESENT()                                                     \
	const json_t *v;                                                       \
	int p = present(parent, key, flags, &v, where, err, errlen);           \
	if (p <= 0)                                                            \
		return p

int jv_object(const json_t *parent, const char *key, int flags, const char *where, char *err, size_t errlen)
{
	VALIDATE_PRESENT();
	if (!json_is_object(v)) {
		snprintf(err, errlen, "%s.%s: expected an object", where, key);
		return -1;
	}
	return 0;
}

int jv_array(const json_t *parent, const char *key, int flags, const char *where, char *err, size_t errlen)
{
	VALIDATE_PRESENT();
	if (!json_is_array(v)) {
		snprintf(err, errlen, "%s.%s: expected an array", where, key);
		return -1;
	}
	return 0;
}

static int check_string(const json_t *v, size_t maxlen, const char *where, const char *key,
			char *err, size_t errlen)
{
	if (!json_is_string(v)) {
		snprintf(err, errlen, "%s.%s: expected a string", where, key);
		return -1;
	}
	if (json_string_length(v) > maxlen) {
		snprintf(err, errlen, "%s.%s: string longer than %zu bytes", where, key, maxlen);
		return -1;
	}
	if (strlen(json_string_value(v)) != json_string_length(v)) {
		snprintf(err, errlen, "%s.%s: string contains a NUL character", where, key);
		return -1;
	}
	return 0;
}

int jv_string(const json_t *parent, const char *key, int flags, size_t maxlen, const char *where, char *err, size_t errlen)
{
	VALIDATE_PRESENT();
	return check_string(v, maxlen, where, key, err, errlen);
}

bool is_hex_string(const char *s, size_t digits)
{
	size_t n = 0;
	for (; s[n]; n++)
		if (!isxdigit((unsigned char)s[n]) || isupper((unsigned char)s[n]))
			return false;
	return n == digits;
}

int jv_hex(const json_t *parent, const char *key, int flags, size_t digits, const char *where, char *err, size_t errlen)
{
	VALIDATE_PRESENT();
	if (check_string(v, digits, where, key, err, errlen) != 0 ||
	    !is_hex_string(json_string_value(v), digits)) {
		snprintf(err, errlen, "%s.%s: expected %zu lowercase hex digits", where, key, digits);
		return -1;
	}
	return 0;
}

int jv_integer(const json_t *parent, const char *key, int flags, json_int_t min, json_int_t max, const char *where, char *err, size_t errlen)
{
	json_int_t n;
	VALIDATE_PRESENT();
	if (!json_is_integer(v)) {
		snprintf(err, errlen, "%s.%s: expected an integer", where, key);
		return -1;
	}
	n = json_integer_value(v);
	if (n < min || n > max) {
		snprintf(err, errlen, "%s.%s: %" JSON_INTEGER_FORMAT " out of range [%" JSON_INTEGER_FORMAT ", %" JSON_INTEGER_FORMAT "]",
			 where, key, n, min, max);
		return -1;
	}
	return 0;
}

int jv_number(const json_t *parent, const char *key, int flags, double min, double max, const char *where, char *err, size_t errlen)
{
	double d;
	VALIDATE_PRESENT();
	if (!json_is_number(v)) {
		snprintf(err, errlen, "%s.%s: expected a number", where, key);
		return -1;
	}
	d = json_number_value(v);
	if (!isfinite(d) || d < min || d > max) {
		snprintf(err, errlen, "%s.%s: %g out of range [%g, %g]", where, key, d, min, max);
		return -1;
	}
	return 0;
}

int jv_boolean(const json_t *parent, const char *key, int flags, const char *where, char *err, size_t errlen)
{
	VALIDATE_PRESENT();
	if (!json_is_boolean(v)) {
		snprintf(err, errlen, "%s.%s: expected true or false", where, key);
		return -1;
	}
	return 0;
}

int jv_string_array(const json_t *parent, const char *key, int flags, size_t maxlen, const char *where, char *err, size_t errlen)
{
	size_t i;
	json_t *item;
	VALIDATE_PRESENT();
	if (!json_is_array(v)) {
		snprintf(err, errlen, "%s.%s: expected an array", where, key);
		return -1;
	}
	json_array_foreach(v, i, item) {
		char name[64];
		snprintf(name, sizeof(name), "%s[%zu]", key, i);
		if (check_string(item, maxlen, where, name, err, errlen) != 0)
			return -1;
	}
	return 0;
}

int jv_only_members(const json_t *obj, const char *const *allowed, size_t n, const char *where,
		    char *err, size_t errlen)
{
	const char *key;
	json_t *v;

	json_object_foreach((json_t *)obj, key, v) {
		size_t i;
		for (i = 0; i < n && strcmp(allowed[i], key) != 0; i++)
			;
		if (i == n) {
			snprintf(err, errlen, "%s.%.64s: unknown member", where, key);
			return -1;
		}
	}
	return 0;
}

const char *jstr(const json_t *obj, const char *key)
{
	return json_string_value(json_object_get(obj, key));
}

bool jint(const json_t *obj, const char *key, json_int_t *out)
{
	json_t *v = json_object_get(obj, key);
	if (!json_is_integer(v))
		return false;
	*out = json_integer_value(v);
	return true;
}

bool jnum(const json_t *obj, const char *key, double *out)
{
	json_t *v = json_object_get(obj, key);
	if (!json_is_number(v))
		return false;
	*out = json_number_value(v);
	return true;
}

bool jbool(const json_t *obj, const char *key, bool *out)
{
	json_t *v = json_object_get(obj, key);
	if (!json_is_boolean(v))
		return false;
	*out = json_is_true(v);
	return true;
}

json_t *jobj(const json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);
	return json_is_object(v) ? v : NULL;
}

json_t *jarr(const json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);
	return json_is_array(v) ? v : NULL;
}

void jset(json_t *obj, const char *key, json_t *value)
{
	json_object_set_new(obj, key, value ? value : json_null());
}

/* Strings read from the machine are not trusted to be UTF-8: bytes that do
 * not form valid UTF-8 become '?', so the value survives instead of vanishing. */
json_t *json_string_lossy(const char *value)
{
	json_t *s = json_string(value);
	char *copy;

	if (s != NULL)
		return s;
	copy = xstrdup(value);
	for (char *p = copy; *p; p++)
		if ((unsigned char)*p >= 0x80)
			*p = '?';
	s = json_string(copy);
	free(copy);
	return s;
}

void jset_str(json_t *obj, const char *key, const char *value)
{
	jset(obj, key, value ? json_string_lossy(value) : NULL);
}

void jset_int(json_t *obj, const char *key, json_int_t value)
{
	jset(obj, key, json_integer(value));
}

void jset_bool(json_t *obj, const char *key, bool value)
{
	jset(obj, key, json_boolean(value));
}

void jset_num(json_t *obj, const char *key, double value)
{
	jset(obj, key, isfinite(value) ? json_real(value) : NULL);
}

char *json_to_text(const json_t *v, bool pretty)
{
	size_t flags = JSON_PRESERVE_ORDER | JSON_ENCODE_ANY | (pretty ? JSON_INDENT(2) : JSON_COMPACT);
	char *s = json_dumps(v, flags);
	if (s == NULL)
		out_of_memory();
	return s;
}

char *json_to_text_nl(const json_t *v, bool pretty)
{
	char *body = json_to_text(v, pretty), *text = xasprintf("%s\n", body);

	free(body);
	return text;
}

json_t *jpath_parent(json_t *obj, const char *path, const char **leaf, bool create)
{
	const char *p = path, *dot;

	while ((dot = strchr(p, '.')) != NULL) {
		char key[64];
		size_t n = (size_t)(dot - p);
		json_t *next;
		if (n >= sizeof(key) || !json_is_object(obj))
			return NULL;
		memcpy(key, p, n);
		key[n] = '\0';
		next = json_object_get(obj, key);
		if (!json_is_object(next)) {
			if (!create)
				return NULL;
			next = json_object();
			json_object_set_new(obj, key, next);
		}
		obj = next;
		p = dot + 1;
	}
	*leaf = p;
	return json_is_object(obj) ? obj : NULL;
}

const json_t *jpath(const json_t *obj, const char *path)
{
	const char *leaf;
	const json_t *parent = jpath_parent((json_t *)obj, path, &leaf, false), *v;

	if (parent == NULL)
		return NULL;
	v = json_object_get(parent, leaf);
	return json_is_null(v) ? NULL : v;
}
