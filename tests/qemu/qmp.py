#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""A minimal QMP client for the guest tests.

  qmp.py SOCKET wait-log LOG TEXT COUNT TIMEOUT
      wait until LOG has COUNT lines containing TEXT (or fail after TIMEOUT s)
  qmp.py SOCKET CMD [JSON-ARGS]
      connect, negotiate capabilities, run CMD, print its "return" as JSON;
      exit 1 with QMP's error message on an error reply
"""
import json
import socket
import sys
import time


def wait_log(path, text, count, timeout):
    end = time.time() + timeout
    while time.time() < end:
        try:
            with open(path, errors="replace") as f:
                if sum(text in line for line in f) >= count:
                    return 0
        except FileNotFoundError:
            pass
        time.sleep(0.2)
    print("qmp.py: %s never showed %d x %r within %d s" % (path, count, text, timeout),
          file=sys.stderr)
    return 1


def connect(path, timeout=30):
    end = time.time() + timeout
    while True:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            s.connect(path)
            return s
        except OSError:
            s.close()
            if time.time() > end:
                raise
            time.sleep(0.2)


def reply(f):
    # Skip asynchronous events until the command's answer comes.
    while True:
        line = f.readline()
        if not line:
            raise EOFError("QMP closed the connection")
        msg = json.loads(line)
        if "return" in msg or "error" in msg:
            return msg


def command(path, cmd, args):
    s = connect(path)
    f = s.makefile("rw")
    json.loads(f.readline())  # greeting
    for c, a in (("qmp_capabilities", None), (cmd, args)):
        req = {"execute": c}
        if a is not None:
            req["arguments"] = a
        f.write(json.dumps(req) + "\n")
        f.flush()
        msg = reply(f)
        if "error" in msg:
            print("qmp.py: %s: %s" % (c, msg["error"].get("desc")), file=sys.stderr)
            return 1
    print(json.dumps(msg["return"], sort_keys=True))
    s.close()
    return 0


def main(argv):
    if len(argv) >= 7 and argv[2] == "wait-log":
        return wait_log(argv[3], argv[4], int(argv[5]), int(argv[6]))
    if len(argv) in (3, 4):
        return command(argv[1], argv[2], json.loads(argv[3]) if len(argv) == 4 else None)
    print(__doc__, file=sys.stderr)
    return 2


sys.exit(main(sys.argv))
