"""Exports of a built store (kg.export, `kg export`)."""

from __future__ import annotations

import csv
from pathlib import Path

import networkx as nx
import pytest
import rdflib
import rdflib.compare
from click.testing import CliRunner
from test_graph_support import analyze_seed, copy_seeds

from kg.builder import build
from kg.cli import main
from kg.export import ExportError, export
from kg.store import open_store


@pytest.fixture(scope="module")
def store_path(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("export")
    build([copy_seeds(folder / "seeds")], store=folder / "store", analyze=analyze_seed)
    return folder / "store"


def test_trig_loaded_into_a_fresh_store_is_isomorphic(store_path, tmp_path):
    result = CliRunner().invoke(
        main, ["export", "--format", "trig", "-o", str(tmp_path / "all.trig"), "--store", str(store_path)]
    )
    assert result.exit_code == 0, result.output
    with open_store(store_path, read_only=True) as original, open_store("memory") as fresh:
        fresh.load((tmp_path / "all.trig").read_bytes(), "trig")
        left, right = original.dataset(), fresh.dataset()
    names = {str(g.identifier) for g in left.graphs()}
    assert names == {str(g.identifier) for g in right.graphs()}
    for name in names:
        assert rdflib.compare.isomorphic(left.graph(rdflib.URIRef(name)), right.graph(rdflib.URIRef(name))), name


@pytest.mark.parametrize("format_, rdflib_format", [("nq", "nquads"), ("jsonld", "json-ld"), ("ttl", "turtle")])
def test_rdf_exports_parse(store_path, tmp_path, format_, rdflib_format):
    path = tmp_path / f"out.{format_}"
    with open_store(store_path, read_only=True) as store:
        export(store, format_, path)
    parsed = rdflib.Dataset().parse(path, format=rdflib_format)
    assert len(parsed) > 100 or len(list(parsed.quads())) > 100


def test_graphml_holds_the_document_graph(store_path, tmp_path):
    with open_store(store_path, read_only=True) as store:
        export(store, "graphml", tmp_path / "g.graphml")
    graph = nx.read_graphml(tmp_path / "g.graphml", force_multigraph=True)
    conclusion = "https://kg.example.org/eli/vn/dang/tw/kl/xiii/1"
    directive = "https://kg.example.org/eli/vn/dang/tw/ct/xii/5"
    assert graph.nodes[conclusion]["label"] == "01-KL/TW"
    (edge,) = graph.get_edge_data(conclusion, directive).values()
    assert (edge["relation"], edge["sources"]) == ("implements", 2)


def test_csv_writes_nodes_and_edges(store_path, tmp_path):
    with open_store(store_path, read_only=True) as store:
        export(store, "csv", tmp_path / "csv")
    nodes = list(csv.DictReader((tmp_path / "csv" / "nodes.csv").open(encoding="utf-8")))
    edges = list(csv.DictReader((tmp_path / "csv" / "edges.csv").open(encoding="utf-8")))
    assert {"01-KL/TW", "05-CT/TW", "129-KH/TU"} <= {n["label"] for n in nodes}
    assert {e["relation"] for e in edges} == {"implements", "cites"}
    with pytest.raises(ExportError, match="--output"):
        export(store, "csv", None)


def test_csv_nodes_carry_every_stated_date_and_their_own_type(seeds, tmp_path):
    """With the real extractor: dates stated in any text or the registry, and a
    document without a number keeps its own type, not another concept's."""
    store = tmp_path / "store"
    build([seeds], store=str(store))
    with open_store(str(store), read_only=True) as opened:
        export(opened, "csv", tmp_path / "csv")
    with (tmp_path / "csv" / "nodes.csv").open(encoding="utf-8") as handle:
        rows = {row["label"]: row for row in csv.DictReader(handle)}
    assert rows["05-CT/TW"]["date"] == "2016-05-15"
    assert rows["129-KH/TU"]["date"] == "2022-12-02"
    assert rows["Chương trình hành động thực hiện 28-NQ/TW"]["type"] == "Chương trình"
