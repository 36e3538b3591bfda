"""The Dask pipeline and the bulk loader (kg.partitions, `kg partition`, `kg load`): its
partitions, loaded, give the store `kg build` gives of the same texts."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from test_store_http import content, endpoint  # noqa: F401 (endpoint: Oxigraph server and Virtuoso, a fixture)

from kg.builder import build
from kg.cli import main
from kg.partitions import load, partition
from kg.store import open_store

CORPUS = Path(__file__).parent / "fixtures" / "corpus"
RECORDS = [
    {
        "text": "Ngày 9/5/2023, Ban Thường vụ Tỉnh ủy Hà Tĩnh ban hành Kế hoạch số 140-KH/TU thực hiện"
        " Kết luận số 01-KL/TW ngày 18/5/2021 của Bộ Chính trị.",
        "url": "https://bao.example.vn/ha-tinh/140",
        "province": "Hà Tĩnh",
    },
    {
        "text": "Huyện ủy Can Lộc ra Kế hoạch số 61-KH/HU để cụ thể hóa Kế hoạch số 140-KH/TU của Tỉnh ủy.",
        "url": "https://bao.example.vn/can-loc/61",
        "province": "Hà Tĩnh",
        "date": "2023-06-01",
    },
]


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    """The query tests' texts, a JSON Lines file of two records and one bad line, and an empty file."""
    folder = shutil.copytree(CORPUS, tmp_path / "corpus", ignore=shutil.ignore_patterns("*.md"))
    lines = [json.dumps(record, ensure_ascii=False) for record in RECORDS] + ["{not json"]
    (folder / "scraped.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (folder / "empty.txt").write_text("", encoding="utf-8")
    return folder


def every_quad(store: Path) -> set[str]:
    """The quads of an embedded store, the merged default graph's and the meta graph's too."""
    return {str(quad) for quad in ox.Store.read_only(str(store))}


def built(corpus: Path, store: Path) -> set[str]:
    build([corpus], store=store)
    return every_quad(store)


def test_loaded_partitions_give_the_store_kg_build_gives_and_it_checks(corpus, tmp_path):
    parts = tmp_path / "parts"
    written = partition([corpus], parts, files_per_partition=3, scheduler="sync")
    assert [path.name for path in written.partitions] == ["part-00000.nq", "part-00001.nq", "part-00002.nq"]
    assert written.texts == 8  # six texts, two records
    assert sorted((Path(file).name, message.split(": ")[-1]) for file, message in written.failures) == [
        ("empty.txt", "empty file, no text to read"),
        ("scraped.jsonl", "not JSON (Expecting property name enclosed in double quotes); fix or remove the line"),
    ]

    loaded = load([parts], store=tmp_path / "loaded")
    assert (loaded.loaded, loaded.replaced, loaded.statistics["texts"]) == (8, 0, 8)
    assert every_quad(tmp_path / "loaded") == built(corpus, tmp_path / "built")
    checked = CliRunner().invoke(main, ["check", "--store", str(tmp_path / "loaded")])
    assert checked.exit_code == 0, checked.output


def test_partitions_hold_each_text_named_graph_and_the_same_bytes_on_every_scheduler(corpus, tmp_path):
    one = partition([corpus], tmp_path / "sync", files_per_partition=2, scheduler="sync")
    other = partition([corpus], tmp_path / "processes", files_per_partition=2, scheduler="processes")
    assert [path.read_bytes() for path in one.partitions] == [path.read_bytes() for path in other.partitions]
    everything = b"".join(path.read_bytes() for path in one.partitions)
    quads = list(ox.parse(everything, format=ox.RdfFormat.N_QUADS))
    assert all(quad.graph_name != ox.DefaultGraph() for quad in quads)
    texts = [text for text in everything.split(b"\n\n") if text.strip()]
    graphs = {quad.graph_name.value for quad in quads}
    assert len(texts) == len(graphs) == one.texts
    assert not any(path.with_suffix(".nq.partial").exists() for path in one.partitions)


def test_loading_replaces_the_texts_the_store_held(corpus, tmp_path):
    expected = built(corpus, tmp_path / "built")
    parts = tmp_path / "parts"
    partition([corpus], parts, scheduler="sync")
    edited = corpus / "quang-binh-2023-ke-hoach-17.txt"
    edited.write_text(edited.read_text(encoding="utf-8").replace("17-KH/TU", "71-KH/TU"), encoding="utf-8")
    (corpus / "scraped.jsonl").write_text(json.dumps(RECORDS[0], ensure_ascii=False) + "\n", encoding="utf-8")
    build([corpus], store=tmp_path / "store")

    loaded = load(sorted(parts.glob("*.nq")), store=tmp_path / "store")
    assert (loaded.loaded, loaded.replaced) == (8, 7)  # all but the record that was left out
    assert every_quad(tmp_path / "store") == expected


def test_a_partition_with_a_line_that_is_not_n_quads_is_refused_in_one_line_that_names_it(corpus, tmp_path):
    parts = tmp_path / "parts"
    written = partition([corpus], parts, files_per_partition=3, scheduler="sync").partitions
    # A space in a document's IRI, in the last text of the second of three partitions that
    # one write of the loader takes together: the line's number tells which file it is in.
    texts = written[1].read_bytes().split(b"\n\n")
    texts[-2] = texts[-2].replace(b"/eli/", b"/e li/", 1)
    written[1].write_bytes(b"\n\n".join(texts))
    assert b"/e li/" in written[1].read_bytes()

    loaded = CliRunner().invoke(main, ["-q", "load", str(parts), "--store", str(tmp_path / "store")])
    assert loaded.exit_code == 1
    assert loaded.stderr == f"Error: {written[1]}: a line is not N-Quads (Invalid IRI code point ' ')\n"


def test_the_commands_partition_and_load_and_report_unreadable_files(corpus, tmp_path):
    parts, store = tmp_path / "parts", tmp_path / "store"
    partitioned = CliRunner().invoke(main, ["partition", str(corpus), "-o", str(parts), "--scheduler", "sync"])
    assert partitioned.exit_code == 2  # some files could not be read; the others are in the partitions
    assert partitioned.stdout == f"partitions: 1 in {parts}\ntexts: 8\n"
    assert "empty.txt: empty file" in partitioned.stderr
    loaded = CliRunner().invoke(main, ["-q", "load", str(parts), "--store", str(store)])
    assert loaded.exit_code == 0, loaded.output
    assert loaded.stdout.startswith("texts: 8 (loaded 8, replacing 0)\ndocuments: ")


def test_partitions_of_another_base_a_used_folder_and_a_bad_scheduler_are_refused_in_one_line(corpus, tmp_path):
    parts = tmp_path / "parts"
    runner = CliRunner()
    arguments = ["partition", str(corpus), "-o", str(parts), "--scheduler", "sync", "--base", "https://other.example"]
    assert runner.invoke(main, arguments).exit_code == 2
    again = runner.invoke(main, arguments)
    assert again.exit_code == 1
    assert again.stderr == f"Error: {parts}: holds partitions already; remove them or give another folder\n"

    loaded = runner.invoke(main, ["-q", "load", str(parts), "--store", str(tmp_path / "store")])
    assert loaded.exit_code == 1
    assert loaded.stderr.splitlines() == [
        f"Error: {parts / 'part-00000.nq'}: texts graphed under https://other.example, the store's base is"
        " https://kg.example.org; give kg load the --base the partitions were made with"
    ]
    with_base = runner.invoke(
        main, ["-q", "load", str(parts), "--store", str(tmp_path / "store"), "--base", "https://other.example"]
    )
    assert with_base.exit_code == 0, with_base.output

    scheduler = runner.invoke(main, ["partition", str(corpus), "-o", str(tmp_path / "new"), "--scheduler", "fast"])
    assert scheduler.exit_code == 1
    assert scheduler.stderr.startswith("Error: --scheduler fast: give sync, threads, processes or a cluster's")


def test_a_cluster_given_by_its_address_writes_the_same_partitions(corpus, tmp_path):
    from distributed import LocalCluster

    local = partition([corpus], tmp_path / "local", files_per_partition=4, scheduler="sync")
    with LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None) as cluster:
        remote = partition([corpus], tmp_path / "cluster", files_per_partition=4, scheduler=cluster.scheduler_address)
    assert cluster.scheduler_address.startswith("tcp://")
    assert [path.read_bytes() for path in remote.partitions] == [path.read_bytes() for path in local.partitions]
    assert remote.failures == local.failures


def test_partitions_load_into_a_sparql_server_as_into_the_embedded_store(endpoint, corpus, tmp_path):  # noqa: F811
    parts = tmp_path / "parts"
    partition([corpus], parts, scheduler="sync")
    load([parts], store=endpoint)
    load([parts], store=tmp_path / "embedded")
    with open_store(endpoint) as remote, open_store(tmp_path / "embedded", read_only=True) as local:
        quads, triples = content(remote)
        assert (quads, triples) == content(local)
    assert len(quads) + len(triples) == len(every_quad(tmp_path / "embedded"))
