"""The runs table's data: every run row as classic script files (`data/runs-NNNN.js`) and `data/meta.js`.

`file://` forbids fetch, so the browser loads the rows as scripts assigning into the page; a row is an array in
the order of `meta.fields`, which is RunRow's own field order (views/runs.data_fields).
"""

from __future__ import annotations

from collections.abc import Sequence

from snapsite.site.output import SiteWriter
from snapsite.site.render import json_for_script
from snapsite.site.spill import bucket_of
from snapsite.site.views.context import SiteInfo
from snapsite.site.views.format import iso
from snapsite.site.views.rows import RunRow, data_fields
from snapsite.site.views.schedules import ScheduleRow

ROWS_PER_DATA_FILE = 10_000
RUN_FIELDS = data_fields()


def write_run_data(
    writer: SiteWriter, ordered: Sequence[RunRow], buckets: int, schedules: Sequence[ScheduleRow], site: SiteInfo
) -> tuple[str, ...]:
    """Every run row as classic script files (`file://` forbids fetch): arrays in `meta.fields` order.

    The last field of a row is the number of its drawer data file (`data/detail-NNNN.js`).
    """
    names = []
    for start in range(0, len(ordered), ROWS_PER_DATA_FILE):
        name = runs_data_file(start // ROWS_PER_DATA_FILE + 1)
        chunk = [
            [*(getattr(row, f) for f in RUN_FIELDS), bucket_of(row.id, buckets)]
            for row in ordered[start : start + ROWS_PER_DATA_FILE]
        ]
        writer.write_text(name, f"(window.snapsiteRuns=window.snapsiteRuns||[]).push({json_for_script(chunk)});\n")
        names.append(name)
    meta = {
        "fields": [*(_camel(f) for f in RUN_FIELDS), "detailFile"],
        "files": names,
        "runs": len(ordered),
        "snapshotId": site.snapshot_id,
        "createdAt": site.created_at,
        "stalenessWindowHours": site.staleness.window_hours,
        "scopes": list(site.scopes),
        "tenants": [[t.id, t.name] for t in site.tenants],
        "schedules": [
            {
                "id": r.id,
                "name": r.name,
                "tenantId": r.tenant_id,
                "status": r.status,
                "cron": r.cron,
                "timezone": r.timezone,
                "nextRun": r.next_run_iso,
                "earliestAfterResume": iso(r.earliest_after_resume),
                "problem": r.problem,
            }
            for r in schedules
        ],
    }
    writer.write_text("data/meta.js", f"window.snapsiteMeta={json_for_script(meta)};\n")
    return ("data/meta.js", *names)


def runs_data_file(number: int) -> str:
    """The classic script holding the `number`th (from 1) ROWS_PER_DATA_FILE rows of the runs table."""
    return f"data/runs-{number:04d}.js"


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)
