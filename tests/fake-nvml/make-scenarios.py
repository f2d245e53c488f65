#!/usr/bin/env python3
"""Write the fake NVML's scenario files (scenarios/*.json): one per condition
the kill-switch checks look for, plus a healthy H20 server and a healthy H100
one. Values are representative of these parts (as nvidia-smi shows them), not
measurements; the PCI addresses and IDs are those of the fixture trees
(tests/fixtures/h20x8, h100) so a capture joins to them.
Usage: make-scenarios.py [OUTDIR]"""
import copy
import json
import os
import sys

H20_BUSES = (0x18, 0x2a, 0x3a, 0x5d, 0x9a, 0xab, 0xba, 0xdb)
H100_BUSES = (0x41, 0xc1)

# The driver each fixture host runs (its kernel modules, tests/fixtures/mk_backdoor.py): NVML reports the
# loaded kernel driver's version, the CUDA version that driver supports (R570: 12.8, R580: 13.0) and
# NVML's own version (CUDA major, then the driver version). Every scenario but healthy-h100 is the H20 server.
SYSTEM = {"driver_version": "570.124.06", "nvml_version": "12.570.124.06", "cuda_driver_version": 12080,
          "cc": {"environment": 0, "feature": 0, "dev_tools": 0, "multi_gpu": 0, "ready": 1, "cpu_caps": 0,
                 "gpus_caps": 1}}

H20 = {
    "name": "NVIDIA H20", "board_part_number": "692-2G520-0230-000", "vbios": "96.00.A5.00.01",
    "inforom": "G520.0230.00.01", "gsp_version": "570.124.06", "gsp_mode": [1, 1],
    "memory": {"total": 102625181696, "reserved": 566231040},
    "clocks": {"graphics": [345, 1980, 1980, 1980], "sm": [345, 1980, 1980, 1980], "memory": [2619, 2619, 2619, 2619]},
    "reasons": ["0000000000000001", "00000000000001ff"],
    "violations": [0, 0, 0, 0, 0, 0, 0, 0],
    "power": {"draw": 72000, "enforced": 400000, "limit": 400000, "default": 400000, "min": 200000, "max": 400000},
    "temperature": 31, "compute_mode": 0, "persistence": 1, "drain": 0,
    "mig": {"current": 0, "pending": 0},
    "ecc": {"current": 1, "pending": 1, "volatile": [0, 0], "aggregate": [0, 0]},
    "retired": {"sbe": 0, "dbe": 0, "pending": 0},
    "remap": {"correctable": 0, "uncorrectable": 0, "pending": 0, "failure": 0, "histogram": [640, 0, 0, 0, 0]},
    "nvlink": [1] * 18,
    "virt_mode": 0,
}

H100 = dict(copy.deepcopy(H20), name="NVIDIA H100 PCIe", board_part_number="900-21010-0000-000",
            vbios="96.00.30.00.01", inforom="G520.0200.00.05", gsp_version="580.95.05",
            memory={"total": 85520809984, "reserved": 566231040},
            clocks={"graphics": [345, 1755, 1755, 1755], "sm": [345, 1755, 1755, 1755],
                    "memory": [1593, 1593, 1593, 1593]},
            power={"draw": 48000, "enforced": 350000, "limit": 350000, "default": 350000, "min": 200000,
                   "max": 350000},
            nvlink=[0] * 0)
del H100["nvlink"]   # H100 PCIe cards in this server have no NVLink bridge: not supported


def gpu(bus, device_id, subsystem, serial):
    return {
        "uuid": "GPU-%08x-0000-4000-8000-%012x" % (0x5a5a0000 + bus, serial),
        "serial": "16507240%05d" % (serial % 100000),
        "pci": {"bus_id": "00000000:%02X:00.0" % bus, "legacy_bus_id": "0000:%02X:00.0" % bus, "domain": 0,
                "bus": bus, "device": 0, "device_id": "0x%04x10de" % device_id,
                "subsystem_id": "0x%04x10de" % subsystem},
    }


def h20(bus, n=0, **over):
    d = gpu(bus, 0x2329, 0x1834, 1000 + n)
    d.update(over)
    return d


def scenario(template, devices, **system):
    s = copy.deepcopy(SYSTEM)
    s.update(system)
    s["template"] = template
    s["devices"] = devices
    return s


def with_(base, **changes):
    d = copy.deepcopy(base)
    for k, v in changes.items():
        if isinstance(v, dict) and isinstance(d.get(k), dict):
            d[k].update(v)
        else:
            d[k] = v
    return d


NVTRUST = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "nvtrust")
with open(os.path.join(NVTRUST, "hopperAttestationReport.txt")) as f:
    NVTRUST_REPORT = f.read().strip()
with open(os.path.join(NVTRUST, "hopperCertChain.txt")) as f:
    NVTRUST_CHAIN = f.read()

SCENARIOS = {
    # Eight healthy H20 at the buses of tests/fixtures/h20x8.
    "healthy-h20": scenario(H20, [h20(b, i) for i, b in enumerate(H20_BUSES)]),
    # Two healthy H100 PCIe at the buses of tests/fixtures/h100.
    "healthy-h100": scenario(H100, [gpu(b, 0x2331, 0x1626, 2000 + i) for i, b in enumerate(H100_BUSES)],
                             driver_version="580.95.05", nvml_version="13.580.95.05", cuda_driver_version=13000),
    # Gating.
    "compute-prohibited": scenario(H20, [h20(0x18, compute_mode=2), h20(0x2a, 1, compute_mode=3)]),
    "drain": scenario(H20, [h20(0x18, drain=1), h20(0x2a, 1)]),
    # GPU operation mode ([current, pending], NVML's integers): All On; Low Double Precision; Low DP pending
    # at the next reboot; Compute; Compute with All On pending; and (the template) not supported, as on
    # most data-centre GPUs.
    "operation-mode": scenario(H20, [h20(0x18, gom=[0, 0]), h20(0x2a, 1, gom=[2, 2]), h20(0x3a, 2, gom=[0, 2]),
                                     h20(0x5d, 3, gom=[1, 1]), h20(0x9a, 4, gom=[1, 0]), h20(0xab, 5)]),
    "cc-not-ready": scenario(H20, [h20(0x18, cc_report_size=1200,
                                       cert_chain="-----BEGIN CERTIFICATE-----\nMIIBfake\n-----END CERTIFICATE-----\n")],
                             cc={"environment": 2, "feature": 1, "dev_tools": 0, "multi_gpu": 0, "ready": 0,
                                 "cpu_caps": 1, "gpus_caps": 1}),
    "cc-ready": scenario(H20, [h20(0x18, cc_report_size=1200,
                                   cert_chain="-----BEGIN CERTIFICATE-----\nMIIBfake\n-----END CERTIFICATE-----\n"),
                               h20(0x2a, 1, cc_report_size=9000)],
                         cc={"environment": 2, "feature": 1, "dev_tools": 0, "multi_gpu": 0, "ready": 1,
                             "cpu_caps": 1, "gpus_caps": 1}),
    # NVIDIA's published Hopper attestation sample (tests/data/nvtrust/SOURCES) answered whatever nonce
    # the audit sends, as a replaying GPU or driver would; the second GPU gives no report.
    "cc-sample": scenario(H20, [h20(0x18, cc_report_hex=NVTRUST_REPORT, cert_chain=NVTRUST_CHAIN),
                                h20(0x2a, 1)],
                          cc={"environment": 2, "feature": 1, "dev_tools": 0, "multi_gpu": 0, "ready": 1,
                              "cpu_caps": 1, "gpus_caps": 1}),
    # The second GPU's handle is lost; the first answers GPU_IS_LOST to one query.
    "device-lost": scenario(H20, [h20(0x18, errors={"nvmlDeviceGetPowerUsage": "GPU_IS_LOST"}),
                                  h20(0x2a, 1, handle_error="GPU_IS_LOST"), h20(0x3a, 2)]),
    # Capping: a limit requested through NVML (warn), one enforced from outside (fail).
    "power-capped": scenario(H20, [h20(0x18, power=with_(H20["power"], limit=250000, enforced=250000)),
                                   h20(0x2a, 1, power=with_(H20["power"], enforced=200000))]),
    "clocks-capped": scenario(H20, [h20(0x18, clocks=with_(H20["clocks"], sm=[1200, 1980, 1200, 1980])),
                                    h20(0x2a, 1, reasons=["0000000000000002", "00000000000001ff"])]),
    "throttle-active": scenario(H20, [h20(0x18, reasons=["0000000000000008", "00000000000001ff"],
                                          violations=[0, 0, 0, 0, 0, 0, 12000000000, 0]),
                                      h20(0x2a, 1, reasons=["0000000000000080", "00000000000001ff"]),
                                      h20(0x3a, 2, reasons=["0000000000000004", "00000000000001ff"]),
                                      h20(0x5d, 3, reasons=["0000000000000048", "00000000000001ff"], temperature=92)]),
    # Degradation: a failed remap, a pending one, uncorrectable errors.
    "memory-degraded": scenario(H20, [h20(0x18, remap=with_(H20["remap"], failure=1, uncorrectable=3,
                                                            histogram=[0, 0, 0, 0, 640])),
                                      h20(0x2a, 1, remap=with_(H20["remap"], pending=1, uncorrectable=1)),
                                      h20(0x3a, 2, ecc=with_(H20["ecc"], volatile=[10, 2])),
                                      h20(0x5d, 3, retired={"sbe": 2, "dbe": 1, "pending": 1})]),
    "vgpu-unlicensed": scenario(H20, [h20(0x18, virt_mode=2, license={"supported": 1, "features": [
        {"code": 4, "state": 0, "enabled": 1, "product": "NVIDIA Virtual Compute Server",
         "expiry": [2027, 1, 31, 23, 59, 59, 1]}]}),
        h20(0x2a, 1, virt_mode=2, license={"supported": 1, "features": [
            {"code": 4, "state": 1, "enabled": 1, "product": "NVIDIA Virtual Compute Server",
             "expiry": [2027, 1, 31, 23, 59, 59, 1]}]})]),
    "mig-changed": scenario(H20, [h20(0x18, mig={"current": 1, "pending": 1, "max": 7, "instances": [
        {"gi": 1, "ci": 0, "name": "NVIDIA H20 MIG 3g.48gb", "uuid": "MIG-11111111-2222-3333-4444-555555555555",
         "memory": {"total": 50331648000}},
        {"gi": 2, "ci": 0, "name": "NVIDIA H20 MIG 3g.48gb", "uuid": "MIG-11111111-2222-3333-4444-666666666666",
         "memory": {"total": 50331648000}}]}),
        h20(0x2a, 1)]),
    # NVML calls an H20 (10de:2329) an H100; the second GPU's NVML PCI ID
    # differs from what the fixture's PCI bus shows at 0000:2a:00.0.
    "identity-mismatch": scenario(H20, [h20(0x18, name="NVIDIA H100 80GB HBM3"),
                                        with_(h20(0x2a, 1), pci=with_(h20(0x2a, 1)["pci"], device_id="0x233010de"))]),
    # Every optional function fails, each GPU differently; hostile values.
    "error-returns": scenario(H20, [
        h20(0x18, errors={"*": "NO_PERMISSION"}),
        h20(0x2a, 1, errors={"*": "WEIRD"}),
        h20(0x3a, 2, errors={"*": "UNKNOWN"}),
        h20(0x5d, 3, unterminated_strings=True, temperature=5000, compute_mode=9, cc_report_size=9000,
            power=with_(H20["power"], draw=4294967295)),
        h20(0x9a, 4, errors={"nvmlDeviceGetPciInfo_v3": "NO_PERMISSION"})],
        errors={"nvmlSystemGetConfComputeState": "NO_PERMISSION"}),
    "init-fails": dict(SYSTEM, init="DRIVER_NOT_LOADED", devices=[]),
    # One GPU more than the fixture's PCI bus shows (a container view).
    "nvml-only": scenario(H20, [h20(0x18), h20(0x77, 9)]),
}


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "scenarios")
    os.makedirs(out, exist_ok=True)
    for name, s in SCENARIOS.items():
        with open(os.path.join(out, name + ".json"), "w") as f:
            json.dump(s, f, indent=1, sort_keys=True)
            f.write("\n")


if __name__ == "__main__":
    main()
