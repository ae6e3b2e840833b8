#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# vsgx monitor --qmp unix:PATH, driven by a QMP client as QEMU's would drive
# it: greeting, negotiation, every command, exact answers, events. TAP.
import json, os, socket, subprocess, sys, tempfile, time

VSGX = os.environ.get("VSGX", "build/src/cli/vsgx")
n = 0
failed = 0


def check(name, got, want):
    global n, failed
    n += 1
    if got == want:
        print(f"ok {n} - {name}")
    else:
        failed += 1
        print(f"not ok {n} - {name}\n# got:  {got!r}\n# want: {want!r}")


class Client:
    def __init__(self, path):
        self.s = socket.socket(socket.AF_UNIX)
        for _ in range(100):
            try:
                self.s.connect(path)
                break
            except OSError:
                time.sleep(0.05)
        self.f = self.s.makefile("rb")
        self.events = []

    def recv(self):
        return json.loads(self.f.readline())

    def cmd(self, name, args=None, raw=None):
        msg = raw if raw is not None else json.dumps(
            {"execute": name, **({"arguments": args} if args else {})})
        self.s.sendall(msg.encode() + b"\n")
        while True:
            m = self.recv()
            if "event" in m:
                self.events.append(m)
                continue
            return m

    def take_events(self):
        ev = [(e["event"], e.get("data")) for e in self.events]
        ok = all(set(e["timestamp"]) == {"seconds", "microseconds"} for e in self.events)
        self.events = []
        return ev, ok


def main():
    d = tempfile.mkdtemp()
    path = os.path.join(d, "qmp.sock")
    p = subprocess.Popen([VSGX, "monitor", "--qmp", "unix:" + path],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
    p.stdin.write("vm create a memory=128 epc=8\n")
    p.stdin.flush()
    c = Client(path)
    g = c.recv()
    check("greeting", (sorted(g["QMP"]), g["QMP"]["capabilities"],
                       sorted(g["QMP"]["version"]["qemu"])),
          (["capabilities", "version"], [], ["major", "micro", "minor"]))
    check("a command before qmp_capabilities", c.cmd("query-status"),
          {"error": {"class": "CommandNotFound",
                     "desc": "Expecting capabilities negotiation with 'qmp_capabilities'"}})
    check("qmp_capabilities", c.cmd("qmp_capabilities"), {"return": {}})
    check("bad JSON", c.cmd(None, raw='{"execute": }'),
          {"error": {"class": "GenericError", "desc": "JSON parse error, unexpected character"}})
    check("unknown command", c.cmd("frob", raw='{"execute": "frob", "id": 3}'),
          {"error": {"class": "CommandNotFound",
                     "desc": "The command frob has not been found"}, "id": 3})
    # The VM typed at the prompt may still be on its way.
    for _ in range(100):
        st = c.cmd("query-status")
        if "return" in st:
            break
        time.sleep(0.05)
    check("query-status", st, {"return": {"running": True, "status": "running"}})
    check("query-sgx", c.cmd("query-sgx"),
          {"return": {"sgx": True, "sgx1": True, "sgx2": True, "flc": True,
                      "sections": [{"node": 0, "size": 8388608}]}})
    caps = c.cmd("query-sgx-capabilities")
    check("query-sgx-capabilities", (sorted(caps["return"]), caps["return"]["sgx"]),
          (["flc", "sections", "sgx", "sgx1", "sgx2"], True))
    check("query-memory-devices", c.cmd("query-memory-devices"),
          {"return": [{"type": "sgx-epc", "data": {
              "memaddr": 4294967296 + 0, "size": 8388608, "node": 0,
              "memdev": "/objects/epc0"}}]})
    check("query-sgx of a VM that does not exist", c.cmd("query-sgx", {"vm": "zz"}),
          {"error": {"class": "GenericError", "desc": "no VM named 'zz'"}})
    check("an argument a command does not take", c.cmd("query-status", {"x": 1}),
          {"error": {"class": "GenericError", "desc": "Parameter 'x' is unexpected"}})
    check("stop", c.cmd("stop"), {"return": {}})
    check("STOP event", c.take_events(), ([("STOP", {"vm": "a"})], True))
    check("query-status paused", c.cmd("query-status"),
          {"return": {"running": False, "status": "paused"}})
    check("cont", c.cmd("cont"), {"return": {}})
    check("RESUME event", c.take_events(), ([("RESUME", {"vm": "a"})], True))
    check("system_reset", c.cmd("system_reset"), {"return": {}})
    check("RESET event", c.take_events(),
          ([("RESET", {"guest": False, "reason": "host-qmp-system-reset", "vm": "a"})], True))
    # A command typed at the prompt is seen by the QMP client too.
    p.stdin.write("vm suspend a s3\n")
    p.stdin.flush()
    for _ in range(100):
        if c.cmd("query-status")["return"]["status"] == "suspended":
            break
        time.sleep(0.05)
    # The event follows the command's end, and may follow a query answered meanwhile.
    if not c.events:
        c.events.append(c.recv())
    check("SUSPEND event of a prompt command", c.take_events(), ([("SUSPEND", {"vm": "a"})], True))
    check("system_wakeup", c.cmd("system_wakeup"), {"return": {}})
    check("WAKEUP event", c.take_events(), ([("WAKEUP", {"vm": "a"})], True))
    p.stdin.close()  # the prompt ends; QMP is served until quit
    time.sleep(0.2)
    check("served after standard input ends", c.cmd("query-status"),
          {"return": {"running": True, "status": "running"}})
    check("quit", c.cmd("quit"), {"return": {}})
    check("SHUTDOWN event", c.take_events(),
          ([("SHUTDOWN", {"guest": False, "reason": "host-qmp-quit"})], True))
    p.wait(timeout=10)
    out = p.stdout.read()
    check("exit status", p.returncode, 0)
    check("the report closes the session", "== report:" in out, True)
    check("the socket is removed", os.path.exists(path), False)

    # quit over QMP while the prompt waits for a line.
    p = subprocess.Popen([VSGX, "monitor", "--qmp", "unix:" + path], stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    p.stdin.write("vm create b memory=128 epc=8\n")
    p.stdin.flush()
    c = Client(path)
    c.recv()
    c.cmd("qmp_capabilities")
    while "return" not in c.cmd("query-status"):
        time.sleep(0.05)
    check("quit while the prompt reads", c.cmd("quit"), {"return": {}})
    p.wait(timeout=10)
    out = p.stdout.read()
    check("the prompt is interrupted and reports", (p.returncode, "quit -> ok\n== report:" in out),
          (0, True))

    r = subprocess.run([VSGX, "monitor", "--qmp", "tcp:1"], stdin=subprocess.DEVNULL,
                       capture_output=True, text=True)
    check("--qmp takes unix:PATH only", (r.returncode, r.stderr.strip()),
          (2, "vsgx: --qmp tcp:1: expected unix:PATH (a UNIX socket)"))
    print(f"1..{n}")
    return 1 if failed else 0


sys.exit(main())
