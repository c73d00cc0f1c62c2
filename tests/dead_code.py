"""`make lint`'s dead-code check: vulture over the package, the tests and the benchmarks.

Vulture sees Python only, and the theme's templates read view objects' fields and properties by name
(`{{ page.window_text }}`, `{% for chart in page.charts %}`); every name a template reads after a dot, or passes as a
keyword, counts as used. Names a framework reads (http.server, pydantic, pytest, ...) are in
tests/vulture_whitelist.py. Exits with vulture's status: 0 when nothing is unused.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TAG = re.compile(r"\{[{%](.*?)[}%]\}", re.DOTALL)
ATTRIBUTE = re.compile(r"\.([A-Za-z_]\w*)")
KEYWORD = re.compile(r"\b([A-Za-z_]\w*)\s*=(?!=)")


def template_names(themes: Path) -> set[str]:
    """Every attribute a template reads and every keyword it passes, in every theme."""
    names: set[str] = set()
    for template in sorted(themes.rglob("*.html")):
        for tag in TAG.findall(template.read_text(encoding="utf-8")):
            names.update(ATTRIBUTE.findall(tag))
            names.update(KEYWORD.findall(tag))
    return names


def main() -> int:
    command = [
        sys.executable,
        "-m",
        "vulture",
        "generator/snapsite",
        "tests",
        "bench",
        "--exclude",
        "node_modules,bench/work",
        "--ignore-names",
        ",".join(sorted(template_names(ROOT / "themes"))),
    ]
    return subprocess.run(command, cwd=ROOT, check=False).returncode


if __name__ == "__main__":
    sys.exit(main())
