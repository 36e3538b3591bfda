"""The domain data files: they load, agree with each other, and drive recognition."""

import csv
from importlib import resources

import pytest

from kg import extract, lexicon
from kg.recognize import place_names, read_place


def test_every_data_file_loads():
    assert len(lexicon.document_types()) > 30
    assert "TU" in lexicon.issuer_codes()
    assert any(cue.relation == "replaces" and cue.direction == "reverse" for cue in lexicon.cues())
    assert len(lexicon.provinces()) >= 63
    assert len(lexicon.districts()) >= 690
    assert {term.body for term in lexicon.terms()} == {"TW", "province", "QH"}
    assert len(lexicon.central_documents()) >= 50


def test_gazetteer_counts_before_and_after_the_2025_merger():
    before = [
        p
        for p in lexicon.provinces()
        if (p.valid_from or "") <= "2025-06-30" and (p.valid_to or "9999") >= "2025-06-30"
    ]
    after = [
        p
        for p in lexicon.provinces()
        if (p.valid_from or "") <= "2025-07-01" and (p.valid_to or "9999") >= "2025-07-01"
    ]
    assert (len(before), len(after)) == (63, 34)
    names = {p.name for p in lexicon.provinces()}
    assert all(p.successor in names for p in lexicon.provinces() if p.successor)
    assert all(d.province in names for d in lexicon.districts())


def test_cues_name_known_relations():
    from kg.model import RELATIONS

    assert {cue.relation for cue in lexicon.cues()} == set(RELATIONS)


@pytest.mark.parametrize("name", ["document_types.csv", "issuer_codes.csv", "cues.csv", "provinces.csv"])
def test_data_files_are_rectangular(name):
    with (resources.files("kg") / "data" / name).open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    assert all(len(row) == len(rows[0]) for row in rows)


def test_district_names_point_to_their_province():
    assert place_names()["Cẩm Xuyên"] == ("Hà Tĩnh", "Cẩm Xuyên")


def test_an_issuer_code_is_a_data_change(monkeypatch):
    """A new central body's code makes its documents central without touching code."""
    text = "Kế hoạch số 12-KH/BCĐXYZTW và Kế hoạch số 13-KH/BXYZ."
    before = {r.number: r.level for r in extract(text).references}
    codes = dict(lexicon.issuer_codes())
    codes["BXYZ"] = lexicon.IssuerCode("BXYZ", "Ban XYZ", "central", "party")
    monkeypatch.setattr(lexicon, "issuer_codes", lambda: codes)
    after = {r.number: r.level for r in extract(text).references}
    assert before == {"12": "central", "13": None}
    assert after == {"12": "central", "13": "central"}


@pytest.mark.parametrize("kind", lexicon.connectives("place_kind"))
def test_a_place_is_read_after_each_kind_word_of_the_data(kind):
    text = f"của {kind} Hà Tĩnh"
    assert read_place(text, len("của")) == ("Hà Tĩnh", len(text))


def test_a_word_the_data_does_not_list_as_a_kind_leads_to_no_place():
    assert read_place("của ấp Hà Tĩnh", len("của")) == (None, len("của"))
