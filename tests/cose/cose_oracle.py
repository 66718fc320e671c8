#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Independent COSE oracle for test_cose and test_cose_encrypt, built on
cbor2 and cryptography.

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

  cose_oracle.py decrypt FILE PRIV.pem PLAINTEXT_HEX
      Decrypt a tagged COSE_Encrypt whose first recipient is ECDH-ES+A128KW
      or ECDH-ES+A256KW (RFC 9053 section 6.4) with the P-256 key in
      PRIV.pem, and check the plaintext. Prints "OK".

  cose_oracle.py encrypt PUB.pem CONTENT_ALG PLAINTEXT_HEX OUT.cbor
      Encrypt PLAINTEXT_HEX as a tagged COSE_Encrypt to the P-256 key in
      PUB.pem with ECDH-ES+A128KW and CONTENT_ALG (1 = A128GCM or
      -65534 = A128CTR). Prints "OK".
"""
import hashlib
import os
import sys

import cbor2
from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature, encode_dss_signature)
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.keywrap import (
    InvalidUnwrap, aes_key_unwrap, aes_key_wrap)

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


def kdf_kek(priv, peer, recipient_alg, rprot):
    """KEK of ECDH-ES + AES key wrap: HKDF-SHA256 over the COSE_KDF_Context."""
    kw_alg, kek_len = {-29: (-3, 16), -31: (-5, 32)}[recipient_alg]
    context = cbor2.dumps([kw_alg, [None, None, None], [None, None, None],
                           [kek_len * 8, rprot]])
    shared = priv.exchange(ec.ECDH(), peer)
    return HKDF(hashes.SHA256(), kek_len, None, context).derive(shared)


def content_cipher(alg, cek, iv, prot, data, encrypt):
    if alg in (1, 3):
        aad = cbor2.dumps(["Encrypt", prot, b""])
        gcm = AESGCM(cek)
        return gcm.encrypt(iv, data, aad) if encrypt else gcm.decrypt(iv, data, aad)
    if alg == -65534:
        ctx = Cipher(algorithms.AES(cek), modes.CTR(iv))
        op = ctx.encryptor() if encrypt else ctx.decryptor()
        return op.update(data) + op.finalize()
    raise OracleError(f"unexpected content alg {alg}")


def decrypt(path, pem_path, plaintext_hex):
    with open(pem_path, "rb") as f:
        priv = serialization.load_pem_private_key(f.read(), None)
    with open(path, "rb") as f:
        item = cbor2.loads(f.read())
    if not isinstance(item, cbor2.CBORTag) or item.tag != 96:
        raise OracleError("not a tagged COSE_Encrypt")
    prot, unprot, ciphertext, recipients = item.value
    rprot, runprot, wrapped = recipients[0]
    epk = runprot[-1]
    peer = ec.EllipticCurvePublicNumbers(
        int.from_bytes(epk[-2], "big"), int.from_bytes(epk[-3], "big"),
        ec.SECP256R1()).public_key()
    kek = kdf_kek(priv, peer, cbor2.loads(rprot)[1], rprot)
    cek = aes_key_unwrap(kek, wrapped)
    alg = cbor2.loads(prot)[1] if prot else unprot[1]
    plaintext = content_cipher(alg, cek, unprot[5], prot, ciphertext, False)
    if plaintext != bytes.fromhex(plaintext_hex):
        raise OracleError("plaintext differs")


def encrypt(pem_path, alg, plaintext_hex, out_path):
    with open(pem_path, "rb") as f:
        peer = serialization.load_pem_public_key(f.read())
    eph = ec.generate_private_key(ec.SECP256R1())
    nums = eph.public_key().public_numbers()
    epk = {1: 2, -1: 1, -2: nums.x.to_bytes(32, "big"), -3: nums.y.to_bytes(32, "big")}
    rprot = cbor2.dumps({1: -29})
    cek = os.urandom(16)
    wrapped = aes_key_wrap(kdf_kek(eph, peer, -29, rprot), cek)
    if alg == -65534:
        prot, unprot, iv = b"", {1: alg}, os.urandom(16)
    else:
        prot, unprot, iv = cbor2.dumps({1: alg}), {}, os.urandom(12)
    unprot[5] = iv
    ciphertext = content_cipher(alg, cek, iv, prot, bytes.fromhex(plaintext_hex), True)
    msg = cbor2.dumps(cbor2.CBORTag(96, [prot, unprot, ciphertext,
                                         [[rprot, {-1: epk}, wrapped]]]))
    with open(out_path, "wb") as f:
        f.write(msg)


def main(argv):
    try:
        if len(argv) >= 6 and argv[1] == "verify":
            verify(argv[2], argv[3], argv[4], argv[5:])
        elif len(argv) == 6 and argv[1] == "sign1":
            sign1(int(argv[2]), argv[3], argv[4], argv[5])
        elif len(argv) == 5 and argv[1] == "decrypt":
            decrypt(argv[2], argv[3], argv[4])
        elif len(argv) == 6 and argv[1] == "encrypt":
            encrypt(argv[2], int(argv[3]), argv[4], argv[5])
        else:
            print(__doc__, file=sys.stderr)
            return 2
    except (OracleError, InvalidSignature, InvalidUnwrap, InvalidTag,
            cbor2.CBORDecodeError, ValueError, TypeError, KeyError) as e:
        print(f"FAIL: {type(e).__name__}: {e}")
        return 1
    print("OK")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
