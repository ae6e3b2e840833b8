#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Which rows of the SDM's error tables the conformance traces reach.

Usage: sdm-coverage.py VSGX ROWS TRACE|DIR...
Runs each trace with `vsgx trace`, collects the (leaf, outcome) pairs its
leaf commands ended with, and prints TAP: one test per row of ROWS (see
tests/conformance/sdm-rows.txt), failing for a row no trace reached, then
the count. A trace that does not pass fails too: its outcomes are not
evidence.
"""
import os
import re
import subprocess
import sys

ENCLS = ["ECREATE", "EADD", "EINIT", "EREMOVE", "EDBGRD", "EDBGWR", "EEXTEND", "ELDB",
         "ELDU", "EBLOCK", "EPA", "EWB", "ETRACK", "EAUG", "EMODPR", "EMODT", "ERDINFO",
         "ETRACKC", "ELDBC", "ELDUC"]
ENCLU = ["EREPORT", "EGETKEY", "EENTER", "ERESUME", "EEXIT", "EACCEPT", "EMODPE",
         "EACCEPTCOPY", "EVERIFYREPORT2", "EDECCSSA"]
ENCLV = ["EDECVIRTCHILD", "EINCVIRTCHILD", "ESETCONTEXT"]
# Trace commands that issue one leaf, by name.
NAMED = {n.lower(): n for n in ENCLS + ENCLU + ENCLV}


def leaf_of(words):
    """The leaf a trace command issued, or None for commands that are not leaves."""
    if len(words) >= 3 and words[0] == "cpu":
        words = words[2:]
    if not words:
        return None
    op = words[0]
    if op in NAMED:
        return NAMED[op]
    if op in ("encls", "enclu", "enclv") and len(words) > 1:
        table = {"encls": ENCLS, "enclu": ENCLU, "enclv": ENCLV}[op]
        try:
            n = int(words[1], 0)
        except ValueError:
            return None
        return table[n] if 0 <= n < len(table) else op.upper()
    return None


def outcome_of(text):
    """'ok (...)' -> ok; 'SGX_X' -> SGX_X; '#PF(0x...)' -> #PF."""
    word = text.split()[0] if text.split() else ""
    return re.sub(r"\(.*", "", word)


def main():
    vsgx, rows_path = sys.argv[1], sys.argv[2]
    traces = []
    for arg in sys.argv[3:]:
        if os.path.isdir(arg):
            traces += sorted(os.path.join(arg, n) for n in os.listdir(arg) if n.endswith(".trace"))
        else:
            traces.append(arg)
    seen = {}
    broken = []
    extra = os.environ.get("VSGX_EXTRA_VECTORS", "")
    for path in traces:
        # Intel's launch enclave SIGSTRUCT is in the outside vectors folder only.
        with open(path) as f:
            if "le_prod_css" in f.read() and not os.path.exists(
                    os.path.join(extra, "le_prod_css.bin")):
                continue
        args = [vsgx, "trace"] + (["--vectors", extra] if "le_prod_css" in open(path).read() else [])
        run = subprocess.run(args + [path], capture_output=True, text=True)
        if run.returncode != 0:
            broken.append((path, (run.stderr or run.stdout).strip().splitlines()[-1:]))
        for line in run.stdout.splitlines():
            if " -> " not in line:
                continue
            cmd, out = line.split(" -> ", 1)
            leaf = leaf_of(cmd.split())
            if leaf:
                seen.setdefault((leaf, outcome_of(out)), path)
    rows = []
    with open(rows_path) as f:
        for line in f:
            line = line.split("#", 1)[0] if line.startswith("#") else line
            if not line.strip():
                continue
            spec, _, why = line.partition(" -- ")
            leaf, outcome = spec.split()
            rows.append((leaf, outcome, why.strip()))
    print("1..%d" % (len(rows) + 1))
    reached = 0
    for i, (leaf, outcome, why) in enumerate(rows, 1):
        where = seen.get((leaf, outcome))
        if where:
            reached += 1
            print("ok %d - %s %s (%s)" % (i, leaf, outcome, where.split("/")[-1]))
        else:
            print("not ok %d - %s %s: no trace reaches it (%s)" % (i, leaf, outcome, why))
    status = "not ok" if broken else "ok"
    print("%s %d - every trace passes%s" % (status, len(rows) + 1,
          "".join("\n# %s: %s" % (p, " ".join(m)) for p, m in broken)))
    print("# %d of %d SDM error-table rows reached by %d traces" % (reached, len(rows), len(traces)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
