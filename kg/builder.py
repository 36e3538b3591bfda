"""`build`: texts -> extractions -> one named graph per text in a store, incrementally.

A file's texts are rebuilt when its bytes changed (sha256), when the extractor, the
reference data or the file's sidecar metadata changed (the build key), or when it is new;
otherwise they are skipped. A file holds one text, or one per record (JSON Lines). `prune`
removes the graphs of texts whose files are gone. The statistics the CLI prints are computed
once at the end of a build and kept in the meta graph, so reading them costs nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import os
from collections import deque
from collections.abc import Callable, Collection, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TypeVar

import pyoxigraph as ox

from kg.graph import SourceMeta, registry_quads, source_graph_uri, source_quads
from kg.identity import DEFAULT_BASE
from kg.model import Context, Extraction
from kg.read import ReadError, Source, expand, file_sha256, sidecar
from kg.registry import ReferenceData
from kg.store import DEFAULT_STORE, Store, merged_lines, open_store
from kg.summary import summary_quads
from kg.version import __version__
from kg.vocab import KG, META_GRAPH, REGISTRY_GRAPH, VOCABULARY_GRAPH, resource_text, sparql_prefixes, vocabulary

XSD_INTEGER = ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")
# Quads of texts per write (twice that with their merged triples): each write must stay one
# ingestion of Oxigraph's bulk loader (kg.store.BULK_QUADS) to be whole or undone.
BATCH_QUADS = 50_000
# Chunks of files in flight per process: enough to keep the workers busy, few enough that
# results waiting for a slower writer do not pile up in memory.
CHUNKS_PER_JOB = 4
# The workers of a build yield the CPU to the process that writes their graphs: with as many
# workers as cores, the writer was starved and builds took 10% longer (measured, 2 cores).
WORKER_NICENESS = 5
# A build that wrote at least this share of the store's texts compacts it. Compacting
# rewrites the whole store (17 s at 100,000 texts, whatever the build wrote), so a small
# update leaves its few files to RocksDB's own compaction of later writes.
COMPACT_SHARE = 0.1
TEXTS = "GRAPH ?g { ?g a kg:SourceText }"  # the pattern of one text in the store
STATISTICS = ("texts", "documents", "relations", "unresolved", "warnings")

Analyzed = tuple[Source, Extraction]  # a text read from a file, and what it states
# An analysis gives a file's texts and one line per record it could not read, or, for a
# caller that reads files its own way, the Extraction of the file as one text.
Analyze = Callable[[str], list[Analyzed | str] | Extraction]
Progress = Callable[[Iterator, int], AbstractContextManager[Iterator]]


class BuildError(Exception):
    """Input that stops a build before it starts; the message names the path or option."""


@dataclass
class BuildSummary:
    texts: int = 0  # texts in the store after the build
    built: int = 0  # texts (re)built by this run
    skipped: int = 0  # texts unchanged since the last build
    removed: int = 0  # texts pruned
    documents: int = 0
    relations: int = 0
    unresolved: int = 0
    warnings: int = 0
    failures: list[tuple[str, str]] = field(default_factory=list)  # (path, error)


def read_and_extract(path: str, context: Context | None = None) -> list[Analyzed | str]:
    """The default analysis: read the file, extract what each of its texts states. What
    `context` gives wins over what the file's metadata says; ReadError when the file
    cannot be read at all."""
    from kg.extract import extract
    from kg.read import read_sources

    sources, failures = read_sources(path)
    analyzed: list[Analyzed | str] = []
    for source in sources:
        known, warnings = _context(source, context or Context())
        extraction = extract(source.text, known, source=source.location)
        extraction.warnings[:0] = warnings
        analyzed.append((source, extraction))
    return analyzed + failures


def _context(source: Source, given: Context) -> tuple[Context, list[str]]:
    """The context of a text: `given`, then its file's metadata; with a warning for each
    value of the metadata that is not a province or a date."""
    from kg.resolve import province_named

    metadata, warnings = source.metadata, []
    province = metadata.province and province_named(metadata.province)
    if metadata.province and not province:
        warnings.append(f"metadata: {metadata.province!r} is not a province kg knows; ignored")
    date = None
    if metadata.date:
        try:  # ISO dates and timestamps, as meta tags and scrapers write them
            date = dt.date.fromisoformat(metadata.date[:10]).isoformat()
        except ValueError:
            warnings.append(f"metadata: date {metadata.date!r} is not YYYY-MM-DD; ignored")
    # A district of the metadata is dropped with its province when the caller gives another.
    district = given.district or (metadata.district if given.province in (None, province) else None)
    return Context(given.province or province, district, given.date or date), warnings


def collect(paths: list[str | Path]) -> list[str]:
    """Absolute paths of the texts: files as given, text files inside folders."""
    for given in paths:
        if not Path(given).exists():
            raise BuildError(f"{given}: no such file or directory")
    files = set()
    for given in paths:
        # Inside a folder, resolved once, only an entry that is a link leads elsewhere (links
        # to folders are not followed): resolving each path costs a system call per component.
        folder, real = str(Path(given)), str(Path(given).resolve())
        for found in expand([given]):
            inside = found.startswith(folder + os.sep) and not os.path.islink(found)
            files.add(real + found[len(folder) :] if inside else _real_path(found))
    return sorted(files)


def _real_path(path: str) -> str:
    """A broken link keeps its own name, so that its failure names what the user sees."""
    return str(Path(path).resolve() if Path(path).exists() else Path(path).absolute())


def _analyze_one(analyze: Analyze, location: str) -> list[Analyzed | str] | Extraction | str:
    try:
        return analyze(location)
    except BuildError:
        raise
    except Exception as error:  # one unreadable text must not stop a build of thousands
        return str(error) or type(error).__name__


Item = TypeVar("Item")
Result = TypeVar("Result")
_work: Callable | None = None  # what a worker process of `ordered_map` does to each item


def _take_work(work: Callable, niceness: int) -> None:
    global _work
    _work = work
    os.nice(niceness)


def _work_on(chunk: tuple) -> list:
    return [_work(item) for item in chunk]


def ordered_map(work: Callable[[Item], Result], items: list[Item], jobs: int, niceness: int = 0) -> Iterator[Result]:
    """`work` of each item in `jobs` processes, streamed in the order of `items`. Only a
    few chunks are in flight at a time, so that results wait in the workers, not in this
    process, when it consumes them slower than they come; `work` is sent to each worker
    once. The workers run `niceness` steps below this process's priority."""
    if jobs <= 1 or len(items) < 2:
        yield from map(work, items)
        return
    size = max(1, min(64, len(items) // (jobs * CHUNKS_PER_JOB)))
    with ProcessPoolExecutor(max_workers=jobs, initializer=_take_work, initargs=(work, niceness)) as pool:
        pending = deque()
        remaining = iter(items)
        for chunk in iter(lambda: tuple(itertools.islice(remaining, size)), ()):
            pending.append(pool.submit(_work_on, chunk))
            if len(pending) >= jobs * CHUNKS_PER_JOB:
                yield from pending.popleft().result()
        while pending:
            yield from pending.popleft().result()


def analyze_all(analyze: Analyze, locations: list[str], jobs: int) -> Iterator[list[Analyzed | str] | Extraction | str]:
    """`analyze` of each location, in `jobs` processes, streamed in the order of `locations`;
    a location that fails gives its error's message."""
    return ordered_map(partial(_analyze_one, analyze), locations, jobs)


@dataclass(frozen=True)
class Graphing:
    """What turns a file into named graphs, the same in `kg build`'s workers and in the
    Dask pipeline (kg.partitions): the analysis, the reference data, the URI base of
    documents and the build key of the extractor and data (made by `graphing`)."""

    analyze: Analyze
    data: ReferenceData
    base: str
    build_key: str


@dataclass(frozen=True)
class FileGraphs:
    """What one file gives: each of its texts' named graph as N-Quads bytes (named graphs
    only, lines in a fixed order), one line per record that could not be read, or nothing
    when the store holds its texts as they are (`unchanged`)."""

    graphs: list[tuple[str, bytes]] = field(default_factory=list)  # (graph IRI, its N-Quads)
    failures: list[str] = field(default_factory=list)
    unchanged: bool = False


def graph_file(recipe: Graphing, location: str, stored: Collection[tuple[str, str]] = ()) -> FileGraphs | str:
    """Read, extract and graph the texts of one file: a pure function of the file and
    `recipe`. `stored`: (sha256, build key) of each text the store holds of the file;
    when all match the file as it is now, nothing is read. A file that cannot be read at
    all gives its error's message."""
    try:
        sha = file_sha256(location)
    except ReadError as error:
        return str(error)
    key = _file_key(recipe.build_key, location)
    if stored and all(recorded == (sha, key) for recorded in stored):
        return FileGraphs(unchanged=True)
    outcome = _analyze_one(recipe.analyze, location)
    if isinstance(outcome, str):
        return outcome
    texts = [(None, outcome)] if isinstance(outcome, Extraction) else outcome
    failed = [text for text in texts if isinstance(text, str)]
    # A file with unreadable records is read again by the next build, which reports
    # them again, as it does a file that cannot be read at all.
    text_key = f"{key} incomplete" if failed else key
    graphs = []
    for read, extraction in (text for text in texts if not isinstance(text, str)):
        meta = _source_meta(location, sha, text_key, read, extraction)
        quads = source_quads(extraction, meta, recipe.data, recipe.base, __version__)
        graphs.append((source_graph_uri(recipe.base, meta.location), ox.serialize(quads, format=ox.RdfFormat.N_QUADS)))
    return FileGraphs(graphs, failed)


# ---- what the store holds ---------------------------------------------------------------------


def _literal(store: Store, subject: str, predicate: str, graph: str) -> str | None:
    rows = store.select(f"SELECT ?v WHERE {{ GRAPH <{graph}> {{ <{subject}> <{predicate}> ?v }} }} LIMIT 1")
    return str(rows[0]["v"]) if rows else None


def outdated(store: Store) -> str | None:
    """Why what the build keeps in `store` may not be what this kg reads, or None: a store
    built with another vocabulary (by another version of kg) may lack the summaries and
    counts the library's queries read from its meta graph."""
    built_with = _literal(store, META_GRAPH, KG + "vocabularyDigest", META_GRAPH)
    if built_with is None or built_with == vocabulary().digest:
        return None
    return f"{store.location} was built by another version of kg: run kg build on it again for complete answers"


def recorded_sources(store: Store) -> dict[str, list[tuple[str, str, str]]]:
    """file -> (graph, sha256, build key) of each text read from it, for every text in the store."""
    rows = store.select(
        sparql_prefixes()
        + "SELECT ?g ?location ?file ?sha ?key WHERE { GRAPH ?g { ?g a kg:SourceText ; kg:location ?location ;"
        " kg:sha256 ?sha ; kg:buildKey ?key OPTIONAL { ?g kg:file ?file } } }"
    )
    recorded: dict[str, list[tuple[str, str, str]]] = {}
    for row in rows:
        file = str(row["file"] if "file" in row else row["location"])
        recorded.setdefault(file, []).append((str(row["g"]), str(row["sha"]), str(row["key"])))
    return recorded


def read_statistics(store: Store) -> dict[str, int]:
    """The statistics of the last build, from the meta graph (no scan of the data)."""
    values = {name: _literal(store, META_GRAPH, KG + name, META_GRAPH) for name in STATISTICS}
    return {name: int(value) for name, value in values.items() if value is not None}


def _count(store: Store, pattern: str) -> int:
    rows = store.select(sparql_prefixes() + f"SELECT (COUNT(*) AS ?n) WHERE {{ {pattern} }}")
    return int(rows[0]["n"])


def compute_statistics(store: Store) -> dict[str, int]:
    return {
        "texts": _count(store, TEXTS),
        "documents": _count(store, "?d a eli:LegalResource FILTER EXISTS { ?d kg:mentionedIn ?text }"),
        # Each relation a text states is in the merged default graph once (queries/counts.rq).
        "relations": _count(store, "?p kg:relationName ?name . ?s ?p ?o"),
        "unresolved": _count(store, "?u a kg:UnresolvedReference"),
        "warnings": _count(store, "GRAPH ?g { ?g kg:warning ?w }"),
    }


def read_counts(store: Store) -> list[tuple[str, str, int]]:
    """(dimension, key, count) kept by the last build: documents by type, level and
    locality, relations by name (the library query `counts`), largest first."""
    rows = store.select(
        sparql_prefixes()
        + f"""SELECT ?dimension ?key ?count WHERE {{ GRAPH <{META_GRAPH}> {{
            <{META_GRAPH}> kg:count [ kg:dimension ?dimension ; kg:key ?key ; kg:value ?count ] }} }}
        ORDER BY ?dimension DESC(?count) ?key"""
    )
    return [(str(row["dimension"]), str(row["key"]), int(row["count"])) for row in rows]


def _count_quads(store: Store) -> list[ox.Quad]:
    """The library query `counts`, run once per build so that `kg stats` costs no scan."""
    from kg.queries import load, solve

    graph = ox.NamedNode(META_GRAPH)
    quads = []
    # Numbered, not blank, nodes: two builds of the same texts give the same quads.
    for number, row in enumerate(solve(store, load("counts"), {}).rows):
        node = ox.NamedNode(f"{META_GRAPH}:count:{number}")
        quads += [
            ox.Quad(graph, ox.NamedNode(KG + "count"), node, graph),
            ox.Quad(node, ox.NamedNode(KG + "dimension"), ox.Literal(str(row["dimension"])), graph),
            ox.Quad(node, ox.NamedNode(KG + "key"), ox.Literal(str(row["key"])), graph),
            ox.Quad(node, ox.NamedNode(KG + "value"), ox.Literal(str(row["count"]), datatype=XSD_INTEGER), graph),
        ]
    return quads


def _meta_quads(values: dict[str, str | int]) -> list[ox.Quad]:
    graph = ox.NamedNode(META_GRAPH)
    return [
        ox.Quad(
            graph,
            ox.NamedNode(KG + name),
            ox.Literal(str(value), datatype=XSD_INTEGER) if isinstance(value, int) else ox.Literal(value),
            graph,
        )
        for name, value in values.items()
    ]


def _file_key(build_key: str, location: str) -> str:
    """The build key of a file's texts: editing its sidecar metadata rebuilds them."""
    try:
        with open(sidecar(location), "rb") as handle:
            metadata = handle.read()
    except OSError:  # no sidecar; an unreadable one fails the file when it is read
        return build_key
    return f"{build_key} sidecar:{hashlib.sha256(metadata).hexdigest()[:16]}"


def _source_meta(file: str, sha: str, key: str, read: Source | None, extraction: Extraction) -> SourceMeta:
    """What the graph records of a text; `read` is None when the analysis read the file itself."""
    context = extraction.context
    if read is None:
        return SourceMeta(file, sha, context.date, context.province, key, context.district)
    return SourceMeta(
        read.location,
        sha,
        context.date,
        context.province,
        key,
        context.district,
        read.metadata.url,
        file if read.location != file else None,
        read.text,
    )


def _triples_into(text: str, graph: str) -> list[ox.Quad]:
    name = ox.NamedNode(graph)
    return [ox.Quad(t.subject, t.predicate, t.object, name) for t in ox.parse(text, format=ox.RdfFormat.TURTLE)]


# ---- build ------------------------------------------------------------------------------------


class GraphWriter:
    """Replaces source graphs in batches, each written in a thread of its own while the
    next batch gathers: the graphs the store held are dropped in one write, the batch's
    new graphs added in another (kg.store `add_graphs`), so a build killed midway leaves
    each text whole or absent (with its checksum), and the next build writes the absent.
    A graph the store never held is not dropped: there is nothing to retract.
    `checked`: the lines are pyoxigraph's serialisation of its own terms (kg.store
    `add_graphs`); others are checked, and a write of a line that is not N-Quads fails
    with a BuildError that names the file the line came from."""

    def __init__(self, store: Store, checked: bool = False) -> None:
        self.store = store
        self.checked = checked
        self.held: list[str] = []
        self.graphs: list[bytes] = []
        self.merged: list[bytes] = []
        self.origins: list[tuple[int, str]] = []  # (last line of a text in the batch, its file)
        self.quads = 0
        self._thread = ThreadPoolExecutor(max_workers=1)
        self._writing: Future | None = None

    def put(self, graph: str, nquads: bytes, held: bool, origin: str = "") -> None:
        """Write text graph `graph` as N-Quads (b"" for none), read from file `origin`,
        replacing the store's graph of that name if it `held` one."""
        if held:
            self.held.append(graph)
        self.graphs.append(nquads)
        self.merged.append(merged_lines(graph, nquads))
        self.quads += nquads.count(b"\n")
        self.origins.append((self.quads, origin))
        if self.quads >= BATCH_QUADS:
            self.flush()

    def flush(self) -> None:
        """Start writing the batch, once the previous one is written (one write at a time)."""
        self.wait()
        batch = (self.held, b"".join(self.graphs), b"".join(self.merged), self.origins)
        self._writing = self._thread.submit(self._write, *batch)
        self.held, self.graphs, self.merged, self.origins, self.quads = [], [], [], [], 0

    def _write(self, held: list[str], nquads: bytes, merged: bytes, origins: list[tuple[int, str]]) -> None:
        self.store.drop_graphs(held)
        try:
            self.store.add_graphs(nquads, merged, self.checked)
        except SyntaxError as error:
            # The texts' own lines come first, in turn, and a merged line fails where its
            # text's did: the failing line's number finds its file.
            origin = next((name for last, name in origins if error.lineno and error.lineno <= last), "")
            reason = error.msg.partition(": ")[2] or error.msg
            raise BuildError(f"{origin or 'a text'}: a line is not N-Quads ({reason})") from None

    def wait(self) -> None:
        if self._writing:
            self._writing.result()

    def __enter__(self) -> GraphWriter:
        return self

    def __exit__(self, *exc) -> None:
        self._thread.shutdown()  # lets the write under way finish, so the store closes whole


def build(
    paths: Iterable[str | Path],
    store: str | Path | Store = DEFAULT_STORE,
    jobs: int = 1,
    prune: bool = False,
    base: str | None = None,
    remerge: bool = False,
    reference: ReferenceData | None = None,
    analyze: Analyze = read_and_extract,
    progress: Progress | None = None,
) -> BuildSummary:
    """Build or update the graph of the texts under `paths` in `store`.

    `store` is a directory, `memory`, an `http(s)://` SPARQL endpoint, or an open Store.
    `base` is the URI base of documents (docs/identity.md); a store keeps the base it was
    built with. `remerge` rebuilds the merged default graph from the named graphs
    (kg.store). `reference` is the reference data (default: the package's).
    `analyze(path) -> Extraction` reads and extracts one text, in `jobs`
    processes. `progress(items, length)` wraps the stream of files, e.g. a progress bar.
    """
    if jobs < 1:
        raise BuildError(f"--jobs must be at least 1, not {jobs}")
    paths = list(paths)
    locations = collect(paths)
    target = store if isinstance(store, Store) else open_store(store)
    try:
        return _build(
            target,
            locations,
            [Path(p).resolve() for p in paths],
            jobs,
            prune,
            base,
            remerge,
            reference,
            analyze,
            progress,
        )
    finally:
        if target is not store:
            target.close()


def graphing(
    base: str | None = None, reference: ReferenceData | None = None, analyze: Analyze = read_and_extract
) -> Graphing:
    """How texts are graphed: documents under `base` (default: kg.identity's), with the
    build key of this extractor and of `reference` (default: the package's data)."""
    data = reference or ReferenceData.shipped()
    build_key = f"{__version__} data:{data.digest[:16]} vocab:{vocabulary().digest[:16]}"
    return Graphing(analyze, data, (base or DEFAULT_BASE).rstrip("/"), build_key)


def prepare(
    store: Store, base: str | None, reference: ReferenceData | None, analyze: Analyze = read_and_extract
) -> Graphing:
    """How texts are graphed into `store`, with the base it was built with (BuildError for
    another); writes the vocabulary and registry graphs where they changed."""
    stored_base = _literal(store, META_GRAPH, KG + "base", META_GRAPH)
    if base and stored_base and base != stored_base:
        raise BuildError(f"--base {base}: the store was built with base {stored_base}; use it or a new store")
    recipe = graphing(base or stored_base, reference, analyze)
    vocab = vocabulary()
    if _literal(store, META_GRAPH, KG + "vocabularyDigest", META_GRAPH) != vocab.digest:
        store.replace_graphs([VOCABULARY_GRAPH], _triples_into(resource_text("vocab.ttl"), VOCABULARY_GRAPH))
    if _literal(store, META_GRAPH, KG + "registryDigest", META_GRAPH) != recipe.data.digest:
        store.replace_graphs([REGISTRY_GRAPH], registry_quads(recipe.data, recipe.base))
    return recipe


def finish(store: Store, recipe: Graphing, remerge: bool = False) -> dict[str, int]:
    """Complete a store after its source graphs were written: the merged default graph
    rebuilt if `remerge`, the statistics (returned), the counts and the summaries of
    documents (kg.summary) kept in the meta graph."""
    if remerge:
        store.remerge()
    statistics = compute_statistics(store)
    meta = {"base": recipe.base, "vocabularyDigest": vocabulary().digest, "registryDigest": recipe.data.digest}
    store.replace_graphs([META_GRAPH], _meta_quads({**meta, **statistics}) + _count_quads(store) + summary_quads(store))
    return statistics


def _build(store, locations, roots, jobs, prune, base, remerge, reference, analyze, progress) -> BuildSummary:
    recipe = prepare(store, base, reference, analyze)
    summary = BuildSummary()
    recorded = recorded_sources(store)
    # A record's graph is named by its url, which may have moved to another file.
    held_anywhere = {graph for texts in recorded.values() for graph, _, _ in texts}
    stored = [(location, tuple((sha, key) for _, sha, key in recorded.get(location, ()))) for location in locations]
    outcomes = zip(locations, ordered_map(partial(_graph_stored, recipe), stored, jobs, WORKER_NICENESS), strict=True)
    with (
        GraphWriter(store, checked=True) as writer,
        progress(outcomes, len(locations)) if progress else nullcontext(outcomes) as items,
    ):
        for location, outcome in items:
            held = {graph for graph, _, _ in recorded.get(location, ())}
            if isinstance(outcome, str):
                summary.failures.append((location, outcome))
                continue
            if outcome.unchanged:
                summary.skipped += len(held)
                continue
            summary.failures += [(location, message) for message in outcome.failures]
            for graph, nquads in outcome.graphs:
                writer.put(graph, nquads, graph in held_anywhere)
                held.discard(graph)
                summary.built += 1
            for graph in held:  # records gone from the file
                writer.put(graph, b"", True)
        writer.flush()
        writer.wait()

    if prune:
        # `recorded` is keyed by file: the texts of a JSON Lines file go with it.
        seen = set(locations)
        gone = [
            graph
            for location, texts in recorded.items()
            if location not in seen
            and (not Path(location).exists() or any(Path(location).is_relative_to(root) for root in roots))
            for graph, _, _ in texts
        ]
        store.drop_graphs(gone)
        summary.removed = len(gone)

    # Before `finish`, whose statistics and counts read the whole store faster compacted.
    if summary.built and summary.built >= COMPACT_SHARE * _count(store, TEXTS):
        store.compact()
    for name, value in finish(store, recipe, remerge).items():
        setattr(summary, name, value)
    return summary


def _graph_stored(recipe: Graphing, item: tuple[str, tuple[tuple[str, str], ...]]) -> FileGraphs | str:
    location, stored = item
    return graph_file(recipe, location, stored)
