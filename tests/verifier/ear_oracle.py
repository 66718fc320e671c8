#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Independent check of a teep-verifier attestation result.

Usage: ear_oracle.py PUBKEY.pem RESULT STATUS NONCE_HEX

RESULT is an EAR as a CWT (COSE_Sign1, CBOR) or a JWT (text). The
`cryptography` package verifies the ES256 signature over the COSE
Sig_structure or the JWS signing input, and `cbor2` or `json` decodes the
claims. The top-level and "teep" submodule status must equal STATUS (an
AR4SI tier number), and eat_nonce must equal NONCE_HEX.
Prints "ok" and exits 0, or prints the first mismatch and exits 1.
"""
import base64
import json
import sys

import cbor2
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

TIERS = {"none": 0, "affirming": 2, "warning": 32, "contraindicated": 96}


def der_signature(raw):
    half = len(raw) // 2
    return encode_dss_signature(int.from_bytes(raw[:half], "big"),
                                int.from_bytes(raw[half:], "big"))


def b64url(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def check_cwt(key, data):
    item = cbor2.loads(data)
    if isinstance(item, cbor2.CBORTag) and item.tag == 61:
        item = item.value
    if not isinstance(item, cbor2.CBORTag) or item.tag != 18:
        raise ValueError("not a tagged COSE_Sign1")
    protected, _unprotected, payload, signature = item.value
    if cbor2.loads(protected).get(1) not in (-9, -7):
        raise ValueError("algorithm is not ESP256 or ES256")
    to_be_signed = cbor2.dumps(["Signature1", protected, b"", payload])
    key.verify(der_signature(signature), to_be_signed, ec.ECDSA(hashes.SHA256()))
    claims = cbor2.loads(payload)
    return (claims[1000], claims[266]["teep"][1000], claims[10],
            claims[265])


def check_jwt(key, text):
    header, payload, signature = text.strip().split(".")
    if json.loads(b64url(header))["alg"] != "ES256":
        raise ValueError("JWT alg is not ES256")
    key.verify(der_signature(b64url(signature)), (header + "." + payload).encode(),
               ec.ECDSA(hashes.SHA256()))
    claims = json.loads(b64url(payload))
    teep = claims["submods"]["teep"]
    return (TIERS[claims["ear_status"]], TIERS[teep["ear_status"]],
            b64url(claims["eat_nonce"]), claims["eat_profile"])


def main():
    pem, path, status, nonce_hex = sys.argv[1:5]
    with open(pem, "rb") as f:
        key = serialization.load_pem_public_key(f.read())
    with open(path, "rb") as f:
        data = f.read()
    check = check_jwt if data.startswith(b"ey") else check_cwt
    top, teep, nonce, profile = check(key, data if check is check_cwt else data.decode())
    expected = (int(status), int(status), bytes.fromhex(nonce_hex),
                "tag:ietf.org,2026:rats/ear#03")
    got = (top, teep, nonce, profile)
    if got != expected:
        print("mismatch: expected %r, got %r" % (expected, got))
        return 1
    print("ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
