"""Where the package's data lives: the shipped themes and the demo snapshot.

Both are package data (`snapsite/themes`, `snapsite/snapshots`), found through `importlib.resources` whether snapsite
runs from a wheel, an sdist install or an editable checkout (where they are links to the top-level `themes/` and
`snapshots/` folders). Templates are read by jinja2 from real folders, so a zipped install is not supported.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path


def package_data(name: str) -> Path:
    """The folder `name` shipped inside the snapsite package."""
    return Path(str(files("snapsite").joinpath(name)))


THEMES = package_data("themes")
DEFAULT_THEME = THEMES / "default"
DEMO_SNAPSHOT = package_data("snapshots") / "demo"
DEMO_KEY = package_data("snapshots") / "demo.pub"
