"""The resolved-failure rule of the site contract, on retry chains made to the point."""

from __future__ import annotations

from snapsite.snapshot.resolved import RetryLink, resolved_by, retried_by


def link(rid: str, state: str, retry_of: str | None = None, created: str = "") -> RetryLink:
    return RetryLink(id=rid, state=state, retry_of=retry_of, created_at=created or rid)


def test_failed_then_failed_then_completed_resolves_both_failures() -> None:
    runs = [link("a", "error"), link("b", "error", "a"), link("c", "completed", "b")]
    assert resolved_by(runs) == {"a": "c", "b": "c"}


def test_a_cancelled_retry_resolves_nothing_and_breaks_the_chain() -> None:
    runs = [link("a", "error"), link("b", "cancelled", "a"), link("c", "completed", "b")]
    assert resolved_by(runs) == {}


def test_a_running_or_failed_retry_leaves_the_failure_open() -> None:
    assert resolved_by([link("a", "error"), link("b", "running", "a")]) == {}
    assert resolved_by([link("a", "error"), link("b", "error", "a")]) == {}


def test_a_retry_of_a_run_outside_the_build_resolves_nothing() -> None:
    assert resolved_by([link("c", "completed", "elsewhere")]) == {}


def test_the_earliest_completed_retry_is_named_whatever_the_order() -> None:
    runs = [link("a", "error"), link("z", "completed", "a", "2"), link("y", "completed", "a", "1")]
    assert resolved_by(runs) == {"a": "y"}
    assert resolved_by(list(reversed(runs))) == {"a": "y"}


def test_a_retry_cycle_terminates() -> None:
    runs = [link("a", "error", "b"), link("b", "error", "a"), link("c", "completed", "a")]
    assert resolved_by(runs) == {"a": "c", "b": "c"}


def test_a_completed_run_in_the_middle_stops_the_walk() -> None:
    runs = [link("a", "error"), link("b", "completed", "a"), link("c", "error", "b"), link("d", "completed", "c")]
    assert resolved_by(runs) == {"a": "b", "c": "d"}


def test_retried_by_links_forward_oldest_first() -> None:
    runs = [link("a", "error"), link("c", "error", "a", "2"), link("b", "completed", "a", "1")]
    assert retried_by(runs) == {"a": ("b", "c")}
