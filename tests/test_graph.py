"""The graph stage's identity rules, URI template and quads (kg.identity, kg.graph)."""

from __future__ import annotations

import pytest
from test_graph_support import REFERENCE

from kg.graph import SourceMeta, source_quads
from kg.identity import DEFAULT_BASE, code_slug, document_uri, identify
from kg.model import Context, Evidence, Extraction, Mention, Reference, Relation
from kg.store import open_store
from kg.vocab import sparql_prefixes

BASE = DEFAULT_BASE
ELI = f"{BASE}/eli/vn"


def ref(ref_id="r0", number="05", symbol="CT/TW", **fields) -> Reference:
    fields.setdefault("level", "central")
    return Reference(ref_id, fields.pop("type", None), number, symbol, mentions=[Mention(0, 5, "x")], **fields)


@pytest.mark.parametrize(
    "family, symbol, number, period, locality, uri",
    [
        ("party", "CT/TW", "05", "XII", None, f"{ELI}/dang/tw/ct/xii/5"),
        ("party", "KH/TU", "129", "2020-2025", "ha-tinh", f"{ELI}/dang/ha-tinh/tu/kh/2020-2025/129"),
        ("party", "HD/BTGTW", "121", "XIII", None, f"{ELI}/dang/btgtw/hd/xiii/121"),
        ("state", "QĐ-TTg", "719", "2020", None, f"{ELI}/ttg/qdd/2020/719"),
        ("state", "NĐ-CP", "30/2020", "2020", None, f"{ELI}/cp/ndd/2020/30-2020"),
        ("state", "KH-UBND", "54", "2023", "ha-tinh", f"{ELI}/ha-tinh/ubnd/kh/2023/54"),
        ("law", "QH14", "45/2019", "2019", None, f"{ELI}/qh14/2019/45-2019"),
        ("state", "BNN-TT", "628", "2023", None, f"{ELI}/bnn-tt/2023/628"),
    ],
)
def test_uri_template(family, symbol, number, period, locality, uri):
    assert document_uri(BASE, family, symbol, number, period, locality) == uri


def test_diacritics_of_a_symbol_stay_distinct():
    assert code_slug("HD") != code_slug("HĐ")
    assert code_slug("DA") != code_slug("ĐA")


def test_same_number_in_two_terms_is_two_documents():
    older = identify(ref(date="2019-05-30", number="35"), None, REFERENCE, BASE)
    newer = identify(ref(date="2024-06-14", number="35"), None, REFERENCE, BASE)
    assert older.uri == f"{ELI}/dang/tw/ct/xii/35"
    assert newer.uri == f"{ELI}/dang/tw/ct/xiii/35"


def test_a_number_several_terms_share_stays_unresolved_with_candidates():
    identity = identify(ref(number="35"), "2025-03-01", REFERENCE, BASE)
    assert identity.uri is None
    assert identity.unresolved.startswith("ambiguous")
    assert identity.candidates == (f"{ELI}/dang/tw/ct/xii/35", f"{ELI}/dang/tw/ct/xiii/35")


def test_the_registry_settles_a_term_when_one_document_precedes_the_text():
    identity = identify(ref(number="35"), "2020-03-01", REFERENCE, BASE)
    assert (identity.uri, identity.period_basis) == (f"{ELI}/dang/tw/ct/xii/35", "registry")


def test_the_source_date_settles_a_term_the_registry_does_not_know():
    identity = identify(ref(number="58", symbol="KH/BTGTW"), "2023-12-22", REFERENCE, BASE)
    assert (identity.uri, identity.period_basis) == (f"{ELI}/dang/btgtw/kh/xiii/58", "source date")


def test_a_term_stated_by_the_extractor_is_used_as_written_in_the_term_table():
    identity = identify(ref(number="58", symbol="KH/BTGTW", term="khóa XIII"), None, REFERENCE, BASE)
    assert identity.period == "XIII"


def test_local_symbols_include_the_locality():
    ha_tinh = identify(
        ref(number="129", symbol="KH/TU", level="province", province="Ha Tinh", date="2022-12-02"),
        None,
        REFERENCE,
        BASE,
    )
    bac_kan = identify(
        ref(number="129", symbol="KH/TU", level="province", province="Bắc Kạn", date="2022-12-02"),
        None,
        REFERENCE,
        BASE,
    )
    assert ha_tinh.uri == f"{ELI}/dang/ha-tinh/tu/kh/2020-2025/129"  # the alias is the gazetteer's name
    assert bac_kan.uri == f"{ELI}/dang/bac-kan/tu/kh/2020-2025/129"


@pytest.mark.parametrize(
    "reference, reason",
    [
        (ref(number="129", symbol="KH/TU", level="province", date="2022-12-02"), "locality unknown"),
        (ref(number="12", symbol="KH/HU", level="district", province="Hà Tĩnh", date="2022-12-02"), "district unknown"),
        (ref(number="05", symbol=None, complete=False), "incomplete"),
        (ref(number=None, symbol=None, label="Chương trình hành động"), "no number"),
        (ref(number="129", symbol="KH/TU", level=None), "level unknown"),
        (ref(number="54", symbol="KH-UBND", level="province", province="Hà Tĩnh", family="state"), "year unknown"),
    ],
)
def test_what_a_text_does_not_settle_stays_unresolved(reference, reason):
    identity = identify(reference, "2023-01-01", REFERENCE, BASE)
    assert (identity.uri, identity.unresolved) == (None, reason)


def test_a_district_document_is_identified_with_its_district():
    identity = identify(
        ref(number="12", symbol="KH/HU", level="district", province="Hà Tĩnh", district="Can Lộc", date="2022-12-02"),
        None,
        REFERENCE,
        BASE,
    )
    assert identity.uri == f"{ELI}/dang/ha-tinh/can-loc/hu/kh/2020-2025/12"


def test_state_years_come_from_the_number_the_date_or_the_registry():
    normative = identify(ref(number="30", symbol="NĐ-CP", year="2020", family="state"), None, REFERENCE, BASE)
    registry = identify(ref(number="719", symbol="QĐ-TTg", family="state"), "2023-01-01", REFERENCE, BASE)
    assert normative.uri == f"{ELI}/cp/ndd/2020/30-2020"
    assert normative.id_local == "30/2020/NĐ-CP"
    assert (registry.uri, registry.period_basis) == (f"{ELI}/ttg/qdd/2020/719", "registry")


def _extraction(date: str) -> Extraction:
    sentence = "Kế hoạch số 129-KH/TU thực hiện Kết luận số 01-KL/TW"
    references = [
        ref(
            "plan",
            "129",
            "KH/TU",
            level="province",
            province="Hà Tĩnh",
            date="2022-12-02",
            type="Kế hoạch",
            issuer="Ban Thường vụ Tỉnh ủy",
        ),
        ref("conclusion", "01", "KL/TW", date=date, type="Kết luận", issuer="Bộ Chính trị"),
    ]
    relation = Relation("plan", "implements", "conclusion", "thực hiện", Evidence(0, len(sentence), sentence))
    return Extraction(None, Context("Hà Tĩnh", None, "2023-01-05"), references, [relation])


def _store_of(*extractions: Extraction):
    store = open_store("memory")
    for index, extraction in enumerate(extractions):
        source = SourceMeta(f"/texts/{index}.txt", f"{index:064x}", "2023-01-05", "Hà Tĩnh", "test")
        store.add(source_quads(extraction, source, REFERENCE, BASE, "test"))
    return store


def test_evidence_is_reachable_from_the_edge_by_sparql():
    store = _store_of(_extraction("2021-05-18"))
    rows = store.select(
        sparql_prefixes()
        + """SELECT ?sentence ?start ?end ?cue ?version ?location WHERE {
            GRAPH ?g { ?plan kg:implements ?conclusion .
                       ?e rdf:subject ?plan ; rdf:predicate kg:implements ; rdf:object ?conclusion ;
                          kg:sentence ?sentence ; kg:start ?start ; kg:end ?end ; kg:cue ?cue ;
                          kg:extractorVersion ?version ; prov:wasDerivedFrom ?g .
                       ?g kg:location ?location } }"""
    )
    assert len(rows) == 1
    row = rows[0]
    assert (int(row["start"]), int(row["end"]), str(row["cue"]), str(row["location"])) == (
        0,
        52,
        "thực hiện",
        "/texts/0.txt",
    )


def test_conflicting_dates_are_all_kept_each_in_its_source_graph():
    store = _store_of(_extraction("2021-05-18"), _extraction("2021-05-19"))
    rows = store.select(
        f"SELECT ?date ?g WHERE {{ GRAPH ?g {{ <{ELI}/dang/tw/kl/xiii/1> <http://data.europa.eu/eli/ontology#date_document> ?date }} }} ORDER BY ?date"
    )
    assert [str(r["date"]) for r in rows] == ["2021-05-18", "2021-05-19"]
    assert len({r["g"] for r in rows}) == 2


def test_a_relation_to_an_unknown_reference_becomes_a_warning():
    extraction = _extraction("2021-05-18")
    extraction.relations.append(Relation("plan", "implements", "ghost", "thực hiện", Evidence(0, 1, "K")))
    store = _store_of(extraction)
    warnings = store.select("SELECT ?w WHERE { GRAPH ?g { ?g <https://kg.example.org/ontology#warning> ?w } }")
    assert len(warnings) == 1 and "ghost" in str(warnings[0]["w"])


def test_a_text_describes_each_issuer_and_place_once_however_often_it_names_them():
    plans = [
        ref(f"plan{number}", str(number), "KH/TU", level="province", province="Hà Tĩnh", issuer="Ban Thường vụ Tỉnh ủy")
        for number in (129, 130, 131)
    ]
    source = SourceMeta("/texts/plans.txt", "0" * 64, "2023-01-05", "Hà Tĩnh", "test")
    quads = source_quads(
        Extraction(None, Context("Hà Tĩnh", None, "2023-01-05"), plans, []), source, REFERENCE, BASE, "test"
    )
    assert len(quads) == len(set(quads))
    store = open_store("memory")
    store.add(quads)
    rows = store.select(
        sparql_prefixes()
        + """SELECT ?plan ?agent ?agentLabel ?place ?placeLabel WHERE {
            ?plan eli:passed_by ?agent ; kg:locality ?place .
            ?agent a kg:Agent ; rdfs:label ?agentLabel ; kg:locality ?place .
            ?place a kg:Place ; rdfs:label ?placeLabel }"""
    )
    assert len(rows) == 3
    assert {(str(row["agentLabel"]), str(row["placeLabel"])) for row in rows} == {("Ban Thường vụ Tỉnh ủy", "Hà Tĩnh")}
