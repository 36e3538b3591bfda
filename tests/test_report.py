"""`kg report`: the coverage report of a document, as a page and as Markdown.

On the seeds graph, Kết luận 01-KL/TW is implemented in Hà Tĩnh by two plans, 129-KH/TU
(2 December 2022, 563 days after it) and 224-KH/TU (undated); the other 62 provinces of
2021 have none. The page is opened in headless Chromium, which must fetch nothing and log
no error; set KG_UPDATE_SCREENSHOTS=1 to write the README's screenshot from it.
"""

import os
import re
import xml.etree.ElementTree as ET
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from kg import build, open_store
from kg.cli import main
from kg.report import render_html, render_markdown, report

ROOT = Path(__file__).resolve().parent.parent
SCREENSHOT = ROOT / "docs" / "img" / "report-01-KL-TW.png"
SVG = "{http://www.w3.org/2000/svg}"
CONCLUSION = "https://kg.example.org/eli/vn/dang/tw/kl/xiii/1"
HA_TINH = "https://kg.example.org/place/ha-tinh"


@pytest.fixture(scope="module")
def seeds_store(seeds, tmp_path_factory) -> str:
    store = str(tmp_path_factory.mktemp("report") / "kg-store")
    build([seeds], store=store)
    return store


def invoke(*arguments: str):
    return CliRunner().invoke(main, list(arguments))


def svgs(page: str) -> list[ET.Element]:
    return [ET.fromstring(svg) for svg in re.findall(r"<svg\b.*?</svg>", page, re.S)]


def test_the_page_lists_ha_tinh_with_its_two_plans_and_the_provinces_with_none(seeds_store, tmp_path):
    output = tmp_path / "report.html"
    result = invoke("report", "01-KL/TW", "--store", seeds_store, "-o", str(output))
    assert result.exit_code == 0, result.output
    assert (
        result.stderr
        == f"{output}: Provinces valid on 2021-05-18: 1 of 63 with a document implementing Kết luận 01-KL/TW, 62 without.\n"
    )
    page = output.read_text(encoding="utf-8")
    rows = [
        [
            unescape(re.sub(r"<sup>.*?</sup>|<[^>]+>", "", cell)).strip()
            for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        ]
        for row in re.findall(r"<tr>(.*?)</tr>", page.split("<tbody>")[1].split("</tbody>")[0], re.S)
    ]
    assert rows == [
        ["Hà Tĩnh", "129-KH/TU", "Kế hoạch", "province", "", "2022-12-02", "563"],
        ["224-KH/TU", "Kế hoạch", "province", "", "unknown", ""],
    ]
    none = re.search(r'<ul class="kg-none">(.*?)</ul>', page, re.S)[1]
    listed = re.findall(r"<li>(.*?)</li>", none)
    assert len(listed) == 62 and "Hà Tĩnh" not in listed
    assert listed.index("Bạc Liêu") < listed.index("Bình Định") < listed.index("Đà Nẵng") < listed.index("Gia Lai")
    assert {"Nghệ An", "Bà Rịa - Vũng Tàu", "Hà Giang", "Thừa Thiên Huế"} <= set(
        listed
    )  # the provinces before the 2025 merger


def test_the_charts_are_well_formed_svg_with_titles_and_axes(seeds_store):
    with open_store(seeds_store, read_only=True) as opened:
        page = render_html(report(opened, "Kết luận 01"))
    timeline, lag = svgs(page)
    for chart in (timeline, lag):
        assert chart.get("role") == "img"
        title, desc = chart.find(f"{SVG}title"), chart.find(f"{SVG}desc")
        assert chart.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    texts = lambda chart: [element.text for element in chart.iter(f"{SVG}text")]  # noqa: E731
    assert {"2021", "2022", "2023", "date issued (earliest any text gives)"} <= set(texts(timeline))
    assert "129-KH/TU · Hà Tĩnh" in texts(timeline)
    tips = [element.text for element in timeline.iter(f"{SVG}title")]
    assert "129-KH/TU · 2022-12-02 · 563 days after" in tips
    assert {"central", "province", "district", "commune", "days after Kết luận 01-KL/TW", "0", "600"} <= set(texts(lag))
    assert "1 dated · median 563 days" in texts(lag)


def test_evidence_sentences_are_numbered_footnotes_of_the_table(seeds_store):
    with open_store(seeds_store, read_only=True) as opened:
        found = report(opened, "01-KL/TW")
    page = render_html(found)
    plans = {item.id: item for item in found.covered[0].implementers}
    assert plans["129-KH/TU"].notes == (1,) and plans["224-KH/TU"].notes == (2,)
    first = found.footnotes[0]
    assert "ban hành Kế hoạch số 129-KH/TU về việc thực hiện Kết luận số 01-KL/TW" in first.sentence
    assert first.location.endswith(".txt")
    assert '<a href="#note-1" aria-label="evidence 1">[1]</a>' in page
    assert (
        f'<li id="note-1"><span class="kg-location">{first.location}</span>, characters {first.start}–{first.end}:'
        in page
    )


def test_markdown_has_the_table_the_list_and_the_footnotes(seeds_store):
    result = invoke("report", "01-KL/TW", "--format", "md", "--store", seeds_store)
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert "| Province | Document | Type | Level | District | Date | Lag (days) |" in text
    assert "| Hà Tĩnh | 129-KH/TU[^1] | Kế hoạch | province |  | 2022-12-02 | 563 |" in text
    assert "| Hà Tĩnh | 224-KH/TU[^2] | Kế hoạch | province |  |  |  |" in text
    assert "## Provinces with none (62)\n\nAn Giang, Bà Rịa - Vũng Tàu," in text
    assert "- province: 1 dated, median 563 days (from 563 to 563)" in text
    assert re.search(r"^\[\^1\]: .*000\\_\w+\.txt, characters \d+–\d+: .*Kế hoạch số 129-KH/TU", text, re.M)
    assert "<svg" not in text


def test_an_unknown_document_is_one_line_and_exit_1(seeds_store):
    result = invoke("report", "99-KL/TW", "--store", seeds_store)
    assert result.exit_code == 1
    assert result.output == (
        f"Error: DOC '99-KL/TW': no document in {seeds_store} fits it; check the number, or build the texts that name it\n"
    )
    iri = invoke("report", "https://kg.example.org/eli/vn/none", "--store", seeds_store)
    assert iri.exit_code == 1 and iri.output.count("\n") == 1 and "no document" in iri.output


HOSTILE = "<img src=x onerror=\"window.__pwned='{}'\"></textarea></script><script>window.__pwned=1</script>|*_"


def _hostile_store(tmp_path: Path) -> str:
    """The seeds' Kết luận 01 with a plan of Hà Tĩnh whose every displayed field carries
    markup, as a store filled by another tool may hold: the report trusts no string it reads."""
    store = str(tmp_path / "kg-store")
    build([ROOT / "tests" / "fixtures" / "viz"], store=store)
    eli, kg_, rdf = "http://data.europa.eu/eli/ontology#", "https://kg.example.org/ontology#", ox.NamedNode
    plan, text = "https://kg.example.org/eli/vn/hostile/1", "https://kg.example.org/source/hostile"
    evidence, kind = f"{text}/evidence/1", f"{text}/type"
    rdf_ = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
    triples = [
        (plan, rdf_ + "type", rdf(eli + "LegalResource")),
        (plan, kg_ + "mentionedIn", rdf(text)),
        (plan, eli + "id_local", ox.Literal(HOSTILE.format("id"))),
        (plan, eli + "date_document", ox.Literal("2023-03-02", datatype=rdf("http://www.w3.org/2001/XMLSchema#date"))),
        (plan, kg_ + "locality", rdf(HA_TINH)),
        (plan, eli + "type_document", rdf(kind)),
        (kind, "http://www.w3.org/2004/02/skos/core#prefLabel", ox.Literal(HOSTILE.format("type"), language="vi")),
        (plan, kg_ + "implements", rdf(CONCLUSION)),
        (evidence, rdf_ + "type", rdf(kg_ + "Evidence")),
        (evidence, rdf_ + "subject", rdf(plan)),
        (evidence, rdf_ + "predicate", rdf(kg_ + "implements")),
        (evidence, rdf_ + "object", rdf(CONCLUSION)),
        (evidence, kg_ + "sentence", ox.Literal(HOSTILE.format("sentence"))),
        (evidence, kg_ + "cue", ox.Literal("thực hiện")),
        (evidence, kg_ + "start", ox.Literal("1", datatype=rdf("http://www.w3.org/2001/XMLSchema#integer"))),
        (evidence, kg_ + "end", ox.Literal("9", datatype=rdf("http://www.w3.org/2001/XMLSchema#integer"))),
        (text, rdf_ + "type", rdf(kg_ + "SourceText")),
        (text, kg_ + "location", ox.Literal(HOSTILE.format("location"))),
    ]
    with open_store(store) as opened:
        opened.add(ox.Quad(ox.NamedNode(s), ox.NamedNode(p), o, ox.NamedNode(text)) for s, p, o in triples)
    return store


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: set[str] = set()

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)


def test_markup_from_the_store_is_text_in_the_page_and_in_markdown(tmp_path):
    with open_store(_hostile_store(tmp_path), read_only=True) as opened:
        found = report(opened, CONCLUSION)
    page = render_html(found)
    parser = _Tags()
    parser.feed(page)
    assert not parser.tags & {"img", "script", "textarea"}
    for field in ("id", "type", "sentence", "location"):
        assert HOSTILE.format(field) in unescape(page), field
    svgs(page)  # still well-formed
    markdown = render_markdown(found)
    assert not re.search(r"(?<!\\)[<>]", markdown)  # every angle bracket escaped
    assert r"""\<img src=x onerror="window.\_\_pwned='id'"\>\</textarea\>""" in markdown
    table = [line for line in markdown.splitlines() if line.startswith("| Hà Tĩnh |")]
    assert table and all(line.count(" | ") == 6 for line in table)  # a | in a cell does not add one


def _open(browser, path: Path):
    from benchmarks.viz import open_page

    opened = open_page(browser, path)
    assert opened.errors == [] and opened.blocked == [] and opened.requests == [path.resolve().as_uri()]
    return opened


def test_the_page_in_chromium_fetches_nothing_and_is_saved_as_a_screenshot(seeds_store, tmp_path, browser):
    from benchmarks.viz import save_screenshot

    output = tmp_path / "report.html"
    assert invoke("report", "01-KL/TW", "--store", seeds_store, "-o", str(output)).exit_code == 0
    opened = _open(browser, output)
    page = opened.page
    assert page.evaluate("document.scripts.length") == 0
    assert page.evaluate("document.querySelectorAll('svg').length") == 2
    assert "129-KH/TU" in page.inner_text("table")
    # The whole page, charts included, in one picture.
    page.set_viewport_size({"width": 1100, "height": page.evaluate("document.documentElement.scrollHeight")})
    screenshot = SCREENSHOT if os.environ.get("KG_UPDATE_SCREENSHOTS") else tmp_path / SCREENSHOT.name
    save_screenshot(opened, screenshot)
    assert screenshot.stat().st_size > 10_000
    page.close()


def test_hostile_markup_runs_nothing_in_chromium(tmp_path, browser):
    output = tmp_path / "hostile.html"
    result = invoke("report", CONCLUSION, "--store", _hostile_store(tmp_path), "-o", str(output))
    assert result.exit_code == 0, result.output
    page = _open(browser, output).page
    assert HOSTILE.format("sentence") in page.inner_text("ol.kg-notes")
    assert page.evaluate("window.__pwned") is None
    assert page.evaluate("document.querySelectorAll('img, textarea, script').length") == 0
    page.close()
