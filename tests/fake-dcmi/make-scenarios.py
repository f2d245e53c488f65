#!/usr/bin/env python3
"""Write the fake DCMI's scenario files (scenarios/*.json): a healthy Atlas
800T A2 server (eight Ascend 910B chips, one per card), and one scenario per
condition the backend reports. Values are representative of the part (as
npu-smi shows them), not measurements. The first chip sits at 0000:81:00.0,
the Ascend 910B of the fixture tree tests/fixtures/mixed, so a capture joins
to it.
Usage: make-scenarios.py [OUTDIR]"""
import copy
import json
import os
import sys

BUSES = (0x81, 0x82, 0xC1, 0xC2, 0xA1, 0xA2, 0x61, 0x62)
SYSTEM = {"dcmi_version": "25.2.0", "driver_version": "25.2.0"}

TEMPLATE = {
    "pci": {"domain": 0, "device": 0, "function": 0, "vendor_id": "19e5", "device_id": "d802",
            "subsystem_vendor_id": "19e5", "subsystem_device_id": "3000"},
    "chip": {"type": "Ascend", "name": "910B2", "version": "V1", "aicore": 24, "npu_name": ""},
    "elabel": {"product_name": "Atlas 800T A2", "model": "NPU module", "manufacturer": "Huawei"},
    "health": 0, "error_codes": [],
    "power": 934, "temperature": 38,
    "freq": {"aicore_current": 1800, "aicore_max": 1800, "hbm": 1600},
    "ecc": {"enabled": 1, "sbe": 0, "dbe": 0, "total_sbe": 0, "total_dbe": 0, "isolated_sbe": 0, "isolated_dbe": 0,
            "next_sbe": 0, "next_dbe": 0},
    "util": {"aicore": 0, "npu": 0, "cube": 0, "vector": 0},
    "processes": [],
    "network": 0,
    "vnpu": [],
}


def chip(card, bus=None):
    bus = BUSES[card] if bus is None else bus
    return {
        "card_id": card, "chip_id": 0, "logic_id": card,
        "pci": dict(TEMPLATE["pci"], bus=bus),
        "elabel": dict(TEMPLATE["elabel"], serial_number="102%09d" % (4471000 + card)),
        "vdie": [0x3E22C8A4 + card, 0x20E01D0D, 0x91101315, 0, 0],
        "roce_ip": [192, 168, 100, 1 + card],
    }


def server(n=8):
    return [chip(i) for i in range(n)]


def scenario(devices, **extra):
    s = dict(SYSTEM, template=copy.deepcopy(TEMPLATE), devices=devices)
    s.update(extra)
    return s


def with_(dev, **members):
    d = copy.deepcopy(dev)
    for k, v in members.items():
        if isinstance(v, dict) and isinstance(d.get(k, TEMPLATE.get(k)), dict):
            d[k] = dict(d.get(k, TEMPLATE.get(k)), **v)
        else:
            d[k] = v
    return d


def build():
    s = {}
    s["healthy-910b"] = scenario(server())
    s["init-fails"] = {"init": "NOT_READY"}

    # HBM: uncorrectable errors; pages to isolate next; correctable only; ECC not readable
    c = server(4)
    c[0] = with_(c[0], ecc={"dbe": 2, "total_dbe": 2, "isolated_dbe": 1})
    c[1] = with_(c[1], ecc={"next_dbe": 1})
    c[2] = with_(c[2], ecc={"sbe": 120, "total_sbe": 310, "isolated_sbe": 2})
    c[3] = with_(c[3], errors={"dcmi_get_device_ecc_info": "NO_PERMISSION"})
    s["memory-degraded"] = scenario(c)

    # a chip DCMI says does not exist; one whose every call says so; a chip in
    # critical health with its error codes; one without a PCI address; a card
    # whose chips cannot be counted
    c = server(4)
    c[0] = with_(c[0], health=0xFFFFFFFF)
    c[1] = with_(c[1], errors={"*": "DEVICE_NOT_EXIST"})
    c[2] = with_(c[2], health=3, error_codes=[{"code": 0x80E01801, "text": "HBM multi-bit ECC error"},
                                              {"code": 0x80CB8009}])
    c[3] = with_(c[3], errors={"dcmi_get_device_pcie_info_v2": "NO_PERMISSION",
                               "dcmi_get_device_pcie_info": "NO_PERMISSION"})
    s["device-lost"] = scenario(c, cards=[0, 1, 2, 3, 9], card_errors={"9": "DEVICE_NOT_EXIST"})

    # the chip's PCI ID is not the bus's (0000:81:00.0 of the mixed fixture);
    # a chip that names itself an Ascend 910 on a 910B's PCI ID; the 910B's
    # variants on its ID: the 910B3 (in the database as its variant), the
    # 910B1 (in no entry), and a 910B4 on the Ascend 910's ID, which is not
    # the model it is a variant of
    c = server(5)
    c[0] = with_(c[0], pci={"device_id": "d801"})
    c[1] = with_(c[1], chip={"name": "910"})
    c[2] = with_(c[2], chip={"name": "910B3"})
    c[3] = with_(c[3], chip={"name": "910B1"})
    c[4] = with_(c[4], pci={"device_id": "d801"}, chip={"name": "910B4"})
    s["identity-mismatch"] = scenario(c)

    c = server(2)
    c[0] = with_(c[0], vnpu=[{"id": 100, "template": "vir05_1c_16g"}, {"id": 101, "template": "vir05_1c_16g"}])
    s["vnpu"] = scenario(c)

    # the NPUs' own state: a minor alarm; health ok with a code standing; a
    # major alarm without codes; the RoCE port unreachable, its detection not
    # started (no address set), and a fault
    c = server(6)
    c[0] = with_(c[0], health=1)
    c[1] = with_(c[1], error_codes=[{"code": 0x80CB8009}])
    c[2] = with_(c[2], health=2)
    c[3] = with_(c[3], network=3)
    c[4] = with_(c[4], network=8)
    c[5] = with_(c[5], network=5)
    s["npu-alarms"] = scenario(c)

    # error returns and hostile values
    c = server(7)
    c[0] = with_(c[0], errors={"*": "NO_PERMISSION"})
    c[1] = with_(c[1], unterminated_strings=True)
    c[2] = with_(c[2], power=-5, temperature=5000, health=9, error_count=200, process_count=99, vnpu_count=40,
                 network=42, ecc={"enabled": 7}, freq={"aicore_current": 200000}, util={"aicore": 250},
                 processes=[{"pid": 1234, "memory": 1 << 30}], pci={"device_id": "1d802"})
    c[3] = with_(c[3], chip={"name": "910B\u001b[31m"}, vdie=[1, 2, 3, 4, 5])
    c[4] = with_(c[4], pci={"domain": -1})
    c[5] = with_(c[5], pci=dict(TEMPLATE["pci"], bus=BUSES[0]))
    c[6] = with_(c[6], errors={"dcmi_get_device_health": "WEIRD"})
    s["error-returns"] = scenario(c, errors={"dcmi_get_driver_version": "NO_PERMISSION"})
    s["bad-card-count"] = scenario(server(1), card_count=99)
    return s


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "scenarios")
    os.makedirs(out, exist_ok=True)
    for name, s in build().items():
        with open(os.path.join(out, name + ".json"), "w") as f:
            json.dump(s, f, indent=1, sort_keys=True)
            f.write("\n")


if __name__ == "__main__":
    main()
