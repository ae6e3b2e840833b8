#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""vsgx monitor at a terminal, typed at as a person would, through a pty.

Usage: monitor-pty.py VSGX STATE-DIR
Types a command completed with Tab, a double Tab that lists choices,
an up-arrow recall, a Ctrl-C on a half-typed line and Ctrl-D; prints what
the terminal showed (escape sequences removed) and the exit status.
"""
import os
import pty
import re
import select
import sys
import time

vsgx, state = sys.argv[1], sys.argv[2]
env = dict(os.environ, XDG_STATE_HOME=state, TERM="xterm", HOME=state)
pid, fd = pty.fork()
if pid == 0:
    os.execve(vsgx, [vsgx, "monitor"], env)

shown = b""
# Generous: the ASan build on two loaded cores can take seconds per line.
STEP_TIMEOUT = 60.0


def pump(until, since, timeout=STEP_TIMEOUT):
    """Read what the monitor shows until (until) appears after offset (since),
    or, with until None, until the monitor exits. Returns False on timeout."""
    global shown
    end = time.time() + timeout
    while time.time() < end:
        if until is not None and until in shown[since:]:
            return True
        r, _, _ = select.select([fd], [], [], 0.05)
        if not r:
            continue
        try:
            d = os.read(fd, 4096)
        except OSError:
            return until is None
        if not d:
            return until is None
        shown += d
    return False


def type_(keys, until, prompt=False):
    """Type (keys) and wait for (until) in what the monitor shows after them,
    so that no key is typed before the previous one was answered. With
    (prompt), wait for the next prompt too: between two lines libedit puts
    the terminal back in canonical mode, where a Ctrl-D typed too early is
    the line discipline's end-of-file, which reaches libedit as a NUL once
    it is back in raw mode, and the monitor never sees it."""
    since = len(shown)
    os.write(fd, keys)
    if not pump(until, since):
        sys.stderr.write("monitor-pty: timed out waiting for %r after typing %r\n" % (until, keys))
        return
    if prompt and not pump(b"(vsgx) ", shown.index(until, since) + len(until)):
        sys.stderr.write("monitor-pty: timed out waiting for the prompt after %r\n" % (keys,))


pump(b"(vsgx) ", 0)
type_(b"vm cr\t", b"eate ")
type_(b"a memory=128 epc=8\r", b"EPC in", prompt=True)
type_(b"info st\t", b"atus ")  # libedit prints only what completion adds
type_(b"\r", b"VM status: running", prompt=True)
type_(b"vm res\t\t", b"resume")
type_(b"\x03", b"(vsgx) ")
type_(b"\x1b[A\r", b"VM status: running", prompt=True)
type_(b"stop\r", b"stop -> ok", prompt=True)
# Ctrl-D at an empty prompt ends the session, the first time: it is typed
# once the prompt shows, and the monitor has the terminal in libedit's raw
# mode before it shows the prompt (monitor-prompt.c, prompt_prep_terminal).
# Without that, under load one in many was read by the line discipline as
# end-of-file and reached libedit as a NUL; the monitor never exited.
type_(b"\x04", None)
# The terminal closes in the monitor's exit before the exit status exists:
# wait a little for it rather than take a monitor on its way out as hung.
end = time.time() + 5.0
done, status = os.waitpid(pid, os.WNOHANG)
while not done and time.time() < end:
    time.sleep(0.05)
    done, status = os.waitpid(pid, os.WNOHANG)
if not done:
    os.kill(pid, 9)  # never exited: the checks say so, the test does not hang
    _, status = os.waitpid(pid, 0)
text = re.sub(rb"\x1b\[[0-9;]*[A-Za-z]|\x07|\r", b"", shown).decode(errors="replace")
sys.stdout.write(text)
print("exit", os.waitstatus_to_exitcode(status))
