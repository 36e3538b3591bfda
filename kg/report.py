"""`report`: one page on how a document was implemented across the provinces.

The provinces of the document's time (queries/coverage.rq: the registry's provinces valid
on its date, the 63 before the merger of 1 July 2025 or the 34 after it) with the
documents of each that implement it, directly or through others, and the provinces with
none; its descendants in date order (queries/timeline.rq), drawn as a timeline and as
their lag by the issuer's level; the sentences that state each implementation as
numbered footnotes.

`render_html` writes one self-contained page: charts drawn here as inline SVG, no script,
nothing fetched. `render_markdown` gives the same tables and footnotes for notes, the
charts as a short summary. Every string read from the store is escaped where it is
written: by Jinja's autoescape in the page, by ElementTree in the charts, by backslashes
in Markdown.
"""

from __future__ import annotations

import math
import re
import statistics
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import date as Date
from importlib.resources import files

import jinja2
from markupsafe import Markup
from pyoxigraph import Literal, NamedNode

from kg.normalize import collation_key
from kg.queries import document_term, load, solve
from kg.store import Store
from kg.trace import Document, describe, level_of_symbol
from kg.version import __version__
from kg.viz import LEVEL_COLOURS, LEVELS

IMPLEMENTS = "implements"


class ReportError(Exception):
    """A document that cannot be reported on; the message says which and what to do."""


@dataclass(frozen=True)
class Implementer:
    """A document of a province that implements the reported one, directly or not."""

    uri: str
    id: str
    type: str | None
    level: str
    district: str | None
    date: str | None  # the earliest date any text gives
    lag_days: int | None  # days after the reported document's date
    notes: tuple[int, ...]  # numbers of the footnotes that state its implementation


@dataclass(frozen=True)
class Province:
    name: str
    implementers: tuple[Implementer, ...]


@dataclass(frozen=True)
class Descendant:
    """A document that implements, guides or reviews the reported one, directly or not."""

    uri: str
    id: str
    level: str
    locality: str | None
    date: str | None
    days_after: int | None


@dataclass(frozen=True)
class Footnote:
    number: int
    location: str  # the text that says it
    start: int  # characters of the sentence's relation in the decoded text
    end: int
    sentence: str


@dataclass(frozen=True)
class Report:
    document: Document
    title: str | None
    covered: tuple[Province, ...]  # provinces with at least one implementer
    uncovered: tuple[str, ...]  # provinces with none
    descendants: tuple[Descendant, ...]  # in date order, undated first
    footnotes: tuple[Footnote, ...]
    store: str

    @property
    def provinces(self) -> int:
        return len(self.covered) + len(self.uncovered)

    @property
    def name(self) -> str:
        """Type and number, as people write it: "Kết luận 01-KL/TW"."""
        typed = self.document.type and not self.document.name.startswith(self.document.type)
        return f"{self.document.type} {self.document.name}" if typed else self.document.name

    @property
    def headline(self) -> str:
        when = f"valid on {self.document.date}" if self.document.date else "of today"
        return (
            f"Provinces {when}: {len(self.covered)} of {self.provinces} with a document implementing {self.name},"
            f" {len(self.uncovered)} without."
        )


def report(store: Store, doc: str) -> Report:
    """The coverage report of `doc`, written as people write it ("01-KL/TW", "Kết luận 01")
    or as an IRI."""
    try:
        uri = document_term(doc, store).value
    except ValueError as error:
        raise ReportError(f"DOC {doc!r}: {error}; check the number, or build the texts that name it") from None
    described = solve(store, load("document"), {"doc": NamedNode(uri)}).rows
    if not described:
        raise ReportError(
            f"DOC {doc!r}: no document in {store.location} has this IRI;"
            " give its number (01-KL/TW) or an IRI that `kg query documents` lists"
        )
    bound = {"doc": NamedNode(uri)}
    timeline = solve(store, load("timeline"), bound).rows
    descendants = tuple(_descendant(row) for row in timeline)
    levels = {row.uri: row.level for row in descendants}
    provinces: dict[str, list] = {}
    for row in solve(store, load("coverage"), bound).rows:
        provinces.setdefault(str(row["province"]), []).append(row)
    notes = _Notes(store, {uri} | {descendant.uri for descendant in descendants})
    covered, uncovered = [], []
    for name, rows in sorted(provinces.items(), key=lambda item: collation_key(item[0])):
        # Dated first, so that footnotes are numbered in the order the table shows them.
        dated_first = sorted((row for row in rows if "implementer" in row), key=_date_then_id)
        if dated_first:
            covered.append(Province(name, tuple(_implementer(row, levels, notes) for row in dated_first)))
        else:
            uncovered.append(name)
    return Report(
        document=describe(store, uri),
        title=str(described[0]["title"]) if "title" in described[0] else None,
        covered=tuple(covered),
        uncovered=tuple(uncovered),
        descendants=descendants,
        footnotes=tuple(notes.footnotes),
        store=str(store.location),
    )


def _text(row, name: str) -> str | None:
    return str(row[name]) if name in row else None


def _days(row, name: str) -> int | None:
    return int(row[name]) if name in row else None


def _date_then_id(row) -> tuple:
    return "date" not in row, _text(row, "date") or "", _text(row, "id") or ""


def _descendant(row) -> Descendant:
    id_ = str(row["id"])
    level = _text(row, "level") or level_of_symbol(id_) or "unknown"
    return Descendant(
        str(row["descendant"]), id_, level, _text(row, "locality"), _text(row, "date"), _days(row, "daysAfter")
    )


def _implementer(row, levels: dict[str, str], notes: _Notes) -> Implementer:
    uri = str(row["implementer"])
    id_ = _text(row, "id") or uri.rsplit("/", 1)[-1]
    return Implementer(
        uri=uri,
        id=id_,
        type=_text(row, "type"),
        level=levels.get(uri) or level_of_symbol(id_) or "unknown",
        district=_text(row, "district"),
        date=_text(row, "date"),
        lag_days=_days(row, "lagDays"),
        notes=notes.of(uri),
    )


class _Notes:
    """Footnotes numbered in order of first use; a sentence stating several links is one note."""

    def __init__(self, store: Store, chain: set[str]):
        self.store = store
        self.chain = chain  # the reported document and its descendants
        self.footnotes: list[Footnote] = []
        self.numbers: dict[tuple, int] = {}

    def of(self, implementer: str) -> tuple[int, ...]:
        """Notes for the sentences saying that `implementer` implements a document of the chain."""
        rows = solve(
            self.store,
            load("evidence"),
            {"source": NamedNode(implementer), "relation": Literal(IMPLEMENTS)},
        ).rows
        numbers = []
        for row in rows:
            if str(row["target"]) not in self.chain:
                continue
            key = (str(row["location"]), int(row["start"]), int(row["end"]), str(row["sentence"]))
            if key not in self.numbers:
                self.numbers[key] = len(self.footnotes) + 1
                self.footnotes.append(Footnote(self.numbers[key], *key))
            if self.numbers[key] not in numbers:
                numbers.append(self.numbers[key])
        return tuple(numbers)


# ---- charts ---------------------------------------------------------------------------------

WIDTH = 760
LABELS = 230  # the column of row labels, left of the plot
ROW = 22
AXIS = 44  # below the rows: ticks, their labels and the axis title
SVG = "http://www.w3.org/2000/svg"


def _svg(height: int, title: str, description: str, key: str) -> ET.Element:
    svg = ET.Element(
        "svg",
        {
            "xmlns": SVG,
            "viewBox": f"0 0 {WIDTH} {height}",
            "width": str(WIDTH),
            "height": str(height),
            "role": "img",
            "aria-labelledby": f"{key}-title {key}-desc",
            "font-family": "system-ui, sans-serif",
            "font-size": "12",
        },
    )
    ET.SubElement(svg, "title", {"id": f"{key}-title"}).text = title
    ET.SubElement(svg, "desc", {"id": f"{key}-desc"}).text = description
    return svg


def _text_at(parent: ET.Element, x: float, y: float, text: str, **attributes: str) -> ET.Element:
    element = ET.SubElement(parent, "text", {"x": f"{x:.1f}", "y": f"{y:.1f}", **attributes})
    element.text = text
    return element


def _line(parent: ET.Element, x1: float, y1: float, x2: float, y2: float, **attributes: str) -> None:
    ET.SubElement(
        parent, "line", {"x1": f"{x1:.1f}", "y1": f"{y1:.1f}", "x2": f"{x2:.1f}", "y2": f"{y2:.1f}", **attributes}
    )


def _dot(parent: ET.Element, x: float, y: float, level: str, tip: str) -> None:
    colour = LEVEL_COLOURS.get(level, LEVEL_COLOURS["unknown"])
    dot = ET.SubElement(
        parent, "circle", {"cx": f"{x:.1f}", "cy": f"{y:.1f}", "r": "5", "fill": colour, "fill-opacity": "0.8"}
    )
    ET.SubElement(dot, "title").text = tip  # shown on hover, read by screen readers


def _axis(svg: ET.Element, top: float, ticks: list[tuple[float, str]], title: str) -> None:
    _line(svg, LABELS, top, WIDTH - 10, top, stroke="#555")
    for x, text in ticks:
        _line(svg, x, top, x, top + 5, stroke="#555")
        _text_at(svg, x, top + 17, text, **{"text-anchor": "middle", "fill": "#333"})
    _text_at(svg, (LABELS + WIDTH - 10) / 2, top + 36, title, **{"text-anchor": "middle", "fill": "#333"})


def _scale(low: float, high: float):
    """Maps [low, high] onto the plot's width, left of the right margin."""
    span = (high - low) or 1
    return lambda value: LABELS + 10 + (value - low) / span * (WIDTH - LABELS - 30)


def _nice_ticks(low: int, high: int, count: int = 6) -> list[int]:
    """Round numbers (1, 2 or 5 times a power of ten apart) covering [low, high]."""
    raw = max((high - low) / count, 1)
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(int(m * magnitude) for m in (1, 2, 5, 10) if m * magnitude >= raw)
    return list(range(math.floor(low / step) * step, math.ceil(high / step) * step + 1, step))


def _serialize(svg: ET.Element) -> Markup:
    # ElementTree escapes every text and attribute it writes: the result is safe as it is.
    return Markup(ET.tostring(svg, encoding="unicode"))


def timeline_svg(report: Report) -> Markup:
    """The dated descendants on a time axis, one row each under the reported document."""
    document = report.document
    rows = [
        Descendant(document.uri, document.name, document.level or "unknown", document.locality, document.date, None)
    ]
    rows += [d for d in report.descendants if d.date]
    dated = [Date.fromisoformat(row.date) for row in rows if row.date]
    first, last = (min(dated).year, max(dated).year + 1) if dated else (Date.today().year, Date.today().year + 1)
    x = _scale(Date(first, 1, 1).toordinal(), Date(last, 1, 1).toordinal())
    years = range(first, last + 1, max(1, math.ceil((last - first) / 10)))
    height = 10 + ROW * len(rows) + AXIS
    svg = _svg(
        height,
        f"Timeline: {len(rows) - 1} dated document(s) implementing, guiding or reviewing {report.name}",
        "; ".join(f"{row.id} {row.date}" for row in rows if row.date) or "no document is dated",
        "timeline",
    )
    for index, row in enumerate(rows):
        y = 10 + ROW * index + ROW / 2
        _text_at(svg, LABELS - 8, y + 4, " · ".join(filter(None, (row.id, row.locality))), **{"text-anchor": "end"})
        if row.date:
            after = "" if row.days_after is None else f" · {row.days_after} days after"
            _dot(svg, x(Date.fromisoformat(row.date).toordinal()), y, row.level, f"{row.id} · {row.date}{after}")
    if report.document.date:
        at = x(Date.fromisoformat(report.document.date).toordinal())
        _line(svg, at, 10, at, 10 + ROW * len(rows), stroke="#999", **{"stroke-dasharray": "4 3"})
    ticks = [(x(Date(year, 1, 1).toordinal()), str(year)) for year in years]
    _axis(svg, 10 + ROW * len(rows), ticks, "date issued (earliest any text gives)")
    return _serialize(svg)


@dataclass(frozen=True)
class LevelLag:
    level: str
    days: tuple[int, ...]  # of each dated descendant at this level

    @property
    def median(self) -> float | None:
        return statistics.median(self.days) if self.days else None


def lags_by_level(report: Report) -> list[LevelLag]:
    """Days after the reported document, per level of the descendants' issuers; every
    level is listed, and `unknown` when some issuer's level is not known."""
    levels = [level for level in LEVELS if level != "unknown" or any(d.level == level for d in report.descendants)]
    return [
        LevelLag(
            level, tuple(d.days_after for d in report.descendants if d.level == level and d.days_after is not None)
        )
        for level in levels
    ]


def lag_svg(report: Report) -> Markup:
    """Each dated descendant's lag on a day axis, one row per level, its median marked."""
    lags = lags_by_level(report)
    every = [day for lag in lags for day in lag.days]
    ticks = _nice_ticks(min([0, *every]), max([30, *every]))
    x = _scale(ticks[0], ticks[-1])
    height = 10 + ROW * 2 * len(lags) + AXIS
    svg = _svg(
        height,
        f"Lag in days after {report.name}, by level of the issuer",
        "; ".join(_lag_summary(lag) for lag in lags),
        "lag",
    )
    for index, lag in enumerate(lags):
        y = 10 + ROW * 2 * index + ROW
        _text_at(svg, LABELS - 8, y - 2, lag.level, **{"text-anchor": "end", "font-weight": "bold"})
        counted = f"{len(lag.days)} dated · median {lag.median:g} days" if lag.days else "no dated document"
        _text_at(svg, LABELS - 8, y + 12, counted, **{"text-anchor": "end"})
        _line(svg, LABELS + 10, y, WIDTH - 20, y, stroke="#eee")
        for day in lag.days:
            _dot(svg, x(day), y, lag.level, f"{lag.level}: {day} days")
        if lag.median is not None:
            _line(svg, x(lag.median), y - 10, x(lag.median), y + 10, stroke="#111", **{"stroke-width": "2"})
    _axis(svg, 10 + ROW * 2 * len(lags), [(x(tick), f"{tick:,}") for tick in ticks], f"days after {report.name}")
    return _serialize(svg)


def _lag_summary(lag: LevelLag) -> str:
    if not lag.days:
        return f"{lag.level}: no dated document"
    return f"{lag.level}: {len(lag.days)} dated, median {lag.median:g} days (from {min(lag.days)} to {max(lag.days)})"


# ---- output ---------------------------------------------------------------------------------


def render_html(report: Report) -> str:
    """The report as one HTML page that needs no script and no network."""
    templates = files("kg").joinpath("templates")
    environment = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True)
    template = environment.from_string(templates.joinpath("report.html").read_text(encoding="utf-8"))
    return template.render(
        report=report,
        timeline=timeline_svg(report),
        lag=lag_svg(report),
        undated=[d for d in report.descendants if not d.date],
        colours=[(lag.level, LEVEL_COLOURS[lag.level]) for lag in lags_by_level(report)],
        version=__version__,
    )


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>|#])")


def _md(value: object) -> str:
    """Text for a Markdown table cell or footnote: one line, markup characters escaped."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(str(value).split())) if value is not None else ""


def render_markdown(report: Report) -> str:
    """The report in Markdown for notes: its tables and footnotes, the charts as a summary."""
    document = report.document
    lines = [f"# Coverage of {_md(report.name)}", ""]
    lines += [" · ".join(_md(part) for part in (document.level, document.date or "date unknown") if part)]
    if report.title:
        lines += ["", _md(report.title)]
    lines += ["", _md(f"<{document.uri}>"), "", _md(report.headline), ""]
    lines += [f"## Provinces with implementing documents ({len(report.covered)})", ""]
    if report.covered:
        lines += [
            "| Province | Document | Type | Level | District | Date | Lag (days) |",
            "|---|---|---|---|---|---|---:|",
        ]
    else:
        lines.append(f"No province has a document implementing {_md(report.name)} in this graph.")
    for province in report.covered:
        for item in province.implementers:
            notes = "".join(f"[^{number}]" for number in item.notes)
            lag = "" if item.lag_days is None else str(item.lag_days)
            cells = [_md(province.name), _md(item.id) + notes]
            cells += [_md(value) for value in (item.type, item.level, item.district, item.date)] + [lag]
            lines.append(f"| {' | '.join(cells)} |")
    lines += ["", f"## Provinces with none ({len(report.uncovered)})", ""]
    lines += [", ".join(map(_md, report.uncovered)) or "None: every province has one.", ""]
    lines += ["## Timeline", ""]
    for item in report.descendants:
        when = f"{item.date} ({item.days_after:+d} days)" if item.days_after is not None else item.date or "undated"
        lines.append(f"- {_md(when)}: {_md(' · '.join(filter(None, (item.id, item.level, item.locality))))}")
    if not report.descendants:
        lines.append(f"No document implements, guides or reviews {_md(report.name)} in this graph.")
    lines += ["", "## Lag by level", ""]
    lines += [f"- {_md(_lag_summary(lag))}" for lag in lags_by_level(report)]
    lines += ["", "## Evidence", ""]
    lines += [
        f"[^{note.number}]: {_md(note.location)}, characters {note.start}–{note.end}: {_md(note.sentence)}"
        for note in report.footnotes
    ] or ["No sentence states an implementation."]
    return "\n".join(lines) + "\n"
