"""The inline SVG charts (geometry from views/charts.py, drawn by the theme's _chart.html): byte-stable, escaped,
CSP-safe, and readable as a table."""

from __future__ import annotations

import re

from bs4 import BeautifulSoup, Tag
from pages import chart_html
from snapsite.site.views.charts import (
    MAX_BARS,
    Bar,
    Chart,
    Series,
    StackedBar,
    bar_chart,
    line_chart,
    number_text,
    stacked_bars,
)

HOSTILE = '<script>alert(1)</script>" onload="alert(2)'
NUMBER = re.compile(r"^-?\d+(\.\d{1,2})?$")
COORDINATES = ("x", "y", "x1", "x2", "y1", "y2", "cx", "cy", "width", "height", "r")


def soup(chart: Chart) -> BeautifulSoup:
    return BeautifulSoup(chart_html(chart), "html.parser")


def svg_of(chart: Chart) -> Tag:
    svg = soup(chart).find("svg")
    assert isinstance(svg, Tag)
    return svg


def sample_charts(label: str = "acme") -> list[Chart]:
    return [
        line_chart(
            [Series(label, (1.0, 2.5, None, 4.0)), Series("globex", (0.0, None, 3.0, 1.0))],
            ["t0", "t1", "t2", "t3"],
            title=f"Queue depth {label}",
        ),
        bar_chart([Bar(label, 3), Bar("manual", 1.5, "1m 30s")], title=f"Runs {label}"),
        stacked_bars([StackedBar(label, (2, 5)), StackedBar("b", (0, 1))], ["planner", "executor"], title=label),
    ]


def test_same_input_gives_the_same_bytes() -> None:
    first = [chart_html(c) for c in sample_charts()]
    second = [chart_html(c) for c in sample_charts()]
    assert first == second
    assert first[0] != first[1]


def test_coordinates_have_at_most_two_decimals_and_no_style_attribute() -> None:
    chart = line_chart([Series("s", (1 / 3, 2 / 3, 1.0))], ["a", "b", "c"], title="thirds")
    for element in svg_of(chart).find_all(True):
        assert "style" not in element.attrs
        for name in COORDINATES:
            if name in element.attrs:
                assert NUMBER.match(str(element[name])), (element.name, name, element[name])
    path = svg_of(chart).find("path")
    assert isinstance(path, Tag)
    assert all(NUMBER.match(n) for n in re.findall(r"[-\d.]+", str(path["d"])))


def test_svg_is_an_image_with_a_title_and_a_data_table() -> None:
    for chart in sample_charts():
        svg = svg_of(chart)
        assert svg["role"] == "img"
        assert svg["aria-label"] == chart.title
        assert svg.title is not None and svg.title.get_text() == chart.title
        table = soup(chart).select_one("details table")
        assert table is not None and table.caption is not None
        assert table.caption.get_text() == chart.title
        assert all(th.get("scope") in ("col", "row") for th in table.find_all("th"))
        body_rows = table.select("tbody tr")
        assert [[c.get_text() for c in row.find_all(["th", "td"])] for row in body_rows] == [
            list(r) for r in chart.rows
        ]


def test_hostile_labels_are_escaped_everywhere() -> None:
    for chart in sample_charts(HOSTILE):
        html = chart_html(chart)
        assert "<script>" not in html
        parsed = soup(chart)
        assert parsed.find("script") is None
        for element in parsed.find_all(True):
            assert not any(name.startswith("on") for name in element.attrs), element
        assert HOSTILE in parsed.get_text()
    line = sample_charts(HOSTILE)[0]
    assert svg_of(line)["aria-label"] == f"Queue depth {HOSTILE}"


def test_bidirectional_controls_are_made_visible() -> None:
    chart = bar_chart([Bar("\u202egnp.exe", 1)], title="runs \u2066x\u2069")
    html = chart_html(chart)
    assert "\u202e" not in html and "\u2066" not in html
    assert "&lt;U+202E&gt;gnp.exe" in html
    assert svg_of(chart)["aria-label"] == "runs <U+2066>x<U+2069>"


def test_line_gaps_split_the_path_and_a_lone_point_is_a_dot() -> None:
    chart = line_chart([Series("s", (1.0, None, 2.0, 3.0, None))], ["a", "b", "c", "d", "e"], title="gaps")
    svg = svg_of(chart)
    path = svg.find("path")
    assert isinstance(path, Tag)
    assert str(path["d"]).count("M") == 1  # only c..d is a line
    assert len(svg.find_all("circle")) == 1  # a is alone
    assert chart.rows[1] == ("b", "\u2014")


def test_fixed_range_maps_the_maximum_to_the_top() -> None:
    chart = line_chart([Series("score", (0.0, 1.0))], ["a", "b"], title="score", y_min=0.0, y_max=1.0)
    path = svg_of(chart).find("path")
    assert isinstance(path, Tag)
    (_, y0), (_, y1) = (point.split() for point in str(path["d"]).replace("M", "").split(" L"))
    assert float(y1) == 12  # the top margin
    assert float(y0) > float(y1)


def test_empty_charts_say_so() -> None:
    for chart in (
        line_chart([], ["a"], title="nothing"),
        line_chart([Series("s", (None, None))], ["a", "b"], title="gaps only"),
        bar_chart([], title="no bars"),
        stacked_bars([], ["planner", "executor"], title="no stacks"),
    ):
        assert chart.empty
        assert "No data" in svg_of(chart).get_text()


def test_bars_beyond_the_limit_stay_in_the_table() -> None:
    bars = [Bar(f"bar {i:03d}", i) for i in range(MAX_BARS + 5)]
    chart = bar_chart(bars, title="many")
    svg = svg_of(chart)
    assert len(svg.select("g.bar-row")) == MAX_BARS
    assert "5 more in the data table" in svg.get_text()
    assert len(chart.rows) == MAX_BARS + 5


def test_stacked_bars_scale_segments_by_the_largest_total() -> None:
    chart = stacked_bars([StackedBar("a", (2, 6)), StackedBar("b", (4, 0))], ["planner", "executor"], title="q")
    widths = [float(str(r["width"])) for r in svg_of(chart).select("rect.segment")]
    assert widths[0] * 3 == widths[1]  # 2 and 6 of the largest total 8
    assert widths[2] == widths[0] * 2  # b's 4; its zero executor segment is not drawn
    assert len(widths) == 3
    assert chart.rows == (("a", "2", "6", "8"), ("b", "4", "0", "4"))


def test_wild_values_do_not_break_the_scale() -> None:
    chart = line_chart([Series("s", (1e300, float("inf"), -5.0))], ["a", "b", "c"], title="wild")
    assert chart.rows[0][1] == "1e+300"
    assert chart.rows[1][1] == "inf"
    bars = bar_chart([Bar("x", float("inf")), Bar("y", 1.0)], title="wild bars")
    for c in (chart, bars):
        for element in svg_of(c).find_all(True):
            for name in COORDINATES:
                if name in element.attrs:
                    assert NUMBER.match(str(element[name]))


def test_number_text() -> None:
    assert number_text(3) == "3"
    assert number_text(3.0) == "3"
    assert number_text(2.5) == "2.5"
    assert number_text(1 / 3) == "0.33"
    assert number_text(-0.001) == "0"


def test_the_views_give_geometry_and_text_never_markup() -> None:
    """Views compute; the theme draws: no chart field holds markup, and every coordinate is a plain number."""
    for chart in sample_charts(HOSTILE):
        assert not hasattr(chart, "html")
        for text in _texts(chart):
            assert "<svg" not in text and "<figure" not in text
    line = sample_charts()[0].line
    assert line is not None and all(NUMBER.match(t.y) for t in line.grid)


def _texts(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, tuple):
        return [t for item in value for t in _texts(item)]
    if hasattr(value, "__dataclass_fields__"):
        return [t for name in value.__dataclass_fields__ for t in _texts(getattr(value, name))]
    return []
