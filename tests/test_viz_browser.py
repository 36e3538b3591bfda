"""Pages of `kg viz` opened in headless Chromium (Debian's, driven by Playwright).

Every page is opened with all requests but its own file refused and recorded, and
each test ends by checking that nothing was asked for and nothing was logged as an error.
"""

import time
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from benchmarks.viz import open_page, point_of, save_screenshot, synthetic_graph, wait_until
from kg import build, open_store
from kg.cli import main
from kg.viz import Selection, make_view, view_graph, write

FIXTURES = Path(__file__).parent / "fixtures" / "viz"
DISTRICT_PLAN = "https://kg.example.org/eli/vn/dang/nghe-an/do-luong/hu/kh/2020-2025/12"
PROVINCE_PLAN = "https://kg.example.org/eli/vn/dang/nghe-an/tu/kh/2020-2025/35"
CONCLUSION = "https://kg.example.org/eli/vn/dang/tw/kl/xiii/1"
DIRECTIVE = "https://kg.example.org/eli/vn/dang/tw/ct/xii/5"
PAYLOAD_TEXT = (
    "Ngày 02/3/2023, Ban Thường vụ Tỉnh ủy Hà Tĩnh ban hành Kế hoạch số 12-KH/TU ngày 02/3/2023"
    # Escaped markup is a title's text once read; raw markup reads as nothing in the title
    # (kg reads HTML as a browser shows it) but stays in the evidence, quoted as written.
    ' "Về &lt;img src=x onerror=window.__pwned=1&gt; và &lt;/script&gt;&lt;script&gt;window.__pwned=2&lt;/script&gt;'
    '<img src=x onerror=window.__pwned=4>"'
    " nhằm thực hiện Kết luận số 01-KL/TW ngày 18/5/2021 của Bộ Chính trị.\n"
)
PAYLOAD_PLAN = "https://kg.example.org/eli/vn/dang/ha-tinh/tu/kh/2020-2025/12"


@pytest.fixture
def opened(browser):
    """Opens pages; after the test, checks that none asked for anything or logged an error."""
    pages = []

    def open_(path):
        pages.append(open_page(browser, path))
        return pages[-1]

    yield open_
    for page in pages:
        assert page.errors == []
        assert page.blocked == [] and all(url.startswith("file://") for url in page.requests)
        assert len(page.requests) == 1
        page.page.close()


def page_path(tmp_path, texts: list[Path], arguments: list[str]) -> tuple[Path, str]:
    """Builds a store of `texts` and writes `kg viz ARGUMENTS` of it; returns the page and the store."""
    store = str(tmp_path / "kg-store")
    build(texts, store=store)
    output = tmp_path / "page.html"
    result = CliRunner().invoke(main, ["viz", *arguments, "-o", str(output), "--store", store])
    assert result.exit_code == 0, result.output
    return output, store


def page_data(page) -> tuple[set, set]:
    nodes = page.evaluate("kgView.nodes.getIds()")
    edges = page.evaluate("kgView.edges.get().map(e => [e.from, e.relation, e.to])")
    return set(nodes), {tuple(edge) for edge in edges}


def hover_text(page, ids: list[str]) -> str:
    """The tooltip shown when the mouse rests on a node (one id) or an edge's middle (two)."""
    corner = page.evaluate("document.getElementById('kg-network').getBoundingClientRect().toJSON()")
    page.mouse.move(corner["left"] + 3, corner["top"] + 3)  # an empty spot: the last tooltip goes
    wait_until(page, "!document.querySelector('div.vis-tooltip:not([style*=\"visibility: hidden\"])')")
    point = point_of(page, ids)
    page.mouse.move(point["x"], point["y"])
    page.wait_for_selector("div.vis-tooltip", state="visible")
    return page.inner_text("div.vis-tooltip")


def test_the_05_ct_tw_chain_of_the_seeds_with_evidence_on_hover(seeds, tmp_path, opened):
    path, store = page_path(tmp_path, [seeds], ["05-CT/TW"])
    page = opened(path).page
    with open_store(store, read_only=True) as opened_store:
        graph = view_graph(opened_store)
    names = {graph.nodes[node]["label"]: node for node in graph}
    nodes, edges = page_data(page)
    chain = ["05-CT/TW", "01-KL/TW", "129-KH/TU", "224-KH/TU"]
    assert nodes == {names[name] for name in chain}
    assert edges == {
        (names["01-KL/TW"], "implements", names["05-CT/TW"]),
        (names["129-KH/TU"], "implements", names["01-KL/TW"]),
        (names["224-KH/TU"], "implements", names["01-KL/TW"]),
    }
    plan = hover_text(page, [names["129-KH/TU"]])
    assert "id: 129-KH/TU" in plan and "locality: Hà Tĩnh" in plan and "date: 2022-12-02" in plan
    evidence = hover_text(page, [names["129-KH/TU"], names["01-KL/TW"]])
    sentences = [
        item["sentence"]
        for item in graph.get_edge_data(names["129-KH/TU"], names["01-KL/TW"], "implements")["evidence"]
    ]
    assert "129-KH/TU —thực hiện (implements)→ 01-KL/TW" in evidence
    assert sentences and all(sentence[:200] in evidence for sentence in sentences)
    assert "Trung ương · central" in page.inner_text("#kg-levels") and "Tỉnh · province" in page.inner_text(
        "#kg-levels"
    )


def test_the_whole_seeds_graph_matches_the_store_and_is_saved_as_a_screenshot(seeds, tmp_path, opened):
    path, store = page_path(tmp_path, [seeds], [])
    opened_page = opened(path)
    with open_store(store, read_only=True) as opened_store:
        graph = view_graph(opened_store)
    nodes, edges = page_data(opened_page.page)
    assert nodes == set(graph)
    assert edges == {(source, relation, target) for source, target, relation in graph.edges(keys=True)}
    screenshot = tmp_path / "seeds-graph.png"
    save_screenshot(opened_page, screenshot)
    assert screenshot.stat().st_size > 10_000


# A file name is text a scraper chose: it reaches the page with the evidence it holds.
PAYLOAD_FILE_NAME = "ha-tinh-<img src=x onerror=window.__pwned=3>.txt"


def test_markup_in_titles_evidence_and_file_names_shows_as_text_and_runs_nothing(tmp_path, opened):
    (tmp_path / "texts").mkdir()
    payload = tmp_path / "texts" / PAYLOAD_FILE_NAME
    payload.write_text(PAYLOAD_TEXT, encoding="utf-8")
    path, _ = page_path(tmp_path, [FIXTURES, payload], [])
    page = opened(path).page
    assert PAYLOAD_PLAN in page_data(page)[0]
    title = hover_text(page, [PAYLOAD_PLAN])
    assert "<img src=x onerror=window.__pwned=1>" in title and "</script><script>window.__pwned=2</script>" in title
    evidence = hover_text(page, [PAYLOAD_PLAN, CONCLUSION])
    assert (
        '“Ngày 02/3/2023, Ban Thường vụ Tỉnh ủy Hà Tĩnh ban hành Kế hoạch số 12-KH/TU ngày 02/3/2023 "Về &lt;img'
        in evidence
    )
    assert "&lt;/script&gt;<img src=x onerror=window.__pwned=4>" in evidence
    assert PAYLOAD_FILE_NAME in evidence
    point = point_of(page, [PAYLOAD_PLAN])
    page.mouse.click(point["x"], point["y"])
    page.fill("#kg-search", "12-KH/TU")
    page.press("#kg-search", "Enter")
    page.wait_for_timeout(300)
    assert page.evaluate("window.__pwned") is None
    assert page.evaluate("document.querySelectorAll('img').length") == 0
    assert page.evaluate("document.scripts.length") == 3


def test_search_focuses_the_document_and_clicks_light_its_chain(tmp_path, opened):
    path, _ = page_path(tmp_path, [FIXTURES], [])
    page = opened(path).page
    for typed, expected in [("12-KH/HU", DISTRICT_PLAN), ("chi thi 05", DIRECTIVE), ("Kế hoạch 35", PROVINCE_PLAN)]:
        page.fill("#kg-search", typed)
        page.press("#kg-search", "Enter")
        assert page.evaluate("kgView.state.focused") == expected
        assert page.evaluate("kgView.network.getSelectedNodes()") == [expected]
        centre = page.evaluate("kgView.network.getViewPosition()")
        position = page.evaluate(f"kgView.network.getPositions([{expected!r}])[{expected!r}]")
        assert abs(centre["x"] - position["x"]) < 1 and abs(centre["y"] - position["y"]) < 1
    assert "Kế hoạch 35-KH/TU · Nghệ An" in page.inner_text("#kg-results")
    page.fill("#kg-search", "do luong")
    assert page.inner_text("#kg-results").startswith("Kế hoạch 12-KH/HU · Đô Lương")

    page.click("#kg-reset")
    point = point_of(page, [PROVINCE_PLAN])
    page.mouse.click(point["x"], point["y"])
    chain = set(page.evaluate("kgView.state.chain"))
    assert chain == {
        PROVINCE_PLAN,
        DISTRICT_PLAN,
        CONCLUSION,
        DIRECTIVE,
        "https://kg.example.org/eli/vn/dang/tw/qdd/xiii/144",
    }


def test_filters_hide_relations_and_levels_and_the_force_layout_settles(tmp_path, opened):
    path, _ = page_path(tmp_path, [FIXTURES], [])
    page = opened(path).page
    assert page.evaluate("kgView.edgesView.length") == 4
    page.get_by_label("căn cứ · based_on").uncheck()
    assert page.evaluate("kgView.edgesView.length") == 3
    page.get_by_label("Huyện · district").uncheck()
    assert page.evaluate("kgView.nodesView.getIds()").count(DISTRICT_PLAN) == 0
    assert page.evaluate("kgView.edgesView.length") == 2
    page.click("#kg-layout")
    wait_until(page, "kgView.state.force && !kgView.state.moving", 20_000)
    page.click("#kg-layout")
    layered = page.evaluate("JSON.parse(document.getElementById('kg-data').textContent).nodes")
    shown = page.evaluate("kgView.network.getPositions()")
    assert len(shown) == 4 and shown == {n["id"]: {"x": n["x"], "y": n["y"]} for n in layered if n["id"] in shown}


def test_a_2000_node_page_is_interactive_within_5_seconds(tmp_path, opened):
    path = tmp_path / "large.html"
    write(make_view(synthetic_graph(2000), Selection(), "2,000 documents", limit=2000), path)
    started = time.perf_counter()
    page = opened(path).page
    page.fill("#kg-search", "17-KH/HU")
    page.press("#kg-search", "Enter")
    wait_until(page, "kgView.state.focused === 'urn:district/16'")
    assert time.perf_counter() - started < 5
    assert page.evaluate("kgView.nodes.length") == 2000


RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
SKOS = "http://www.w3.org/2004/02/skos/core#"


def _hostile(field: str) -> str:
    return (
        f"{field} <img src=x onerror=\"window.__pwned='{field}'\"></textarea></script><script>window.__pwned=1</script>"
    )


def _store_written_by_someone_else(store: str) -> str:
    """A document whose every displayed field carries markup, as a store filled by another
    tool or a shared SPARQL server may hold: kg viz trusts no string it reads."""
    document = "https://kg.example.org/eli/vn/hostile/1"
    text = "https://kg.example.org/source/hostile"
    evidence = f"{text}/evidence/1"
    agent, place, kind = f"{text}/agent", f"{text}/place", f"{text}/type"
    literal = lambda field: ox.Literal(_hostile(field))  # noqa: E731
    eli, kg_, rdf = "http://data.europa.eu/eli/ontology#", "https://kg.example.org/ontology#", RDF
    triples = [
        (document, rdf + "type", ox.NamedNode(eli + "LegalResource")),
        (document, kg_ + "mentionedIn", ox.NamedNode(text)),
        (document, eli + "id_local", literal("id")),
        (document, LABEL, literal("label")),
        (document, eli + "title", literal("title")),
        (
            document,
            eli + "date_document",
            ox.Literal("2023-03-02", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#date")),
        ),
        (document, eli + "passed_by", ox.NamedNode(agent)),
        (agent, LABEL, literal("issuer")),
        (agent, kg_ + "level", ox.NamedNode("https://kg.example.org/ontology/level/province")),
        (document, kg_ + "locality", ox.NamedNode(place)),
        (place, LABEL, literal("locality")),
        (document, eli + "type_document", ox.NamedNode(kind)),
        (kind, SKOS + "prefLabel", ox.Literal(_hostile("type"), language="vi")),
        (kind, SKOS + "notation", literal("notation")),
        (document, kg_ + "implements", ox.NamedNode(CONCLUSION)),
        (evidence, rdf + "type", ox.NamedNode(kg_ + "Evidence")),
        (evidence, rdf + "subject", ox.NamedNode(document)),
        (evidence, rdf + "predicate", ox.NamedNode(kg_ + "implements")),
        (evidence, rdf + "object", ox.NamedNode(CONCLUSION)),
        (evidence, kg_ + "sentence", literal("sentence")),
        (evidence, kg_ + "cue", literal("cue")),
        (text, rdf + "type", ox.NamedNode(kg_ + "SourceText")),
        (text, kg_ + "location", literal("location")),
    ]
    with open_store(store) as opened_store:
        opened_store.add(ox.Quad(ox.NamedNode(s), ox.NamedNode(p), o, ox.NamedNode(text)) for s, p, o in triples)
    return document


def test_markup_in_any_field_of_a_store_shows_as_text_and_runs_nothing(tmp_path, opened):
    store = str(tmp_path / "kg-store")
    build([FIXTURES], store=store)
    document = _store_written_by_someone_else(store)
    output = tmp_path / "page.html"
    result = CliRunner().invoke(main, ["viz", "-o", str(output), "--store", store])
    assert result.exit_code == 0, result.output
    page = opened(output).page
    assert document in page_data(page)[0]
    shown = hover_text(page, [document]) + hover_text(page, [document, CONCLUSION])
    for field in ("id", "title", "issuer", "locality", "sentence", "cue", "location"):
        assert _hostile(field) in shown, field
    page.fill("#kg-search", "img src")
    page.press("#kg-search", "Enter")
    point = point_of(page, [document])
    page.mouse.click(point["x"], point["y"])
    page.wait_for_timeout(300)
    assert page.evaluate("window.__pwned") is None
    assert page.evaluate("document.querySelectorAll('img, textarea').length") == 0
    assert page.evaluate("document.scripts.length") == 3
