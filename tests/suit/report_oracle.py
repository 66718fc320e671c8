#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Independent oracle for protected SUIT reports, built on cbor2 and
cryptography. Run with /usr/bin/python3, which has both packages.

  report_oracle.py FILE REPORT_PUB.pem TAM_PRIV.pem|- NONCE_HEX|-

Check a SUIT_Report_Protected written by teepkit: a tagged COSE_Sign1 whose
kid is the RFC 9679 thumbprint of the report key and whose signature
verifies with it. Its payload is a SUIT_Report map, or, when TAM_PRIV.pem
is given, a tagged COSE_Encrypt with A128GCM content and one
ECDH-ES+A128KW recipient whose COSE_KDF_Context carries SuppPubInfo.other
"SUIT Report Encryption" (draft-ietf-teep-protocol section "EATs and SUIT
Reports"). The report must carry suit-reference, records and result, and
its nonce must equal NONCE_HEX ("-" for none).

Prints "OK <result> <records>" where result is "true" or
"code=<int>,reason=<int>", and exits 0; or "FAIL: reason" and exits 1.
"""
import hashlib
import sys

import cbor2
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.keywrap import aes_key_unwrap

KDF_OTHER = b"SUIT Report Encryption"


class OracleError(Exception):
    pass


def thumbprint(pub):
    if isinstance(pub, ec.EllipticCurvePublicKey):
        nums = pub.public_numbers()
        params = {1: 2, -1: 1, -2: nums.x.to_bytes(32, "big"),
                  -3: nums.y.to_bytes(32, "big")}
    else:
        raw = pub.public_bytes(serialization.Encoding.Raw,
                               serialization.PublicFormat.Raw)
        params = {1: 1, -1: 6, -2: raw}
    return hashlib.sha256(cbor2.dumps(params, canonical=True)).digest()


def verify_sign1(item, pub):
    if not isinstance(item, cbor2.CBORTag) or item.tag != 18:
        raise OracleError("not a tagged COSE_Sign1")
    prot, unprot, payload, sig = item.value
    alg = cbor2.loads(prot)[1]
    if unprot.get(4) != thumbprint(pub):
        raise OracleError("kid is not the thumbprint of the report key")
    tbs = cbor2.dumps(["Signature1", prot, b"", payload])
    if alg == -9:
        der = encode_dss_signature(int.from_bytes(sig[:32], "big"),
                                   int.from_bytes(sig[32:], "big"))
        pub.verify(der, tbs, ec.ECDSA(hashes.SHA256()))
    elif alg == -19 and isinstance(pub, ed25519.Ed25519PublicKey):
        pub.verify(sig, tbs)
    else:
        raise OracleError(f"unexpected alg {alg}")
    return payload


def decrypt(payload, priv):
    item = cbor2.loads(payload)
    if not isinstance(item, cbor2.CBORTag) or item.tag != 96:
        raise OracleError("payload is not a tagged COSE_Encrypt")
    prot, unprot, ciphertext, recipients = item.value
    if cbor2.loads(prot) != {1: 1}:
        raise OracleError("content layer is not A128GCM")
    if len(recipients) != 1:
        raise OracleError("not exactly one recipient")
    rprot, runprot, wrapped = recipients[0]
    if cbor2.loads(rprot) != {1: -29}:
        raise OracleError("recipient is not ECDH-ES+A128KW")
    epk = runprot[-1]
    peer = ec.EllipticCurvePublicNumbers(
        int.from_bytes(epk[-2], "big"), int.from_bytes(epk[-3], "big"),
        ec.SECP256R1()).public_key()
    context = cbor2.dumps([-3, [None, None, None], [None, None, None],
                           [128, rprot, KDF_OTHER]])
    shared = priv.exchange(ec.ECDH(), peer)
    kek = HKDF(hashes.SHA256(), 16, None, context).derive(shared)
    cek = aes_key_unwrap(kek, wrapped)
    aad = cbor2.dumps(["Encrypt", prot, b""])
    return AESGCM(cek).decrypt(unprot[5], ciphertext, aad)


def check_report(raw, nonce_hex):
    report = cbor2.loads(raw)
    if not isinstance(report, dict) or not {3, 4, 99} <= set(report):
        raise OracleError("SUIT_Report lacks suit-reference, records or result")
    uri, digest = report[99]
    if not isinstance(uri, str) or digest[0] != -16 or len(digest[1]) != 32:
        raise OracleError("suit-reference is not [tstr, [-16, 32 bytes]]")
    expected = None if nonce_hex == "-" else bytes.fromhex(nonce_hex)
    if report.get(2) != expected:
        raise OracleError("nonce differs")
    result = report[4]
    if result is True:
        text = "true"
    else:
        if len(result[6]) < 5:
            raise OracleError("result record is not a SUIT_Record")
        text = f"code={result[5]},reason={result[7]}"
    return f"{text} {len(report[3])}"


def main(argv):
    path, pub_path, priv_path, nonce_hex = argv[1:5]
    with open(pub_path, "rb") as f:
        pub = serialization.load_pem_public_key(f.read())
    with open(path, "rb") as f:
        payload = verify_sign1(cbor2.loads(f.read()), pub)
    if priv_path != "-":
        with open(priv_path, "rb") as f:
            payload = decrypt(payload, serialization.load_pem_private_key(f.read(), None))
    print("OK " + check_report(payload, nonce_hex))


if __name__ == "__main__":
    try:
        main(sys.argv)
    except Exception as e:  # every failure is a FAIL line for the C test
        print(f"FAIL: {type(e).__name__}: {e}")
        sys.exit(1)
