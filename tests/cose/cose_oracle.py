#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Independent COSE oracle for test_cose, built on cbor2 and cryptography.

Run with /usr/bin/python3, which has both packages.

  cose_oracle.py verify FILE AAD_HEX PAYLOAD_HEX PUB.pem [PUB.pem ...]
      Check a COSE_Sign1 (tag 18) or COSE_Sign (tag 98) written by teepkit.
      Signer i must verify with PUB.pem number i. Each kid must be the
      RFC 9679 thumbprint of that key, computed here independently. The
      payload must equal PAYLOAD_HEX. AAD_HEX is "-" for no external AAD.
      Prints "OK" and exits 0, or prints "FAIL: reason" and exits 1.

  cose_oracle.py sign1 ALG PAYLOAD_HEX OUT.cbor OUT_PUB.pem
      Generate a key for ALG (-9 or -19), sign PAYLOAD_HEX as a tagged
      COSE_Sign1 with the thumbprint as kid, and write the message and
      the public key. Prints "OK".
"""
import hashlib
import sys

import cbor2
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature, encode_dss_signature)

ALG_ES256, ALG_EDDSA, ALG_ESP256, ALG_ED25519 = -7, -8, -9, -19


class OracleError(Exception):
    pass


def thumbprint(pub):
    """RFC 9679 thumbprint: SHA-256 of the deterministic required parameters."""
    if isinstance(pub, ec.EllipticCurvePublicKey):
        nums = pub.public_numbers()
        params = {1: 2, -1: 1, -2: nums.x.to_bytes(32, "big"),
                  -3: nums.y.to_bytes(32, "big")}
    else:
        raw = pub.public_bytes(serialization.Encoding.Raw,
                               serialization.PublicFormat.Raw)
        params = {1: 1, -1: 6, -2: raw}
    return hashlib.sha256(cbor2.dumps(params, canonical=True)).digest()


def verify_one(pub, alg, tbs, sig):
    if alg in (ALG_ESP256, ALG_ES256):
        if not isinstance(pub, ec.EllipticCurvePublicKey) or len(sig) != 64:
            raise OracleError("ECDSA signature or key of the wrong kind")
        der = encode_dss_signature(int.from_bytes(sig[:32], "big"),
                                   int.from_bytes(sig[32:], "big"))
        pub.verify(der, tbs, ec.ECDSA(hashes.SHA256()))
    elif alg in (ALG_ED25519, ALG_EDDSA):
        if not isinstance(pub, ed25519.Ed25519PublicKey):
            raise OracleError("Ed25519 alg with another key type")
        pub.verify(sig, tbs)
    else:
        raise OracleError(f"unexpected alg {alg}")


def check_layer(protected, unprotected, pub):
    """Return alg after checking the header layout teepkit promises."""
    hdr = cbor2.loads(protected)
    if set(hdr) - {1, 3}:
        raise OracleError(f"unexpected protected labels {sorted(hdr)}")
    if unprotected.get(4) != thumbprint(pub):
        raise OracleError("kid is not the RFC 9679 thumbprint of the key")
    return hdr[1]


def verify(path, aad_hex, payload_hex, pem_paths):
    aad = b"" if aad_hex == "-" else bytes.fromhex(aad_hex)
    keys = []
    for pem_path in pem_paths:
        with open(pem_path, "rb") as f:
            keys.append(serialization.load_pem_public_key(f.read()))
    with open(path, "rb") as f:
        item = cbor2.loads(f.read())
    if not isinstance(item, cbor2.CBORTag) or item.tag not in (18, 98):
        raise OracleError("not a tagged COSE_Sign1 or COSE_Sign")
    body_prot, body_unprot, payload, last = item.value
    if payload != bytes.fromhex(payload_hex):
        raise OracleError("payload differs")

    if item.tag == 18:
        alg = check_layer(body_prot, body_unprot, keys[0])
        tbs = cbor2.dumps(["Signature1", body_prot, aad, payload])
        verify_one(keys[0], alg, tbs, last)
        return
    if len(last) != len(keys):
        raise OracleError(f"{len(last)} signers for {len(keys)} keys")
    for (prot, unprot, sig), pub in zip(last, keys):
        alg = check_layer(prot, unprot, pub)
        tbs = cbor2.dumps(["Signature", body_prot, prot, aad, payload])
        verify_one(pub, alg, tbs, sig)


def sign1(alg, payload_hex, out_path, pub_path):
    payload = bytes.fromhex(payload_hex)
    if alg == ALG_ESP256:
        priv = ec.generate_private_key(ec.SECP256R1())
    elif alg == ALG_ED25519:
        priv = ed25519.Ed25519PrivateKey.generate()
    else:
        raise OracleError(f"unexpected alg {alg}")
    pub = priv.public_key()
    prot = cbor2.dumps({1: alg})
    tbs = cbor2.dumps(["Signature1", prot, b"", payload])
    if alg == ALG_ESP256:
        r, s = decode_dss_signature(priv.sign(tbs, ec.ECDSA(hashes.SHA256())))
        sig = r.to_bytes(32, "big") + s.to_bytes(32, "big")
    else:
        sig = priv.sign(tbs)
    msg = cbor2.dumps(cbor2.CBORTag(18, [prot, {4: thumbprint(pub)}, payload, sig]))
    with open(out_path, "wb") as f:
        f.write(msg)
    with open(pub_path, "wb") as f:
        f.write(pub.public_bytes(serialization.Encoding.PEM,
                                 serialization.PublicFormat.SubjectPublicKeyInfo))


def main(argv):
    try:
        if len(argv) >= 6 and argv[1] == "verify":
            verify(argv[2], argv[3], argv[4], argv[5:])
        elif len(argv) == 6 and argv[1] == "sign1":
            sign1(int(argv[2]), argv[3], argv[4], argv[5])
        else:
            print(__doc__, file=sys.stderr)
            return 2
    except (OracleError, InvalidSignature, ValueError, TypeError, KeyError) as e:
        print(f"FAIL: {type(e).__name__}: {e}")
        return 1
    print("OK")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
