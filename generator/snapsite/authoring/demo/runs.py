"""One run at a time: its tenant, timeline, origin, segments, deltas, findings and badges."""

from __future__ import annotations

import bisect
from collections.abc import Sequence

from snapsite.authoring.demo.chance import Dice, Picker, cumulative
from snapsite.authoring.demo.model import Clock, Failed, Finding, Run, Segment, Tenant
from snapsite.authoring.demo.vocabulary import (
    CHANGES,
    EXECUTORS,
    NONCE_MULTIPLIER,
    PACKAGES,
    RUN_ERRORS,
    SEGMENT_IDS,
    SEVERITIES,
    SYSTEM_INITIATORS,
    TRIGGER_WEIGHTS,
    TRIGGERS,
    USERS,
)


class RunMaker:
    """Makes runs in createdAt order, keeping only what later runs point at (failed runs to retry)."""

    def __init__(self, dice: Dice, clock: Clock, created: int, tenants: Sequence[Tenant], nonce_offset: int) -> None:
        self.dice = dice
        self.r = dice.r
        self.clock = clock
        self.created = created
        self.tenants = tenants
        self.tenant_cumulative = cumulative([t.weight for t in tenants])
        self.nonce_offset = nonce_offset
        self.triggers = Picker(TRIGGERS, TRIGGER_WEIGHTS)
        self.run_errors = Picker(RUN_ERRORS, [e[3] for e in RUN_ERRORS])
        self.severities = Picker(SEVERITIES, (2, 4, 4, 3, 1, 1))
        self.retries = 0
        self.first_deltas = True

    def _pick_tenant(self) -> Tenant:
        position = bisect.bisect_right(self.tenant_cumulative, self.r() * self.tenant_cumulative[-1])
        return self.tenants[min(position, len(self.tenants) - 1)]

    def make(self, index: int, when: int, state: str) -> Run:
        """The run at `index`, created around `when` and in `state`; updates what later runs point at."""
        tenant = self._pick_tenant()
        run = Run(index, tenant, state, when, self.dice.between(1, 8))
        self._timeline(run)
        self._origin(run)
        stamp = self.clock.compact(run.created)
        nonce = f"{(index * NONCE_MULTIPLIER + self.nonce_offset) & 0xFFFFFF:06x}"
        run.id, run.slug = f"run:{tenant.id}:{stamp}:{nonce}", f"{stamp}-{nonce}"
        bits = self.dice.rng.getrandbits(128)
        run.correlation = (
            f"{bits >> 96:08x}-{(bits >> 80) & 0xFFFF:04x}-{(bits >> 64) & 0xFFFF:04x}-"
            f"{(bits >> 48) & 0xFFFF:04x}-{bits & 0xFFFFFFFFFFFF:012x}"
        )
        self._plan_segments(run)
        self._deltas_and_findings(run)
        self._badges(run)
        if run.schedule is not None:
            run.schedule.last_run_id = run.id
        if run.state in ("error", "cancelled") and run.finished is not None:
            tenant.failed.append((run.id, run.finished, run.trigger, run.schedule, run.mode, run.policy))
        return run

    def _timeline(self, run: Run) -> None:
        """Times of the run's phases and its planner stats, consistent with its state and createdAt."""
        r = self.r
        now = self.created
        if run.state == "error":
            code, message, phase, _ = self.run_errors.pick(r())
            run.error = (code, self.dice.spice(message, 0.1), phase)
        run.candidates = int(10 * 2 ** (r() * 9))
        run.deduped = run.candidates - int(run.candidates * r() * 0.4)
        run.queued = run.deduped - int(run.deduped * r() * 0.2)
        planner = 2 + int(r() * 89)
        wait = 1 + int(r() * 600)
        execution = max(20, min(5400, int(run.queued * (0.5 + 2.5 * r()) / (run.shard_count * 4))))
        post = 3 + int(r() * 118)
        if run.state == "planning":
            run.created = now - self.dice.between(10, 100)
            run.candidates = run.deduped = run.queued = 0
            return
        if run.state == "queued":
            run.created = now - self.dice.between(120, 1200)
            run.planner_end = min(run.created + planner, now - 60)
            return
        if run.state == "running":
            run.created = min(run.created, now - 600)
            run.planner_end = run.created + min(planner, 60)
            run.started = run.planner_end + min(wait, 120)
            run.exec_end = max(run.started + execution, now + self.dice.between(60, 1800))
            return
        # Terminal: all of it happened before the snapshot was taken.
        run.created = min(run.created, now - (planner + wait + execution + post) - self.dice.between(5, 60))
        run.planner_end = run.created + planner
        if run.error is not None and run.error[2] == "planner":
            run.candidates = run.deduped = run.queued = 0
            run.finished = run.planner_end
            return
        if run.state == "cancelled" and r() < 0.3:
            run.finished = run.planner_end + self.dice.between(1, wait)  # cancelled while queued
            return
        run.started = run.planner_end + wait
        run.exec_end = run.started + execution
        if run.state == "completed":
            run.finished = run.exec_end + post
        else:
            # An error or a cancellation partway through the execution.
            run.exec_end = run.started + max(1, int(execution * (0.1 + 0.8 * r())))
            run.finished = run.exec_end + self.dice.between(1, 10)

    def _origin(self, run: Run) -> None:
        """Trigger, schedule, mode, policy and initiator: a retry inherits them from the run it retries."""
        r = self.r
        run.trigger = self.triggers.pick(r())
        # No retry among the first runs: they show each trigger spelling once.
        retry = self._retry_candidate(run.tenant, run.created) if run.index >= len(TRIGGERS) else None
        if retry is not None:
            run.retry_of, _, run.trigger, run.schedule, run.mode, run.policy = retry
            run.initiator = self.dice.one(USERS)
            return
        if run.trigger == "cron":
            active = [s for s in run.tenant.schedules if s.active_at(run.created)]
            run.schedule = self.dice.one(active) if active else None
        scheduled_refresh = run.schedule is not None and run.schedule.mode == "content-refresh"
        # Some feed-triggered runs refresh content rather than only re-analysing.
        feed_refresh = run.trigger in ("feedser", "concelier") and r() < 0.3
        if run.trigger == "content-refresh" or scheduled_refresh or feed_refresh:
            run.mode = "content-refresh"
        run.policy = f"P-{self.dice.between(1, 9)}@{self.dice.between(1, 40)}" if r() < 0.8 else None
        initiator = SYSTEM_INITIATORS.get(run.trigger) or self.dice.one(USERS)
        run.initiator = self.dice.spice(initiator, 0.01)

    def _retry_candidate(self, tenant: Tenant, when: int) -> Failed | None:
        """A failed run of the tenant that finished before `when`, taken so it is retried once."""
        if not tenant.failed or (self.retries and self.r() >= 0.07):
            return None
        for position, candidate in enumerate(tenant.failed):
            if candidate[1] < when:
                del tenant.failed[position]
                self.retries += 1
                return candidate
        return None

    def _plan_segments(self, run: Run) -> None:
        """Segments splitting the queued targets; the run's completed count is what they processed."""
        if run.queued == 0:
            return
        r = self.r
        queued = run.queued
        count = min(1 + int(r() * 5), queued)
        bounds = [0, *sorted(int(r() * (queued + 1)) for _ in range(count - 1)), queued]
        # How far the run got: segments before `done` completed, segment `done` was in flight.
        if run.state == "completed":
            done = count
        elif run.state == "queued" or run.started is None or run.exec_end is None:
            done = -1
        else:
            done = self.dice.between(0, count - 1)
        # A running run's segments can only have finished before the snapshot was taken.
        end = min(run.exec_end or 0, self.created)
        span = max(1, end - (run.started or 0))
        started = run.started or 0
        stopped = "cancelled" if run.state in ("error", "cancelled") else "queued"
        segments = run.segments
        completed = 0
        for position in range(count):
            target = bounds[position + 1] - bounds[position]
            if position > done:
                segments.append(Segment(SEGMENT_IDS[position], position % run.shard_count, target, stopped))
                continue
            start = started + int(span * 0.2 * r())
            finish = min(end, start + max(1, int(span * (0.3 + 0.7 * r()))))
            executor = EXECUTORS[int(r() * len(EXECUTORS))]
            segment = Segment(
                SEGMENT_IDS[position],
                position % run.shard_count,
                target,
                "completed",
                target,
                executor,
                0,
                start,
                finish,
            )
            if position == done:
                self._active_segment(run, segment)
            segments.append(segment)
            completed += segment.processed
        run.completed = completed

    def _active_segment(self, run: Run, segment: Segment) -> None:
        """The segment in flight when the run stopped, or still."""
        segment.processed = int(segment.target * self.r() * 0.9)
        if run.state == "running":
            segment.state, segment.finished = "running", None
        elif run.state == "cancelled":
            segment.state = "cancelled"
        else:
            assert run.error is not None and segment.finished is not None
            segment.state = "error"
            segment.retries = self.dice.between(1, 3)
            segment.error = (run.error[0], run.error[1])
            # Some failed segments are cooling down before their next retry (some past createdAt).
            if self.r() < 0.6:
                segment.cooldown = segment.finished + self.dice.between(300, 1800)

    def _deltas_and_findings(self, run: Run) -> None:
        if run.completed == 0:
            return
        r = self.r
        share = run.completed / run.queued
        critical, high = int(r() ** 3 * 4 * share), int(r() ** 2 * 12 * share)
        medium, low = int(r() * 25 * share), int(r() * 40 * share)
        resolved, quieted = int(r() ** 2 * 30 * share), int(r() ** 2 * 10 * share)
        shifts = int(r() ** 2 * 8 * share)
        kev = min(critical + high, int(r() ** 4 * 3))
        first = self.first_deltas
        if first:
            # The first run with deltas has one of everything, so a small demo shows every kind of change.
            self.first_deltas = False
            critical, resolved, quieted, shifts, kev = (max(1, n) for n in (critical, resolved, quieted, shifts, 1))
        new = critical + high + medium + low + int(r() ** 3 * 3)  # some findings have no severity yet
        run.deltas = (new, critical, high, medium, low, resolved, quieted, shifts, kev)
        if first:
            run.findings = [self._finding(run, change) for change in CHANGES]
            return
        changes = cumulative((new, resolved, shifts, quieted))
        for _ in range(min(self.dice.between(0, 4), int(changes[-1]))):
            change = CHANGES[bisect.bisect_right(changes, r() * changes[-1])]
            run.findings.append(self._finding(run, change))

    def _finding(self, run: Run, change: str) -> Finding:
        r = self.r
        images = run.tenant.images
        image = images[int(r() * len(images))]
        purl, vulnerabilities = PACKAGES[image.packages[int(r() * len(image.packages))]]
        vulnerability, severity, kev = vulnerabilities[int(r() * len(vulnerabilities))]
        previous: str | None = None
        if change == "resolved":
            severity, previous = "none", severity
        elif change == "severity-changed":
            previous, severity = severity, self.severities.pick(self.r())
            if severity == previous:
                previous = "unknown" if severity != "unknown" else "medium"
        elif change == "quieted":
            previous = severity
        return Finding(image, purl, vulnerability, severity, previous, change, kev and change == "new")

    def _badges(self, run: Run) -> None:
        if run.deltas is not None and run.deltas[8] and self.r() < 0.7:
            run.badges.append("kev-first")
        if run.mode == "content-refresh":
            run.badges.append("content-refresh")
        if run.trigger == "policy" and (run.index < len(TRIGGERS) or self.r() < 0.5):
            run.badges.append("policy-promotion-follow-up")
        if run.retry_of is not None:
            run.badges.append("retry")
