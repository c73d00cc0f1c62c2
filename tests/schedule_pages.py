"""Hostile schedule views and a renderer that parses what it renders:
shared by the schedules and observability page tests."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from bs4 import BeautifulSoup
from snapsite.site.render import Renderer, collect_assets, theme_dirs
from snapsite.site.views.context import SiteInfo, staleness
from snapsite.site.views.format import human_time
from snapsite.snapshot.records import Tenant

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


HOSTILE = '<script>alert(1)</script>" onmouseover="alert(2)'


BIDI = "\u202egnp.exe"


TENANTS = [Tenant(id="acme", name="Acme Corp"), Tenant(id="globex", name=HOSTILE)]


def site_info() -> SiteInfo:
    """A SiteInfo built by hand, with hostile text where the snapshot supplies text."""
    return SiteInfo(
        title="StellaOps runs",
        snapshot_id="snap:test:2026-11-20T12:00:00Z",
        created_at="2026-11-20T12:00:00Z",
        created_at_text=human_time(NOW),
        environment="test",
        source=HOSTILE,
        verification="verified",
        verification_problems=(),
        keyids=("a" * 64,),
        staleness=staleness(NOW, NOW, None),
        built_at="2026-11-20T12:00:00Z",
        heartbeat_warning=None,
        impact_index_age_text="1d 06h",
        tenants=tuple(TENANTS),
        scopes=(),
        features=(),
        generator_version="0.1.0",
    )


def render(template: str, nav: str, **context: Any) -> BeautifulSoup:
    dirs = theme_dirs(None)
    html = Renderer(dirs, collect_assets(dirs)).render(
        template, root="", site=site_info(), page_title=nav, active_nav=template, **context
    )
    assert "<script>alert" not in html
    assert "\u202e" not in html  # shown as <U+202E>, never reordering the page
    return BeautifulSoup(html, "html.parser")


def check_page(doc: BeautifulSoup) -> None:
    """What every page of these templates promises: one h1, accessible charts and tables, no inline code."""
    assert len(doc.find_all("h1")) == 1
    for element in doc.find_all(True):
        assert "style" not in element.attrs, element.name
        assert not any(name.startswith("on") for name in element.attrs), element
        for name in ("href", "src"):
            value = element.get(name)
            if isinstance(value, str):
                assert not value.lower().startswith(("javascript:", "http:", "https:", "//", "/")), value
    assert all(script.get("src") for script in doc.find_all("script"))
    assert doc.find("style") is None
    for svg in doc.select("main svg.chart"):
        assert svg["role"] == "img" and svg["aria-label"]
    for table in doc.select("main table"):
        assert table.caption is not None
        assert all(th.get("scope") in ("col", "row") for th in table.find_all("th"))
