#!/usr/bin/env python3
"""Embed data files into the binary as a C table, so build/chipaudit carries
the data it was built and tested with. Usage: embed.py OUT.c NAME=PATH..."""
import sys


def c_bytes(data):
    out = []
    for i in range(0, len(data), 16):
        out.append("\t" + ", ".join("0x%02x" % b for b in data[i:i + 16]) + ",")
    return "\n".join(out)


def main():
    out_path, pairs = sys.argv[1], sys.argv[2:]
    lines = ['#include "core/data.h"', ""]
    names = []
    for n, pair in enumerate(pairs):
        name, path = pair.split("=", 1)
        with open(path, "rb") as f:
            data = f.read()
        lines.append("static const unsigned char blob%d[] = {\n%s\n\t0x00\n};" % (n, c_bytes(data)))
        names.append((name, n, len(data)))
    lines.append("const struct embedded_file embedded_data[] = {")
    for name, n, size in names:
        lines.append('\t{ "%s", (const char *)blob%d, %d },' % (name, n, size))
    lines.append("\t{ 0, 0, 0 }\n};")
    with open(out_path, "w") as f:
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
