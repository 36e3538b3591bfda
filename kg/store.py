"""Where the graph lives: one interface, three backends.

- a directory: an embedded on-disk Oxigraph store, no server (the default, `kg-store`);
- `memory`: an in-memory Oxigraph store, for small jobs and tests;
- `http(s)://...`: a SPARQL 1.1 server (query, update and graph store protocol).

Measured traps this module is shaped by: a store directory can be opened read-write by
one process only (others open it read-only); full-scan aggregates on a large on-disk
store take seconds, so the statistics the CLI prints are kept precomputed in the meta
graph; and rdflib's per-triple Python path is far slower than Oxigraph's, so quads are
added in bulk and rdflib is only offered as a copy for interoperability (`dataset()`).
"""

from __future__ import annotations

import io
import json
import re
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import pyoxigraph as ox
import rdflib

from kg.vocab import PREFIXES

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
NOT_SELECT = "only a SELECT query gives rows; this one is an ASK, CONSTRUCT or DESCRIBE query"


@dataclass(frozen=True)
class Solutions:
    """The answer of a SELECT query: its variables in order, and its rows."""

    variables: list[str]
    rows: list[Row]


class StoreError(Exception):
    """A store that cannot be opened or used; the message names it."""


def _literal(value: str, language: str | None, datatype: str | None) -> rdflib.Literal:
    """A literal as every backend gives it: a simple literal is typed xsd:string, as in RDF 1.1."""
    if language:
        return rdflib.Literal(value, lang=language)
    return rdflib.Literal(value, datatype=rdflib.URIRef(datatype or XSD_STRING))


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
        raise NotImplementedError

    def construct(self, sparql: str) -> bytes:
        """The triples of a CONSTRUCT query, as N-Triples."""
        raise NotImplementedError

    def solutions(self, sparql: str, bindings: Mapping[str, Term] | None = None) -> Solutions:
        """A read-only SELECT query over the union of all graphs as its default graph, each
        binding given as an RDF term, never written into the query as text. A bound
        variable must be in the SELECT clause (Oxigraph substitutes only projected ones)."""
        raise NotImplementedError

    def update(self, sparql: str) -> None:
        raise NotImplementedError

    def add(self, quads: Iterable[ox.Quad]) -> None:
        """Add many quads at once (the bulk path)."""
        raise NotImplementedError

    def drop_graphs(self, graphs: Iterable[str]) -> None:
        raise NotImplementedError

    def load(self, data: bytes, format: str) -> None:
        raise NotImplementedError

    def dump(self, output: BinaryIO, format: str, graph: str | None = None) -> None:
        """Write the dataset (or one graph, for triple formats) to a binary stream."""
        raise NotImplementedError

    def close(self) -> None:
        """Write pending changes out; the store is not usable afterwards."""

    def replace_graphs(self, graphs: Iterable[str], quads: Iterable[ox.Quad]) -> None:
        """Drop the graphs, then add the quads. Not atomic: the build records a text's
        checksum last, so a text interrupted halfway is simply rebuilt next time."""
        self.drop_graphs(graphs)
        self.add(quads)

    def dataset(self) -> rdflib.Dataset:
        """A copy of the store as an rdflib Dataset, for code that speaks rdflib."""
        buffer = io.BytesIO()
        self.dump(buffer, "nq")
        dataset = rdflib.Dataset()
        dataset.parse(data=buffer.getvalue(), format="nquads")
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

    def solutions(self, sparql: str, bindings: Mapping[str, Term] | None = None) -> Solutions:
        substitutions = {ox.Variable(name): term for name, term in (bindings or {}).items()}
        answer = self._store.query(sparql, substitutions=substitutions, use_default_graph_as_union=True)
        if not isinstance(answer, ox.QuerySolutions):
            raise StoreError(NOT_SELECT)
        names = [v.value for v in answer.variables]
        rows = [{name: _rdflib_term(row[name]) for name in names if row[name] is not None} for row in answer]
        return Solutions(names, rows)

    def update(self, sparql: str) -> None:
        self._store.update(sparql)

    def add(self, quads: Iterable[ox.Quad]) -> None:
        self._store.bulk_extend(quads)

    def drop_graphs(self, graphs: Iterable[str]) -> None:
        for graph in graphs:
            self._store.remove_graph(ox.NamedNode(graph))

    def load(self, data: bytes, format: str) -> None:
        self._store.bulk_load(data, format=FORMATS[format])

    def dump(self, output: BinaryIO, format: str, graph: str | None = None) -> None:
        rdf_format = FORMATS[format]
        if rdf_format.supports_datasets:
            self._store.dump(output, format=rdf_format, prefixes=PREFIXES)
        else:
            target = ox.NamedNode(graph) if graph else ox.DefaultGraph()
            self._store.dump(output, format=rdf_format, from_graph=target, prefixes=PREFIXES)

    def close(self) -> None:
        if not self._read_only and self.location != MEMORY:
            self._store.flush()
        del self._store


class SparqlEndpointStore(Store):
    """A SPARQL 1.1 server. `URL` serves query, update and the graph store protocol (as
    Fuseki's dataset URL does); a URL ending in `/query` has `/update` and `/store`
    beside it (as Oxigraph's server has)."""

    def __init__(self, url: str) -> None:
        self.location = url
        root, _, last = url.rstrip("/").rpartition("/")
        if last == "query":
            self.query_url, self.update_url, self.store_url = url, f"{root}/update", f"{root}/store"
        else:
            self.query_url = self.update_url = self.store_url = url

    def _request(
        self, url: str, data: bytes | None, content_type: str | None, accept: str | None = None, method: str = "POST"
    ) -> bytes:
        headers = {k: v for k, v in (("Content-Type", content_type), ("Accept", accept)) if v}
        request = urllib.request.Request(url, data=data, headers=headers, method=method)
        try:
            with urllib.request.urlopen(request) as response:
                return response.read()
        except urllib.error.HTTPError as error:
            detail = error.read().decode("utf-8", "replace").strip().splitlines()
            hint = "; for an Oxigraph server give its /query URL" if error.code in (404, 405) else ""
            raise StoreError(f"{url}: HTTP {error.code} {detail[0] if detail else error.reason}{hint}") from None
        except urllib.error.URLError as error:
            raise StoreError(f"{url}: {error.reason}") from None

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

    def solutions(self, sparql: str, bindings: Mapping[str, Term] | None = None) -> Solutions:
        # `union-default-graph` is Oxigraph's switch; a Fuseki dataset needs tdb:unionDefaultGraph.
        body = self._request(
            f"{self.query_url}{'&' if '?' in self.query_url else '?'}union-default-graph",
            with_values(sparql, bindings or {}).encode("utf-8"),
            "application/sparql-query",
            "application/sparql-results+json",
        )
        answer = json.loads(body)
        if "results" not in answer:
            raise StoreError(NOT_SELECT)
        rows = [
            {name: _json_term(value) for name, value in binding.items()} for binding in answer["results"]["bindings"]
        ]
        return Solutions(answer["head"]["vars"], rows)

    def update(self, sparql: str) -> None:
        self._request(self.update_url, sparql.encode("utf-8"), "application/sparql-update")

    def add(self, quads: Iterable[ox.Quad]) -> None:
        data = ox.serialize(quads, format=ox.RdfFormat.N_QUADS)
        if data:
            self._request(self.store_url, data, "application/n-quads")

    def drop_graphs(self, graphs: Iterable[str]) -> None:
        statements = [f"DROP SILENT GRAPH <{graph}>" for graph in graphs]
        if statements:
            self.update(" ;\n".join(statements))

    def load(self, data: bytes, format: str) -> None:
        self._request(self.store_url, data, FORMATS[format].media_type)

    def dump(self, output: BinaryIO, format: str, graph: str | None = None) -> None:
        rdf_format = FORMATS[format]
        if rdf_format.supports_datasets:
            url = self.store_url
        else:
            url = f"{self.store_url}?{urllib.parse.urlencode({'graph': graph} if graph else {'default': ''})}"
        output.write(self._request(url, None, None, rdf_format.media_type, method="GET"))


def _json_term(value: dict) -> rdflib.term.Identifier:
    if value["type"] == "uri":
        return rdflib.URIRef(value["value"])
    if value["type"] == "bnode":
        return rdflib.BNode(value["value"])
    return _literal(value["value"], value.get("xml:lang"), value.get("datatype"))


class RdflibStore(Store):
    """An rdflib Dataset as a read-only store: the same queries, rdflib's engine."""

    def __init__(self, dataset: rdflib.Dataset) -> None:
        self.location = "rdflib"
        self._dataset = dataset
        self._dataset.default_union = True  # what Store.solutions promises

    def solutions(self, sparql: str, bindings: Mapping[str, Term] | None = None) -> Solutions:
        initial = {name: _rdflib_term(term) for name, term in (bindings or {}).items()}
        answer = self._dataset.query(sparql, initBindings=initial)
        if answer.type != "SELECT":
            raise StoreError(NOT_SELECT)
        names = [str(v) for v in answer.vars]
        rows = [{name: _same_literal(row[name]) for name in names if row[name] is not None} for row in answer]
        return Solutions(names, rows)


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


def with_values(sparql: str, bindings: Mapping[str, Term]) -> str:
    """The query with a VALUES block opening its WHERE clause, for servers that take no
    bindings. Each term is written in N-Triples syntax, escaped and checked by pyoxigraph
    when the term was made, so no value can end the block or change the query."""
    if not bindings:
        return sparql
    for token in _BEFORE_WHERE.finditer(sparql):
        if token.group() == "{":
            names = " ".join(f"?{name}" for name in bindings)
            terms = " ".join(str(term) for term in bindings.values())
            return f"{sparql[: token.end()]} VALUES ({names}) {{ ({terms}) }}{sparql[token.end() :]}"
    raise StoreError("the query has no WHERE clause to bind parameters in")


def open_store(location: str | Path | None = DEFAULT_STORE, read_only: bool = False) -> Store:
    """`memory`, an `http(s)://` SPARQL endpoint, or a store directory."""
    text = str(location or DEFAULT_STORE)
    if text == MEMORY:
        return OxigraphStore(None)
    if text.startswith(("http://", "https://")):
        return SparqlEndpointStore(text)
    if read_only and not Path(text).is_dir():
        raise StoreError(f"store {text} does not exist (run `kg build` first)")
    return OxigraphStore(text, read_only=read_only)
