#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Make the repository's own SGX test vectors (tests/vectors/README.md).

Usage: tests/vectors/generate.py VSGX [--check]

Writes synthetic.sgxs and test_enclave.sgxs (measurement streams, byte for byte
the same on every run), signs them with sign_key.pem and sign_key2.pem through `VSGX sign` (RSA
PKCS#1 v1.5 is deterministic, so the .sig files are the same on every run too)
and prints the expected values, computed here with hashlib alone. The keys are
made with openssl only when missing; they are test keys, committed
on purpose, and must never sign anything but test enclaves. With --check nothing
is written: the committed files are compared with freshly made ones.
"""
import hashlib
import os
import struct
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
KEY = os.path.join(HERE, "sign_key.pem")
KEY2 = os.path.join(HERE, "sign_key2.pem")
PAGE = 4096
SECINFO_TCS, SECINFO_R, SECINFO_RW, SECINFO_RX = 0x100, 0x201, 0x203, 0x205


def ecreate(ssaframesize, size):
    return struct.pack("<8sIQ", b"ECREATE\0", ssaframesize, size).ljust(64, b"\0")


def eadd(offset, flags):
    return struct.pack("<8sQQ", b"EADD\0\0\0\0", offset, flags).ljust(64, b"\0")


def eextend_page(offset, data):
    out = b""
    for c in range(0, PAGE, 256):
        out += struct.pack("<8sQ", b"EEXTEND\0", offset + c).ljust(64, b"\0")
        out += data[c:c + 256]
    return out


def tcs(ossa, nssa, oentry, ofsbase, ogsbase, fslimit, gslimit):
    # STATE, FLAGS, OSSA, CSSA, NSSA, OENTRY, AEP, OFSBASGX, OGSBASGX, FSLIMIT, GSLIMIT
    return struct.pack("<QQQIIQQQQII", 0, 0, ossa, 0, nssa, oentry, 0, ofsbase, ogsbase,
                       fslimit, gslimit).ljust(PAGE, b"\0")


def stream(size, pages):
    """pages: (offset, secinfo flags, contents or None for EADD-only)."""
    out = ecreate(1, size)
    for off, flags, data in pages:
        out += eadd(off, flags)
        if data is not None:
            out += eextend_page(off, data)
    return out


def synthetic():
    # TCS, RX of int3, RW zeros, RW EADD-only (vectors README, "synthetic").
    return stream(0x4000, [
        (0x0000, SECINFO_TCS, tcs(0x2000, 1, 0x1000, 0, 0, 0, 0)),
        (0x1000, SECINFO_RX, b"\xcc" * PAGE),
        (0x2000, SECINFO_RW, bytes(PAGE)),
        (0x3000, SECINFO_RW, None),
    ])


def test_enclave():
    # The page layout of Fortanix's sgx_detect test enclave (TCS at 0x15000,
    # OSSA 0x27000, NSSA 2, OENTRY 0x1000, FS/GS base 0x16000) with contents of
    # our own, so the traces written for that layout run unchanged.
    header = b"vsgx test enclave: made by tests/vectors/generate.py\n".ljust(PAGE, b"\0")
    code = (b"\x90" * 16 + b"\x0f\x01\xd7").ljust(PAGE, b"\xcc")  # nops, ENCLU
    data = bytes(range(256)) * 16
    rodata = b"".join(struct.pack("<I", i * 0x9e3779b9 & 0xffffffff) for i in range(PAGE // 4))
    return stream(0x40000, [
        (0x00000, SECINFO_R, header),
        (0x01000, SECINFO_RX, code),
        (0x02000, SECINFO_RW, data),
        (0x04000, SECINFO_R, rodata),
        (0x15000, SECINFO_TCS, tcs(0x27000, 2, 0x1000, 0x16000, 0x16000, 0xfff, 0xfff)),
        (0x16000, SECINFO_RW, bytes(PAGE)),
        (0x27000, SECINFO_RW, bytes(PAGE)),
        (0x28000, SECINFO_RW, bytes(PAGE)),
        (0x39000, SECINFO_RW, b"\xcc" * PAGE),
    ])


# name: (stream, key, vsgx sign fields); two signers, so launch control can tell them apart
VECTORS = {
    "synthetic": (synthetic, KEY, ["--date", "20240101", "--isvprodid", "0x1234", "--isvsvn", "1"]),
    "test_enclave": (test_enclave, KEY2, ["--date", "20260101", "--isvprodid", "65535", "--isvsvn", "0"]),
}


def modulus_le(pem):
    out = subprocess.run(["openssl", "rsa", "-in", pem, "-noout", "-modulus"], check=True,
                         capture_output=True, text=True).stdout
    n = int(out.strip().split("=", 1)[1], 16)
    return n.to_bytes(384, "little")


def make(vsgx, outdir):
    for name, (build, key, fields) in VECTORS.items():
        sgxs = os.path.join(outdir, name + ".sgxs")
        with open(sgxs, "wb") as f:
            f.write(build())
        subprocess.run([vsgx, "sign", sgxs, "--key", key, "-o",
                        os.path.join(outdir, name + ".sig")] + fields,
                       check=True, stdout=subprocess.DEVNULL)


def report():
    for name, (build, key, _) in VECTORS.items():
        s = build()
        mrsigner = hashlib.sha256(modulus_le(key)).hexdigest()
        sig = open(os.path.join(HERE, name + ".sig"), "rb").read()
        print(f"{name}: mrenclave {hashlib.sha256(s).hexdigest()}")
        print(f"{name}: mrsigner  {mrsigner}")
        print(f"{name}: sig sha256 {hashlib.sha256(sig).hexdigest()}")


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    vsgx, check = sys.argv[1], "--check" in sys.argv[2:]
    for key in (KEY, KEY2):
        if not os.path.exists(key):
            if check:
                sys.exit(f"generate.py: no {os.path.basename(key)} to check against")
            subprocess.run(["openssl", "genrsa", "-3", "-out", key, "3072"], check=True)
    if check:
        with tempfile.TemporaryDirectory() as tmp:
            make(vsgx, tmp)
            for f in sorted(os.listdir(tmp)):
                if open(os.path.join(tmp, f), "rb").read() != \
                        open(os.path.join(HERE, f), "rb").read():
                    sys.exit(f"generate.py: {f} differs from a fresh one")
        print("generate.py: every vector matches a fresh one")
        return
    make(vsgx, HERE)
    report()


if __name__ == "__main__":
    main()
