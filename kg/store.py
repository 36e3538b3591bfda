"""Where the graph lives: one interface, four backends.

- a directory: an embedded on-disk Oxigraph store, no server (the default, `kg-store`);
- `memory`: an in-memory Oxigraph store, for small jobs and tests;
- `http(s)://...`: a SPARQL 1.1 server (query, update and graph store protocol);
- `virtuoso+http(s)://...`: a Virtuoso server, which needs its own ways (`VirtuosoStore`).

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
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from email.message import Message
from pathlib import Path
from typing import BinaryIO

import pyoxigraph as ox
import rdflib

from kg.vocab import KG, META_GRAPH, PREFIXES, REGISTRY_GRAPH, VOCABULARY_GRAPH

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


def merged_lines(graph: str, nquads: bytes) -> bytes:
    """The lines of one named graph `graph` as lines of the default graph. Its graph term
    is found by a plain byte search: in a build, GRAPH_TERM tried at every term of every
    line took a fifth of the writing thread's time."""
    term = b" <" + graph.encode("utf-8") + b"> .\n"
    merged = nquads.replace(term, b" .\n")
    # A term ends a line, so every line lost it when the length fell by as many terms.
    if len(nquads) - len(merged) != nquads.count(b"\n") * (len(term) - 3):
        return GRAPH_TERM.sub(b" .\n", nquads)
    return merged


# Removes from the default graph the triples that only graph <{graph}> holds; run before
# the graph is dropped, in the same request, so that no interruption splits the two.
# `merged` is where the merged graph's triples are: the default graph, or a named graph
# (where WITH would do, Virtuoso 7.2 deletes nothing); `unmerged` lists the graphs whose
# triples it does not hold.
RETRACT = """DELETE {{ {merged} }} WHERE {{
  GRAPH <{graph}> {{ ?s ?p ?o }}
  FILTER NOT EXISTS {{ GRAPH ?other {{ ?s ?p ?o }} FILTER (?other NOT IN (<{graph}>, {unmerged})) }}
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


def _rows(names: list[str], solutions: ox.QuerySolutions) -> Iterator[Row]:
    # A solution's values come in the order of its variables; reading them in one pass
    # takes a quarter of the time of looking each up by name (4,478 rows of 9: 75 -> 16 ms).
    for solution in solutions:
        yield {name: _rdflib_term(value) for name, value in zip(names, solution, strict=True) if value is not None}


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

    def lexical_rows(self, sparql: str, bindings: Bindings | None = None) -> list[tuple[str | None, ...]]:
        """The rows of `solutions` as the lexical values of their terms (an IRI, a literal's
        text), in the order of the query's variables, None where one is unbound: for a
        caller that reads strings only, without the cost of a term for each value."""
        answer = self.solutions(sparql, bindings)
        return [tuple(str(row[name]) if name in row else None for name in answer.variables) for row in answer.rows]

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

    def add_graphs(self, nquads: bytes, merged: bytes | None = None, checked: bool = False) -> None:
        """Add named graphs given as N-Quads lines (every line with its graph, none the meta
        graph's) and their triples to the default graph, in one write that a killed process
        leaves whole or undone (the embedded store, below BULK_QUADS). `merged`: those
        triples as lines of the default graph, when the caller has them (`merged_lines`).
        `checked`: the lines are pyoxigraph's serialisation of terms it checked when they
        were made (a build's, kg.graph), so their IRIs are not checked again."""
        if nquads:
            self._load_nquads(nquads + (GRAPH_TERM.sub(b" .\n", nquads) if merged is None else merged), checked)

    def _load_nquads(self, nquads: bytes, checked: bool) -> None:
        self._add(list(ox.parse(nquads, format=ox.RdfFormat.N_QUADS, lenient=checked)))

    def drop_graphs(self, graphs: Iterable[str]) -> None:
        """Drop named graphs, and from the default graph what no other graph holds; a graph
        and its retraction go in one request."""
        graphs = list(graphs)
        for start in range(0, len(graphs), GRAPHS_PER_UPDATE):
            statements = []
            for graph in graphs[start : start + GRAPHS_PER_UPDATE]:
                if graph != META_GRAPH:
                    statements.append(self._retraction(graph))
                statements.append(f"DROP SILENT GRAPH <{graph}>")
            self.update(" ;\n".join(statements))

    def _retraction(self, graph: str) -> str:
        return RETRACT.format(merged="?s ?p ?o", graph=graph, unmerged=f"<{META_GRAPH}>")

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

    def compact(self) -> None:
        """Reorganise the store's files for reading, after writes of a large share of it:
        the embedded store's; a server or memory needs none."""

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
        return list(_rows([v.value for v in solutions.variables], solutions))

    def construct(self, sparql: str) -> bytes:
        return self._store.query(sparql).serialize(format=ox.RdfFormat.N_TRIPLES)

    def solutions(self, sparql: str, bindings: Bindings | None = None, limit: int | None = None) -> Solutions:
        answer = self._select(sparql, bindings)
        names = [v.value for v in answer.variables]
        return _limited(names, _rows(names, answer), limit)

    def lexical_rows(self, sparql: str, bindings: Bindings | None = None) -> list[tuple[str | None, ...]]:
        return [
            tuple(None if value is None else value.value for value in row) for row in self._select(sparql, bindings)
        ]

    def _select(self, sparql: str, bindings: Bindings | None) -> ox.QuerySolutions:
        # Oxigraph plans a query before it substitutes values, so a parameter given only as
        # a substitution is planned as unbound (a join from the wrong end: 700 ms instead of
        # 2 ms at 10,000 texts); a VALUES block opening the WHERE clause is planned as the
        # constant it is. The substitution binds it too where VALUES does not reach: inside
        # the right side of an OPTIONAL, which Oxigraph evaluates on its own.
        substitutions = {ox.Variable(name): term for name, term in (bindings or {}).items() if isinstance(term, Term)}
        answer = self._store.query(with_values(sparql, bindings or {}), substitutions=substitutions)
        if not isinstance(answer, ox.QuerySolutions):
            raise StoreError(NOT_SELECT)
        return answer

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

    def _load_nquads(self, nquads: bytes, checked: bool) -> None:
        # Three times faster than a transaction on builds (both parse in Rust), and whole
        # or undone below BULK_QUADS quads: tests/test_store_safety.py kills it midway.
        # Checking a build's IRIs again took a tenth of its loading (docs/benchmarks.md).
        if nquads.count(b"\n") < BULK_QUADS:
            self._store.bulk_load(nquads, format=ox.RdfFormat.N_QUADS, lenient=checked)
        else:
            self._store.load(nquads, format=ox.RdfFormat.N_QUADS, lenient=checked)

    def _quads(self) -> Iterable[ox.Quad]:
        return iter(self._store)

    def _dump_graph(self, output: BinaryIO, rdf_format: ox.RdfFormat, graph: str | None) -> None:
        target = ox.NamedNode(graph) if graph else ox.DefaultGraph()
        self._store.dump(output, format=rdf_format, from_graph=target, prefixes=PREFIXES)

    def compact(self) -> None:
        # Each bulk load leaves its files on RocksDB's first level, where every read looks
        # into each of them: after a million-text build, 139 files. Compacting them took
        # 198 s there and made the tree queries 1.8× faster (docs/benchmarks.md).
        if not self._read_only and self.location != MEMORY:
            self._store.optimize()

    def close(self) -> None:
        if not self._read_only and self.location != MEMORY:
            self._store.flush()
        del self._store


TRANSIENT_STATUS = (502, 503, 504)  # a proxy or server that may answer a moment later
JSON_RESULTS = "application/sparql-results+json"
MAX_ROWS_HEADER = "X-SPARQL-MaxRows"  # Virtuoso's word that it cut the answer at its ResultSetMaxRows
CUT_HELP = (
    "raise the server's limits on answers (Virtuoso: ResultSetMaxRows in [SPARQL], MaxSortedTopRows in [Parameters])"
)
VIRTUOSO = "virtuoso+"
MERGED_GRAPH = "urn:kg:merged"  # the merged graph, on a server that has no default graph of its own
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
    twice or asking twice changes nothing more). A SELECT answer that the server cut at
    its row limit, saying so in the `X-SPARQL-MaxRows` header (Virtuoso does), is asked
    again page by page."""

    def __init__(self, url: str, credentials: tuple[str, str] | None = None, retry: Retry = Retry()) -> None:
        parts = urllib.parse.urlsplit(url)
        if parts.username or parts.password:
            raise StoreError(
                f"--store {parts.scheme}://{parts.hostname}{parts.path}: credentials in the URL are refused"
                f" (they show in process lists and shell history); {CREDENTIALS_HELP}"
            )
        self.location = url
        self.retry = retry
        self._headers = (
            {"Authorization": "Basic " + base64.b64encode(":".join(credentials).encode("utf-8")).decode("ascii")}
            if credentials
            else {}
        )
        self._opener = urllib.request.build_opener()
        root, _, last = url.rstrip("/").rpartition("/")
        if last == "query":
            self.query_url, self.update_url, self.store_url = url, f"{root}/update", f"{root}/store"
        else:
            self.query_url = self.update_url = self.store_url = url

    def _request(
        self, url: str, data: bytes | None, content_type: str | None, accept: str | None = None, method: str = "POST"
    ) -> tuple[bytes, Message]:
        """The body and headers of the answer."""
        headers = {**self._headers, **{k: v for k, v in (("Content-Type", content_type), ("Accept", accept)) if v}}
        request = urllib.request.Request(url, data=data, headers=headers, method=method)
        started = time.monotonic()
        for attempt in range(1, self.retry.attempts + 1):
            try:
                with self._opener.open(request, timeout=self.retry.timeout) as response:
                    return response.read(), response.headers
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

    def _query(self, sparql: str, accept: str) -> tuple[bytes, Message]:
        return self._request(self.query_url, sparql.encode("utf-8"), "application/sparql-query", accept)

    def _bindings(self, sparql: str) -> tuple[list[str], Iterator[dict]]:
        """The variables of a SELECT query and its rows as SPARQL JSON bindings; a cut
        answer is asked again in pages, fetched as the rows are read."""
        body, headers = self._query(sparql, JSON_RESULTS)
        answer = json.loads(body)
        if "results" not in answer:
            raise StoreError(NOT_SELECT)
        names, bindings = answer["head"]["vars"], answer["results"]["bindings"]
        cut_at = headers.get(MAX_ROWS_HEADER)
        if cut_at is None or len(bindings) < int(cut_at):
            return names, iter(bindings)
        return names, self._pages(Paging.of(sparql, int(cut_at)), names, int(cut_at))

    def _pages(self, paging: Paging, names: list[str], size: int) -> Iterator[dict]:
        for start in itertools.count(0, size):
            text = paging.page(names, start, size)
            if text is None:
                return
            try:
                body, _ = self._query(text, JSON_RESULTS)
            except StoreError as error:
                raise StoreError(
                    f"{error} (asked for rows {start} on, as the server cuts answers at {size}); {CUT_HELP}"
                ) from None
            bindings = json.loads(body)["results"]["bindings"]
            yield from bindings
            if len(bindings) < size:
                return

    def select(self, sparql: str) -> list[Row]:
        _, bindings = self._bindings(sparql)
        return [_row(binding) for binding in bindings]

    def construct(self, sparql: str) -> bytes:
        return self._query(sparql, "application/n-triples")[0]

    def solutions(self, sparql: str, bindings: Bindings | None = None, limit: int | None = None) -> Solutions:
        # The server's own default graph is the merged graph: it must not be configured
        # as the union of the named graphs (Fuseki: leave tdb:unionDefaultGraph unset).
        names, rows = self._bindings(with_values(sparql, bindings or {}))
        return _limited(names, map(_row, rows), limit)

    def ask(self, sparql: str) -> bool:
        answer = json.loads(self._query(sparql, JSON_RESULTS)[0])
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
        every, _ = self._request(self.store_url, None, None, ox.RdfFormat.N_QUADS.media_type, method="GET")
        return ox.parse(every, format=ox.RdfFormat.N_QUADS)

    def _dump_graph(self, output: BinaryIO, rdf_format: ox.RdfFormat, graph: str | None) -> None:
        url = f"{self.store_url}?{urllib.parse.urlencode({'graph': graph} if graph else {'default': ''})}"
        output.write(self._request(url, None, None, rdf_format.media_type, method="GET")[0])


class VirtuosoStore(SparqlEndpointStore):
    """A Virtuoso server, given as `virtuoso+` and the URL of its SPARQL endpoint:
    `.../sparql-auth` with digest authentication, or `.../sparql` as Virtuoso's anonymous
    SPARQL user (who must then be granted SPARQL_UPDATE and write permission). Its graph
    store is `/sparql-graph-crud(-auth)` beside it.

    Virtuoso has no default graph of its own: a query without FROM reads every graph, and
    `GRAPH ?g` ranges over them all, Virtuoso's own schema graphs included. So the merged
    graph is the named graph urn:kg:merged; every query, a user's own too, reads it as its
    default graph (the protocol's `default-graph-uri`), and each `GRAPH ?g` of a query is
    followed by a filter that keeps ?g off it (`virtuoso_graphs`; Virtuoso's pragma
    `input:named-graph-exclude` would empty the default graph too). A query that names a
    graph, `GRAPH <iri>`, has a variable `?kg_graph_N` in its place. kg merges and exports only
    its own graphs: its texts, the registry and the vocabulary (and the meta graph, in
    exports).

    Measured on Virtuoso 7.2.5 (Debian 12): a SPARQL query sent as `application/sparql-query`
    gets no answer, so queries and updates go as forms; a graph store POST of N-Quads is
    answered 200 and stores nothing, so quads go as N-Triples, one POST per graph and batch;
    a CONSTRUCT answer is cut at ResultSetMaxRows (plus one) without a word, so kg reads
    the limit from the server's configuration and refuses an answer that long."""

    triples_per_post = 100_000

    def __init__(self, url: str, credentials: tuple[str, str] | None = None, retry: Retry = Retry()) -> None:
        endpoint = url.removeprefix(VIRTUOSO)
        super().__init__(endpoint, None, retry)
        self.location = url
        root, _, last = endpoint.rstrip("/").rpartition("/")
        if last not in ("sparql", "sparql-auth"):
            raise StoreError(
                f"--store {url}: give Virtuoso's SPARQL endpoint, ending in /sparql-auth (or /sparql), after virtuoso+"
            )
        self.store_url = f"{root}/{last.replace('sparql', 'sparql-graph-crud')}"
        if credentials:
            passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
            passwords.add_password(None, f"{root}/", *credentials)
            self._opener = urllib.request.build_opener(urllib.request.HTTPDigestAuthHandler(passwords))

    def _form(self, url: str, fields: dict[str, str], accept: str | None = None) -> tuple[bytes, Message]:
        return self._request(
            url, urllib.parse.urlencode(fields).encode("ascii"), "application/x-www-form-urlencoded", accept
        )

    def _query(self, sparql: str, accept: str) -> tuple[bytes, Message]:
        fields = {"query": virtuoso_graphs(sparql), "default-graph-uri": MERGED_GRAPH}
        return self._form(self.query_url, fields, accept)

    def update(self, sparql: str) -> None:
        self._form(self.update_url, {"update": sparql})

    def construct(self, sparql: str) -> bytes:
        data = super().construct(sparql)
        if self.row_limit is not None and data.count(b"\n") > self.row_limit:
            raise StoreError(
                f"{self.location}: the CONSTRUCT answer may be cut at the server's {self.row_limit} rows"
                f" (Virtuoso says so nowhere); {CUT_HELP}"
            )
        return data

    @functools.cached_property
    def row_limit(self) -> int | None:
        """ResultSetMaxRows of the server's configuration, where set."""
        (row,) = self.select(
            "SELECT (bif:cfg_item_value(bif:virtuoso_ini_path(), 'SPARQL', 'ResultSetMaxRows') AS ?rows) WHERE {}"
        )
        return int(row["rows"]) if "rows" in row and str(row["rows"]).isdigit() else None

    def _add(self, quads: list[ox.Quad]) -> None:
        triples: dict[str, list[ox.Triple]] = {}
        for quad in quads:
            graph = MERGED_GRAPH if quad.graph_name == ox.DefaultGraph() else quad.graph_name.value
            triples.setdefault(graph, []).append(quad.triple)
        for graph, graph_triples in triples.items():
            # A blank node is one node within one POST only: a graph with any goes whole.
            blank = any(isinstance(term, ox.BlankNode) for t in graph_triples for term in (t.subject, t.object))
            size = len(graph_triples) if blank else self.triples_per_post
            url = f"{self.store_url}?{urllib.parse.urlencode({'graph': graph})}"
            for start in range(0, len(graph_triples), size):
                data = ox.serialize(graph_triples[start : start + size], format=ox.RdfFormat.N_TRIPLES)
                self._request(url, data, "application/n-triples")

    def _retraction(self, graph: str) -> str:
        return RETRACT.format(
            merged=f"GRAPH <{MERGED_GRAPH}> {{ ?s ?p ?o }}", graph=graph, unmerged=f"<{META_GRAPH}>, <{MERGED_GRAPH}>"
        )

    def remerge(self) -> None:
        self.update(
            f"DROP SILENT GRAPH <{MERGED_GRAPH}> ;"
            f" INSERT {{ GRAPH <{MERGED_GRAPH}> {{ ?s ?p ?o }} }} WHERE {{ {_kg_quads()} }}"
        )

    def _quads(self) -> Iterable[ox.Quad]:
        _, bindings = self._bindings(f"SELECT ?g ?s ?p ?o WHERE {{ {_kg_quads(META_GRAPH)} UNION {{ ?s ?p ?o }} }}")
        for row in bindings:
            graph = ox.NamedNode(row["g"]["value"]) if "g" in row else ox.DefaultGraph()
            yield ox.Quad(_ox_term(row["s"]), _ox_term(row["p"]), _ox_term(row["o"]), graph)

    def _dump_graph(self, output: BinaryIO, rdf_format: ox.RdfFormat, graph: str | None) -> None:
        pattern = f"GRAPH <{graph}> {{ ?s ?p ?o }}" if graph else "?s ?p ?o"
        _, bindings = self._bindings(f"SELECT ?s ?p ?o WHERE {{ {pattern} }}")
        triples = (ox.Triple(_ox_term(row["s"]), _ox_term(row["p"]), _ox_term(row["o"])) for row in bindings)
        ox.serialize(triples, output, format=rdf_format, prefixes=PREFIXES)


def _kg_quads(*more: str) -> str:
    """A pattern binding ?g ?s ?p ?o to each quad of the graphs kg writes but the meta graph
    (and of `more`). Not a VALUES block: in a UNION, Virtuoso 7.2 matches nothing with one."""
    fixed = ", ".join(f"<{graph}>" for graph in (REGISTRY_GRAPH, VOCABULARY_GRAPH, *more))
    return (
        f"{{ GRAPH ?g {{ ?g a <{KG}SourceText> }} GRAPH ?g {{ ?s ?p ?o }} }}"
        f" UNION {{ GRAPH ?g {{ ?s ?p ?o }} FILTER (?g IN ({fixed})) }}"
    )


def _hint(status: int) -> str:
    if status in (401, 403):
        return f"; {CREDENTIALS_HELP}"
    if status in (404, 405):
        return "; for an Oxigraph server give its /query URL, for Virtuoso virtuoso+http://HOST:PORT/sparql-auth"
    return ""


def _row(binding: dict) -> Row:
    return {name: _rdflib_term(_ox_term(value)) for name, value in binding.items()}


def _ox_term(value: dict) -> Term:
    """The term of a SPARQL JSON result's value."""
    if value["type"] == "uri":
        return ox.NamedNode(value["value"])
    if value["type"] == "bnode":  # Virtuoso names them nodeID://b1234
        return ox.BlankNode(re.sub(r"\W", "_", value["value"]))
    if value.get("xml:lang"):
        return ox.Literal(value["value"], language=value["xml:lang"])
    return ox.Literal(value["value"], datatype=ox.NamedNode(value.get("datatype") or XSD_STRING))


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
        rows = (
            {name: _same_literal(value) for name, value in zip(names, row, strict=True) if value is not None}
            for row in answer
        )
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


# The tokens of a query that may hold a brace or a keyword without being one: comments,
# strings, IRIs, variables and prefixed names; then braces, keywords and numbers.
_TOKEN = re.compile(
    r"""#[^\n]*|'''(?:[^\\]|\\.)*?'''|\"\"\"(?:[^\\]|\\.)*?\"\"\"|'(?:[^'\\\n]|\\.)*'"""
    r"""|"(?:[^"\\\n]|\\.)*"|<[^<>"{}|^`\\\x00-\x20]*>|[?$]\w+|[\w-]*:[\w.-]*|[{}]|\w+|\S"""
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
    """The query with a VALUES block opening its WHERE clause, and each subquery's that
    selects a bound name. A name bound to a sequence of terms gives one row per term (at
    most one such name). Each term is written in N-Triples syntax, escaped and checked by
    pyoxigraph when the term was made, so no value can end the block or change the query.

    A subquery is evaluated on its own before it is joined, so an engine given the block
    only outside it computes it for every document first (a count of the texts that mention
    one document: 5 s at a million texts, against 20 ms given the block inside). Only a
    subquery that selects the name gets it: its name is then the outer one, which the outer
    block keeps to the same values anyway."""
    if not bindings:
        return sparql
    several = [name for name, value in bindings.items() if not isinstance(value, Term)]
    if len(several) > 1:
        raise StoreError(f"only one parameter may take several values, not {', '.join(several)}")
    insertions = [(where, _values_block(bindings, names)) for where, names in _where_clauses(sparql, list(bindings))]
    if not insertions:
        raise StoreError("the query has no WHERE clause to bind parameters in")
    for where, block in reversed(insertions):
        sparql = f"{sparql[:where]} {block}{sparql[where:]}"
    return sparql


def _values_block(bindings: Mapping[str, Term | Sequence[Term]], names: list[str]) -> str:
    columns = [[value] if isinstance(value, Term) else list(value) for value in (bindings[name] for name in names)]
    rows = " ".join("(" + " ".join(str(term) for term in row) + ")" for row in itertools.product(*columns))
    return f"VALUES ({' '.join(f'?{name}' for name in names)}) {{ {rows} }}"


def _where_clauses(sparql: str, bound: list[str]) -> Iterator[tuple[int, list[str]]]:
    """Where each WHERE clause opens (after its brace) and the bound names it takes: all of
    them for the query's own, those a subquery selects as they are for its own (every one
    for `SELECT *`; not a name it computes with AS, nor one inside an expression)."""
    projection: list[str] | None = None  # the names a subquery's SELECT clause gives, while read
    depth = 0  # of parentheses in that clause
    outermost = True
    for token in _TOKEN.finditer(sparql):
        text = token.group()
        if text == "{":
            if outermost:
                outermost = False
                yield token.end(), bound
            elif projection is not None:
                names = [name for name in bound if name in projection]
                if names:
                    yield token.end(), names
            projection = None
        elif outermost:
            continue
        elif text.upper() == "SELECT":
            projection, depth = [], 0
        elif projection is None:
            continue
        elif text in ("(", ")"):
            depth += 1 if text == "(" else -1
        elif depth == 0 and text == "*":
            projection = bound
        elif depth == 0 and text[0] in "?$":
            projection.append(text[1:])


@dataclass(frozen=True)
class Paging:
    """A SELECT query cut into its body and its solution modifiers, to ask for its rows a
    page at a time: its own ORDER BY keys first, then every variable it gives, so that the
    order is total and no row falls between two pages."""

    body: str
    order: str
    offset: int
    limit: int | None
    values: str  # a VALUES block after the WHERE clause

    @classmethod
    def of(cls, sparql: str, cut_at: int) -> Paging:
        depth, closed, values_at, modifiers = 0, False, len(sparql), []
        for token in _TOKEN.finditer(sparql):
            text = token.group()
            if text in ("{", "}"):
                depth += 1 if text == "{" else -1
                closed, modifiers = closed or depth == 0, []
            elif depth == 0 and closed and text.upper() == "VALUES":
                values_at = token.start()
                break
            elif depth == 0 and closed:
                modifiers.append(token)
        if not closed:
            raise StoreError(f"the server cut the answer at {cut_at} rows and kg cannot page this query; {CUT_HELP}")
        words = [token.group().upper() for token in modifiers]
        clauses = [i for i, word in enumerate(words) if word in ("ORDER", "LIMIT", "OFFSET")]
        start = modifiers[clauses[0]].start() if clauses else values_at
        limits = [i for i in clauses if words[i] != "ORDER"]
        order_end = modifiers[limits[0]].start() if limits else values_at
        order = sparql[modifiers[words.index("BY", clauses[0])].end() : order_end] if "ORDER" in words else ""
        numbers = {words[i]: int(modifiers[i + 1].group()) for i in limits}
        return cls(sparql[:start], order.strip(), numbers.get("OFFSET", 0), numbers.get("LIMIT"), sparql[values_at:])

    def page(self, variables: list[str], start: int, size: int) -> str | None:
        """The query for `size` rows from the `start`th of the answer; None past its end."""
        count = size if self.limit is None else min(size, self.limit - start)
        if count <= 0:
            return None
        keys = " ".join(f"?{name}" for name in variables)
        return f"{self.body}\nORDER BY {self.order}\n{keys}\nLIMIT {count} OFFSET {self.offset + start}\n{self.values}"


def virtuoso_graphs(sparql: str) -> str:
    """The query with its GRAPH patterns as Virtuoso needs them once the merged graph is
    the default graph: `FILTER (?g != <urn:kg:merged>)` after each `GRAPH ?g { ... }`, in
    the same group (a filter inside the GRAPH pattern would see ?g unbound), and each
    `GRAPH <iri> { ... }` read as `GRAPH ?kg_graph_N { ... } FILTER (?kg_graph_N = <iri>)`,
    as Virtuoso 7.2 finds nothing in a graph named in the query then."""
    tokens = list(_TOKEN.finditer(sparql))
    opened: list[tuple[int, str]] = []  # (depth inside the pattern, its filter) of each open GRAPH
    edits: list[tuple[int, int, str]] = []  # (start, end, new text) of the spans replaced
    numbers = itertools.count(1)
    depth = 0
    for index, token in enumerate(tokens):
        text = token.group()
        if text == "{":
            depth += 1
            if index >= 2 and tokens[index - 2].group().upper() == "GRAPH":
                graph = tokens[index - 1]
                if graph.group()[0] in "?$":
                    opened.append((depth, f" FILTER ({graph.group()} != <{MERGED_GRAPH}>)"))
                else:
                    variable = f"?kg_graph_{next(numbers)}"
                    edits.append((graph.start(), graph.end(), variable))
                    opened.append((depth, f" FILTER ({variable} = {graph.group()})"))
        elif text == "}":
            if opened and opened[-1][0] == depth:
                edits.append((token.end(), token.end(), opened.pop()[1]))
            depth -= 1
    for start, end, new in sorted(edits, reverse=True):
        sparql = sparql[:start] + new + sparql[end:]
    return sparql


def open_store(location: str | Path | None = DEFAULT_STORE, read_only: bool = False) -> Store:
    """`memory`, an `http(s)://` SPARQL endpoint, a `virtuoso+http(s)://` one, or a store directory."""
    text = str(location or DEFAULT_STORE)
    if text == MEMORY:
        return OxigraphStore(None)
    if text.startswith(VIRTUOSO):
        return VirtuosoStore(text, endpoint_credentials(text.removeprefix(VIRTUOSO)), Retry.from_environment())
    if text.startswith(("http://", "https://")):
        return SparqlEndpointStore(text, endpoint_credentials(text), Retry.from_environment())
    if read_only and not Path(text).is_dir():
        raise StoreError(f"store {text} does not exist (run `kg build` first)")
    return OxigraphStore(text, read_only=read_only)
