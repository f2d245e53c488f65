#!/usr/bin/env python3
"""Write the fake HLML's scenario files (scenarios/*.json): a healthy HLS-Gaudi2
server (eight Gaudi2, PCI ID 1da3:1020), and one scenario per condition the
backend reports. Values are test inputs chosen to exercise the backend, not
measurements or the part's figures (the default power limit is Gaudi2's 600 W
TDP of data/accelerators.json).
Usage: make-scenarios.py [OUTDIR]"""
import copy
import json
import os
import sys

BUSES = (0x1c, 0x1d, 0x33, 0x34, 0x4d, 0x4e, 0xb3, 0xb4)
SYSTEM = {"hlml_version": "1.17.0", "driver_version": "1.17.0-495fb9f"}

TEMPLATE = {
    "vendor_id": "1da3", "device_id": "1020", "name": "HL-225",
    "fw_fit": "49.0.0", "fw_os": "1.17.0",
    "power_mw": 98000, "power_default_mw": 600000, "temp_aip": 31, "temp_board": 28,
    "soc_mhz": 1800, "soc_max_mhz": 1800, "throttle": 0,
    "ecc_mode": 1, "ecc_pending": 1,
    "ecc_uncorrected_volatile": 0, "ecc_uncorrected_aggregate": 0,
    "ecc_corrected_volatile": 0, "ecc_corrected_aggregate": 0,
    "rows_single_bit": 0, "rows_double_bit": 0, "rows_pending": 0,
}


def device(i, bus=None):
    bus = BUSES[i] if bus is None else bus
    return {"bus_id": "0000:%02x:00.0" % bus, "uuid": "01P0-HL2080A0-15-TNF0%02d-%02d-%02d-%02d" % (i, i, i, i),
            "serial": "AN%08d" % (46001000 + i), "minor": i * 2}


def server(n=8):
    return [device(i) for i in range(n)]


def scenario(devices, **extra):
    s = dict(SYSTEM, template=copy.deepcopy(TEMPLATE), devices=devices)
    s.update(extra)
    return s


def with_(dev, **members):
    d = copy.deepcopy(dev)
    d.update(members)
    return d


def build():
    s = {}
    s["healthy"] = scenario(server())
    c = server(2)
    c[0] = with_(c[0], throttle=1, power_mw=599000, soc_mhz=1100)
    s["capped"] = scenario(c)
    c = server(2)
    c[0] = with_(c[0], throttle=2, temp_aip=96, soc_mhz=900)
    c[1] = with_(c[1], throttle=3)
    s["throttled"] = scenario(c)
    c = server(3)
    c[0] = with_(c[0], ecc_uncorrected_volatile=2, ecc_uncorrected_aggregate=5, rows_double_bit=2, rows_pending=1)
    c[1] = with_(c[1], rows_single_bit=3, rows_pending=1)
    c[2] = with_(c[2], ecc_corrected_volatile=12, ecc_corrected_aggregate=40)
    s["memory-degraded"] = scenario(c)
    c = server(3)
    c[0] = with_(c[0], errors={"*": "AIP_IS_LOST"})
    c[1] = with_(c[1], errors={"hlml_device_get_handle_by_index": "AIP_IS_LOST"})
    s["device-lost"] = scenario(c)
    c = server(7)
    c[0] = with_(c[0], errors={"*": "DRIVER_NOT_LOADED"})
    c[1] = with_(c[1], unterminated_strings=True)
    c[2] = with_(c[2], power_mw=4000000000, temp_aip=5000, soc_mhz=200000, throttle=(1 << 40), ecc_mode=7,
                 rows_pending=9, ecc_uncorrected_volatile=(1 << 62), rows_overflow=True, rows_double_bit=99999)
    c[3] = with_(c[3], name="HL-225\u001b[31m", uuid="x" * 200)
    c[4] = with_(c[4], bus_id="0000:zz:00.0")
    c[5] = with_(c[5], bus_id=c[0]["bus_id"])
    c[6] = with_(c[6], unterminated_bus_id=True, errors={"hlml_device_get_name": "WEIRD"})
    s["hostile"] = scenario(c, errors={"hlml_get_driver_version": "TIMEOUT"})
    s["bad-count"] = scenario(server(1), count=99)
    s["init-fails"] = scenario(server(1), init="DRIVER_NOT_LOADED")
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
