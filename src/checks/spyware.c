/* Spyware checks: software that holds an accelerator and talks to the
 * network, management daemons listening beyond loopback, and executables
 * no package accounts for. Facts: facts.processes (src/probe/procs.c);
 * expectations: the site policy (--policy, docs/spyware.md).
 *
 * Without a policy, anything found is a warning: chipaudit cannot tell an
 * approved NCCL peer from an exfiltration channel. With a policy, what it
 * expects passes and the rest fails. Processes that could not be inspected
 * make the verdict a skip, never a pass. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "checks/spyware.h"
#include "checks/spyware_policy.h"
#include "core/check.h"
#include "core/json.h"
#include "core/util.h"

#define EVIDENCE_MAX_ITEMS 100

static const char remediation_talk[] =
	"Find out what the process is and why it talks to these peers. If it is expected (a training job's "
	"collective-communication peers, a monitoring scrape), list it in a site policy passed with --policy "
	"(docs/spyware.md); if not, stop it and find out how it got there.";

/* --- reading facts ------------------------------------------------------------- */

struct sock_view {
	int listener, connection;
	enum policy_protocol protocol;
	int family;                       /* of the address that matters */
	uint8_t local[16], remote[16];
	int local_family, remote_family;
	uint16_t local_port, remote_port;
};

/* A TCP or UDP socket: is it a listener, a connection, and to where. */
static int classify(const json_t *sock, struct sock_view *v)
{
	const char *proto = jstr(sock, "protocol"), *state = jstr(sock, "state");
	json_int_t lp = 0, rp = 0;

	memset(v, 0, sizeof(*v));
	if (proto == NULL || state == NULL || (strcmp(proto, "tcp") != 0 && strcmp(proto, "udp") != 0))
		return -1;
	if (ip_parse(jstr(sock, "local_address"), &v->local_family, v->local) != 0 ||
	    ip_parse(jstr(sock, "remote_address"), &v->remote_family, v->remote) != 0 ||
	    !jint(sock, "local_port", &lp) || !jint(sock, "remote_port", &rp))
		return -1;
	v->local_port = (uint16_t)lp;
	v->remote_port = (uint16_t)rp;
	v->protocol = strcmp(proto, "tcp") == 0 ? POLICY_TCP : POLICY_UDP;
	if (v->protocol == POLICY_TCP) {
		v->listener = strcmp(state, "listen") == 0;
		v->connection = !v->listener && strcmp(state, "close") != 0 && strcmp(state, "time-wait") != 0 &&
				strcmp(state, "new-syn-recv") != 0 && rp != 0;
	} else {
		/* an unconnected bound UDP socket receives from anyone: ss shows it as listening */
		v->listener = strcmp(state, "unconnected") == 0 && lp != 0;
		v->connection = strcmp(state, "established") == 0;
	}
	return 0;
}

static void endpoint(char *buf, size_t len, int family, const uint8_t addr[16], uint16_t port)
{
	char a[INET6_ADDRSTRLEN] = "?";

	inet_ntop(family, addr, a, sizeof(a));
	if (family == AF_INET6)
		snprintf(buf, len, "[%s]:%u", a, port);
	else
		snprintf(buf, len, "%s:%u", a, port);
}

static const json_t *processes(const struct judge_ctx *ctx)
{
	return jobj(ctx->facts, "processes");
}

static const struct spyware_policy *policy(const struct judge_ctx *ctx)
{
	return ctx->options ? ctx->options->spyware_policy : NULL;
}

static json_t *policy_evidence(const struct judge_ctx *ctx)
{
	const struct spyware_policy *p = policy(ctx);
	return p ? json_string(p->name) : json_null();
}

static json_t *process_evidence(const json_t *p)
{
	json_t *o = json_object();
	static const char *const keys[] = { "pid", "user", "command", "exe", "exe_deleted", "exe_sha256", "exe_package",
					    "own_root", "unit", "container", "devices" };

	for (size_t i = 0; i < ARRAY_SIZE(keys); i++) {
		json_t *v = json_object_get(p, keys[i]);
		if (v)
			json_object_set(o, keys[i], v);
	}
	return o;
}

static struct policy_subject subject_of(const json_t *p, const char *daemon)
{
	struct policy_subject who = { jstr(p, "exe"), jstr(p, "command"), jstr(p, "user"), daemon };
	return who;
}

static const char *name_of(const json_t *p)
{
	return jstr(p, "command") ? jstr(p, "command") : "?";
}

/* Which daemon, if any, a process is (by pid, from the daemons list). */
static const char *daemon_of(const json_t *sec, json_int_t pid)
{
	size_t i, j;
	json_t *d, *p;

	json_array_foreach(jarr(sec, "daemons"), i, d) {
		json_array_foreach(jarr(d, "processes"), j, p) {
			json_int_t other;
			if (jint(p, "pid", &other) && other == pid)
				return jstr(d, "name");
		}
	}
	return NULL;
}

/* --- coverage: what could not be seen ---------------------------------------------- */

int spyware_coverage_gap(const json_t *sec, const json_t *procs, json_t **evidence, char *why, size_t len)
{
	size_t hidden = json_array_size(jarr(sec, "not_inspectable")), unresolved = 0, i;
	json_t *p;
	bool ok;

	json_array_foreach(procs, i, p)
		if (jbool(p, "inspectable", &ok) && ok && jbool(p, "sockets_resolved", &ok) && !ok)
			unresolved++;
	if (hidden == 0 && unresolved == 0)
		return 0;
	*evidence = json_pack("{s:i, s:i}", "not_inspectable", (int)hidden, "sockets_unresolved", (int)unresolved);
	if (hidden && unresolved)
		snprintf(why, len, "%zu process%s could not be inspected and the sockets of %zu could not be resolved",
			 hidden, hidden == 1 ? "" : "es", unresolved);
	else if (hidden)
		snprintf(why, len, "%zu process%s could not be inspected (see spyware.process.inspectable)",
			 hidden, hidden == 1 ? "" : "es");
	else
		snprintf(why, len, "the sockets of %zu process%s could not be resolved (see the limitations)",
			 unresolved, unresolved == 1 ? "" : "es");
	return 1;
}

static int section_missing(const struct check *check, const struct judge_ctx *ctx, struct findings *out)
{
	if (processes(ctx) != NULL)
		return 0;
	finding_add(out, check, STATUS_SKIP, "host", NULL,
		    "Audit the machine itself, as root, or a capture that holds /proc.",
		    json_object_get(ctx->facts, "processes") ? "Processes were not examined: see the limitations"
							      : "These facts have no processes section");
	return 1;
}

/* --- device users: connections and listeners ------------------------------------- */

enum sock_kind { WANT_CONNECTION, WANT_LISTENER };

/* The sockets of P of the wanted kind that go beyond loopback, each with the
 * rule that expects it. Returns how many the policy does not expect. */
static size_t exposed_sockets(const struct judge_ctx *ctx, const json_t *p, const char *daemon, enum sock_kind kind,
			      json_t *list)
{
	const struct spyware_policy *pol = policy(ctx);
	struct policy_subject who = subject_of(p, daemon);
	size_t i, unexpected = 0;
	json_t *sock;

	json_array_foreach(jarr(p, "sockets"), i, sock) {
		struct sock_view v;
		struct policy_socket ps;
		char local[64], remote[64];
		long rule;
		json_t *item;

		if (classify(sock, &v) != 0)
			continue;
		if (kind == WANT_CONNECTION ? (!v.connection || ip_is_loopback(v.remote_family, v.remote))
					    : (!v.listener || ip_is_loopback(v.local_family, v.local)))
			continue;
		memset(&ps, 0, sizeof(ps));
		ps.kind = kind == WANT_CONNECTION ? POLICY_CONNECT : POLICY_LISTEN;
		ps.protocol = v.protocol;
		ps.family = kind == WANT_CONNECTION ? v.remote_family : v.local_family;
		memcpy(ps.addr, kind == WANT_CONNECTION ? v.remote : v.local, 16);
		ps.port = kind == WANT_CONNECTION ? v.remote_port : v.local_port;
		rule = spyware_policy_match(pol, &who, &ps);
		if (rule < 0)
			unexpected++;
		endpoint(local, sizeof(local), v.local_family, v.local, v.local_port);
		endpoint(remote, sizeof(remote), v.remote_family, v.remote, v.remote_port);
		item = json_pack("{s:s, s:s, s:s}", "protocol", v.protocol == POLICY_TCP ? "tcp" : "udp",
				 "state", jstr(sock, "state"), "local", local);
		if (kind == WANT_CONNECTION)
			jset_str(item, "remote", remote);
		json_object_set(item, "fd", json_object_get(sock, "fd"));
		if (rule >= 0)
			jset(item, "expected_by", json_pack("{s:i, s:s?}", "rule", (int)rule,
							    "comment", pol->rules[rule].comment));
		else
			jset(item, "expected_by", NULL);
		if (json_array_size(list) < EVIDENCE_MAX_ITEMS)
			json_array_append_new(list, item);
		else
			json_decref(item);
	}
	return unexpected;
}

/* "10.0.0.2:40000, 203.0.113.5:443 and 3 more" from an evidence list. */
static void summarise(const json_t *list, const char *key, int only_unexpected, char *buf, size_t len)
{
	size_t i, shown = 0, total = 0;
	json_t *item;

	buf[0] = '\0';
	json_array_foreach(list, i, item) {
		if (only_unexpected && !json_is_null(json_object_get(item, "expected_by")))
			continue;
		total++;
		if (shown < 4) {
			size_t used = strlen(buf);
			snprintf(buf + used, len - used, "%s%s", shown ? ", " : "", jstr(item, key));
			shown++;
		}
	}
	if (total > shown) {
		size_t used = strlen(buf);
		snprintf(buf + used, len - used, " and %zu more", total - shown);
	}
}

static void report_process(const struct check *check, const struct judge_ctx *ctx, struct findings *out,
			   const json_t *p, enum sock_kind kind, json_t *list, size_t unexpected)
{
	const struct spyware_policy *pol = policy(ctx);
	json_t *ev = process_evidence(p);
	size_t n = json_array_size(list);
	const char *what = kind == WANT_CONNECTION ? "is connected to" : "listens on";
	const char *key = kind == WANT_CONNECTION ? "remote" : "local";
	char peers[512];
	json_int_t pid = 0;

	jint(p, "pid", &pid);
	jset(ev, kind == WANT_CONNECTION ? "connections" : "listeners", list);
	jset(ev, "policy", policy_evidence(ctx));
	if (pol == NULL) {
		summarise(list, key, 0, peers, sizeof(peers));
		finding_add(out, check, STATUS_WARN, "host", ev, remediation_talk,
			    "%s (pid %lld) holds an accelerator and %s %zu non-loopback address%s: %s; no site policy says whether that is expected",
			    name_of(p), (long long)pid, what, n, n == 1 ? "" : "es", peers);
	} else if (unexpected == 0) {
		summarise(list, key, 0, peers, sizeof(peers));
		finding_add(out, check, STATUS_PASS, "host", ev, NULL,
			    "%s (pid %lld) holds an accelerator and %s %s, as the policy expects",
			    name_of(p), (long long)pid, what, peers);
	} else {
		summarise(list, key, 1, peers, sizeof(peers));
		finding_add(out, check, STATUS_FAIL, "host", ev, remediation_talk,
			    "%s (pid %lld) holds an accelerator and %s %s, which the policy does not expect",
			    name_of(p), (long long)pid, what, peers);
	}
}

static void evaluate_device_sockets(const struct check *check, const struct judge_ctx *ctx, struct findings *out,
				    enum sock_kind kind)
{
	const json_t *sec = processes(ctx), *users;
	json_t *gap = NULL, *p;
	size_t i, flagged = 0;
	char why[256];

	if (section_missing(check, ctx, out))
		return;
	users = jarr(sec, "device_users");
	json_array_foreach(users, i, p) {
		json_t *list = json_array();
		json_int_t pid = 0;
		size_t unexpected;
		jint(p, "pid", &pid);
		unexpected = exposed_sockets(ctx, p, daemon_of(sec, pid), kind, list);
		if (json_array_size(list) == 0) {
			json_decref(list);
			continue;
		}
		flagged++;
		report_process(check, ctx, out, p, kind, list, unexpected);
	}
	if (spyware_coverage_gap(sec, users, &gap, why, sizeof(why))) {
		finding_add(out, check, STATUS_SKIP, "host", gap, "Run the audit as root on the machine itself.",
			    "Not every process holding an accelerator could be examined: %s", why);
		return;
	}
	if (flagged > 0)
		return;
	if (json_array_size(users) == 0)
		finding_add(out, check, STATUS_PASS, "host", json_pack("{s:i}", "device_users", 0), NULL,
			    "No process holds an accelerator device node open");
	else
		finding_add(out, check, STATUS_PASS, "host", json_pack("{s:i}", "device_users", (int)json_array_size(users)), NULL,
			    "%zu process%s hold%s an accelerator; none %s a non-loopback address",
			    json_array_size(users), json_array_size(users) == 1 ? "" : "es",
			    json_array_size(users) == 1 ? "s" : "",
			    kind == WANT_CONNECTION ? "is connected to" : "listens on");
}

static void evaluate_remote(const struct check *check, const struct judge_ctx *ctx, struct findings *out)
{
	evaluate_device_sockets(check, ctx, out, WANT_CONNECTION);
}

static void evaluate_listener(const struct check *check, const struct judge_ctx *ctx, struct findings *out)
{
	evaluate_device_sockets(check, ctx, out, WANT_LISTENER);
}

/* --- management daemons ----------------------------------------------------------- */

static void evaluate_daemons(const struct check *check, const struct judge_ctx *ctx, struct findings *out)
{
	const struct spyware_policy *pol = policy(ctx);
	const json_t *sec = processes(ctx);
	json_t *d, *running = NULL;
	size_t i, j, flagged = 0, hidden = 0;

	if (section_missing(check, ctx, out))
		return;
	running = json_array();
	json_array_foreach(jarr(sec, "daemons"), i, d) {
		const json_t *p;
		bool on = false;
		if (!jbool(d, "running", &on) || !on)
			continue;
		json_array_append_new(running, json_string(jstr(d, "name")));
		json_array_foreach(jarr(d, "processes"), j, p) {
			json_t *listeners = json_array(), *conns = json_array(), *ev;
			bool ok = false;
			size_t unexpected;
			json_int_t pid = 0;
			char where[512];
			if ((jbool(p, "inspectable", &ok) && !ok) || (jbool(p, "sockets_resolved", &ok) && !ok)) {
				hidden++;
				json_decref(listeners);
				json_decref(conns);
				continue;
			}
			unexpected = exposed_sockets(ctx, p, jstr(d, "name"), WANT_LISTENER, listeners);
			if (json_array_size(listeners) == 0) {
				json_decref(listeners);
				json_decref(conns);
				continue;
			}
			exposed_sockets(ctx, p, jstr(d, "name"), WANT_CONNECTION, conns);
			flagged++;
			jint(p, "pid", &pid);
			ev = process_evidence(p);
			jset_str(ev, "daemon", jstr(d, "name"));
			jset_str(ev, "vendor", jstr(d, "vendor"));
			jset(ev, "listeners", listeners);
			jset(ev, "connections", conns);
			jset(ev, "policy", policy_evidence(ctx));
			summarise(listeners, "local", pol != NULL && unexpected > 0, where, sizeof(where));
			if (pol == NULL)
				finding_add(out, check, STATUS_WARN, "host", ev,
					    "Bind the daemon to 127.0.0.1 or a management network, or firewall the port; if the exposure is intended, list it in a site policy (--policy).",
					    "%s daemon %s (pid %lld) listens beyond loopback on %s",
					    jstr(d, "vendor"), jstr(d, "name"), (long long)pid, where);
			else if (unexpected == 0)
				finding_add(out, check, STATUS_PASS, "host", ev, NULL,
					    "%s (pid %lld) listens on %s, as the policy expects", jstr(d, "name"), (long long)pid, where);
			else
				finding_add(out, check, STATUS_FAIL, "host", ev,
					    "Bind the daemon to 127.0.0.1 or a management network, or firewall the port.",
					    "%s daemon %s (pid %lld) listens on %s, which the policy does not expect",
					    jstr(d, "vendor"), jstr(d, "name"), (long long)pid, where);
		}
	}
	if (hidden > 0) {
		finding_add(out, check, STATUS_SKIP, "host", json_pack("{s:o, s:i}", "running", running, "not_examined", (int)hidden),
			    "Run the audit as root on the machine itself.",
			    "%zu daemon process%s could not be examined", hidden, hidden == 1 ? "" : "es");
		return;
	}
	if (flagged > 0) {
		json_decref(running);
		return;
	}
	if (json_array_size(running) == 0)
		finding_add(out, check, STATUS_PASS, "host", json_pack("{s:o}", "running", running), NULL,
			    "No accelerator-management daemon from data/daemons.json is running");
	else
		finding_add(out, check, STATUS_PASS, "host", json_pack("{s:o}", "running", running), NULL,
			    "%zu management daemon%s running; none listens beyond loopback",
			    json_array_size(running), json_array_size(running) == 1 ? " is" : "s are");
}

/* --- executables ------------------------------------------------------------------ */

static void evaluate_exe(const struct check *check, const struct judge_ctx *ctx, struct findings *out)
{
	const struct spyware_policy *pol = policy(ctx);
	const json_t *sec = processes(ctx), *users;
	json_t *p, *gap = NULL;
	size_t i, flagged = 0, unknown = 0;
	char why[256];

	if (section_missing(check, ctx, out))
		return;
	users = jarr(sec, "device_users");
	json_array_foreach(users, i, p) {
		const char *exe = jstr(p, "exe"), *pkg = jstr(p, "exe_package");
		const json_t *dbs = jarr(p, "package_databases");
		bool deleted = false;
		long rule;
		json_int_t pid = 0;
		json_t *ev;

		jbool(p, "exe_deleted", &deleted);
		jint(p, "pid", &pid);
		if (exe == NULL || (!deleted && json_array_size(dbs) == 0)) {
			unknown++;
			continue;
		}
		if (!deleted && pkg != NULL)
			continue;
		flagged++;
		rule = spyware_policy_exe(pol, exe, jstr(p, "exe_sha256"));
		ev = process_evidence(p);
		jset(ev, "package_databases", json_deep_copy(dbs));
		jset(ev, "policy", policy_evidence(ctx));
		jset(ev, "expected_by", rule >= 0 ? json_pack("{s:i, s:s?}", "executable", (int)rule,
							      "comment", pol->exes[rule].comment) : NULL);
		if (rule >= 0)
			finding_add(out, check, STATUS_PASS, "host", ev, NULL,
				    "%s (pid %lld) runs %s%s, which the policy lists%s", name_of(p), (long long)pid, exe,
				    deleted ? " (deleted or replaced since it started)" : ", owned by no package",
				    pol->exes[rule].sha256[0] ? " with this sha256" : "");
		else
			finding_add(out, check, pol ? STATUS_FAIL : STATUS_WARN, "host", ev,
				    deleted ? "The binary running is no longer the file on disk: restart the process from a known-good package, and compare exe_sha256 with the vendor's."
					    : "Find where the binary came from; install it from a package, or list it with its sha256 in the site policy's executables.",
				    "%s (pid %lld) holds an accelerator and runs %s, %s", name_of(p), (long long)pid, exe,
				    deleted ? "which has been deleted or replaced since it started"
					    : "which no installed package owns");
	}
	if (spyware_coverage_gap(sec, users, &gap, why, sizeof(why)) || unknown > 0) {
		if (gap == NULL)
			gap = json_object();
		jset_int(gap, "executable_unknown", (json_int_t)unknown);
		if (unknown > 0)
			snprintf(why, sizeof(why), "for %zu process%s, the executable or a package database to check it against could not be read (see the limitations)",
				 unknown, unknown == 1 ? "" : "es");
		finding_add(out, check, STATUS_SKIP, "host", gap, "Run the audit as root on the machine itself.",
			    "Not every executable holding an accelerator could be checked: %s", why);
		return;
	}
	if (flagged == 0)
		finding_add(out, check, STATUS_PASS, "host", json_pack("{s:i}", "device_users", (int)json_array_size(users)), NULL,
			    json_array_size(users) ? "Every process holding an accelerator runs an executable owned by an installed package"
						   : "No process holds an accelerator device node open");
}

/* --- inspectability ---------------------------------------------------------------- */

static void evaluate_inspectable(const struct check *check, const struct judge_ctx *ctx, struct findings *out)
{
	const json_t *sec = processes(ctx), *hidden;
	json_t *list, *p;
	size_t i, n;

	if (section_missing(check, ctx, out))
		return;
	hidden = jarr(sec, "not_inspectable");
	n = json_array_size(hidden);
	if (n == 0) {
		finding_add(out, check, STATUS_PASS, "host", NULL, NULL, "Every process's open files could be read");
		return;
	}
	list = json_array();
	json_array_foreach(hidden, i, p) {
		if (i >= EVIDENCE_MAX_ITEMS)
			break;
		json_array_append_new(list, json_pack("{s:O?, s:O?, s:O?}", "pid", json_object_get(p, "pid"),
						      "user", json_object_get(p, "user"), "command", json_object_get(p, "command")));
	}
	finding_add(out, check, STATUS_SKIP, "host", json_pack("{s:i, s:o}", "count", (int)n, "processes", list),
		    "Run the audit as root: other users' open files are readable only with CAP_SYS_PTRACE.",
		    "%zu process%s could not be inspected: whether %s an accelerator or talk%s to the network is unknown",
		    n, n == 1 ? "" : "es", n == 1 ? "it holds" : "they hold", n == 1 ? "s" : "");
}

static const struct check spyware_checks[] = {
	{ "spyware.device_user.remote_connection", "spyware", "Process holding an accelerator connected beyond loopback",
	  SEVERITY_HIGH, "processes.device_users[].sockets, --policy", NEEDS_ROOT, evaluate_remote },
	{ "spyware.device_user.listener", "spyware", "Process holding an accelerator listening beyond loopback",
	  SEVERITY_MEDIUM, "processes.device_users[].sockets, --policy", NEEDS_ROOT, evaluate_listener },
	{ "spyware.daemon.exposed", "spyware", "Accelerator-management daemon listening beyond loopback",
	  SEVERITY_MEDIUM, "processes.daemons[], --policy", NEEDS_ROOT, evaluate_daemons },
	{ "spyware.device_user.unknown_exe", "spyware", "Process holding an accelerator runs an unpackaged or replaced executable",
	  SEVERITY_MEDIUM, "processes.device_users[].exe, exe_package, exe_deleted, --policy", NEEDS_ROOT, evaluate_exe },
	{ "spyware.process.inspectable", "spyware", "Every process's open files could be examined",
	  SEVERITY_INFO, "processes.not_inspectable[]", NEEDS_ROOT, evaluate_inspectable },
};

const struct check_family spyware_family = { "spyware", spyware_checks, ARRAY_SIZE(spyware_checks) };
