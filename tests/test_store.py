"""The store interface and its embedded backends (kg.store)."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID

from kg.store import GRAPH_TERM, RdflibStore, SparqlEndpointStore, StoreError, merged_lines, open_store
from kg.vocab import META_GRAPH

G = "https://example.org/g"


def quad(subject: str, graph: str = G) -> ox.Quad:
    return ox.Quad(
        ox.NamedNode(f"https://example.org/{subject}"),
        ox.NamedNode("https://example.org/p"),
        ox.Literal("v", language="vi"),
        ox.NamedNode(graph),
    )


def count(store) -> int:
    return int(store.select("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")[0]["n"])


def test_memory_store_adds_replaces_and_drops_graphs():
    with open_store("memory") as store:
        store.add([quad("a"), quad("b"), quad("c", "https://example.org/h")])
        assert count(store) == 3
        store.replace_graphs([G], [quad("d")])
        assert {str(r["s"]) for r in store.select(f"SELECT ?s WHERE {{ GRAPH <{G}> {{ ?s ?p ?o }} }}")} == {
            "https://example.org/d"
        }
        store.drop_graphs(["https://example.org/h"])
        assert count(store) == 1


def test_select_gives_rdflib_terms():
    with open_store("memory") as store:
        store.add([quad("a")])
        (row,) = store.select("SELECT ?o WHERE { GRAPH ?g { ?s ?p ?o } }")
        assert (row["o"].language, str(row["o"])) == ("vi", "v")


def test_lexical_rows_give_each_term_s_text_in_the_order_of_the_variables_on_every_embedded_backend():
    sparql = """SELECT ?o ?s ?missing WHERE {
      GRAPH ?g { ?s <https://example.org/p> ?o } OPTIONAL { ?s <https://example.org/none> ?missing }
    }"""
    with open_store("memory") as store:
        store.add([quad("a"), quad("b")])
        for backend in (store, RdflibStore(store.dataset())):
            assert sorted(backend.lexical_rows(sparql)) == [
                ("v", "https://example.org/a", None),
                ("v", "https://example.org/b", None),
            ]
            bound = backend.lexical_rows(sparql, {"s": ox.NamedNode("https://example.org/b")})
            assert bound == [("v", "https://example.org/b", None)]


def test_an_on_disk_store_keeps_its_quads_and_opens_read_only(tmp_path):
    with open_store(tmp_path / "store") as store:
        store.add([quad("a"), quad("b")])
    with open_store(tmp_path / "store", read_only=True) as store:
        assert count(store) == 2


def test_a_second_writer_is_refused_with_a_readable_error(tmp_path):
    with open_store(tmp_path / "store"):
        with pytest.raises(StoreError, match="open for writing in another process"):
            open_store(tmp_path / "store")


def test_reading_a_store_that_does_not_exist_names_it(tmp_path):
    with pytest.raises(StoreError, match="does not exist"):
        open_store(tmp_path / "none", read_only=True)


def test_the_rdflib_view_is_a_dataset_copy_with_the_merged_default_graph():
    with open_store("memory") as store:
        store.add([quad("a"), quad("b", "https://example.org/h"), quad("b", G)])
        dataset = store.dataset()
    named = {
        (str(s), str(g)) for s, _, _, g in dataset.quads((None, None, None, None)) if g != DATASET_DEFAULT_GRAPH_ID
    }
    merged = {str(s) for s, _, _ in dataset.default_graph}
    assert named == {
        ("https://example.org/a", G),
        ("https://example.org/b", "https://example.org/h"),
        ("https://example.org/b", G),
    }
    assert merged == {"https://example.org/a", "https://example.org/b"}


def test_the_default_graph_holds_each_triple_once_until_no_graph_holds_it_and_never_the_meta_graph():
    with open_store("memory") as store:
        store.add(
            [quad("a"), quad("a", "https://example.org/h"), quad("b", "https://example.org/h"), quad("m", META_GRAPH)]
        )
        assert store.select("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")[0]["n"].toPython() == 2
        store.drop_graphs(["https://example.org/h"])
        assert {str(r["s"]) for r in store.select("SELECT ?s WHERE { ?s ?p ?o }")} == {"https://example.org/a"}
        store.drop_graphs([G])
        assert store.select("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")[0]["n"].toPython() == 0


H = "https://example.org/h"
LINE_OF_G = '<https://example.org/a> <https://example.org/p> "v"@vi <https://example.org/g> .\n'
# The graph's IRI as the object, and the text of its term inside a literal: only the last term goes.
G_AS_OBJECT = "<https://example.org/a> <https://example.org/p> <https://example.org/g> <https://example.org/g> .\n"
TERM_IN_LITERAL = (
    '<https://example.org/a> <https://example.org/p> "x <https://example.org/g> .\\n" <https://example.org/g> .\n'
)
LINE_OF_H = '<https://example.org/b> <https://example.org/p> "w" <https://example.org/h> .\n'


@pytest.mark.parametrize(
    ("graph", "nquads", "merged"),
    [
        (G, "", ""),
        (G, LINE_OF_G, '<https://example.org/a> <https://example.org/p> "v"@vi .\n'),
        (G, G_AS_OBJECT, "<https://example.org/a> <https://example.org/p> <https://example.org/g> .\n"),
        (G, TERM_IN_LITERAL, '<https://example.org/a> <https://example.org/p> "x <https://example.org/g> .\\n" .\n'),
        # A line of another graph: every line is read for its own graph term.
        (
            G,
            LINE_OF_G + LINE_OF_H,
            '<https://example.org/a> <https://example.org/p> "v"@vi .\n'
            '<https://example.org/b> <https://example.org/p> "w" .\n',
        ),
        (H, LINE_OF_G, '<https://example.org/a> <https://example.org/p> "v"@vi .\n'),
    ],
)
def test_the_lines_of_a_graph_become_lines_of_the_default_graph(graph, nquads, merged):
    data = nquads.encode("utf-8")
    assert merged_lines(graph, data) == merged.encode("utf-8") == GRAPH_TERM.sub(b" .\n", data)


def test_triples_given_for_the_default_graph_are_written_there():
    nquads = ox.serialize([quad("a"), quad("b")], format=ox.RdfFormat.N_QUADS)
    with open_store("memory") as given, open_store("memory") as derived:
        given.add_graphs(nquads, merged_lines(G, nquads))
        derived.add_graphs(nquads)
        for store in (given, derived):
            assert {str(r["s"]) for r in store.select("SELECT ?s WHERE { ?s ?p ?o }")} == {
                "https://example.org/a",
                "https://example.org/b",
            }
            assert count(store) == 2


def test_a_sparql_endpoint_url_names_its_services():
    oxigraph = SparqlEndpointStore("http://localhost:7878/query")
    fuseki = SparqlEndpointStore("http://localhost:3030/ds")
    assert (oxigraph.update_url, oxigraph.store_url) == ("http://localhost:7878/update", "http://localhost:7878/store")
    assert fuseki.query_url == fuseki.update_url == fuseki.store_url == "http://localhost:3030/ds"
    assert isinstance(open_store("https://example.org/sparql"), SparqlEndpointStore)


def test_an_unreachable_endpoint_is_one_readable_error():
    with pytest.raises(StoreError, match="127.0.0.1:9"):
        SparqlEndpointStore("http://127.0.0.1:9/query").select("SELECT * WHERE { ?s ?p ?o }")
