"""Trusted public keys and raw signature checks (snapshot spec section 3).

A trust root is one or more PEM SubjectPublicKeyInfo files, or directories of `*.pem` files. A key is named by
its keyid, the hex SHA-256 of its DER SubjectPublicKeyInfo; a keyid only narrows the keys to try.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeAlias

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa, utils
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.types import PublicKeyTypes

from snapsite.errors import UsageError

PublicKey: TypeAlias = Ed25519PublicKey | ec.EllipticCurvePublicKey | rsa.RSAPublicKey

MIN_RSA_BITS = 2048
# A public key PEM is a few kilobytes at most; a bigger file is a wrong path, not a key.
MAX_KEY_FILE_BYTES = 1024 * 1024
_P256_RAW_SIGNATURE_BYTES = 64


@dataclass(frozen=True)
class TrustedKey:
    """A public key the operator trusts, with its keyid and the file it came from."""

    keyid: str
    algorithm: str
    public_key: PublicKey
    source: str

    def __reduce__(self) -> tuple[Any, tuple[bytes, str]]:
        """Pickled as its key's DER (key objects do not pickle), so that a worker process verifies with exactly
        the keys this process loaded instead of reading the trust root's files a second time."""
        der = self.public_key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
        return _trusted_key_from_der, (der, self.source)


@dataclass(frozen=True)
class TrustRoot:
    """The trusted keys, sorted by keyid, one per keyid."""

    keys: tuple[TrustedKey, ...]

    def candidates(self, keyid: str | None) -> tuple[TrustedKey, ...]:
        """The key named by `keyid` when it is trusted, else every key: a keyid narrows, it never trusts."""
        if keyid is not None:
            for key in self.keys:
                if key.keyid == keyid:
                    return (key,)
        return self.keys


def keyid_for(public_key: PublicKeyTypes) -> str:
    """Hex SHA-256 of the key's DER SubjectPublicKeyInfo."""
    der = public_key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return hashlib.sha256(der).hexdigest()


def trusted_key(public_key: PublicKeyTypes, source: str) -> TrustedKey:
    """Wrap a supported public key; UsageError naming `source` for any other key type or size."""
    if isinstance(public_key, Ed25519PublicKey):
        algorithm = "ed25519"
    elif isinstance(public_key, ec.EllipticCurvePublicKey):
        if not isinstance(public_key.curve, ec.SECP256R1):
            raise UsageError(f"{source}: EC key on curve {public_key.curve.name} is not supported (P-256 only)")
        algorithm = "ecdsa-p256"
    elif isinstance(public_key, rsa.RSAPublicKey):
        if public_key.key_size < MIN_RSA_BITS:
            raise UsageError(f"{source}: RSA key of {public_key.key_size} bits is too small ({MIN_RSA_BITS} or more)")
        algorithm = "rsa-pss-sha256"
    else:
        raise UsageError(f"{source}: unsupported key type {type(public_key).__name__} (Ed25519, ECDSA P-256 or RSA)")
    return TrustedKey(keyid=keyid_for(public_key), algorithm=algorithm, public_key=public_key, source=source)


def _trusted_key_from_der(der: bytes, source: str) -> TrustedKey:
    return trusted_key(serialization.load_der_public_key(der), source)


def read_key_file(path: Path, what: str) -> bytes:
    """The bytes of a small key file; UsageError naming it when missing, unreadable or too big."""
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_KEY_FILE_BYTES + 1)
    except FileNotFoundError:
        raise UsageError(f"{what} {path}: not found") from None
    except IsADirectoryError:
        raise UsageError(f"{what} {path}: is a directory, not a key file") from None
    except OSError as exc:
        raise UsageError(f"{what} {path}: cannot read ({exc.strerror or exc})") from None
    if len(data) > MAX_KEY_FILE_BYTES:
        raise UsageError(f"{what} {path}: larger than {MAX_KEY_FILE_BYTES} bytes, not a key file")
    return data


def _load_public_key_file(path: Path) -> TrustedKey:
    data = read_key_file(path, "trust root")
    if b"PRIVATE KEY-----" in data:
        raise UsageError(f"trust root {path}: is a private key; give its public key (.pub)")
    # A second PEM block would be silently ignored by the loader: refuse rather than trust half a file.
    if data.count(b"-----BEGIN ") > 1:
        raise UsageError(f"trust root {path}: holds more than one PEM block (one public key per file)")
    try:
        public_key = serialization.load_pem_public_key(data)
    except (ValueError, TypeError, UnsupportedAlgorithm):
        raise UsageError(f"trust root {path}: not a PEM public key (SubjectPublicKeyInfo)") from None
    return trusted_key(public_key, str(path))


def _key_files(path: Path) -> list[Path]:
    if path.is_dir():
        files = sorted(path.glob("*.pem"))
        if not files:
            raise UsageError(f"trust root {path}: directory holds no *.pem file")
        return files
    return [path]


def load_trust_root(paths: Sequence[Path]) -> TrustRoot:
    """Load every key of the given PEM files and directories of `*.pem`; UsageError on the first bad one."""
    if not paths:
        raise UsageError("no trust root given")
    by_keyid: dict[str, TrustedKey] = {}
    for path in paths:
        for file in _key_files(path):
            key = _load_public_key_file(file)
            by_keyid.setdefault(key.keyid, key)
    return TrustRoot(keys=tuple(by_keyid[keyid] for keyid in sorted(by_keyid)))


def _verify_ecdsa(public_key: ec.EllipticCurvePublicKey, message: bytes, signature: bytes) -> bool:
    algorithm = ec.ECDSA(hashes.SHA256())
    try:
        public_key.verify(signature, message, algorithm)
        return True
    except (InvalidSignature, ValueError):
        pass
    # Some signers (the DSSE reference, JOSE) emit raw r||s instead of DER.
    if len(signature) != _P256_RAW_SIGNATURE_BYTES:
        return False
    half = _P256_RAW_SIGNATURE_BYTES // 2
    r = int.from_bytes(signature[:half], "big")
    s = int.from_bytes(signature[half:], "big")
    try:
        public_key.verify(utils.encode_dss_signature(r, s), message, algorithm)
        return True
    except (InvalidSignature, ValueError):
        return False


def verify_signature(key: TrustedKey, message: bytes, signature: bytes) -> bool:
    """True when `signature` over `message` verifies with `key`; False for anything else, never raises."""
    if not isinstance(signature, bytes) or not isinstance(message, bytes):
        return False
    public_key = key.public_key
    try:
        if isinstance(public_key, Ed25519PublicKey):
            public_key.verify(signature, message)
            return True
        if isinstance(public_key, ec.EllipticCurvePublicKey):
            return _verify_ecdsa(public_key, message, signature)
        if isinstance(public_key, rsa.RSAPublicKey):
            pss = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=padding.PSS.AUTO)
            public_key.verify(signature, message, pss, hashes.SHA256())
            return True
    except (InvalidSignature, ValueError, TypeError, OverflowError):
        return False
    return False
