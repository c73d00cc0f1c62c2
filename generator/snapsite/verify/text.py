"""Human-readable text of a `VerificationReport`, for `snapsite verify` without `--json`."""

from __future__ import annotations

from collections import Counter

from snapsite.verify.steps import VerificationReport


def format_bytes(size: int) -> str:
    """`1.5 MiB`-style size, exact bytes below 1 KiB."""
    value = float(size)
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if value < 1024 or unit == "TiB":
            return f"{size} B" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    raise AssertionError("unreachable")


def summary_lines(report: VerificationReport) -> list[str]:
    """The summary of what was checked; the verdict is the last line."""
    lines = [f"snapshot   {report.source} ({report.kind})"]
    if report.snapshot_id:
        lines.append(f"id         {report.snapshot_id}, created {report.created_at}")
    for sig in report.signatures:
        state = "valid" if sig.valid else ("trusted key, BAD signature" if sig.trusted else "not trusted")
        lines.append(f"signature  {sig.algorithm or '?'} {sig.keyid or '(no keyid)'}: {state}")
    if report.signatures:
        lines.append(f"threshold  {len(report.trusted_keyids)} distinct trusted key(s), {report.threshold} required")
    if report.files_checked or report.file_failures:
        bad = len(report.file_failures)
        lines.append(
            f"files      {report.files_checked} checked, {format_bytes(report.bytes_checked)}, "
            + (f"{bad} failure(s)" if bad else "every size and sha256 matches")
        )
    if report.records:
        counts = ", ".join(f"{name} {count}" for name, count in sorted(report.records.items()))
        lines.append(f"records    {counts}")
    if report.evidence:
        statuses = Counter(e.status for e in report.evidence)
        text = ", ".join(f"{statuses[s]} {s}" for s in ("verified", "unsigned", "untrusted", "invalid"))
        bundles = Counter(e.bundle_status for e in report.evidence if e.bundle_status)
        if bundles:
            text += f"; bundles: {bundles['intact']} intact, {bundles['damaged']} damaged"
        lines.append(f"evidence   {len(report.evidence)} item(s): {text}")
    verdict = "VERIFIED" if report.verified else f"FAILED (exit {report.exit_code})"
    lines.append(f"verdict    {verdict}")
    return lines
