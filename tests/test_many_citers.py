"""Hundreds of texts citing the same documents: every text restates what it says of them,
and no query, view or analysis may pay for the product of those restatements (they did:
a library query over 400 such texts ran for minutes). The bounds only catch blow-ups."""

from __future__ import annotations

import time

import pyoxigraph as ox
import pytest

from kg.analyze import analyze
from kg.builder import build
from kg.check import check
from kg.queries import library, solve
from kg.store import open_store
from kg.trace import find, tree
from kg.viz import view_graph

TEXTS = 400
CONCLUSION = "https://kg.example.org/eli/vn/dang/tw/kl/xiii/1"  # 01-KL/TW
DIRECTIVE = "https://kg.example.org/eli/vn/dang/tw/ct/xii/5"  # 05-CT/TW
BOUND_SECONDS = 20


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    texts = tmp_path_factory.mktemp("texts")
    for number in range(1, TEXTS + 1):
        (texts / f"{number:04}.txt").write_text(
            f"Ngày 05/6/2023, Ban Thường vụ Huyện ủy Can Lộc ban hành Kế hoạch số {number}-KH/HU thực hiện"
            " Kết luận số 01-KL/TW ngày 18/5/2021 của Bộ Chính trị về tiếp tục thực hiện Chỉ thị số 05-CT/TW"
            " ngày 15/5/2016 của Bộ Chính trị.\n",
            encoding="utf-8",
        )
    location = tmp_path_factory.mktemp("store") / "store"
    started = time.monotonic()
    summary = build([texts], store=location)
    assert time.monotonic() - started < 6 * BOUND_SECONDS
    assert (summary.texts, summary.failures) == (TEXTS, [])
    with open_store(location, read_only=True) as opened:
        yield opened


def bindings(query) -> dict[str, ox.NamedNode]:
    plan = "https://kg.example.org/eli/vn/dang/ha-tinh/can-loc/hu/kh/2020-2025/7"
    values = {"doc": CONCLUSION, "target": CONCLUSION, "to": DIRECTIVE, "from": plan, "source": plan}
    return {p.name: ox.NamedNode(values[p.name]) for p in query.parameters if p.name in values}


@pytest.mark.parametrize("query", library(), ids=lambda q: q.name)
def test_every_library_query_stays_fast(store, query):
    started = time.monotonic()
    solve(store, query, bindings(query))
    assert time.monotonic() - started < BOUND_SECONDS


def test_the_conclusion_has_one_implementer_per_text_and_the_default_graph_states_it_once(store):
    (row,) = store.select(
        f"SELECT (COUNT(*) AS ?n) WHERE {{ <{CONCLUSION}> <https://kg.example.org/ontology#implements> ?x }}"
    )
    assert int(row["n"]) == 1
    (conclusion,) = find(store, "01-KL/TW")
    assert len(tree(store, conclusion).children) == TEXTS


def test_views_checks_and_analyses_stay_fast(store):
    started = time.monotonic()
    graph = view_graph(store)
    assert graph.nodes[CONCLUSION]["sources"] == TEXTS
    assert check(store).conforms
    analyze(store)
    assert time.monotonic() - started < 3 * BOUND_SECONDS


def test_pruned_texts_leave_nothing_of_theirs_in_the_default_graph(tmp_path):
    texts = tmp_path / "texts"
    texts.mkdir()
    for number in range(1, 51):
        (texts / f"{number:02}.txt").write_text(
            f"Ban Thường vụ Huyện ủy Can Lộc ban hành Kế hoạch số {number}-KH/HU ngày 05/6/2023 thực hiện"
            " Kết luận số 01-KL/TW ngày 18/5/2021 của Bộ Chính trị.\n",
            encoding="utf-8",
        )
    location = tmp_path / "store"
    build([texts], store=location)
    for path in sorted(texts.iterdir())[1:]:
        path.unlink()
    assert build([texts], store=location, prune=True).removed == 49
    implementers = f"SELECT ?plan WHERE {{ ?plan <https://kg.example.org/ontology#implements> <{CONCLUSION}> }}"
    with open_store(location, read_only=True) as opened:
        assert len(opened.select(implementers)) == 1
        assert len(opened.select("SELECT ?e WHERE { ?e <https://kg.example.org/ontology#sentence> ?s }")) == 1
        assert check(opened).conforms
