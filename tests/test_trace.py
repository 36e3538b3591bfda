"""`kg trace`: the implementation tree of a document, read from a built graph."""

import pytest
from click.testing import CliRunner

from kg import build, open_store
from kg.cli import main
from kg.trace import find, render, tree


@pytest.fixture(scope="module")
def seeds_store(tmp_path_factory, seeds):
    location = tmp_path_factory.mktemp("store") / "kg-store"
    build([seeds], store=str(location))
    return str(location)


def test_05_ct_tw_has_01_kl_tw_with_both_ha_tinh_plans_beneath(seeds_store):
    with open_store(seeds_store, read_only=True) as store:
        (directive,) = find(store, "05-CT/TW")
        root = tree(store, directive)
    (conclusion,) = root.children
    assert conclusion.name == "01-KL/TW"
    assert conclusion.sources == 2
    assert [(plan.name, plan.locality) for plan in conclusion.children] == [
        ("129-KH/TU", "Hà Tĩnh"),
        ("224-KH/TU", "Hà Tĩnh"),
    ]


@pytest.mark.parametrize(
    "asked",
    [
        "05-CT/TW",
        "Chỉ thị 05",
        "chỉ thị số 05-CT/TW của Bộ Chính trị",
        "https://kg.example.org/eli/vn/dang/tw/ct/xii/5",
    ],
)
def test_documents_are_found_the_ways_people_write_them(seeds_store, asked):
    with open_store(seeds_store, read_only=True) as store:
        assert [d.name for d in find(store, asked)] == ["05-CT/TW"]


def test_up_shows_what_a_plan_implements(seeds_store):
    with open_store(seeds_store, read_only=True) as store:
        (plan,) = find(store, "Kế hoạch 224-KH/TU của Tỉnh ủy Hà Tĩnh")
        drawn = render(tree(store, plan, down=False))
    assert drawn.splitlines()[0].startswith("Kế hoạch 224-KH/TU · Hà Tĩnh")
    assert "└─ Chỉ thị 05-CT/TW · central · 2016-05-15" in drawn


def test_cli_trace_and_its_errors(seeds_store):
    runner = CliRunner()
    result = runner.invoke(main, ["trace", "05-CT/TW", "--store", seeds_store])
    assert result.exit_code == 0
    assert "Kế hoạch 129-KH/TU · Hà Tĩnh · 2022-12-02  [1 source]" in result.output
    missing = runner.invoke(main, ["trace", "99-CT/TW", "--store", seeds_store])
    assert missing.exit_code == 1
    assert "no document" in missing.output and "99-CT/TW" in missing.output


@pytest.mark.parametrize(
    "asked,message",
    [
        ("https://kg.example.org/eli/vn/none", "no document in"),
        ("https://kg.example.org/x> } ; DROP ALL ; #", "not an IRI (Invalid IRI code point '>')"),
    ],
)
def test_an_iri_the_graph_lacks_or_that_is_no_iri_is_one_line(seeds_store, asked, message):
    result = CliRunner().invoke(main, ["trace", asked, "--store", seeds_store])
    assert result.exit_code == 1
    assert len(result.output.splitlines()) == 1 and message in result.output
