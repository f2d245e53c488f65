#!/usr/bin/env python3
"""Write the fake AMD SMI's scenario files (scenarios/*.json): one per condition
the kill-switch checks look for, a healthy MI300X and a healthy MI308X server,
and hostile values. Values are representative of these parts (as `amd-smi
static` and `amd-smi metric` show them), not measurements. The PCI IDs are
data/accelerators.json's (MI300X 1002:74a1, MI308X 1002:74a2); the first GPU
sits at 0000:41:00.0, where tests/fixtures/mixed has its MI300X, so that a
capture joins to that tree.
Usage: make-scenarios.py [OUTDIR]"""
import copy
import json
import os
import sys

W = 1000000  # AMD SMI's power caps are in microwatts

MI300X = {
    "asic": {"market_name": "AMD Instinct MI300X", "vendor_id": "1002", "vendor_name": "Advanced Micro Devices Inc. [AMD/ATI]",
             "subvendor_id": "1002", "device_id": "74a1", "rev_id": 0, "compute_units": 304},
    "subsystem_id": "74a1",
    "board": {"model_number": "102-G30211-0C", "fru_id": "113-M3000100-102", "product_name": "AMD Instinct MI300X OAM",
              "manufacturer_name": "AMD"},
    "vbios": {"name": "AMD MI300X_HW_SRIOV_CVS_1VF", "build_date": "2024/05/21 10:02", "part_number": "113-M3000100-102",
              "version": "022.040.003.043.000001"},
    "driver": {"name": "amdgpu", "version": "6.8.5", "date": "2015/01/01 00:00"},
    "power_cap": {"cap": 750 * W, "default": 750 * W, "dpm": 2100, "min": 200 * W, "max": 750 * W},
    "power_info": {"current": 142, "average": 140},
    "temperature": {"hotspot": 44, "vram": 37},
    "clocks": {"gfx": [132, 132, 2100, 0], "memory": [900, 900, 1300]},
    "overdrive": {"sclk": [500, 2100], "mclk": [900, 1300], "sclk_limits": [500, 2100], "mclk_limits": [900, 1300]},
    "violation": {"prochot": [0, 0], "ppt": [0, 0], "socket_thermal": [0, 0], "vr_thermal": [0, 0], "hbm_thermal": [0, 0]},
    "metrics": {"throttle_status": 0, "indep": "0000000000000000"},
    "compute_partition": "SPX", "memory_partition": "NPS1", "profile": {"type": 1, "count": 1},
    "ecc": [0, 0, 0], "ecc_enabled": "000000000000003f", "bad_pages": [], "xgmi": 0,
    "processes": [],
}

MI308X = dict(copy.deepcopy(MI300X), subsystem_id="74a2",
              power_cap={"cap": 650 * W, "default": 650 * W, "dpm": 2100, "min": 200 * W, "max": 650 * W})
MI308X["asic"].update(market_name="AMD Instinct MI308X", device_id="74a2", compute_units=80)
MI308X["board"].update(product_name="AMD Instinct MI308X OAM")
MI308X["vbios"].update(name="AMD MI308X_HW_CVS")

BUSES = (0x41, 0xc1, 0x51, 0x61, 0x71)


def gpu(bus, n, **over):
    d = {"bdf": "0000:%02x:00.0" % bus, "uuid": "%02xff74a1-0000-1000-80%02x-%012x" % (bus, n, 0x5a5a00 + n),
         "asic": {"asic_serial": "0x%016X" % (0x9A3C0D0E00000000 + n), "oam_id": n},
         "board": {"product_serial": "69225100%04d" % n}}
    for k, v in over.items():
        if isinstance(v, dict) and isinstance(d.get(k), dict):
            d[k].update(v)
        else:
            d[k] = v
    return d


def merged(template, device):
    """A device over the template, nested members merged (the fake merges one level)."""
    d = copy.deepcopy(template)
    for k, v in device.items():
        if isinstance(v, dict) and isinstance(d.get(k), dict):
            d[k].update(v)
        else:
            d[k] = v
    return d


def scenario(template, devices, **system):
    s = {"template": template, "devices": [merged(template, d) for d in devices]}
    s.update(system)
    return s


def with_(base, **changes):
    d = copy.deepcopy(base)
    d.update(changes)
    return d


V = MI300X["violation"]
HOSTILE = [
    # every string buffer full, with no NUL
    gpu(0x41, 0, unterminated_strings=True),
    # values out of range, unknown codes and names
    gpu(0xc1, 1, power_cap={"cap": 2 ** 62, "default": 750 * W, "min": 0, "max": 750 * W},
        temperature={"hotspot": 5000, "vram": -400}, compute_partition="XPX", memory_partition="NPS3", xgmi=9,
        bad_pages=[0, 7], violation=with_(V, prochot=[3, 250]), profile={"type": 17, "count": 900},
        asic={"device_id": "174a1", "oam_id": 65535}, clocks={"gfx": [4294967295, 0, 200000, 9], "memory": [1, 1, 1]},
        metrics={"throttle_status": 4294967295, "indep": "ffffffffffffffff"},
        processes=[{"pid": 99999999, "name": "x\u001b[31m", "vram": 2 ** 60, "container": ""}],
        errors={"amdsmi_get_gpu_vbios_info": "WEIRD"}),
    # an address with a domain no PCI bus has
    gpu(0x51, 2, bdf_raw=(0x1234567 << 16) | (0x51 << 8)),
    # a bad page count far above any board's
    gpu(0x61, 3, bad_page_count=4000000000),
]

SCENARIOS = {
    "healthy-mi300x": scenario(MI300X, [gpu(0x41, 0), gpu(0xc1, 1)]),
    "healthy-mi308x": scenario(MI308X, [gpu(0x41, 0), gpu(0xc1, 1)]),
    # A cap set through AMD SMI (amd-smi set --power-cap): the one cap it reports.
    "power-capped": scenario(MI300X, [gpu(0x41, 0, power_cap=with_(MI300X["power_cap"], cap=500 * W)), gpu(0xc1, 1)]),
    # The GFX clock's soft maximum below the board's; the memory clock's.
    "clocks-capped": scenario(MI300X, [gpu(0x41, 0, overdrive=with_(MI300X["overdrive"], sclk=[500, 1500])),
                                       gpu(0xc1, 1, overdrive=with_(MI300X["overdrive"], mclk=[900, 1000])),
                                       gpu(0x51, 2)]),
    # PROCHOT with no thermal cause; the package power limit; PROCHOT with the
    # socket thermal limit; and the same in gpu_metrics' throttler bits (bit 47
    # PROCHOT_GFX, bit 0 PPT0, bit 32 TEMP_GPU) for a library without
    # amdsmi_get_violation_status.
    "throttled": scenario(MI300X, [
        gpu(0x41, 0, violation=with_(V, prochot=[1, 35]), metrics={"throttle_status": 0, "indep": "0000800000000000"}),
        gpu(0xc1, 1, violation=with_(V, ppt=[1, 60]), metrics={"throttle_status": 0, "indep": "0000000000000001"}),
        gpu(0x51, 2, violation=with_(V, prochot=[1, 10], socket_thermal=[1, 40]),
            metrics={"throttle_status": 0, "indep": "0000800100000000"}),
        gpu(0x61, 3)]),
    # Uncorrectable ECC errors; a bad page pending retirement; a page that
    # could not be retired; healthy.
    "memory-degraded": scenario(MI300X, [gpu(0x41, 0, ecc=[12, 3, 0]), gpu(0xc1, 1, bad_pages=[0, 1]),
                                         gpu(0x51, 2, bad_pages=[0, 0, 2]), gpu(0x61, 3)]),
    # A device gone while listed (device not found); one whose address cannot be
    # read; healthy.
    "device-lost": scenario(MI300X, [gpu(0x41, 0, errors={"amdsmi_get_power_cap_info": "NOT_FOUND"}),
                                     gpu(0xc1, 1, errors={"amdsmi_get_gpu_device_bdf": "IO", "amdsmi_get_gpu_bdf_id": "IO"}),
                                     gpu(0x51, 2)]),
    "init-fails": {"init": "DRIVER_NOT_LOADED"},
    # An MI308X's PCI ID with an MI300X's name.
    "identity-mismatch": scenario(MI300X, [gpu(0x41, 0, asic={"device_id": "74a2"})]),
    # CPX: eight partitions, each listed as a handle at the GPU's address; SPX.
    "partitions": scenario(MI300X, [gpu(0x41, 0, compute_partition="CPX", memory_partition="NPS4",
                                        profile={"type": 5, "count": 8}, partitions_listed=8), gpu(0xc1, 1)]),
    # No permission for anything but the address.
    "error-returns": scenario(MI300X, [gpu(0x41, 0, errors={"*": "NO_PERM"}), gpu(0xc1, 1)]),
    "hostile": scenario(MI300X, HOSTILE),
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
