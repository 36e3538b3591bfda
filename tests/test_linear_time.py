"""Extraction stays linear on hostile input: long runs of what references are made of.

The bound is generous on purpose (a quadratic pattern takes hours on these
sizes); speed itself is measured in benchmarks/, not here.
"""

import time

import pytest

from kg import extract

MEGABYTE = 1_000_000
ADVERSARIAL = {
    "số 1-": 2 * MEGABYTE,
    "/": 2 * MEGABYTE,
    "1234567890": 2 * MEGABYTE,
    "ngày ": 2 * MEGABYTE,
    "ngày 1/1/20": 2 * MEGABYTE,
    "05 - ": 2 * MEGABYTE,
    "thực hiện Kế hoạch được ban hành ": 2 * MEGABYTE,
    "Kế hoạch số 1-KH/": MEGABYTE,  # a citation every 17 characters, in one sentence
    "Căn cứ Luật Đất đai số 31/2024/QH15;\n": MEGABYTE,  # a preamble that never ends
    "Ngày 2/12/2022, BTV Tỉnh ủy Hà Tĩnh ban hành Kế hoạch số 12-KH/TU thực hiện Chỉ thị 05-CT/TW. ": MEGABYTE,
}


@pytest.mark.parametrize("unit,size", ADVERSARIAL.items(), ids=list(ADVERSARIAL))
def test_adversarial_input_finishes_in_bounded_time(unit, size):
    text = (unit * (size // len(unit) + 1))[:size]
    started = time.perf_counter()
    extraction = extract(text)
    assert time.perf_counter() - started < 120
    for reference in extraction.references[:100]:
        assert text[reference.mentions[0].start : reference.mentions[0].end] == reference.mentions[0].text
