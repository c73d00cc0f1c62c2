"""Inline SVG charts computed at build time: the numbers and geometry, never the markup.

Each builder returns a `Chart`: its size, the positions of its grid, ticks, lines, dots, bars and legend (as
coordinate text with two decimals at most, so the same input always gives the same bytes), and its data table for
screen readers. The theme's `_chart.html` draws it as a `<figure>` holding an `<svg role="img">` and a
`<details>` data table; there every text is escaped, its bidirectional controls shown as `<U+202E>` like
everywhere on the site. Colours are SVG presentation attributes and class names, never `style=""` (the site's
Content-Security-Policy blocks it).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

# Okabe-Ito colours: distinguishable with the common colour-vision deficiencies, legible on light and dark.
PALETTE = ("#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9", "#7f7f7f", "#8c6d31")
DASHES = ("", "6 3", "2 3")  # after the palette runs out, lines repeat its colours with these dashes
MAX_BARS = 50  # bars drawn; the data table always has every row
LABEL_CHARS = 26  # characters of a bar's label drawn beside it (its full text is in its tooltip and the table)
_LIMIT = 1e15  # values beyond this are drawn at the edge, so one wild sample cannot break the scale


@dataclass(frozen=True)
class Series:
    """One line: a value (or None, a gap) at each position of the chart's x axis."""

    label: str
    values: tuple[float | None, ...]


@dataclass(frozen=True)
class Bar:
    """One bar; `text` is the value as shown (defaults to the number)."""

    label: str
    value: float
    text: str | None = None


@dataclass(frozen=True)
class StackedBar:
    """One bar made of segments, one value per segment label of the chart."""

    label: str
    values: tuple[float, ...]


@dataclass(frozen=True)
class Tick:
    """A text drawn at (x, y): an axis value, a time, a label; `anchor` is its text-anchor."""

    x: str
    y: str
    text: str
    anchor: str = "middle"


@dataclass(frozen=True)
class Line:
    """One series as drawn: its lone points as dots, its runs of points as one path, and its legend entry."""

    index: int
    label: str
    colour: str
    dash: str  # stroke-dasharray, "" for a solid line
    dots: tuple[tuple[str, str], ...]  # (cx, cy) of each point without a neighbour
    path: str  # the `d` of the runs of two points or more; "" when there is none
    legend_y: int


@dataclass(frozen=True)
class LinePlot:
    """The geometry of a line chart: plot edges, the grid (y and value), x ticks, lines, legend."""

    left: int
    right: int  # the plot's right edge
    grid: tuple[Tick, ...]  # a grid line at each tick's y, its value at x = left - 6
    x_ticks: tuple[Tick, ...]
    lines: tuple[Line, ...]


@dataclass(frozen=True)
class Segment:
    """One drawn (non-zero) part of a bar."""

    index: int
    x: str
    width: str
    colour: str


@dataclass(frozen=True)
class BarRow:
    """One bar as drawn: its tooltip, its shortened label, its segments and its value's text after them."""

    y: int
    tip: str
    label: str
    segments: tuple[Segment, ...]
    value_x: str
    value: str


@dataclass(frozen=True)
class Swatch:
    """A stacked chart's legend entry: a swatch of `colour` at (x, 4), then the segment's name."""

    x: int
    name: str
    colour: str


@dataclass(frozen=True)
class BarPlot:
    """The geometry of a bar chart: the legend (stacked bars only), the bars drawn and how many more."""

    label_x: int  # where the plot starts: labels end 6 before it
    bar_height: int
    legend: tuple[Swatch, ...]  # stacked bars only
    rows: tuple[BarRow, ...]
    more: int  # bars beyond MAX_BARS, left to the data table
    more_y: int


@dataclass(frozen=True)
class Chart:
    """A chart ready to draw: `kind` (line, bar, stacked), its size, its plot (None: no data) and data table."""

    kind: str
    title: str
    width: int
    height: int
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    no_data: tuple[int, int] | None = None  # where "No data" is written, when there is nothing to draw
    line: LinePlot | None = None
    bars: BarPlot | None = None

    @property
    def empty(self) -> bool:
        return not self.rows


def number_text(value: float) -> str:
    """A value as the charts print it: an integer without decimals, otherwise up to two decimals."""
    if not math.isfinite(value):
        return str(value)
    if abs(value) >= _LIMIT:
        return f"{value:.6g}"
    if float(value).is_integer():
        return str(int(value))
    return _fixed(value)


def _fixed(value: float) -> str:
    """Two decimals without trailing zeros and never `-0`: the byte-stable form of every coordinate."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _clamp(value: float) -> float:
    return max(-_LIMIT, min(_LIMIT, value)) if not math.isnan(value) else 0.0


def _nice_ceiling(value: float) -> float:
    """The smallest of 1, 2, 2.5, 5 times a power of ten that is >= value (value > 0)."""
    power = 10.0 ** math.floor(math.log10(value))
    for step in (1.0, 2.0, 2.5, 5.0, 10.0):
        if step * power >= value:
            return step * power
    return value


def _short(label: str) -> str:
    return label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1] + "\u2026"


def line_chart(
    series: Sequence[Series],
    x_labels: Sequence[str],
    *,
    title: str,
    y_min: float | None = None,
    y_max: float | None = None,
    value_text: Callable[[float], str] = number_text,
    width: int = 640,
    height: int = 220,
) -> Chart:
    """Lines over shared x positions (`x_labels`, oldest first); the y axis spans 0 (or the lowest value) to a
    round number above the highest, unless `y_min` / `y_max` fix it (for example 0..1 for a score)."""
    left, right, top, bottom = 56, 12, 12, 28
    total_height = height + 18 * len(series)
    count = len(x_labels)
    columns = ("Time", *(s.label for s in series))
    drawn = [_clamp(v) for s in series for v in s.values[:count] if v is not None and not math.isnan(v)]
    if not drawn:
        return Chart("line", title, width, total_height, columns, (), no_data=(width // 2, height // 2))
    rows = tuple((x_labels[i], *(_cell(s.values, i, value_text) for s in series)) for i in range(count))
    low = min(0.0, min(drawn)) if y_min is None else y_min
    high = max(drawn) if y_max is None else y_max
    if y_max is None and high > 0:
        high = _nice_ceiling(high)
    if high <= low:
        high = low + 1.0
    plot_w, plot_h = width - left - right, height - top - bottom

    def x_at(i: int) -> float:
        return left + (plot_w * i / (count - 1) if count > 1 else plot_w / 2)

    def y_at(v: float) -> float:
        clipped = max(low, min(high, _clamp(v)))
        return top + plot_h * (high - clipped) / (high - low)

    grid = tuple(Tick(str(left - 6), _fixed(y_at(t)), value_text(t), "end") for t in (low, (low + high) / 2, high))
    ticks = sorted({0, (count - 1) // 2, count - 1})
    x_ticks = []
    for position, i in enumerate(ticks):
        anchor = "start" if position == 0 and len(ticks) > 1 else "end" if i == count - 1 and count > 1 else "middle"
        x_ticks.append(Tick(_fixed(x_at(i)), str(height - 8), x_labels[i], anchor))
    lines = []
    for index, s in enumerate(series):
        dots: list[tuple[str, str]] = []
        path: list[str] = []
        run: list[tuple[float, float]] = []
        for i, value in enumerate(s.values[:count]):
            if value is None or math.isnan(value):
                path += _subpath(run, dots)
                run = []
            else:
                run.append((x_at(i), y_at(value)))
        path += _subpath(run, dots)
        colour, dash = PALETTE[index % len(PALETTE)], DASHES[(index // len(PALETTE)) % len(DASHES)]
        lines.append(Line(index, s.label, colour, dash, tuple(dots), " ".join(path), height + 18 * index + 6))
    plot = LinePlot(left, width - right, grid, tuple(x_ticks), tuple(lines))
    return Chart("line", title, width, total_height, columns, rows, line=plot)


def _cell(values: Sequence[float | None], i: int, value_text: Callable[[float], str]) -> str:
    value = values[i] if i < len(values) else None
    return "\u2014" if value is None else value_text(value)


def _subpath(points: list[tuple[float, float]], dots: list[tuple[str, str]]) -> list[str]:
    """Path commands for a run of points; a lone point is added to `dots` instead."""
    if len(points) == 1:
        x, y = points[0]
        dots.append((_fixed(x), _fixed(y)))
        return []
    return [("M" if i == 0 else "L") + f"{_fixed(x)} {_fixed(y)}" for i, (x, y) in enumerate(points)]


def bar_chart(
    bars: Sequence[Bar],
    *,
    title: str,
    value_label: str = "Value",
    label_heading: str = "Label",
    width: int = 640,
) -> Chart:
    """Horizontal bars, one per item, drawn in order (the first MAX_BARS; the table lists all)."""
    columns = (label_heading, value_label)
    rows = tuple((b.label, b.text if b.text is not None else number_text(b.value)) for b in bars)
    return _bars(
        "bar",
        [(b.label, (b.value,), (rows[i][1],)) for i, b in enumerate(bars)],
        (value_label,),
        title=title,
        width=width,
        columns=columns,
        rows=rows,
    )


def stacked_bars(
    bars: Sequence[StackedBar],
    segments: Sequence[str],
    *,
    title: str,
    label_heading: str = "Label",
    width: int = 640,
) -> Chart:
    """Horizontal bars split into `segments` (for example planner and executor backlog), with a legend."""
    columns = (label_heading, *segments, "Total")
    rows = tuple(
        (b.label, *(number_text(v) for v in b.values), number_text(sum(_clamp(v) for v in b.values))) for b in bars
    )
    return _bars(
        "stacked",
        [(b.label, b.values, rows[i][1:-1]) for i, b in enumerate(bars)],
        tuple(segments),
        title=title,
        width=width,
        columns=columns,
        rows=rows,
    )


def _bars(
    kind: str,
    items: Sequence[tuple[str, Sequence[float], Sequence[str]]],
    segments: tuple[str, ...],
    *,
    title: str,
    width: int,
    columns: tuple[str, ...],
    rows: tuple[tuple[str, ...], ...],
) -> Chart:
    label_w, value_w, bar_h, gap = 200, 90, 16, 8
    legend = 20 if len(segments) > 1 else 0
    shown = items[:MAX_BARS]
    more = len(items) - len(shown)
    height = legend + (bar_h + gap) * max(1, len(shown)) + (18 if more else 0) + gap
    if not items:
        return Chart(kind, title, width, height, columns, (), no_data=(width // 2, height // 2))
    swatches = tuple(
        Swatch(label_w + 110 * i, name, PALETTE[i % len(PALETTE)]) for i, name in enumerate(segments if legend else ())
    )
    totals = [sum(max(0.0, _clamp(v)) for v in values) for _, values, _ in shown]
    scale_max = max(totals) or 1.0
    plot_w = width - label_w - value_w
    drawn = []
    for row, ((label, values, texts), total) in enumerate(zip(shown, totals, strict=True)):
        y = legend + gap + row * (bar_h + gap)
        tip = f"{label}: " + ", ".join(
            f"{name} {text}" if len(segments) > 1 else text for name, text in zip(segments, texts, strict=False)
        )
        x = float(label_w)
        parts = []
        for index, value in enumerate(values):
            w = plot_w * max(0.0, _clamp(value)) / scale_max
            if w > 0:
                parts.append(Segment(index, _fixed(x), _fixed(w), PALETTE[index % len(PALETTE)]))
            x += w
        shown_text = texts[0] if len(texts) == 1 else number_text(total)
        drawn.append(BarRow(y, tip, _short(label), tuple(parts), _fixed(x + 6), shown_text))
    plot = BarPlot(label_w, bar_h, swatches, tuple(drawn), more, height - gap)
    return Chart(kind, title, width, height, columns, rows, bars=plot)
