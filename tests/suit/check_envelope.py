#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Independent check of a SUIT envelope made by teepkit's builder.

Usage: check_envelope.py ENVELOPE.cbor SIGNER_PUB.pem

Decodes the envelope with cbor2, recomputes the SUIT digest (SHA-256 over
the manifest encoded as a byte string, head included), and verifies the
COSE_Sign1 of the authentication wrapper with the cryptography package:
the Sig_structure is ["Signature1", protected, h'', encoded SUIT_Digest].
Exits 0 when everything checks, 1 with a message otherwise.
"""
import hashlib
import sys

import cbor2
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

ALG_ESP256 = (-9, -7)
ALG_ED25519 = (-19, -8)


def check(envelope_bytes, key):
    envelope = cbor2.loads(envelope_bytes)
    if isinstance(envelope, cbor2.CBORTag):
        raise ValueError("expected an untagged envelope, got tag %d" % envelope.tag)
    manifest_bstr = cbor2.dumps(envelope[3])
    wrapper = cbor2.loads(envelope[2])
    digest_item = wrapper[0]
    algorithm, digest = cbor2.loads(digest_item)[:2]
    if algorithm != -16:
        raise ValueError("digest algorithm %d is not SHA-256" % algorithm)
    if hashlib.sha256(manifest_bstr).digest() != digest:
        raise ValueError("SUIT digest does not match the manifest")

    sign1 = cbor2.loads(wrapper[1])
    if not isinstance(sign1, cbor2.CBORTag) or sign1.tag != 18:
        raise ValueError("authentication block is not a tagged COSE_Sign1")
    protected, unprotected, payload, signature = sign1.value
    if payload is not None:
        raise ValueError("COSE_Sign1 payload is not nil (detached)")
    alg = cbor2.loads(protected)[1]
    tbs = cbor2.dumps(["Signature1", protected, b"", digest_item])

    if alg in ALG_ESP256:
        if not isinstance(key, ec.EllipticCurvePublicKey):
            raise ValueError("alg %d needs a P-256 key" % alg)
        r = int.from_bytes(signature[:32], "big")
        s = int.from_bytes(signature[32:], "big")
        key.verify(encode_dss_signature(r, s), tbs, ec.ECDSA(hashes.SHA256()))
    elif alg in ALG_ED25519:
        if not isinstance(key, ed25519.Ed25519PublicKey):
            raise ValueError("alg %d needs an Ed25519 key" % alg)
        key.verify(signature, tbs)
    else:
        raise ValueError("unknown alg %d" % alg)


def main():
    if len(sys.argv) != 3:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    with open(sys.argv[1], "rb") as f:
        envelope_bytes = f.read()
    with open(sys.argv[2], "rb") as f:
        key = serialization.load_pem_public_key(f.read())
    try:
        check(envelope_bytes, key)
    except (ValueError, KeyError, IndexError, InvalidSignature) as err:
        print("check_envelope: %s: %s" % (sys.argv[1], str(err) or "invalid signature"),
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
