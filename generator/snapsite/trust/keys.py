"""Private keys for signing snapshots: generate, write, load, sign (release engineers, tests, the demo)."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import TypeAlias

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from snapsite.errors import UsageError
from snapsite.trust.roots import keyid_for, read_key_file, trusted_key

PrivateKey: TypeAlias = Ed25519PrivateKey | ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey

ALGORITHMS = ("ed25519", "ecdsa-p256", "rsa-pss-sha256")
RSA_BITS = 3072
# PSS salt as long as the digest: what most signers use, and what the verifier's AUTO accepts anyway.
RSA_PSS_SALT_BYTES = 32


def generate_private_key(algorithm: str) -> PrivateKey:
    """A new private key for one of ALGORITHMS."""
    if algorithm == "ed25519":
        return Ed25519PrivateKey.generate()
    if algorithm == "ecdsa-p256":
        return ec.generate_private_key(ec.SECP256R1())
    if algorithm == "rsa-pss-sha256":
        return rsa.generate_private_key(public_exponent=65537, key_size=RSA_BITS)
    raise UsageError(f"unknown key algorithm {algorithm!r} (one of {', '.join(ALGORITHMS)})")


def _write_new(path: Path, data: bytes, mode: int) -> None:
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    except FileExistsError:
        raise UsageError(f"{path}: already exists, not overwriting it") from None
    except OSError as exc:
        raise UsageError(f"{path}: cannot create ({exc.strerror or exc})") from None
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)


def write_keypair(path: Path, algorithm: str) -> tuple[Path, Path]:
    """Write a new private key (PKCS8 PEM, mode 0600) at `path` and its SPKI PEM at `path` + ".pub"."""
    public_path = path.with_name(path.name + ".pub")
    for target in (path, public_path):
        if target.exists() or target.is_symlink():
            raise UsageError(f"{target}: already exists, not overwriting it")
    private_key = generate_private_key(algorithm)
    private_pem = private_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    public_pem = private_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    _write_new(path, private_pem, 0o600)
    try:
        _write_new(public_path, public_pem, 0o644)
    except UsageError:
        # Half a key pair is worse than none: the next attempt would refuse to overwrite it.
        with contextlib.suppress(OSError):
            path.unlink()
        raise
    return path, public_path


def load_private_key(path: Path) -> PrivateKey:
    """Load an unencrypted PEM private key of a supported type; UsageError naming the file otherwise."""
    data = read_key_file(path, "key")
    try:
        private_key = serialization.load_pem_private_key(data, password=None)
    except TypeError:
        raise UsageError(f"key {path}: encrypted private keys are not supported") from None
    except (ValueError, UnsupportedAlgorithm):
        raise UsageError(f"key {path}: not a PEM private key") from None
    if not isinstance(private_key, Ed25519PrivateKey | ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey):
        raise UsageError(f"key {path}: unsupported key type {type(private_key).__name__}")
    # Same rules as the verifier: never sign with a key no trust root could accept.
    trusted_key(private_key.public_key(), f"key {path}")
    return private_key


def sign_raw(private_key: PrivateKey, message: bytes) -> bytes:
    """Sign `message`: Ed25519, ECDSA SHA-256 (DER), or RSA-PSS SHA-256 (MGF1, 32-byte salt)."""
    if isinstance(private_key, Ed25519PrivateKey):
        return private_key.sign(message)
    if isinstance(private_key, ec.EllipticCurvePrivateKey):
        return private_key.sign(message, ec.ECDSA(hashes.SHA256()))
    pss = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=RSA_PSS_SALT_BYTES)
    return private_key.sign(message, pss, hashes.SHA256())


def public_keyid(private_key: PrivateKey) -> str:
    """The keyid of the key's public half."""
    return keyid_for(private_key.public_key())
