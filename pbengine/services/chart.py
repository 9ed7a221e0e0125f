"""The geometry of the results chart: one horizontal bar per project, longer for more votes.

The chart is an SVG drawn in the page's own text size: heights and vertical positions are in
``em`` (they grow with the reader's font size), widths in percent of the chart's width (it fits
any column, from a 320 px phone to a desktop). Nothing is scaled, so the chart's text is the body
text's size at every width. Titles are wrapped here, in full, at a number of characters that
fits a 320 px screen at body size (about 17 em); a word longer than a line is cut across lines,
never clipped.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

LINE = 1.3  # em between two lines of text
BAR = 0.9  # em, the bar's height
GAP = 0.9  # em between two projects
LINE_WIDTH = 16.0  # em: the widest line of a title (288 px at 16 px is 18 em; the rest is margin)
NARROW, WIDE = set("iljtfrI.,:;'!|()[] "), set("mwMW@%")
MIN_BAR = 0.5  # percent: a project without votes still shows a sliver


@dataclass(frozen=True)
class ChartRow:
    outcome: object  # services.results.ProjectOutcome
    lines: tuple[str, ...]  # the title, wrapped
    line_y: tuple[float, ...]  # em, baseline of each title line
    meta_y: float  # em, baseline of the "Funded · 3 votes" line
    bar_y: float  # em, top of the bar
    bar_width: float  # percent of the chart's width


@dataclass(frozen=True)
class Chart:
    rows: tuple[ChartRow, ...]
    height: float  # em
    bar: float = BAR


def text_width(text: str) -> float:
    """A generous estimate of ``text``'s width in em, in a bold sans-serif."""
    def one(ch: str) -> float:
        if ch in NARROW:
            return 0.35
        if ch in WIDE or unicodedata.east_asian_width(ch) in ("W", "F"):
            return 1.0
        return 0.85 if ch.isupper() or ch.isdigit() else 0.68
    return sum(one(ch) for ch in text)


def wrap(title: str, width: float = LINE_WIDTH) -> tuple[str, ...]:
    """``title`` in lines no wider than ``width`` em, words kept whole unless longer than a line."""
    lines: list[str] = []
    line = ""
    for word in title.split():
        candidate = f"{line} {word}" if line else word
        if text_width(candidate) <= width:
            line = candidate
            continue
        if line:
            lines.append(line)
        line = ""
        for ch in word:  # a word longer than a line is cut where the line is full
            if text_width(line + ch) > width and line:
                lines.append(line)
                line = ""
            line += ch
    if line:
        lines.append(line)
    return tuple(lines) or ("",)


def chart(outcomes) -> Chart:
    """The rows of the chart of ``outcomes`` (in their order), with their wrapped titles and positions."""
    top = max((o.votes for o in outcomes), default=0) or 1
    rows = []
    y = 0.0
    for outcome in outcomes:
        lines = wrap(outcome.title)
        line_y = tuple(round(y + 1.0 + i * LINE, 2) for i in range(len(lines)))
        meta_y = round(y + 1.0 + len(lines) * LINE, 2)
        bar_y = round(y + (len(lines) + 1) * LINE + 0.25, 2)
        rows.append(ChartRow(outcome=outcome, lines=lines, line_y=line_y, meta_y=meta_y, bar_y=bar_y,
                             bar_width=max(round(100 * outcome.votes / top, 2), MIN_BAR)))
        y = bar_y + BAR + GAP
    return Chart(rows=tuple(rows), height=round(max(y - GAP, LINE), 2))


@dataclass(frozen=True)
class Bar:
    """One bar of a chart that is not of projects: its label (already translated) and its count."""

    title: str
    votes: int  # what the bar's length counts (here: voters)
    item: object = None  # what the template shows beside it


def bars(items: list[Bar]) -> Chart:
    """:func:`chart` of ``items`` (the same geometry: wrapped labels, lengths against the largest)."""
    return chart(items)


__all__ = ["Bar", "Chart", "ChartRow", "bars", "chart", "text_width", "wrap"]
