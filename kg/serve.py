"""`kg serve`: the store as a SPARQL 1.1 Protocol endpoint, and a query page for people.

Built on Starlette and uvicorn: a small, maintained ASGI toolkit and server with no
dependencies beyond anyio and h11, whose thread pool keeps the blocking store calls off
the event loop; kg already has the templates and serializers, so a larger framework
would bring nothing.

- `/sparql`: queries by GET `?query=`, POST form `query=` or POST `application/sparql-query`;
  results as the Accept header asks (SPARQL JSON, XML, CSV, TSV; Turtle, N-Triples or
  RDF/XML for CONSTRUCT and DESCRIBE), over the merged default graph (kg.store).
- `/update`: SPARQL UPDATE, refused (403) unless the server was started to allow it; the
  default graph is rebuilt from the named graphs after each update, as `kg query --update` does.
- `/`: the query page (`templates/serve.*`, served from here, nothing from elsewhere); it
  lists the query library, runs queries through `/api/run` (parameters bound as RDF
  terms, as `kg query` binds them) and shows a document's graph from `/view?doc=`, the
  page of `kg viz` focused on it.

The time and row limits of `kg query` hold (kg.queries.Limits); a result cut at the row
limit carries the header `KG-Truncated: true`. No engine kg uses can cancel a query: one
given up at its deadline runs on, abandoned, in its thread. Oxigraph would fetch other
hosts for SERVICE and LOAD, so both are refused: the server reaches nothing but its store.
"""

from __future__ import annotations

import contextlib
import dataclasses
import itertools
import json
import re
import socket
import threading
import urllib.parse
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

import pyoxigraph as ox
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from kg.queries import (
    DEFAULT_LIMITS,
    Limits,
    Query,
    QueryError,
    QueryTimeout,
    document_term,
    format_solutions,
    is_update,
    library,
    run,
    solve,
    within,
)
from kg.store import Solutions, Store, StoreError, open_store
from kg.vocab import PREFIXES

LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")
MAX_BODY = 10_000_000  # bytes of a query or update; more is refused, not read into memory
VIEW_LIMIT = 2500  # documents a graph view draws one by one, as `kg viz --limit` by default
TRUNCATED_HEADER = "KG-Truncated"

# Media types offered, the first one the default for `*/*` or no Accept header.
RESULT_FORMATS = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "application/xml": ox.QueryResultsFormat.XML,
    "text/csv": ox.QueryResultsFormat.CSV,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
}
GRAPH_FORMATS = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
}

PAGE_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; frame-src 'self';"
    " base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
STATIC = {  # the query page's files, by the path they are served at
    "/": ("serve.html", "text/html; charset=utf-8"),
    "/static/serve.js": ("serve.js", "text/javascript; charset=utf-8"),
    "/static/serve.css": ("serve.css", "text/css; charset=utf-8"),
}

# Comments, strings and IRIs, where SERVICE and LOAD are only text.
_QUOTED = re.compile(
    r"""#[^\n]*|'''(?:[^\\]|\\.)*?'''|\"\"\"(?:[^\\]|\\.)*?\"\"\"|'(?:[^'\\\n]|\\.)*'"""
    r"""|"(?:[^"\\\n]|\\.)*"|<[^<>"{}|^`\\\x00-\x20]*>"""
)
# The keywords, not a prefixed name, variable or part of a longer word.
_FETCHING = re.compile(r"(?<![\w:?$.-])(SERVICE|LOAD)(?![\w:.-])", re.IGNORECASE)


class RequestError(Exception):
    """A request the server refuses; `status` is the HTTP answer, the message says what to do."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Answer:
    """A query's answer: rows (SELECT), a yes or no (ASK) or triples (CONSTRUCT, DESCRIBE)."""

    solutions: Solutions | None = None
    boolean: bool | None = None
    triples: list[ox.Triple] | None = None
    truncated: bool = False

    def results_json(self) -> str:
        """Rows or the yes or no in the SPARQL 1.1 JSON results format."""
        if self.solutions is not None:
            return format_solutions(self.solutions, "json")
        return json.dumps({"head": {}, "boolean": bool(self.boolean)})


def is_loopback(host: str) -> bool:
    """Whether `host` (a name or an address) reaches this machine only."""
    import ipaddress

    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        pass
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(host, None)}
    except OSError:
        return False
    return bool(addresses) and all(ipaddress.ip_address(a.split("%")[0]).is_loopback for a in addresses)


def refuse_fetching(text: str) -> None:
    """Refuse SERVICE and LOAD, with which Oxigraph would send requests to other hosts."""
    found = _FETCHING.search(_QUOTED.sub(" ", text))
    if found:
        raise RequestError(
            400, f"{found.group(1).upper()} is refused: this server reads its own store only and fetches nothing"
        )


def _request_query(text: str) -> Query:
    """A query sent to the server, as the query library's runner takes it."""
    return Query("query", Path("query"), text, "", (), "")


def _form(query: Query) -> type:
    """The kind of answer `query` gives, found by parsing it on an empty store (lazy
    solutions are not evaluated; an ASK there has nothing to look at)."""
    try:
        return type(ox.Store().query(query.text))
    except SyntaxError as error:
        if is_update(query):
            raise RequestError(400, "this is a SPARQL UPDATE: send it to /update") from None
        raise RequestError(400, f"syntax error: {error}") from None


def evaluate(store: Store, text: str, limits: Limits) -> Answer:
    """Any SPARQL query on `store`, within `limits`."""
    refuse_fetching(text)
    query = _request_query(text)
    form = _form(query)
    if form is ox.QuerySolutions:
        solutions = solve(store, query, {}, limits)
        return Answer(solutions=solutions, truncated=solutions.truncated)
    if form is ox.QueryBoolean:
        return Answer(boolean=within(limits.timeout, query, lambda: store.ask(text)))
    data = within(limits.timeout, query, lambda: store.construct(text))
    triples = ox.parse(data, format=ox.RdfFormat.N_TRIPLES)
    if limits.rows is None:
        return Answer(triples=list(triples))
    kept = list(itertools.islice(triples, limits.rows + 1))  # one more tells whether any were left out
    return Answer(triples=kept[: limits.rows], truncated=len(kept) > limits.rows)


def negotiate(accept: str, offered: dict) -> str | None:
    """The offered media type the Accept header prefers (by q, then by its order); the first
    offered for no header or `*/*`, None when nothing offered is acceptable."""
    if not accept.strip():
        return next(iter(offered))
    best, best_quality = None, 0.0
    for item in accept.split(","):
        media, *parameters = (part.strip() for part in item.split(";"))
        quality = 1.0
        for parameter in parameters:
            key, _, value = parameter.partition("=")
            if key.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        media = media.lower()
        major = media.removesuffix("/*")
        candidate = next(
            (
                m
                for m in offered
                if media == "*/*" or m == media or (media.endswith("/*") and m.startswith(major + "/"))
            ),
            None,
        )
        if candidate and quality > best_quality:
            best, best_quality = candidate, quality
    return best


def serialize(answer: Answer, accept: str) -> Response:
    """The answer in the format the client accepts; truncation announced in a header."""
    offered = GRAPH_FORMATS if answer.triples is not None else RESULT_FORMATS
    media = negotiate(accept, offered)
    if media is None:
        raise RequestError(406, f"Accept: {accept}: this answer is available as {', '.join(offered)}")
    if answer.triples is not None:
        body = ox.serialize(answer.triples, format=offered[media], prefixes=PREFIXES) or b""
    elif offered[media] == ox.QueryResultsFormat.JSON:
        body = answer.results_json().encode("utf-8")
    else:  # Oxigraph's writers, from the JSON kg's own formatter wrote
        parsed = ox.parse_query_results(answer.results_json(), format=ox.QueryResultsFormat.JSON)
        body = parsed.serialize(format=offered[media])
    headers = {"Vary": "Accept"}
    if answer.truncated:
        headers[TRUNCATED_HEADER] = "true"
    charset = "; charset=utf-8" if media.startswith("text/") else ""
    return Response(body, media_type=media + charset, headers=headers)


async def _body(request: Request) -> bytes:
    """The request body, refused beyond MAX_BODY bytes without reading the rest."""
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY:
            raise RequestError(413, f"the request body is above {MAX_BODY:,} bytes; send a shorter query or update")
        chunks.append(chunk)
    return b"".join(chunks)


def _one(fields: dict[str, list[str]], name: str, where: str) -> str:
    values = fields.get(name, [])
    if len(values) != 1:
        raise RequestError(400, f"give exactly one {name}= {where} (got {len(values)})")
    return values[0]


async def _operation(request: Request, name: str, media_type: str) -> str:
    """The query or update text of a SPARQL protocol request; dataset parameters refused."""
    fields = urllib.parse.parse_qs(request.url.query, keep_blank_values=True)
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if request.method == "POST":
        body = await _body(request)
        if content_type == media_type:
            fields.setdefault(name, []).append(body.decode("utf-8", "replace"))
        elif content_type == "application/x-www-form-urlencoded":
            for key, values in urllib.parse.parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True).items():
                fields.setdefault(key, []).extend(values)
        else:
            raise RequestError(
                415, f"Content-Type {content_type or '(none)'}: send {media_type} or application/x-www-form-urlencoded"
            )
    for dataset in ("default-graph-uri", "named-graph-uri", "using-graph-uri", "using-named-graph-uri"):
        if dataset in fields:
            raise RequestError(
                400,
                f"{dataset} is not supported: the default graph is the merge of every text's graph;"
                " name graphs in the query (FROM, GRAPH) instead",
            )
    return _one(fields, name, "in the URL or the form" if request.method == "GET" else "in the request")


class Service:
    """The state behind the routes: the store, the limits, the cached document graph."""

    def __init__(self, store: Store, allow_update: bool, limits: Limits) -> None:
        self.store = store
        self.allow_update = allow_update
        self.limits = limits
        self._write_lock = threading.Lock()
        self._graph_lock = threading.Lock()
        self._graph = None  # kg.viz's document graph, made on first use, dropped by updates

    def document_graph(self):
        from kg.viz import view_graph

        with self._graph_lock:
            if self._graph is None:
                self._graph = view_graph(self.store)
            return self._graph

    def update(self, text: str) -> None:
        refuse_fetching(text)
        with self._write_lock:
            try:
                self.store.update(text)
            except SyntaxError as error:
                raise RequestError(400, f"syntax error: {error}") from None
            except (RuntimeError, OSError, StoreError) as error:
                raise RequestError(400, f"the update failed: {error}") from None
            try:
                self.store.remerge()
            except (RuntimeError, OSError, StoreError) as error:
                raise RequestError(
                    500,
                    f"the update was applied but the default graph was not rebuilt ({error}); run kg build --remerge",
                ) from None
            with self._graph_lock:
                self._graph = None

    def run_from_page(self, fields: dict[str, list[str]]) -> dict:
        """A query of the page: a library query (whose text the page may have edited; its
        parameters keep their kinds) or free SPARQL, as JSON the page draws."""
        text = _one(fields, "query", "in the form")
        name = fields.get("name", [""])[0]
        if name:
            refuse_fetching(text)
            named = {query.name: query for query in library()}  # never a file the request names
            if name not in named:
                raise RequestError(404, f"name={name}: no such query in the library")
            query = dataclasses.replace(named[name], text=text)
            arguments = {
                key.removeprefix("param."): v[0] for key, v in fields.items() if key.startswith("param.") and v[0]
            }
            solutions = run(self.store, query, arguments, self.limits)
            answer = Answer(solutions=solutions, truncated=solutions.truncated)
        else:
            answer = evaluate(self.store, text, self.limits)
        page = {"truncated": answer.truncated, "limit": self.limits.rows}
        if answer.triples is not None:
            page["triples"] = ox.serialize(answer.triples, format=ox.RdfFormat.TURTLE, prefixes=PREFIXES).decode()
            return page
        page.update(json.loads(answer.results_json()))
        if answer.solutions is not None:
            graph = self.document_graph()
            iris = {str(v) for row in answer.solutions.rows for v in row.values()}
            page["documents"] = sorted(iri for iri in iris if iri in graph)
        return page

    def view_page(self, asked: str) -> str:
        from kg.viz import Selection, VizError, make_view, render

        try:
            iri = document_term(asked, self.store).value
        except ValueError as error:
            raise RequestError(404, f"doc={asked}: {error}") from None
        graph = self.document_graph()
        if iri not in graph:
            raise RequestError(404, f"doc={asked}: not a document of the graph; give a document's IRI or number")
        data = graph.nodes[iri]
        title = "kg · " + " ".join(part for part in (data.get("type"), data["label"]) if part)
        try:
            return render(make_view(graph, Selection(root=iri), title, limit=VIEW_LIMIT))
        except VizError as error:
            raise RequestError(400, f"doc={asked}: {error}") from None


def _failure(error: Exception) -> Response:
    """One line saying what went wrong and what to do."""
    if isinstance(error, RequestError):
        status = error.status
    elif isinstance(error, QueryTimeout):
        # Not 503: clients retry that, and each retry would leave one more query running.
        status = 500
    else:
        status = 400
    return PlainTextResponse(f"{error}\n", status_code=status)


class SameOrigin:
    """Refuses requests that a web page of another site could make a browser send: a Host
    not among `hosts` (DNS rebinding onto a loopback server) and a POST whose Origin is not
    this server (a form of another site posting an update)."""

    def __init__(self, app: ASGIApp, hosts: tuple[str, ...] | None) -> None:
        self.app = app
        self.hosts = hosts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
            host = headers.get("host", "")
            hostname = urllib.parse.urlsplit(f"//{host}").hostname or ""
            problem = None
            if self.hosts is not None and hostname not in self.hosts:
                problem = f"Host {host} is not this server's name; use http://127.0.0.1 or http://localhost"
            origin = headers.get("origin")
            if scope["method"] not in ("GET", "HEAD") and origin and urllib.parse.urlsplit(origin).netloc != host:
                problem = f"a request from {origin} is refused: this server answers pages of its own origin only"
            if problem:
                await PlainTextResponse(problem + "\n", status_code=403)(scope, receive, send)
                return
        await self.app(scope, receive, send)


def create_app(
    store_location: str | Path | Store,
    allow_update: bool = False,
    limits: Limits = DEFAULT_LIMITS,
    hosts: tuple[str, ...] | None = LOOPBACK_NAMES,
) -> ASGIApp:
    """The ASGI application serving the store at `store_location` (or that store, which it
    closes when it stops), opened read-only unless `allow_update`. `hosts` are the names
    clients may reach it by (None: any, for a server bound to a public address). Raises
    StoreError when the store cannot be opened."""
    store = (
        store_location if isinstance(store_location, Store) else open_store(store_location, read_only=not allow_update)
    )
    service = Service(store, allow_update, limits)
    templates = files("kg").joinpath("templates")

    def static(path: str):
        filename, media_type = STATIC[path]

        async def respond(request: Request) -> Response:
            body = templates.joinpath(filename).read_bytes()
            return Response(body, media_type=media_type, headers={"Content-Security-Policy": PAGE_POLICY})

        return respond

    async def sparql(request: Request) -> Response:
        try:
            text = await _operation(request, "query", "application/sparql-query")
            answer = await run_in_threadpool(evaluate, store, text, limits)
            return serialize(answer, request.headers.get("accept", ""))
        except (RequestError, QueryError) as error:
            return _failure(error)

    async def update(request: Request) -> Response:
        if not allow_update:
            return PlainTextResponse(
                "this server is read-only: start it with `kg serve --allow-update` to accept SPARQL UPDATE\n",
                status_code=403,
            )
        try:
            text = await _operation(request, "update", "application/sparql-update")
            await run_in_threadpool(service.update, text)
        except RequestError as error:
            return _failure(error)
        return Response(status_code=204)

    async def queries(request: Request) -> Response:
        try:
            found = library()
        except QueryError as error:
            return _failure(error)
        return JSONResponse(
            [
                {
                    "name": q.name,
                    "question": q.question,
                    "example": q.example,
                    "text": q.text,
                    "parameters": [dataclasses.asdict(p) for p in q.parameters],
                }
                for q in found
            ]
        )

    async def run_query(request: Request) -> Response:
        try:
            if request.headers.get("content-type", "").split(";")[0].strip() != "application/x-www-form-urlencoded":
                raise RequestError(415, "send the query as application/x-www-form-urlencoded")
            fields = urllib.parse.parse_qs((await _body(request)).decode("utf-8", "replace"), keep_blank_values=True)
            page = await run_in_threadpool(service.run_from_page, fields)
        except (RequestError, QueryError) as error:
            return _failure(error)
        return JSONResponse(page, headers={TRUNCATED_HEADER: "true"} if page["truncated"] else None)

    async def view(request: Request) -> Response:
        try:
            asked = _one(urllib.parse.parse_qs(request.url.query), "doc", "in the URL")
            page = await run_in_threadpool(service.view_page, asked)
        except (RequestError, QueryError) as error:
            return _failure(error)
        # The page carries its own policy (scripts by hash, no requests); this one lets
        # only the query page frame it.
        return Response(page, media_type="text/html", headers={"Content-Security-Policy": "frame-ancestors 'self'"})

    @contextlib.asynccontextmanager
    async def lifespan(app):
        yield
        store.close()

    routes = [Route(path, static(path), methods=["GET"]) for path in STATIC]
    routes += [
        Route("/sparql", sparql, methods=["GET", "POST"]),
        Route("/update", update, methods=["POST"]),
        Route("/api/queries", queries, methods=["GET"]),
        Route("/api/run", run_query, methods=["POST"]),
        Route("/view", view, methods=["GET"]),
    ]
    return SameOrigin(Starlette(routes=routes, lifespan=lifespan), hosts)


def listen(host: str, port: int) -> socket.socket:
    """A socket listening on host:port; OSError (e.g. the port in use) before anything is served."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    return socket.create_server((host.strip("[]"), port), family=family)


def serve(app: ASGIApp, listening: socket.socket) -> None:
    """Answer on the listening socket until interrupted."""
    import uvicorn

    uvicorn.Server(uvicorn.Config(app, log_level="warning")).run(sockets=[listening])
