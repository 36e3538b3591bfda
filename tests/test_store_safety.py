"""A store survives what happens to builds (issue 6, item 4): a build killed with SIGKILL
midway, and two builds on one store at once, each run for real as `kg build` processes."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kg.store import open_store

TEXTS = 300


# A real `kg build` process whose store writes are counted: it kills itself with SIGKILL
# on the write KILL_AT, or holds the store open at the write PAUSE_AT until RESUME exists.
# Batches of 1,000 quads make a build of TEXTS texts many writes.
HARNESS = """
import os, signal, sys, time
from pathlib import Path
import kg.builder, kg.store
from kg.cli import main

kg.builder.BATCH_QUADS = 1000
kill_at, pause_at = int(os.environ.get("KILL_AT", 0)), int(os.environ.get("PAUSE_AT", 0))
writes = 0

def counted(write):
    def wrapper(self, *args):
        global writes
        writes += 1
        if writes == kill_at:
            os.kill(os.getpid(), signal.SIGKILL)
        if writes == pause_at:
            Path(os.environ["PAUSED"]).touch()
            while not Path(os.environ["RESUME"]).exists():
                time.sleep(0.05)
        return write(self, *args)
    return wrapper

kg.store.OxigraphStore._add = counted(kg.store.OxigraphStore._add)
kg.store.OxigraphStore.update = counted(kg.store.OxigraphStore.update)
kg.store.OxigraphStore._load_nquads = counted(kg.store.OxigraphStore._load_nquads)
main(sys.argv[1:])
"""


def kg(*args: str | Path, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "kg", *map(str, args)], capture_output=True, text=True, timeout=timeout
    )


def start_build(texts: Path, store: Path, **environment: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", HARNESS, "build", str(texts), "--store", str(store)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **environment},
    )


@pytest.fixture(scope="module")
def texts(tmp_path_factory) -> Path:
    """Many distinct texts, so that a build takes seconds, not milliseconds."""
    folder = tmp_path_factory.mktemp("texts")
    for number in range(1, TEXTS + 1):
        (folder / f"{number:04}.txt").write_text(
            f"Ngày 02/12/2022, Ban Thường vụ Huyện ủy Can Lộc ban hành Kế hoạch số {number}-KH/HU về việc thực hiện"
            f" Chỉ thị số {number}-CT/TU ngày 01/11/2022 của Ban Thường vụ Tỉnh ủy Hà Tĩnh.\n" * 3,
            encoding="utf-8",
        )
    return folder


@pytest.fixture(scope="module")
def complete(texts, tmp_path_factory) -> dict[str, int]:
    """Quads per graph of an uninterrupted build, to compare with."""
    store = tmp_path_factory.mktemp("complete") / "store"
    assert kg("build", texts, "--store", store).returncode == 0
    with open_store(store, read_only=True) as opened:
        return graph_sizes(opened)


def graph_sizes(store) -> dict[str, int]:
    rows = store.select("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
    return {str(row["g"]): int(row["n"]) for row in rows}


@pytest.mark.parametrize("kill_at", [2, 5, 8, 13, 20])
def test_a_build_killed_midway_leaves_a_sound_store_and_the_next_build_finishes_it(texts, complete, tmp_path, kill_at):
    """Killed at the reference data's writes (2), the first texts' (5, 8) and later ones."""
    store = tmp_path / "store"
    build = start_build(texts, store, KILL_AT=str(kill_at))
    build.communicate(timeout=300)
    assert build.returncode == -signal.SIGKILL

    checked = kg("check", "--store", store)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    with open_store(store, read_only=True) as opened:
        assert len(graph_sizes(opened)) < len(complete)  # it really was stopped midway

    resumed = kg("build", texts, "--store", store)
    assert resumed.returncode == 0, resumed.stderr
    assert f"texts: {TEXTS} (" in resumed.stdout
    assert kg("check", "--store", store).returncode == 0
    with open_store(store, read_only=True) as opened:
        assert graph_sizes(opened) == complete


@pytest.mark.parametrize("kill_at", [3, 6, 11])
def test_a_rebuild_killed_midway_leaves_a_sound_store(texts, complete, tmp_path, kill_at):
    """Each text rebuilt (a new URI base is refused, so the texts themselves change): the
    old graphs are dropped and retracted from the default graph as the new ones come."""
    changed = tmp_path / "texts"
    shutil.copytree(texts, changed)
    store = tmp_path / "store"
    assert kg("build", changed, "--store", store).returncode == 0
    for path in changed.iterdir():
        path.write_text(path.read_text(encoding="utf-8").replace("Can Lộc", "Hương Sơn"), encoding="utf-8")
    build = start_build(changed, store, KILL_AT=str(kill_at))
    build.communicate(timeout=300)
    assert build.returncode == -signal.SIGKILL
    checked = kg("check", "--store", store)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert kg("build", changed, "--store", store).returncode == 0
    assert kg("check", "--store", store).returncode == 0
    with open_store(store, read_only=True) as opened:
        assert len(graph_sizes(opened)) == len(complete)
        stale = "SELECT ?e WHERE { ?e <https://kg.example.org/ontology#sentence> ?s FILTER CONTAINS(?s, 'Can Lộc') }"
        assert opened.select(stale) == []


def test_a_second_build_on_a_store_being_built_refuses_clearly_and_harms_nothing(texts, complete, tmp_path):
    store = tmp_path / "store"
    paused, resume = tmp_path / "paused", tmp_path / "resume"
    first = start_build(texts, store, PAUSE_AT="6", PAUSED=str(paused), RESUME=str(resume))
    deadline = time.monotonic() + 60
    while not paused.exists():
        assert first.poll() is None and time.monotonic() < deadline, first.communicate()
        time.sleep(0.05)
    second = kg("build", texts, "--store", store)
    resume.touch()
    assert second.returncode == 1
    assert second.stderr.strip().splitlines() == [
        f"Error: store {store} is open for writing in another process; only one process can write a store at a time"
    ]
    _, errors = first.communicate(timeout=300)
    assert first.returncode == 0, errors
    assert kg("check", "--store", store).returncode == 0
    with open_store(store, read_only=True) as opened:
        assert graph_sizes(opened) == complete


# One batch of a build, written by kg.store as `kg build` writes it, in a process of its own.
BATCH_WRITE = """
import sys
from pathlib import Path
from kg.store import open_store

store = open_store(sys.argv[1])
store.add_graphs(Path(sys.argv[2]).read_bytes())
store.close()
"""


def bulk_files(store: Path) -> int:
    return len(list(store.glob("bulk-*.sst")))


@pytest.mark.parametrize("moment, kept", [("written", 0), ("taken in", 200_000)])
def test_a_batch_killed_while_the_store_takes_its_files_in_is_all_or_nothing(tmp_path, moment, kept):
    """Batches go through Oxigraph's bulk loader, not a transaction: it writes files into
    the store's folder, then RocksDB takes them all in at once. Killed once its files are
    being written, or once they are being taken in (the first of them is gone), a batch
    is in the store whole or not at all; the next writer removes the files left behind."""
    batch = tmp_path / "batch.nq"
    lines = (
        f'<https://example.org/s{n}> <https://example.org/p> "{n}" <https://example.org/g{n % 100}> .\n'
        for n in range(200_000)
    )
    batch.write_text("".join(lines), encoding="utf-8")
    store = tmp_path / "store"
    open_store(store).close()
    writer = subprocess.Popen([sys.executable, "-c", BATCH_WRITE, str(store), str(batch)])
    peak, deadline = 0, time.monotonic() + 120
    while writer.poll() is None and time.monotonic() < deadline:
        files = bulk_files(store)
        peak = max(peak, files)
        if (files and moment == "written") or files < peak:
            break
        time.sleep(0.0002)
    writer.kill()
    assert writer.wait() == -signal.SIGKILL, "the write ended before it was killed"
    assert peak, "no file of the bulk loader was seen: check how kg.store writes batches"

    with open_store(store, read_only=True) as opened:
        held = len(opened.select("SELECT ?s WHERE { GRAPH ?g { ?s ?p ?o } }"))
        merged = len(opened.select("SELECT ?s WHERE { ?s ?p ?o }"))
    assert (held, merged) == (kept, kept)
    open_store(store).close()
    assert bulk_files(store) == 0
