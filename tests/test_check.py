"""SHACL validation, conflicts and unresolved references (kg.check, `kg check`)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from test_graph_support import analyze_seed, copy_seeds

from kg.builder import build
from kg.check import check, format_report
from kg.cli import main
from kg.store import open_store
from kg.vocab import sparql_prefixes

CONCLUSION = "https://kg.example.org/eli/vn/dang/tw/kl/xiii/1"
DIRECTIVE = "https://kg.example.org/eli/vn/dang/tw/ct/xii/5"


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    build([copy_seeds(tmp_path / "seeds")], store=tmp_path / "store", analyze=analyze_seed)
    return tmp_path / "store"


def test_the_seeds_graph_passes(store_path):
    result = CliRunner().invoke(main, ["check", "--store", str(store_path)])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("The graph conforms to the shapes.")
    assert "6 unresolved reference(s)." in result.output
    assert "'Nghị quyết số 04' in " in result.output and ": incomplete" in result.output


def break_graph(store_path: Path, sparql: str) -> None:
    """An update of the named graphs, then the default graph rebuilt, as `kg query --update` does."""
    with open_store(store_path) as store:
        store.update(sparql_prefixes() + sparql)
        store.remerge()


def test_a_default_graph_out_of_step_is_found_and_remerged(store_path):
    with open_store(store_path) as store:
        store.update(f"DELETE WHERE {{ <{DIRECTIVE}> ?p ?o }} ; INSERT DATA {{ <{DIRECTIVE}> <{DIRECTIVE}> 1 }}")
    result = CliRunner().invoke(main, ["check", "--store", str(store_path)])
    assert result.exit_code == 1
    assert "the default graph is out of step with the named graphs it merges (" in result.output
    assert "triples missing, 1 held by no graph); `kg build --remerge` rebuilds it" in result.output
    rebuilt = CliRunner().invoke(
        main, ["build", str(store_path.parent / "seeds"), "--store", str(store_path), "--remerge"]
    )
    assert rebuilt.exit_code == 0, rebuilt.output
    assert CliRunner().invoke(main, ["check", "--store", str(store_path)]).exit_code == 0


def test_an_edge_without_evidence_fails_readably(store_path):
    break_graph(
        store_path,
        f"DELETE {{ GRAPH ?g {{ ?e ?p ?o }} }} WHERE {{ GRAPH ?g {{ ?e rdf:subject <{CONCLUSION}> ; rdf:object <{DIRECTIVE}> ; ?p ?o }} }}",
    )
    result = CliRunner().invoke(main, ["check", "--store", str(store_path)])
    assert result.exit_code == 1
    assert result.output.startswith("The graph is broken: 2 shape violation(s).")  # one per text
    assert (
        f"01-KL/TW <{CONCLUSION}> kg:implements edge to {DIRECTIVE} has no evidence in its text's graph"
        in result.output
    )
    assert "000_c80d4fcd2b087b4f.txt" in result.output  # names the texts that state the node


def test_a_malformed_date_and_a_missing_term_are_reported(store_path):
    break_graph(
        store_path,
        f"""DELETE {{ GRAPH ?g {{ <{CONCLUSION}> eli:date_document ?d }} }}
            INSERT {{ GRAPH ?g {{ <{CONCLUSION}> eli:date_document "18/5/2021" }} }}
            WHERE {{ GRAPH ?g {{ <{CONCLUSION}> eli:date_document ?d }} }} ;
            DELETE WHERE {{ GRAPH ?g {{ <{DIRECTIVE}> kg:term ?t }} }}""",
    )
    with open_store(store_path, read_only=True) as store:
        report = check(store)
    messages = {(v.focus.split()[0], v.path, v.message) for v in report.violations}
    assert ("01-KL/TW", "eli:date_document", "a document date must be an xsd:date") in messages
    assert ("05-CT/TW", "kg:term", "a Party document is identified only with its term (kg:term)") in messages
    assert not report.conforms


def test_two_dates_for_one_document_are_listed_as_a_conflict(store_path):
    break_graph(
        store_path,
        f"""INSERT {{ GRAPH ?g {{ <{CONCLUSION}> eli:date_document "2021-05-19"^^xsd:date }} }}
            WHERE {{ GRAPH ?g {{ ?g kg:location ?l FILTER (CONTAINS(?l, "002_")) }} }}""",
    )
    with open_store(store_path, read_only=True) as store:
        report = check(store)
    assert report.conforms
    (conflict,) = report.conflicts
    assert conflict.document == "01-KL/TW"
    assert [value for value, _ in conflict.values] == ["2021-05-18", "2021-05-18", "2021-05-18", "2021-05-19"]
    assert "01-KL/TW eli:date_document: 2021-05-18 in " in format_report(report)
