"""Shared fixtures: where the seeds and the project's own gold set are."""

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
