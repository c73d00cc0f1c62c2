"""Step 1 of verification: opening a snapshot directory or archive safely (spec section 1)."""

from __future__ import annotations

import gzip
import hashlib
import io
import os
import tarfile
import time
from collections.abc import Callable
from pathlib import Path

import pytest
import zstandard
from snapsite.errors import ExitCode, SnapshotError
from snapsite.snapshot.container import Container, Limits, open_container
from snapsite.snapshot.hashing import FileDigest, hash_files
from snapsite.snapshot.member_names import check_member_name, collision_key

MiB = 1 << 20
Member = tuple[tarfile.TarInfo, bytes]

# A small snapshot tree: one file larger than the 1 MiB chunk, an empty one, a long (> 100 bytes) name.
TREE: dict[str, bytes] = {
    "manifest.json": b'{"schemaVersion": "stellaops.runs-snapshot@1"}\n',
    "runs.ndjson": b'{"id": "run:acme:20261120T020000Z:7f3a9c"}\n' * 50,
    "evidence/big.bin": os.urandom(MiB + 12345),
    "evidence/empty.txt": b"",
    "runbooks/" + "ERR_RUN_005_" + "x" * 100 + ".md": b"# Runbook\n",
}


def file_member(name: str, data: bytes = b"data", pax: dict[str, str] | None = None) -> Member:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    if pax:
        info.pax_headers = pax
    return info, data


def special_member(name: str, kind: bytes, linkname: str = "") -> Member:
    info = tarfile.TarInfo(name)
    info.type = kind
    info.linkname = linkname
    return info, b""


def dir_member(name: str) -> Member:
    return special_member(name, tarfile.DIRTYPE)


def tar_bytes(members: list[Member], fmt: int = tarfile.PAX_FORMAT, **pax: str) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=fmt, pax_headers=pax or None) as tar:
        for info, data in members:
            tar.addfile(info, io.BytesIO(data) if info.isreg() else None)
    return buffer.getvalue()


def tree_members(tree: dict[str, bytes], top: str = "") -> list[Member]:
    members = [dir_member(top.rstrip("/"))] if top else []
    folders = sorted({name.rpartition("/")[0] for name in tree if "/" in name})
    members += [dir_member(top + folder) for folder in folders]
    return members + [file_member(top + name, data) for name, data in tree.items()]


def compress(raw: bytes, kind: str) -> bytes:
    if kind in ("tar.gz", "tgz"):
        return gzip.compress(raw)
    if kind == "tar.zst":
        return zstandard.ZstdCompressor().compress(raw)
    return raw


def write_archive(folder: Path, raw: bytes, kind: str = "tar") -> Path:
    path = folder / f"snap.{kind}"
    path.write_bytes(compress(raw, kind))
    return path


def write_tree(root: Path, tree: dict[str, bytes]) -> None:
    for name, data in tree.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(data)


def expected_digests(tree: dict[str, bytes]) -> dict[str, FileDigest]:
    return {name: FileDigest(len(data), hashlib.sha256(data).hexdigest()) for name, data in tree.items()}


def rejection(path: Path, limits: Limits | None = None, workdir: Path | None = None) -> SnapshotError:
    with pytest.raises(SnapshotError) as caught:
        open_container(path, limits or Limits(), workdir)
    error = caught.value
    assert error.check == "container"
    assert error.exit_code == ExitCode.INVALID
    return error


def everything_under(root: Path) -> set[Path]:
    return {Path(folder) / name for folder, dirs, files in os.walk(root) for name in dirs + files}


def assert_tree(container: Container, tree: dict[str, bytes]) -> None:
    assert container.files() == sorted(tree)
    assert container.digests(sorted(tree)) == expected_digests(tree)
    for name, data in tree.items():
        assert container.exists(name)
        assert container.read_bytes(name) == data
        assert container.path(name).read_bytes() == data
        with container.open(name) as file:
            assert file.read() == data


# Opening


def test_directory_is_staged_into_a_private_copy(tmp_path: Path) -> None:
    """Issue 11 (finding 8): a directory is no longer read in place but staged, hashed as it is copied, so that
    what later steps parse is what was hashed; the source folder is left as it was."""
    write_tree(tmp_path / "snap", TREE)
    with open_container(tmp_path / "snap") as container:
        assert container.kind == "directory"
        assert container.root != (tmp_path / "snap").absolute()
        assert (tmp_path / "snap").absolute() not in container.root.parents
        assert_tree(container, TREE)
        staged = container.root
    assert (tmp_path / "snap" / "manifest.json").exists()
    assert not staged.exists()


@pytest.mark.parametrize("top", ["", "snap-2026-11-20/"])
@pytest.mark.parametrize(
    ("suffix", "kind"), [("tar", "tar"), ("tar.gz", "tar.gz"), ("tgz", "tar.gz"), ("tar.zst", "tar.zst")]
)
def test_archive_opens_at_root_or_under_one_top_folder(tmp_path: Path, suffix: str, kind: str, top: str) -> None:
    work = tmp_path / "work"
    work.mkdir()
    archive = write_archive(tmp_path, tar_bytes(tree_members(TREE, top)), suffix)
    container = open_container(archive, workdir=work)
    try:
        assert (container.kind, container.source) == (kind, archive)
        assert container.root.is_relative_to(work)
        assert_tree(container, TREE)
    finally:
        container.close()
    assert list(work.iterdir()) == []
    container.close()  # twice is fine


@pytest.mark.parametrize("fmt", [tarfile.GNU_FORMAT, tarfile.USTAR_FORMAT])
def test_other_tar_formats_open(tmp_path: Path, fmt: int) -> None:
    tree = {name: data for name, data in TREE.items() if len(name) < 100 or fmt == tarfile.GNU_FORMAT}
    with open_container(write_archive(tmp_path, tar_bytes(tree_members(tree), fmt))) as container:
        assert_tree(container, tree)


def test_dot_prefixed_members_of_tar_c_dir_dot(tmp_path: Path) -> None:
    members = [dir_member("./"), dir_member("./evidence/")]
    members += [file_member(f"./{name}", data) for name, data in TREE.items()]
    with open_container(write_archive(tmp_path, tar_bytes(members), "tar.gz")) as container:
        assert_tree(container, TREE)


def test_root_manifest_wins_and_several_top_folders_stay(tmp_path: Path) -> None:
    one_top_with_manifest = [
        dir_member("snap"),
        file_member("snap/runs.ndjson"),
        file_member("manifest.json"),
    ]
    with open_container(write_archive(tmp_path, tar_bytes(one_top_with_manifest))) as container:
        assert container.files() == ["manifest.json", "snap/runs.ndjson"]
    two_tops = [file_member("a/manifest.json"), file_member("b/runs.ndjson")]
    with open_container(write_archive(tmp_path, tar_bytes(two_tops))) as container:
        assert container.files() == ["a/manifest.json", "b/runs.ndjson"]


def test_format_is_detected_by_content_not_extension(tmp_path: Path) -> None:
    archive = tmp_path / "snapshot.tar"
    archive.write_bytes(compress(tar_bytes(tree_members(TREE)), "tar.gz"))
    with open_container(archive) as container:
        assert container.kind == "tar.gz"
        assert_tree(container, TREE)


def test_v7_tar_without_ustar_magic_opens(tmp_path: Path) -> None:
    header = bytearray(file_member("runs.ndjson", b"abc")[0].tobuf(tarfile.USTAR_FORMAT))
    header[257:265] = bytes(8)  # drop the ustar magic and version, as a pre-POSIX tar writes
    header[148:156] = b" " * 8
    header[148:156] = b"%06o\x00 " % sum(header)
    raw = bytes(header) + b"abc".ljust(512, b"\x00") + bytes(1024)
    with open_container(write_archive(tmp_path, raw)) as container:
        assert container.kind == "tar"
        assert container.read_bytes("runs.ndjson") == b"abc"


def test_global_pax_header_with_a_comment_is_accepted(tmp_path: Path) -> None:
    # git archive writes one, holding the commit id.
    raw = tar_bytes([file_member("manifest.json", b"{}")], comment="52fdfc072182654f163f5f0f9a621d729566c74d")
    with open_container(write_archive(tmp_path, raw)) as container:
        assert container.files() == ["manifest.json"]


def test_caps_are_inclusive(tmp_path: Path) -> None:
    members = [file_member("manifest.json", b"12345"), file_member("runs.ndjson", b"67890")]
    with open_container(write_archive(tmp_path, tar_bytes(members)), Limits(max_members=2, max_bytes=10)) as c:
        assert c.files() == ["manifest.json", "runs.ndjson"]


def test_unknown_names_are_refused(tmp_path: Path) -> None:
    with open_container(write_archive(tmp_path, tar_bytes(tree_members(TREE)))) as container:
        assert not container.exists("nope.json")
        assert not container.exists("evidence")
        for call in (container.path, container.open, container.read_bytes, lambda n: container.digests([n])):
            with pytest.raises(SnapshotError) as caught:
                call("nope.json")
            assert caught.value.exit_code == ExitCode.INVALID
            assert caught.value.path == "nope.json"


def test_missing_path_is_not_found(tmp_path: Path) -> None:
    with pytest.raises(SnapshotError) as caught:
        open_container(tmp_path / "nowhere.tar.gz")
    assert caught.value.exit_code == ExitCode.NOT_FOUND
    assert caught.value.path == str(tmp_path / "nowhere.tar.gz")


# Hostile archives


@pytest.mark.parametrize(
    ("member", "reason"),
    [
        (special_member("runs.ndjson", tarfile.SYMTYPE, "/etc/passwd"), "symlink to '/etc/passwd'"),
        (special_member("runs.ndjson", tarfile.LNKTYPE, "manifest.json"), "hard link"),
        (special_member("runs.ndjson", tarfile.CHRTYPE), "character device"),
        (special_member("runs.ndjson", tarfile.BLKTYPE), "block device"),
        (special_member("runs.ndjson", tarfile.FIFOTYPE), "FIFO"),
        (special_member("runs.ndjson", tarfile.CONTTYPE), "contiguous file"),
        (file_member("runs.ndjson", pax={"GNU.sparse.major": "1", "GNU.sparse.minor": "0"}), "sparse file"),
    ],
)
def test_only_regular_files_and_folders(tmp_path: Path, member: Member, reason: str) -> None:
    archive = write_archive(tmp_path, tar_bytes([file_member("manifest.json"), member]), "tar.gz")
    error = rejection(archive)
    assert error.path == "runs.ndjson"
    assert reason in error.message


@pytest.mark.parametrize(
    ("name", "shown", "reason"),
    [
        ("/tmp/abs", "/tmp/abs", "absolute"),
        ("../evil", "../evil", "'..'"),
        ("evidence/../../evil", "evidence/../../evil", "'..'"),
        ("evidence\\evil.json", "evidence\\evil.json", "backslash"),
        ("a\x00b", "a\\x00b", "NUL"),
        ("C:evil", "C:evil", "drive letter"),
        ("a//b", "a//b", "empty segment"),
        ("a/./b", "a/./b", "'.' segment"),
        ("././a", "././a", "'.' segment"),
        ("a\udcffb", "a\\udcffb", "UTF-8"),
        ("x" * 300, "x" * 300, "longer than 255"),
    ],
)
def test_bad_member_names(tmp_path: Path, name: str, shown: str, reason: str) -> None:
    # Names go through a pax header, so none is truncated or mangled on the way in.
    archive = write_archive(tmp_path, tar_bytes([file_member("manifest.json"), file_member(name, pax={"path": name})]))
    error = rejection(archive)
    assert error.path == shown
    assert reason in error.message


@pytest.mark.parametrize(
    ("first", "second", "reason"),
    [
        ("A.json", "a.json", "collides with 'A.json'"),
        ("\u00e9.json", "e\u0301.json", "collides with '\u00e9.json'"),
        ("STRASSE.md", "stra\u00dfe.md", "collides with 'STRASSE.md'"),
        ("Evidence/x.json", "evidence/y.json", "collides with 'Evidence'"),
        ("runs.ndjson", "runs.ndjson", "appears twice"),
        ("evidence", "evidence/x.json", "both a file and a folder"),
    ],
)
def test_colliding_members(tmp_path: Path, first: str, second: str, reason: str) -> None:
    archive = write_archive(tmp_path, tar_bytes([file_member(first), file_member(second)]), "tar.zst")
    error = rejection(archive)
    assert error.path == second
    assert reason in error.message


def test_folder_colliding_with_a_file(tmp_path: Path) -> None:
    error = rejection(write_archive(tmp_path, tar_bytes([file_member("Evidence"), dir_member("evidence")])))
    assert error.path == "evidence"
    assert "collides with 'Evidence'" in error.message


def test_member_count_cap(tmp_path: Path) -> None:
    members = [file_member(f"f{i}.json") for i in range(5)]
    error = rejection(write_archive(tmp_path, tar_bytes(members)), Limits(max_members=3))
    assert error.path == "f3.json"
    assert "more than 3 members" in error.message


def test_byte_cap(tmp_path: Path) -> None:
    members = [file_member("manifest.json", b"x" * 60), file_member("runs.ndjson", b"y" * 60)]
    error = rejection(write_archive(tmp_path, tar_bytes(members), "tar.gz"), Limits(max_bytes=100))
    assert error.path == "runs.ndjson"
    assert "more than 100 bytes" in error.message


def test_header_claiming_more_than_the_data(tmp_path: Path) -> None:
    info = tarfile.TarInfo("runs.ndjson")
    info.size = 10 * MiB
    raw = info.tobuf(tarfile.USTAR_FORMAT) + b"x" * 512 + bytes(1024)
    error = rejection(write_archive(tmp_path, raw))
    assert error.path == "runs.ndjson"
    assert "truncated" in error.message


def plain_tar_cut(at: Callable[[int], int]) -> bytes:
    """A two-member USTAR archive cut at `at(end of the first member)`."""
    raw = tar_bytes([file_member("manifest.json", b"m" * 700), file_member("runs.ndjson", b"r" * 700)])
    return raw[: at(512 + 1024)]


@pytest.mark.parametrize(
    ("kind", "raw", "path", "reason"),
    [
        ("tar", plain_tar_cut(lambda end: end), None, "end-of-archive marker"),
        ("tar", plain_tar_cut(lambda end: end + 100), None, "end-of-archive marker"),
        ("tar", plain_tar_cut(lambda end: end + 512 + 300), "runs.ndjson", "truncated"),
        ("tar", plain_tar_cut(lambda end: end - 600), "manifest.json", "truncated"),
        ("tar", plain_tar_cut(lambda end: end - 200), None, "after member 'manifest.json'"),
        ("tar", plain_tar_cut(lambda end: end) + b"garbage!" * 64, None, "invalid member header"),
    ],
)
def test_truncated_or_damaged_plain_tar(tmp_path: Path, kind: str, raw: bytes, path: str | None, reason: str) -> None:
    archive = write_archive(tmp_path, raw, kind)
    error = rejection(archive)
    assert error.path == (path or str(archive))
    assert reason in error.message


@pytest.mark.parametrize("kind", ["tar.gz", "tar.zst"])
def test_truncated_compressed_archive(tmp_path: Path, kind: str) -> None:
    data = compress(tar_bytes(tree_members(TREE)), kind)
    archive = tmp_path / f"cut.{kind}"
    archive.write_bytes(data[: len(data) // 2])
    assert "truncated" in rejection(archive).message


def test_gzip_checksum_is_checked(tmp_path: Path) -> None:
    data = bytearray(compress(tar_bytes([file_member("manifest.json", b"{}")]), "tar.gz"))
    data[-8] ^= 0xFF  # the CRC-32 of the gzip trailer
    archive = tmp_path / "crc.tar.gz"
    archive.write_bytes(data)
    assert "CRC" in rejection(archive).message


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("empty.tar", b""),
        ("garbage.tar.gz", b"this is not an archive at all " * 40),
        ("short.tar", b"ustar"),
        ("zeros-but-one.tar", b"\x01" + bytes(1023)),
    ],
)
def test_not_an_archive(tmp_path: Path, name: str, content: bytes) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    error = rejection(path)
    assert error.path == str(path)
    assert error.message == "not a directory or a .tar, .tar.gz, .tar.zst archive"


@pytest.mark.parametrize(
    "content", [b"\x1f\x8b" + b"garbage" * 100, b"\x28\xb5\x2f\xfd" + b"garbage" * 100], ids=["gzip", "zstd"]
)
def test_garbage_behind_compression_magic(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "bad.tar"
    path.write_bytes(content)
    assert "damaged or truncated archive" in rejection(path).message


def test_special_file_as_snapshot(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "fifo")
    assert rejection(tmp_path / "fifo").message == "not a directory or a .tar, .tar.gz, .tar.zst archive"


def test_data_after_the_end_of_the_archive(tmp_path: Path) -> None:
    raw = tar_bytes([file_member("manifest.json")]) + b"x" * (3 * MiB)
    assert "after the end of the archive" in rejection(write_archive(tmp_path, raw, "tar.gz")).message


def raw_header(name: str, kind: bytes, size: int) -> bytes:
    info = tarfile.TarInfo(name)
    info.type = kind
    info.size = size
    return info.tobuf(tarfile.USTAR_FORMAT)


def pax_block(data: bytes) -> bytes:
    return raw_header("PaxHeaders/x", tarfile.XHDTYPE, len(data)) + data.ljust(-(-len(data) // 512) * 512, b"\0")


@pytest.mark.parametrize(
    ("header", "reason"),
    [
        (pax_block(b"2 " * 32768), "malformed pax"),
        (pax_block(b"9" * 65536), "malformed pax"),
        (pax_block(b"30 path=runs.ndjson\n"), "malformed pax"),
        (pax_block(b"11 size=x1\n"), "invalid pax size"),
        (raw_header("PaxHeaders/x", tarfile.XHDTYPE, 2 * MiB), "extended header of 2097152 bytes"),
        (pax_block(b"16 comment=abcd\n") * 9, "more than 8 extended headers"),
        (raw_header("pax", tarfile.XGLTYPE, 20) + b"20 path=evil/x.json\n".ljust(512, b"\0"), "global pax"),
    ],
)
def test_hostile_extended_headers(tmp_path: Path, header: bytes, reason: str) -> None:
    raw = header + tar_bytes([file_member("runs.ndjson")], tarfile.USTAR_FORMAT)
    started = time.perf_counter()
    error = rejection(write_archive(tmp_path, raw))
    assert time.perf_counter() - started < 1  # the stock 3.11.7 parser needs ~9 s for the run of digits
    assert reason in error.message


def test_pax_header_right_before_the_end_marker(tmp_path: Path) -> None:
    raw = pax_block(b"16 comment=abcd\n") + bytes(1024)
    assert "right after an extended header" in rejection(write_archive(tmp_path, raw)).message


# Nothing is ever written outside the extraction folder


def hostile_archives(outside: Path) -> dict[str, list[Member]]:
    return {
        "dot-dot": [file_member("manifest.json"), file_member("../evil.txt", b"pwned")],
        "deep-dot-dot": [dir_member("a"), file_member("a/b/../../../evil.txt", b"pwned")],
        "absolute": [file_member(str(outside / "abs.txt"), b"pwned")],
        "symlink-then-file": [
            special_member("link", tarfile.SYMTYPE, str(outside)),
            file_member("link/pwned.txt", b"pwned"),
        ],
        "hard-link": [special_member("victim", tarfile.LNKTYPE, str(outside / "victim.txt"))],
        "dir-symlink-dot-dot": [special_member("up", tarfile.SYMTYPE, ".."), file_member("up/evil.txt")],
    }


@pytest.mark.parametrize("case", sorted(hostile_archives(Path("/")).keys()))
@pytest.mark.parametrize("kind", ["tar", "tar.gz"])
def test_hostile_archive_writes_nothing_outside(tmp_path: Path, case: str, kind: str) -> None:
    work, outside = tmp_path / "work", tmp_path / "outside"
    work.mkdir()
    outside.mkdir()
    (outside / "victim.txt").write_bytes(b"original")
    archive = write_archive(tmp_path, tar_bytes(hostile_archives(outside)[case]), kind)
    before = everything_under(tmp_path)
    rejection(archive, workdir=work)
    assert everything_under(tmp_path) == before
    assert list(work.iterdir()) == []
    assert (outside / "victim.txt").read_bytes() == b"original"


def test_successful_extraction_stays_in_the_work_folder(tmp_path: Path) -> None:
    work = tmp_path / "work"
    work.mkdir()
    archive = write_archive(tmp_path, tar_bytes(tree_members(TREE, "snap/")), "tar.zst")
    before = everything_under(tmp_path)
    with open_container(archive, workdir=work) as container:
        created = everything_under(tmp_path) - before
        assert created
        assert all(path.is_relative_to(work) for path in created)
        assert (work / container.root.relative_to(work).parts[0]).name.startswith("snapsite-")
    assert everything_under(tmp_path) == before


def test_failure_after_extracted_members_cleans_up(tmp_path: Path) -> None:
    work = tmp_path / "work"
    work.mkdir()
    members = [*tree_members(TREE), special_member("zz-link", tarfile.SYMTYPE, "manifest.json")]
    assert rejection(write_archive(tmp_path, tar_bytes(members), "tar.gz"), workdir=work).path == "zz-link"
    assert list(work.iterdir()) == []


# Hostile directories


def test_symlinks_inside_a_directory_snapshot(tmp_path: Path) -> None:
    snap = tmp_path / "snap"
    write_tree(snap, TREE)
    (snap / "evidence" / "passwd").symlink_to("/etc/passwd")
    error = rejection(snap)
    assert (error.path, error.message) == (
        "evidence/passwd",
        "symlink: only regular files and folders are allowed",
    )
    (snap / "evidence" / "passwd").unlink()
    (snap / "runbooks" / "up").symlink_to(tmp_path, target_is_directory=True)
    assert rejection(snap).path == "runbooks/up"


def test_fifo_inside_a_directory_snapshot(tmp_path: Path) -> None:
    snap = tmp_path / "snap"
    write_tree(snap, TREE)
    os.mkfifo(snap / "evidence" / "pipe")
    error = rejection(snap)
    assert (error.path, error.message) == (
        "evidence/pipe",
        "FIFO: only regular files and folders are allowed",
    )


def test_file_swapped_for_a_symlink_after_opening(tmp_path: Path) -> None:
    snap = tmp_path / "snap"
    write_tree(snap, TREE)
    with open_container(snap) as container:
        (snap / "runs.ndjson").unlink()
        (snap / "runs.ndjson").symlink_to("/etc/passwd")
        # Issue 11: the folder was staged when opened; a later swap cannot reach what is read or hashed.
        assert container.read_bytes("runs.ndjson") == TREE["runs.ndjson"]
        digest = container.digests(["runs.ndjson"])["runs.ndjson"]
        assert digest.sha256 == hashlib.sha256(TREE["runs.ndjson"]).hexdigest()


@pytest.mark.parametrize(
    ("names", "reason"),
    [
        (["A.json", "a.json"], "collides"),
        (["\u00e9.json", "e\u0301.json"], "collides"),
        (["evil\\name.json"], "backslash"),
    ],
)
def test_directory_names_follow_the_same_rules(tmp_path: Path, names: list[str], reason: str) -> None:
    snap = tmp_path / "snap"
    write_tree(snap, {"manifest.json": b"{}", **{name: b"x" for name in names}})
    error = rejection(snap)
    assert error.path in names
    assert reason in error.message


def test_directory_member_count_cap(tmp_path: Path) -> None:
    write_tree(tmp_path / "snap", TREE)
    assert "more than 4 members" in rejection(tmp_path / "snap", Limits(max_members=4)).message
    with open_container(tmp_path / "snap", Limits(max_members=7)) as container:  # 5 files and 2 folders
        assert len(container.files()) == 5


# Names and hashing


@pytest.mark.parametrize(
    "name",
    [
        "manifest.json",
        "evidence/run-1/bundle.tar.gz",
        "runbooks/ERR_RUN_005.md",
        "é/ü.json",
        "a..b",
        ".hidden",
    ],
)
def test_portable_names(name: str) -> None:
    assert check_member_name(name) is None


@pytest.mark.parametrize(
    "name",
    ["", "/a", "a/", "a//b", "..", "a/..", "./a", "a\\b", "a\x00b", "C:", "c:/x", "C:evil", "x" * 4097],
)
def test_non_portable_names(name: str) -> None:
    assert check_member_name(name) is not None


def test_collision_key() -> None:
    assert collision_key("Runs.NDJSON") == collision_key("runs.ndjson")
    assert collision_key("caf\u00e9") == collision_key("CAFE\u0301")
    assert collision_key("Stra\u00dfe") == collision_key("STRASSE")
    assert collision_key("a.json") != collision_key("b.json")


def test_hash_files_matches_hashlib(tmp_path: Path) -> None:
    contents = [b"", b"x", os.urandom(MiB), os.urandom(MiB + 1), os.urandom(3 * MiB + 7), b"tail"]
    paths = []
    for index, data in enumerate(contents):
        paths.append(tmp_path / f"f{index}")
        paths[-1].write_bytes(data)
    expected = [FileDigest(len(data), hashlib.sha256(data).hexdigest()) for data in contents]
    assert hash_files(paths) == expected
    assert hash_files(paths, workers=1) == expected
    assert hash_files(list(reversed(paths)), workers=3) == list(reversed(expected))
    assert hash_files([]) == []


def test_hash_files_refuses_missing_files_and_symlinks(tmp_path: Path) -> None:
    (tmp_path / "real").write_bytes(b"x")
    (tmp_path / "link").symlink_to(tmp_path / "real")
    with pytest.raises(FileNotFoundError):
        hash_files([tmp_path / "real", tmp_path / "missing"])
    with pytest.raises(OSError):
        hash_files([tmp_path / "link"])
