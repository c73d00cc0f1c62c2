"""A theme sees each page's own context: a `_header.html` or `_footer.html` printing a per-page value shows
that page's value on every page, while the default theme's site-wide header is still rendered once."""

from __future__ import annotations

from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from conftest import KeyPair
from snapsite.authoring.demo import write_demo
from snapsite.site.build import build_site
from snapsite.site.config import BuildOptions
from snapsite.site.render import Renderer, theme_dirs, uses_only_site_wide_names

HEADER = '<p class="probe-header">{{ page_title }}|{{ active_nav }}|{{ site.title }}</p>\n'
FOOTER = '<p class="probe-footer">{{ page_title }}</p>\n'


def _theme(root: Path, header: str = HEADER, footer: str = FOOTER) -> Path:
    (root / "templates").mkdir(parents=True)
    (root / "templates" / "_header.html").write_text(header)
    (root / "templates" / "_footer.html").write_text(footer)
    return root


@pytest.fixture(scope="module")
def themed_site(tmp_path_factory: pytest.TempPathFactory, keypair: KeyPair) -> Path:
    base = tmp_path_factory.mktemp("themed")
    write_demo(base / "snap", runs=24, tenants=2, seed=5, key_paths=[keypair.private])
    # Not beside the snapshot: a theme there is refused (files that came with the kit must not run).
    theme = _theme(tmp_path_factory.mktemp("operator-theme") / "theme")
    output = base / "out"
    build_site(BuildOptions(snapshot=base / "snap", trust_roots=(keypair.public,), output=output, theme=str(theme)))
    return output


def test_every_page_shows_its_own_title_in_header_and_footer(themed_site: Path) -> None:
    pages = sorted(themed_site.rglob("*.html"))
    assert len([p for p in pages if p.relative_to(themed_site).parts[0] == "runs"]) == 24
    titles = set()
    for page in pages:
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        title = soup.title.get_text() if soup.title else ""
        page_title = title.rsplit(" · ", 1)[0]
        header = soup.select_one(".probe-header")
        footer = soup.select_one(".probe-footer")
        assert header is not None and footer is not None, page
        assert header.get_text().split("|")[0] == page_title, page
        assert footer.get_text() == page_title, page
        titles.add(page_title)
    assert len(titles) == len(pages)  # the probe is not vacuous: every page has its own title


def test_default_chrome_is_site_wide_and_a_per_page_one_is_not(tmp_path: Path) -> None:
    default = Renderer(theme_dirs(None), {})
    assert default._site_wide == {"_header.html": True, "_footer.html": True}
    themed = Renderer(theme_dirs(str(_theme(tmp_path / "t"))), {})
    assert themed._site_wide == {"_header.html": False, "_footer.html": False}
    # A template that includes another cannot be analysed whole: it is rendered per page.
    included = _theme(tmp_path / "i", header="{% include '_macros.html' %}{{ site.title }}", footer="{{ root }}")
    env = Renderer(theme_dirs(str(included)), {}).env
    assert not uses_only_site_wide_names(env, "_header.html")
    assert uses_only_site_wide_names(env, "_footer.html")
