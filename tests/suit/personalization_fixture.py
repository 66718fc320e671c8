#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
# Writes the corrected copies of the draft-ietf-teep-protocol
# suit_personalization manifest that test_suit_process.c signs with the
# example key. The published manifest runs process-dependency in install
# without a prior condition-dependency-integrity, which
# draft-ietf-suit-trust-domains-11 section 5.6.2 requires; the copies insert
# dependency-integrity before it. The second copy also carries the
# config.json plaintext (the draft's NOTE) instead of the encrypted content,
# so the whole update can run without decryption.
#
# Run: /usr/bin/python3 personalization_fixture.py VECTORS_DIR OUT_DIR
import re, sys, cbor2

PLAINTEXT = b'{"name":"FOO Bar","secret":"0123456789abfcdef0123456789abcd"}'

def annotated_hex(path):
    text = ''.join(line.split('#')[0] for line in open(path))
    return bytes.fromhex(re.sub(r'[^0-9a-fA-F]', '', text))

def main(vectors, out):
    env = cbor2.loads(annotated_hex(vectors + '/teep/suit_personalization.hex.txt'))
    manifest = cbor2.loads(env[3])
    install = cbor2.loads(manifest[20])
    # [12, 1, 11, 0, ...] -> [12, 1, 7, 15, 11, 0, ...]
    assert install[:4] == [12, 1, 11, 0]
    fixed = install[:2] + [7, 15] + install[2:]
    manifest[20] = cbor2.dumps(fixed, canonical=True)
    open(out + '/personalization_integrity.hex', 'w').write(
        cbor2.dumps(manifest, canonical=True).hex() + '\n')
    at = next(i for i, item in enumerate(fixed) if isinstance(item, dict))
    assert 18 in fixed[at] and 19 in fixed[at]
    fixed[at] = {18: PLAINTEXT}
    manifest[20] = cbor2.dumps(fixed, canonical=True)
    open(out + '/personalization_plaintext.hex', 'w').write(
        cbor2.dumps(manifest, canonical=True).hex() + '\n')

def integrated_dependency(vectors, out):
    # Third copy: the dependency is suit_integrated, carried in the
    # envelope under "#ta.suit" (trust-domains-11 section 8.1.1), so a
    # test needs no server. The TA envelope itself is written beside it.
    ta = annotated_hex(vectors + '/teep/suit_integrated.hex.txt')
    digest = cbor2.loads(cbor2.loads(cbor2.loads(ta)[2])[0])
    env = cbor2.loads(annotated_hex(vectors + '/teep/suit_personalization.hex.txt'))
    manifest = cbor2.loads(env[3])
    resolution = cbor2.loads(manifest[15])
    resolution[3] = {3: cbor2.dumps(digest), 14: len(ta), 21: '#ta.suit'}
    manifest[15] = cbor2.dumps(resolution, canonical=True)
    install = cbor2.loads(manifest[20])
    fixed = install[:2] + [7, 15] + install[2:]
    at = next(i for i, item in enumerate(fixed) if isinstance(item, dict))
    fixed[at] = {18: PLAINTEXT}
    manifest[20] = cbor2.dumps(fixed, canonical=True)
    open(out + '/personalization_integrated_dependency.hex', 'w').write(
        cbor2.dumps(manifest, canonical=True).hex() + '\n')

main(sys.argv[1], sys.argv[2])
integrated_dependency(sys.argv[1], sys.argv[2])
