"""The world the runs happen in: tenants with their images and schedules, and the records describing them."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from snapsite.authoring.demo.chance import Dice
from snapsite.authoring.demo.model import Clock, Image, Schedule, Tenant
from snapsite.authoring.demo.vocabulary import (
    DAY,
    HOUR,
    IMAGES_PER_TENANT,
    NAMED_TENANTS,
    PACKAGES,
    SCHEDULE_TEMPLATES,
    SERVICES,
    TEAMS,
)


def make_tenant(dice: Dice, index: int, created: int) -> Tenant:
    """The tenant at `index` (named ones first), with its images and schedules."""
    if index < len(NAMED_TENANTS):
        tenant_id, name = NAMED_TENANTS[index]
    else:
        tenant_id, name = f"tenant-{index + 1:02d}", f"Tenant {index + 1:02d}"
    # A few big tenants and a long tail, as in a shared Scheduler.
    tenant = Tenant(index, tenant_id, name, weight=1.0 / (1 + index * 0.35))
    tenant.images = [_image(dice, tenant, position) for position in range(IMAGES_PER_TENANT)]
    tenant.schedules = _schedules(dice, tenant, created)
    return tenant


def _image(dice: Dice, tenant: Tenant, position: int) -> Image:
    digest = dice.rng.randbytes(32).hex()
    repository = f"registry.{tenant.id}.internal/{dice.one(TEAMS)}/{SERVICES[position % len(SERVICES)]}"
    if dice.hostile and position in (3, 8):
        repository = dice.hostile_text(repository)
    version = f"{dice.between(1, 4)}.{dice.between(0, 12)}.{dice.between(0, 30)}"
    tags = (version, f"sha-{digest[:7]}", "latest") if position % 3 == 0 else (version, f"sha-{digest[:7]}")
    packages = tuple(sorted(dice.rng.sample(range(len(PACKAGES)), dice.between(3, 8))))
    return Image(f"sha256:{digest}", repository, tags, packages)


def _schedules(dice: Dice, tenant: Tenant, created: int) -> list[Schedule]:
    # The first tenant has one schedule of each selection scope; the others a sample of the templates.
    if tenant.index == 0:
        templates = list(range(5))
    else:
        templates = sorted(dice.rng.sample(range(len(SCHEDULE_TEMPLATES)), dice.between(3, 5)))
    schedules = []
    for position, template in enumerate(templates):
        name, slug, cron, timezone, mode, scope = SCHEDULE_TEMPLATES[template]
        # The first two stay enabled and unpaused, so cron runs always have a schedule.
        enabled = position < 2 or (position != 3 and dice.r() >= 0.15)
        paused = position >= 2 and enabled and (position == 4 or dice.r() < 0.2)
        paused_at = created - dice.between(2 * HOUR, 5 * DAY) if paused else None
        if dice.hostile and position == 2:
            name = dice.hostile_text(name)
        selection = _selection(dice, tenant, scope)
        schedule = Schedule(f"sch-{tenant.id}-{slug}", name, enabled, cron, timezone, mode, selection, paused_at)
        schedules.append(schedule)
    return schedules


def _selection(dice: Dice, tenant: Tenant, scope: str) -> dict[str, Any]:
    if scope == "by-namespace":
        return {"scope": scope, "namespaces": sorted(dice.rng.sample(TEAMS, 2))}
    if scope == "by-repo":
        return {"scope": scope, "repositories": [image.repository for image in tenant.images[:2]]}
    if scope == "by-digest":
        return {"scope": scope, "digests": [image.digest for image in tenant.images[:3]]}
    if scope == "by-labels":
        return {
            "scope": scope,
            "labels": [{"key": "env", "values": ["prod"]}, {"key": "tier", "values": ["1"]}],
        }
    return {"scope": scope}


def schedule_records(tenants: Sequence[Tenant], clock: Clock) -> Iterator[dict[str, Any]]:
    """The schedules.ndjson records, once the runs have set each schedule's last run."""
    for tenant in tenants:
        for schedule in tenant.schedules:
            yield {
                "id": schedule.id,
                "tenantId": tenant.id,
                "name": schedule.name,
                "enabled": schedule.enabled,
                "cronExpression": schedule.cron,
                "timezone": schedule.timezone,
                "mode": schedule.mode,
                "selection": schedule.selection,
                "pausedAt": None if schedule.paused_at is None else clock.iso(schedule.paused_at),
                "lastRunId": schedule.last_run_id,
            }


def impact_records(tenants: Sequence[Tenant]) -> Iterator[dict[str, Any]]:
    """The impact.ndjson records: each image with its packages and their vulnerabilities."""
    for tenant in tenants:
        for image in tenant.images:
            packages = [PACKAGES[p] for p in image.packages]
            yield {
                "tenantId": tenant.id,
                "imageDigest": image.digest,
                "repository": image.repository,
                "tags": list(image.tags),
                "purls": [purl for purl, _ in packages],
                "vulnerabilityIds": [v[0] for _, vulnerabilities in packages for v in vulnerabilities],
            }
