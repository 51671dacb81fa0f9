"""The dashboard's charts, drawn on the server as SVG by pygal: the same drawing serves the
page (as an image beside its table) and the evidence pack's PDF (WeasyPrint renders SVG).

pygal is made for SVG charts, is pure Python, and is kept by Kozea, WeasyPrint's makers.
Its interactive script is left out (`js=[]`, and its inline configuration removed): the
chart is a picture, its numbers are in the table beside it. A chart holds counts and months, never a record.
"""

import datetime
from typing import Any

import pygal
from pygal.etree import etree as pygal_etree
from pygal.style import Style

from safehub.measures.selectors import MeasureFigures

# GOV.UK Frontend's palette: blue, green, orange, purple, then the target in black.
COLOURS = ("#1d70b8", "#00703c", "#f47738", "#4c2c92", "#d4351c", "#28a197")
TARGET_COLOUR = "#0b0c0c"
STYLE = dict(  # noqa: C408  (pygal's Style takes these as keyword arguments)
    background="#ffffff",
    plot_background="#ffffff",
    foreground="#0b0c0c",
    foreground_strong="#0b0c0c",
    foreground_subtle="#505a5f",
    font_family="Arial, sans-serif",
    label_font_size=12,
    major_label_font_size=12,
    legend_font_size=13,
    title_font_size=15,
    opacity="1",
    opacity_hover="1",
)


def _month_label(month: datetime.date) -> str:
    return f"{month:%b %y}"


def trend_svg(figures: MeasureFigures) -> str:
    """Each agency's share by month, with the target as a line."""
    chart = pygal.Line(
        js=[],
        # The target line is always black, after as many colours as there are agencies.
        style=Style(colors=(*COLOURS[: len(figures.lines)], TARGET_COLOUR), **STYLE),
        width=720,
        height=300,
        explicit_size=False,
        disable_xml_declaration=True,
        range=(0, 100),
        include_x_axis=False,
        show_dots=True,
        dots_size=3,
        stroke_style={"width": 2},
        legend_at_bottom=True,
        legend_at_bottom_columns=4,
        x_label_rotation=0,
        show_minor_x_labels=False,
        truncate_legend=-1,
        truncate_label=-1,
        y_title="% meeting the standard",
        print_values=False,
        no_data_text="No records in this period",
    )
    chart.title = figures.measure.title
    months = figures.months
    chart.x_labels = [_month_label(month) for month in months]
    step = max(1, len(months) // 6)
    chart.x_labels_major = [_month_label(month) for month in months[::step]]
    for line in figures.lines:
        chart.add(line.label, [line.months[m].share if m in line.months else None for m in months])
    if figures.measure.target is not None and any(line.total.denominator for line in figures.lines):
        chart.add(
            f"Target {figures.measure.target}%",
            [figures.measure.target] * len(months),
            show_dots=False,
            stroke_style={"width": 2, "dasharray": "6,4"},
        )
    return _without_script(chart.render_tree())


def _without_script(tree: Any) -> str:
    """pygal puts its configuration in a script even with no script files: a picture needs
    none (and an image never runs one), so it is taken out, with pygal's comments. The tree is
    lxml's or ElementTree's, whichever pygal chose (`pygal.etree`)."""
    for parent in list(tree.iter()):
        for child in list(parent):
            if child.tag == "script" or not isinstance(child.tag, str):
                parent.remove(child)
    return str(pygal_etree.tostring(tree, encoding="unicode"))
