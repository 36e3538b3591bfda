"""The SPARQL 1.1 backends against real servers on loopback, Oxigraph's and Virtuoso
(configured by tests/servers/virtuoso.ini): each is given the seeds and must then hold
what the embedded store holds and answer the whole query library as it does."""

import io
import socket
import subprocess
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg import build, open_store
from kg.queries import QueryError, library, load, run
from kg.store import MERGED_GRAPH, OxigraphStore, Store, StoreError
from kg.trace import find, tree
from kg.vocab import KG

SERVERS = Path(__file__).resolve().parent / "servers"
# Texts with a chain of three links and a document reached by two paths (README.md there).
CHAINS = Path(__file__).resolve().parent / "fixtures" / "chains"
# A new Virtuoso database's administrator; the server listens on loopback only.
VIRTUOSO_USER, VIRTUOSO_PASSWORD = "dba", "dba"
# Values for every parameter of the library; the locality tries to break out of its term.
ARGUMENTS = {"doc": "01-KL/TW", "from": "129-KH/TU", "to": "05-CT/TW", "locality": 'Hà Tĩnh" } ; DROP ALL ; #'}
# The same for the chains fixture: FROM three links below TO.
CHAIN_ARGUMENTS = {"doc": "01-KL/TW", "from": "87-KH/HU", "to": "05-CT/TW", "locality": "Hà Tĩnh"}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def serving(command: list[str], probe: str, directory: Path) -> Iterator[None]:
    """Runs a server in the foreground of a child process until the block ends; the
    block starts once `probe` answers."""
    server = subprocess.Popen(command, cwd=directory, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(probe, timeout=1)
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    pytest.fail(f"{command[0]} did not start")
                time.sleep(0.2)
        yield
    finally:
        server.terminate()
        server.wait(timeout=60)


@contextmanager
def oxigraph_server(command: str, directory: Path) -> Iterator[str]:
    port = _free_port()
    url = f"http://127.0.0.1:{port}/query"
    with serving(
        [command, "serve", "--location", ".", "--bind", f"127.0.0.1:{port}"], f"{url}?query=ASK%7B%7D", directory
    ):
        yield url


@contextmanager
def virtuoso_server(
    command: str, directory: Path, max_rows: int = 1_000_000, max_sorted_rows: int = 1_000_000
) -> Iterator[str]:
    """A Virtuoso with a new database in `directory`, at the store URL kg takes, its
    credentials in the environment meanwhile."""
    http_port, sql_port = _free_port(), _free_port()
    settings = (SERVERS / "virtuoso.ini").read_text(encoding="utf-8")
    (directory / "virtuoso.ini").write_text(
        settings.format(http_port=http_port, sql_port=sql_port, max_rows=max_rows, max_sorted_rows=max_sorted_rows),
        encoding="utf-8",
    )
    probe = f"http://127.0.0.1:{http_port}/sparql?query=ASK%7B%7D"
    with (
        serving([command, "+foreground", "+configfile", "virtuoso.ini"], probe, directory),
        pytest.MonkeyPatch.context() as environment,
    ):
        environment.setenv("KG_STORE_USER", VIRTUOSO_USER)
        environment.setenv("KG_STORE_PASSWORD", VIRTUOSO_PASSWORD)
        yield f"virtuoso+http://127.0.0.1:{http_port}/sparql-auth"


@pytest.fixture(scope="module", params=["oxigraph", "virtuoso"])
def endpoint(request, tmp_path_factory) -> Iterator[str]:
    directory = tmp_path_factory.mktemp(request.param)
    if request.param == "oxigraph":
        server = oxigraph_server(request.getfixturevalue("oxigraph_command"), directory)
    else:
        server = virtuoso_server(request.getfixturevalue("virtuoso_command"), directory)
    with server as url:
        yield url


@pytest.fixture(scope="module")
def embedded(seeds, tmp_path_factory) -> str:
    location = str(tmp_path_factory.mktemp("embedded") / "store")
    build([seeds], store=location)
    return location


def content(store: Store) -> tuple[set[str], set[str]]:
    """The store's named graphs as N-Quads lines and its merged default graph as N-Triples lines."""
    quads, triples = io.BytesIO(), io.BytesIO()
    store.dump(quads, "nq")
    store.dump(triples, "nt")
    return set(quads.getvalue().decode().splitlines()), set(triples.getvalue().decode().splitlines())


def assert_same_as(remote: Store, local: Store, arguments: dict[str, str] = ARGUMENTS) -> int:
    """The same graphs, and the same answers to every query of the library; returns how
    many queries had rows."""
    assert content(remote) == content(local)
    queries, answered, differ = library(), 0, set()
    for query in queries:
        given = {p.name: arguments[p.name] for p in query.parameters if p.name in arguments}
        expected = run(local, query, given)
        answered += bool(expected.rows)
        try:
            answer = run(remote, query, given)
        except QueryError:
            differ.add(query.name)
            continue
        # Rows that tie on the query's ORDER BY may come in another order from another engine.
        if (answer.variables, sorted(map(repr, answer.rows))) != (expected.variables, sorted(map(repr, expected.rows))):
            differ.add(query.name)
    assert differ == set()
    return answered


def test_the_seeds_give_the_same_graphs_and_answers_on_a_server(endpoint, seeds, embedded):
    summary = build([seeds], store=endpoint)
    assert (summary.built, summary.documents) == (5, 12)
    with open_store(endpoint) as remote, open_store(embedded, read_only=True) as local:
        # On the seeds, no text disagrees (conflicts) and the hostile locality fits no document.
        assert assert_same_as(remote, local) == len(library()) - 2 >= 12
        (directive,) = find(remote, "05-CT/TW")
        (conclusion,) = tree(remote, directive).children
        assert [plan.name for plan in conclusion.children] == ["129-KH/TU", "224-KH/TU"]


def test_a_second_build_on_the_server_changes_nothing(endpoint, seeds):
    summary = build([seeds], store=endpoint)
    assert (summary.built, summary.skipped) == (0, 5)


def test_a_dropped_text_takes_away_only_what_no_other_graph_states(endpoint, seeds):
    build([seeds], store=endpoint)
    local = OxigraphStore()
    build([seeds], store=local)
    with open_store(endpoint) as remote:
        # The last two seeds by file name: the first, which the queries' arguments come from, stays.
        texts = remote.select(f"SELECT ?g ?location WHERE {{ GRAPH ?g {{ ?g <{KG}location> ?location }} }}")
        by_name = sorted(texts, key=lambda row: Path(str(row["location"])).name)
        for store in (remote, local):
            store.drop_graphs([str(row["g"]) for row in by_name[-2:]])
        assert_same_as(remote, local)
        for store in (remote, local):
            store.remerge()
        assert_same_as(remote, local)
    build([seeds], store=endpoint)  # the dropped texts back, for the tests after this one


def test_virtuoso_walks_chains_of_several_links_as_the_embedded_store_does(virtuoso_command, tmp_path):
    local = OxigraphStore()
    build([CHAINS], store=local)
    with virtuoso_server(virtuoso_command, tmp_path) as endpoint:
        build([CHAINS], store=endpoint)
        with open_store(endpoint) as remote:
            assert_same_as(remote, local, CHAIN_ARGUMENTS)
            chain = run(remote, load("chain"), {"from": CHAIN_ARGUMENTS["from"], "to": CHAIN_ARGUMENTS["to"]})
            coverage = run(remote, load("coverage"), {"doc": CHAIN_ARGUMENTS["doc"]})
    assert [
        (str(row["implementerId"]), str(row["implementedId"]), int(row["stepsToTarget"])) for row in chain.rows
    ] == [
        ("87-KH/HU", "129-KH/TU", 3),
        ("129-KH/TU", "01-KL/TW", 2),
        ("01-KL/TW", "05-CT/TW", 1),
        ("129-KH/TU", "05-CT/TW", 1),
    ]
    district_plans = [row for row in coverage.rows if "district" in row]
    assert [
        (str(row["province"]), str(row["id"]), str(row["district"]), int(row["lagDays"])) for row in district_plans
    ] == [("Hà Tĩnh", "87-KH/HU", "Can Lộc", 602)]


def test_virtuoso_answers_cut_at_its_row_limit_are_read_in_pages(virtuoso_command, seeds, embedded, tmp_path):
    with virtuoso_server(virtuoso_command, tmp_path, max_rows=1000) as endpoint:
        build([seeds], store=endpoint)
        with open_store(endpoint) as remote, open_store(embedded, read_only=True) as local:
            everything = "SELECT ?s ?p ?o WHERE { ?s ?p ?o }"
            url = endpoint.removeprefix("virtuoso+").removesuffix("-auth")
            form = urllib.parse.urlencode({"query": everything, "default-graph-uri": MERGED_GRAPH}).encode()
            request = urllib.request.Request(url, form, {"Accept": "application/sparql-results+json"})
            with urllib.request.urlopen(request) as answer:  # what kg sees before it pages
                assert answer.headers["X-SPARQL-MaxRows"] == "1000"
            assert len(remote.select(everything)) == len(local.select(everything)) > 1000
            assert_same_as(remote, local)
            with pytest.raises(StoreError) as cut:
                remote.construct(f"CONSTRUCT WHERE {{ {everything.partition('{')[2]}")
            assert "may be cut at the server's 1000 rows" in str(cut.value) and "\n" not in str(cut.value)


def test_virtuoso_pages_past_its_sorting_limit_fail_in_one_line(virtuoso_command, tmp_path):
    with virtuoso_server(virtuoso_command, tmp_path, max_rows=50, max_sorted_rows=120) as endpoint:
        with open_store(endpoint) as remote:
            graph = ox.NamedNode("urn:example:numbers")
            remote.add(ox.Quad(graph, graph, ox.Literal(str(n)), graph) for n in range(300))
            with pytest.raises(StoreError) as refused:
                remote.select("SELECT ?n WHERE { ?s ?p ?n }")
    message = str(refused.value)
    assert "\n" not in message and "MaxSortedTopRows" in message and "rows 100 on" in message


def test_virtuoso_takes_a_graph_in_several_posts(virtuoso_command, tmp_path):
    graph = ox.NamedNode("urn:example:many")
    quads = [ox.Quad(ox.NamedNode(f"urn:example:{n}"), graph, ox.Literal(f"số {n}"), graph) for n in range(2500)]
    with virtuoso_server(virtuoso_command, tmp_path) as endpoint, open_store(endpoint) as remote:
        remote.triples_per_post = 1000
        remote.add(quads)
        count = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph.value}> {{ ?s ?p ?o }} }}"
        assert int(remote.select(count)[0]["n"]) == 2500
        assert int(remote.select("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")[0]["n"]) == 2500
        assert {str(row["o"]) for row in remote.select("SELECT ?o WHERE { ?s ?p ?o }")} == {
            f"số {n}" for n in range(2500)
        }


def test_virtuoso_refuses_a_url_that_is_not_its_sparql_endpoint():
    with pytest.raises(StoreError, match=r"give Virtuoso's SPARQL endpoint, ending in /sparql-auth"):
        open_store("virtuoso+http://127.0.0.1:8890/query")
