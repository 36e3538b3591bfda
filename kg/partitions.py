"""A corpus graphed by Dask into N-Quads partitions, and partitions loaded into a store.

`partition` maps `kg build`'s own per-file work (kg.builder.graph_file: read, extract,
graph) over the corpus as a Dask bag, one partition per `files_per_partition` files, and
writes each partition as one N-Quads file, `part-00000.nq`, `part-00001.nq`, ...: the
named graph of each text of its files, in the order of the files, a blank line after each
text. Partitions hold named graphs only (no merged default graph, no reference data), and
the same files, base and reference data give the same bytes. Any Dask scheduler runs it:
the local ones (`sync`, `threads`, `processes`) or a cluster's (`tcp://host:8786`, with
the `distributed` package); the corpus and the output folder must then be paths every
worker sees (a shared file system).

`load` takes partitions into a store with the writes of `kg build` (the merged default
graph comes with each batch, a text whole or absent if killed), replaces the texts the
store already held, and finishes the store as `kg build` does: vocabulary and registry
graphs, statistics and counts in the meta graph. Loading the partitions of a corpus gives
the store `kg build` gives of it.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path

from kg.builder import (
    Analyze,
    BuildError,
    FileGraphs,
    Graphing,
    GraphWriter,
    Progress,
    collect,
    finish,
    graph_file,
    graphing,
    prepare,
    read_and_extract,
    recorded_sources,
)
from kg.registry import ReferenceData
from kg.store import DEFAULT_STORE, GRAPH_TERM, Store, open_store

PART = "part-{:05}.nq"
FILES_PER_PARTITION = 1000
LOCAL_SCHEDULERS = ("sync", "threads", "processes")


@dataclass
class PartitionSummary:
    partitions: list[Path] = field(default_factory=list)
    texts: int = 0
    failures: list[tuple[str, str]] = field(default_factory=list)  # (file, error)


@dataclass
class LoadSummary:
    loaded: int = 0  # texts taken from the partitions
    replaced: int = 0  # of them, texts the store held before
    statistics: dict[str, int] = field(default_factory=dict)  # of the store, as kg build keeps them


def partition(
    paths: Iterable[str | Path],
    output: str | Path,
    files_per_partition: int = FILES_PER_PARTITION,
    base: str | None = None,
    reference: ReferenceData | None = None,
    analyze: Analyze = read_and_extract,
    scheduler: str = "processes",
) -> PartitionSummary:
    """Write the named graphs of the texts under `paths` as N-Quads partitions in the
    folder `output`. `scheduler` is a local Dask scheduler or a cluster's address."""
    try:
        import dask
        import dask.bag
    except ImportError:
        raise BuildError("kg partition needs Dask: pip install 'kg[dask]'") from None
    if files_per_partition < 1:
        raise BuildError(f"--files-per-partition must be at least 1, not {files_per_partition}")
    folder = Path(output)
    if folder.is_dir() and any(folder.glob("part-*.nq")):
        raise BuildError(f"{folder}: holds partitions already; remove them or give another folder")
    locations = collect(list(paths))
    summary = PartitionSummary()
    with _scheduler(scheduler) as chosen:
        if not locations:
            return summary
        folder.mkdir(parents=True, exist_ok=True)
        files = dask.bag.from_sequence(locations, partition_size=files_per_partition)
        graphed = files.map(_graphed, graphing(base, reference, analyze))
        numbers = dask.bag.from_sequence(range(files.npartitions), npartitions=files.npartitions)
        written = graphed.map_partitions(_write_partition, numbers, folder).compute(scheduler=chosen)
    for path, texts, failures in written:
        summary.partitions.append(path)
        summary.texts += texts
        summary.failures += failures
    return summary


def _scheduler(scheduler: str):
    """The scheduler to give dask.compute: a local one by name, or a client of a cluster."""
    if scheduler in LOCAL_SCHEDULERS:
        return nullcontext(scheduler)
    if "://" not in scheduler:
        raise BuildError(
            f"--scheduler {scheduler}: give {', '.join(LOCAL_SCHEDULERS)} or a cluster's address (tcp://host:8786)"
        )
    try:
        from dask.distributed import Client
    except ImportError:
        raise BuildError(
            f"--scheduler {scheduler}: a cluster needs the distributed package (pip install distributed)"
        ) from None
    return Client(scheduler)


def _graphed(location: str, recipe: Graphing) -> tuple[str, FileGraphs | str]:
    return location, graph_file(recipe, location)


def _write_partition(
    graphed: Iterable[tuple[str, FileGraphs | str]], number: list[int], folder: Path
) -> list[tuple[Path, int, list[tuple[str, str]]]]:
    """Write partition `number` as its file, whole or not at all (a task run again
    rewrites it); gives (its path, its texts, the files or records not read)."""
    (index,) = number
    path = folder / PART.format(index)
    texts, failures = 0, []
    unfinished = path.with_suffix(".nq.partial")
    with open(unfinished, "wb") as handle:
        for location, outcome in graphed:
            if isinstance(outcome, str):
                failures.append((location, outcome))
                continue
            failures += [(location, message) for message in outcome.failures]
            for _, nquads in outcome.graphs:
                handle.write(nquads + b"\n")
                texts += 1
    os.replace(unfinished, path)
    return [(path, texts, failures)]


def text_graphs(path: str | Path) -> Iterator[tuple[str, bytes]]:
    """(graph IRI, N-Quads) of each text of a partition, read in blocks of 16 MB."""
    with open(path, "rb") as handle:
        rest = b""
        for block in iter(lambda: handle.read(1 << 24), b""):
            texts = (rest + block).split(b"\n\n")
            rest = texts.pop()
            yield from (_text_graph(path, text + b"\n") for text in texts if text.strip())
        if rest.strip():
            yield _text_graph(path, rest if rest.endswith(b"\n") else rest + b"\n")


def _text_graph(path: str | Path, nquads: bytes) -> tuple[str, bytes]:
    term = GRAPH_TERM.search(nquads, 0, nquads.find(b"\n") + 1)
    if term is None:
        raise BuildError(f"{path}: a line without its graph; give the partitions `kg partition` writes")
    return term.group()[2:-4].decode("utf-8"), nquads


def partition_files(paths: Iterable[str | Path]) -> list[Path]:
    """Partition files as given, and the `part-*.nq` files of folders, in order."""
    files = []
    for given in map(Path, paths):
        if given.is_dir():
            found = sorted(given.glob("part-*.nq"))
            if not found:
                raise BuildError(f"{given}: holds no partition (part-*.nq); run kg partition first")
            files += found
        elif given.is_file():
            files.append(given)
        else:
            raise BuildError(f"{given}: no such partition file or folder")
    return files


def load(
    parts: Iterable[str | Path],
    store: str | Path | Store = DEFAULT_STORE,
    base: str | None = None,
    reference: ReferenceData | None = None,
    progress: Progress | None = None,
) -> LoadSummary:
    """Load partitions (files, or folders of them) into `store` (a directory, `memory`,
    an endpoint or an open Store) and finish it as `kg build` does. `base` and `reference` must be those the partitions
    were made with; `progress(items, length)` wraps the stream of partitions."""
    parts = partition_files(parts)
    target = store if isinstance(store, Store) else open_store(store)
    try:
        recipe = prepare(target, base, reference)
        held = {graph for texts in recorded_sources(target).values() for graph, _, _ in texts}
        summary = LoadSummary()
        sources = f"{recipe.base}/source/"
        with GraphWriter(target) as writer, progress(parts, len(parts)) if progress else nullcontext(parts) as items:
            for part in items:
                for graph, nquads in text_graphs(part):
                    if not graph.startswith(sources):
                        raise BuildError(
                            f"{part}: texts graphed under {graph.rpartition('/source/')[0] or graph}, the store's"
                            f" base is {recipe.base}; give kg load the --base the partitions were made with"
                        )
                    writer.put(graph, nquads, graph in held, str(part))
                    summary.loaded += 1
                    summary.replaced += graph in held
            writer.flush()
            writer.wait()
        summary.statistics = finish(target, recipe)
        return summary
    finally:
        if target is not store:
            target.close()
