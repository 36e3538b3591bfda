"""The summaries of documents a build keeps (kg.summary), and what reads them: the library
queries `implementers` and `most-implemented` and `kg trace` give what the graph alone
gives, one lookup a document."""

from __future__ import annotations

import shutil

import pyoxigraph as ox
import pytest

from benchmarks.corpus import write as write_corpus
from kg import build, open_store
from kg.queries import load, solve
from kg.summary import Summary, implementer_counts, summaries
from kg.trace import find, render, tree
from kg.vocab import META_GRAPH, sparql_prefixes

# The library query `implementers` as it read the graph before summaries: the oracle.
IMPLEMENTERS_FROM_THE_GRAPH = """
SELECT ?doc ?implementer ?id ?type ?level ?locality (MIN(?dated) AS ?date) ?implements ?direct
WHERE {
  ?implementer kg:implements ?parent .
  ?parent kg:implements* ?doc .
  OPTIONAL { ?parent eli:id_local ?parentId }
  OPTIONAL { ?parent rdfs:label ?parentLabel }
  BIND(COALESCE(?parentId, STR(?parentLabel)) AS ?implements)
  BIND(STRDT(IF(?parent = ?doc, "true", "false"), xsd:boolean) AS ?direct)
  OPTIONAL { ?implementer eli:id_local ?id }
  OPTIONAL { ?implementer eli:type_document ?typeConcept OPTIONAL { ?typeConcept skos:prefLabel ?typeLabel FILTER (lang(?typeLabel) = "vi") } }
  OPTIONAL { ?implementer eli:passed_by ?issuer OPTIONAL { ?issuer kg:level ?levelConcept OPTIONAL { ?levelConcept skos:notation ?level } } }
  OPTIONAL { ?implementer kg:locality ?placeNode OPTIONAL { ?placeNode rdfs:label ?place } }
  OPTIONAL { ?implementer eli:date_document ?dated }
  BIND(STR(?typeLabel) AS ?type)
  BIND(STR(?place) AS ?locality)
}
GROUP BY ?doc ?implementer ?id ?type ?level ?locality ?implements ?direct"""

# The library query `most-implemented` as it counted from the graph before the build kept its counts.
MOST_IMPLEMENTED_FROM_THE_GRAPH = """
SELECT ?document ?id (MIN(?typeText) AS ?type) ?direct ?all
WHERE {
  { SELECT ?document (COUNT(DISTINCT ?implementer) AS ?direct)
    WHERE { ?implementer kg:implements ?document } GROUP BY ?document }
  { SELECT ?document (COUNT(DISTINCT ?descendant) AS ?all)
    WHERE { { SELECT DISTINCT ?document WHERE { ?implementer kg:implements ?document } }
            ?descendant kg:implements+ ?document } GROUP BY ?document }
  OPTIONAL { ?document eli:id_local ?id }
  OPTIONAL { ?document eli:type_document ?typeConcept OPTIONAL { ?typeConcept skos:prefLabel ?typeLabel FILTER (lang(?typeLabel) = "vi") } }
  BIND(STR(?typeLabel) AS ?typeText)
}
GROUP BY ?document ?id ?direct ?all
ORDER BY DESC(?all) DESC(?direct) ?id"""

LINK_SOURCES = "SELECT ?lower ?upper (COUNT(DISTINCT ?g) AS ?n) WHERE { GRAPH ?g { ?lower kg:implements ?upper } } GROUP BY ?lower ?upper"
DROP_SUMMARIES = f"DELETE WHERE {{ GRAPH <{META_GRAPH}> {{ ?doc kg:summary ?summary }} }}"


@pytest.fixture(scope="module")
def store_path(tmp_path_factory) -> str:
    """A store of 800 synthetic texts: trees several levels deep, links stated in several texts."""
    texts, _ = write_corpus(800, tmp_path_factory.mktemp("corpus"), seed=3)
    location = tmp_path_factory.mktemp("store") / "kg-store"
    build([texts], store=str(location))
    return str(location)


def _implemented(store, count: int) -> list[str]:
    """The `count` documents with the most implementers, the most implemented first."""
    rows = store.select(
        sparql_prefixes() + "SELECT ?doc (COUNT(*) AS ?n) WHERE { ?plan kg:implements+ ?doc }"
        f" GROUP BY ?doc ORDER BY DESC(?n) ?doc LIMIT {count}"
    )
    return [str(row["doc"]) for row in rows]


def _table(rows) -> list[tuple]:
    return sorted(tuple(sorted((name, str(value)) for name, value in row.items())) for row in rows)


@pytest.mark.parametrize(
    "summary",
    [
        Summary("129-KH/TU", None, "Kế hoạch", "province", "Hà Tĩnh", "2022-12-02", (("https://x/01", 2),)),
        Summary(None, "Điều lệ Đảng", None, None, None, None),
        Summary("1/CT-TTg", None, "Chỉ thị", "central", None, None, (("https://x/a", 1), ("https://x/b", 30))),
        Summary(None, None, None, None, None, None),
    ],
)
def test_a_summary_reads_back_as_written(summary):
    assert Summary.parse(summary.literal()) == summary


def test_tabs_and_line_breaks_inside_a_value_are_read_as_spaces():
    written = Summary("5-CT/TW", "Về việc\thọc tập\r\nvà làm theo", None, None, None, "2016-05-15")
    assert Summary.parse(written.literal()).label == "Về việc học tập và làm theo"


def test_every_document_of_a_link_has_a_summary_with_the_sources_of_its_links(store_path):
    with open_store(store_path, read_only=True) as store:
        kept = {
            str(row["doc"]): Summary.parse(str(row["summary"]))
            for row in store.select(
                sparql_prefixes()
                + f"SELECT ?doc ?summary WHERE {{ GRAPH <{META_GRAPH}> {{ ?doc kg:summary ?summary }} }}"
            )
        }
        linked = store.select(sparql_prefixes() + LINK_SOURCES)
        assert kept == summaries(store)
    assert {str(row[end]) for row in linked for end in ("lower", "upper")} == set(kept)
    assert {(str(row["lower"]), str(row["upper"]), int(row["n"])) for row in linked} == {
        (lower, upper, sources) for lower, summary in kept.items() for upper, sources in summary.implements
    }
    # The corpus states links in more than one text, and dates documents: the check means something.
    assert any(sources > 1 for summary in kept.values() for _, sources in summary.implements)
    assert sum(summary.date is not None for summary in kept.values()) > len(kept) / 2


def test_implementers_gives_what_the_graph_alone_gives(store_path):
    query = load("implementers")
    with open_store(store_path, read_only=True) as store:
        documents = _implemented(store, 40)
        for uri in documents:
            bindings = {"doc": ox.NamedNode(uri)}
            expected = store.solutions(sparql_prefixes() + IMPLEMENTERS_FROM_THE_GRAPH, bindings).rows
            assert _table(solve(store, query, bindings).rows) == _table(expected), uri
    assert len(expected) > 0


def test_trees_read_from_summaries_and_from_the_graph_alone_are_the_same(store_path, tmp_path):
    def drawn(location: str) -> list[str]:
        with open_store(location, read_only=True) as store:
            roots = [find(store, uri)[0] for uri in _implemented(store, 15)]
            return [render(tree(store, root, down=down)) for root in roots for down in (True, False)]

    from_summaries = drawn(store_path)
    bare = shutil.copytree(store_path, tmp_path / "without-summaries")
    with open_store(bare) as store:
        store.update(sparql_prefixes() + DROP_SUMMARIES)
        assert not store.ask(sparql_prefixes() + f"ASK {{ GRAPH <{META_GRAPH}> {{ ?doc kg:summary ?s }} }}")
    assert drawn(str(bare)) == from_summaries
    assert any("sources]" in text for text in from_summaries)


def test_a_build_that_removes_a_text_counts_the_sources_of_its_links_again(tmp_path):
    corpus = tmp_path / "texts"
    corpus.mkdir()
    plan = "Kế hoạch số 129-KH/TU ngày 2/12/2022 của Tỉnh ủy Hà Tĩnh thực hiện Kết luận số 01-KL/TW của Bộ Chính trị."
    (corpus / "a.txt").write_text(plan, encoding="utf-8")
    (corpus / "b.txt").write_text("Hôm nay, " + plan, encoding="utf-8")
    location = str(tmp_path / "kg-store")

    def summary_of(id_local: str) -> Summary:
        with open_store(location, read_only=True) as store:
            return next(s for s in summaries(store).values() if s.id == id_local)

    build([corpus], store=location)
    ((_, sources),) = summary_of("129-KH/TU").implements
    assert sources == 2
    (corpus / "b.txt").unlink()
    build([corpus], store=location, prune=True)
    ((_, sources),) = summary_of("129-KH/TU").implements
    assert sources == 1


# Links (implementer, implemented) -> {implemented document: (direct implementers, all implementers)}.
COUNTED = {
    "a chain": ([("c", "b"), ("b", "a")], {"a": (1, 2), "b": (1, 1)}),
    "a tree": ([("b", "a"), ("c", "a"), ("d", "b"), ("e", "b")], {"a": (2, 4), "b": (2, 2)}),
    "a shared implementer counted once": (
        [("b", "a"), ("c", "a"), ("d", "b"), ("d", "c")],
        {"a": (2, 3), "b": (1, 1), "c": (1, 1)},
    ),
    "two roots": ([("b", "a"), ("d", "c"), ("e", "d")], {"a": (1, 1), "c": (1, 2), "d": (1, 1)}),
    "a cycle reaches itself": ([("a", "b"), ("b", "a"), ("c", "a")], {"a": (2, 3), "b": (1, 3)}),
    "a link to itself": ([("a", "a"), ("b", "a")], {"a": (2, 2)}),
    "a cycle under a tree": (
        [("b", "a"), ("c", "b"), ("b", "c"), ("d", "c")],
        {"a": (1, 3), "b": (1, 3), "c": (2, 3)},
    ),
    "a cycle implemented from two sides": (
        [("x", "a"), ("a", "b"), ("b", "a"), ("y", "x"), ("z", "b"), ("y", "z")],
        {"a": (2, 5), "b": (2, 5), "x": (1, 1), "z": (1, 1)},
    ),
    "nothing": ([], {}),
}


@pytest.mark.parametrize("case", sorted(COUNTED))
def test_implementer_counts(case):
    links, expected = COUNTED[case]
    grouped: dict[str, list[tuple[str, int]]] = {}
    for lower, upper in links:
        grouped.setdefault(lower, []).append((upper, 1))
    assert implementer_counts({lower: tuple(uppers) for lower, uppers in grouped.items()}) == expected


def test_most_implemented_gives_what_the_graph_alone_gives(store_path):
    with open_store(store_path, read_only=True) as store:
        expected = store.select(sparql_prefixes() + MOST_IMPLEMENTED_FROM_THE_GRAPH)
        found = solve(store, load("most-implemented"), {}).rows
    assert _table(found) == _table(expected)

    def ordered(rows):  # documents that tie on every key may come in any order
        return [(int(row["all"]), int(row["direct"]), str(row.get("id", ""))) for row in rows]

    assert ordered(found) == ordered(expected)
    # Trees several levels deep, where `all` counts more than `direct`.
    assert sum(int(row["all"]) > int(row["direct"]) for row in expected) > 10
