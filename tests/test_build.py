"""Building a store from texts: the acceptance of issue 3 (kg.builder, `kg build`)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from test_graph_support import analyze_seed, copy_seeds

from kg.builder import BuildError, build, collect
from kg.cli import main
from kg.store import OxigraphStore, open_store
from kg.vocab import sparql_prefixes

ELI = "https://kg.example.org/eli/vn"
DIRECTIVE = f"{ELI}/dang/tw/ct/xii/5"
CONCLUSION = f"{ELI}/dang/tw/kl/xiii/1"
PLAN_2023 = f"{ELI}/dang/ha-tinh/tu/kh/2020-2025/129"
PLAN_2024 = f"{ELI}/dang/ha-tinh/tu/kh/2020-2025/224"


@pytest.fixture
def seeds(tmp_path: Path) -> Path:
    return copy_seeds(tmp_path / "seeds")


def quads_by_graph(store) -> dict[str, set[str]]:
    rows = store.select("SELECT ?g ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }")
    graphs: dict[str, set[str]] = {}
    for row in rows:
        graphs.setdefault(str(row["g"]), set()).add(f"{row['s'].n3()} {row['p'].n3()} {row['o'].n3()}")
    return graphs


def quad_count(store) -> int:
    return int(store.select("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")[0]["n"])


def test_the_seeds_give_one_node_per_document_and_the_implementation_chain(seeds, tmp_path):
    with open_store(tmp_path / "store") as store:
        summary = build([seeds], store=store, analyze=analyze_seed)
        assert (summary.texts, summary.built, summary.failures) == (5, 5, [])
        nodes = store.select(
            sparql_prefixes()
            + "SELECT DISTINCT ?d ?id ?place WHERE { GRAPH ?g { ?d kg:mentionedIn ?g ; eli:id_local ?id ."
            " OPTIONAL { ?d kg:locality/rdfs:label ?place } } }"
        )
        by_code: dict[str, set[tuple[str, str | None]]] = {}
        for row in nodes:
            by_code.setdefault(str(row["id"]), set()).add(
                (str(row["d"]), str(row["place"]) if "place" in row else None)
            )
        assert by_code["05-CT/TW"] == {(DIRECTIVE, None)}
        assert by_code["01-KL/TW"] == {(CONCLUSION, None)}
        assert by_code["129-KH/TU"] == {(PLAN_2023, "Hà Tĩnh")}
        assert by_code["224-KH/TU"] == {(PLAN_2024, "Hà Tĩnh")}

        edges = store.select(sparql_prefixes() + "SELECT DISTINCT ?s ?o WHERE { GRAPH ?g { ?s kg:implements ?o } }")
        assert {(PLAN_2023, CONCLUSION), (PLAN_2024, CONCLUSION), (CONCLUSION, DIRECTIVE)} <= {
            (str(r["s"]), str(r["o"])) for r in edges
        }
        evidence = store.select(
            sparql_prefixes()
            + f"""SELECT ?location ?sentence WHERE {{ GRAPH ?g {{
                ?e rdf:subject <{CONCLUSION}> ; rdf:predicate kg:implements ; rdf:object <{DIRECTIVE}> ; kg:sentence ?sentence .
                ?g kg:location ?location }} }}"""
        )
        assert sorted(Path(str(r["location"])).name[:3] for r in evidence) == ["000", "002"]
        assert all("05-CT/TW" in str(r["sentence"]) for r in evidence)


def test_building_twice_changes_nothing(seeds, tmp_path):
    with open_store(tmp_path / "store") as store:
        build([seeds], store=store, analyze=analyze_seed)
        before = quad_count(store)
        summary = build([seeds], store=store, analyze=analyze_seed)
        assert (summary.built, summary.skipped) == (0, 5)
        assert quad_count(store) == before


def test_editing_one_text_replaces_only_its_statements(seeds, tmp_path):
    with open_store(tmp_path / "store") as store:
        build([seeds], store=store, analyze=analyze_seed)
        before = quads_by_graph(store)
        edited = seeds / "002_299b4d504e5be596.txt"
        edited.write_text(edited.read_text(encoding="utf-8") + "\nMột câu mới.\n", encoding="utf-8")
        summary = build([seeds], store=store, analyze=analyze_seed)
        after = quads_by_graph(store)
    assert (summary.built, summary.skipped) == (1, 4)
    changed = {g for g in before.keys() | after.keys() if before.get(g) != after.get(g)}
    assert len(changed - {"urn:kg:meta"}) == 1
    (graph,) = changed - {"urn:kg:meta"}
    assert before[graph] - after[graph] == {q for q in before[graph] if "kg.example.org/ontology#sha256" in q}


def test_prune_removes_texts_that_are_gone(seeds, tmp_path):
    with open_store(tmp_path / "store") as store:
        build([seeds], store=store, analyze=analyze_seed)
        (seeds / "001_f1f78089c7bf323b.txt").unlink()
        kept = build([seeds], store=store, analyze=analyze_seed)
        pruned = build([seeds], store=store, analyze=analyze_seed, prune=True)
    assert (kept.texts, kept.removed) == (5, 0)
    assert (pruned.texts, pruned.removed) == (4, 1)


def test_parallel_jobs_build_the_same_graph(seeds, tmp_path):
    with open_store("memory") as serial, open_store("memory") as parallel:
        build([seeds], store=serial, analyze=analyze_seed)
        build([seeds], store=parallel, analyze=analyze_seed, jobs=2)
        assert quads_by_graph(serial) == quads_by_graph(parallel)


def test_statistics_are_kept_in_the_store(seeds, tmp_path):
    from kg.builder import read_statistics

    summary = build([seeds], store=tmp_path / "store", analyze=analyze_seed)
    with open_store(tmp_path / "store", read_only=True) as store:
        assert read_statistics(store) == {
            "texts": summary.texts,
            "documents": summary.documents,
            "relations": summary.relations,
            "unresolved": summary.unresolved,
            "warnings": summary.warnings,
        }


def test_a_text_that_cannot_be_read_fails_alone(seeds, tmp_path):
    (seeds / "broken.txt").write_bytes(b"")

    def analyze(path):
        if path.endswith("broken.txt"):
            raise ValueError(f"{path}: empty file")
        return analyze_seed(path)

    summary = build([seeds], store="memory", analyze=analyze)
    assert summary.built == 5
    assert [Path(p).name for p, _ in summary.failures] == ["broken.txt"]


def test_a_missing_path_or_a_changed_base_is_refused(seeds, tmp_path):
    with pytest.raises(BuildError, match="nowhere: no such file"):
        build([tmp_path / "nowhere"], store="memory", analyze=analyze_seed)
    build([seeds], store=tmp_path / "store", analyze=analyze_seed)
    with pytest.raises(BuildError, match="--base"):
        build([seeds], store=tmp_path / "store", analyze=analyze_seed, base="https://other.example")


def test_the_build_command_prints_a_summary(seeds, tmp_path):
    result = CliRunner().invoke(main, ["build", str(seeds), "--store", str(tmp_path / "store")])
    assert result.exit_code == 0, result.output
    assert "texts: 5 (built 5" in result.output
    for line in ("documents:", "relations:", "unresolved:", "warnings:"):
        assert line in result.output


def test_the_build_command_names_a_missing_path_in_one_line(tmp_path):
    result = CliRunner().invoke(main, ["build", str(tmp_path / "nowhere"), "--store", "memory"])
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [f"Error: {tmp_path / 'nowhere'}: no such file or directory"]


def test_a_store_open_for_writing_is_refused_in_one_line(seeds, tmp_path):
    with open_store(tmp_path / "store"):
        result = CliRunner().invoke(main, ["build", str(seeds), "--store", str(tmp_path / "store")])
    assert result.exit_code == 1
    assert "open for writing in another process" in result.output


def test_a_record_whose_url_another_file_also_gives_replaces_the_first_file_s(tmp_path):
    """A record's graph is named by its url: when a new file gives the same url, its text
    replaces the first file's in that graph instead of joining it."""
    record = '{{"text": "Tỉnh ủy Hà Tĩnh ban hành Kế hoạch số {number}-KH/TU.", "url": "https://bao.example.vn/1"}}\n'
    (tmp_path / "a.jsonl").write_text(record.format(number=12), encoding="utf-8")
    store = tmp_path / "store"
    build([tmp_path / "a.jsonl"], store=store)
    (tmp_path / "b.jsonl").write_text(record.format(number=13), encoding="utf-8")
    build([tmp_path / "a.jsonl", tmp_path / "b.jsonl"], store=store)
    with open_store(store, read_only=True) as opened:
        rows = opened.select(
            sparql_prefixes() + "SELECT ?file ?text WHERE { GRAPH ?g { ?g kg:file ?file ; kg:text ?text } }"
        )
    assert [(Path(str(row["file"])).name, "13-KH/TU" in str(row["text"])) for row in rows] == [("b.jsonl", True)]


def test_a_build_compacts_the_store_when_it_wrote_a_tenth_of_its_texts_or_more(tmp_path, monkeypatch):
    compacted: list[int] = []
    monkeypatch.setattr(OxigraphStore, "compact", lambda store: compacted.append(len(compacted)))
    texts = tmp_path / "texts"
    texts.mkdir()

    def write_plan(number: int, day: int) -> None:
        sentence = (
            f"Ngày {day}/3/2023, Tỉnh ủy Hà Tĩnh ban hành Kế hoạch số {number}-KH/TU thực hiện Chỉ thị số 05-CT/TW."
        )
        (texts / f"plan-{number}.txt").write_text(sentence + "\n", encoding="utf-8")

    for number in range(1, 21):
        write_plan(number, 1)
    outcomes = []
    for changed in [range(1, 21), (), (1,), (2, 3)]:
        for number in changed:
            write_plan(number, 2 if len(changed) < 20 else 1)
        summary = build([texts], store=tmp_path / "store")
        outcomes.append((summary.built, len(compacted)))
    # All 20 texts, none, 1 of 20 (a twentieth), 2 of 20 (a tenth).
    assert outcomes == [(20, 1), (0, 1), (1, 1), (2, 2)]


def test_a_compacted_store_holds_the_same_quads(seeds, tmp_path):
    with open_store(tmp_path / "store") as store:
        build([seeds], store=store, analyze=analyze_seed)
        before = quads_by_graph(store)
        store.compact()
        assert quads_by_graph(store) == before


def test_collect_names_each_file_once_by_its_real_path_and_a_broken_link_by_its_own(tmp_path):
    elsewhere = tmp_path / "elsewhere"
    (elsewhere / "sub").mkdir(parents=True)
    (elsewhere / "sub" / "plan.txt").write_text("Kế hoạch số 1-KH/TU.\n", encoding="utf-8")
    texts = tmp_path / "texts"
    texts.mkdir()
    (texts / "own.txt").write_text("Kế hoạch số 2-KH/TU.\n", encoding="utf-8")
    (texts / "linked.txt").symlink_to(elsewhere / "sub" / "plan.txt")
    (texts / "gone.txt").symlink_to(tmp_path / "deleted.txt")
    (texts / "folder").symlink_to(elsewhere, target_is_directory=True)  # not followed, like rglob
    (tmp_path / "shortcut").symlink_to(texts, target_is_directory=True)
    real = [str(elsewhere / "sub" / "plan.txt"), str(texts / "own.txt")]
    assert collect([texts, elsewhere / "sub" / "plan.txt"]) == sorted([*real, str(texts / "gone.txt")])
    assert collect([tmp_path / "shortcut"]) == sorted([*real, str(tmp_path / "shortcut" / "gone.txt")])
