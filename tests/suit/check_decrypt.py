#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Independent decryption of the personalization data in a SUIT envelope.

Usage: check_decrypt.py ENVELOPE.cbor KEY_HEX PLAINTEXT_FILE

Finds, in the install section, the override-parameters that set content
(18) and encryption-info (19), and recovers the CEK of the first
recipient. For ECDH-ES+A128KW, KEY_HEX is the P-256 private key d: ECDH
with the ephemeral key, HKDF-SHA256 over the COSE_KDF_Context of
draft-ietf-suit-firmware-encryption-24, then AES key unwrap. For A128KW,
KEY_HEX is the KEK. Decrypts the A128CTR ciphertext and compares it with
PLAINTEXT_FILE. Uses only cbor2 and cryptography.
Exits 0 when the plaintext matches, 1 otherwise.
"""
import sys

import cbor2
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.keywrap import aes_key_unwrap

A128CTR, ECDH_ES_A128KW, A128KW = -65534, -29, -3


def find_encrypted(envelope):
    manifest = cbor2.loads(envelope[3])
    install = manifest[20]
    if isinstance(install, list):  # severed
        install = envelope[20]
    seq = cbor2.loads(install)
    for i in range(0, len(seq), 2):
        if seq[i] == 20 and 18 in seq[i + 1] and 19 in seq[i + 1]:
            return seq[i + 1][18], seq[i + 1][19]
    raise ValueError("no content with encryption-info in install")


def decrypt(ciphertext, info, key_hex):
    encrypt = cbor2.loads(info)
    if not isinstance(encrypt, cbor2.CBORTag) or encrypt.tag != 96:
        raise ValueError("encryption-info is not a tagged COSE_Encrypt")
    _protected, unprotected, payload, recipients = encrypt.value
    if unprotected[1] != A128CTR or payload is not None:
        raise ValueError("expected A128CTR with a detached ciphertext")
    r_protected, r_unprotected, wrapped = recipients[0]
    if r_protected == b"" and r_unprotected.get(1) == A128KW:
        cek = aes_key_unwrap(bytes.fromhex(key_hex), wrapped)
    elif cbor2.loads(r_protected)[1] == ECDH_ES_A128KW:
        cek = ecdh_es_cek(r_protected, r_unprotected, wrapped, key_hex)
    else:
        raise ValueError("recipient is neither A128KW nor ECDH-ES+A128KW")
    decryptor = Cipher(algorithms.AES(cek), modes.CTR(unprotected[5])).decryptor()
    return decryptor.update(ciphertext) + decryptor.finalize()


def ecdh_es_cek(r_protected, r_unprotected, wrapped, d):
    eph = r_unprotected[-1]
    peer = ec.EllipticCurvePublicNumbers(int.from_bytes(eph[-2], "big"),
                                         int.from_bytes(eph[-3], "big"),
                                         ec.SECP256R1()).public_key()
    private = ec.derive_private_key(int(d, 16), ec.SECP256R1())
    shared = private.exchange(ec.ECDH(), peer)
    context = cbor2.dumps([A128KW, [None, None, None], [None, None, None],
                           [128, r_protected, b"SUIT Payload Encryption"]])
    kek = HKDF(hashes.SHA256(), 16, None, context).derive(shared)
    return aes_key_unwrap(kek, wrapped)


def main():
    if len(sys.argv) != 4:
        print(__doc__, file=sys.stderr)
        return 2
    with open(sys.argv[1], "rb") as f:
        envelope = cbor2.loads(f.read())
    if isinstance(envelope, cbor2.CBORTag):
        envelope = envelope.value
    with open(sys.argv[3], "rb") as f:
        expected = f.read()
    try:
        ciphertext, info = find_encrypted(envelope)
        plaintext = decrypt(ciphertext, info, sys.argv[2])
    except Exception as exc:  # any failure, our own or a library's
        print("check_decrypt: %s: %s" % (sys.argv[1], exc), file=sys.stderr)
        return 1
    if plaintext != expected:
        print("check_decrypt: %s: plaintext differs" % sys.argv[1], file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
