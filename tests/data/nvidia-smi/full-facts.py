#!/usr/bin/env python3
"""A chipaudit facts document whose NVML section has every field that
scripts/nvml-compare.py compares set to a value, for the GPUs of an
`nvidia-smi -q -x` file: compared with that file, a field reported
"absent" with a value on the NVML side is one the script did not read from
the XML. Usage: full-facts.py NVIDIA-SMI.xml > FACTS.json"""
import json
import re
import sys
import xml.etree.ElementTree as ET

FIELDS = ["name", "uuid", "serial", "board_part_number", "vbios_version", "inforom_image_version",
          "gsp_firmware_version", "bus_id", "pci.device_id", "pci.vendor_id", "pci.subsystem_device_id",
          "pci.subsystem_vendor_id", "memory.total_bytes", "memory.reserved_bytes",
          "clock_event_reasons.active", "temperature_c", "compute_mode", "persistence_mode",
          "virtualization_mode", "mig.current", "mig.pending", "ecc.current", "ecc.pending",
          "retired_pages.single_bit_ecc", "retired_pages.double_bit_ecc", "retired_pages.pending",
          "row_remapping.correctable", "row_remapping.uncorrectable", "row_remapping.pending",
          "row_remapping.failure"]
FIELDS += ["clocks_mhz.%s.%s" % (d, k) for d in ("graphics", "sm", "memory")
           for k in ("current", "max", "application", "default_application")]
FIELDS += ["power_mw." + k for k in ("draw", "enforced_limit", "limit", "default_limit", "min_limit", "max_limit")]
FIELDS += ["ecc.%s.%s" % (c, k) for c in ("volatile", "aggregate") for k in ("corrected", "uncorrected")]
FIELDS += ["row_remapping.histogram." + k for k in ("max", "high", "partial", "low", "none")]


def put(obj, path, value):
    keys = path.split(".")
    for k in keys[:-1]:
        obj = obj.setdefault(k, {})
    obj[keys[-1]] = value


def main():
    root = ET.parse(sys.argv[1]).getroot()
    accs = []
    for g in root.findall("gpu"):
        m = re.match(r"^([0-9a-fA-F]+):([0-9a-fA-F]{2}):([0-9a-fA-F]{2})\.([0-7])$", g.get("id"))
        addr = "%04x:%s:%s.%s" % (int(m.group(1), 16), m.group(2).lower(), m.group(3).lower(), m.group(4))
        dev = {}
        for f in FIELDS:
            put(dev, f, 1)
        accs.append({"pci_address": addr, "nvml": dev})
    json.dump({"nvml": {"available": True, "driver_version": "1", "cuda_driver_version": "1", "device_count": 1},
               "accelerators": accs}, sys.stdout)


if __name__ == "__main__":
    main()
