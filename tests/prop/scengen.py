#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Property-based scenarios for vsgx run and vsgx monitor.

From a seed, scengen writes a random but valid scenario in the monitor's
language (docs/scenario-format.md): a host with random NUMA nodes, EPC, CPUs,
SGX2 and FLC; VMs from xl keys and QEMU options; guests that boot, build and
load enclaves, enter and leave them, grow and trim them (SGX2), evict under
pressure; resets, sleeps, wakeups, migration, destroy. Commands may fail. The
properties, for every seed:

  1. neither `vsgx monitor` nor `vsgx run` crashes or exits other than 0 or 1;
  2. the accounting audit (--audit) never fires: free + used + zombie + bad =
     total on every node, the VMs hold what the host says, no guest leaked a
     page, no enclave lost unless its VM's EPC was taken;
  3. `vsgx run` and `vsgx monitor` agree: the scenario goes to the monitor on
     standard input (which goes on after failures), each line is then given
     the outcome the monitor saw (`=> EBUSY`), and `vsgx run` of that must
     pass whole (exit 0) with the same JSON events, command by command and
     in the closing report (the file name aside);
  4. a failed command changes nothing else: the scenario without one of its
     failed commands (picked from the seed) runs the same, every later
     outcome and reason and each VM's state, enclaves and resets.

A failing seed is shrunk (lines dropped, numbers halved, while it fails the
same way) and the shortest scenario is printed with the command that
reproduces it.

  scengen.py gen SEED [--commands N]             print the scenario of SEED
  scengen.py check --vsgx PATH [--seeds N] [--first S] [--jobs J]
                   [--vsgx-args 'ARGS'] [--tap] [--keep DIR]
  scengen.py replay --vsgx PATH FILE              check one scenario file

Only Python's standard library is used.
"""

import argparse
import json
import os
import random
import re
import shlex
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor

# ---------------------------------------------------------------------------
# The generator
# ---------------------------------------------------------------------------

VECTORS = {
    "test_enclave": "sgxs=$VECTORS/test_enclave.sgxs sig=$VECTORS/test_enclave.sig",
    "synthetic": "sgxs=$VECTORS/synthetic.sgxs sig=$VECTORS/synthetic.sig",
}


class Enclave:
    def __init__(self, threads, launch=False):
        self.threads = threads
        self.inside = set()
        self.launch = launch
        self.pages = 0


class Vm:
    def __init__(self, name, vcpus, epc_pages):
        self.name = name
        self.vcpus = vcpus
        self.epc_pages = epc_pages
        self.booted = False
        self.state = "running"
        self.enclaves = {}


class Gen:
    """A random scenario from a seed; what it believes of the state is a guess
    (commands may fail), good enough to make most commands meaningful."""

    def __init__(self, seed, commands):
        self.rng = random.Random(seed)
        self.target = commands
        self.lines = []
        self.vms = {}
        self.nvm = 0
        self.nencl = 0
        self.nodes = []
        self.sgx2 = True
        self.host_mib = 0

    # -- helpers --------------------------------------------------------
    def pick(self, seq):
        return self.rng.choice(list(seq))

    def chance(self, p):
        return self.rng.random() < p

    def emit(self, line):
        self.lines.append(line)

    def new_vm_name(self):
        self.nvm += 1
        return "v%d" % self.nvm

    def new_encl_name(self):
        self.nencl += 1
        return "e%d" % self.nencl

    # -- host and VMs -----------------------------------------------------
    def host(self):
        r = self.rng
        nr = self.pick([1, 1, 2, 2, 3])
        ids = sorted(r.sample(range(4), nr)) if self.chance(0.2) else list(range(nr))
        words = ["host"]
        for n in ids:
            size = self.pick([2, 4, 4, 8, 8, 16])
            words.append("epc=%dM@%d" % (size, n))
            self.host_mib += size
            self.nodes.append(n)
        if self.chance(0.1):
            words.append("epc=%dK@%d" % (4 * r.randint(1, 512), ids[0]))
        words.append("cpus=%d" % self.pick([1, 2, 4, 4, 8]))
        self.sgx2 = self.chance(0.8)
        words.append("sgx2=%d" % self.sgx2)
        words.append("flc=%d" % self.chance(0.95))
        if self.chance(0.04):
            words.append("lehash-locked=1")
        self.emit(" ".join(words))

    def vm_mib(self):
        """A VM's EPC in MiB: mostly what the host can give, now and then more."""
        sizes = [m for m in (1, 2, 2, 4, 4, 8) if m <= self.host_mib // 2 or m == 1]
        return self.pick(sizes if self.chance(0.9) else (1, 2, 4, 8, 16))

    def epc_size(self):
        """An EPC section's size: MiB mostly, now and then a size in KiB."""
        if self.chance(0.15):
            kib = 4 * self.rng.randint(1, 768)
            return "%dK" % kib, kib // 4
        mib = self.vm_mib()
        return "%dM" % mib, mib * 256

    def vm_create_xl(self, name, vcpus):
        mib = self.vm_mib()
        mem = self.pick([64, 128, 256, 512])
        if self.chance(0.25):
            extra = self.pick(["", "", "", ",lewr=0", ",provision=1"])
            cfg = 'sgx="epc=%d%s"' % (mib, extra)
        else:
            cfg = "epc=%d" % mib
        self.emit("vm create %s memory=%d vcpus=%d %s" % (name, mem, vcpus, cfg))
        return mib * 256

    def vm_create_qemu(self, name, vcpus):
        nsec = self.pick([1, 1, 1, 2, 2, 3])
        gnodes = self.pick([1, 1, 2])
        words = ["vm create %s qemu -m %dM -smp %d" % (name, self.pick([128, 256, 512]), vcpus)]
        if gnodes > 1:
            words.append("-numa node,nodeid=0 -numa node,nodeid=1")
        pages = 0
        mprops = []
        for i in range(nsec):
            size, p = self.epc_size()
            pages += p
            obj = "-object memory-backend-epc,id=m%d,size=%s" % (i, size)
            if self.chance(0.25):
                obj += ",prealloc=on"
            if self.nodes and self.chance(0.4):
                obj += ",host-nodes=%d,policy=%s" % (
                    self.pick(self.nodes + [9] if self.chance(0.1) else self.nodes),
                    self.pick(["bind", "preferred", "interleave"]),
                )
            words.append(obj)
            mprops.append("sgx-epc.%d.memdev=m%d,sgx-epc.%d.node=%d"
                          % (i, i, i, self.rng.randrange(gnodes)))
        words.append("-M q35," + ",".join(mprops) if self.chance(0.3) else "-M " + ",".join(mprops))
        cpu = "-cpu host"
        for feat, p in (("-sgx2", 0.1), ("-sgxlc", 0.04), ("+sgx-provisionkey", 0.1)):
            if self.chance(p):
                cpu += "," + feat
        if not self.chance(0.05):
            words.append(cpu)
        self.emit(" ".join(words))
        return pages

    def vm_create(self):
        name = self.new_vm_name()
        vcpus = self.pick([1, 1, 2, 2, 4])
        if self.chance(0.5):
            pages = self.vm_create_xl(name, vcpus)
        else:
            pages = self.vm_create_qemu(name, vcpus)
        self.vms[name] = Vm(name, vcpus, pages)

    def vm_name(self):
        if not self.vms or self.chance(0.02):
            return "nosuch"
        return self.pick(sorted(self.vms))

    def vm_op(self):
        name = self.vm_name()
        v = self.vms.get(name)
        # Mostly what the VM's state allows; now and then anything.
        by_state = {
            "running": ["reset", "reset", "reset nostop", "pause", "suspend", "suspend",
                        "destroy", "migrate", "migrate"],
            "paused": ["resume", "resume", "reset", "destroy", "migrate"],
            "suspended": ["wake", "wake", "power-on", "reset", "destroy"],
            "off": ["power-on", "power-on", "wake", "reset", "destroy"],
        }
        if v and self.chance(0.9):
            op = self.pick(by_state[v.state])
        else:
            op = self.pick(by_state["running"] + by_state["paused"] + by_state["off"])
        if op == "suspend":
            s = self.pick(["s3", "s3", "s4", "s5"])
            self.emit("vm suspend %s %s" % (name, s))
            if v and v.state == "running":
                v.state = {"s3": "suspended"}.get(s, "off")
                if s == "s5":
                    v.enclaves.clear()
            return
        if op == "migrate":
            new = self.new_vm_name()
            self.emit("vm migrate %s %s" % (name, new))
            if v and v.state == "running":
                del self.vms[name]
                v.name = new
                self.vms[new] = v
            return
        if op == "reset nostop":
            self.emit("vm reset %s nostop" % name)
        else:
            self.emit("vm %s %s" % (op, name))
        if not v:
            return
        if op == "destroy":
            del self.vms[name]
        elif op.startswith("reset"):
            v.enclaves.clear()
        elif op == "pause" and v.state == "running":
            v.state = "paused"
        elif (op, v.state) in (("resume", "paused"), ("wake", "suspended"), ("power-on", "off")):
            v.state = "running"

    # -- guests ---------------------------------------------------------
    def booted_vm(self):
        vms = [v for v in self.vms.values() if v.booted]
        if not vms:
            return None
        if self.chance(0.03):
            return self.vms.get(self.vm_name())
        # Mostly a running one: guest commands in others fail with EAGAIN.
        running = [v for v in vms if v.state == "running"]
        return self.pick(running if running and self.chance(0.85) else vms)

    def enclave_of(self, v):
        if not v or not v.enclaves or self.chance(0.03):
            return "nosuch", None
        name = self.pick(sorted(v.enclaves))
        return name, v.enclaves[name]

    def build_pages(self, v):
        r = self.rng
        x = r.random()
        if x < 0.6:
            return r.randint(1, 64)
        if x < 0.9:
            return r.randint(65, 600)
        # Pressure: about the whole of the guest's EPC.
        return max(1, int(v.epc_pages * r.uniform(0.3, 1.1)))

    def guest_build(self, v):
        name = self.new_encl_name()
        threads = self.pick([1, 1, 2, 3, 4])
        # A synthetic enclave has 3 pages per thread and one of code at least.
        pages = max(self.build_pages(v), 3 * threads + 1 if self.chance(0.97) else 1)
        words = ["guest", v.name, "build", name, "pages=%d" % pages,
                 "threads=%d" % threads]
        launch = False
        if self.chance(0.15):
            words.append("debug")
        les = [n for n, e in v.enclaves.items() if e.launch]
        if self.chance(0.08):
            words.append("launch")
            launch = True
        elif les and self.chance(0.5):
            words.append("token=%s" % self.pick(les))
        self.emit(" ".join(words))
        v.enclaves[name] = Enclave(threads, launch)
        v.enclaves[name].pages = pages

    def guest_load(self, v):
        name = self.new_encl_name()
        vec = self.pick(sorted(VECTORS))
        les = [n for n, e in v.enclaves.items() if e.launch]
        tok = " token=%s" % self.pick(les) if les and self.chance(0.4) else ""
        self.emit("guest %s load %s %s%s" % (v.name, name, VECTORS[vec], tok))
        v.enclaves[name] = Enclave(1)
        v.enclaves[name].pages = 40

    def guest_op(self):
        v = self.booted_vm()
        if not v:
            self.guest_boot()
            return
        r = self.rng
        if not v.enclaves or self.chance(0.12):
            if self.chance(0.75):
                self.guest_build(v)
            else:
                self.guest_load(v)
            return
        ename, e = self.enclave_of(v)
        op = self.pick(["enter", "enter", "exit", "exit", "grow", "trim", "evict", "evict",
                        "destroy", "reboot"])
        if op == "enter":
            t = r.randrange(e.threads + (1 if self.chance(0.05) else 0)) if e else 0
            self.emit("guest %s enter %s thread=%d vcpu=%d"
                      % (v.name, ename, t, r.randrange(v.vcpus + (1 if self.chance(0.05) else 0))))
            if e:
                e.inside.add(t)
        elif op == "exit" and e and not e.inside and self.chance(0.8):
            self.emit("guest %s enter %s thread=0 vcpu=%d" % (v.name, ename, r.randrange(v.vcpus)))
            e.inside.add(0)
        elif op == "exit":
            t = self.pick(sorted(e.inside)) if e and e.inside else 0
            self.emit("guest %s exit %s thread=%d" % (v.name, ename, t))
            if e:
                e.inside.discard(t)
        elif op in ("grow", "trim"):
            self.emit("guest %s %s %s pages=%d" % (v.name, op, ename, self.pick([1, 1, 2, 4, 8, 16, 64])))
        elif op == "evict":
            most = e.pages if e and e.pages and self.chance(0.9) else 300
            self.emit("guest %s evict %s pages=%d" % (v.name, ename, r.randint(1, most)))
        elif op == "destroy":
            self.emit("guest %s destroy %s" % (v.name, ename))
            v.enclaves.pop(ename, None)
        else:
            self.emit("guest %s reboot %s" % (v.name, self.pick(["clean", "unclean"])))
            v.enclaves.clear()

    def guest_boot(self):
        unbooted = [v for v in self.vms.values() if not v.booted]
        if not unbooted:
            self.vm_create()
            return
        v = self.pick(unbooted)
        self.emit("guest %s boot" % v.name)
        v.booted = True

    def macro(self):
        """A sequence that puts one guest under pressure: two enclaves that
        together overfill its EPC, a thread inside the first, its pages
        evicted, then SGX2 on it and a way of taking the EPC away."""
        v = self.booted_vm()
        if not v or v.state != "running":
            self.guest_op()
            return
        r = self.rng
        a, b = self.new_encl_name(), self.new_encl_name()
        size = max(8, int(v.epc_pages * r.uniform(0.4, 0.95)))
        self.emit("guest %s build %s pages=%d threads=1" % (v.name, a, size))
        v.enclaves[a] = Enclave(1)
        v.enclaves[a].pages = size
        if self.chance(0.5):
            self.emit("guest %s enter %s" % (v.name, a))
            v.enclaves[a].inside.add(0)
        size_b = max(8, int(v.epc_pages * r.uniform(0.4, 0.95)))
        self.emit("guest %s build %s pages=%d threads=1" % (v.name, b, size_b))
        v.enclaves[b] = Enclave(1)
        v.enclaves[b].pages = size_b
        for _ in range(r.randint(1, 4)):
            who = self.pick([a, b])
            op = self.pick(["enter", "exit", "evict", "grow", "trim"])
            if op in ("enter", "exit"):
                self.emit("guest %s %s %s" % (v.name, op, who))
            elif op == "evict":
                self.emit("guest %s evict %s pages=%d" % (v.name, who, r.randint(1, size)))
            else:
                self.emit("guest %s %s %s pages=%d" % (v.name, op, who, r.randint(1, 16)))
        if self.chance(0.5):
            self.vm_op()

    def query(self):
        name = self.vm_name()
        self.emit(self.pick(["info sgx %s" % name, "info vms", "info status %s" % name,
                             "qmp query-sgx %s" % name, "qmp query-sgx-capabilities", "info sgx"]))

    # -- the scenario ------------------------------------------------------
    def scenario(self):
        if self.chance(0.9):
            self.host()
        else:
            self.nodes = [0, 1]
            self.host_mib = 256
        while len(self.lines) < self.target:
            unbooted = [v for v in self.vms.values() if not v.booted]
            x = self.rng.random()
            if not self.vms or (x < 0.08 and len(self.vms) < 5):
                self.vm_create()
            elif unbooted and x < 0.35:
                self.guest_boot()
            elif x < 0.3:
                self.vm_op()
            elif x < 0.34:
                self.query()
            elif x < 0.40:
                self.macro()
            else:
                self.guest_op()
        return self.lines


def generate(seed, commands):
    return Gen(seed, commands).scenario()


# ---------------------------------------------------------------------------
# The properties
# ---------------------------------------------------------------------------


# Failures that promise to have changed nothing (EIO and EFAULT report a loss
# or a stopped VM, which later commands see).
NOOP_OUTCOMES = ("EINVAL", "ENOENT", "ENODEV", "EAGAIN", "EEXIST", "ENOSPC", "EOPNOTSUPP",
                 "EBUSY", "ENOMEM", "EPERM", "EFBIG")


def command_name(line):
    """'guest v1 trim e3 pages=2' -> 'guest trim', 'vm reset v1' -> 'vm reset'."""
    w = line.split()
    return " ".join(w[0:3:2] if w[0] == "guest" else w[:2])


def noop_exempt(e):
    """Failures documented to change something: a guest that boots without
    SGX in its CPUID runs and says ENODEV; a reset or sleep whose remove-all
    answers EBUSY stops the VM with the reason (docs/scenario-format.md)."""
    name = command_name(" ".join(e["command"]))
    if name == "guest boot" and e["outcome"] == "ENODEV":
        return True
    return name in ("vm reset", "vm suspend", "guest reboot") and e["outcome"] == "EBUSY"


def noop_view(e):
    """What a failed command must not have changed: every later command's
    outcome and reason, and each VM's state, enclaves and resets. Not the
    counters of work a command may do before it fails (pages the guest
    touched, so the host backed them; faults injected, preemptions,
    evictions), which are no loss."""
    if e.get("event") == "command":
        v = {k: e.get(k) for k in ("command", "outcome", "message")}
        # An interrupt (the host preempting a vCPU) may take a thread out
        # at any time; 'enter' resumes it. Inside either way.
        if (v["command"][2:3] == ["enter"] and v["outcome"] == "EBUSY"
                and "is inside already" in (v["message"] or "")):
            v["outcome"], v["message"] = "ok", None
        return v
    if e.get("event") == "vm":
        return {k: e.get(k) for k in ("event", "name", "state", "enclaves", "resets", "error")}
    return {"event": e.get("event")}


class Failure(Exception):
    def __init__(self, kind, message, what=""):
        super().__init__("%s: %s" % (kind, message))
        self.kind = kind
        self.message = message
        # What a shrunk scenario must still fail with: the kind, and for a
        # failed command that changed things, that command.
        self.signature = (kind, what)


class Checker:
    def __init__(self, vsgx, vsgx_args, workdir, timeout=120):
        self.vsgx = vsgx
        self.args = vsgx_args
        self.workdir = workdir
        self.timeout = timeout
        self.commands = 0  # scenario commands run (each by the monitor and by run)

    def _run(self, argv, stdin_path=None):
        stdin = open(stdin_path, "rb") if stdin_path else subprocess.DEVNULL
        try:
            p = subprocess.run(argv, stdin=stdin, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, timeout=self.timeout)
        except subprocess.TimeoutExpired:
            raise Failure("hang", "%s did not end within %d s" % (" ".join(argv), self.timeout))
        except OSError as err:
            raise Failure("exit", "%s could not be run: %s" % (argv[0], err))
        finally:
            if stdin_path:
                stdin.close()
        return p.returncode, p.stderr.decode("utf-8", "replace")

    @staticmethod
    def _events(path, what):
        events = []
        try:
            with open(path, encoding="utf-8") as f:
                for n, text in enumerate(f, 1):
                    try:
                        e = json.loads(text)
                    except ValueError as err:
                        raise Failure("json", "%s's JSON line %d does not parse: %s" % (what, n, err))
                    e.pop("file", None)
                    events.append(e)
        except OSError as err:
            raise Failure("json", "%s wrote no JSON: %s" % (what, err))
        return events

    @staticmethod
    def _status(rc, err, what):
        if rc < 0 or rc > 1:
            tail = err.strip().splitlines()[-3:]
            raise Failure("exit", "%s exited with %s: %s" % (
                what, "signal %d" % -rc if rc < 0 else "status %d" % rc, " | ".join(tail)))
        for line in err.splitlines():
            if ": audit: " in line:
                raise Failure("audit", "%s: %s" % (what, line))

    def check(self, lines):
        """Raise Failure when (lines) break a property."""
        d = self.workdir
        scen = os.path.join(d, "s.vsgx")
        with open(scen, "w") as f:
            f.write("\n".join(lines) + "\n")
        mjson = os.path.join(d, "monitor.json")
        rc, err = self._run([self.vsgx, "monitor", "--audit", "--json", mjson] + self.args, scen)
        self._status(rc, err, "vsgx monitor")
        mon = self._events(mjson, "vsgx monitor")
        outcome = {e["line"]: e["outcome"] for e in mon if e.get("event") == "command"}
        self.commands += len(outcome)
        annotated = os.path.join(d, "a.vsgx")
        with open(annotated, "w") as f:
            for n, line in enumerate(lines, 1):
                o = outcome.get(n)
                if o is None:
                    raise Failure("disagree", "the monitor did not run line %d: %s" % (n, line))
                f.write(line + ("" if o == "ok" else "  => " + o) + "\n")
        rjson = os.path.join(d, "run.json")
        rc, err = self._run([self.vsgx, "run", "--quiet", "--audit", "--json", rjson] + self.args
                            + [annotated])
        self._status(rc, err, "vsgx run")
        if rc != 0:
            raise Failure("disagree", "vsgx run of the monitor's outcomes failed: %s"
                          % " | ".join(err.strip().splitlines()[-2:]))
        run = self._events(rjson, "vsgx run")
        for i in range(max(len(mon), len(run))):
            a = mon[i] if i < len(mon) else None
            b = run[i] if i < len(run) else None
            if a != b:
                raise Failure("disagree", "JSON event %d differs: monitor %s, run %s"
                              % (i + 1, json.dumps(a), json.dumps(b)))
        self.check_noop(lines, mon)

    def check_noop(self, lines, mon):
        """A failed command changes nothing else: the scenario without it runs
        the same, every later command and the closing report. One failure
        per scenario is tried, of the kinds that promise to leave everything
        as it was (not EIO or EFAULT, which report a loss or a stopped VM)."""
        failed = [e["line"] for e in mon if e.get("event") == "command"
                  and e["outcome"] in NOOP_OUTCOMES and not noop_exempt(e)]
        if not failed:
            return
        n = random.Random("\n".join(lines)).choice(failed)
        trial = lines[:n - 1] + lines[n:]
        scen = os.path.join(self.workdir, "noop.vsgx")
        with open(scen, "w") as f:
            f.write("\n".join(trial) + "\n")
        njson = os.path.join(self.workdir, "noop.json")
        rc, err = self._run([self.vsgx, "monitor", "--audit", "--json", njson] + self.args, scen)
        self._status(rc, err, "vsgx monitor")
        without = [noop_view(e) for e in self._events(njson, "vsgx monitor")]
        with_ = [noop_view(e) for e in mon if e.get("line") != n]
        for i in range(max(len(with_), len(without))):
            a = with_[i] if i < len(with_) else None
            b = without[i] if i < len(without) else None
            if a != b:
                raise Failure("noop", "line %d (%s) failed but changed what came later: with "
                              "it %s, without it %s" % (n, lines[n - 1], json.dumps(a),
                                                        json.dumps(b)),
                              command_name(lines[n - 1]))


# ---------------------------------------------------------------------------
# Minimization
# ---------------------------------------------------------------------------

NUMBER = re.compile(r"(?<=[=,@ ])(\d+)(?=[MK]?\b)")


def same_failure(checker, lines, signature, budget):
    if budget[0] <= 0:
        return False
    budget[0] -= 1
    try:
        checker.check(lines)
    except Failure as f:
        return f.signature == signature
    return False


def shrink_lines(checker, lines, signature, budget):
    """Drop chunks of lines, halving the chunk size, while the failure stays."""
    chunk = max(1, len(lines) // 2)
    while chunk >= 1 and budget[0] > 0:
        i = 0
        progress = False
        while i < len(lines) and budget[0] > 0:
            trial = lines[:i] + lines[i + chunk:]
            if trial and same_failure(checker, trial, signature, budget):
                lines = trial
                progress = True
            else:
                i += chunk
        if not progress:
            chunk //= 2
    return lines


def shrink_numbers(checker, lines, signature, budget):
    """Halve every number on every line while the failure stays."""
    for n in range(len(lines)):
        k = 0
        while budget[0] > 0:
            matches = list(NUMBER.finditer(lines[n]))
            if k >= len(matches):
                break
            m = matches[k]
            v = int(m.group(1))
            if v <= 1:
                k += 1
                continue
            line = lines[n][:m.start(1)] + str(v // 2) + lines[n][m.end(1):]
            trial = lines[:n] + [line] + lines[n + 1:]
            if same_failure(checker, trial, signature, budget):
                lines = trial
            else:
                k += 1
    return lines


def minimize(checker, lines, signature, budget=300):
    b = [budget]
    while True:
        before = list(lines)
        lines = shrink_lines(checker, lines, signature, b)
        lines = shrink_numbers(checker, lines, signature, b)
        if lines == before or b[0] <= 0:
            return lines


# ---------------------------------------------------------------------------
# The command line
# ---------------------------------------------------------------------------


def seed_commands(seed, commands):
    """Scenario lengths vary with the seed: short ones shrink fast, long ones go deep."""
    if commands:
        return commands
    return random.Random(seed ^ 0x5A5A).choice([10, 20, 30, 40, 60])


def run_seed(args, vsgx_args, seed):
    lines = generate(seed, seed_commands(seed, args.commands))
    with tempfile.TemporaryDirectory(prefix="scengen-") as d:
        c = Checker(args.vsgx, vsgx_args, d)
        try:
            c.check(lines)
            return seed, None, c.commands, lines
        except Failure as f:
            return seed, f, c.commands, lines


def report_failure(args, vsgx_args, seed, f, lines, out):
    with tempfile.TemporaryDirectory(prefix="scengen-") as d:
        c = Checker(args.vsgx, vsgx_args, d)
        small = minimize(c, list(lines), f.signature, args.shrink_budget)
        try:
            c.check(small)
            why = f
        except Failure as g:
            why = g
    out("seed %d fails (%s): %s" % (seed, f.kind, f.message))
    out("shortest failing scenario (%d of %d lines): %s" % (len(small), len(lines), why.message))
    for line in small:
        out("    " + line)
    path = None
    if args.keep:
        os.makedirs(args.keep, exist_ok=True)
        path = os.path.join(args.keep, "seed-%d.vsgx" % seed)
        with open(path, "w") as fp:
            fp.write("\n".join(small) + "\n")
    extra = (" --vsgx-args %s" % shlex.quote(" ".join(vsgx_args))) if vsgx_args else ""
    out("reproduce: %s check --vsgx %s --first %d --seeds 1%s%s" % (
        sys.argv[0], args.vsgx, seed, extra,
        " --commands %d" % args.commands if args.commands else ""))
    if path:
        out("or: %s monitor --audit%s < %s" % (args.vsgx, extra and " " + " ".join(vsgx_args), path))


def cmd_check(args):
    vsgx_args = shlex.split(args.vsgx_args or os.environ.get("PROP_VSGX_ARGS", ""))
    seeds = range(args.first, args.first + args.seeds)
    t0 = time.time()
    failures = []
    commands = 0
    if args.tap:
        out = lambda s: print("# " + s, flush=True)
    else:
        out = lambda s: print(s, flush=True)
    with ThreadPoolExecutor(max_workers=args.jobs) as pool:
        for k, (seed, f, n, lines) in enumerate(
                pool.map(lambda s: run_seed(args, vsgx_args, s), seeds), 1):
            commands += n
            if not args.tap and k % 500 == 0:
                print("... %d seeds, %d commands, %d failed, %.0f s"
                      % (k, commands, len(failures) + bool(f), time.time() - t0), flush=True)
            if f:
                out("seed %d: %s" % (seed, f))
                failures.append((seed, f, lines))
                if len(failures) >= args.max_failures:
                    pool.shutdown(wait=True, cancel_futures=True)
                    break
    kinds = {}
    for seed, f, lines in failures:
        kinds.setdefault(f.kind, []).append(seed)
    for seed, f, lines in failures[:args.report]:
        report_failure(args, vsgx_args, seed, f, lines, out)
    elapsed = time.time() - t0
    summary = "%d seeds from %d, %d commands (each run by vsgx monitor and vsgx run), %d failed, %.1f s%s" % (
        len(seeds), args.first, commands, len(failures), elapsed,
        (" (vsgx args: %s)" % " ".join(vsgx_args)) if vsgx_args else "")
    if args.tap:
        props = [("no crash, exit status 0 or 1", ("exit", "hang", "json")),
                 ("the audit never fired, no page leaked", ("audit",)),
                 ("vsgx run and vsgx monitor agree", ("disagree",)),
                 ("a failed command changes nothing else", ("noop",))]
        print("1..%d" % len(props))
        for i, (what, ks) in enumerate(props, 1):
            bad = sorted(s for k in ks for s in kinds.get(k, []))
            print("%s %d - %s%s" % ("not ok" if bad else "ok", i, what,
                                    " (seeds %s)" % " ".join(map(str, bad[:10])) if bad else ""))
        print("# " + summary)
    else:
        print(summary)
    return 1 if failures else 0


def cmd_gen(args):
    print("\n".join(generate(args.seed, seed_commands(args.seed, args.commands))))
    return 0


def cmd_replay(args):
    vsgx_args = shlex.split(args.vsgx_args or os.environ.get("PROP_VSGX_ARGS", ""))
    with open(args.file) as f:
        lines = [l.rstrip("\n") for l in f if l.strip() and not l.lstrip().startswith("#")]
    with tempfile.TemporaryDirectory(prefix="scengen-") as d:
        c = Checker(args.vsgx, vsgx_args, d)
        try:
            c.check(lines)
        except Failure as f:
            print("%s fails (%s): %s" % (args.file, f.kind, f.message))
            return 1
    print("%s: %d commands, every property holds" % (args.file, c.commands))
    return 0


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    g = sub.add_parser("gen", help="print the scenario of a seed")
    g.add_argument("seed", type=int)
    g.add_argument("--commands", type=int, default=0, help="lines (default: from the seed)")
    c = sub.add_parser("check", help="check the properties on many seeds")
    c.add_argument("--vsgx", required=True)
    c.add_argument("--seeds", type=int, default=100)
    c.add_argument("--first", type=int, default=1)
    c.add_argument("--commands", type=int, default=0)
    c.add_argument("--jobs", type=int, default=1)
    c.add_argument("--vsgx-args", default=None,
                   help="more arguments for vsgx run and monitor (default: $PROP_VSGX_ARGS)")
    c.add_argument("--tap", action="store_true", help="print TAP (meson's protocol)")
    c.add_argument("--keep", help="write each shortest failing scenario to this folder")
    c.add_argument("--max-failures", type=int, default=20)
    c.add_argument("--report", type=int, default=3, help="failures to shrink and print")
    c.add_argument("--shrink-budget", type=int, default=300, help="checks a shrink may make")
    r = sub.add_parser("replay", help="check one scenario file")
    r.add_argument("--vsgx", required=True)
    r.add_argument("--vsgx-args", default=None)
    r.add_argument("file")
    args = p.parse_args()
    return {"gen": cmd_gen, "check": cmd_check, "replay": cmd_replay}[args.cmd](args)


if __name__ == "__main__":
    sys.exit(main())
