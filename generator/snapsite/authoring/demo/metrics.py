"""The metrics of the last 24 h: counters folded in run by run, written as samples every 15 minutes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TextIO

from snapsite.authoring.demo.chance import Dice
from snapsite.authoring.demo.lines import encode
from snapsite.authoring.demo.model import Clock, Run, Tenant
from snapsite.authoring.demo.vocabulary import CANONICAL_TRIGGER, SAMPLE_SECONDS, SAMPLES


@dataclass
class Metrics:
    """Per-tenant counters bucketed by metric sample (bucket 0: before the last 24 h)."""

    first_sample: int
    active: list[list[int]]
    errors: dict[tuple[int, str], list[int]] = field(default_factory=dict)
    durations: dict[tuple[int, str], list[tuple[int, int]]] = field(default_factory=dict)

    @classmethod
    def start(cls, created: int, tenant_count: int) -> Metrics:
        """Empty counters for the 24 h up to `created`."""
        first_sample = created - created % SAMPLE_SECONDS - (SAMPLES - 1) * SAMPLE_SECONDS
        return cls(first_sample, [[0] * (SAMPLES + 2) for _ in range(tenant_count)])

    def bucket(self, seconds: int) -> int:
        """1 + index of the first sample at or after `seconds`; 0 before the window."""
        return max(0, -(-(seconds - self.first_sample) // SAMPLE_SECONDS) + 1)

    def track(self, run: Run, now: int) -> None:
        """Fold the run into the metric counters of the last 24 h."""
        if run.started is not None:
            end = run.finished if run.finished is not None else now + 1
            active = self.active[run.tenant.index]
            for bucket in range(self.bucket(run.started), min(self.bucket(end), SAMPLES + 1)):
                active[bucket] += 1
        if run.finished is None:
            return
        bucket = min(self.bucket(run.finished), SAMPLES + 1)
        if run.error is not None:
            errors = self.errors.setdefault((run.tenant.index, run.error[0]), [0] * (SAMPLES + 2))
            errors[bucket] += 1
        elif run.state == "completed":
            trigger = CANONICAL_TRIGGER.get(run.trigger, run.trigger)
            series = self.durations.setdefault((run.tenant.index, trigger), [(0, 0)] * (SAMPLES + 2))
            count, total = series[bucket]
            series[bucket] = (count + 1, total + run.finished - run.created)

    def write(self, stream: TextIO, tenants: Sequence[Tenant], clock: Clock, dice: Dice) -> int:
        """Every metric the site knows, sampled every 15 minutes over the last 24 h, and one it does not.

        Returns the number of lines written.
        """
        r = dice.r

        def series(name: str, labels: dict[str, str]) -> str:
            # Everything of a line after its timestamp but the value, encoded once per series.
            return f',"name":"{name}","labels":{encode(labels)},"value":'

        depth = [
            (
                series("scheduler_queue_depth", {"tenantId": t.id, "scheduleId": s.id, "stage": stage}),
                dice.between(0, 40),
            )
            for t in tenants
            for s in t.schedules
            for stage in ("planner", "executor")
        ]
        per_tenant = [
            (
                tenant.index,
                series("scheduler_runs_active", {"tenantId": tenant.id}),
                series("scheduler_determinism_score", {"tenantId": tenant.id}),
                # A metric the site does not know: listed, not charted.
                series("scheduler_cache_hit_ratio", {"tenantId": tenant.id, "cache": "impact-index"}),
            )
            for tenant in tenants
        ]
        errors = [
            (series("scheduler_runs_error_total", {"tenantId": tenants[t].id, "code": code}), counters)
            for (t, code), counters in sorted(self.errors.items())
        ]
        error_totals = [counters[0] for _, counters in errors]
        durations = [
            (
                series("scheduler_runs_duration_seconds", {"tenantId": tenants[t].id, "trigger": trigger}),
                values,
            )
            for (t, trigger), values in sorted(self.durations.items())
        ]
        lines = 0
        write = stream.write
        for bucket in range(1, SAMPLES + 1):
            head = '{"ts":' + clock.json(self.first_sample + (bucket - 1) * SAMPLE_SECONDS)
            chunk = []
            for position, (rest, value) in enumerate(depth):
                value = max(0, value + dice.between(-12, 12) + (60 if r() < 0.02 else 0))
                depth[position] = (rest, value)
                chunk.append(f"{head}{rest}{value}}}\n")
            for tenant_index, active, determinism, ratio in per_tenant:
                score = 0.97 + 0.03 * r() if r() > 0.03 else 0.8 + 0.1 * r()
                chunk.append(f"{head}{active}{self.active[tenant_index][bucket]}}}\n")
                chunk.append(f"{head}{determinism}{round(score, 4)!r}}}\n")
                chunk.append(f"{head}{ratio}{round(0.6 + 0.4 * r(), 3)!r}}}\n")
            for position, (rest, counters) in enumerate(errors):
                error_totals[position] += counters[bucket]
                chunk.append(f"{head}{rest}{error_totals[position]}}}\n")
            for rest, values in durations:
                count, total = values[bucket]
                if count:
                    chunk.append(f"{head}{rest}{round(total / count, 1)!r}}}\n")
            write("".join(chunk))
            lines += len(chunk)
        return lines
