"""`kg serve` answering for real on a loopback port: standard SPARQL clients, the results
formats by Accept header, updates refused or applied and remerged, errors, and the query
page in headless Chromium."""

import contextlib
import csv
import io
import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from click.testing import CliRunner

from kg import build, open_store
from kg.cli import main
from kg.queries import Limits, load, solve
from kg.serve import create_app
from kg.store import with_values

DIRECTIVE = "https://kg.example.org/eli/vn/dang/tw/ct/xii/5"  # Chỉ thị 05-CT/TW
CONCLUSION = "https://kg.example.org/eli/vn/dang/tw/kl/xiii/1"  # Kết luận 01-KL/TW
PREFIXES = "PREFIX kg: <https://kg.example.org/ontology#>\nPREFIX eli: <http://data.europa.eu/eli/ontology#>\n"
IDS = PREFIXES + "SELECT ?document ?id WHERE { ?document eli:id_local ?id } ORDER BY ?id"
SPARQL_RESULTS = "{http://www.w3.org/2005/sparql-results#}"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(url: str, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def request(url: str, data: bytes | None = None, headers: dict | None = None) -> tuple[int, dict, bytes]:
    """Status, headers (by lower-case name) and body of a request, whatever the status."""
    try:
        with urllib.request.urlopen(
            urllib.request.Request(url, data=data, headers=headers or {}), timeout=30
        ) as answer:
            return answer.status, {k.lower(): v for k, v in answer.headers.items()}, answer.read()
    except urllib.error.HTTPError as error:
        return error.code, {k.lower(): v for k, v in error.headers.items()}, error.read()


def form(**fields: str) -> bytes:
    return urllib.parse.urlencode(fields).encode("utf-8")


@contextlib.contextmanager
def running(app):
    """The ASGI app served by uvicorn in a thread, on a free loopback port; yields its URL."""
    import uvicorn

    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=free_port(), log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        assert thread.is_alive(), "the server stopped while starting"
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{server.config.port}"
    finally:
        server.should_exit = True
        thread.join(10)


@pytest.fixture(scope="module")
def seeds_store(seeds, tmp_path_factory) -> Path:
    store = tmp_path_factory.mktemp("serve") / "kg-store"
    build([seeds], store=str(store))
    return store


@pytest.fixture(scope="module")
def server(seeds_store):
    """`kg serve` as a user starts it: read-only, default limits."""
    port = free_port()
    command = [sys.executable, "-m", "kg", "serve", "--store", str(seeds_store), "--port", str(port)]
    process = subprocess.Popen(command, stderr=subprocess.PIPE, text=True)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for(url + "/api/queries")
        yield url
    finally:
        process.terminate()
        process.wait(10)
        process.stderr.close()


@pytest.fixture
def writable_store(seeds_store, tmp_path) -> Path:
    copy = tmp_path / "kg-store"
    shutil.copytree(seeds_store, copy)
    return copy


# ---- (a) standard clients ------------------------------------------------------------------


def test_sparqlwrapper_select_gives_the_rows_of_kgs_own_runner(server, seeds_store):
    SPARQLWrapper = pytest.importorskip("SPARQLWrapper")
    query = load("implementers")
    doc = {"doc": ox.NamedNode(DIRECTIVE)}
    with open_store(seeds_store, read_only=True) as store:
        expected = solve(store, query, doc)
    client = SPARQLWrapper.SPARQLWrapper(server + "/sparql")
    client.setQuery(with_values(query.text, doc))
    client.setReturnFormat(SPARQLWrapper.JSON)
    answer = client.query().convert()

    def rows(variables, bindings):
        return sorted(tuple(str(binding.get(name, "")) for name in variables) for binding in bindings)

    assert answer["head"]["vars"] == expected.variables
    got = rows(expected.variables, [{k: v["value"] for k, v in b.items()} for b in answer["results"]["bindings"]])
    assert got == rows(expected.variables, expected.rows)
    assert CONCLUSION in {row[expected.variables.index("implementer")] for row in got}


def test_sparqlwrapper_ask_answers_yes_and_no(server):
    SPARQLWrapper = pytest.importorskip("SPARQLWrapper")
    client = SPARQLWrapper.SPARQLWrapper(server + "/sparql")
    client.setReturnFormat(SPARQLWrapper.JSON)
    client.setQuery(PREFIXES + f"ASK {{ <{CONCLUSION}> kg:implements <{DIRECTIVE}> }}")
    assert client.query().convert()["boolean"] is True
    client.setQuery(PREFIXES + f"ASK {{ <{DIRECTIVE}> kg:implements <{CONCLUSION}> }}")
    assert client.query().convert()["boolean"] is False


def test_kgs_own_endpoint_store_reads_kg_serve(server):
    with open_store(server + "/sparql") as store:
        assert store.ask(PREFIXES + f"ASK {{ <{CONCLUSION}> kg:implements <{DIRECTIVE}> }}") is True
        found = solve(store, load("implementers"), {"doc": ox.NamedNode(DIRECTIVE)})
    assert CONCLUSION in {str(row["implementer"]) for row in found.rows}


def test_rdflib_sparqlstore_reads_the_endpoint(server):
    from rdflib.plugins.stores.sparqlstore import SPARQLStore

    graph = rdflib.Graph(store=SPARQLStore(server + "/sparql"))
    implementers = {
        str(row[0]) for row in graph.query(PREFIXES + f"SELECT ?d WHERE {{ ?d kg:implements+ <{DIRECTIVE}> }}")
    }
    assert CONCLUSION in implementers and len(implementers) == 3


# ---- (b) formats by Accept -----------------------------------------------------------------


def test_results_come_in_the_format_the_accept_header_asks(server):
    url = server + "/sparql?" + urllib.parse.urlencode({"query": IDS})
    answers = {}
    for accept in (
        "application/sparql-results+json",
        "application/sparql-results+xml",
        "text/csv",
        "text/tab-separated-values",
    ):
        status, headers, body = request(url, headers={"Accept": accept})
        assert status == 200 and headers["content-type"].startswith(accept), (accept, headers)
        assert "kg-truncated" not in headers
        answers[accept] = body.decode("utf-8")
    ids = [b["id"]["value"] for b in json.loads(answers["application/sparql-results+json"])["results"]["bindings"]]
    assert "05-CT/TW" in ids and "01-KL/TW" in ids
    xml = ET.fromstring(answers["application/sparql-results+xml"])
    assert [literal.text for literal in xml.iter(SPARQL_RESULTS + "literal")] == ids
    assert [row["id"] for row in csv.DictReader(io.StringIO(answers["text/csv"]))] == ids
    tsv = answers["text/tab-separated-values"].splitlines()
    assert tsv[0] == "?document\t?id" and [line.split("\t")[1] for line in tsv[1:]] == [f'"{i}"' for i in ids]
    # No Accept header, or */*: JSON; a preference by q-value is followed.
    assert request(url)[1]["content-type"] == "application/sparql-results+json"
    preferred = request(url, headers={"Accept": "application/sparql-results+json;q=0.5, text/csv"})
    assert preferred[1]["content-type"].startswith("text/csv")
    status, _, body = request(url, headers={"Accept": "image/png"})
    assert status == 406 and b"text/csv" in body


def test_construct_comes_as_turtle_or_n_triples(server):
    query = PREFIXES + f"CONSTRUCT {{ ?d kg:implements <{DIRECTIVE}> }} WHERE {{ ?d kg:implements <{DIRECTIVE}> }}"
    expected = {
        (
            rdflib.URIRef(CONCLUSION),
            rdflib.URIRef("https://kg.example.org/ontology#implements"),
            rdflib.URIRef(DIRECTIVE),
        )
    }
    for accept, parser in (("text/turtle", "turtle"), ("application/n-triples", "nt")):
        status, headers, body = request(
            server + "/sparql", query.encode(), {"Content-Type": "application/sparql-query", "Accept": accept}
        )
        assert status == 200 and headers["content-type"].startswith(accept)
        assert set(rdflib.Graph().parse(data=body, format=parser)) == expected


def test_a_result_cut_at_the_row_limit_says_so(writable_store):
    with running(create_app(writable_store, limits=Limits(timeout=30, rows=2))) as url:
        status, headers, body = request(url + "/sparql", form(query=IDS), {"Accept": "text/csv"})
        assert status == 200 and headers["kg-truncated"] == "true"
        assert len(body.decode().splitlines()) == 3  # the header and two rows
        all_ids = PREFIXES + "SELECT ?id WHERE { ?d eli:id_local ?id } LIMIT 2"
        assert "kg-truncated" not in request(url + "/sparql", form(query=all_ids))[1]


def test_a_query_past_the_timeout_is_given_up_with_a_message(seeds_store):
    # Every pair of triples: some seconds of work on the seeds, abandoned after 0.2 s.
    pairs = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f }"
    with running(create_app(seeds_store, limits=Limits(timeout=0.2, rows=10))) as url:
        status, _, message = request(url + "/sparql", form(query=pairs))
    assert status == 500 and b"no answer within 0.2 s" in message and b"--timeout" in message


# ---- (c) updates ---------------------------------------------------------------------------

NOTE = f'PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> INSERT DATA {{ GRAPH <urn:kg-test:notes> {{ <{DIRECTIVE}> rdfs:comment "checked" }} }}'
COMMENTS = f"SELECT ?comment WHERE {{ <{DIRECTIVE}> <http://www.w3.org/2000/01/rdf-schema#comment> ?comment }}"


def test_an_update_is_refused_by_a_read_only_server(server):
    for body, content_type in (
        (NOTE.encode(), "application/sparql-update"),
        (form(update=NOTE), "application/x-www-form-urlencoded"),
    ):
        status, _, message = request(server + "/update", body, {"Content-Type": content_type})
        assert status == 403 and b"--allow-update" in message
    assert json.loads(request(server + "/sparql", form(query=COMMENTS))[2])["results"]["bindings"] == []


def test_an_allowed_update_is_applied_and_the_default_graph_remerged(writable_store):
    with running(create_app(writable_store, allow_update=True)) as url:
        status, _, _ = request(url + "/update", NOTE.encode(), {"Content-Type": "application/sparql-update"})
        assert status == 204
        comments = json.loads(request(url + "/sparql", form(query=COMMENTS))[2])["results"]["bindings"]
        assert [c["comment"]["value"] for c in comments] == ["checked"]
        # Written into the default graph only, a triple is gone once it is rebuilt from the named graphs.
        loose = f'INSERT DATA {{ <{DIRECTIVE}> <http://www.w3.org/2000/01/rdf-schema#comment> "loose" }}'
        assert request(url + "/update", form(update=loose))[0] == 204
        comments = json.loads(request(url + "/sparql", form(query=COMMENTS))[2])["results"]["bindings"]
        assert [c["comment"]["value"] for c in comments] == ["checked"]
        status, _, message = request(url + "/update", form(update="INSERT DATA { <urn:a> <urn:b> }"))
        assert status == 400 and message.startswith(b"syntax error: ")


# ---- (d) errors and refusals ---------------------------------------------------------------


def test_a_syntax_error_is_a_400_with_the_parsers_message(server):
    status, _, message = request(server + "/sparql", form(query="SELEC ?x WHERE { ?x ?p ?o }"))
    assert status == 400 and message.decode().startswith("syntax error: error at 1:")
    SPARQLWrapper = pytest.importorskip("SPARQLWrapper")
    client = SPARQLWrapper.SPARQLWrapper(server + "/sparql")
    client.setQuery("SELECT ?x WHERE { ?x ?p }")
    with pytest.raises(SPARQLWrapper.SPARQLExceptions.QueryBadFormed):
        client.query()


@pytest.mark.parametrize(
    "url_query, headers, status, said",
    [
        (
            {"query": "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }"},
            {},
            400,
            b"SERVICE is refused",
        ),
        ({"query": "ASK {}", "default-graph-uri": "urn:x"}, {}, 400, b"default-graph-uri is not supported"),
        ({"query": NOTE}, {}, 400, b"send it to /update"),
        ({"query": "ASK {}"}, {"Host": "attacker.example"}, 403, b"not this server's name"),
    ],
)
def test_refusals_say_why(server, url_query, headers, status, said):
    answer = request(server + "/sparql?" + urllib.parse.urlencode(url_query), headers=headers)
    assert answer[0] == status and said in answer[2]


def test_a_post_from_another_sites_page_is_refused(server):
    status, _, message = request(server + "/sparql", form(query="ASK {}"), {"Origin": "http://attacker.example"})
    assert status == 403 and b"own origin" in message


def _first_line_of_kg_serve(*arguments: str) -> str:
    """The first line `kg serve ARGUMENTS` writes to standard error; it is stopped then."""
    command = [sys.executable, "-m", "kg", "serve", *arguments, "--port", str(free_port())]
    process = subprocess.Popen(command, stderr=subprocess.PIPE, text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        return process.stderr.readline()
    finally:
        process.terminate()
        process.wait(10)
        process.stderr.close()


def test_a_non_loopback_host_is_warned_about(seeds_store):
    line = _first_line_of_kg_serve("--store", str(seeds_store), "--host", "0.0.0.0")
    assert "--host 0.0.0.0 is not a loopback address" in line


def test_a_port_in_use_is_refused_in_one_line_and_the_store_is_closed(writable_store):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        refused = CliRunner().invoke(
            main, ["serve", "--store", str(writable_store), "--port", str(port), "--allow-update"]
        )
    assert refused.exit_code == 1
    assert refused.stderr == (
        f"Error: --host 127.0.0.1 --port {port}: cannot listen there (Address already in use);"
        " choose another --port or --host\n"
    )
    with open_store(writable_store) as store:  # a store left open in this process could not be opened again
        assert store.ask("ASK { ?s ?p ?o }")


def test_a_store_built_by_another_kg_is_warned_about(seeds_store, built_by_another_kg):
    older = built_by_another_kg(seeds_store)
    line = _first_line_of_kg_serve("--store", str(older))
    assert (
        line
        == f"kg: warning: {older} was built by another version of kg: run kg build on it again for complete answers\n"
    )
    assert _first_line_of_kg_serve("--store", str(seeds_store)).startswith("kg: serving ")


# ---- (e) the query page --------------------------------------------------------------------


def drawn_in(frame, path: str, seconds: float = 20) -> None:
    """Waits until `frame` shows the graph page at `path`; evaluating while the frame
    navigates fails, and is tried again."""
    deadline = time.monotonic() + seconds
    while True:
        with contextlib.suppress(Exception):
            if path in frame.url and frame.evaluate("document.body !== null && document.body.dataset.ready === 'true'"):
                return
        assert time.monotonic() < deadline, f"{path} not drawn within {seconds} s"
        frame.page.wait_for_timeout(50)  # unlike time.sleep, lets Playwright take in the frame's navigation


def test_the_page_runs_a_library_query_and_shows_a_documents_graph(server, browser):
    from benchmarks.viz import VIEWPORT, wait_until

    page = browser.new_page(viewport=VIEWPORT)
    errors, requests, foreign = [], [], []
    page.on("console", lambda message: message.type in ("error", "warning") and errors.append(message.text))
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("request", lambda request: requests.append(request.url))

    def own_origin_only(route):
        if route.request.url.startswith(server + "/"):
            route.continue_()
        else:
            foreign.append(route.request.url)
            route.abort()

    page.route("**/*", own_origin_only)
    page.goto(server + "/")
    wait_until(page, "document.body.dataset.ready === 'true'")
    assert "Which documents implement DOC" in page.inner_text("#kg-library")

    page.click("#kg-library button[data-name=implementers]")
    page.fill("#kg-param-doc", "05-CT/TW")
    page.click("#kg-run")
    wait_until(page, "document.querySelectorAll('#kg-table tr').length > 1")
    assert page.evaluate("document.querySelectorAll('#kg-table tr').length") == 4  # a header and three implementers
    assert page.inner_text("#kg-status") == "3 rows"

    page.click(f"#kg-table button.kg-doc >> text='{CONCLUSION}'")
    frame = page.query_selector("#kg-graph").content_frame()
    drawn_in(frame, "/view?doc=" + urllib.parse.quote(CONCLUSION, safe=""))
    assert frame.evaluate("kgView.nodes.length") > 0
    assert CONCLUSION in frame.evaluate("kgView.nodes.getIds()")

    # Markup in a result is text; a syntax error shows the parser's message.
    page.click("#kg-free")
    page.fill("#kg-query", 'SELECT ?x WHERE { BIND("<img src=x onerror=window.__pwned=1>" AS ?x) }')
    page.click("#kg-run")
    wait_until(page, "document.getElementById('kg-status').textContent === '1 row'")
    assert page.inner_text("#kg-table td") == "<img src=x onerror=window.__pwned=1>"
    page.fill("#kg-query", "SELEC nothing")
    page.click("#kg-run")
    wait_until(page, "!document.getElementById('kg-error').hidden")
    assert page.inner_text("#kg-error").startswith("syntax error: ")
    page.wait_for_timeout(300)  # an image, had one been made, would have failed to load by now
    assert page.evaluate("window.__pwned") is None

    assert foreign == [] and all(url.startswith(server + "/") for url in requests)
    # The failed run above answered 400, which Chromium logs; nothing else may be logged.
    assert errors == ["Failed to load resource: the server responded with a status of 400 (Bad Request)"]
    page.close()
