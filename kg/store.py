"""Where the graph lives: one interface, three backends.

- a directory: an embedded on-disk Oxigraph store, no server (the default, `kg-store`);
- `memory`: an in-memory Oxigraph store, for small jobs and tests;
- `http(s)://...`: a SPARQL 1.1 server (query, update and graph store protocol).

Measured traps this module is shaped by: a store directory can be opened read-write by
one process only (others open it read-only); full-scan aggregates on a large on-disk
store take seconds, so the statistics the CLI prints are kept precomputed in the meta
graph; and rdflib's per-triple Python path is far slower than Oxigraph's, so quads are
added in bulk and rdflib is only offered as a copy for interoperability (`dataset()`).

The default graph is derived: it holds every triple of the named graphs (one per source
text, the registry, the vocabulary; not the build's bookkeeping in the meta graph) once,
and queries read it as their default graph. A union default graph would repeat a
document's triples once per text that states them, so a join over a document that n
texts cite would cost n^k rows (measured: 400 texts citing one conclusion stalled the
library queries for minutes). `add`, `add_graphs` and `drop_graphs` keep it in step; `GRAPH ?g`
patterns still see each named graph, which is where provenance lives.
"""

from __future__ import annotations

import base64
import functools
import itertools
import json
import netrc
import os
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import pyoxigraph as ox
import rdflib

from kg.vocab import META_GRAPH, PREFIXES

DEFAULT_STORE = "kg-store"
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
MEMORY = "memory"

# Format names of the CLI -> Oxigraph formats.
FORMATS = {
    "ttl": ox.RdfFormat.TURTLE,
    "trig": ox.RdfFormat.TRIG,
    "nq": ox.RdfFormat.N_QUADS,
    "nt": ox.RdfFormat.N_TRIPLES,
    "jsonld": ox.RdfFormat.JSON_LD,
}

Row = dict[str, rdflib.term.Identifier]
Term = ox.NamedNode | ox.BlankNode | ox.Literal  # a parameter value, checked by pyoxigraph
Bindings = Mapping[str, Term | Sequence[Term]]  # parameter -> its value, or its values (one row each)
NOT_SELECT = "only a SELECT query gives rows; this one is an ASK, CONSTRUCT or DESCRIBE query"
NOT_ASK = "only an ASK query gives a yes or no; this one is a SELECT, CONSTRUCT or DESCRIBE query"
UNMERGED = ox.NamedNode(META_GRAPH)
GRAPHS_PER_UPDATE = 200
# Quads Oxigraph's bulk loader ingests at once (its batch); a load of fewer is one RocksDB
# ingestion of files into every index, which RocksDB records atomically, even if killed.
BULK_QUADS = 1_000_000
# The graph term that ends a line of N-Quads: a line break inside a literal is escaped, so
# ` <g> .` and a real line break only meet at the end of a line.
GRAPH_TERM = re.compile(rb" <[^<>]*> \.\n")

# Removes from the default graph the triples that only graph <{graph}> holds; run before
# the graph is dropped, in the same request, so that no interruption splits the two.
RETRACT = """DELETE {{ ?s ?p ?o }} WHERE {{
  GRAPH <{graph}> {{ ?s ?p ?o }}
  FILTER NOT EXISTS {{ GRAPH ?other {{ ?s ?p ?o }} FILTER (?other NOT IN (<{graph}>, <{unmerged}>)) }}
}}"""


@dataclass(frozen=True)
class Solutions:
    """The answer of a SELECT query: its variables in order, and its rows."""

    variables: list[str]
    rows: list[Row]
    truncated: bool = False  # more rows matched than the limit let through


class StoreError(Exception):
    """A store that cannot be opened or used; the message names it."""


def _literal(value: str, language: str | None, datatype: str | None) -> rdflib.Literal:
    """A literal as every backend gives it: a simple literal is typed xsd:string, as in RDF 1.1."""
    if language:
        return rdflib.Literal(value, lang=language)
    return rdflib.Literal(value, datatype=rdflib.URIRef(datatype or XSD_STRING))


# Rows repeat their types, places, levels and dates; rdflib's Literal costs 20 µs to make.
@functools.lru_cache(maxsize=1 << 16)
def _rdflib_term(term) -> rdflib.term.Identifier:
    if isinstance(term, ox.NamedNode):
        return rdflib.URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return rdflib.BNode(term.value)
    return _literal(term.value, term.language, term.datatype.value)


class Store:
    """The operations the graph stage needs, the same on every backend."""

    location: str

    def select(self, sparql: str) -> list[Row]:
        """The rows of a SELECT query whose default graph is the merged one."""
        raise NotImplementedError

    def construct(self, sparql: str) -> bytes:
        """The triples of a CONSTRUCT query, as N-Triples."""
        raise NotImplementedError

    def solutions(self, sparql: str, bindings: Bindings | None = None, limit: int | None = None) -> Solutions:
        """A read-only SELECT query over the merged default graph, each parameter bound to an
        RDF term (or to several, one row each) in a VALUES block, written in N-Triples syntax
        by pyoxigraph, so no value can change the query.
        At most `limit` rows are kept; the rest are not computed where the engine streams."""
        raise NotImplementedError

    def ask(self, sparql: str) -> bool:
        """The answer of an ASK query over the merged default graph."""
        raise NotImplementedError

    def update(self, sparql: str) -> None:
        raise NotImplementedError

    def add(self, quads: Iterable[ox.Quad]) -> None:
        """Add many quads, and their triples but the meta graph's to the default graph, in
        one write that a killed process leaves whole or undone (the embedded store)."""
        quads = list(quads)
        self._add(quads + [ox.Quad(q.subject, q.predicate, q.object) for q in quads if q.graph_name != UNMERGED])

    def _add(self, quads: list[ox.Quad]) -> None:
        raise NotImplementedError

    def add_graphs(self, nquads: bytes) -> None:
        """Add named graphs given as N-Quads lines (every line with its graph, none the meta
        graph's) and their triples to the default graph, in one write that a killed process
        leaves whole or undone (the embedded store, below BULK_QUADS)."""
        if nquads:
            self._load_nquads(nquads + GRAPH_TERM.sub(b" .\n", nquads))

    def _load_nquads(self, nquads: bytes) -> None:
        self._add(list(ox.parse(nquads, format=ox.RdfFormat.N_QUADS)))

    def drop_graphs(self, graphs: Iterable[str]) -> None:
        """Drop named graphs, and from the default graph what no other graph holds; a graph
        and its retraction go in one request."""
        graphs = list(graphs)
        for start in range(0, len(graphs), GRAPHS_PER_UPDATE):
            statements = []
            for graph in graphs[start : start + GRAPHS_PER_UPDATE]:
                if graph != META_GRAPH:
                    statements.append(RETRACT.format(graph=graph, unmerged=META_GRAPH))
                statements.append(f"DROP SILENT GRAPH <{graph}>")
            self.update(" ;\n".join(statements))

    def load(self, data: bytes, format: str) -> None:
        """Add the quads of an RDF document (an export of `kg export`, say)."""
        self.add(ox.parse(data, format=FORMATS[format]))

    def remerge(self) -> None:
        """Rebuild the default graph from the named graphs, after updates that wrote them directly."""
        self.update(
            f"DROP SILENT DEFAULT ; INSERT {{ ?s ?p ?o }} WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER (?g != <{META_GRAPH}>) }}"
        )

    def _quads(self) -> Iterable[ox.Quad]:
        """Every quad of the store, the merged default graph's included."""
        raise NotImplementedError

    def _dump_graph(self, output: BinaryIO, rdf_format: ox.RdfFormat, graph: str | None) -> None:
        raise NotImplementedError

    def dump(self, output: BinaryIO, format: str, graph: str | None = None) -> None:
        """Write the named graphs (or one graph, for triple formats) to a binary stream;
        the default graph is left out, as it is derived from them."""
        rdf_format = FORMATS[format]
        if rdf_format.supports_datasets:
            named = (quad for quad in self._quads() if quad.graph_name != ox.DefaultGraph())
            ox.serialize(named, output, format=rdf_format, prefixes=PREFIXES)
        else:
            self._dump_graph(output, rdf_format, graph)

    def close(self) -> None:
        """Write pending changes out; the store is not usable afterwards."""

    def replace_graphs(self, graphs: Iterable[str], quads: Iterable[ox.Quad]) -> None:
        """Drop the graphs, then add the quads: two writes, each whole or undone where the
        backend has transactions, so an interruption leaves each graph old, new or absent."""
        self.drop_graphs(graphs)
        self.add(quads)

    def dataset(self) -> rdflib.Dataset:
        """A copy of the store as an rdflib Dataset, for code that speaks rdflib, with the
        merged default graph the store's queries read."""
        dataset = rdflib.Dataset()
        dataset.parse(data=ox.serialize(self._quads(), format=ox.RdfFormat.N_QUADS), format="nquads")
        dataset.default_union = False
        return dataset

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class OxigraphStore(Store):
    def __init__(self, path: str | Path | None = None, read_only: bool = False) -> None:
        self.location = str(path) if path else MEMORY
        try:
            if path is None:
                self._store = ox.Store()
            elif read_only:
                self._store = ox.Store.read_only(str(path))
            else:
                Path(path).mkdir(parents=True, exist_ok=True)
                self._store = ox.Store(str(path))
                # Files of a bulk load in a process killed midway: garbage, whether RocksDB
                # took them in (it links them) or not; only the writer may remove them.
                for leftover in Path(path).glob("bulk-*.sst"):
                    leftover.unlink(missing_ok=True)
        except OSError as error:
            if "lock" in str(error).lower():
                raise StoreError(
                    f"store {path} is open for writing in another process; only one process can write a store at a time"
                ) from None
            raise StoreError(f"cannot open store {path}: {error}") from None
        self._read_only = read_only

    def select(self, sparql: str) -> list[Row]:
        solutions = self._store.query(sparql)
        names = [v.value for v in solutions.variables]
        return [{name: _rdflib_term(row[name]) for name in names if row[name] is not None} for row in solutions]

    def construct(self, sparql: str) -> bytes:
        return self._store.query(sparql).serialize(format=ox.RdfFormat.N_TRIPLES)

    def solutions(self, sparql: str, bindings: Bindings | None = None, limit: int | None = None) -> Solutions:
        # Oxigraph plans a query before it substitutes values, so a parameter given only as
        # a substitution is planned as unbound (a join from the wrong end: 700 ms instead of
        # 2 ms at 10,000 texts); a VALUES block opening the WHERE clause is planned as the
        # constant it is. The substitution binds it too where VALUES does not reach: inside
        # the right side of an OPTIONAL, which Oxigraph evaluates on its own.
        substitutions = {ox.Variable(name): term for name, term in (bindings or {}).items() if isinstance(term, Term)}
        answer = self._store.query(with_values(sparql, bindings or {}), substitutions=substitutions)
        if not isinstance(answer, ox.QuerySolutions):
            raise StoreError(NOT_SELECT)
        names = [v.value for v in answer.variables]
        rows = ({name: _rdflib_term(row[name]) for name in names if row[name] is not None} for row in answer)
        return _limited(names, rows, limit)

    def ask(self, sparql: str) -> bool:
        answer = self._store.query(sparql)
        if not isinstance(answer, ox.QueryBoolean):
            raise StoreError(NOT_ASK)
        return bool(answer)

    def update(self, sparql: str) -> None:
        self._store.update(sparql)

    def _add(self, quads: list[ox.Quad]) -> None:
        # A transaction: the few quads that come this way (reference data, meta graph) are
        # not worth the files of a bulk load.
        self._store.extend(quads)

    def _load_nquads(self, nquads: bytes) -> None:
        # Three times faster than a transaction on builds (both parse in Rust), and whole
        # or undone below BULK_QUADS quads: tests/test_store_safety.py kills it midway.
        if nquads.count(b"\n") < BULK_QUADS:
            self._store.bulk_load(nquads, format=ox.RdfFormat.N_QUADS)
        else:
            self._store.load(nquads, format=ox.RdfFormat.N_QUADS)

    def _quads(self) -> Iterable[ox.Quad]:
        return iter(self._store)

    def _dump_graph(self, output: BinaryIO, rdf_format: ox.RdfFormat, graph: str | None) -> None:
        target = ox.NamedNode(graph) if graph else ox.DefaultGraph()
        self._store.dump(output, format=rdf_format, from_graph=target, prefixes=PREFIXES)

    def close(self) -> None:
        if not self._read_only and self.location != MEMORY:
            self._store.flush()
        del self._store


TRANSIENT_STATUS = (502, 503, 504)  # a proxy or server that may answer a moment later
CREDENTIALS_HELP = "set KG_STORE_USER and KG_STORE_PASSWORD, or put them in ~/.netrc (or the file KG_NETRC names)"


@dataclass(frozen=True)
class Retry:
    """How hard to try a server that fails transiently: `attempts` in all, waiting
    `backoff` seconds after the first failure and twice as long after each next one."""

    attempts: int = 5
    backoff: float = 0.5
    timeout: float = 120.0  # seconds a request may wait for an answer

    @classmethod
    def from_environment(cls) -> Retry:
        """KG_STORE_ATTEMPTS, KG_STORE_BACKOFF and KG_STORE_TIMEOUT, where set."""
        given = {}
        for field_name, variable, kind in (
            ("attempts", "KG_STORE_ATTEMPTS", int),
            ("backoff", "KG_STORE_BACKOFF", float),
            ("timeout", "KG_STORE_TIMEOUT", float),
        ):
            if os.environ.get(variable):
                try:
                    given[field_name] = kind(os.environ[variable])
                except ValueError:
                    raise StoreError(f"{variable}={os.environ[variable]}: not a {kind.__name__}") from None
        if given.get("attempts", 1) < 1:
            raise StoreError(f"KG_STORE_ATTEMPTS={given['attempts']}: give at least 1 (the first try counts)")
        return cls(**given)


def endpoint_credentials(url: str) -> tuple[str, str] | None:
    """(user, password) for a server: from KG_STORE_USER and KG_STORE_PASSWORD, else from
    the netrc file (KG_NETRC, default ~/.netrc) entry of its host. Never from the URL, nor
    from any option: command lines show in process lists and shell history."""
    user, password = os.environ.get("KG_STORE_USER"), os.environ.get("KG_STORE_PASSWORD")
    if user and password is not None:
        return user, password
    path = Path(os.environ.get("KG_NETRC") or Path.home() / ".netrc")
    if not path.is_file():
        return None
    try:
        entry = netrc.netrc(path).authenticators(urllib.parse.urlsplit(url).hostname or "")
    except (netrc.NetrcParseError, OSError) as error:
        raise StoreError(f"{path}: cannot read the credentials ({error})") from None
    return (entry[0], entry[2] or "") if entry else None


class SparqlEndpointStore(Store):
    """A SPARQL 1.1 server. `URL` serves query, update and the graph store protocol (as
    Fuseki's dataset URL does); a URL ending in `/query` has `/update` and `/store`
    beside it (as Oxigraph's server has). Requests that fail transiently (refused or
    reset connections, timeouts, HTTP 502, 503, 504) are tried again as `retry` says;
    every request kg sends may be repeated safely (adding quads twice, dropping a graph
    twice or asking twice changes nothing more)."""

    def __init__(self, url: str, credentials: tuple[str, str] | None = None, retry: Retry = Retry()) -> None:
        parts = urllib.parse.urlsplit(url)
        if parts.username or parts.password:
            raise StoreError(
                f"--store {parts.scheme}://{parts.hostname}{parts.path}: credentials in the URL are refused"
                f" (they show in process lists and shell history); {CREDENTIALS_HELP}"
            )
        self.location = url
        self.retry = retry
        self._authorization = (
            "Basic " + base64.b64encode(":".join(credentials).encode("utf-8")).decode("ascii") if credentials else None
        )
        root, _, last = url.rstrip("/").rpartition("/")
        if last == "query":
            self.query_url, self.update_url, self.store_url = url, f"{root}/update", f"{root}/store"
        else:
            self.query_url = self.update_url = self.store_url = url

    def _request(
        self, url: str, data: bytes | None, content_type: str | None, accept: str | None = None, method: str = "POST"
    ) -> bytes:
        headers = {
            k: v
            for k, v in (("Content-Type", content_type), ("Accept", accept), ("Authorization", self._authorization))
            if v
        }
        request = urllib.request.Request(url, data=data, headers=headers, method=method)
        started = time.monotonic()
        for attempt in range(1, self.retry.attempts + 1):
            try:
                with urllib.request.urlopen(request, timeout=self.retry.timeout) as response:
                    return response.read()
            except urllib.error.HTTPError as error:
                detail = error.read().decode("utf-8", "replace").strip().splitlines()
                problem = f"HTTP {error.code} {detail[0] if detail else error.reason}"
                if error.code not in TRANSIENT_STATUS:
                    raise StoreError(f"{url}: {problem}{_hint(error.code)}") from None
            except (urllib.error.URLError, OSError) as error:  # refused, reset, timed out
                reason = getattr(error, "reason", None) or error
                problem = getattr(reason, "strerror", None) or str(reason)
            if attempt < self.retry.attempts:
                time.sleep(self.retry.backoff * 2 ** (attempt - 1))
        raise StoreError(
            f"{url}: {problem}, still after {self.retry.attempts} attempts over {time.monotonic() - started:.1f} s;"
            " check that the server runs (KG_STORE_ATTEMPTS and KG_STORE_BACKOFF set how long kg tries)"
        )

    def select(self, sparql: str) -> list[Row]:
        body = self._request(
            self.query_url, sparql.encode("utf-8"), "application/sparql-query", "application/sparql-results+json"
        )
        return [
            {name: _json_term(value) for name, value in binding.items()}
            for binding in json.loads(body)["results"]["bindings"]
        ]

    def construct(self, sparql: str) -> bytes:
        return self._request(
            self.query_url, sparql.encode("utf-8"), "application/sparql-query", "application/n-triples"
        )

    def solutions(self, sparql: str, bindings: Bindings | None = None, limit: int | None = None) -> Solutions:
        # The server's own default graph is the merged graph: it must not be configured
        # as the union of the named graphs (Fuseki: leave tdb:unionDefaultGraph unset).
        body = self._request(
            self.query_url,
            with_values(sparql, bindings or {}).encode("utf-8"),
            "application/sparql-query",
            "application/sparql-results+json",
        )
        answer = json.loads(body)
        if "results" not in answer:
            raise StoreError(NOT_SELECT)
        rows = (
            {name: _json_term(value) for name, value in binding.items()} for binding in answer["results"]["bindings"]
        )
        return _limited(answer["head"]["vars"], rows, limit)

    def ask(self, sparql: str) -> bool:
        body = self._request(
            self.query_url, sparql.encode("utf-8"), "application/sparql-query", "application/sparql-results+json"
        )
        answer = json.loads(body)
        if "boolean" not in answer:
            raise StoreError(NOT_ASK)
        return bool(answer["boolean"])

    def update(self, sparql: str) -> None:
        self._request(self.update_url, sparql.encode("utf-8"), "application/sparql-update")

    def _add(self, quads: list[ox.Quad]) -> None:
        data = ox.serialize(quads, format=ox.RdfFormat.N_QUADS)
        if data:
            self._request(self.store_url, data, "application/n-quads")

    def _quads(self) -> Iterable[ox.Quad]:
        every = self._request(self.store_url, None, None, ox.RdfFormat.N_QUADS.media_type, method="GET")
        return ox.parse(every, format=ox.RdfFormat.N_QUADS)

    def _dump_graph(self, output: BinaryIO, rdf_format: ox.RdfFormat, graph: str | None) -> None:
        url = f"{self.store_url}?{urllib.parse.urlencode({'graph': graph} if graph else {'default': ''})}"
        output.write(self._request(url, None, None, rdf_format.media_type, method="GET"))


def _hint(status: int) -> str:
    if status in (401, 403):
        return f"; {CREDENTIALS_HELP}"
    if status in (404, 405):
        return "; for an Oxigraph server give its /query URL"
    return ""


def _json_term(value: dict) -> rdflib.term.Identifier:
    if value["type"] == "uri":
        return rdflib.URIRef(value["value"])
    if value["type"] == "bnode":
        return rdflib.BNode(value["value"])
    return _literal(value["value"], value.get("xml:lang"), value.get("datatype"))


class RdflibStore(Store):
    """An rdflib Dataset (as `Store.dataset` makes it) as a read-only store: the same
    queries, rdflib's engine."""

    def __init__(self, dataset: rdflib.Dataset) -> None:
        self.location = "rdflib"
        self._dataset = dataset

    def solutions(self, sparql: str, bindings: Bindings | None = None, limit: int | None = None) -> Solutions:
        bindings = bindings or {}
        if all(isinstance(term, Term) for term in bindings.values()):
            initial = {name: _rdflib_term(term) for name, term in bindings.items()}
            answer = self._dataset.query(sparql, initBindings=initial)
        else:
            answer = self._dataset.query(with_values(sparql, bindings))
        if answer.type != "SELECT":
            raise StoreError(NOT_SELECT)
        names = [str(v) for v in answer.vars]
        rows = ({name: _same_literal(row[name]) for name in names if row[name] is not None} for row in answer)
        return _limited(names, rows, limit)


def _limited(names: list[str], rows: Iterable[Row], limit: int | None) -> Solutions:
    """The first `limit` rows; taking one more tells whether any were left out."""
    kept = list(itertools.islice(rows, None if limit is None else limit + 1))
    truncated = limit is not None and len(kept) > limit
    return Solutions(names, kept[:limit] if truncated else kept, truncated)


def _same_literal(term: rdflib.term.Identifier) -> rdflib.term.Identifier:
    if isinstance(term, rdflib.Literal):
        return _literal(str(term), term.language, term.datatype)
    return term


# What may come before the `{` that opens a SELECT query's WHERE clause and hold a brace:
# comments, strings and IRIs; the rest is keywords, variables and expressions.
_BEFORE_WHERE = re.compile(
    r"""#[^\n]*|'''(?:[^\\]|\\.)*?'''|\"\"\"(?:[^\\]|\\.)*?\"\"\"|'(?:[^'\\\n]|\\.)*'"""
    r"""|"(?:[^"\\\n]|\\.)*"|<[^<>"{}|^`\\\x00-\x20]*>|\{|[^#'"<{]+|<"""
)


def values_block(name: str, terms: Iterable[Term]) -> str:
    """`VALUES ?name { ... }` with one row per term, each written in N-Triples syntax by
    pyoxigraph (escaped and checked when the term was made)."""
    return f"VALUES ?{name} {{ {' '.join(str(term) for term in terms)} }}"


def restricted_to(variable: str, iris: Collection[str] | None) -> str:
    """A VALUES block keeping `variable` to the given IRIs, in a fixed order; nothing
    (no restriction) when `iris` is None."""
    return "" if iris is None else values_block(variable, (ox.NamedNode(iri) for iri in sorted(iris)))


def with_values(sparql: str, bindings: Mapping[str, Term | Sequence[Term]]) -> str:
    """The query with a VALUES block opening its WHERE clause. A name bound to a sequence of
    terms gives one row per term (at most one such name). Each term is written in N-Triples
    syntax, escaped and checked by pyoxigraph when the term was made, so no value can end
    the block or change the query."""
    if not bindings:
        return sparql
    several = [name for name, value in bindings.items() if not isinstance(value, Term)]
    if len(several) > 1:
        raise StoreError(f"only one parameter may take several values, not {', '.join(several)}")
    rows = [bindings[several[0]]] if several else [[None]]
    names = " ".join(f"?{name}" for name in bindings)
    block = " ".join(
        "(" + " ".join(str(term if isinstance(term, Term) else value) for term in bindings.values()) + ")"
        for value in rows[0]
    )
    for token in _BEFORE_WHERE.finditer(sparql):
        if token.group() == "{":
            return f"{sparql[: token.end()]} VALUES ({names}) {{ {block} }}{sparql[token.end() :]}"
    raise StoreError("the query has no WHERE clause to bind parameters in")


def open_store(location: str | Path | None = DEFAULT_STORE, read_only: bool = False) -> Store:
    """`memory`, an `http(s)://` SPARQL endpoint, or a store directory."""
    text = str(location or DEFAULT_STORE)
    if text == MEMORY:
        return OxigraphStore(None)
    if text.startswith(("http://", "https://")):
        return SparqlEndpointStore(text, endpoint_credentials(text), Retry.from_environment())
    if read_only and not Path(text).is_dir():
        raise StoreError(f"store {text} does not exist (run `kg build` first)")
    return OxigraphStore(text, read_only=read_only)
