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
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable
from pathlib import Path
from typing import BinaryIO

import pyoxigraph as ox
import rdflib

from kg.vocab import PREFIXES

DEFAULT_STORE = "kg-store"
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


class StoreError(Exception):
    """A store that cannot be opened or used; the message names it."""


def _rdflib_term(term) -> rdflib.term.Identifier:
    if isinstance(term, ox.NamedNode):
        return rdflib.URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return rdflib.BNode(term.value)
    if term.language:
        return rdflib.Literal(term.value, lang=term.language)
    return rdflib.Literal(term.value, datatype=rdflib.URIRef(term.datatype.value))


class Store:
    """The operations the graph stage needs, the same on every backend."""

    location: str

    def select(self, sparql: str) -> list[Row]:
        raise NotImplementedError

    def construct(self, sparql: str) -> bytes:
        """The triples of a CONSTRUCT query, as N-Triples."""
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
    datatype = value.get("datatype")
    return rdflib.Literal(
        value["value"], lang=value.get("xml:lang"), datatype=rdflib.URIRef(datatype) if datatype else None
    )


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
