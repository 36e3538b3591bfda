"""The query library (queries/, kg.queries) and `kg query`, `kg queries`: every query's rows
on a fixture graph, the same rows from rdflib's engine, parameters that cannot change a
query, and the results formats."""

from __future__ import annotations

import csv
import io
import json
import time
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from kg import build, open_store
from kg.cli import main
from kg.queries import QueryError, library, load, parse, run, solve
from kg.store import RdflibStore, StoreError, with_values

CORPUS = Path(__file__).parent / "fixtures" / "corpus"
ELI = "https://kg.example.org/eli/vn"
DIRECTIVE = f"{ELI}/dang/tw/ct/xii/5"  # 05-CT/TW
CONCLUSION = f"{ELI}/dang/tw/kl/xiii/1"  # 01-KL/TW
HA_TINH_PLAN = f"{ELI}/dang/ha-tinh/tu/kh/2020-2025/129"
NGHE_AN_PLAN = f"{ELI}/dang/nghe-an/tu/kh/2020-2025/45"
# Bindings of the parameters, as IRIs so that every backend gets the same terms.
BINDINGS = {"doc": CONCLUSION, "from": HA_TINH_PLAN, "to": DIRECTIVE, "source": HA_TINH_PLAN, "target": CONCLUSION}


@pytest.fixture(scope="module")
def store_path(tmp_path_factory) -> str:
    location = str(tmp_path_factory.mktemp("fixture") / "kg-store")
    build([CORPUS], store=location)
    return location


@pytest.fixture(scope="module")
def store(store_path):
    with open_store(store_path, read_only=True) as opened:
        yield opened


def bindings_of(query) -> dict[str, ox.NamedNode]:
    return {p.name: ox.NamedNode(BINDINGS[p.name]) for p in query.parameters if p.name in BINDINGS}


def rows(store, name: str, columns: str, **arguments: str) -> list[tuple[str, ...]]:
    solutions = run(store, load(name), arguments) if arguments else solve(store, load(name), bindings_of(load(name)))
    return [tuple(str(row.get(column, "")) for column in columns.split()) for row in solutions.rows]


def text_name(location: str) -> str:
    return Path(location).name


EXPECTED = {
    "implementers": (
        "id type level locality date implements direct",
        [
            ("129-KH/TU", "Kế hoạch", "province", "Hà Tĩnh", "2022-12-02", "01-KL/TW", "true"),
            ("45-KH/TU", "Kế hoạch", "province", "Nghệ An", "2023-03-10", "01-KL/TW", "true"),
            ("12-KH/HU", "Kế hoạch", "district", "Nam Đàn", "2023-04-05", "45-KH/TU", "false"),
        ],
    ),
    "relations": (
        "direction relation name sources",
        [
            ("in", "implements", "129-KH/TU", "1"),
            ("in", "implements", "45-KH/TU", "1"),
            ("out", "implements", "05-CT/TW", "1"),
        ],
    ),
    "document": (
        "id type locality level date sources",
        [("01-KL/TW", "Kết luận", "", "central", "2021-05-18", "2")],
    ),
    "most-implemented": (
        "id type direct all",
        [
            ("05-CT/TW", "Chỉ thị", "1", "4"),
            ("01-KL/TW", "Kết luận", "2", "3"),
            ("17-KH/TU", "Kế hoạch", "1", "2"),
            ("18-KH/TU", "Kế hoạch", "1", "2"),
            ("", "Nghị quyết", "1", "1"),
            ("45-KH/TU", "Kế hoạch", "1", "1"),
        ],
    ),
    "timeline": (
        "date daysAfter id locality",
        [
            ("2022-12-02", "563", "129-KH/TU", "Hà Tĩnh"),
            ("2023-03-10", "661", "45-KH/TU", "Nghệ An"),
            ("2023-04-05", "687", "12-KH/HU", "Nam Đàn"),
        ],
    ),
    "incomplete": (
        "id missing",
        [
            ("12-KH/HU", "title"),
            ("129-KH/TU", "title"),
            ("17-KH/TU", "title"),
            ("18-KH/TU", "title"),
            ("45-KH/TU", "title"),
        ],
    ),
    "unresolved": (
        "label reason",
        [("Nghị quyết số 04", "incomplete"), ("Kế hoạch số 30-KH/TU", "locality unknown")],
    ),
    "counts": (
        "dimension key count",
        [
            ("level", "province", "4"),
            ("level", "central", "2"),
            ("level", "district", "1"),
            ("locality", "Quảng Bình", "2"),
            ("locality", "Hà Tĩnh", "1"),
            ("locality", "Nam Đàn", "1"),
            ("locality", "Nghệ An", "1"),
            ("relation", "implements", "7"),
            ("type", "Kế hoạch", "5"),
            ("type", "Chỉ thị", "1"),
            ("type", "Kết luận", "1"),
        ],
    ),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_query_rows_on_the_fixture_graph(store, name):
    columns, expected = EXPECTED[name]
    assert rows(store, name, columns) == expected


def test_every_library_query_is_documented_and_tested():
    tested = set(EXPECTED) | {"chain", "coverage", "statements", "documents", "evidence", "conflicts"}
    queries = library()
    assert {q.name for q in queries} == tested
    for query in queries:
        assert query.question.endswith("?"), query.name
        assert query.example.startswith(f"kg query {query.name}"), query.name


def test_chain_links_from_a_plan_to_the_directive_with_their_sentences(store):
    found = rows(store, "chain", "implementerId implementedId stepsToTarget location cue sentence")
    assert [row[:3] for row in found] == [("129-KH/TU", "01-KL/TW", "2"), ("01-KL/TW", "05-CT/TW", "1")]
    assert [text_name(row[3]) for row in found] == [
        "ha-tinh-2022-12-ke-hoach-129.txt",
        "nghe-an-2023-03-ke-hoach-45.txt",
    ]
    assert found[1][4] == "tiếp tục thực hiện" and "Chỉ thị số 05-CT/TW" in found[1][5]


def test_coverage_lists_every_province_of_the_time_with_plans_districts_and_lags(store):
    found = rows(store, "coverage", "province id district date lagDays")
    assert len({row[0] for row in found}) == 63  # the provinces before the merger of 1 July 2025
    covered = [row for row in found if row[1]]
    assert covered == [
        ("Hà Tĩnh", "129-KH/TU", "", "2022-12-02", "563"),
        ("Nghệ An", "45-KH/TU", "", "2023-03-10", "661"),
        ("Nghệ An", "12-KH/HU", "Nam Đàn", "2023-04-05", "687"),
    ]
    assert ("Quảng Bình", "", "", "", "") in found  # a province with none


def test_statements_keep_each_text_and_the_registry_apart(store):
    dates = [
        (value, text_name(source))
        for _, value, source in rows(store, "statements", "property value source")
        if _.endswith("date_document")
    ]
    assert dates == [
        ("2021-05-18", "nghe-an-2023-03-ke-hoach-45.txt"),
        ("2021-05-18", "urn:kg:registry"),
        ("2021-05-19", "ha-tinh-2022-12-ke-hoach-129.txt"),
    ]


def test_conflicts_list_each_value_with_its_text(store):
    found = [
        (id_, prop.rsplit("#")[-1], value, text_name(source))
        for id_, prop, value, source in rows(store, "conflicts", "id property value source")
    ]
    assert found == [
        ("01-KL/TW", "date_document", "2021-05-18", "nghe-an-2023-03-ke-hoach-45.txt"),
        ("01-KL/TW", "date_document", "2021-05-18", "urn:kg:registry"),
        ("01-KL/TW", "date_document", "2021-05-19", "ha-tinh-2022-12-ke-hoach-129.txt"),
    ]


def test_evidence_of_one_edge(store):
    (found,) = rows(store, "evidence", "sourceId relation targetId location textDate start end cue")
    assert found == (
        "129-KH/TU",
        "implements",
        "01-KL/TW",
        str(CORPUS.resolve() / "ha-tinh-2022-12-ke-hoach-129.txt"),
        "2022-12-05",
        "64",
        "212",
        "thực hiện",
    )


def test_documents_by_locality_type_and_year(store):
    assert rows(store, "documents", "id date", locality="Nghệ An") == [("45-KH/TU", "2023-03-10")]
    assert rows(store, "documents", "id", type="Kết luận", year="2021") == [("01-KL/TW",), ("01-KL/TW",)]
    assert len(rows(store, "documents", "id")) == 8  # every document, 01-KL/TW once per stated date
    assert rows(store, "documents", "id", year="2016") == [("05-CT/TW",)]


def test_parameters_name_documents_the_way_people_write_them(store):
    assert rows(store, "document", "id", doc="Kế hoạch 129-KH/TU của Tỉnh ủy Hà Tĩnh") == [("129-KH/TU",)]
    with pytest.raises(QueryError, match="--param doc=99-CT/TW"):
        run(store, load("document"), {"doc": "99-CT/TW"})
    with pytest.raises(QueryError, match="needs --param doc"):
        run(store, load("document"), {})
    with pytest.raises(QueryError, match="--param year=two: not a valid integer"):
        run(store, load("documents"), {"year": "two"})


def test_a_document_that_no_text_mentions_has_no_sources(store):
    assert rows(store, "document", "id type date sources", doc="06-CT/TW") == [
        ("06-CT/TW", "Chỉ thị", "2006-11-07", "0")
    ]
    registry_only = {"doc": ox.NamedNode(f"{ELI}/dang/tw/ct/x/6")}
    rdflib_store = RdflibStore(store.dataset())
    assert solve(rdflib_store, load("document"), registry_only) == solve(store, load("document"), registry_only)


@pytest.mark.parametrize("query", library(), ids=lambda q: q.name)
def test_rdflib_gives_the_same_rows_as_oxigraph(store, query):
    rdflib_store = RdflibStore(store.dataset())
    embedded = solve(store, query, bindings_of(query))
    assert embedded.rows, f"{query.name} gives no rows on the fixture graph"
    assert solve(rdflib_store, query, bindings_of(query)) == embedded


HOSTILE = [
    'Hà Tĩnh" } ; DROP ALL ; #',
    "} ; DROP ALL ; #",
    'x" . } } INSERT DATA { <a:b> <a:b> <a:b> } #',
    "'''{}'''\n\\",
]


@pytest.mark.parametrize("value", HOSTILE)
def test_a_hostile_value_is_only_a_value(store_path, value):
    with open_store(store_path) as writable:
        before = writable.select("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")[0]["n"]
        assert run(writable, load("documents"), {"locality": value}).rows == []
        assert run(RdflibStore(writable.dataset()), load("documents"), {"locality": value}).rows == []
        after = writable.select("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")[0]["n"]
    assert before == after


@pytest.mark.parametrize("value", HOSTILE)
def test_the_values_block_of_an_endpoint_binds_exactly_the_value(store, value):
    echoed = ox.Store().query(with_values("SELECT ?value WHERE { }", {"value": ox.Literal(value)}))
    assert [row["value"].value for row in echoed] == [value]
    documents = load("documents")
    rewritten = with_values(documents.text, {"locality": ox.Literal(value)})
    assert rewritten.count("VALUES (?locality)") == 1
    assert store.solutions(rewritten).rows == []


def test_a_parameter_with_several_values_gives_the_rows_of_each(store):
    """One query for many documents (kg trace describes a whole tree at once), on each backend."""
    documents = [ox.NamedNode(iri) for iri in (DIRECTIVE, CONCLUSION, HA_TINH_PLAN)]
    one_by_one = [solve(store, load("document"), {"doc": document}).rows[0] for document in documents]
    for backend in (store, RdflibStore(store.dataset())):
        described = solve(backend, load("document"), {"doc": documents}).rows
        assert sorted(str(row["id"]) for row in described) == ["01-KL/TW", "05-CT/TW", "129-KH/TU"]
        assert sorted(described, key=str) == sorted(one_by_one, key=str)
    with pytest.raises(StoreError, match="only one parameter may take several values, not source, target"):
        with_values(load("evidence").text, {"source": documents, "target": documents})


def test_a_subquery_that_selects_a_parameter_is_given_its_values_too():
    query = """SELECT * WHERE {
      { SELECT ?doc (COUNT(?text) AS ?texts) WHERE { ?doc <urn:p> ?text } GROUP BY ?doc }
      { SELECT (COUNT(?doc) AS ?everyDocument) WHERE { ?doc <urn:p> ?text } }
      OPTIONAL { SELECT * WHERE { ?doc <urn:q> ?other } }
      { SELECT ?other (?other * 2 AS ?doc) WHERE { ?other <urn:r> ?text } }
    }"""
    block = "VALUES (?doc) { (<urn:d>) }"
    rewritten = with_values(query, {"doc": ox.NamedNode("urn:d")})
    assert rewritten.startswith(f"SELECT * WHERE {{ {block}")
    assert f"WHERE {{ {block} ?doc <urn:p> ?text }} GROUP BY" in rewritten
    assert "(COUNT(?doc) AS ?everyDocument) WHERE { ?doc" in rewritten  # its ?doc is its own
    assert f"SELECT * WHERE {{ {block} ?doc <urn:q>" in rewritten
    assert "(?other * 2 AS ?doc) WHERE { ?other" in rewritten  # it computes a ?doc of its own
    assert rewritten.count(block) == 3


@pytest.mark.parametrize("query", library(), ids=lambda q: q.name)
def test_a_query_gives_the_same_rows_from_its_values_blocks_alone(store, query):
    """What a server gets: the text with its VALUES blocks, without the embedded store's
    substitution of the parameters."""
    bindings = bindings_of(query)
    alone = store.solutions(with_values(query.text, bindings)).rows
    assert sorted(alone, key=repr) == sorted(solve(store, query, bindings).rows, key=repr)


def test_a_syntax_error_names_the_line_and_column(tmp_path):
    broken = tmp_path / "broken.rq"
    broken.write_text("# Question: broken?\nSELECT ?x WHERE {\n  ?x ?y ?z .\n  FILTER (?x = )\n}\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["query", str(broken), "--store", "memory"])
    assert result.exit_code == 1
    assert f"{broken}: line 4, column 3:" in result.output


def test_a_query_file_with_parameters_runs(tmp_path, store_path):
    own = tmp_path / "own.rq"
    own.write_text(
        "PREFIX eli: <http://data.europa.eu/eli/ontology#>\nSELECT DISTINCT ?doc ?id WHERE { ?doc eli:id_local ?id }\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(main, ["query", str(own), "--param", f"doc=<{CONCLUSION}>", "--store", store_path])
    assert result.exit_code == 0, result.output
    assert "01-KL/TW" in result.output and "(1 row)" in result.output


def test_a_store_built_by_another_kg_is_named_in_a_warning(store_path, built_by_another_kg):
    fresh = CliRunner().invoke(main, ["query", "most-implemented", "--store", store_path])
    assert fresh.exit_code == 0 and "warning" not in fresh.stderr
    older = built_by_another_kg(store_path)
    warned = CliRunner().invoke(main, ["query", "most-implemented", "--store", str(older)])
    assert warned.exit_code == 0 and warned.stdout == fresh.stdout
    assert (
        warned.stderr
        == f"kg: warning: {older} was built by another version of kg: run kg build on it again for complete answers\n"
    )


def test_unknown_query_and_parameter_are_one_line_errors(store_path):
    runner = CliRunner()
    unknown = runner.invoke(main, ["query", "nothing", "--store", store_path])
    assert unknown.exit_code == 1 and "no query named 'nothing'" in unknown.output
    wrong = runner.invoke(main, ["query", "document", "-p", "dock=01-KL/TW", "--store", store_path])
    assert (
        wrong.exit_code == 1 and "--param dock: document has no such parameter; its parameters are doc" in wrong.output
    )
    malformed = runner.invoke(main, ["query", "document", "-p", "01-KL/TW", "--store", store_path])
    assert malformed.exit_code == 2 and "write NAME=VALUE" in malformed.output


def test_results_are_valid_csv_tsv_and_sparql_json(store_path):
    def output(format_: str) -> str:
        result = CliRunner().invoke(
            main, ["query", "evidence", "-p", "target=01-KL/TW", "-f", format_, "--store", store_path]
        )
        assert result.exit_code == 0, result.output
        return result.stdout_bytes.decode("utf-8")  # `output` would turn CRLF into LF

    answer = json.loads(output("json"))
    assert answer["head"]["vars"][:3] == ["source", "sourceId", "relation"]
    first = answer["results"]["bindings"][0]
    assert first["source"]["type"] == "uri" and first["start"] == {
        "type": "literal",
        "value": "64",
        "datatype": "http://www.w3.org/2001/XMLSchema#integer",
    }
    table = list(csv.reader(io.StringIO(output("csv"), newline="")))
    assert table[0] == answer["head"]["vars"] and len(table) == 3
    assert output("csv").endswith("\r\n")
    lines = output("tsv").splitlines()
    assert lines[0].split("\t")[:2] == ["?source", "?sourceId"]
    assert all(len(line.split("\t")) == len(answer["head"]["vars"]) for line in lines)
    assert (
        lines[1].split("\t")[0].startswith("<https://")
        and '"64"^^<http://www.w3.org/2001/XMLSchema#integer>' in lines[1]
    )


def test_kg_queries_lists_each_question():
    result = CliRunner().invoke(main, ["queries"])
    assert result.exit_code == 0
    assert (
        "coverage\n  Which provinces have a document implementing DOC, since when, and which have none?"
        in result.output
    )
    assert "--param doc=...  (document)" in result.output


def test_a_header_parameter_must_be_well_formed(tmp_path):
    bad = tmp_path / "bad.rq"
    bad.write_text("# Question: q?\n# Parameter: doc (thing) a doc\nSELECT * WHERE {}\n", encoding="utf-8")
    with pytest.raises(QueryError, match="must read NAME"):
        parse(bad)


def test_on_the_seeds_coverage_of_01_kl_tw_lists_both_ha_tinh_plans(seeds, tmp_path):
    build([seeds], store=str(tmp_path / "seeds-store"))
    with open_store(str(tmp_path / "seeds-store"), read_only=True) as seeded:
        found = [
            row for row in rows(seeded, "coverage", "province id date lagDays", doc="01-KL/TW") if row[0] == "Hà Tĩnh"
        ]
    assert sorted(found) == [("Hà Tĩnh", "129-KH/TU", "2022-12-02", "563"), ("Hà Tĩnh", "224-KH/TU", "", "")]


# ---- read-only unless --update; timeout and row limit (issue 6, item 5) ------------------

QUADS = "SELECT (COUNT(*) AS ?quads) WHERE { GRAPH ?g { ?s ?p ?o } }"
# Three copies of every quad joined: billions of rows on the fixture graph, never finished in time.
ENDLESS = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?p ?b . ?c ?q ?d . ?e ?r ?f }"


@pytest.fixture
def own_store(tmp_path) -> str:
    """A store of its own, for the tests that may change it."""
    location = str(tmp_path / "kg-store")
    build([CORPUS], store=location)
    return location


def quads_in(location: str) -> int:
    with open_store(location, read_only=True) as opened:
        return int(opened.select(QUADS)[0]["quads"])


def query_file(tmp_path: Path, text: str, name: str = "own.rq") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_an_update_is_refused_without_update_and_changes_nothing(tmp_path, own_store):
    before = quads_in(own_store)
    for update in ("DROP ALL", "CLEAR DEFAULT ; DROP ALL", "INSERT DATA { <urn:a> <urn:b> <urn:c> }"):
        drop = query_file(tmp_path, f"# Question: wipe it\n{update}\n")
        result = CliRunner().invoke(main, ["query", drop, "--store", own_store])
        assert result.exit_code == 1
        assert result.output.strip() == (
            f"Error: {drop}: is a SPARQL UPDATE; queries run read-only, give --update to change the store"
        )
    assert quads_in(own_store) == before


def test_update_runs_an_update_and_only_an_update(tmp_path, own_store):
    insert = query_file(tmp_path, "INSERT DATA { GRAPH <urn:kg:note> { <urn:a> <urn:b> 'c' } }\n")
    result = CliRunner().invoke(main, ["query", insert, "--update", "--store", own_store])
    assert result.exit_code == 0, result.output
    select = query_file(tmp_path, "SELECT ?o WHERE { GRAPH <urn:kg:note> { <urn:a> <urn:b> ?o } }\n", "read.rq")
    assert CliRunner().invoke(main, ["query", select, "--store", own_store]).output.splitlines()[1] == "c"

    refused = CliRunner().invoke(main, ["query", select, "--update", "--store", own_store])
    assert refused.exit_code == 1
    assert "this is not one; leave --update out" in refused.output
    with_parameter = CliRunner().invoke(main, ["query", insert, "--update", "--param", "x=1", "--store", own_store])
    assert with_parameter.exit_code == 2 and "an UPDATE takes no parameters" in with_parameter.output


def test_the_row_limit_keeps_the_first_rows_and_says_so(store_path):
    everything = CliRunner().invoke(main, ["query", "counts", "--format", "csv", "--store", store_path])
    rows = everything.output.splitlines()
    assert len(rows) > 4
    for arguments, environment in ((["--limit", "3"], {}), ([], {"KG_QUERY_LIMIT": "3"})):
        result = CliRunner().invoke(
            main, ["query", "counts", "--format", "csv", "--store", store_path, *arguments], env=environment
        )
        assert result.exit_code == 0
        assert result.stdout.splitlines() == rows[:4]  # the header and three rows
        assert result.stderr == "kg: only the first 3 rows are shown; raise --limit (KG_QUERY_LIMIT) for more\n"
    untouched = CliRunner().invoke(main, ["query", "counts", "--store", store_path, "--limit", str(len(rows) - 1)])
    assert untouched.stderr == ""


def test_a_query_past_its_timeout_is_given_up_with_one_line(tmp_path, store_path):
    endless = query_file(tmp_path, ENDLESS + "\n")
    for arguments, environment in ((["--timeout", "0.5"], {}), ([], {"KG_QUERY_TIMEOUT": "0.5"})):
        started = time.monotonic()
        result = CliRunner().invoke(main, ["query", endless, "--store", store_path, *arguments], env=environment)
        assert time.monotonic() - started < 10
        assert result.exit_code == 1
        assert result.output == (
            f"Error: {endless}: no answer within 0.5 s; narrow the query or raise --timeout (KG_QUERY_TIMEOUT)\n"
        )


def test_limits_apply_through_the_api_on_every_engine(store):
    from kg.queries import Limits

    counts = load("counts")
    rdflib_store = RdflibStore(store.dataset())
    for engine in (store, rdflib_store):
        limited = run(engine, counts, {}, Limits(rows=2))
        assert (len(limited.rows), limited.truncated) == (2, True)
        assert limited.rows == run(engine, counts).rows[:2]
    with pytest.raises(QueryError, match="no answer within 0.2 s"):
        solve(store, parse_text(ENDLESS), {}, Limits(timeout=0.2))


def parse_text(text: str):
    from kg.queries import Query

    return Query("endless", Path("endless.rq"), text, "", (), "")
