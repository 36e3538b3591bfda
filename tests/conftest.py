"""Shared fixtures: where the seeds, the project's own gold set and the SPARQL servers are,
and a store as another version of kg leaves it."""

import shutil
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT.parent / "shared" / "seeds"
GOLD = ROOT / "tests" / "gold"
HELDOUT = ROOT / "tests" / "heldout"


@pytest.fixture(scope="session")
def own_gold():
    from kg.evaluate import evaluate

    return evaluate(GOLD)


@pytest.fixture(scope="session")
def heldout_report():
    from kg.evaluate import evaluate

    return evaluate(HELDOUT)


@pytest.fixture(scope="session")
def seeds() -> Path:
    if not (SEEDS / "gold").is_dir():
        pytest.skip("../shared/seeds is not beside this checkout")
    return SEEDS


@pytest.fixture(scope="session")
def oxigraph_command() -> str:
    """The `oxigraph` server of the test extras: beside this interpreter when the venv is not on PATH."""
    beside = Path(sys.executable).parent / "oxigraph"
    command = str(beside) if beside.is_file() else shutil.which("oxigraph")
    if command is None:
        pytest.skip("the oxigraph server (pip install oxigraph) is not installed")
    return command


@pytest.fixture(scope="session")
def virtuoso_command() -> str:
    """Debian's Virtuoso server (virtuoso-opensource)."""
    command = shutil.which("virtuoso-t")
    if command is None:
        pytest.skip("the Virtuoso server (apt-get install virtuoso-opensource) is not installed")
    return command


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium, headless, driven by Playwright (benchmarks/viz.py sets it up)."""
    playwright_api = pytest.importorskip("playwright.sync_api")
    from benchmarks.viz import CHROMIUM, launch

    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing: apt-get install chromium")
    with playwright_api.sync_playwright() as playwright:
        browser = launch(playwright)
        yield browser
        browser.close()


@pytest.fixture
def built_by_another_kg(tmp_path):
    """A copy of a store, recorded as built with another vocabulary (by another version of kg)."""
    from kg import open_store
    from kg.vocab import KG, META_GRAPH

    def copy(store: str | Path) -> Path:
        older = shutil.copytree(store, tmp_path / "built-by-another-kg")
        digest = f"GRAPH <{META_GRAPH}> {{ ?meta <{KG}vocabularyDigest> ?digest }}"
        with open_store(older) as opened:
            opened.update(
                f"DELETE {{ {digest} }}"
                f' INSERT {{ GRAPH <{META_GRAPH}> {{ ?meta <{KG}vocabularyDigest> "an older vocabulary" }} }}'
                f" WHERE {{ {digest} }}"
            )
        return older

    return copy
