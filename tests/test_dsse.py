"""DSSE envelopes and in-toto Statements: published vectors, strict parsing, multi-key verification."""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa, utils
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from snapsite.trust.dsse import (
    INTOTO_PAYLOAD_TYPE,
    STATEMENT_TYPE,
    Envelope,
    EnvelopeError,
    EnvelopeSignature,
    SignatureCheck,
    Subject,
    b64decode_strict,
    dump_envelope,
    make_statement,
    pae,
    parse_envelope,
    parse_statement,
    sign_envelope,
    verified_key_count,
    verify_envelope,
)
from snapsite.trust.keys import PrivateKey, public_keyid, sign_raw
from snapsite.trust.roots import TrustRoot, keyid_for, load_trust_root, trusted_key

DATA = Path(__file__).parent / "data"
RFC8032_TEST1_SECRET = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"
RFC8032_TEST1_KEYID = "06e3fd8fda29bb60ab59557de61edb0aecdb231134be30e75b455f8e1b792fa9"
MINIMAL_MANIFEST_SHA256 = "32dcb7453fdf497d7eb2bbc4d09f813d470cc62fdfa48174527f52c69205d004"

# The test vector of the DSSE protocol (github.com/secure-systems-lab/dsse, protocol.md, "Test Vectors"):
# ECDSA P-256 / SHA-256 with RFC 6979 nonces, the signature as raw r||s, the key given as integers.
VECTOR_X = 46950820868899156662930047687818585632848591499744589407958293238635476079160
VECTOR_Y = 5640078356564379163099075877009565129882514886557779369047442380624545832820
VECTOR_D = 97358161215184420915383655311931858321456579547487070936769975997791359926199
VECTOR_ENVELOPE = (
    b'{"payload": "aGVsbG8gd29ybGQ=",\n "payloadType": "http://example.com/HelloWorld",\n'
    b' "signatures": [{"sig":'
    b' "A3JqsQGtVsJ2O2xqrI5IcnXip5GToJ3F+FnZ+O88SjtR6rDAajabZKciJTfUiHqJPcIAriEGAHTVeCUjW2JIZA=="}]}'
)


def root_of(*keys: PrivateKey) -> TrustRoot:
    trusted = {public_keyid(k): trusted_key(k.public_key(), "mem") for k in keys}
    return TrustRoot(keys=tuple(trusted[keyid] for keyid in sorted(trusted)))


def envelope_with(payload_type: str, payload: bytes, signatures: list[tuple[str | None, bytes]]) -> Envelope:
    return Envelope(payload_type, payload, tuple(EnvelopeSignature(keyid, sig) for keyid, sig in signatures))


def raw_envelope(**fields: Any) -> bytes:
    obj: dict[str, Any] = {
        "payloadType": "t",
        "payload": "aGVsbG8=",
        "signatures": [{"keyid": "k", "sig": "c2ln"}],
    }
    for name, value in fields.items():
        if value is None:
            obj.pop(name, None)
        else:
            obj[name] = value
    return json.dumps(obj).encode()


def raw_statement(**fields: Any) -> bytes:
    obj: dict[str, Any] = {
        "_type": STATEMENT_TYPE,
        "subject": [{"name": "manifest.json", "digest": {"sha256": "ab" * 32}}],
        "predicateType": "https://example.com/p",
        "predicate": {"a": 1},
    }
    for name, value in fields.items():
        if value is None:
            obj.pop(name, None)
        else:
            obj[name] = value
    return json.dumps(obj).encode()


# --- published vectors ---------------------------------------------------------------------------------


def test_pae_of_the_dsse_protocol_vector() -> None:
    assert pae("http://example.com/HelloWorld", b"hello world") == (
        b"DSSEv1 29 http://example.com/HelloWorld 11 hello world"
    )
    assert pae("x", b"") == b"DSSEv1 1 x 0 "


def test_dsse_protocol_vector_verifies() -> None:
    public_key = ec.EllipticCurvePublicNumbers(VECTOR_X, VECTOR_Y, ec.SECP256R1()).public_key()
    root = TrustRoot(keys=(trusted_key(public_key, "protocol.md"),))
    envelope = parse_envelope(VECTOR_ENVELOPE)
    assert envelope.payload == b"hello world"
    assert envelope.signatures[0].keyid is None
    assert len(envelope.signatures[0].sig) == 64  # raw r||s, not DER
    checks = verify_envelope(envelope, root)
    assert checks == [SignatureCheck(keyid_for(public_key), "ecdsa-p256", trusted=True, valid=True)]
    tampered = Envelope(envelope.payload_type, b"hello World", envelope.signatures)
    assert not verify_envelope(tampered, root)[0].valid


def test_dsse_protocol_vector_signature_reproduced_with_rfc6979() -> None:
    private_key = ec.derive_private_key(VECTOR_D, ec.SECP256R1())
    assert private_key.public_key().public_numbers() == ec.EllipticCurvePublicNumbers(
        VECTOR_X, VECTOR_Y, ec.SECP256R1()
    )
    der = private_key.sign(
        pae("http://example.com/HelloWorld", b"hello world"),
        ec.ECDSA(hashes.SHA256(), deterministic_signing=True),
    )
    r, s = utils.decode_dss_signature(der)
    assert r.to_bytes(32, "big") + s.to_bytes(32, "big") == parse_envelope(VECTOR_ENVELOPE).signatures[0].sig


def test_spec_minimal_vector() -> None:
    rfc_key = Ed25519PrivateKey.from_private_bytes(bytes.fromhex(RFC8032_TEST1_SECRET))
    manifest_bytes = (DATA / "spec-minimal" / "manifest.json").read_bytes()
    envelope = parse_envelope((DATA / "spec-minimal" / "manifest.dsse.json").read_bytes())
    root = load_trust_root([DATA / "spec-minimal.pub"])

    assert envelope.payload_type == INTOTO_PAYLOAD_TYPE
    assert [s.keyid for s in envelope.signatures] == [RFC8032_TEST1_KEYID]
    message = pae(envelope.payload_type, envelope.payload)
    assert message.startswith(b"DSSEv1 28 application/vnd.in-toto+json 335 ")
    assert message == b"DSSEv1 28 application/vnd.in-toto+json 335 " + envelope.payload
    # Ed25519 is deterministic: the RFC 8032 key reproduces the published signature byte for byte.
    assert sign_raw(rfc_key, message) == envelope.signatures[0].sig

    checks = verify_envelope(envelope, root)
    assert checks == [SignatureCheck(RFC8032_TEST1_KEYID, "ed25519", trusted=True, valid=True)]
    assert verified_key_count(checks) == 1

    statement = parse_statement(envelope.payload)
    manifest = json.loads(manifest_bytes)
    assert hashlib.sha256(manifest_bytes).hexdigest() == MINIMAL_MANIFEST_SHA256
    assert statement.subjects == (Subject("manifest.json", {"sha256": MINIMAL_MANIFEST_SHA256}),)
    assert statement.predicate_type == "https://stella-ops.org/attestations/runs-snapshot/1"
    assert statement.predicate == {"snapshotId": manifest["snapshotId"], "createdAt": manifest["createdAt"]}


def test_spec_minimal_vector_any_payload_change_fails() -> None:
    envelope = parse_envelope((DATA / "spec-minimal" / "manifest.dsse.json").read_bytes())
    root = load_trust_root([DATA / "spec-minimal.pub"])
    for index in (0, 100, len(envelope.payload) - 1):
        payload = bytearray(envelope.payload)
        payload[index] ^= 1
        changed = Envelope(envelope.payload_type, bytes(payload), envelope.signatures)
        check = verify_envelope(changed, root)[0]
        assert check.trusted and not check.valid
    other_type = Envelope("application/json", envelope.payload, envelope.signatures)
    assert not verify_envelope(other_type, root)[0].valid


# --- PAE byte lengths ----------------------------------------------------------------------------------


def test_non_ascii_payload_type_uses_byte_length() -> None:
    payload_type = "application/vnd.é+json"
    assert len(payload_type) == 22 and len(payload_type.encode()) == 23
    assert pae(payload_type, b"{}") == "DSSEv1 23 application/vnd.é+json 2 {}".encode()

    key = Ed25519PrivateKey.generate()
    root = root_of(key)
    signed = parse_envelope(dump_envelope(sign_envelope(payload_type, b"{}", [key])))
    assert signed.payload_type == payload_type
    assert verified_key_count(verify_envelope(signed, root)) == 1

    char_length_pae = "DSSEv1 22 application/vnd.é+json 2 {}".encode()
    wrong = envelope_with(payload_type, b"{}", [(public_keyid(key), sign_raw(key, char_length_pae))])
    assert verify_envelope(wrong, root) == [SignatureCheck(public_keyid(key), "ed25519", trusted=True, valid=False)]


# --- strict base64 -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("aGVsbG8gd29ybGQ=", b"hello world"),
        ("aGVsbG8gd29ybGQ", b"hello world"),
        ("YQ==", b"a"),
        ("YQ", b"a"),
        ("+/+/", b"\xfb\xff\xbf"),
        ("-_-_", b"\xfb\xff\xbf"),
        ("-_8", b"\xfb\xff"),
        ("-_8=", b"\xfb\xff"),
        ("", b""),
    ],
)
def test_b64_accepted(text: str, expected: bytes) -> None:
    assert b64decode_strict(text) == expected


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("+/-_", "mixes"),
        ("+_+_", "mixes"),
        ("aGVsbG8gd29ybGQ==", "padding"),
        ("YQ=", "padding"),
        ("YWI==", "padding"),
        ("YWJj=", "padding"),
        ("==", "padding"),
        ("Y===", "alphabet"),
        ("YQ==YQ==", "alphabet"),
        ("aGVs=bG8", "alphabet"),
        ("abcde", "length"),
        ("aGVs bG8=", "alphabet"),
        ("aGVsbG8=\n", "alphabet"),
        ("\taGVsbG8=", "alphabet"),
        ("aGVsbG8=\r\n", "alphabet"),
        ("aGVs!G8=", "alphabet"),
        ("aGVsbé==", "alphabet"),
        ("ＹＱ==", "alphabet"),
        ("aGVsbG8gd29ybGR=", "trailing bits"),
        ("YR==", "trailing bits"),
        ("YR", "trailing bits"),
        ("YWJ", "trailing bits"),
    ],
)
def test_b64_rejected(text: str, reason: str) -> None:
    with pytest.raises(EnvelopeError, match=reason):
        b64decode_strict(text)


def test_b64_non_string_rejected() -> None:
    with pytest.raises(EnvelopeError, match="not a string"):
        b64decode_strict(b"YQ==")  # type: ignore[arg-type]


# --- parse_envelope ------------------------------------------------------------------------------------


def test_parse_envelope_fields() -> None:
    envelope = parse_envelope(
        raw_envelope(
            extra="ignored",
            signatures=[{"keyid": "k1", "sig": "c2ln"}, {"sig": "-_8="}, {"keyid": "", "sig": "YQ"}],
        )
    )
    assert envelope == Envelope(
        "t",
        b"hello",
        (
            EnvelopeSignature("k1", b"sig"),
            EnvelopeSignature(None, b"\xfb\xff"),
            EnvelopeSignature(None, b"a"),
        ),
    )


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "not valid JSON"),
        (b"{", "not valid JSON"),
        (b"\xff", "not valid JSON"),
        (b"[]", "not a JSON object"),
        (raw_envelope(payloadType=None), "no payloadType"),
        (raw_envelope(payloadType=1), "payloadType is not a string"),
        (raw_envelope(payload=None), "no payload"),
        (raw_envelope(payload=["aGVsbG8="]), "payload is not a string"),
        (raw_envelope(payload="aGVsbG9"), "payload: base64"),
        (raw_envelope(payload="aGVs bG8="), "payload: base64"),
        (raw_envelope(signatures=None), "no signatures"),
        (raw_envelope(signatures={"sig": "c2ln"}), "signatures is not a list"),
        (raw_envelope(signatures=[]), "signatures is empty"),
        (raw_envelope(signatures=["c2ln"]), "signature 1 is not an object"),
        (raw_envelope(signatures=[{"keyid": "k"}]), "signature 1 has no sig"),
        (raw_envelope(signatures=[{"sig": 5}]), "sig is not a string"),
        (raw_envelope(signatures=[{"sig": "c2ln"}, {"sig": "c2l="}]), "signature 2: sig: base64"),
        (raw_envelope(signatures=[{"sig": ""}]), "sig is empty"),
        (raw_envelope(signatures=[{"sig": "c2ln", "keyid": 7}]), "keyid is not a string"),
        (raw_envelope(signatures=[{"sig": "c2ln", "keyid": None}]), "keyid is not a string"),
        (raw_envelope(signatures=[{"sig": "c2ln"}] * 257), "more than 256 signatures"),
        (
            b'{"payloadType": "t", "payloadType": "u", "payload": "", "signatures": [{"sig": "YQ"}]}',
            "duplicate",
        ),
        (b'{"payloadType": "t", "payload": "", "signatures": [{"sig": "YQ", "sig": "Yg"}]}', "duplicate"),
    ],
)
def test_parse_envelope_malformed(data: bytes, reason: str) -> None:
    with pytest.raises(EnvelopeError, match=reason):
        parse_envelope(data)


# --- parse_statement / make_statement ------------------------------------------------------------------


def test_make_statement_is_canonical_and_parses_back() -> None:
    subjects = [Subject("é.json", {"sha256": "ab" * 32}), Subject("b", {"sha512": "cd" * 64, "sha256": "00"})]
    data = make_statement(subjects, "https://example.com/p", {"z": 1, "a": [True, None]})
    obj = json.loads(data)
    assert data == json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    assert "é".encode() in data
    assert obj["_type"] == STATEMENT_TYPE
    statement = parse_statement(data)
    assert statement.subjects == tuple(subjects)
    assert statement.predicate_type == "https://example.com/p"
    assert statement.predicate == {"z": 1, "a": [True, None]}


def test_statement_predicate_defaults_to_empty() -> None:
    assert parse_statement(raw_statement(predicate=None)).predicate == {}


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"not json", "not valid JSON"),
        (b'"text"', "not a JSON object"),
        (b"NaN", "not valid JSON"),
        (raw_statement(_type=None), "no _type"),
        (raw_statement(_type="https://in-toto.io/Statement/v0.1"), "_type is"),
        (raw_statement(_type=1), "_type is not a string"),
        (raw_statement(subject=None), "no subject"),
        (raw_statement(subject=[]), "subject is not a non-empty list"),
        (raw_statement(subject={"name": "a"}), "subject is not a non-empty list"),
        (raw_statement(subject=["a"]), "subject 1 is not an object"),
        (raw_statement(subject=[{"digest": {"sha256": "ab"}}]), "subject 1 has no name"),
        (raw_statement(subject=[{"name": 1, "digest": {"sha256": "ab"}}]), "name is not a string"),
        (raw_statement(subject=[{"name": "a"}]), "subject 1 has no digest"),
        (raw_statement(subject=[{"name": "a", "digest": {}}]), "digest is not a non-empty object"),
        (raw_statement(subject=[{"name": "a", "digest": "ab"}]), "digest is not a non-empty object"),
        (raw_statement(subject=[{"name": "a", "digest": {"sha256": "AB"}}]), "not lowercase hex"),
        (raw_statement(subject=[{"name": "a", "digest": {"sha256": "xyz"}}]), "not lowercase hex"),
        (raw_statement(subject=[{"name": "a", "digest": {"sha256": ""}}]), "not lowercase hex"),
        (raw_statement(subject=[{"name": "a", "digest": {"sha256": 5}}]), "not lowercase hex"),
        (
            raw_statement(subject=[{"name": "a", "digest": {"sha256": "ab"}}, {"name": "b"}]),
            "subject 2 has no digest",
        ),
        (raw_statement(predicateType=None), "no predicateType"),
        (raw_statement(predicateType=["x"]), "predicateType is not a string"),
        (raw_statement(predicate=[]), "predicate is not an object"),
        (raw_statement(predicate="x"), "predicate is not an object"),
        (
            b'{"_type": "https://in-toto.io/Statement/v1", "_type": "https://in-toto.io/Statement/v1"}',
            "duplicate",
        ),
    ],
)
def test_parse_statement_malformed(data: bytes, reason: str) -> None:
    with pytest.raises(EnvelopeError, match=reason):
        parse_statement(data)


# --- verification against a trust root ------------------------------------------------------------------


@pytest.fixture(scope="module")
def rsa_2048() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def test_every_algorithm_round_trips(rsa_2048: rsa.RSAPrivateKey) -> None:
    keys: list[PrivateKey] = [Ed25519PrivateKey.generate(), ec.generate_private_key(ec.SECP256R1()), rsa_2048]
    envelope = parse_envelope(dump_envelope(sign_envelope(INTOTO_PAYLOAD_TYPE, b"payload", keys)))
    checks = verify_envelope(envelope, root_of(*keys))
    assert [(c.keyid, c.algorithm, c.valid) for c in checks] == [
        (public_keyid(keys[0]), "ed25519", True),
        (public_keyid(keys[1]), "ecdsa-p256", True),
        (public_keyid(keys[2]), "rsa-pss-sha256", True),
    ]
    assert verified_key_count(checks) == 3


def test_unknown_or_missing_keyid_tries_every_key() -> None:
    trusted_a, trusted_b = Ed25519PrivateKey.generate(), ec.generate_private_key(ec.SECP256R1())
    root = root_of(trusted_a, trusted_b)
    message = pae("t", b"body")
    envelope = envelope_with(
        "t", b"body", [("deadbeef", sign_raw(trusted_b, message)), (None, sign_raw(trusted_a, message))]
    )
    assert verify_envelope(envelope, root) == [
        SignatureCheck(public_keyid(trusted_b), "ecdsa-p256", trusted=True, valid=True),
        SignatureCheck(public_keyid(trusted_a), "ed25519", trusted=True, valid=True),
    ]


def test_keyid_of_untrusted_key_with_good_signature_by_trusted_key() -> None:
    trusted, untrusted = Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate()
    envelope = envelope_with("t", b"body", [(public_keyid(untrusted), sign_raw(trusted, pae("t", b"body")))])
    assert verify_envelope(envelope, root_of(trusted)) == [
        SignatureCheck(public_keyid(trusted), "ed25519", trusted=True, valid=True)
    ]


def test_untrusted_signer_is_never_trusted_whatever_its_keyid() -> None:
    trusted, untrusted = Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate()
    root = root_of(trusted)
    sig = sign_raw(untrusted, pae("t", b"body"))
    envelope = envelope_with("t", b"body", [(public_keyid(untrusted), sig), (None, sig), (public_keyid(trusted), sig)])
    checks = verify_envelope(envelope, root)
    assert checks == [
        SignatureCheck(public_keyid(untrusted), None, trusted=False, valid=False),
        SignatureCheck(None, None, trusted=False, valid=False),
        SignatureCheck(public_keyid(trusted), "ed25519", trusted=True, valid=False),
    ]
    assert verified_key_count(checks) == 0


def test_threshold_counts_distinct_keys() -> None:
    first, second = Ed25519PrivateKey.generate(), ec.generate_private_key(ec.SECP256R1())
    root = root_of(first, second)
    message = pae("t", b"body")
    first_sig = sign_raw(first, message)

    twice = envelope_with("t", b"body", [(None, first_sig), (public_keyid(first), first_sig)])
    assert verified_key_count(verify_envelope(twice, root)) == 1

    # ECDSA signs with a fresh nonce: two different signatures, still one key.
    ecdsa_twice = envelope_with("t", b"body", [(None, sign_raw(second, message)), (None, sign_raw(second, message))])
    assert verified_key_count(verify_envelope(ecdsa_twice, root)) == 1

    both = envelope_with("t", b"body", [(None, first_sig), (None, sign_raw(second, message)), (None, b"x")])
    assert verified_key_count(verify_envelope(both, root)) == 2


def test_sign_envelope_json_shape() -> None:
    key = Ed25519PrivateKey.generate()
    envelope = sign_envelope("t", b"\xfb\xff", [key])
    assert envelope == {
        "payloadType": "t",
        "payload": "+/8=",
        "signatures": [
            {
                "keyid": public_keyid(key),
                "sig": base64.b64encode(sign_raw(key, pae("t", b"\xfb\xff"))).decode(),
            }
        ],
    }
    dumped = dump_envelope(envelope)
    assert dumped.endswith(b"}\n") and not dumped.endswith(b"\n\n")
    assert dumped == (json.dumps(envelope, indent=2) + "\n").encode()


def test_keyid_matches_public_pem() -> None:
    key = Ed25519PrivateKey.generate()
    der = key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    envelope = sign_envelope("t", b"", [key])
    assert envelope["signatures"][0]["keyid"] == hashlib.sha256(der).hexdigest()
