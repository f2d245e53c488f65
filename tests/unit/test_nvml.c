/* The NVML facts table, bus id normalisation, the XID and kmsg parsers and
 * the MIG policy validator. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "checks/killswitch.h"
#include "core/json.h"
#include "probe/xid.h"
#include "vendor/nvml_facts.h"

static void test_bus_id(void **state)
{
	static const struct { const char *in, *out; } good[] = {
		{ "00000000:18:00.0", "0000:18:00.0" },
		{ "0000:18:00.0", "0000:18:00.0" },
		{ "00000001:AB:1F.7", "0001:ab:1f.7" },
		{ "00010000:c1:00.0", "10000:c1:00.0" },
		{ "0:05:00.0", "0000:05:00.0" },
	};
	static const char *const bad[] = {
		"", "0000:18:00", "0000:18:20.0", "0000:18:00.8", "000000000:18:00.0", "0000:1:00.0",
		"0000:18:00.0x", "0000-18-00.0", "GPU-1234", "0000:18:00.", ":18:00.0",
	};
	char out[32];

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		assert_int_equal(nvml_bus_id_normalise(good[i].in, out, sizeof(out)), 0);
		assert_string_equal(out, good[i].out);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(nvml_bus_id_normalise(bad[i], out, sizeof(out)), -1);
	assert_int_equal(nvml_bus_id_normalise("00000000:18:00.0", out, 8), -1);
}

static void test_xid_messages(void **state)
{
	struct xid_event ev;

	(void)state;
	assert_int_equal(xid_parse_message("NVRM: Xid (PCI:0000:18:00): 79, pid=1234, name=python, GPU has fallen off the bus.", &ev), 1);
	assert_string_equal(ev.pci_address, "0000:18:00.0");
	assert_int_equal(ev.xid, 79);
	assert_int_equal(ev.pid, 1234);
	assert_string_equal(ev.process, "python");
	assert_string_equal(ev.text, "GPU has fallen off the bus.");

	assert_int_equal(xid_parse_message("NVRM: Xid (PCI:0000:65:00): 119, pid='N/A', Timeout waiting for RPC from GSP", &ev), 1);
	assert_int_equal(ev.xid, 119);
	assert_int_equal(ev.pid, -1);
	assert_string_equal(ev.process, "");
	assert_string_equal(ev.text, "Timeout waiting for RPC from GSP");

	assert_int_equal(xid_parse_message("NVRM: Xid (0000:01:00): 13, Graphics Exception: ESR 0x1", &ev), 1);
	assert_string_equal(ev.pci_address, "0000:01:00.0");
	assert_string_equal(ev.text, "Graphics Exception: ESR 0x1");

	assert_int_equal(xid_parse_message("NVRM: Xid (PCI:0000:AB:00): 48, ", &ev), 1);
	assert_string_equal(ev.pci_address, "0000:ab:00.0");
	assert_int_equal(xid_parse_message("NVRM: Xid (PCI:00000001:c6:00): 79, pid=1, name=nvc:[driver], x", &ev), 1);
	assert_string_equal(ev.pci_address, "00000001:c6:00.0");
	assert_string_equal(ev.process, "nvc:[driver]");

	assert_int_equal(xid_parse_message("NVRM: loading NVIDIA UNIX x86_64 Kernel Module 550.90.07", &ev), 0);
	assert_int_equal(xid_parse_message("", &ev), 0);
	assert_int_equal(xid_parse_message("NVRM: Xid (PCI:0000:18:00: 79", &ev), -1);
	assert_int_equal(xid_parse_message("NVRM: Xid (PCI:0000:18:00): x", &ev), -1);
	assert_int_equal(xid_parse_message("NVRM: Xid (PCI:0000:18:00): 99999999999999999999", &ev), -1);
	assert_int_equal(xid_parse_message("NVRM: Xid (PCI:0000:18:00): 70000, big", &ev), -1);
	assert_int_equal(xid_parse_message("NVRM: Xid (PCI:zzzz:18:00): 79, x", &ev), -1);
	assert_int_equal(xid_parse_message("NVRM: Xid (PCI:0000:18:40): 79, x", &ev), -1);
	assert_int_equal(xid_parse_message("NVRM: Xid (): 79", &ev), -1);
	assert_int_equal(xid_parse_message("NVRM: Xid (PCI:0000:18:00):79", &ev), -1);
}

static void test_kmsg_records(void **state)
{
	uint64_t seq, usec;
	const char *text;

	(void)state;
	assert_int_equal(kmsg_parse_record("6,1234,5678901,-;hello", &seq, &usec, &text), 0);
	assert_true(seq == 1234 && usec == 5678901);
	assert_string_equal(text, "hello");
	assert_int_equal(kmsg_parse_record("4,1,2,c,extra;x;y", &seq, &usec, &text), 0);
	assert_string_equal(text, "x;y");
	assert_int_equal(kmsg_parse_record("no record", &seq, &usec, &text), -1);
	assert_int_equal(kmsg_parse_record("6,1,2;missing flags", &seq, &usec, &text), -1);
	assert_int_equal(kmsg_parse_record("6,a,2,-;x", &seq, &usec, &text), -1);
	assert_int_equal(kmsg_parse_record("6,1,-2,-;x", &seq, &usec, &text), -1);
	assert_int_equal(kmsg_parse_record("6,1,99999999999999999999,-;x", &seq, &usec, &text), -1);
	assert_int_equal(kmsg_parse_record("6,1,2,--;x", &seq, &usec, &text), -1);
}

static json_t *device(void)
{
	return json_pack("{s:i, s:s, s:b}", "index", 0, "pci_address", "0000:18:00.0", "lost", false);
}

static void test_setters(void **state)
{
	json_t *dev = device();
	char err[256], buf[8];
	long long v;
	bool b;

	(void)state;
	nf_set_int(dev, "power_mw.draw", 72000);
	assert_true(nf_int(dev, "power_mw.draw", &v) && v == 72000);
	nf_set_int(dev, "power_mw.enforced_limit", 4294967295LL);
	assert_null(nf_get(dev, "power_mw.enforced_limit"));
	assert_string_equal(nf_why(dev, "power_mw.enforced_limit"), "value 4294967295 out of range [0, 100000000]");
	nf_set_int(dev, "temperature_c", -273);
	assert_false(nf_int(dev, "temperature_c", &v));
	memcpy(buf, "ABCDEFGH", 8);
	nf_set_buffer(dev, "name", buf, sizeof(buf));
	assert_null(nf_str(dev, "name"));
	assert_string_equal(nf_why(dev, "name"), "malformed value from the library: not NUL-terminated");
	nf_set_buffer(dev, "uuid", "GPU-1\0junk", 10);
	assert_string_equal(nf_str(dev, "uuid"), "GPU-1");
	nf_set_str(dev, "serial", "bad\x01");
	assert_null(nf_str(dev, "serial"));
	nf_set_str(dev, "compute_mode", "prohibited");
	assert_string_equal(nf_str(dev, "compute_mode"), "prohibited");
	nf_set_str(dev, "virtualization_mode", "sideways");
	assert_null(nf_str(dev, "virtualization_mode"));
	nf_set_str(dev, "pci.device_id", "23290");
	assert_null(nf_str(dev, "pci.device_id"));
	nf_set_str(dev, "pci.device_id", "2329");
	assert_string_equal(nf_str(dev, "pci.device_id"), "2329");
	nf_set_bool(dev, "drain_state", true);
	assert_true(nf_bool(dev, "drain_state", &b) && b);
	nf_set_base64(dev, "confidential_computing.attestation.nonce", (const unsigned char *)"0123456789abcdef0123456789abcdef", 32);
	assert_string_equal(nf_str(dev, "confidential_computing.attestation.nonce"),
			    "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=");
	nf_set_base64(dev, "confidential_computing.attestation.nonce", (const unsigned char *)buf, 40);
	assert_null(nf_get(dev, "confidential_computing.attestation.nonce"));
	nf_set_int(dev, "no.such.member", 1);
	assert_string_equal(nf_why(dev, "no.such.member"), "internal: not an integer member");
	json_object_del(json_object_get(dev, "unavailable"), "no.such.member");
	assert_string_equal(nf_why(dev, "never.set"), "not reported");
	/* what the setters wrote validates */
	assert_int_equal(nvml_validate_device(dev, "dev", err, sizeof(err)), 0);
	json_decref(dev);
}

static void expect_invalid(json_t *dev, const char *message)
{
	char err[256];

	assert_int_equal(nvml_validate_device(dev, "dev", err, sizeof(err)), -1);
	assert_string_equal(err, message);
	json_decref(dev);
}

static void test_validate_device(void **state)
{
	json_t *d;
	char err[256];

	(void)state;
	d = device();
	assert_int_equal(nvml_validate_device(d, "dev", err, sizeof(err)), 0);
	json_decref(d);
	expect_invalid(json_string("x"), "dev: expected an object");
	d = device();
	json_object_del(d, "lost");
	expect_invalid(d, "dev.lost: missing");
	d = device();
	json_object_set_new(d, "pci_address", json_string("0000:18:00"));
	expect_invalid(d, "dev.pci_address: \"0000:18:00\" is not a PCI address (DDDD:BB:DD.F)");
	d = device();
	json_object_set_new(d, "power_mw", json_pack("{s:i}", "draw", -1));
	expect_invalid(d, "dev.power_mw.draw: -1 out of range [0, 100000000]");
	d = device();
	json_object_set_new(d, "power_mw", json_integer(5));
	expect_invalid(d, "dev.power_mw: expected an object");
	d = device();
	json_object_set_new(d, "ecc", json_pack("{s:{s:s}}", "volatile", "uncorrected", "2"));
	expect_invalid(d, "dev.ecc.volatile.uncorrected: expected an integer");
	d = device();
	json_object_set_new(d, "nvlink", json_pack("{s:[{s:i, s:i}]}", "links", "link", 0, "active", 1));
	expect_invalid(d, "dev.nvlink.links[0].active: expected true or false");
	d = device();
	json_object_set_new(d, "unavailable", json_pack("{s:i}", "name", 3));
	expect_invalid(d, "dev.unavailable.name: expected a string of at most 1024 bytes");
	d = device();
	json_object_set_new(d, "clock_event_reasons", json_pack("{s:s, s:[s]}", "current", "0000000000000001", "active", "gpu_idle"));
	assert_int_equal(nvml_validate_device(d, "dev", err, sizeof(err)), 0);
	json_decref(d);
	/* every device with nothing but nulls validates: unknown is allowed */
	d = device();
	nf_unavailable(d, "mig.instances", "not supported");
	nf_unavailable(d, "confidential_computing.certificates.chain", "not supported");
	assert_int_equal(nvml_validate_device(d, "dev", err, sizeof(err)), 0);
	json_decref(d);
}

static void test_reasons(void **state)
{
	json_t *names = nvml_reason_names(0x8c);
	char *text = json_dumps(names, JSON_COMPACT);

	(void)state;
	assert_string_equal(text, "[\"sw_power_cap\",\"hw_slowdown\",\"hw_power_brake_slowdown\"]");
	free(text);
	json_decref(names);
}

static void test_mig_policy(void **state)
{
	static const struct { const char *json, *err; } cases[] = {
		{ "{\"gpus\": {\"*\": false, \"0000:18:00.0\": [\"1g.12gb\"], \"GPU-abc\": []}}", NULL },
		{ "[]", "expected a JSON object" },
		{ "{}", "policy.gpus: missing" },
		{ "{\"gpus\": {\"gpu0\": false}}", "policy.gpus: \"gpu0\" is not \"*\", a PCI address or a GPU UUID" },
		{ "{\"gpus\": {\"*\": true}}", "policy.gpus.*: expected false or an array of MIG profiles" },
		{ "{\"gpus\": {\"*\": [\"\"]}}", "policy.gpus.*[0]: expected a profile name such as \"1g.10gb\"" },
	};
	char err[256];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		json_t *p = json_loads(cases[i].json, 0, NULL);
		assert_non_null(p);
		if (cases[i].err == NULL) {
			assert_int_equal(mig_policy_validate(p, err, sizeof(err)), 0);
		} else {
			assert_int_equal(mig_policy_validate(p, err, sizeof(err)), -1);
			assert_string_equal(err, cases[i].err);
		}
		json_decref(p);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bus_id),
		cmocka_unit_test(test_xid_messages),
		cmocka_unit_test(test_kmsg_records),
		cmocka_unit_test(test_setters),
		cmocka_unit_test(test_validate_device),
		cmocka_unit_test(test_reasons),
		cmocka_unit_test(test_mig_policy),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
