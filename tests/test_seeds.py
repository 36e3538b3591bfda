"""The seeds' facts, one by one (the seeds are read from ../shared and never copied)."""

from kg import extract
from kg.read import read_source


def extraction_of(seeds, prefix):
    path = next(seeds.glob(f"{prefix}_*.txt"))
    return extract(read_source(path).text)


def by_canonical(extraction):
    return {r.canonical: r for r in extraction.references}


def test_hatinh_plans_are_placed_in_ha_tinh(seeds):
    found = {**by_canonical(extraction_of(seeds, "000")), **by_canonical(extraction_of(seeds, "002"))}
    for plan in ("129-KH/TU@Hà Tĩnh", "224-KH/TU@Hà Tĩnh", "49-KH/TU@Hà Tĩnh"):
        assert found[plan].province == "Hà Tĩnh"


def test_a_text_that_never_names_its_province_leaves_it_open(seeds):
    found = by_canonical(extraction_of(seeds, "004"))
    assert found["32-NQ/TU"].province is None


def test_a_text_without_numbered_references_yields_none(seeds):
    assert [r for r in extraction_of(seeds, "001").references if r.symbol] == []
