"""kg at scale, on the synthetic corpus of benchmarks/corpus.py.

python -m benchmarks.scale 10000            # prints a Markdown section
python -m benchmarks.scale 10000 --write    # also replaces it in docs/benchmarks.md

For N texts: extraction MB/s and texts/s on one core and on every core, against a bare
scan of the same bytes by one compiled regex; `kg build` into the embedded store (texts/s,
quads/s, peak RSS); p50/p95 latency of every library query; `kg viz` of one document's
neighbourhood; and the same queries on rdflib's in-memory store, as a ratio.
"""

from __future__ import annotations

import argparse
import datetime as dt
import multiprocessing
import os
import platform
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pyoxigraph as ox

import kg
from benchmarks.corpus import write as write_corpus
from benchmarks.extraction import cpu
from benchmarks.extraction import write as write_section
from kg import extract
from kg.queries import library, solve
from kg.store import RdflibStore, open_store

SECTION = "## Scale"
RUNS = 10
RDFLIB_RUNS = 3  # rdflib's nested-loop joins take seconds per query already at a few hundred texts
RDFLIB_TIMEOUT = 60.0  # seconds for all runs of one query; past it, the query is reported as such
BARE = re.compile(r"\d{1,5}[ -]*[A-ZĐ]+/[A-ZĐ]+")


def _texts(corpus: Path) -> list[Path]:
    return sorted(corpus.glob("*/*.txt"))


def _extract_file(path: Path) -> int:
    return len(extract(path.read_text(encoding="utf-8")).references)


def extraction(paths: list[Path], jobs: int) -> float:
    started = time.perf_counter()
    if jobs == 1:
        for path in paths:
            _extract_file(path)
    else:
        with ProcessPoolExecutor(jobs) as pool:
            list(pool.map(_extract_file, paths, chunksize=256))
    return time.perf_counter() - started


def bare_scan(paths: list[Path]) -> float:
    started = time.perf_counter()
    for path in paths:
        BARE.findall(path.read_text(encoding="utf-8"))
    return time.perf_counter() - started


def build(corpus: Path, store: Path, jobs: int) -> tuple[float, int]:
    """Seconds and peak RSS in bytes of `kg build` as its own process."""
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "kg", "build", str(corpus), "--store", str(store), "--jobs", str(jobs)],
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return time.perf_counter() - started, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024


def parameters(store) -> dict[str, ox.NamedNode]:
    """The most implemented central document, a plan implementing it and one two links below."""
    (top,) = store.select(
        "PREFIX kg: <https://kg.example.org/ontology#>"
        " SELECT ?doc (COUNT(?plan) AS ?n) WHERE { ?plan kg:implements ?doc FILTER CONTAINS(STR(?doc), '/tw/') }"
        " GROUP BY ?doc ORDER BY DESC(?n) LIMIT 1"
    )
    doc = str(top["doc"])
    chains = store.select(
        "PREFIX kg: <https://kg.example.org/ontology#>"
        f" SELECT ?deep ?direct WHERE {{ ?deep kg:implements ?direct . ?direct kg:implements <{doc}> }}"
        " ORDER BY ?direct ?deep LIMIT 1"
    )
    deep, direct = (str(chains[0]["deep"]), str(chains[0]["direct"])) if chains else (doc, doc)
    values = {"doc": doc, "target": doc, "to": doc, "from": deep, "source": direct}
    return {name: ox.NamedNode(value) for name, value in values.items()}


def latency(store, query, bindings: dict[str, ox.NamedNode], runs: int) -> tuple[float, float, int]:
    """(p50 ms, p95 ms, rows) of one query."""
    rows = len(solve(store, query, bindings).rows)
    milliseconds = []
    for _ in range(runs):
        started = time.perf_counter()
        solve(store, query, bindings)
        milliseconds.append((time.perf_counter() - started) * 1000)
    milliseconds.sort()
    return statistics.median(milliseconds), milliseconds[int(0.95 * (runs - 1))], rows


def _bindings(query, values: dict[str, ox.NamedNode]) -> dict[str, ox.NamedNode]:
    return {p.name: values[p.name] for p in query.parameters if p.name in values}


def latencies(store, values: dict[str, ox.NamedNode]) -> dict[str, tuple[float, float, int]]:
    return {query.name: latency(store, query, _bindings(query, values), RUNS) for query in library()}


def _send_latency(sender, store, query, bindings: dict[str, ox.NamedNode]) -> None:
    sender.send(latency(store, query, bindings, RDFLIB_RUNS))


def latencies_killed_at_timeout(store, values: dict[str, ox.NamedNode]) -> dict[str, tuple[float, float, int] | None]:
    """As `latencies`, each query in a forked child that is killed at RDFLIB_TIMEOUT (None):
    a query rdflib cannot finish must not keep running beside the next ones."""
    context = multiprocessing.get_context("fork")
    measured: dict[str, tuple[float, float, int] | None] = {}
    for query in library():
        receiver, sender = context.Pipe(duplex=False)
        child = context.Process(target=_send_latency, args=(sender, store, query, _bindings(query, values)))
        child.start()
        measured[query.name] = receiver.recv() if receiver.poll(RDFLIB_TIMEOUT) else None
        child.kill()
        child.join()
    return measured


def measure(count: int, work: Path, jobs: int) -> str:
    (work / "corpus").mkdir(parents=True, exist_ok=True)
    store = work / "store"
    corpus, size = write_corpus(count, work / "corpus")
    paths = _texts(corpus)
    one_core = extraction(paths, 1)
    every_core = extraction(paths, jobs)
    bare = bare_scan(paths)
    build_seconds, peak = build(corpus, store, jobs)
    with open_store(store, read_only=True) as opened:
        quads = int(opened.select("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")[0]["n"])
        values = parameters(opened)
        embedded = latencies(opened, values)
        started = time.perf_counter()
        in_memory = RdflibStore(opened.dataset())
        rdflib_load = time.perf_counter() - started
        compared = latencies_killed_at_timeout(in_memory, values)
    started = time.perf_counter()
    subprocess.run(
        [
            sys.executable,
            "-m",
            "kg",
            "viz",
            str(values["doc"].value),
            "-o",
            str(work / "view.html"),
            "--store",
            str(store),
        ],
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    viz_seconds = time.perf_counter() - started

    megabytes = size / 1e6
    lines = [
        f"{SECTION}",
        "",
        f"Measured {dt.date.today().isoformat()} on {platform.machine()} ({cpu()}, {os.cpu_count()} cores),"
        f" Python {platform.python_version()}, kg {kg.__version__}, pyoxigraph {ox.__version__}.",
        f"Command: `python -m benchmarks.scale {count} --write`. Corpus: {count:,} synthetic texts"
        f" (benchmarks/corpus.py, seed 1), {megabytes:.1f} MB.",
        "",
        "| stage | time | throughput |",
        "|---|---|---|",
        f"| extraction, one core | {one_core:.1f} s | {megabytes / one_core:.2f} MB/s, {count / one_core:.0f} texts/s |",
        f"| extraction, {jobs} processes | {every_core:.1f} s"
        f" | {megabytes / every_core:.2f} MB/s, {count / every_core:.0f} texts/s |",
        f"| bare scan by one compiled regex (the floor) | {bare:.2f} s | {megabytes / bare:.1f} MB/s"
        f" ({one_core / bare:.0f}× faster than extraction) |",
        f"| `kg build --jobs {jobs}` into the embedded store | {build_seconds:.1f} s"
        f" | {count / build_seconds:.0f} texts/s, {quads / build_seconds:,.0f} quads/s;"
        f" {quads:,} quads; peak RSS {peak / 2**20:,.0f} MiB |",
        f"| `kg viz` of the most implemented document | {viz_seconds:.1f} s | |",
        "",
        f"Query latency over {RUNS} runs (DOC: the most implemented central document)"
        + f"; rdflib's in-memory store loaded the dataset in {rdflib_load:.1f} s and ran each query"
        f" {RDFLIB_RUNS} times (after one run for the row count); a query whose runs are not all done within"
        f" {RDFLIB_TIMEOUT:.0f} s is given up.",
        "",
        "| query | rows | p50 | p95 | rdflib p50 | rdflib ÷ embedded |",
        "|---|---|---|---|---|---|",
    ]
    for name, (p50, p95, rows) in embedded.items():
        line = f"| {name} | {rows} | {p50:.0f} ms | {p95:.0f} ms |"
        if compared[name] is None:
            line += f" > {RDFLIB_TIMEOUT / (RDFLIB_RUNS + 1):.0f} s | > {RDFLIB_TIMEOUT * 1000 / (RDFLIB_RUNS + 1) / max(p50, 0.01):,.0f}× |"
        else:
            line += f" {compared[name][0]:.0f} ms | {compared[name][0] / max(p50, 0.01):,.1f}× |"
        lines.append(line)
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("count", type=int, help="texts in the synthetic corpus")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--write", action="store_true", help="replace the section in docs/benchmarks.md")
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="kg-scale-") as folder:
        result = measure(arguments.count, Path(folder), arguments.jobs)
    sys.stdout.write(result)
    if arguments.write:
        write_section(result, SECTION)
