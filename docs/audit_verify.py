#!/usr/bin/env python3
"""Verify a keyd audit export without keyd: a second implementation of
docs/audit.md ("The format"), written from the page, not from keyd's code.

    python3 docs/audit_verify.py EXPORT.jsonl PUBKEY

PUBKEY is what `keyctl audit pubkey` prints. Exit 0 when the chain holds,
1 with "bad seq N: why" when it does not. Needs Python 3.8+ and the
`cryptography` package (for Ed25519); BLAKE2b is in hashlib."""
import base64
import hashlib
import json
import struct
import sys

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

FIELDS = [  # name, kind: the canonical order
    ("seq", "i"), ("time_us", "i"), ("event", "s"), ("request_id", "s"),
    ("remote", "s"), ("client", "s"), ("token_id", "s"), ("upstream", "s"),
    ("method", "s"), ("path", "s"), ("scim_op", "s"), ("resource_id", "s"),
    ("decision", "s"), ("rule", "s"), ("reason", "s"), ("status", "i"),
    ("upstream_status", "i"), ("latency_us", "i"), ("body_digest", "s"),
]


def encode(rec):
    out = b"keyd/audit/record/v1\x00"
    for name, kind in FIELDS:
        v = rec[name]
        if v is None or v == "":
            out += b"\x00"
        elif kind == "i":
            out += b"\x01" + struct.pack(">q", v)
        else:
            b = v.encode("utf-8")
            out += b"\x02" + struct.pack(">I", len(b)) + b
    return out


def checkpoint_message(cp):
    return (b"keyd/audit/checkpoint/v1\x00" + struct.pack(">q", cp["seq"]) +
            struct.pack(">q", cp["time_us"]) + bytes.fromhex(cp["hash"]))


def verify(lines, pubkey):
    key = Ed25519PublicKey.from_public_bytes(base64.b64decode(pubkey))
    prev, nxt, last_cp, started = bytes(32), 1, 0, False
    for line in lines:
        o = json.loads(line)
        if o["type"] == "header":
            continue
        if o["type"] == "checkpoint":
            try:
                key.verify(base64.b64decode(o["signature"]),
                           checkpoint_message(o))
            except InvalidSignature:
                return o["seq"], "bad checkpoint signature"
            if not started:     # the anchor: trusted once signed
                prev, nxt, started = bytes.fromhex(o["hash"]), o["seq"] + 1, True
            elif o["seq"] != nxt - 1 or bytes.fromhex(o["hash"]) != prev:
                return last_cp + 1, "checkpoint %d does not match" % o["seq"]
            last_cp = o["seq"]
            continue
        if o["seq"] != nxt:
            return min(o["seq"], nxt), "expected seq %d, found %d" % (nxt, o["seq"])
        h = hashlib.blake2b(prev + encode(o), digest_size=32).digest()
        if h.hex() != o["hash"]:
            return o["seq"], "contents do not match the chain hash"
        prev, nxt, started = h, nxt + 1, True
    if last_cp < nxt - 1:
        return last_cp + 1, "records after the last checkpoint"
    return None, "%d records verified, signed up to seq %d" % (nxt - 1, last_cp)


if __name__ == "__main__":
    with open(sys.argv[1], encoding="utf-8") as f:
        bad, why = verify(f, sys.argv[2])
    print(why if bad is None else "bad seq %d: %s" % (bad, why))
    sys.exit(0 if bad is None else 1)
