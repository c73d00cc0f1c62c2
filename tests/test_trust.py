"""Trust roots and raw signature checks, with real keys and signatures."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa, utils
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.types import PublicKeyTypes
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from snapsite.errors import UsageError
from snapsite.trust.roots import TrustedKey, keyid_for, load_trust_root, trusted_key, verify_signature

DATA = Path(__file__).parent / "data"
RFC8032_TEST1_SECRET = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"
RFC8032_TEST1_PUBLIC = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"
RFC8032_TEST1_KEYID = "06e3fd8fda29bb60ab59557de61edb0aecdb231134be30e75b455f8e1b792fa9"
MESSAGE = b"DSSEv1 4 test 5 hello"


@pytest.fixture(scope="module")
def rsa_2048() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def write_public(path: Path, public_key: PublicKeyTypes) -> Path:
    path.write_bytes(
        public_key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    return path


def test_keyid_is_sha256_of_der_spki() -> None:
    public_key = Ed25519PrivateKey.from_private_bytes(bytes.fromhex(RFC8032_TEST1_SECRET)).public_key()
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    assert raw.hex() == RFC8032_TEST1_PUBLIC
    der = public_key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    assert keyid_for(public_key) == hashlib.sha256(der).hexdigest() == RFC8032_TEST1_KEYID


def test_spec_example_key_loads_with_its_keyid() -> None:
    root = load_trust_root([DATA / "spec-minimal.pub"])
    assert [(key.keyid, key.algorithm) for key in root.keys] == [(RFC8032_TEST1_KEYID, "ed25519")]
    assert root.keys[0].source == str(DATA / "spec-minimal.pub")


def test_ed25519_rfc8032_test1_empty_message() -> None:
    private_key = Ed25519PrivateKey.from_private_bytes(bytes.fromhex(RFC8032_TEST1_SECRET))
    expected = bytes.fromhex(
        "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46b"
        "d25bf5f0595bbe24655141438e7a100b"
    )
    assert private_key.sign(b"") == expected
    key = trusted_key(private_key.public_key(), "rfc8032")
    assert verify_signature(key, b"", expected)
    assert not verify_signature(key, b"x", expected)
    assert not verify_signature(key, b"", expected[:-1] + bytes([expected[-1] ^ 1]))


def test_ecdsa_der_and_raw_r_s_accepted() -> None:
    private_key = ec.generate_private_key(ec.SECP256R1())
    key = trusted_key(private_key.public_key(), "mem")
    der = private_key.sign(MESSAGE, ec.ECDSA(hashes.SHA256()))
    r, s = utils.decode_dss_signature(der)
    raw = r.to_bytes(32, "big") + s.to_bytes(32, "big")
    assert key.algorithm == "ecdsa-p256"
    assert verify_signature(key, MESSAGE, der)
    assert verify_signature(key, MESSAGE, raw)
    assert not verify_signature(key, MESSAGE + b"!", raw)
    assert not verify_signature(key, MESSAGE, raw[:63])
    assert not verify_signature(key, MESSAGE, raw + b"\x00")
    assert not verify_signature(key, MESSAGE, der + b"\x00")


def test_rsa_pss_any_salt_length_accepted(rsa_2048: rsa.RSAPrivateKey) -> None:
    key = trusted_key(rsa_2048.public_key(), "mem")
    assert key.algorithm == "rsa-pss-sha256"
    mgf = padding.MGF1(hashes.SHA256())
    schemes = [padding.PSS(mgf, 32), padding.PSS(mgf, 0), padding.PSS(mgf, padding.PSS.MAX_LENGTH)]
    for scheme in schemes:
        signature = rsa_2048.sign(MESSAGE, scheme, hashes.SHA256())
        assert verify_signature(key, MESSAGE, signature)
        assert not verify_signature(key, MESSAGE + b"!", signature)
    pkcs1 = rsa_2048.sign(MESSAGE, padding.PKCS1v15(), hashes.SHA256())
    assert not verify_signature(key, MESSAGE, pkcs1)


@pytest.mark.parametrize(
    "signature",
    [b"", b"\x00", b"\x00" * 64, b"\xff" * 64, b"\x30\x06\x02\x01\x00\x02\x01\x00", b"\x30" * 10_000],
)
def test_garbage_signatures_are_false_never_raise(rsa_2048: rsa.RSAPrivateKey, signature: bytes) -> None:
    keys = [
        trusted_key(Ed25519PrivateKey.generate().public_key(), "a"),
        trusted_key(ec.generate_private_key(ec.SECP256R1()).public_key(), "b"),
        trusted_key(rsa_2048.public_key(), "c"),
    ]
    for key in keys:
        assert verify_signature(key, MESSAGE, signature) is False


def test_signature_of_one_algorithm_does_not_verify_with_another_key() -> None:
    ed_private = Ed25519PrivateKey.generate()
    ec_key = trusted_key(ec.generate_private_key(ec.SECP256R1()).public_key(), "ec")
    assert not verify_signature(ec_key, MESSAGE, ed_private.sign(MESSAGE))


def test_trust_root_directory_sorted_and_deduplicated(tmp_path: Path, rsa_2048: rsa.RSAPrivateKey) -> None:
    keys_dir = tmp_path / "keys"
    keys_dir.mkdir()
    ed = Ed25519PrivateKey.generate().public_key()
    p256 = ec.generate_private_key(ec.SECP256R1()).public_key()
    write_public(keys_dir / "a.pem", ed)
    write_public(keys_dir / "b.pem", p256)
    write_public(keys_dir / "c.pem", rsa_2048.public_key())
    write_public(keys_dir / "d-copy.pem", ed)
    (keys_dir / "README.txt").write_text("not a key, and not *.pem")
    extra = write_public(tmp_path / "extra.key", p256)

    root = load_trust_root([keys_dir, extra])

    expected = sorted([keyid_for(ed), keyid_for(p256), keyid_for(rsa_2048.public_key())])
    assert [key.keyid for key in root.keys] == expected
    by_id = {key.keyid: key for key in root.keys}
    assert by_id[keyid_for(ed)].source == str(keys_dir / "a.pem")
    assert by_id[keyid_for(p256)].algorithm == "ecdsa-p256"
    assert by_id[keyid_for(rsa_2048.public_key())].algorithm == "rsa-pss-sha256"


def test_candidates_narrow_by_known_keyid_only(tmp_path: Path) -> None:
    first = Ed25519PrivateKey.generate().public_key()
    second = Ed25519PrivateKey.generate().public_key()
    root = load_trust_root([write_public(tmp_path / "1.pem", first), write_public(tmp_path / "2.pem", second)])
    assert [key.keyid for key in root.candidates(keyid_for(second))] == [keyid_for(second)]
    assert root.candidates("0" * 64) == root.keys
    assert root.candidates(None) == root.keys
    assert len(root.keys) == 2


def test_rsa_1024_rejected_at_load(tmp_path: Path) -> None:
    small = rsa.generate_private_key(public_exponent=65537, key_size=1024).public_key()
    path = write_public(tmp_path / "small.pem", small)
    with pytest.raises(UsageError, match=r"small\.pem: RSA key of 1024 bits is too small"):
        load_trust_root([path])


def test_ec_other_curve_rejected(tmp_path: Path) -> None:
    path = write_public(tmp_path / "p384.pem", ec.generate_private_key(ec.SECP384R1()).public_key())
    with pytest.raises(UsageError, match=r"p384\.pem: EC key on curve secp384r1"):
        load_trust_root([path])


def test_other_key_type_rejected(tmp_path: Path) -> None:
    path = write_public(tmp_path / "x25519.pem", X25519PrivateKey.generate().public_key())
    with pytest.raises(UsageError, match=r"x25519\.pem: unsupported key type"):
        load_trust_root([path])


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match=r"trust root .*nope\.pem: not found"):
        load_trust_root([tmp_path / "nope.pem"])


def test_non_key_file(tmp_path: Path) -> None:
    path = tmp_path / "notes.pem"
    path.write_text("hello\n")
    with pytest.raises(UsageError, match=r"notes\.pem: not a PEM public key"):
        load_trust_root([path])


def test_private_key_file_refused(tmp_path: Path) -> None:
    path = tmp_path / "secret.pem"
    path.write_bytes(
        Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    with pytest.raises(UsageError, match=r"secret\.pem: is a private key"):
        load_trust_root([path])


def test_two_keys_in_one_file_refused(tmp_path: Path) -> None:
    path = write_public(tmp_path / "two.pem", Ed25519PrivateKey.generate().public_key())
    path.write_bytes(path.read_bytes() + (DATA / "spec-minimal.pub").read_bytes())
    with pytest.raises(UsageError, match="more than one PEM block"):
        load_trust_root([path])


def test_empty_directory_and_no_paths(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match=r"no \*\.pem file"):
        load_trust_root([tmp_path])
    with pytest.raises(UsageError, match="no trust root"):
        load_trust_root([])


def test_directory_with_one_bad_pem_names_it(tmp_path: Path) -> None:
    write_public(tmp_path / "a.pem", Ed25519PrivateKey.generate().public_key())
    (tmp_path / "b.pem").write_bytes(b"\x00\x01garbage")
    with pytest.raises(UsageError, match=r"b\.pem"):
        load_trust_root([tmp_path])


def test_trusted_key_is_frozen() -> None:
    key = trusted_key(Ed25519PrivateKey.generate().public_key(), "mem")
    assert isinstance(key, TrustedKey)
    with pytest.raises(AttributeError):
        key.keyid = "x"  # type: ignore[misc]


def test_a_trust_root_crosses_to_a_worker_process_as_the_same_keys(tmp_path: Path) -> None:
    # A --since build and diff verify OLD in a worker with the keys this process loaded, never re-reading files.
    import pickle

    from snapsite.trust.keys import write_keypair

    publics = [write_keypair(tmp_path / f"{name}.key", name)[1] for name in ("ed25519", "ecdsa-p256", "rsa-pss-sha256")]
    root = load_trust_root(publics)
    for public in publics:
        public.write_bytes(b"replaced after loading")
    copied = pickle.loads(pickle.dumps(root))
    assert [(k.keyid, k.algorithm, k.source) for k in copied.keys] == [
        (k.keyid, k.algorithm, k.source) for k in root.keys
    ]
    assert len(copied.keys) == 3
    der = serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    assert [k.public_key.public_bytes(*der) for k in copied.keys] == [
        k.public_key.public_bytes(*der) for k in root.keys
    ]
