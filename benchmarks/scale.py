"""kg at scale, on the synthetic corpus of benchmarks/corpus.py.

python -m benchmarks.scale 10000 100000            # prints a Markdown section
python -m benchmarks.scale 10000 100000 --write    # also replaces it in docs/benchmarks.md
python -m benchmarks.scale 1000000 --work DIR      # keeps corpus and store in DIR for a rerun
python -m benchmarks.scale 1000000 --work DIR --reuse-builds  # measures the queries again on them

For each size N: extraction MB/s and texts/s on one core and on every core, against a bare
scan of the same bytes by one compiled regex (on the first EXTRACTION_SAMPLE texts: the
rate does not depend on N); `kg build` into the embedded store (texts/s, quads/s, peak RSS
of its largest process, store size); p50/p95 latency of every library query, of
`kg trace` (find and tree) and of a focused `kg viz`; and, where the quads fit in memory,
the same queries on rdflib's in-memory store, as a ratio.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import multiprocessing
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import pyoxigraph as ox

import benchmarks.corpus
import kg
from benchmarks.corpus import write as write_corpus
from benchmarks.extraction import cpu
from benchmarks.extraction import write as write_section
from kg.builder import read_and_extract
from kg.queries import library, load, solve
from kg.store import RdflibStore, open_store
from kg.trace import find, tree

SECTION = "## Scale"
RUNS = 10
RUN_BUDGET = 30.0  # seconds of runs per query and size; a slower query is run fewer times
EXTRACTION_SAMPLE = 20_000
RDFLIB_MAX_QUADS = 1_500_000  # rdflib holds about 1 KB per quad: larger stores do not fit beside kg's
RDFLIB_RUNS = 3
RDFLIB_TIMEOUT = 60.0  # seconds for all runs of one query; past it, the query is reported as such
QUERY_TIMEOUT = 300.0  # seconds for all runs of one query on the embedded store
QUERY_MEMORY = 12 * 2**30  # resident bytes a query's process may reach before it is stopped
BARE = re.compile(r"\d{1,5}[ -]*[A-ZĐ]+/[A-ZĐ]+")
# Runs the command given after it and prints the peak RSS, in KiB, of its largest process.
PEAK = "import resource, subprocess, sys; subprocess.run(sys.argv[1:], check=True); print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"


@dataclass
class Latency:
    p50: float  # milliseconds
    p95: float
    rows: int
    runs: int


@dataclass
class Figures:
    count: int
    megabytes: float
    sample: int = 0  # texts the extraction rates were measured on
    sample_megabytes: float = 0.0
    one_core: float = 0.0  # seconds
    every_core: float = 0.0
    bare: float = 0.0
    build: float = 0.0
    peak_kib: int | None = 0  # None: the earlier run whose build is reused did not record it
    quads: int = 0
    store_bytes: int = 0
    viz: float = 0.0
    trace: Latency | None = None
    queries: dict[str, Latency | str] = field(default_factory=dict)  # a string: why it has no figure
    rdflib_load: float | None = None
    rdflib: dict[str, Latency | str] = field(default_factory=dict)
    seconds: float = 0.0  # the whole size, from writing the corpus to the focused page
    generated: bool = True  # False when an earlier run's corpus was reused
    rebuilt: bool = True  # False when the store and its build figures are an earlier run's


def _texts(corpus: Path) -> list[Path]:
    return sorted(corpus.glob("*/*.txt"))


def _extract_file(path: Path) -> int:
    """What `kg build` does with a text before it writes: read it, with its metadata, and extract."""
    return sum(len(text[1].references) for text in read_and_extract(str(path)) if not isinstance(text, str))


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


def _kg(*arguments: str) -> list[str]:
    return [sys.executable, "-m", "kg", *arguments]


def build(corpus: Path, store: Path, jobs: int) -> tuple[float, int]:
    """Seconds and peak RSS in KiB of `kg build` as its own process."""
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", PEAK, *_kg("build", str(corpus), "--store", str(store), "--jobs", str(jobs))],
        check=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    return time.perf_counter() - started, int(done.stdout.split()[-1])


def parameters(store) -> dict[str, str]:
    """The central document with the most identified implementers two links deep, one of
    them (`source`) and a plan implementing that one (`from`)."""
    prefix = "PREFIX kg: <https://kg.example.org/ontology#> PREFIX eli: <http://data.europa.eu/eli/ontology#>"
    chain = "?deep kg:implements ?direct . ?direct kg:implements ?doc . ?direct a eli:LegalResource . ?deep a eli:LegalResource"
    rows = store.select(
        prefix + f" SELECT ?doc (COUNT(*) AS ?n) WHERE {{ {chain} FILTER CONTAINS(STR(?doc), '/tw/') }}"
        " GROUP BY ?doc ORDER BY DESC(?n) ?doc LIMIT 1"
    )
    if not rows:
        rows = store.select(
            prefix
            + " SELECT ?doc (COUNT(*) AS ?n) WHERE { ?plan kg:implements ?doc FILTER CONTAINS(STR(?doc), '/tw/') }"
            " GROUP BY ?doc ORDER BY DESC(?n) ?doc LIMIT 1"
        )
    doc = str(rows[0]["doc"])
    chains = store.select(
        prefix + f" SELECT ?deep ?direct WHERE {{ {chain} FILTER (?doc = <{doc}>) }} ORDER BY ?direct ?deep LIMIT 1"
    )
    deep, direct = (str(chains[0]["deep"]), str(chains[0]["direct"])) if chains else (doc, doc)
    return {"doc": doc, "target": doc, "to": doc, "from": deep, "source": direct}


def timings(work: Callable[[], int], runs: int = RUNS, budget: float = RUN_BUDGET) -> Latency:
    """p50/p95 of `work` (which returns its row count) over `runs` runs after a first one,
    fewer when they would take longer than `budget` seconds."""
    started = time.perf_counter()
    rows = work()
    first = time.perf_counter() - started
    runs = max(1, min(runs, int(budget / max(first, 1e-6))))
    milliseconds = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        milliseconds.append((time.perf_counter() - started) * 1000)
    milliseconds.sort()
    return Latency(statistics.median(milliseconds), milliseconds[round(0.95 * (runs - 1))], rows, runs)


def _send_latencies(
    opener: Callable[[], object], name: str, values: dict[str, str], runs: int, budget: float, sender
) -> None:
    query = load(name)
    store = opener()
    bindings = {p.name: ox.NamedNode(values[p.name]) for p in query.parameters if p.name in values}
    sender.send(timings(lambda: len(solve(store, query, bindings).rows), runs, budget))


def _resident_bytes(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:  # the process has ended
        return 0


def latencies(
    opener: Callable[[], object], values: dict[str, str], context, runs: int, budget: float, timeout: float
) -> dict[str, Latency | str]:
    """`timings` of every library query, each in a child process of `context` that opens
    the store with `opener`. A child is stopped past `timeout` seconds or QUERY_MEMORY
    resident bytes, and the query gets the reason instead of a figure: a query that cannot
    finish must not run on beside the next ones, nor take the machine's memory."""
    measured: dict[str, Latency | str] = {}
    for query in library():
        receiver, sender = context.Pipe(duplex=False)
        child = context.Process(target=_send_latencies, args=(opener, query.name, values, runs, budget, sender))
        child.start()
        sender.close()  # the child's end: its exit is then seen as the end of the pipe
        outcome: Latency | str = f"> {timeout:.0f} s"
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if receiver.poll(0.2):
                try:
                    outcome = receiver.recv()
                except EOFError:
                    outcome = f"failed (exit code {child.exitcode})"
                break
            if _resident_bytes(child.pid) > QUERY_MEMORY:
                outcome = f"> {QUERY_MEMORY / 2**30:.0f} GiB of memory"
                break
        child.kill()
        child.join()
        measured[query.name] = outcome
    return measured


def trace_latency(store, document: str) -> Latency:
    """`kg trace` of a document without the terminal: find it by its IRI, draw its tree."""

    def trace() -> int:
        (found,) = find(store, document)
        drawn = tree(store, found)
        count, stack = 0, [drawn]
        while stack:
            count += 1
            stack.extend(stack.pop().children)
        return count

    return timings(trace)


def _folder_bytes(folder: Path) -> int:
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file())


def _generator() -> str:
    """The digest of the corpus generator: a corpus, and a store built from it, are the
    generator's as it was, and a changed generator writes and builds them again."""
    return hashlib.sha256(Path(benchmarks.corpus.__file__).read_bytes()).hexdigest()


def _corpus(count: int, folder: Path) -> tuple[Path, int, bool]:
    """The corpus of `count` texts in `folder`, its size, and whether it was written now
    (not when an earlier run of the same generator left it whole)."""
    done = folder / "corpus.json"
    generator = _generator()
    if done.exists():
        recorded = json.loads(done.read_text())
        if recorded.get("generator") == generator:
            return Path(recorded["texts"]), recorded["bytes"], False
    texts, size = write_corpus(count, folder)
    done.write_text(json.dumps({"texts": str(texts), "bytes": size, "generator": generator}))
    return texts, size, True


def _built(count: int, corpus: Path, store: Path, work: Path, jobs: int, reuse: bool) -> dict:
    """Seconds, peak RSS (KiB) and size of `kg build` into `store`, from an earlier run of
    this size and of the same corpus generator when `reuse` finds one (with "reused": True)."""
    recorded, generator = work / f"build-{count}.json", _generator()
    if reuse and recorded.exists() and store.exists():
        figures = json.loads(recorded.read_text())
        if figures.get("generator") == generator:
            return {**figures, "reused": True}
    recorded.unlink(missing_ok=True)
    shutil.rmtree(store, ignore_errors=True)
    seconds, peak_kib = build(corpus, store, jobs)
    figures = {"seconds": seconds, "peak_kib": peak_kib, "store_bytes": _folder_bytes(store), "generator": generator}
    recorded.write_text(json.dumps(figures))
    return {**figures, "reused": False}


def measure(count: int, work: Path, jobs: int, reuse: bool = False) -> Figures:
    began = time.perf_counter()
    folder = work / f"corpus-{count}"
    folder.mkdir(parents=True, exist_ok=True)
    store = work / f"store-{count}"
    _progress(f"{count:,} texts: corpus")
    corpus, size, generated = _corpus(count, folder)
    figures = Figures(count, size / 1e6, generated=generated)
    _progress(f"{count:,} texts: extraction")
    sample = _texts(corpus)[:EXTRACTION_SAMPLE]
    figures.sample = len(sample)
    figures.sample_megabytes = sum(path.stat().st_size for path in sample) / 1e6
    # Read once before any is timed: the first timing would otherwise also wait for the
    # disk, which the bare scan, timed last, does not.
    for path in sample:
        path.read_bytes()
    figures.one_core = extraction(sample, 1)
    figures.every_core = extraction(sample, jobs)
    figures.bare = bare_scan(sample)
    _progress(f"{count:,} texts: kg build --jobs {jobs}")
    built = _built(count, corpus, store, work, jobs, reuse)
    figures.build, figures.peak_kib, figures.store_bytes = built["seconds"], built["peak_kib"], built["store_bytes"]
    figures.rebuilt = not built["reused"]
    with open_store(store, read_only=True) as opened:
        figures.quads = int(opened.select("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")[0]["n"])
        values = parameters(opened)
        _progress(f"{count:,} texts: queries")
        # Spawned, not forked: a forked child would get RocksDB's state without its threads.
        opener = partial(open_store, str(store), read_only=True)
        spawn = multiprocessing.get_context("spawn")
        figures.queries = latencies(opener, values, spawn, RUNS, RUN_BUDGET, QUERY_TIMEOUT)
        figures.trace = trace_latency(opened, values["doc"])
        if figures.quads <= RDFLIB_MAX_QUADS:
            _progress(f"{count:,} texts: the same queries on rdflib")
            started = time.perf_counter()
            in_memory = RdflibStore(opened.dataset())
            figures.rdflib_load = time.perf_counter() - started
            fork = multiprocessing.get_context("fork")  # the children share the store in memory
            figures.rdflib = latencies(lambda: in_memory, values, fork, RDFLIB_RUNS, RDFLIB_TIMEOUT, RDFLIB_TIMEOUT)
    _progress(f"{count:,} texts: kg viz")
    started = time.perf_counter()
    subprocess.run(
        _kg("viz", values["doc"], "-o", str(work / "view.html"), "--store", str(store)),
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    figures.viz = time.perf_counter() - started
    figures.seconds = time.perf_counter() - began
    return figures


def _progress(message: str) -> None:
    sys.stderr.write(f"[{dt.datetime.now():%H:%M:%S}] {message}\n")


def _ms(value: float) -> str:
    return f"{value:,.0f} ms" if value >= 10 else f"{value:.1f} ms"


def _latency(measured: Latency | str) -> str:
    if isinstance(measured, str):
        return measured
    runs = "" if measured.runs == RUNS else f" ({measured.runs})"
    return f"{_ms(measured.p50)} / {_ms(measured.p95)}, {measured.rows:,} rows{runs}"


def _p95(measured: Latency | str) -> float:
    return measured.p95 if isinstance(measured, Latency) else float("inf")


def report(sizes: list[Figures], jobs: int, command: str) -> str:
    heading = " | ".join(f"{figures.count:,} texts" for figures in sizes)
    rule = "|".join("---" for _ in range(len(sizes) + 1))

    def row(name: str, cell: Callable[[Figures], str]) -> str:
        return f"| {name} | " + " | ".join(cell(figures) for figures in sizes) + " |"

    lines = [
        SECTION,
        "",
        f"Measured {dt.date.today().isoformat()} on {platform.machine()} ({cpu()}, {os.cpu_count()} cores),"
        f" Python {platform.python_version()}, kg {kg.__version__}, pyoxigraph {ox.__version__}.",
        f"Command: `{command}`. Corpus: synthetic texts of benchmarks/corpus.py, seed 1: each province"
        " and district numbers its plans once, so a larger corpus holds more texts about a bounded set of"
        " documents, as collected news does.",
        "",
        f"| stage | {heading} |",
        f"|{rule}|",
        row("corpus", lambda f: f"{f.megabytes:,.1f} MB"),
        row(
            "extraction, one core",
            lambda f: f"{f.sample_megabytes / f.one_core:.2f} MB/s, {f.sample / f.one_core:,.0f} texts/s",
        ),
        row(
            f"extraction, {jobs} processes",
            lambda f: f"{f.sample_megabytes / f.every_core:.2f} MB/s, {f.sample / f.every_core:,.0f} texts/s",
        ),
        row(
            "bare scan by one compiled regex (the floor)",
            lambda f: f"{f.sample_megabytes / f.bare:.1f} MB/s ({f.one_core / f.bare:.0f}× extraction)",
        ),
        row(
            f"`kg build --jobs {jobs}`",
            lambda f: f"{f.build:,.0f} s ({f.build / 60:.1f} min)" + ("" if f.rebuilt else ", in an earlier run"),
        ),
        row("build throughput", lambda f: f"{f.count / f.build:,.0f} texts/s, {f.quads / f.build:,.0f} quads/s"),
        row("quads (named graphs)", lambda f: f"{f.quads:,}"),
        row(
            "peak RSS of the build (largest process)",
            lambda f: "not recorded" if f.peak_kib is None else f"{f.peak_kib / 2**20:,.2f} GiB",
        ),
        row("store on disk", lambda f: f"{f.store_bytes / 2**30:,.2f} GiB"),
        row("`kg trace` of DOC (find + tree), p50 / p95", lambda f: f"{_ms(f.trace.p50)} / {_ms(f.trace.p95)}"),
        row("nodes in that tree", lambda f: f"{f.trace.rows:,}"),
        row("`kg viz DOC` (a process: start-up, queries, page)", lambda f: f"{f.viz:.1f} s"),
        row(
            "the whole size in this run",
            lambda f: f"{f.seconds / 60:.1f} min" + ("" if f.generated else " (corpus of an earlier run)"),
        ),
        "",
        f"Extraction rates are measured on the first {EXTRACTION_SAMPLE:,} texts of each corpus. DOC is the"
        " most implemented central document; `from` a plan two links below it. Query latency is the"
        " library's `solve` (rows included), p50 / p95 over up to"
        f" {RUNS} runs after a first one, fewer for a query whose runs would pass {RUN_BUDGET:.0f} s (runs in"
        f" brackets). Each query runs in a process of its own, stopped past {QUERY_TIMEOUT:.0f} s or"
        f" {QUERY_MEMORY / 2**30:.0f} GiB of memory.",
        "",
        f"| query | {heading} |",
        f"|{rule}|",
    ]
    for name in sizes[0].queries:
        lines.append(row(name, lambda f, n=name: _latency(f.queries[n])))
    compared = [figures for figures in sizes if figures.rdflib]
    for figures in compared:
        lines += [
            "",
            f"rdflib's in-memory store at {figures.count:,} texts: loaded in {figures.rdflib_load:.1f} s, each query"
            f" run {RDFLIB_RUNS} times after a first one, given up past {RDFLIB_TIMEOUT:.0f} s.",
            "",
            "| query | rdflib p50 | rdflib ÷ embedded |",
            "|---|---|---|",
        ]
        for name, embedded in figures.queries.items():
            other = figures.rdflib[name]
            if not isinstance(embedded, Latency):
                lines.append(f"| {name} | {_latency(other)} | (embedded: {embedded}) |")
            elif isinstance(other, str):
                ratio = f"> {RDFLIB_TIMEOUT * 1000 / max(embedded.p50, 0.01):,.0f}×" if other.endswith(" s") else ""
                lines.append(f"| {name} | {other} | {ratio} |")
            else:
                lines.append(f"| {name} | {_ms(other.p50)} | {other.p50 / max(embedded.p50, 0.01):,.1f}× |")
    left_out = [figures for figures in sizes if not figures.rdflib]
    if left_out:
        lines += [
            "",
            "rdflib is not run at "
            + ", ".join(f"{figures.count:,} ({figures.quads:,} quads)" for figures in left_out)
            + f" texts: at about 1 KB per quad it does not fit in memory beside the store above"
            f" {RDFLIB_MAX_QUADS:,} quads.",
        ]
    largest = sizes[-1]
    targets = [
        ("extraction, one core", "≥ 5 MB/s", largest.sample_megabytes / largest.one_core, 5, "MB/s", True),
        ("`kg build`", "≤ 30 min", largest.build / 60, 30, "min", False),
        ("peak RSS of the build", "≤ 8 GB", (largest.peak_kib or float("inf")) * 1024 / 1e9, 8, "GB", False),
        ("implementers, p95", "≤ 200 ms", _p95(largest.queries["implementers"]), 200, "ms", False),
        ("`kg trace`, p95", "≤ 200 ms", largest.trace.p95, 200, "ms", False),
        ("coverage, p95", "≤ 3 s", _p95(largest.queries["coverage"]) / 1000, 3, "s", False),
    ]
    lines += [
        "",
        f"Targets of issue 7 (for 1,000,000 texts on this machine), against {largest.count:,} texts:",
        "",
        "| target | wanted | measured | met |",
        "|---|---|---|---|",
    ]
    for name, wanted, value, bound, unit, at_least in targets:
        met = value >= bound if at_least else value <= bound
        shown = f"{value:,.2f} {unit}" if value != float("inf") else "no figure"
        lines.append(f"| {name} | {wanted} | {shown} | {'yes' if met else 'no'} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("counts", type=int, nargs="+", help="sizes of the synthetic corpora, in texts")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--work", type=Path, help="folder for corpora and stores, kept (default: a temporary one)")
    parser.add_argument("--write", action="store_true", help="replace the section in docs/benchmarks.md")
    parser.add_argument(
        "--reuse-builds",
        action="store_true",
        help="measure on the stores an earlier run built in --work, with its build figures",
    )
    arguments = parser.parse_args()
    if arguments.reuse_builds and not arguments.work:
        parser.error("--reuse-builds: give the --work folder of the earlier run")
    command = "python -m benchmarks.scale " + " ".join(str(count) for count in arguments.counts) + " --write"
    measured: list[Figures] = []
    with tempfile.TemporaryDirectory(prefix="kg-scale-") as temporary:
        for count in arguments.counts:
            measured.append(measure(count, arguments.work or Path(temporary), arguments.jobs, arguments.reuse_builds))
            # Each size is written as it ends: a long run cut short keeps what it measured.
            if arguments.write:
                write_section(report(measured, arguments.jobs, command), SECTION)
    sys.stdout.write(report(measured, arguments.jobs, command))
