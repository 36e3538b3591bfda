"""Extraction stays linear on hostile input: long runs of what references are made of.

The inputs are the benchmark's (benchmarks/extraction.py, which measures them); the bound
is generous on purpose (a quadratic pattern takes hours on these sizes).
"""

import time

import pytest

from benchmarks.extraction import ADVERSARIAL, repeated
from kg import extract


@pytest.mark.parametrize("unit,size", ADVERSARIAL.items(), ids=list(ADVERSARIAL))
def test_adversarial_input_finishes_in_bounded_time(unit, size):
    text = repeated(unit, size)
    started = time.perf_counter()
    extraction = extract(text)
    assert time.perf_counter() - started < 120
    for reference in extraction.references[:100]:
        assert text[reference.mentions[0].start : reference.mentions[0].end] == reference.mentions[0].text
