"""DSSE envelopes and in-toto Statements v1: parse strictly, verify against a trust root, sign.

Nothing here knows about runs or snapshots. References: the DSSE protocol and envelope specifications
(github.com/secure-systems-lab/dsse) and in-toto attestation Statement v1.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from snapsite.errors import UsageError
from snapsite.jsonstrict import JSONError, loads
from snapsite.trust.keys import PrivateKey, public_keyid, sign_raw
from snapsite.trust.roots import TrustRoot, verify_signature

INTOTO_PAYLOAD_TYPE = "application/vnd.in-toto+json"
STATEMENT_TYPE = "https://in-toto.io/Statement/v1"
# Each signature may be tried against every trusted key: cap the work a hostile envelope can ask for.
MAX_SIGNATURES = 256

_BASE64_CHARS = re.compile(r"[A-Za-z0-9+/_-]*(={0,2})")
_LOWER_HEX = re.compile(r"[0-9a-f]+")


class EnvelopeError(ValueError):
    """A malformed DSSE envelope or in-toto Statement; the message says what, in a few words."""


def pae(payload_type: str, payload: bytes) -> bytes:
    """DSSE Pre-Authentication Encoding; lengths are byte lengths (the type as UTF-8)."""
    type_bytes = payload_type.encode("utf-8")
    return b"DSSEv1 %d %b %d %b" % (len(type_bytes), type_bytes, len(payload), payload)


def b64decode_strict(text: str) -> bytes:
    """Decode standard or URL-safe base64 (one alphabet per string), padded correctly or not at all.

    Whitespace, other characters, wrong padding and non-zero trailing bits are refused: one signature or
    payload must have exactly one spelling.
    """
    if not isinstance(text, str):
        raise EnvelopeError("base64 value is not a string")
    match = _BASE64_CHARS.fullmatch(text)
    if match is None:
        raise EnvelopeError("base64 value holds characters outside the base64 alphabets")
    padding = match.group(1)
    body = text[: len(text) - len(padding)]
    if ("+" in body or "/" in body) and ("-" in body or "_" in body):
        raise EnvelopeError("base64 value mixes the standard and URL-safe alphabets")
    if len(body) % 4 == 1:
        raise EnvelopeError("base64 value has an impossible length")
    needed = -len(body) % 4
    if padding and len(padding) != needed:
        raise EnvelopeError("base64 value has wrong padding")
    standard = body.replace("-", "+").replace("_", "/") + "=" * needed
    try:
        data = base64.b64decode(standard, validate=True)
    except binascii.Error:
        raise EnvelopeError("base64 value does not decode") from None
    if base64.b64encode(data).decode("ascii") != standard:
        raise EnvelopeError("base64 value has non-zero trailing bits")
    return data


@dataclass(frozen=True)
class EnvelopeSignature:
    """One signature of an envelope and its optional, untrusted keyid hint."""

    keyid: str | None
    sig: bytes


@dataclass(frozen=True)
class Envelope:
    """A decoded DSSE envelope."""

    payload_type: str
    payload: bytes
    signatures: tuple[EnvelopeSignature, ...]


def _parse_json_object(data: bytes | str, what: str) -> dict[str, Any]:
    try:
        value = loads(data)
    except JSONError as exc:
        raise EnvelopeError(f"{what} is not valid JSON: {exc}") from None
    if not isinstance(value, dict):
        raise EnvelopeError(f"{what} is not a JSON object")
    return value


def _required_str(obj: Mapping[str, Any], name: str, where: str) -> str:
    if name not in obj:
        raise EnvelopeError(f"{where} has no {name}")
    value = obj[name]
    if not isinstance(value, str):
        raise EnvelopeError(f"{where}: {name} is not a string")
    return value


def _parse_signature(entry: Any, index: int) -> EnvelopeSignature:
    where = f"signature {index + 1}"
    if not isinstance(entry, dict):
        raise EnvelopeError(f"{where} is not an object")
    try:
        sig = b64decode_strict(_required_str(entry, "sig", where))
    except EnvelopeError as exc:
        raise EnvelopeError(f"{where}: sig: {exc}") from None
    if not sig:
        raise EnvelopeError(f"{where}: sig is empty")
    keyid = _required_str(entry, "keyid", where) if "keyid" in entry else None
    # An empty keyid is how several signers say "no hint".
    return EnvelopeSignature(keyid=keyid or None, sig=sig)


def parse_envelope(data: bytes) -> Envelope:
    """Parse a DSSE JSON envelope strictly; EnvelopeError when malformed. Unknown fields are ignored."""
    obj = _parse_json_object(data, "envelope")
    payload_type = _required_str(obj, "payloadType", "envelope")
    try:
        payload = b64decode_strict(_required_str(obj, "payload", "envelope"))
    except EnvelopeError as exc:
        raise EnvelopeError(f"envelope payload: {exc}") from None
    if "signatures" not in obj:
        raise EnvelopeError("envelope has no signatures")
    entries = obj["signatures"]
    if not isinstance(entries, list):
        raise EnvelopeError("envelope signatures is not a list")
    if not entries:
        raise EnvelopeError("envelope signatures is empty")
    if len(entries) > MAX_SIGNATURES:
        raise EnvelopeError(f"envelope has more than {MAX_SIGNATURES} signatures")
    signatures = tuple(_parse_signature(entry, index) for index, entry in enumerate(entries))
    return Envelope(payload_type=payload_type, payload=payload, signatures=signatures)


@dataclass(frozen=True)
class SignatureCheck:
    """What one envelope signature proved against the trust root."""

    keyid: str | None
    algorithm: str | None
    trusted: bool
    valid: bool

    def as_json(self) -> dict[str, Any]:
        """The check as listed in the `--json` reports of `verify` and `verify-site`."""
        return {"keyid": self.keyid, "algorithm": self.algorithm, "trusted": self.trusted, "valid": self.valid}


def verify_envelope(envelope: Envelope, trust_root: TrustRoot) -> list[SignatureCheck]:
    """Check each signature over the envelope's PAE with the trusted keys its keyid narrows to."""
    message = pae(envelope.payload_type, envelope.payload)
    checks: list[SignatureCheck] = []
    for signature in envelope.signatures:
        candidates = trust_root.candidates(signature.keyid)
        verifier = next((key for key in candidates if verify_signature(key, message, signature.sig)), None)
        if verifier is not None:
            checks.append(SignatureCheck(verifier.keyid, verifier.algorithm, trusted=True, valid=True))
            continue
        named = [key for key in trust_root.keys if key.keyid == signature.keyid]
        algorithm = named[0].algorithm if named else None
        checks.append(SignatureCheck(signature.keyid, algorithm, trusted=bool(named), valid=False))
    return checks


def verified_key_count(checks: Sequence[SignatureCheck]) -> int:
    """How many distinct trusted keys verified: one key signing twice counts once."""
    return len({check.keyid for check in checks if check.valid})


@dataclass(frozen=True)
class Subject:
    """An in-toto subject: a name and its digests by algorithm (lowercase hex)."""

    name: str
    digest: dict[str, str]


@dataclass(frozen=True)
class Statement:
    """A decoded in-toto Statement v1."""

    subjects: tuple[Subject, ...]
    predicate_type: str
    predicate: dict[str, Any] = field(default_factory=dict)


def _parse_subject(entry: Any, index: int) -> Subject:
    where = f"statement subject {index + 1}"
    if not isinstance(entry, dict):
        raise EnvelopeError(f"{where} is not an object")
    name = _required_str(entry, "name", where)
    if "digest" not in entry:
        raise EnvelopeError(f"{where} has no digest")
    digest = entry["digest"]
    if not isinstance(digest, dict) or not digest:
        raise EnvelopeError(f"{where}: digest is not a non-empty object")
    for algorithm, value in digest.items():
        if not isinstance(value, str) or _LOWER_HEX.fullmatch(value) is None:
            raise EnvelopeError(f"{where}: digest {algorithm} is not lowercase hex")
    return Subject(name=name, digest=dict(digest))


def parse_statement(payload: bytes) -> Statement:
    """Parse an in-toto Statement v1 strictly; EnvelopeError when malformed or of another _type."""
    obj = _parse_json_object(payload, "statement")
    statement_type = _required_str(obj, "_type", "statement")
    if statement_type != STATEMENT_TYPE:
        raise EnvelopeError(f"statement _type is {statement_type!r}, not {STATEMENT_TYPE}")
    if "subject" not in obj:
        raise EnvelopeError("statement has no subject")
    entries = obj["subject"]
    if not isinstance(entries, list) or not entries:
        raise EnvelopeError("statement subject is not a non-empty list")
    subjects = tuple(_parse_subject(entry, index) for index, entry in enumerate(entries))
    predicate_type = _required_str(obj, "predicateType", "statement")
    predicate = obj.get("predicate", {})
    if not isinstance(predicate, dict):
        raise EnvelopeError("statement predicate is not an object")
    return Statement(subjects=subjects, predicate_type=predicate_type, predicate=predicate)


def make_statement(subjects: Sequence[Subject], predicate_type: str, predicate: Mapping[str, Any]) -> bytes:
    """Serialise an in-toto Statement v1 canonically (sorted keys, no whitespace, UTF-8)."""
    statement = {
        "_type": STATEMENT_TYPE,
        "subject": [{"name": subject.name, "digest": dict(subject.digest)} for subject in subjects],
        "predicateType": predicate_type,
        "predicate": dict(predicate),
    }
    return json.dumps(statement, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def sign_envelope(payload_type: str, payload: bytes, private_keys: Sequence[PrivateKey]) -> dict[str, Any]:
    """A JSON-ready DSSE envelope with one signature per key over the PAE (standard base64)."""
    if not private_keys:
        raise UsageError("no signing key given")
    message = pae(payload_type, payload)
    signatures = [
        {"keyid": public_keyid(key), "sig": base64.b64encode(sign_raw(key, message)).decode("ascii")}
        for key in private_keys
    ]
    return {
        "payloadType": payload_type,
        "payload": base64.b64encode(payload).decode("ascii"),
        "signatures": signatures,
    }


def dump_envelope(envelope: Mapping[str, Any]) -> bytes:
    """The envelope as written to disk: JSON indented by 2, with a trailing newline."""
    return (json.dumps(envelope, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
