/* Validation of facts.processes read from an untrusted document: every
 * member the checks use, with its type and range, named on error. */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "core/json.h"
#include "core/util.h"
#include "probe/probe.h"

static int one_of(const json_t *obj, const char *key, const char *const *values, size_t n, const char *where,
		  char *err, size_t errlen)
{
	const char *v = jstr(obj, key);

	for (size_t i = 0; v && i < n; i++)
		if (strcmp(v, values[i]) == 0)
			return 0;
	snprintf(err, errlen, "%s.%s: unexpected value \"%.40s\"", where, key, v ? v : "");
	return -1;
}

static int validate_address(const json_t *sock, const char *key, int family, const char *where, char *err, size_t errlen)
{
	unsigned char buf[16];

	if (jv_string(sock, key, JV_REQUIRED, 64, where, err, errlen))
		return -1;
	if (inet_pton(family, jstr(sock, key), buf) != 1) {
		snprintf(err, errlen, "%s.%s: \"%.64s\" is not an %s address", where, key, jstr(sock, key),
			 family == AF_INET6 ? "IPv6" : "IPv4");
		return -1;
	}
	return 0;
}

static int validate_socket(const json_t *s, const char *where, char *err, size_t errlen)
{
	static const char *const protocols[] = { "tcp", "udp", "unix", "other", "unknown" };
	static const char *const families[] = { "ipv4", "ipv6" };
	static const char *const tcp_states[] = {
		"established", "syn-sent", "syn-recv", "fin-wait-1", "fin-wait-2", "time-wait", "close",
		"close-wait", "last-ack", "listen", "closing", "new-syn-recv",
	};
	static const char *const udp_states[] = { "established", "unconnected" };
	static const char *const unix_states[] = { "listen", "connected", "unconnected" };
	static const char *const unix_types[] = { "stream", "dgram", "seqpacket" };
	const char *proto;
	int family;

	if (!json_is_object(s)) {
		snprintf(err, errlen, "%s: expected an object", where);
		return -1;
	}
	if (jv_integer(s, "fd", JV_REQUIRED, 0, INT32_MAX, where, err, errlen) ||
	    jv_integer(s, "inode", JV_REQUIRED, 1, INT64_MAX, where, err, errlen) ||
	    jv_string(s, "protocol", JV_REQUIRED, 16, where, err, errlen) ||
	    one_of(s, "protocol", protocols, ARRAY_SIZE(protocols), where, err, errlen))
		return -1;
	proto = jstr(s, "protocol");
	if (strcmp(proto, "unix") == 0)
		return jv_string(s, "type", JV_REQUIRED, 16, where, err, errlen) ||
		       one_of(s, "type", unix_types, ARRAY_SIZE(unix_types), where, err, errlen) ||
		       jv_string(s, "state", JV_REQUIRED, 16, where, err, errlen) ||
		       one_of(s, "state", unix_states, ARRAY_SIZE(unix_states), where, err, errlen) ||
		       jv_string(s, "path", JV_REQUIRED | JV_NULLABLE, 8192, where, err, errlen) ? -1 : 0;
	if (strcmp(proto, "tcp") != 0 && strcmp(proto, "udp") != 0)
		return 0;
	if (jv_string(s, "family", JV_REQUIRED, 8, where, err, errlen) ||
	    one_of(s, "family", families, ARRAY_SIZE(families), where, err, errlen) ||
	    jv_string(s, "state", JV_REQUIRED, 16, where, err, errlen))
		return -1;
	if (strcmp(proto, "tcp") == 0 ? one_of(s, "state", tcp_states, ARRAY_SIZE(tcp_states), where, err, errlen)
				      : one_of(s, "state", udp_states, ARRAY_SIZE(udp_states), where, err, errlen))
		return -1;
	family = strcmp(jstr(s, "family"), "ipv6") == 0 ? AF_INET6 : AF_INET;
	return validate_address(s, "local_address", family, where, err, errlen) ||
	       validate_address(s, "remote_address", family, where, err, errlen) ||
	       jv_integer(s, "local_port", JV_REQUIRED, 0, 65535, where, err, errlen) ||
	       jv_integer(s, "remote_port", JV_REQUIRED, 0, 65535, where, err, errlen) ? -1 : 0;
}

static int validate_dbs(const json_t *p, const char *where, char *err, size_t errlen)
{
	static const char *const dbs[] = { "dpkg", "rpm" };
	size_t i;
	json_t *v;

	if (jv_array(p, "package_databases", JV_REQUIRED | JV_NULLABLE, where, err, errlen))
		return -1;
	json_array_foreach(json_object_get(p, "package_databases"), i, v) {
		if (!json_is_string(v) || (strcmp(json_string_value(v), dbs[0]) != 0 && strcmp(json_string_value(v), dbs[1]) != 0)) {
			snprintf(err, errlen, "%s.package_databases[%zu]: expected \"dpkg\" or \"rpm\"", where, i);
			return -1;
		}
	}
	return 0;
}

static int validate_details(const json_t *p, const char *where, char *err, size_t errlen)
{
	const char *pkg;
	size_t i;
	json_t *item;

	if (jv_integer(p, "ppid", JV_REQUIRED | JV_NULLABLE, 0, INT32_MAX, where, err, errlen) ||
	    jv_string_array(p, "cmdline", JV_REQUIRED, 4u << 20, where, err, errlen) ||
	    jv_string(p, "exe", JV_REQUIRED | JV_NULLABLE, 4096, where, err, errlen) ||
	    jv_boolean(p, "exe_deleted", JV_REQUIRED, where, err, errlen) ||
	    jv_hex(p, "exe_sha256", JV_REQUIRED | JV_NULLABLE, 64, where, err, errlen) ||
	    jv_string(p, "exe_package", JV_REQUIRED | JV_NULLABLE, 512, where, err, errlen) ||
	    validate_dbs(p, where, err, errlen) ||
	    jv_boolean(p, "own_root", JV_REQUIRED, where, err, errlen) ||
	    jv_string(p, "cgroup", JV_REQUIRED | JV_NULLABLE, 4096, where, err, errlen) ||
	    jv_string(p, "unit", JV_REQUIRED | JV_NULLABLE, 4096, where, err, errlen) ||
	    jv_string(p, "container", JV_REQUIRED | JV_NULLABLE, 128, where, err, errlen) ||
	    jv_string_array(p, "devices", JV_REQUIRED, 4096, where, err, errlen) ||
	    jv_boolean(p, "sockets_resolved", JV_REQUIRED, where, err, errlen) ||
	    jv_array(p, "sockets", JV_REQUIRED, where, err, errlen))
		return -1;
	pkg = jstr(p, "exe_package");
	if (pkg && !str_starts_with(pkg, "dpkg:") && !str_starts_with(pkg, "rpm:")) {
		snprintf(err, errlen, "%s.exe_package: \"%.60s\" does not name dpkg: or rpm:", where, pkg);
		return -1;
	}
	json_array_foreach(json_object_get(p, "sockets"), i, item) {
		char sub[160];
		snprintf(sub, sizeof(sub), "%s.sockets[%zu]", where, i);
		if (validate_socket(item, sub, err, errlen))
			return -1;
	}
	return 0;
}

static int validate_process(const json_t *p, int inspectable, const char *where, char *err, size_t errlen)
{
	bool flag;

	if (!json_is_object(p)) {
		snprintf(err, errlen, "%s: expected an object", where);
		return -1;
	}
	if (jv_integer(p, "pid", JV_REQUIRED, 1, INT32_MAX, where, err, errlen) ||
	    jv_integer(p, "uid", JV_REQUIRED | JV_NULLABLE, 0, UINT32_MAX, where, err, errlen) ||
	    jv_string(p, "user", JV_REQUIRED | JV_NULLABLE, 256, where, err, errlen) ||
	    jv_string(p, "command", JV_REQUIRED | JV_NULLABLE, 64, where, err, errlen) ||
	    jv_boolean(p, "inspectable", JV_REQUIRED, where, err, errlen))
		return -1;
	jbool(p, "inspectable", &flag);
	if (inspectable >= 0 && flag != (inspectable != 0)) {
		snprintf(err, errlen, "%s.inspectable: expected %s here", where, inspectable ? "true" : "false");
		return -1;
	}
	return flag ? validate_details(p, where, err, errlen) : 0;
}

static int validate_list(const json_t *sec, const char *key, int inspectable, const char *where, char *err, size_t errlen)
{
	size_t i;
	json_t *p;

	if (jv_array(sec, key, JV_REQUIRED, where, err, errlen))
		return -1;
	json_array_foreach(json_object_get(sec, key), i, p) {
		char sub[96];
		snprintf(sub, sizeof(sub), "%s.%s[%zu]", where, key, i);
		if (validate_process(p, inspectable, sub, err, errlen))
			return -1;
	}
	return 0;
}

static int validate_daemons(const json_t *sec, char *err, size_t errlen)
{
	size_t i;
	json_t *d;

	if (jv_array(sec, "daemons", JV_REQUIRED, "processes", err, errlen))
		return -1;
	json_array_foreach(json_object_get(sec, "daemons"), i, d) {
		char sub[64];
		bool running;
		snprintf(sub, sizeof(sub), "processes.daemons[%zu]", i);
		if (!json_is_object(d)) {
			snprintf(err, errlen, "%s: expected an object", sub);
			return -1;
		}
		if (jv_string(d, "name", JV_REQUIRED, 64, sub, err, errlen) ||
		    jv_string(d, "vendor", JV_REQUIRED, 64, sub, err, errlen) ||
		    jv_boolean(d, "running", JV_REQUIRED, sub, err, errlen) ||
		    validate_list(d, "processes", -1, sub, err, errlen))
			return -1;
		jbool(d, "running", &running);
		if (running != (json_array_size(json_object_get(d, "processes")) > 0)) {
			snprintf(err, errlen, "%s.running: disagrees with its processes", sub);
			return -1;
		}
	}
	return 0;
}

int validate_processes(const json_t *sec, const json_t *facts, char *err, size_t errlen)
{
	(void)facts;
	if (json_is_null(sec))
		return 0;
	if (!json_is_object(sec)) {
		snprintf(err, errlen, "processes: expected an object or null");
		return -1;
	}
	return jv_string_array(sec, "device_node_patterns", JV_REQUIRED, 1024, "processes", err, errlen) ||
	       validate_list(sec, "device_users", 1, "processes", err, errlen) ||
	       validate_list(sec, "not_inspectable", 0, "processes", err, errlen) ||
	       validate_daemons(sec, err, errlen) ? -1 : 0;
}
