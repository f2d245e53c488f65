#!/usr/bin/env python3
"""Compare the NVML facts chipaudit gathered with what nvidia-smi reports on
the same machine: `chipaudit facts` JSON against `nvidia-smi -q -x` XML, in
the three layouts drivers write: nvsmi_device_v11.dtd and older (power under
power_readings: power_draw, power_limit, enforced_power_limit; drivers 525
and older, e.g. 418 and 515), nvsmi_device_v12.dtd (gpu_power_readings:
power_draw, current_power_limit, requested_power_limit; e.g. 535) and
nvsmi_device_v13.dtd (gpu_power_readings with average_power_draw and
instant_power_draw; e.g. 595).

Usage: nvml-compare.py FACTS.json NVIDIA-SMI.xml

One line per compared field:
  same   GPU FIELD value                         both agree
  DIFF   GPU FIELD nvml=... nvidia-smi=...       a stable value differs
  live   GPU FIELD nvml=... nvidia-smi=...       a sampled value (clocks, power
                                                 draw, temperature, active
                                                 reasons): read at two moments,
                                                 reported, never counted
  absent GPU FIELD ...                           one side does not report it
then "N same, N DIFF, N live, N absent". Exit 0 when nothing DIFFers, 1 when
something does, 2 on unreadable input."""
import json
import re
import sys
import xml.etree.ElementTree as ET

NA = {"n/a", "requested functionality has been deprecated", "not supported", "unknown error",
      "insufficient permissions", "[n/a]", "[not supported]", ""}

# Clock event reasons: nvidia-smi's element suffix -> chipaudit's name.
REASONS = {
    "gpu_idle": "gpu_idle", "applications_clocks_setting": "applications_clocks_setting",
    "sw_power_cap": "sw_power_cap", "hw_slowdown": "hw_slowdown", "sync_boost": "sync_boost",
    "sw_thermal_slowdown": "sw_thermal_slowdown", "hw_thermal_slowdown": "hw_thermal_slowdown",
    "hw_power_brake_slowdown": "hw_power_brake_slowdown", "display_clocks_setting": "display_clock_setting",
    "display_clock_setting": "display_clock_setting",
}


def text(node, *paths):
    """The text of the first of PATHS under NODE that has a value; None when
    each is N/A or absent."""
    for p in paths:
        e = node.find(p)
        if e is not None:
            t = (e.text or "").strip()
            if t.lower() not in NA:
                return t
    return None


def number(s, unit=None):
    """'97871 MiB' -> 97871, '400.00 W' -> 400.0, '64 bank(s)' -> 64."""
    if s is None:
        return None
    m = re.match(r"^\s*(-?[0-9]+(?:\.[0-9]+)?)\s*([A-Za-z%()/]*)\s*$", s)
    if not m or (unit and m.group(2) and m.group(2) != unit):
        return "unparsed: " + s
    return float(m.group(1)) if "." in m.group(1) else int(m.group(1))


def yes_no(s):
    if s is None:
        return None
    return {"enabled": True, "yes": True, "active": True, "disabled": False, "no": False,
            "not active": False}.get(s.strip().lower(), "unparsed: " + s)


def mode(s):
    """'Exclusive_Process' -> 'exclusive_process', 'Pass-Through' -> 'passthrough'."""
    if s is None:
        return None
    s = s.strip().lower().replace("pass-through", "passthrough").replace("-", "_").replace(" ", "_")
    return s


def bus_id(s):
    m = re.match(r"^([0-9a-fA-F]{1,8}):([0-9a-fA-F]{2}):([0-9a-fA-F]{2})\.([0-7])$", s or "")
    if not m:
        return None
    return "%04x:%s:%s.%s" % (int(m.group(1), 16), m.group(2).lower(), m.group(3).lower(), m.group(4))


def get(obj, path):
    for k in path.split("."):
        if not isinstance(obj, dict):
            return None
        obj = obj.get(k)
    return obj


class Report:
    def __init__(self):
        self.lines = []
        self.counts = {"same": 0, "DIFF": 0, "live": 0, "absent": 0}

    def add(self, kind, gpu, field, nvml, smi):
        self.counts[kind] += 1
        if kind == "same":
            self.lines.append("same   %s %s %s" % (gpu, field, json.dumps(nvml)))
        else:
            self.lines.append("%-6s %s %s nvml=%s nvidia-smi=%s" % (kind, gpu, field, json.dumps(nvml), json.dumps(smi)))

    def compare(self, gpu, field, nvml, smi, live=False, why=None):
        if isinstance(smi, str) and smi.startswith("unparsed: "):
            self.add("DIFF", gpu, field, nvml, smi)
        elif nvml is None and smi is None:
            self.add("same", gpu, field, None, None)
        elif nvml is None or smi is None:
            self.add("absent", gpu, field, nvml if nvml is not None else why, smi)
        elif nvml == smi:
            self.add("same", gpu, field, nvml, smi)
        else:
            self.add("live" if live else "DIFF", gpu, field, nvml, smi)


def mib(v):
    return None if v is None else v // (1024 * 1024)


def watts(mw):
    return None if mw is None else round(mw / 1000.0, 2)


def smi_watts(node, *paths):
    v = number(text(node, *paths), "W")
    return round(float(v), 2) if isinstance(v, (int, float)) else v


def ecc_total(node, counter, kind):
    """NVML's total ECC count against the sum nvidia-smi splits by location."""
    base = "ecc_errors/%s/" % counter
    if kind == "corrected":
        parts = ["dram_correctable", "sram_correctable"]
        old = base + "single_bit/total"
    else:
        parts = ["dram_uncorrectable", "sram_uncorrectable_parity", "sram_uncorrectable_secded", "sram_uncorrectable"]
        old = base + "double_bit/total"
    if node.find(old) is not None:
        return number(text(node, old))
    values = [number(text(node, base + p)) for p in parts if node.find(base + p) is not None]
    if not values or any(v is None for v in values):
        return None
    if any(isinstance(v, str) for v in values):
        return next(v for v in values if isinstance(v, str))
    return sum(values)


def active_reasons(node):
    group = node.find("clocks_event_reasons")
    prefix = "clocks_event_reason_"
    if group is None:
        group, prefix = node.find("clocks_throttle_reasons"), "clocks_throttle_reason_"
    if group is None:
        return None
    names = set()
    for e in group:
        key = e.tag[len(prefix):] if e.tag.startswith(prefix) else e.tag
        if key in REASONS and (e.text or "").strip() == "Active":
            names.add(REASONS[key])
    return sorted(names)


def compare_gpu(r, addr, dev, g):
    c = r.compare
    c(addr, "name", get(dev, "name"), text(g, "product_name"))
    c(addr, "uuid", get(dev, "uuid"), text(g, "uuid"))
    c(addr, "serial", get(dev, "serial"), text(g, "serial"))
    c(addr, "board_part_number", get(dev, "board_part_number"), text(g, "board_part_number"))
    c(addr, "vbios_version", get(dev, "vbios_version"), text(g, "vbios_version"))
    c(addr, "inforom_image_version", get(dev, "inforom_image_version"), text(g, "inforom_version/img_version"))
    c(addr, "gsp_firmware_version", get(dev, "gsp_firmware_version"), text(g, "gsp_firmware_version"))
    c(addr, "bus_id", get(dev, "bus_id"), text(g, "pci/pci_bus_id"))
    ids = text(g, "pci/pci_device_id")
    c(addr, "pci.device_id+vendor_id",
      (get(dev, "pci.device_id") or "") + (get(dev, "pci.vendor_id") or "") or None, ids.lower() if ids else None)
    sub = text(g, "pci/pci_sub_system_id")
    c(addr, "pci.subsystem_device_id+vendor_id",
      (get(dev, "pci.subsystem_device_id") or "") + (get(dev, "pci.subsystem_vendor_id") or "") or None,
      sub.lower() if sub else None)
    c(addr, "memory.total_bytes (MiB)", mib(get(dev, "memory.total_bytes")), number(text(g, "fb_memory_usage/total"), "MiB"))
    c(addr, "memory.reserved_bytes (MiB)", mib(get(dev, "memory.reserved_bytes")),
      number(text(g, "fb_memory_usage/reserved"), "MiB"))
    for domain, tag in (("graphics", "graphics_clock"), ("sm", "sm_clock"), ("memory", "mem_clock")):
        c(addr, "clocks_mhz.%s.current" % domain, get(dev, "clocks_mhz.%s.current" % domain),
          number(text(g, "clocks/" + tag), "MHz"), live=True)
        c(addr, "clocks_mhz.%s.max" % domain, get(dev, "clocks_mhz.%s.max" % domain),
          number(text(g, "max_clocks/" + tag), "MHz"))
        if domain != "sm":   # nvidia-smi shows application clocks for graphics and memory
            c(addr, "clocks_mhz.%s.application" % domain, get(dev, "clocks_mhz.%s.application" % domain),
              number(text(g, "applications_clocks/" + tag), "MHz"))
            c(addr, "clocks_mhz.%s.default_application" % domain, get(dev, "clocks_mhz.%s.default_application" % domain),
              number(text(g, "default_applications_clocks/" + tag), "MHz"))
    c(addr, "clock_event_reasons.active", get(dev, "clock_event_reasons.active"), active_reasons(g), live=True)
    def power(*names):
        """The first of NAMES under gpu_power_readings (v12, v13) or power_readings (v11 and older)."""
        return smi_watts(g, *["%s/%s" % (grp, n) for n in names for grp in ("gpu_power_readings", "power_readings")])
    # NVML's power usage is a one-second average on Ampere and newer (nvmlDeviceGetPowerUsage),
    # so it is compared with nvidia-smi's average_power_draw where v13 gives both.
    c(addr, "power_mw.draw (W)", watts(get(dev, "power_mw.draw")),
      power("average_power_draw", "power_draw", "instant_power_draw"), live=True)
    c(addr, "power_mw.enforced_limit (W)", watts(get(dev, "power_mw.enforced_limit")),
      power("current_power_limit", "enforced_power_limit"))
    c(addr, "power_mw.limit (W)", watts(get(dev, "power_mw.limit")), power("requested_power_limit", "power_limit"))
    c(addr, "power_mw.default_limit (W)", watts(get(dev, "power_mw.default_limit")), power("default_power_limit"))
    c(addr, "power_mw.min_limit (W)", watts(get(dev, "power_mw.min_limit")), power("min_power_limit"))
    c(addr, "power_mw.max_limit (W)", watts(get(dev, "power_mw.max_limit")), power("max_power_limit"))
    c(addr, "temperature_c", get(dev, "temperature_c"), number(text(g, "temperature/gpu_temp"), "C"), live=True)
    c(addr, "compute_mode", get(dev, "compute_mode"), mode(text(g, "compute_mode")))
    c(addr, "persistence_mode", get(dev, "persistence_mode"), yes_no(text(g, "persistence_mode")))
    c(addr, "virtualization_mode", get(dev, "virtualization_mode"),
      mode(text(g, "gpu_virtualization_mode/virtualization_mode")))
    c(addr, "mig.current", get(dev, "mig.current"), yes_no(text(g, "mig_mode/current_mig")))
    c(addr, "mig.pending", get(dev, "mig.pending"), yes_no(text(g, "mig_mode/pending_mig")))
    c(addr, "ecc.current", get(dev, "ecc.current"), yes_no(text(g, "ecc_mode/current_ecc")))
    c(addr, "ecc.pending", get(dev, "ecc.pending"), yes_no(text(g, "ecc_mode/pending_ecc")))
    for counter in ("volatile", "aggregate"):
        for kind in ("corrected", "uncorrected"):
            c(addr, "ecc.%s.%s" % (counter, kind), get(dev, "ecc.%s.%s" % (counter, kind)), ecc_total(g, counter, kind))
    c(addr, "retired_pages.single_bit_ecc", get(dev, "retired_pages.single_bit_ecc"),
      number(text(g, "retired_pages/multiple_single_bit_retirement/retired_count")))
    c(addr, "retired_pages.double_bit_ecc", get(dev, "retired_pages.double_bit_ecc"),
      number(text(g, "retired_pages/double_bit_retirement/retired_count")))
    c(addr, "retired_pages.pending", get(dev, "retired_pages.pending"), yes_no(text(g, "retired_pages/pending_retirement")))
    c(addr, "row_remapping.correctable", get(dev, "row_remapping.correctable"), number(text(g, "remapped_rows/remapped_row_corr")))
    c(addr, "row_remapping.uncorrectable", get(dev, "row_remapping.uncorrectable"), number(text(g, "remapped_rows/remapped_row_unc")))
    c(addr, "row_remapping.pending", get(dev, "row_remapping.pending"), yes_no(text(g, "remapped_rows/remapped_row_pending")))
    c(addr, "row_remapping.failure", get(dev, "row_remapping.failure"), yes_no(text(g, "remapped_rows/remapped_row_failure")))
    for level in ("max", "high", "partial", "low", "none"):
        c(addr, "row_remapping.histogram." + level, get(dev, "row_remapping.histogram." + level),
          number(text(g, "remapped_rows/row_remapper_histogram/row_remapper_histogram_" + level,
                      "remapped_rows/remapped_row_histogram/row_remap_histogram_" + level), "bank(s)"))


def main():
    if len(sys.argv) != 3:
        print(__doc__.strip().splitlines()[3], file=sys.stderr)
        return 2
    try:
        facts = json.load(open(sys.argv[1]))
        root = ET.parse(sys.argv[2]).getroot()
    except (OSError, ValueError, ET.ParseError) as e:
        print("nvml-compare: %s" % e, file=sys.stderr)
        return 2
    r = Report()
    nvml = facts.get("nvml") or {}
    if not nvml.get("available"):
        print("nvml-compare: chipaudit found no NVML: %s" % nvml.get("reason"), file=sys.stderr)
        return 2
    r.compare("system", "driver_version", nvml.get("driver_version"), text(root, "driver_version"))
    r.compare("system", "cuda_driver_version", nvml.get("cuda_driver_version"), text(root, "cuda_version"))
    r.compare("system", "device_count", nvml.get("device_count"), number(text(root, "attached_gpus")))
    # facts schema 2 keeps NVML's values at accelerators[].vendor_library.nvml, 1 at accelerators[].nvml
    def values(a):
        lib = a.get("vendor_library")
        return lib.get("nvml") if isinstance(lib, dict) else a.get("nvml")
    devs = {a["pci_address"]: values(a) for a in facts.get("accelerators", []) if isinstance(values(a), dict)}
    seen = set()
    for g in root.findall("gpu"):
        addr = bus_id(g.get("id"))
        if addr is None:
            r.add("DIFF", g.get("id"), "bus id", None, g.get("id"))
            continue
        seen.add(addr)
        if addr not in devs:
            r.add("DIFF", addr, "gpu", None, "listed by nvidia-smi only")
            continue
        compare_gpu(r, addr, devs[addr], g)
    for addr in sorted(set(devs) - seen):
        r.add("DIFF", addr, "gpu", "listed by chipaudit only", None)
    print("\n".join(r.lines))
    print("%d same, %d DIFF, %d live, %d absent" % tuple(r.counts[k] for k in ("same", "DIFF", "live", "absent")))
    return 1 if r.counts["DIFF"] else 0


if __name__ == "__main__":
    sys.exit(main())
