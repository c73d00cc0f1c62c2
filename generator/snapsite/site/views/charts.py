"""Inline SVG charts built at build time: deterministic, escaped, and readable without the picture.

Each builder returns a `Chart` whose `html` is a `<figure>` holding an `<svg role="img">` and a `<details>` data
table for screen readers. The markup is assembled here with every text passed through `markupsafe.escape`, its
bidirectional controls shown as `<U+202E>` as everywhere on the site, so templates print it as is. Colours are SVG
presentation attributes and class names, never `style=""` (the site's Content-Security-Policy blocks it).
Coordinates are printed with two decimals at most, so the same input always gives the same bytes.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

from snapsite.textsafe import visible_controls

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
class Chart:
    """A chart ready to print: `html` is a `<figure>`; `columns` and `rows` are its data table, as text."""

    title: str
    html: Markup
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]

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


def _text(text: str) -> Markup:
    """Snapshot text for the markup: escaped, with bidirectional controls made visible as on every page."""
    return escape(visible_controls(text))


def _short(label: str) -> str:
    return label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1] + "\u2026"


def _open_svg(kind: str, title: str, width: int, height: int) -> list[str]:
    t = _text(title)
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart chart-{kind}" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="{t}" focusable="false">',
        f"<title>{t}</title>",
    ]


def _figure(kind: str, title: str, svg: list[str], columns: Sequence[str], rows: Sequence[Sequence[str]]) -> Markup:
    t = _text(title)
    parts = [f'<figure class="chart-figure chart-figure-{kind}">', *svg, "</svg>", f"<figcaption>{t}</figcaption>"]
    parts.append('<details class="chart-data"><summary>Data table</summary>')
    parts.append('<div class="table-wrap"><table class="chart-table">')
    parts.append(f"<caption>{t}</caption><thead><tr>")
    parts += [f'<th scope="col">{_text(c)}</th>' for c in columns]
    parts.append("</tr></thead><tbody>")
    for row in rows:
        head, *cells = row
        parts.append(f'<tr><th scope="row">{_text(head)}</th>')
        parts += [f'<td class="num">{_text(c)}</td>' for c in cells]
        parts.append("</tr>")
    if not rows:
        parts.append(f'<tr><td colspan="{len(columns)}">No data.</td></tr>')
    parts.append("</tbody></table></div></details></figure>")
    return Markup("\n".join(parts))  # noqa: S704 - every text above went through _text()


def _no_data(svg: list[str], width: int, height: int) -> None:
    svg.append(
        f'<text class="chart-empty" x="{width // 2}" y="{height // 2}" text-anchor="middle" fill="currentColor">'
        "No data</text>"
    )


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
    legend_rows = len(series)
    total_height = height + 18 * legend_rows
    svg = _open_svg("line", title, width, total_height)
    count = len(x_labels)
    columns = ("Time", *(s.label for s in series))
    drawn = [_clamp(v) for s in series for v in s.values[:count] if v is not None and not math.isnan(v)]
    if not drawn:
        _no_data(svg, width, height)
        return Chart(title, _figure("line", title, svg, columns, ()), columns, ())
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

    svg.append('<g class="axes" fill="currentColor" stroke="currentColor" font-size="11">')
    for tick in (low, (low + high) / 2, high):
        y = _fixed(y_at(tick))
        svg.append(f'<line class="grid" x1="{left}" x2="{width - right}" y1="{y}" y2="{y}" stroke-opacity="0.2"/>')
        svg.append(
            f'<text x="{left - 6}" y="{y}" text-anchor="end" dy="4" stroke="none">{_text(value_text(tick))}</text>'
        )
    ticks = sorted({0, (count - 1) // 2, count - 1})
    for position, i in enumerate(ticks):
        anchor = "start" if position == 0 and len(ticks) > 1 else "end" if i == count - 1 and count > 1 else "middle"
        svg.append(
            f'<text x="{_fixed(x_at(i))}" y="{height - 8}" text-anchor="{anchor}" stroke="none">'
            f"{_text(x_labels[i])}</text>"
        )
    svg.append("</g>")
    for index, s in enumerate(series):
        colour, dash = PALETTE[index % len(PALETTE)], DASHES[(index // len(PALETTE)) % len(DASHES)]
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        svg.append(f'<g class="series series-{index}">')
        svg.append(f"<title>{_text(s.label)}</title>")
        path: list[str] = []
        run: list[tuple[float, float]] = []
        for i, value in enumerate(s.values[:count]):
            if value is None or math.isnan(value):
                path += _subpath(run, svg, colour)
                run = []
            else:
                run.append((x_at(i), y_at(value)))
        path += _subpath(run, svg, colour)
        if path:
            svg.append(
                f'<path d="{" ".join(path)}" fill="none" stroke="{colour}" stroke-width="2"{dash_attr} '
                'stroke-linejoin="round"/>'
            )
        svg.append("</g>")
    for index, s in enumerate(series):
        colour, dash = PALETTE[index % len(PALETTE)], DASHES[(index // len(PALETTE)) % len(DASHES)]
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        ly = height + 18 * index + 6
        svg.append(
            f'<g class="legend-item"><line x1="{left}" x2="{left + 24}" y1="{ly}" y2="{ly}" stroke="{colour}" '
            f'stroke-width="3"{dash_attr}/><text x="{left + 30}" y="{ly + 4}" font-size="12" fill="currentColor">'
            f"{_text(s.label)}</text></g>"
        )
    return Chart(title, _figure("line", title, svg, columns, rows), columns, rows)


def _cell(values: Sequence[float | None], i: int, value_text: Callable[[float], str]) -> str:
    value = values[i] if i < len(values) else None
    return "\u2014" if value is None else value_text(value)


def _subpath(points: list[tuple[float, float]], svg: list[str], colour: str) -> list[str]:
    """Path commands for a run of points; a lone point is drawn as a dot instead."""
    if len(points) == 1:
        x, y = points[0]
        svg.append(f'<circle cx="{_fixed(x)}" cy="{_fixed(y)}" r="2.5" fill="{colour}"/>')
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
    svg = _open_svg(kind, title, width, height)
    if not items:
        _no_data(svg, width, height)
        return Chart(title, _figure(kind, title, svg, columns, ()), columns, ())
    for index, name in enumerate(segments if legend else ()):
        lx, colour = label_w + 110 * index, PALETTE[index % len(PALETTE)]
        svg.append(
            f'<g class="legend-item"><rect x="{lx}" y="4" width="10" height="10" fill="{colour}"/>'
            f'<text x="{lx + 14}" y="13" font-size="12" fill="currentColor">{_text(name)}</text></g>'
        )
    totals = [sum(max(0.0, _clamp(v)) for v in values) for _, values, _ in shown]
    scale_max = max(totals) or 1.0
    plot_w = width - label_w - value_w
    for row, ((label, values, texts), total) in enumerate(zip(shown, totals, strict=True)):
        y = legend + gap + row * (bar_h + gap)
        tip = f"{label}: " + ", ".join(
            f"{name} {text}" if len(segments) > 1 else text for name, text in zip(segments, texts, strict=False)
        )
        svg.append(f'<g class="bar-row"><title>{_text(tip)}</title>')
        svg.append(
            f'<text x="{label_w - 6}" y="{y + 12}" text-anchor="end" font-size="12" fill="currentColor">'
            f"{_text(_short(label))}</text>"
        )
        x = float(label_w)
        for index, value in enumerate(values):
            w = plot_w * max(0.0, _clamp(value)) / scale_max
            if w > 0:
                svg.append(
                    f'<rect class="segment segment-{index}" x="{_fixed(x)}" y="{y}" width="{_fixed(w)}" '
                    f'height="{bar_h}" fill="{PALETTE[index % len(PALETTE)]}"/>'
                )
            x += w
        shown_text = texts[0] if len(texts) == 1 else number_text(total)
        svg.append(
            f'<text x="{_fixed(x + 6)}" y="{y + 12}" font-size="12" fill="currentColor">{_text(shown_text)}</text></g>'
        )
    if more:
        svg.append(
            f'<text x="{label_w}" y="{height - gap}" font-size="12" fill="currentColor">'
            f"{more} more in the data table</text>"
        )
    return Chart(title, _figure(kind, title, svg, columns, rows), columns, rows)
