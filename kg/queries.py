"""The query library: named, documented SPARQL queries, one `.rq` file each in `queries/`.

A query file opens with a comment that says what it answers:

    # Question: Which documents implement DOC, directly or through other documents?
    # Parameter: doc (document) the implemented document: 05-CT/TW, "Chỉ thị 05" or an IRI
    # Parameter: year (integer, optional) only documents of this year
    # Example: kg query implementers --param doc=05-CT/TW

Parameters are bound as RDF terms (`Store.solutions`), never written into the query
text, so no value can change what a query does. A parameter's kind says how its text
becomes a term: `document` (a reference as people write it, resolved in the store, or an
IRI), `iri`, `string`, `integer`, `date`. An optional parameter left out stays unbound.
The default graph of every query merges the store's graphs (kg.store): chains cross texts.

The folder is found beside the package in a checkout (or an editable install) and under
`share/kg/queries` of the installation prefix for an installed wheel (setup.cfg ships it
as data files).
"""

from __future__ import annotations

import csv
import io
import json
import re
import site
import sys
import sysconfig
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date as Date
from pathlib import Path
from typing import TypeVar

import pyoxigraph as ox
import rdflib

from kg.store import Bindings, Row, Solutions, Store, StoreError, Term
from kg.vocab import XSD, compact

SUFFIX = ".rq"
KINDS = ("document", "iri", "string", "integer", "date")
_PARAMETER = re.compile(r"(?P<name>\w+)\s*\((?P<kind>\w+)(?P<optional>,\s*optional)?\)\s*(?P<help>.*)")
_SYNTAX_ERROR = re.compile(r"error at (\d+):(\d+): (.*)", re.S)
T = TypeVar("T")


class QueryError(Exception):
    """A query or parameter that cannot be used; the message names it and what to do."""


@dataclass(frozen=True)
class Parameter:
    name: str
    kind: str
    optional: bool
    help: str


@dataclass(frozen=True)
class Query:
    name: str
    path: Path
    text: str
    question: str
    parameters: tuple[Parameter, ...]
    example: str

    def parameter(self, name: str) -> Parameter | None:
        return next((p for p in self.parameters if p.name == name), None)


def library_folder() -> Path:
    """The `queries/` folder of a checkout, or the one installed with the package."""
    candidates = [
        Path(__file__).resolve().parent.parent / "queries",
        Path(sysconfig.get_path("data")) / "share" / "kg" / "queries",
        Path(sys.prefix) / "share" / "kg" / "queries",
        Path(site.USER_BASE or "~/.local").expanduser() / "share" / "kg" / "queries",
    ]
    for folder in candidates:
        if folder.is_dir() and any(folder.glob(f"*{SUFFIX}")):
            return folder
    raise QueryError(f"the query library is not installed (looked in {', '.join(map(str, candidates))}); reinstall kg")


def library() -> list[Query]:
    """Every query of the library, by name."""
    return [parse(path) for path in sorted(library_folder().glob(f"*{SUFFIX}"))]


def load(name_or_file: str) -> Query:
    """A library query by name, or a `.rq` file."""
    path = Path(name_or_file)
    if path.suffix == SUFFIX or path.is_file():
        if not path.is_file():
            raise QueryError(f"{name_or_file}: no such query file")
        return parse(path)
    path = library_folder() / f"{name_or_file}{SUFFIX}"
    if not path.is_file():
        raise QueryError(f"no query named {name_or_file!r} in the library; `kg queries` lists them")
    return parse(path)


def parse(path: Path) -> Query:
    """A query file with the question, parameters and example of its header comment."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise QueryError(f"{path}: cannot read the query: {error}") from None
    fields: dict[str, list[str]] = {"question": [], "parameter": [], "example": []}
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        key, _, value = line.lstrip("# ").partition(":")
        if key.lower() in fields:
            fields[key.lower()].append(value.strip())
    parameters = []
    for declaration in fields["parameter"]:
        match = _PARAMETER.fullmatch(declaration)
        if not match or match["kind"] not in KINDS:
            raise QueryError(
                f"{path}: parameter line {declaration!r} must read NAME (KIND[, optional]) help,"
                f" KIND one of {', '.join(KINDS)}"
            )
        parameters.append(Parameter(match["name"], match["kind"], bool(match["optional"]), match["help"]))
    question = " ".join(fields["question"]) or "(no question in the header)"
    return Query(path.stem, path, text, question, tuple(parameters), " ".join(fields["example"]))


def check_syntax(query: Query) -> None:
    """Refuse a query that is not SPARQL, naming the line and column in its file.

    Oxigraph, the engine of the store, decides; but its parser often points at the end of
    the query, so the position comes from rdflib's parser, which stops at the clause
    that fails, whenever that one fails too."""
    from pyparsing import ParseException
    from rdflib.plugins.sparql.parser import parseQuery

    try:
        ox.Store().query(query.text)
    except SyntaxError as error:
        if is_update(query):
            raise QueryError(
                f"{query.path}: is a SPARQL UPDATE; queries run read-only, give --update to change the store"
            ) from None
        found = _SYNTAX_ERROR.match(str(error))
        line, column, message = found.groups() if found else ("?", "?", str(error))
        try:
            parseQuery(query.text)
        except ParseException as located:
            line, column = located.lineno, located.col
        raise QueryError(f"{query.path}: line {line}, column {column}: {message}") from None


def is_update(query: Query) -> bool:
    """Whether the text parses as a SPARQL UPDATE (parsed only, never run)."""
    from pyparsing import ParseException
    from rdflib.plugins.sparql.parser import parseUpdate

    try:
        parseUpdate(query.text)
    except ParseException:
        return False
    return True


def run_update(store: Store, query: Query) -> None:
    """Run a SPARQL UPDATE file on `store`, opened for writing by the caller, then rebuild
    the default graph from the named graphs (kg.store): what an update should keep, it
    writes into a named graph."""
    if not is_update(query):
        raise QueryError(f"{query.path}: --update runs SPARQL UPDATE only, and this is not one; leave --update out")
    try:
        store.update(query.text)
        store.remerge()
    except (SyntaxError, RuntimeError, StoreError) as error:
        raise QueryError(f"{query.path}: {error}") from None


def term(query: Query, name: str, value: str, store: Store) -> Term:
    """The RDF term a parameter's text stands for. Undeclared parameters of a file
    without a header are IRIs when written <...>, strings otherwise."""
    parameter = query.parameter(name)
    if parameter is None and query.parameters:
        known = ", ".join(p.name for p in query.parameters)
        raise QueryError(f"--param {name}: {query.name} has no such parameter; its parameters are {known}")
    kind = parameter.kind if parameter else ("iri" if value.startswith("<") else "string")
    try:
        if kind == "document":
            return document_term(value, store)
        if kind == "iri":
            return ox.NamedNode(value.strip().removeprefix("<").removesuffix(">"))
        if kind == "integer":
            return ox.Literal(str(int(value)), datatype=ox.NamedNode(XSD + "integer"))
        if kind == "date":
            return ox.Literal(Date.fromisoformat(value).isoformat(), datatype=ox.NamedNode(XSD + "date"))
        return ox.Literal(value)
    except ValueError as error:
        raise QueryError(f"--param {name}={value}: not a valid {kind} ({error})") from None


def document_term(asked: str, store: Store) -> ox.NamedNode:
    """The document `asked` names, as people write it or as an IRI (taken as it is).
    Raises ValueError saying why when no document or several fit."""
    from kg.trace import UnknownDocument, find, label

    if asked.startswith(("<", "http://", "https://", "urn:")):
        return ox.NamedNode(asked.strip("<>"))
    try:
        found = find(store, asked)
    except UnknownDocument as error:
        raise ValueError(str(error)) from None
    if not found:
        raise ValueError(f"no document in {store.location} fits it")
    if len(found) > 1:
        candidates = "; ".join(f"{label(d)} <{d.uri}>" for d in found)
        raise ValueError(f"it fits {len(found)} documents, give one as its IRI: {candidates}")
    return ox.NamedNode(found[0].uri)


@dataclass(frozen=True)
class Limits:
    """How long a query may run (seconds) and how many rows it may give; None is no limit."""

    timeout: float | None = None
    rows: int | None = None


# What `kg query` and `kg serve` allow unless told otherwise (or KG_QUERY_TIMEOUT, KG_QUERY_LIMIT).
DEFAULT_LIMITS = Limits(timeout=60.0, rows=10_000)


class QueryTimeout(QueryError):
    """A query given up at its deadline; it may still be running, abandoned, in its thread."""


def run(store: Store, query: Query, arguments: dict[str, str] | None = None, limits: Limits = Limits()) -> Solutions:
    """The rows of `query` on `store`, its parameters given as text (NAME -> VALUE)."""
    check_syntax(query)
    bindings = {name: term(query, name, value, store) for name, value in (arguments or {}).items()}
    missing = [p.name for p in query.parameters if not p.optional and p.name not in bindings]
    if missing:
        raise QueryError(f"{query.name} needs --param {'=... --param '.join(missing)}=... ({query.example})")
    return solve(store, query, bindings, limits)


def solve(store: Store, query: Query, bindings: Bindings, limits: Limits = Limits()) -> Solutions:
    """The rows of `query` on `store` with its parameters bound to terms, within `limits`."""
    return within(limits.timeout, query, lambda: store.solutions(query.text, bindings, limits.rows))


def within(timeout: float | None, query: Query, evaluate: Callable[[], T]) -> T:
    """What `evaluate` returns for `query`, or QueryTimeout after `timeout` seconds.

    No engine kg uses can cancel a query, so it runs in a daemon thread that is abandoned
    at the deadline (Oxigraph evaluates without holding the GIL, and a daemon thread does
    not keep the `kg` process alive)."""
    outcome: dict[str, object] = {}

    def work() -> None:
        try:
            outcome["answer"] = evaluate()
        except Exception as error:  # handed to the caller's thread below
            outcome["error"] = error

    if timeout is None:
        work()
    else:
        worker = threading.Thread(target=work, name=f"query {query.name}", daemon=True)
        worker.start()
        worker.join(timeout)
        if worker.is_alive():
            raise QueryTimeout(
                f"{query.path}: no answer within {timeout:g} s; narrow the query or raise --timeout (KG_QUERY_TIMEOUT)"
            )
    error = outcome.get("error")
    if isinstance(
        error, (RuntimeError, StoreError)
    ):  # Oxigraph's evaluation errors, e.g. a bound variable not selected
        raise QueryError(f"{query.path}: {error}") from None
    if error is not None:
        raise error
    return outcome["answer"]


# ---- results ------------------------------------------------------------------------------

FORMATS = ("table", "csv", "tsv", "json")


def _ntriples(value: rdflib.term.Identifier) -> str:
    """A term in N-Triples syntax (the SPARQL TSV form): tabs and newlines escaped."""
    if isinstance(value, rdflib.URIRef):
        return str(ox.NamedNode(str(value)))
    if isinstance(value, rdflib.BNode):
        return f"_:{value}"
    if value.language:
        return str(ox.Literal(str(value), language=value.language))
    return str(ox.Literal(str(value), datatype=ox.NamedNode(str(value.datatype or XSD + "string"))))


def _json_term(value: rdflib.term.Identifier) -> dict[str, str]:
    if isinstance(value, rdflib.URIRef):
        return {"type": "uri", "value": str(value)}
    if isinstance(value, rdflib.BNode):
        return {"type": "bnode", "value": str(value)}
    described = {"type": "literal", "value": str(value)}
    if value.language:
        described["xml:lang"] = value.language
    elif value.datatype and str(value.datatype) != XSD + "string":
        described["datatype"] = str(value.datatype)
    return described


def _plain(value: rdflib.term.Identifier) -> str:
    return f"_:{value}" if isinstance(value, rdflib.BNode) else str(value)


def _cell(row: Row, name: str) -> str:
    value = row.get(name)
    if value is None:
        return ""
    text = compact(str(value)) if isinstance(value, rdflib.URIRef) else _plain(value)
    return " ".join(text.split())  # a sentence's newlines would break the table


def format_solutions(solutions: Solutions, format: str) -> str:
    """`table` for people; `csv`, `tsv` and `json` as the SPARQL 1.1 results formats."""
    names = solutions.variables
    if format == "json":
        bindings = [{name: _json_term(row[name]) for name in names if name in row} for row in solutions.rows]
        return json.dumps({"head": {"vars": names}, "results": {"bindings": bindings}}, ensure_ascii=False, indent=1)
    if format == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer)  # CRLF line ends, as the SPARQL CSV format says
        writer.writerow(names)
        writer.writerows([_plain(row[name]) if name in row else "" for name in names] for row in solutions.rows)
        return buffer.getvalue()
    if format == "tsv":
        lines = ["\t".join(f"?{name}" for name in names)]
        lines += ["\t".join(_ntriples(row[n]) if n in row else "" for n in names) for row in solutions.rows]
        return "\n".join(lines) + "\n"
    if format == "table":
        cells = [[_cell(row, name) for name in names] for row in solutions.rows]
        widths = [max([len(name), *(len(line[i]) for line in cells)]) for i, name in enumerate(names)]
        lines = ["  ".join(name.ljust(width) for name, width in zip(names, widths, strict=True)).rstrip()]
        lines += ["  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)).rstrip() for line in cells]
        lines.append(f"({len(cells)} row{'s' if len(cells) != 1 else ''})")
        return "\n".join(lines) + "\n"
    raise QueryError(f"--format {format}: choose one of {', '.join(FORMATS)}")
