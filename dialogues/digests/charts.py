"""Server-side SVG charts for the weekly digest, shared by the web page and the PDF.

Each chart is a plain string of SVG markup with a <title> and a <desc> (a sentence that
states what the chart shows), `role="img"` and `aria-labelledby`, so a screen reader
announces it; the same numbers come back as `rows` for the data table printed beside it.
No scripts, no event handlers, no style attributes (the site's CSP forbids them), no
external fonts: presentation attributes only. Every piece of text is XML-escaped.

Colours: the bars and the line use the portal's accent (#0b4f8a, 8.6:1 against white);
text is near-black. Meaning never depends on colour: values are printed beside the bars.

Legible on a phone: the viewBox is narrow (WIDTH) and the text large within it (FONT_SIZE),
so a chart scaled down to MIN_WIDTH pixels still shows text of at least
FONT_SIZE * MIN_WIDTH / WIDTH (about 12) pixels. Bar labels sit above their bars and wrap
onto a second line rather than shrink; the trend labels every other week.
"""

import math
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from dialogues.digests.weeks import parse_iso_week

BAR_COLOUR = "#0b4f8a"
LINE_COLOUR = "#0b4f8a"
TEXT_COLOUR = "#0b0c0c"
GRID_COLOUR = "#b1b4b6"
FONT_FAMILY = 'system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", Arial, sans-serif'

WIDTH = 360
FONT_SIZE = 14
# The narrowest a chart is drawn: a 320 px phone screen.
MIN_WIDTH = 320
# A line of label text that fits the width in DejaVu Sans / system fonts (about 0.6 em a
# character), and at most two lines of it.
LABEL_LINE_CHARACTERS = 40
LABEL_LINES = 2
LINE_HEIGHT = 17


@dataclass(frozen=True)
class Chart:
    """An SVG chart and the rows of the table that states the same facts."""

    html_id: str
    title: str
    description: str
    svg: str
    rows: list[tuple[str, int]]


def _text(value: object) -> str:
    return escape(str(value))


def _attr(value: object) -> str:
    """A quoted, escaped attribute value (quotes included)."""
    return quoteattr(str(value))


def _wrap(label: str) -> list[str]:
    """The label on at most LABEL_LINES lines, broken between words, shortened with an
    ellipsis if it is longer still (the table beside the chart gives it whole)."""
    lines = textwrap.wrap(label, LABEL_LINE_CHARACTERS, break_long_words=True) or [""]
    if len(lines) > LABEL_LINES:
        last = " ".join(lines[LABEL_LINES - 1 :])
        lines = [*lines[: LABEL_LINES - 1], last[: LABEL_LINE_CHARACTERS - 1].rstrip() + "…"]
    return lines


def _svg_open(html_id: str, title: str, description: str, height: int) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="digest-chart__svg" role="img"'
        f" width={_attr(WIDTH)} height={_attr(height)} viewBox={_attr(f'0 0 {WIDTH} {height}')}"
        f" aria-labelledby={_attr(f'{html_id}-title {html_id}-desc')}"
        f" font-family={_attr(FONT_FAMILY)} font-size={_attr(FONT_SIZE)}"
        f" fill={_attr(TEXT_COLOUR)}>",
        f"<title id={_attr(f'{html_id}-title')}>{_text(title)}</title>",
        f"<desc id={_attr(f'{html_id}-desc')}>{_text(description)}</desc>",
    ]


def bar_chart(
    *, html_id: str, title: str, description: str, rows: Sequence[tuple[str, int]]
) -> Chart:
    """A horizontal bar chart: each row's label above its bar (one or two lines), the value
    after the bar."""
    rows = [(str(label), int(value)) for label, value in rows]
    top, bar_height, gap, bar_area = 4, 18, 12, WIDTH - 48
    labels = [_wrap(label) for label, _value in rows]
    height = top + sum(len(lines) * LINE_HEIGHT + 4 + bar_height + gap for lines in labels)
    height = max(height, top + LINE_HEIGHT + 8)
    largest = max((value for _label, value in rows), default=0)
    parts = _svg_open(html_id, title, description, height)
    if not rows:
        parts.append(
            f'<text x="0" y="{top + FONT_SIZE}">{_text(_("No reports this week."))}</text>'
        )
    y = top
    for (_label, value), lines in zip(rows, labels, strict=True):
        width = 0 if largest == 0 else round(bar_area * value / largest, 1)
        parts.append("<g>")
        for line in lines:
            y += LINE_HEIGHT
            parts.append(f'<text x="0" y="{y - 3}">{_text(line)}</text>')
        y += 4
        if width:
            parts.append(
                f'<rect x="0" y="{y}" width="{width}" height="{bar_height}"'
                f" fill={_attr(BAR_COLOUR)}/>"
            )
        parts.append(
            f'<text x="{width + 6}" y="{y + bar_height - 4}" font-weight="bold">'
            f"{_text(value)}</text>"
        )
        parts.append("</g>")
        y += bar_height + gap
    parts.append("</svg>")
    return Chart(html_id, title, description, "".join(parts), rows)


def _nice_ceiling(value: int) -> int:
    """The smallest of 1, 2, 5, 10, 20, 50, ... at or above `value` (at least 1)."""
    if value <= 1:
        return 1
    magnitude = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if value <= step * magnitude:
            return step * magnitude
    return 10 * magnitude  # pragma: no cover


def _ticks(ceiling: int) -> list[int]:
    """Round gridline values from 0 to `ceiling` (a value from _nice_ceiling)."""
    if ceiling <= 5:
        return list(range(ceiling + 1))
    leading_digit = int(str(ceiling)[0])
    step = ceiling // (4 if leading_digit == 2 else 5)
    return list(range(0, ceiling + 1, step))


def line_chart(
    *, html_id: str, title: str, description: str, points: Sequence[tuple[str, int]]
) -> Chart:
    """A line chart of weekly counts; x labels are the week numbers ("W37") of every other
    week, ending with the latest (twelve labels would not fit a phone's width)."""
    points = [(str(week), int(value)) for week, value in points]
    height, left, right, top, bottom = 200, 34, 16, 12, 30
    plot_width, plot_height = WIDTH - left - right, height - top - bottom
    ceiling = _nice_ceiling(max((value for _week, value in points), default=0))
    ticks = _ticks(ceiling)
    parts = _svg_open(html_id, title, description, height)
    for tick in ticks:
        y = round(top + plot_height - plot_height * tick / ceiling, 1)
        parts.append(
            f'<line x1="{left}" y1="{y}" x2="{WIDTH - right}" y2="{y}"'
            f' stroke={_attr(GRID_COLOUR)} stroke-width="1"/>'
        )
        parts.append(f'<text x="{left - 8}" y="{y + 4}" text-anchor="end">{_text(tick)}</text>')
    step = plot_width / max(len(points) - 1, 1)
    coordinates = []
    for index, (week, value) in enumerate(points):
        x = round(left + index * step, 1)
        y = round(top + plot_height - plot_height * value / ceiling, 1)
        coordinates.append((x, y, week, value))
    if len(coordinates) > 1:
        path = " ".join(f"{x},{y}" for x, y, _week, _value in coordinates)
        parts.append(
            f'<polyline points="{path}" fill="none" stroke={_attr(LINE_COLOUR)}'
            f' stroke-width="3" stroke-linejoin="round"/>'
        )
    for index, (x, y, week, value) in enumerate(coordinates):
        parts.append(
            f'<circle cx="{x}" cy="{y}" r="4" fill={_attr(LINE_COLOUR)}>'
            f"<title>{_text(f'{week}: {value}')}</title></circle>"
        )
        if (len(coordinates) - 1 - index) % 2 == 0:
            parts.append(
                f'<text x="{x}" y="{height - bottom + 22}" text-anchor="middle">'
                f"{_text(_week_label(week))}</text>"
            )
    if not points:
        parts.append(f'<text x="{left}" y="{top + 20}">{_text(_("No reports this week."))}</text>')
    parts.append("</svg>")
    return Chart(html_id, title, description, "".join(parts), points)


def _week_label(week: str) -> str:
    """ "2026-W37" -> "W37" (the table beside the chart gives the full week)."""
    try:
        _year, number = parse_iso_week(week)
    except ValueError:
        return week
    return f"W{number:02d}"


# --- The digest's three charts (labels in the active language) -------------------------


def _bar_description(rows: Sequence[tuple[str, int]], *, kind: str, reports: int | None) -> str:
    """What the chart shows, in words. `reports` is the number of distinct reports: a report
    with two topics is one report, although it adds one to each of its topics' bars."""
    placed = sum(value for _label, value in rows)
    total = placed if reports is None else reports
    if not rows or total == 0:
        return _("No new reports this week.")
    label, value = max(rows, key=lambda row: row[1])
    if kind == "topic":
        lead = ngettext(
            "%(count)d new report across %(groups)d topics.",
            "%(count)d new reports across %(groups)d topics.",
            total,
        )
        most = ngettext(
            "The most reported topic is %(label)s with %(value)d report.",
            "The most reported topic is %(label)s with %(value)d reports.",
            value,
        )
    else:
        lead = ngettext(
            "%(count)d new report across %(groups)d markets.",
            "%(count)d new reports across %(groups)d markets.",
            total,
        )
        most = ngettext(
            "The most reported market is %(label)s with %(value)d report.",
            "The most reported market is %(label)s with %(value)d reports.",
            value,
        )
    sentences = [lead % {"count": total, "groups": len(rows)}]
    # Name the most reported only when one leads: with a tie, "the most reported is X" misleads.
    if [count for _label, count in rows].count(value) == 1:
        sentences.append(most % {"label": label, "value": value})
    if kind == "topic" and placed > total:
        sentences.append(
            _("A report can concern several topics, so the topics add up to more than %(count)d.")
            % {"count": total}
        )
    return " ".join(sentences)


def topic_chart(
    rows: Sequence[tuple[str, int]], *, reports: int | None = None, html_id: str = "chart-topics"
) -> Chart:
    """New reports per topic; `reports`: how many distinct reports (default: the sum)."""
    return bar_chart(
        html_id=html_id,
        title=_("New reports by topic"),
        description=_bar_description(rows, kind="topic", reports=reports),
        rows=rows,
    )


def market_chart(
    rows: Sequence[tuple[str, int]], *, reports: int | None = None, html_id: str = "chart-markets"
) -> Chart:
    """New reports per market; `reports`: how many distinct reports (default: the sum)."""
    return bar_chart(
        html_id=html_id,
        title=_("New reports by market"),
        description=_bar_description(rows, kind="market", reports=reports),
        rows=rows,
    )


def trend_chart(points: Sequence[tuple[str, int]], *, html_id: str = "chart-trend") -> Chart:
    if points:
        first_week, first = points[0]
        last_week, last = points[-1]
        peak_week, peak = max(points, key=lambda point: point[1])
        description = _(
            "Published reports per week over %(weeks)d weeks: %(first)d in %(first_week)s, "
            "%(last)d in %(last_week)s; the highest was %(peak)d in %(peak_week)s."
        ) % {
            "weeks": len(points),
            "first": first,
            "first_week": first_week,
            "last": last,
            "last_week": last_week,
            "peak": peak,
            "peak_week": peak_week,
        }
    else:
        description = _("No reports this week.")
    return line_chart(
        html_id=html_id,
        title=_("Reports published per week, last %(weeks)d weeks") % {"weeks": len(points)},
        description=description,
        points=points,
    )
