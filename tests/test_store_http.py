"""The SPARQL 1.1 backend against a real server: Oxigraph's, started on loopback."""

import socket
import subprocess
import time
import urllib.request

import pytest

from kg import build, open_store
from kg.trace import find, tree


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def endpoint(tmp_path_factory, oxigraph_command):
    command = oxigraph_command
    port = _free_port()
    server = subprocess.Popen(
        [command, "serve", "--location", str(tmp_path_factory.mktemp("oxigraph")), "--bind", f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/query"
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(f"{url}?query=ASK%7B%7D", timeout=1)
            break
        except OSError:
            if time.monotonic() > deadline or server.poll() is not None:
                server.kill()
                pytest.fail("the oxigraph server did not start")
            time.sleep(0.2)
    yield url
    server.terminate()
    server.wait(timeout=10)


def _quads(store) -> int:
    return int(store.select("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")[0]["n"])


def test_seeds_build_the_same_graph_on_a_server_as_on_disk(endpoint, seeds, tmp_path):
    build([seeds], store=endpoint)
    build([seeds], store=str(tmp_path / "embedded"))
    with open_store(endpoint) as remote, open_store(str(tmp_path / "embedded"), read_only=True) as local:
        assert _quads(remote) == _quads(local)
        (directive,) = find(remote, "05-CT/TW")
        (conclusion,) = tree(remote, directive).children
        assert [plan.name for plan in conclusion.children] == ["129-KH/TU", "224-KH/TU"]


def test_a_second_build_on_the_server_changes_nothing(endpoint, seeds):
    summary = build([seeds], store=endpoint)
    assert (summary.built, summary.skipped) == (0, 5)


def test_the_query_library_gives_the_same_rows_on_a_server(endpoint, seeds, tmp_path):
    from kg.queries import library, run

    build([seeds], store=endpoint)
    build([seeds], store=str(tmp_path / "embedded"))
    arguments = {"doc": "01-KL/TW", "from": "129-KH/TU", "to": "05-CT/TW", "locality": 'Hà Tĩnh" } ; DROP ALL ; #'}
    with open_store(endpoint) as remote, open_store(str(tmp_path / "embedded"), read_only=True) as local:
        for query in library():
            given = {p.name: arguments[p.name] for p in query.parameters if p.name in arguments}
            assert run(remote, query, given) == run(local, query, given), query.name
        assert _quads(remote) == _quads(local)
