#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Independent oracle for SUIT payload encryption
(draft-ietf-suit-firmware-encryption-24), built on cbor2 and cryptography.

  decrypt INFO_HEX CT_HEX kek|p256 KEY_HEX  -> plaintext hex
  encrypt CONTENT_ALG RECIPIENT_ALG KEY_HEX PT_HEX [SALT_HEX]
                                             -> "INFO_HEX CT_HEX"

KEY_HEX is the KEK for AES-KW, the private scalar d (decrypt) or the public
point x || y (encrypt) for ECDH-ES+A128KW. SALT_HEX, for ECDH-ES, goes into
the HKDF and the recipient's salt header (-20). Failures print
"ERROR <reason>".
"""
import os
import sys

import cbor2
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM, ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.keywrap import aes_key_unwrap, aes_key_wrap

CTR = {-65534: 16, -65532: 32}
AEAD = {1: (AESGCM, 16), 3: (AESGCM, 32), 24: (ChaCha20Poly1305, 32)}
KW_KEY = {-3: 16, -5: 32}


def kdf_context(kw_alg, key_len, protected):
    return cbor2.dumps([kw_alg, [None] * 3, [None] * 3,
                        [key_len * 8, protected, b"SUIT Payload Encryption"]])


def derive_kek(priv, peer_pub, protected, salt=None):
    secret = priv.exchange(ec.ECDH(), peer_pub)
    return HKDF(hashes.SHA256(), 16, salt,
                kdf_context(-3, 16, protected)).derive(secret)


def content(alg, cek, iv, protected, data, encrypt):
    if alg in CTR:
        c = Cipher(algorithms.AES(cek), modes.CTR(iv))
        op = c.encryptor() if encrypt else c.decryptor()
        return op.update(data) + op.finalize()
    aad = cbor2.dumps(["Encrypt", protected, b""])
    aead = AEAD[alg][0](cek)
    return aead.encrypt(iv, data, aad) if encrypt else aead.decrypt(iv, data, aad)


def decrypt(info_hex, ct_hex, kind, key_hex):
    tag = cbor2.loads(bytes.fromhex(info_hex))
    assert tag.tag == 96
    protected, unprotected, ciphertext, recipients = tag.value
    assert ciphertext is None
    body = dict(unprotected)
    if protected:
        body.update(cbor2.loads(protected))
    rprot, runprot, wrapped = recipients[0]
    if kind == "kek":
        cek = aes_key_unwrap(bytes.fromhex(key_hex), wrapped)
    else:
        priv = ec.derive_private_key(int(key_hex, 16), ec.SECP256R1())
        epk = runprot[-1]
        pub = ec.EllipticCurvePublicNumbers(int.from_bytes(epk[-2], "big"),
                                            int.from_bytes(epk[-3], "big"),
                                            ec.SECP256R1()).public_key()
        cek = aes_key_unwrap(derive_kek(priv, pub, rprot, runprot.get(-20)), wrapped)
    return content(body[1], cek, body[5], protected, bytes.fromhex(ct_hex), False).hex()


def encrypt(content_alg, recipient_alg, key_hex, pt_hex, salt_hex=None):
    key_len = CTR.get(content_alg) or AEAD[content_alg][1]
    cek = os.urandom(key_len)
    if content_alg in CTR:
        iv, protected, unprotected = os.urandom(16), b"", {1: content_alg}
    else:
        iv, protected, unprotected = os.urandom(12), cbor2.dumps({1: content_alg}), {}
    unprotected[5] = iv
    if recipient_alg in KW_KEY:
        recipient = [b"", {1: recipient_alg}, aes_key_wrap(bytes.fromhex(key_hex), cek)]
    else:
        point = bytes.fromhex(key_hex)
        pub = ec.EllipticCurvePublicNumbers(int.from_bytes(point[:32], "big"),
                                            int.from_bytes(point[32:], "big"),
                                            ec.SECP256R1()).public_key()
        eph = ec.generate_private_key(ec.SECP256R1())
        nums = eph.public_key().public_numbers()
        rprot = cbor2.dumps({1: recipient_alg})
        epk = {1: 2, -1: 1, -2: nums.x.to_bytes(32, "big"), -3: nums.y.to_bytes(32, "big")}
        salt = bytes.fromhex(salt_hex) if salt_hex else None
        runprot = {-1: epk} if salt is None else {-1: epk, -20: salt}
        recipient = [rprot, runprot, aes_key_wrap(derive_kek(eph, pub, rprot, salt), cek)]
    info = cbor2.dumps(cbor2.CBORTag(96, [protected, unprotected, None, [recipient]]))
    ct = content(content_alg, cek, iv, protected, bytes.fromhex(pt_hex), True)
    return info.hex() + " " + ct.hex()


def main():
    try:
        if sys.argv[1] == "decrypt":
            print(decrypt(*sys.argv[2:6]))
        else:
            print(encrypt(int(sys.argv[2]), int(sys.argv[3]), *sys.argv[4:7]))
    except Exception as e:  # the C test reads the reason from stdout
        print("ERROR", type(e).__name__, e)


if __name__ == "__main__":
    main()
