"""Every run's own files (page, findings CSV, evidence bundle, drawer data), made bucket by bucket.

The build spills each run's records to one of a fixed number of buckets (`snapsite.site.spill`); a bucket is rendered
on its own, in forked worker processes for large builds. A bucket whose inputs are unchanged since the previous
build has its files taken from the previous output instead (`snapsite.site.incremental`).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections import Counter, defaultdict
from collections.abc import Collection, Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from multiprocessing import get_context
from pathlib import Path
from typing import Any, NamedTuple

from snapsite import __version__
from snapsite.audit.bundle import RunBundleData, bundle_bytes
from snapsite.formats.downloads import findings_csv
from snapsite.progress import Progress
from snapsite.site.collect import KIND_FINDING, KIND_LOG, KIND_RUN, KIND_SEGMENT
from snapsite.site.incremental import PreviousOutput, RenderState, context_key, generator_digest
from snapsite.site.render import Renderer, json_for_script
from snapsite.site.spill import Spill, bucket_of, read_bucket
from snapsite.site.views.context import SiteInfo
from snapsite.site.views.format import size
from snapsite.site.views.runs import RunRow, Scopes, SiteBundle, run_page
from snapsite.snapshot.container import Container
from snapsite.snapshot.records import EvidenceItem, FindingDelta, LogEntry, Run, Segment
from snapsite.verify.evidence import EvidenceStatus

PARALLEL_FROM_RUNS = 4_000  # below this, forking workers costs more than it saves


@dataclass(frozen=True)
class RunContext:
    """What every run's files need besides the run's own records; inherited by forked workers, never pickled."""

    renderer: Renderer
    theme_key: str  # the digest of the theme folders' files
    site: SiteInfo
    scopes: Scopes
    tenant_names: dict[str, str]
    schedule_names: dict[str, str]
    run_ids: frozenset[str]
    evidence: dict[str, list[tuple[EvidenceItem, EvidenceStatus]]]
    output_root: Path
    now: datetime
    container: Container
    bundles: bool  # write bundles/<slug>.tar.gz for runs with evidence
    previous: PreviousOutput | None
    rows: Mapping[str, RunRow]  # the collector's row of every run, by id: made once, not again per page

    def key(self, buckets: int) -> str:
        """The digest of everything here that shapes a run's files (the folders and the container aside)."""
        return context_key(
            generator=generator_digest(),
            theme=self.theme_key,
            site=self.site,
            scopes=self.scopes,
            tenant_names=self.tenant_names,
            schedule_names=self.schedule_names,
            now=self.now,
            bundles=self.bundles,
            buckets=buckets,
        )


@dataclass(frozen=True)
class BucketJob:
    """One bucket: its spill file, the files it makes, and whether the previous build made them from the same inputs."""

    number: int
    spill: Path
    files: tuple[str, ...]
    unchanged: bool


class RunFile(NamedTuple):
    """A file written for a run: its site path, digest and size, and whether it was taken from the previous output."""

    path: str
    sha256: str
    size: int
    reused: bool


def detail_file(bucket: int) -> str:
    """The classic script holding the run-page data of every run of one bucket (the browser's drawer)."""
    return f"data/detail-{bucket:04d}.js"


def bundle_file(slug: str) -> str:
    """Where a run's evidence bundle goes in the site."""
    return f"bundles/{slug}.tar.gz"


def plan_buckets(
    context: RunContext, rows: Sequence[RunRow], spill: Spill, findings_per_run: Counter[str]
) -> tuple[list[BucketJob], RenderState]:
    """Group the runs by bucket: the files of each, its key, and whether the previous build had the same key."""
    files: dict[int, list[str]] = defaultdict(list)
    members: dict[int, list[RunRow]] = defaultdict(list)
    for row in rows:
        number = bucket_of(row.id, spill.buckets)
        members[number].append(row)
        names = files[number]
        names.append(f"runs/{row.slug}.html")
        if context.bundles and row.id in context.evidence:
            names.append(bundle_file(row.slug))
        if findings_per_run[row.id]:
            names.append(f"downloads/findings/{row.slug}.csv")
    shared = context.key(spill.buckets)
    state = RenderState({n: _bucket_key(shared, spill.digest(n), members[n], context) for n in files})
    previous = context.previous
    jobs = [
        BucketJob(
            n,
            spill.path(n),
            (*names, detail_file(n)),
            previous is not None and previous.unchanged(n, state.buckets[n]),
        )
        for n, names in sorted(files.items())
    ]
    return jobs, state


def _bucket_key(shared: str, records: str, rows: Collection[RunRow], context: RunContext) -> str:
    """The digest of a bucket's inputs: the shared context, its records, and its runs' evidence and retry links."""
    runs = [
        (row.id, row.retry_of in context.run_ids if row.retry_of else None, context.evidence.get(row.id, []))
        for row in sorted(rows, key=lambda row: row.id)
    ]
    return context_key(shared=shared, records=records, runs=runs)


_CONTEXT: RunContext | None = None


@contextmanager
def _shared(context: RunContext) -> Iterator[None]:
    """Make `context` the one forked workers inherit."""
    global _CONTEXT
    _CONTEXT = context
    try:
        yield
    finally:
        _CONTEXT = None


@contextmanager
def rendering_runs(
    context: RunContext, jobs: Sequence[BucketJob], runs: int, progress: Progress | None
) -> Iterator[Iterator[RunFile]]:
    """Render (or take unchanged) every bucket's files; yields an iterator of the files as they are written.

    Large builds render in forked worker processes; on an error or interrupt, buckets not yet started are
    cancelled instead of rendered.
    """
    with _shared(context):
        if runs < PARALLEL_FROM_RUNS or (os.cpu_count() or 1) < 2:
            yield _counted(map(_bucket_files, jobs), runs, progress)
            return
        with ProcessPoolExecutor(max_workers=min(4, os.cpu_count() or 2), mp_context=get_context("fork")) as pool:
            try:
                yield _counted(pool.map(_bucket_files, jobs, chunksize=4), runs, progress)
            except BaseException:
                pool.shutdown(wait=True, cancel_futures=True)
                raise


def _counted(buckets: Iterator[list[RunFile]], runs: int, progress: Progress | None) -> Iterator[RunFile]:
    done = 0
    for written in buckets:
        done += sum(1 for file in written if file.path.startswith("runs/"))
        if progress is not None:
            progress("rendering runs", done, runs)
        yield from written


def _bucket_files(job: BucketJob) -> list[RunFile]:
    """The files of one bucket, taken from the previous output when unchanged, else rendered."""
    context = _CONTEXT
    assert context is not None
    if job.unchanged and context.previous is not None:
        taken = _take_bucket(context.previous, context.output_root, job.files)
        if taken is not None:
            return taken
    return _render_bucket(context, job)


def _take_bucket(previous: PreviousOutput, root: Path, files: Sequence[str]) -> list[RunFile] | None:
    """Every file of a bucket from the previous output, or None (and none of them) if any cannot be reused."""
    taken: list[RunFile] = []
    for name in files:
        found = previous.take(name, root / name)
        if found is None:
            for file in taken:
                (root / file.path).unlink()
            return None
        taken.append(RunFile(name, *found, reused=True))
    return taken


def _render_bucket(context: RunContext, job: BucketJob) -> list[RunFile]:
    """Render the run pages, findings CSVs, bundles and drawer data of one bucket."""
    runs: dict[str, tuple[Run, bytes]] = {}
    segments: dict[str, list[Segment]] = defaultdict(list)
    findings: dict[str, list[FindingDelta]] = defaultdict(list)
    logs: dict[str, list[LogEntry]] = defaultdict(list)
    for kind, _line, raw in read_bucket(job.spill):
        if kind == KIND_RUN:
            run = Run.model_validate_json(raw)
            runs[run.id] = (run, raw)
        elif kind == KIND_SEGMENT:
            segment = Segment.model_validate_json(raw)
            segments[segment.run_id].append(segment)
        elif kind == KIND_FINDING:
            finding = FindingDelta.model_validate_json(raw)
            findings[finding.run_id].append(finding)
        elif kind == KIND_LOG:
            entry = LogEntry.model_validate_json(raw)
            logs[entry.run_id].append(entry)
    written: list[RunFile] = []
    details: dict[str, Any] = {}
    now = context.now
    for run_id in sorted(runs):
        run, raw_run = runs[run_id]
        row = context.rows[run_id]
        evidence = context.evidence.get(run_id, [])
        bundle = None
        if context.bundles and evidence:
            data = RunBundleData(
                run, _bundle_record(run, row, raw_run), findings.get(run_id, []), [item for item, _ in evidence]
            )
            content = bundle_bytes(context.container, data, context.site.snapshot_id, now, __version__)
            file = _write(context.output_root, bundle_file(row.slug), content, written)
            bundle = SiteBundle(file.path, file.size, size(file.size), file.sha256)
        view = run_page(
            run,
            row,
            tenant_name=context.tenant_names.get(run.tenant_id, run.tenant_id),
            run_ids=context.run_ids,
            segments=segments.get(run_id, []),
            findings=findings.get(run_id, []),
            logs=logs.get(run_id, []),
            evidence=evidence,
            now=now,
            scopes=context.scopes,
            bundle=bundle,
        )
        html = context.renderer.render(
            "run.html", root="../", site=context.site, page_title=f"Run {run.id}", active_nav="", page=view
        )
        details[run_id] = view
        _write(context.output_root, f"runs/{row.slug}.html", html.encode("utf-8"), written)
        if run_id in findings:
            csv = findings_csv(findings[run_id])
            _write(context.output_root, f"downloads/findings/{row.slug}.csv", csv, written)
    script = f"Object.assign(window.snapsiteDetail=window.snapsiteDetail||{{}},{json_for_script(details)});\n"
    _write(context.output_root, detail_file(job.number), script.encode("utf-8"), written)
    return written


def _bundle_record(run: Run, row: RunRow, raw: bytes) -> bytes:
    """The run's record for its bundle: byte for byte, unless the build hides its `retryOf` (another tenant's
    run in a --tenant build), which the bundle's run.json then holds as null."""
    if row.retry_of == run.retry_of:
        return raw
    record = json.loads(raw)
    record["retryOf"] = None
    return json.dumps(record, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _write(root: Path, relative: str, data: bytes, written: list[RunFile]) -> RunFile:
    """Write a file claimed (and its folder made) by the parent's SiteWriter from a worker, noting its digest."""
    # Raw os calls: file creation dominates here, and io.open adds system calls per file.
    fd = os.open(root / relative, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
    finally:
        os.close(fd)
    file = RunFile(relative, hashlib.sha256(data).hexdigest(), len(data), reused=False)
    written.append(file)
    return file
