"""Every run's own files (page, findings CSV, evidence bundle, drawer data), made bucket by bucket.

The build spills each run's records to one of a fixed number of buckets (`snapsite.site.spill`); a bucket is rendered
on its own, in worker processes for large builds. The workers come from a 'forkserver': a build may run in a process
that holds threads (`snapsite serve --watch`), and a fork of it could inherit a lock held by another thread. Each
worker receives the shared `RunContext` once, pickled, and each job carries its own runs' rows and evidence. A bucket
whose inputs are unchanged since the previous build has its files taken from the previous output instead
(`snapsite.site.incremental`).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections import Counter, defaultdict
from collections.abc import Collection, Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field, is_dataclass, replace
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
from snapsite.site.views.changes import RunChangeView
from snapsite.site.views.context import SiteInfo
from snapsite.site.views.format import size
from snapsite.site.views.rows import RunRow, Scopes
from snapsite.site.views.runs import (
    RunPage,
    SiteBundle,
    bundle_file,
    findings_file,
    run_page,
    run_page_file,
)
from snapsite.snapshot.container import Container
from snapsite.snapshot.records import EvidenceItem, FindingDelta, LogEntry, Run, Segment
from snapsite.verify.evidence import EvidenceStatus

PARALLEL_FROM_RUNS = 4_000  # below this, forking workers costs more than it saves


@dataclass(frozen=True)
class RunContext:
    """What every run's files need besides the run's own records; pickled once into each worker, without the
    per-run `rows` and `evidence`, which travel with the jobs of their buckets."""

    renderer: Renderer
    theme_key: str  # the digest of the theme folders' files
    site: SiteInfo
    scopes: Scopes
    tenant_names: dict[str, str]
    schedule_names: dict[str, str]
    run_ids: frozenset[str]
    run_slugs: Mapping[str, str]  # every run of the build: its `<shard>/<name>`
    evidence: dict[str, list[tuple[EvidenceItem, EvidenceStatus]]]
    output_root: Path
    now: datetime
    container: Container
    bundles: bool  # write bundles/<shard>/<name>.tgz for runs with evidence
    previous: PreviousOutput | None
    changes: Mapping[str, RunChangeView] = field(default_factory=dict)  # `--since`: what changed, by run id

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
    """One bucket: its spill file, the files it makes, whether the previous build made them from the same inputs,
    and its runs' rows and evidence (so that a worker receives only its share of them)."""

    number: int
    spill: Path
    files: tuple[str, ...]
    unchanged: bool
    rows: dict[str, RunRow]
    evidence: dict[str, list[tuple[EvidenceItem, EvidenceStatus]]]


class RunFile(NamedTuple):
    """A file written for a run: its site path, digest and size, and whether it was taken from the previous output."""

    path: str
    sha256: str
    size: int
    reused: bool


def detail_file(bucket: int) -> str:
    """The classic script holding the run-page data of every run of one bucket (the browser's drawer)."""
    return f"data/detail-{bucket:04d}.js"


def drawer_data(page: RunPage) -> dict[str, Any]:
    """What the drawer needs of a run page beyond the runs table's own row, without empty fields.

    The row is left out (the index's data files already hold it, and the drawer reads it from there), and so is
    every None, False and empty list, which the drawer reads as absent: about a third of the bytes of the full
    view, on a per-shard file that every run's drawer loads.
    """
    fields = _compact(page)
    assert isinstance(fields, dict)
    del fields["row"]
    return fields


def _compact(value: Any) -> Any:
    if is_dataclass(value) and not isinstance(value, type):
        value = vars(value)
    if isinstance(value, dict):
        return {k: _compact(v) for k, v in value.items() if v is not None and v is not False and v != ()}
    if isinstance(value, tuple | list):
        return [_compact(v) for v in value]
    return value


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
        names.append(run_page_file(row.slug))
        if context.bundles and row.id in context.evidence:
            names.append(bundle_file(row.slug))
        if findings_per_run[row.id]:
            names.append(findings_file(row.slug))
    shared = context.key(spill.buckets)
    by_id = {row.id: row for row in rows}
    state = RenderState({n: _bucket_key(shared, spill.digest(n), members[n], context, by_id) for n in files})
    previous = context.previous
    jobs = [
        BucketJob(
            n,
            spill.path(n),
            (*names, detail_file(n)),
            previous is not None and previous.unchanged(n, state.buckets[n]),
            _rows_of(members[n], by_id),
            {row.id: context.evidence[row.id] for row in members[n] if row.id in context.evidence},
        )
        for n, names in sorted(files.items())
    ]
    return jobs, state


def _rows_of(members: Sequence[RunRow], by_id: Mapping[str, RunRow]) -> dict[str, RunRow]:
    """A bucket's rows, and the rows its pages link to: the retry that resolved a run and the retries of it."""
    rows = {row.id: row for row in members}
    for row in members:
        for linked in (row.resolved_by, *row.retried_by):
            if linked and linked in by_id:
                rows.setdefault(linked, by_id[linked])
    return rows


def _bucket_key(
    shared: str, records: str, rows: Collection[RunRow], context: RunContext, rows_by_id: Mapping[str, RunRow]
) -> str:
    """The digest of a bucket's inputs: the shared context, its records, its runs' evidence and retry links, and
    their changes since OLD (`--since`).

    Retry links span buckets (a retry in another bucket resolves a failure here), so each run's resolved-by and
    retries, with the states its page shows, are part of its bucket's key.
    """
    runs = [
        (
            row.id,
            row.retry_of in context.run_ids if row.retry_of else None,
            row.resolved_by,
            [(rid, rows_by_id[rid].state) for rid in row.retried_by],
            context.evidence.get(row.id, []),
        )
        + ((context.changes[row.id],) if row.id in context.changes else ())
        for row in sorted(rows, key=lambda row: row.id)
    ]
    return context_key(shared=shared, records=records, runs=runs)


_CONTEXT: RunContext | None = None


def _set_context(context: RunContext | None) -> None:
    """Make `context` the one `_bucket_files` uses (in this process, or as a worker's initializer)."""
    global _CONTEXT
    _CONTEXT = context


@contextmanager
def rendering_runs(
    context: RunContext,
    jobs: Sequence[BucketJob],
    runs: int,
    progress: Progress | None,
    parallel_from: int = PARALLEL_FROM_RUNS,
) -> Iterator[Iterator[RunFile]]:
    """Render (or take unchanged) every bucket's files; yields an iterator of the files as they are written.

    Builds of `parallel_from` runs or more render in worker processes; on an error or interrupt, buckets not yet
    started are cancelled instead of rendered.
    """
    workers = render_workers(runs, parallel_from)
    if not workers:
        _set_context(context)
        try:
            yield _counted(map(_bucket_files, jobs), runs, progress)
        finally:
            _set_context(None)
        return
    shared = replace(context, evidence={})  # each job carries its own runs' share
    mp_context = get_context("forkserver")
    mp_context.set_forkserver_preload([__name__])
    with ProcessPoolExecutor(workers, mp_context, initializer=_set_context, initargs=(shared,)) as pool:
        try:
            yield _counted(pool.map(_bucket_files, jobs, chunksize=4), runs, progress)
        except BaseException:
            pool.shutdown(wait=True, cancel_futures=True)
            raise


def render_workers(runs: int, parallel_from: int = PARALLEL_FROM_RUNS) -> int:
    """How many worker processes render `runs` runs: none below `parallel_from` or on one core."""
    cores = os.cpu_count() or 1
    return 0 if runs < parallel_from or cores < 2 else min(4, cores)


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
        row = job.rows[run_id]
        evidence = job.evidence.get(run_id, [])
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
            run_slugs=context.run_slugs,
            segments=segments.get(run_id, []),
            findings=findings.get(run_id, []),
            logs=logs.get(run_id, []),
            evidence=evidence,
            now=now,
            scopes=context.scopes,
            rows=job.rows,
            bundle=bundle,
        )
        html = context.renderer.render(
            "run.html",
            root="../../",
            site=context.site,
            page_title=f"Run {run.id}",
            active_nav="",
            page=view,
            change=context.changes.get(run_id),
        )
        details[run_id] = drawer_data(view)
        _write(context.output_root, run_page_file(row.slug), html.encode("utf-8"), written)
        if run_id in findings:
            csv = findings_csv(findings[run_id])
            _write(context.output_root, findings_file(row.slug), csv, written)
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
