#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Write libvsgx's linker version script: every function that the given
public headers declare is exported (static inline ones are not symbols),
nothing else is. Usage: gen-map.py OUTPUT HEADER..."""
import re
import sys


def declared_functions(text):
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
    text = re.sub(r"^\s*#.*$", " ", text, flags=re.M)
    names = set()
    # Top-level statements only: a function body or struct is one block.
    depth, stmt = 0, ""
    for ch in text:
        if ch == "{":
            if depth == 0 and "static inline" in stmt:
                stmt = "static inline"
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth == 0 and stmt == "static inline":
                stmt = ""
        elif depth == 0:
            stmt += ch
            if ch == ";":
                m = re.search(r"\b((?:hw|vsgx)_[a-z0-9_]+)\s*\(", stmt)
                if m and "typedef" not in stmt and "static" not in stmt:
                    names.add(m.group(1))
                stmt = ""
    return names


def main():
    out, headers = sys.argv[1], sys.argv[2:]
    names = set()
    for h in headers:
        with open(h) as f:
            names |= declared_functions(f.read())
    with open(out, "w") as f:
        f.write("VSGX_0 {\n  global:\n")
        for n in sorted(names):
            f.write("    %s;\n" % n)
        f.write("  local: *;\n};\n")


main()
