"""Properties of extraction on any text: it never raises, offsets slice back, the output
keeps its contract. `KG_HYPOTHESIS_EXAMPLES=10000 pytest tests/test_properties.py` runs
the long version."""

import json
import os
from pathlib import Path

import jsonschema
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg import extract

SCHEMA = json.loads((Path(__file__).parent.parent / "kg" / "data" / "extraction.schema.json").read_text("utf-8"))
EXAMPLES = int(os.environ.get("KG_HYPOTHESIS_EXAMPLES", "150"))

FRAGMENTS = [
    "Kế hoạch số 129-KH/TU",
    " về việc thực hiện ",
    "Kết luận số 01-KL/TW ngày 18/5/2021",
    " của Ban Thường vụ Tỉnh ủy Hà Tĩnh",
    "Căn cứ Luật Đất đai số 31/2024/QH15;\n",
    "Số: 30/2016/QĐ-UBND\n",
    "được thay thế bởi ",
    "Nghị quyết số 04",
    "05 - CT/TƯ",
    "\u00d0",
    "\u200b",
    "\u00a0",
    "e\u0301",
    "16/28",
    "ngày 31/2/2023",
    ", ",
    ". ",
    "\n",
    "“",
    "Chương trình hành động thực hiện ",
    "<b>",
    "</p>",
    "<a href='x'>",
    "&amp;",
    "&#7881;",
    "&nbsp;",
]
texts = st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=12)), max_size=30).map("".join)
SETTINGS = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(texts)
def test_extraction_keeps_its_contract_on_any_text(text):
    extraction = extract(text)
    jsonschema.validate(extraction.to_dict(), SCHEMA)
    ids = {reference.id for reference in extraction.references}
    for reference in extraction.references:
        for mention in reference.mentions:
            assert text[mention.start : mention.end] == mention.text
    for relation in extraction.relations:
        assert {relation.source, relation.target} <= ids
        assert text[relation.evidence.start : relation.evidence.end] == relation.evidence.text


@SETTINGS
@given(texts, texts)
def test_joining_two_texts_finds_at_least_the_references_of_each(first, second):
    def keys(text):
        return {(r.number, r.symbol, r.year) for r in extract(text).references if r.symbol}

    assert keys(first) | keys(second) <= keys(first + "\n\n" + second)
