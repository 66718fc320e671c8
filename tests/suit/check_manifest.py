#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Independent structure check of an envelope made by `teep manifest build`.

Usage: check_manifest.py ENVELOPE.cbor PUB.pem [PUB.pem ...]

Decodes the envelope (tagged 107 or not) with cbor2 and checks, without
any teepkit code:
- the SUIT digest is SHA-256 over key 3 encoded as a byte string;
- each authentication block is a tagged COSE_Sign1 with a nil payload,
  verified with the cryptography package over
  ["Signature1", protected, h'', encoded SUIT_Digest]; block i with key i;
- the manifest: version 1 and an unsigned sequence number; common with a
  non-empty list of component ids (arrays of byte strings); every command
  sequence an array of (integer, argument) pairs, with nested sequences as
  the arguments of try-each and run-sequence; every severed member's
  digest equal to SHA-256 of the envelope member;
- maps are in canonical order (bytewise order of the encoded keys).
Exits 0 when everything checks, 1 with a message otherwise.
"""
import hashlib
import sys

import cbor2
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

SECTION_KEYS = {7, 8, 9, 15, 16, 18, 20, 24}
SEVERABLE_KEYS = {15, 16, 18, 20, 23}
TRY_EACH, RUN_SEQUENCE = 15, 32


def fail(message):
    raise ValueError(message)


def check_canonical(item, where):
    """Maps must list their keys in bytewise order of the encoded keys."""
    if isinstance(item, dict):
        keys = [cbor2.dumps(k) for k in item]
        if keys != sorted(keys):
            fail("%s: map keys not in canonical order" % where)
        for key, value in item.items():
            check_canonical(value, "%s.%r" % (where, key))
    elif isinstance(item, (list, tuple)):
        for i, value in enumerate(item):
            check_canonical(value, "%s[%d]" % (where, i))


def check_component_id(cid, where):
    if not isinstance(cid, list) or not all(isinstance(e, bytes) for e in cid):
        fail("%s: component id is not an array of byte strings" % where)


def check_sequence(encoded, where, depth=0):
    if depth > 4:
        fail("%s: sequences nested too deep" % where)
    seq = cbor2.loads(encoded)
    check_canonical(seq, where)
    if not isinstance(seq, list) or not seq or len(seq) % 2:
        fail("%s: not a non-empty array of command, argument pairs" % where)
    for i in range(0, len(seq), 2):
        command, arg = seq[i], seq[i + 1]
        if not isinstance(command, int):
            fail("%s: command %d is not an integer" % (where, i // 2))
        if command == TRY_EACH:
            options = arg[:-1] if arg and arg[-1] is None else arg
            if len(options) < 2:
                fail("%s: try-each with fewer than 2 sequences" % where)
            for option in options:
                check_sequence(option, where + ".try-each", depth + 1)
        elif command == RUN_SEQUENCE:
            check_sequence(arg, where + ".run-sequence", depth + 1)


def verify_block(block, digest_item, key):
    sign1 = cbor2.loads(block)
    if not isinstance(sign1, cbor2.CBORTag) or sign1.tag != 18:
        fail("authentication block is not a tagged COSE_Sign1")
    protected, _unprotected, payload, signature = sign1.value
    if payload is not None:
        fail("COSE_Sign1 payload is not nil")
    alg = cbor2.loads(protected)[1]
    tbs = cbor2.dumps(["Signature1", protected, b"", digest_item])
    if alg in (-7, -9):
        der = encode_dss_signature(int.from_bytes(signature[:32], "big"),
                                   int.from_bytes(signature[32:], "big"))
        key.verify(der, tbs, ec.ECDSA(hashes.SHA256()))
    elif alg in (-8, -19):
        key.verify(signature, tbs)
    else:
        fail("unexpected signature algorithm %d" % alg)


def check(envelope_bytes, keys):
    envelope = cbor2.loads(envelope_bytes)
    if isinstance(envelope, cbor2.CBORTag):
        if envelope.tag != 107:
            fail("envelope tag %d is not 107" % envelope.tag)
        envelope = envelope.value
    check_canonical(envelope, "envelope")
    wrapper = cbor2.loads(envelope[2])
    digest_item = wrapper[0]
    if cbor2.loads(digest_item)[0] != -16:
        fail("digest algorithm is not SHA-256")
    if hashlib.sha256(cbor2.dumps(envelope[3])).digest() != cbor2.loads(digest_item)[1]:
        fail("SUIT digest does not match the manifest")
    if len(wrapper) - 1 != len(keys):
        fail("%d authentication blocks for %d keys" % (len(wrapper) - 1, len(keys)))
    for block, key in zip(wrapper[1:], keys):
        verify_block(block, digest_item, key)

    manifest = cbor2.loads(envelope[3])
    check_canonical(manifest, "manifest")
    if manifest.get(1) != 1 or not isinstance(manifest.get(2), int) or manifest[2] < 0:
        fail("manifest version or sequence number invalid")
    common = cbor2.loads(manifest[3])
    check_canonical(common, "common")
    if not common.get(2):
        fail("common has no components")
    for i, cid in enumerate(common[2]):
        check_component_id(cid, "components[%d]" % i)
    for index, metadata in common.get(1, {}).items():
        # The TEEP draft's example puts a dependency after the components.
        if index >= len(common[2]) + len(common[1]):
            fail("dependency index %d out of range" % index)
        if 1 in metadata:
            check_component_id(metadata[1], "dependency-prefix")
    if 4 in common:
        check_sequence(common[4], "shared-sequence")
    if 5 in manifest:
        check_component_id(manifest[5], "manifest-component-id")
    for key, value in manifest.items():
        if key not in SECTION_KEYS and key != 23:
            continue
        if isinstance(value, list):
            if key not in SEVERABLE_KEYS:
                fail("member %d severed but not severable" % key)
            if key not in envelope:
                fail("severed member %d missing from the envelope" % key)
            if hashlib.sha256(cbor2.dumps(envelope[key])).digest() != value[1]:
                fail("digest of severed member %d does not match" % key)
            value = envelope[key]
        if key == 23:
            text = cbor2.loads(value)
            check_canonical(text, "text")
        else:
            check_sequence(value, "section %d" % key)


def main():
    if len(sys.argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    keys = []
    for path in sys.argv[2:]:
        with open(path, "rb") as f:
            data = f.read()
        if b"PRIVATE" in data:
            keys.append(serialization.load_pem_private_key(data, None).public_key())
        else:
            keys.append(serialization.load_pem_public_key(data))
    with open(sys.argv[1], "rb") as f:
        envelope = f.read()
    try:
        check(envelope, keys)
    except Exception as exc:  # any failure, our own or a library's
        print("check_manifest: %s: %s" % (sys.argv[1], exc), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
