"""The synthetic corpus of the scale benchmark: deterministic, and dated as real plans are."""

from __future__ import annotations

import datetime as dt

import pytest

from benchmarks.corpus import LAST_DAY, MERGE, Generator
from kg.lexicon import provinces

TEXTS = 10_000


@pytest.fixture(scope="module")
def texts():
    return list(Generator(seed=7).texts(TEXTS))


def test_the_same_seed_gives_the_same_texts_and_another_seed_others(texts):
    assert list(Generator(seed=7).texts(50)) == texts[:50]
    assert [t.body for t in Generator(seed=8).texts(50)] != [t.body for t in texts[:50]]


def test_a_plan_has_one_date_in_every_text_that_gives_it(texts):
    days: dict[str, set[str]] = {}
    for text in texts:
        for document, day in text.dated:
            days.setdefault(document, set()).add(day)
            written = dt.date.fromisoformat(day)
            assert f"{written.day}/{written.month}/{written.year}" in text.body or (
                f"ngày {written.day} tháng {written.month} năm {written.year}" in text.body
            )
    assert {document: len(given) for document, given in days.items() if len(given) > 1} == {}
    # Enough plans are named more than once for the check to mean something.
    named = [document for text in texts for document, _ in text.dated]
    assert len(named) - len(set(named)) > TEXTS // 10


def test_plans_are_dated_after_what_they_implement_and_within_their_province_s_time(texts):
    made_by_merge = {p.name for p in provinces() if p.valid_from}
    ended_by_merge = {p.name for p in provinces() if p.valid_to}
    day_of = {document: dt.date.fromisoformat(day) for text in texts for document, day in text.dated}
    for text in texts:
        for document, day in text.dated:
            issued = dt.date.fromisoformat(day)
            province = document.split("@")[1].split("/")[0]
            assert issued <= LAST_DAY
            if province in made_by_merge:
                assert issued >= MERGE, document
            if province in ended_by_merge or "/" in document.split("@")[1]:
                assert issued < MERGE, document
        for lower, upper in text.implements:
            if lower in day_of and upper in day_of:
                assert day_of[lower] >= day_of[upper], (lower, upper)
