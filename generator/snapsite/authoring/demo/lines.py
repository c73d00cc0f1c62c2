"""The NDJSON lines of one run, written from templates: json.dumps of a dict per line would dominate the time."""

from __future__ import annotations

import json
from json.encoder import encode_basestring as _quote
from typing import Any

from snapsite.authoring.demo.chance import Dice
from snapsite.authoring.demo.model import Clock, Finding, Run, Segment
from snapsite.authoring.demo.vocabulary import CANONICAL_TRIGGER, DELTA_NAMES, TRIGGERS

_DELTAS_TEMPLATE = ',"deltas":{' + ",".join(f'"{name}":%d' for name in DELTA_NAMES) + "}"
_PENDING = {
    name: f'{{"name":"{name}","state":"pending","startedAt":null,"finishedAt":null}}'
    for name in ("queue", "execution", "post-processing")
}


# Compact JSON of one record, non-ASCII kept as is.
encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def pretty(value: Any) -> bytes:
    """Indented JSON and a final newline, for the few whole-file JSON documents."""
    return (json.dumps(value, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def error_json(error: tuple[str, str] | None) -> str:
    """An `error` object of a record: code and message, or `null`."""
    return "null" if error is None else f'{{"code":"{error[0]}","message":{_quote(error[1])}}}'


def finding_line(run: Run, finding: Finding) -> str:
    """The findings.ndjson line of one finding of `run`."""
    previous = "null" if finding.previous is None else f'"{finding.previous}"'
    return (
        f'{{"runId":"{run.id}","imageDigest":"{finding.image.digest}",'
        f'"repository":{_quote(finding.image.repository)},"vulnerabilityId":"{finding.vulnerability}",'
        f'"purl":"{finding.purl}","severity":"{finding.severity}","previousSeverity":{previous},'
        f'"change":"{finding.change}","kev":{"true" if finding.kev else "false"}}}\n'
    )


class RunLines:
    """Lines of runs.ndjson, segments.ndjson, logs.ndjson and events.ndjson for one run at a time.

    Some fields are random (whether a run has phases, log severities, hostile messages): they draw from `dice`.
    """

    def __init__(self, clock: Clock, dice: Dice) -> None:
        self.clock = clock
        self.dice = dice

    def _phases(self, run: Run) -> str:
        """The four phases; one a cancellation interrupted shows as completed, the ones after as pending."""
        j = self.clock.json

        def phase(name: str, state: str, start: int | None = None, end: int | None = None) -> str:
            return f'{{"name":"{name}","state":"{state}","startedAt":{j(start)},"finishedAt":{j(end)}}}'

        failed = run.error[2] if run.error else None
        queue, execution, post = _PENDING["queue"], _PENDING["execution"], _PENDING["post-processing"]
        if run.planner_end is None:
            planner = phase("planner", "running", run.created + 1)
        elif failed == "planner":
            planner = phase("planner", "error", run.created + 1, run.finished)
        else:
            planner = phase("planner", "completed", run.created + 1, run.planner_end)
            if run.started is None:
                state = "running" if run.state == "queued" else "completed"
                queue = phase("queue", state, run.planner_end, run.finished)
            else:
                queue = phase("queue", "completed", run.planner_end, run.started)
                if run.state == "running":
                    execution = phase("execution", "running", run.started)
                else:
                    execution = phase("execution", "error" if failed else "completed", run.started, run.exec_end)
                if run.state == "completed":
                    post = phase("post-processing", "completed", run.exec_end, run.finished)
        return f"[{planner},{queue},{execution},{post}]"

    def run_line(self, run: Run) -> str:
        """The runs.ndjson line of `run`."""
        j = self.clock.json
        schedule = "null" if run.schedule is None else f'"{run.schedule.id}"'
        policy = "null" if run.policy is None else f'"{run.policy}"'
        delta_count = 0
        optional = ""
        # Older Scheduler exports carry no phases: most runs have them, not all.
        if run.index < len(TRIGGERS) or self.dice.r() < 0.92:
            optional = ',"phases":' + self._phases(run)
        if run.deltas is not None:
            new, _, _, _, _, resolved, quieted, shifts, _ = run.deltas
            delta_count = new + resolved + quieted + shifts
            optional += _DELTAS_TEMPLATE % run.deltas
        error = None if run.error is None else run.error[:2]
        retry = "null" if run.retry_of is None else f'"{run.retry_of}"'
        badges = "" if not run.badges else ',"badges":["' + '","'.join(run.badges) + '"]'
        return (
            f'{{"id":"{run.id}","tenantId":"{run.tenant.id}","scheduleId":{schedule},"trigger":"{run.trigger}",'
            f'"mode":"{run.mode}","state":"{run.state}","initiator":{_quote(run.initiator)},'
            f'"policyRevision":{policy},"correlationId":"{run.correlation}","createdAt":{j(run.created)},'
            f'"startedAt":{j(run.started)},"finishedAt":{j(run.finished)},"stats":{{"candidates":{run.candidates},'
            f'"deduped":{run.deduped},"queued":{run.queued},"completed":{run.completed},"deltas":{delta_count}}}'
            f'{optional},"error":{error_json(error)},"retryOf":{retry},"shardCount":{run.shard_count}{badges}}}\n'
        )

    def segment_line(self, run: Run, segment: Segment) -> str:
        """The segments.ndjson line of one segment of `run`."""
        j = self.clock.json
        executor = "null" if segment.executor is None else f'"{segment.executor}"'
        return (
            f'{{"runId":"{run.id}","id":"{segment.id}","shard":{segment.shard},"state":"{segment.state}",'
            f'"targetCount":{segment.target},"processed":{segment.processed},"executor":{executor},'
            f'"retryCount":{segment.retries},"startedAt":{j(segment.started)},"finishedAt":{j(segment.finished)},'
            f'"cooldownUntil":{j(segment.cooldown)},"error":{error_json(segment.error)}}}\n'
        )

    def _log_line(self, run: Run, ts: int, severity: str, message: str, segment: str | None, fields: str) -> str:
        segment_json = "null" if segment is None else f'"{segment}"'
        return (
            f'{{"runId":"{run.id}","ts":{self.clock.json(ts)},"severity":"{severity}",'
            f'"message":{_quote(self.dice.spice(message, 0.02))},"correlationId":"{run.correlation}",'
            f'"segmentId":{segment_json},"fields":{fields}}}\n'
        )

    def log_lines(self, run: Run) -> list[str]:
        """The logs.ndjson lines of `run`: planner start and result, then how it ended."""
        fields = f'{{"shardCount":{run.shard_count},"mode":"{run.mode}"}}'
        trigger = CANONICAL_TRIGGER.get(run.trigger, run.trigger)
        lines = [self._log_line(run, run.created + 1, "info", f"planner started for {trigger} trigger", None, fields)]
        if run.queued and run.planner_end is not None:
            message = f"resolved {run.candidates} candidates, {run.deduped} after dedupe, {run.queued} queued"
            fields = f'{{"candidates":{run.candidates},"deduped":{run.deduped},"queued":{run.queued}}}'
            severity = "debug" if self.dice.r() < 0.3 else "info"
            lines.append(self._log_line(run, run.planner_end, severity, message, None, fields))
        if run.error is not None and run.finished is not None:
            failed = next((s for s in run.segments if s.error), None)
            fields = f'{{"code":"{run.error[0]}","attempt":{failed.retries if failed else 1}}}'
            severity = "error" if self.dice.r() < 0.8 else "critical"
            segment = failed.id if failed else None
            lines.append(self._log_line(run, run.finished, severity, run.error[1], segment, fields))
        elif run.state == "completed" and run.finished is not None:
            message = f"run completed: {run.completed}/{run.queued} targets"
            fields = f'{{"durationSeconds":{run.finished - run.created}}}'
            lines.append(self._log_line(run, run.finished, "info", message, None, fields))
        elif run.state == "cancelled" and run.finished is not None:
            lines.append(self._log_line(run, run.finished, "warning", "run cancelled by operator", None, "{}"))
        return lines

    def event_lines(self, run: Run) -> list[str]:
        """The events.ndjson lines of `run`: started, then completed, failed or cancelled."""
        j = self.clock.json
        head = f',"tenantId":"{run.tenant.id}","runId":"{run.id}","data":'
        lines = []
        if run.started is not None:
            trigger = CANONICAL_TRIGGER.get(run.trigger, run.trigger)
            data = f'{{"trigger":"{trigger}","shardCount":{run.shard_count}}}'
            lines.append(f'{{"ts":{j(run.started)},"type":"scheduler.run.started"{head}{data}}}\n')
        if run.finished is None:
            return lines
        if run.state == "completed":
            new = run.deltas[0] if run.deltas else 0
            data = f'{{"durationSeconds":{run.finished - run.created},"newFindings":{new}}}'
            lines.append(f'{{"ts":{j(run.finished)},"type":"scheduler.run.completed"{head}{data}}}\n')
        elif run.error is not None:
            data = error_json(run.error[:2])
            lines.append(f'{{"ts":{j(run.finished)},"type":"scheduler.run.failed"{head}{data}}}\n')
        else:
            lines.append(f'{{"ts":{j(run.finished)},"type":"scheduler.run.cancelled"{head}{{}}}}\n')
        return lines
