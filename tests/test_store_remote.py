"""A remote store (issue 6, item 7): credentials from the environment or a netrc file,
never the command line; transient failures tried again with backoff, then one clear line.
A tiny server on 127.0.0.1 plays the endpoint: it answers a fixed script of responses and
stops by itself."""

from __future__ import annotations

import base64
import json
import re
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from test_store_http import _free_port

from kg.cli import main
from kg.store import (
    MERGED_GRAPH,
    Paging,
    Retry,
    SparqlEndpointStore,
    StoreError,
    endpoint_credentials,
    open_store,
    virtuoso_graphs,
)

ANSWER = json.dumps({"head": {"vars": ["n"]}, "results": {"bindings": [{"n": {"type": "literal", "value": "7"}}]}})
FAST = Retry(attempts=4, backoff=0.05, timeout=5)


class ScriptedEndpoint:
    """Answers each request with the next status of `script` (200 gives a result), records
    what it was sent, and serves no more requests than the script holds."""

    def __init__(self, script: list[int]) -> None:
        self.script = list(script)
        self.requests: list[dict[str, str]] = []
        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                endpoint.requests.append({"time": time.monotonic(), **dict(self.headers)})
                status = endpoint.script.pop(0)
                body = (ANSWER if status == 200 else f"status {status}").encode("utf-8")
                self.send_response(status)
                self.send_header("Content-Type", "application/sparql-results+json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *_) -> None:
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.server.timeout = 10  # no request for 10 s: stop waiting
        self.url = f"http://127.0.0.1:{self.server.server_port}/query"
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        for _ in range(len(self.script)):
            self.server.handle_request()
        self.server.server_close()


def test_transient_errors_are_tried_again_with_growing_waits():
    endpoint = ScriptedEndpoint([503, 502, 504, 200])
    rows = SparqlEndpointStore(endpoint.url, retry=FAST).select("SELECT ?n WHERE {}")
    assert [str(row["n"]) for row in rows] == ["7"]
    times = [request["time"] for request in endpoint.requests]
    waits = [later - earlier for earlier, later in zip(times, times[1:], strict=False)]
    assert len(waits) == 3 and waits[0] >= 0.05 and waits[1] >= 0.1 and waits[2] >= 0.2


def test_a_server_that_stays_down_is_reported_after_the_last_attempt():
    endpoint = ScriptedEndpoint([503] * 4)
    with pytest.raises(StoreError) as error:
        SparqlEndpointStore(endpoint.url, retry=FAST).select("SELECT ?n WHERE {}")
    message = str(error.value)
    assert message.startswith(f"{endpoint.url}: HTTP 503 status 503, still after 4 attempts over ")
    assert "check that the server runs" in message and "\n" not in message
    assert len(endpoint.requests) == 4


def test_a_refused_connection_is_tried_again_then_reported():
    url = f"http://127.0.0.1:{_free_port()}/query"
    started = time.monotonic()
    with pytest.raises(StoreError, match=r": Connection refused, still after 4 attempts"):
        SparqlEndpointStore(url, retry=FAST).select("SELECT ?n WHERE {}")
    assert time.monotonic() - started >= 0.05 + 0.1 + 0.2


def test_errors_that_will_not_pass_are_not_tried_again():
    endpoint = ScriptedEndpoint([400])
    with pytest.raises(StoreError, match="HTTP 400"):
        SparqlEndpointStore(endpoint.url, retry=FAST).select("SELECT ?n WHERE {}")
    assert len(endpoint.requests) == 1


def test_credentials_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("KG_STORE_USER", "reader")
    monkeypatch.setenv("KG_STORE_PASSWORD", "s3cret:with colon")
    endpoint = ScriptedEndpoint([200])
    with open_store(endpoint.url) as store:
        store.select("SELECT ?n WHERE {}")
    expected = "Basic " + base64.b64encode(b"reader:s3cret:with colon").decode("ascii")
    assert endpoint.requests[0]["Authorization"] == expected


def test_credentials_come_from_a_netrc_file_by_host(monkeypatch, tmp_path):
    monkeypatch.delenv("KG_STORE_USER", raising=False)
    monkeypatch.delenv("KG_STORE_PASSWORD", raising=False)
    rc = tmp_path / "netrc"
    rc.write_text("machine elsewhere.example login x password y\nmachine 127.0.0.1 login kg password pw\n")
    rc.chmod(0o600)
    monkeypatch.setenv("KG_NETRC", str(rc))
    assert endpoint_credentials("http://127.0.0.1:9/query") == ("kg", "pw")
    assert endpoint_credentials("http://other.example/query") is None


def test_credentials_in_a_store_url_are_refused_without_showing_them():
    result = CliRunner().invoke(main, ["stats", "--store", "http://admin:hunter2@127.0.0.1:9/query"])
    assert result.exit_code == 1
    assert "hunter2" not in result.output
    assert result.output.splitlines() == [
        "Error: --store http://127.0.0.1/query: credentials in the URL are refused (they show in process lists"
        " and shell history); set KG_STORE_USER and KG_STORE_PASSWORD, or put them in ~/.netrc (or the file"
        " KG_NETRC names)"
    ]


def test_a_build_waits_for_a_real_oxigraph_server_that_starts_late(seeds, tmp_path, oxigraph_command):
    """The build starts first; the server comes up a second later, within the backoff."""
    command = oxigraph_command
    port = _free_port()
    environment = {"KG_STORE_ATTEMPTS": "8", "KG_STORE_BACKOFF": "0.25", "PATH": "/usr/bin:/bin"}
    build = subprocess.Popen(
        [sys.executable, "-m", "kg", "build", str(seeds), "--store", f"http://127.0.0.1:{port}/query"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=environment,
    )
    time.sleep(1.0)
    server = subprocess.Popen(
        [command, "serve", "--location", str(tmp_path / "server"), "--bind", f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        output, errors = build.communicate(timeout=120)
        assert build.returncode == 0, errors
        assert "texts: 5 (built 5" in output
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_a_real_server_that_never_comes_is_reported_in_one_line(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "kg", "stats", "--store", f"http://127.0.0.1:{_free_port()}/query"],
        capture_output=True,
        text=True,
        env={"KG_STORE_ATTEMPTS": "3", "KG_STORE_BACKOFF": "0.05", "PATH": "/usr/bin:/bin"},
        timeout=60,
    )
    assert result.returncode == 1
    (line,) = result.stderr.splitlines()
    assert ": Connection refused, still after 3 attempts" in line


@pytest.mark.parametrize(
    "variable,value,message",
    [
        ("KG_STORE_ATTEMPTS", "0", "KG_STORE_ATTEMPTS=0: give at least 1 (the first try counts)"),
        ("KG_STORE_BACKOFF", "soon", "KG_STORE_BACKOFF=soon: not a float"),
    ],
)
def test_retry_settings_that_make_no_sense_are_one_line_errors(monkeypatch, variable, value, message):
    monkeypatch.setenv(variable, value)
    result = CliRunner().invoke(main, ["stats", "--store", "http://127.0.0.1:9/query"])
    assert result.exit_code == 1
    assert result.output.splitlines() == [f"Error: {message}"]


def test_a_cut_answer_is_asked_again_in_pages_within_the_query_s_own_window():
    query = (
        "PREFIX ex: <urn:ex:> # a { in a comment\n"
        'SELECT ?x (COUNT(*) AS ?n) WHERE { ?x ex:p "}" ; ex:order ?limit } GROUP BY ?x ORDER BY DESC(?n) # most first\n'
        "LIMIT 25 OFFSET 3 VALUES ?x { <urn:ex:1> }"
    )
    paging = Paging.of(query, 10)
    pages = [paging.page(["x", "n"], start, 10) for start in (0, 10, 20, 30)]
    assert pages[3] is None
    windows = [re.search(r"LIMIT (\d+) OFFSET (\d+)", page).groups() for page in pages[:3]]
    assert windows == [("10", "3"), ("10", "13"), ("5", "23")]
    for page in pages[:3]:
        assert "ORDER BY DESC(?n) # most first\n?x ?n\n" in page and page.endswith("VALUES ?x { <urn:ex:1> }")
        ox.Store().query(page)  # still SPARQL


def test_a_query_that_cannot_be_paged_is_refused_in_one_line():
    with pytest.raises(StoreError, match=r"cut the answer at 10 rows and kg cannot page this query; raise"):
        Paging.of("SELECT ?x", 10)


def test_on_virtuoso_graph_patterns_see_the_graphs_as_with_a_default_graph_of_its_own():
    """Oxigraph given the merged graph as the default graph, every named graph still in
    reach of GRAPH, plays Virtuoso; the same data with a real default graph is expected."""
    merged, text = ox.NamedNode(MERGED_GRAPH), ox.NamedNode("urn:ex:text")
    triple = ox.Triple(ox.NamedNode("urn:ex:doc"), ox.NamedNode("urn:ex:says"), ox.Literal("có"))
    like_virtuoso, expected = ox.Store(), ox.Store()
    like_virtuoso.extend([ox.Quad(*triple, text), ox.Quad(*triple, merged)])
    expected.extend([ox.Quad(*triple, text), ox.Quad(*triple, ox.DefaultGraph())])
    queries = (
        "SELECT ?g ?o WHERE { ?s ?p ?o GRAPH ?g { ?s ?p ?o } }",
        "SELECT ?o ?any WHERE { GRAPH <urn:ex:text> { ?s ?p ?o } OPTIONAL { GRAPH $any { ?s ?p ?o } } }",
        "SELECT ?o WHERE { ?s ?p ?o FILTER NOT EXISTS { GRAPH ?g { ?s ?p ?o } FILTER (?g != <urn:ex:text>) } }",
    )
    for query in queries:
        answer = like_virtuoso.query(virtuoso_graphs(query), default_graph=merged)
        assert [list(row) for row in answer] == [list(row) for row in expected.query(query)], query
    assert merged in [row["g"] for row in like_virtuoso.query(queries[0], default_graph=merged)]  # unless rewritten
