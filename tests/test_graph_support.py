"""Fixtures of the graph-stage tests: reference data, and extractions made from the seeds'
hand annotation (../shared/seeds/gold), standing in for the extractor.

The seeds' texts are read from shared/ at test time, never copied into the project.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from kg.model import Context, Evidence, Extraction, Mention, Reference, Relation
from kg.registry import District, Province, ReferenceData, RegistryEntry, Term

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"
CUES = ("tiếp tục thực hiện", "cụ thể hóa", "thực hiện", "gắn với")

# Reference data of the identity tests: 35-CT/TW exists in two terms.
REFERENCE = ReferenceData(
    central=[
        RegistryEntry("05", "CT/TW", "Chỉ thị", "2016-05-15", "Bộ Chính trị", "XII", "về đẩy mạnh học tập và làm theo"),
        RegistryEntry(
            "01", "KL/TW", "Kết luận", "2021-05-18", "Bộ Chính trị", "XIII", "về tiếp tục thực hiện Chỉ thị 05"
        ),
        RegistryEntry("35", "CT/TW", "Chỉ thị", "2019-05-30", "Bộ Chính trị", "XII", "về đại hội đảng bộ các cấp"),
        RegistryEntry("35", "CT/TW", "Chỉ thị", "2024-06-14", "Bộ Chính trị", "XIII", "về đại hội đảng bộ các cấp"),
        RegistryEntry("719", "QĐ-TTg", "Quyết định", "2020-05-29", "Thủ tướng Chính phủ", None, ""),
    ],
    provinces=[
        Province("Hà Tĩnh", "tỉnh", ("Ha Tinh",), None, None, None),
        Province("Bắc Kạn", "tỉnh", ("Bắc Cạn",), None, "2025-06-30", "Thái Nguyên"),
        Province("Thái Nguyên", "tỉnh", (), None, None, None),
    ],
    districts=[District("Can Lộc", "huyện", "Hà Tĩnh", "2025-06-30")],
    terms=[
        Term("TW", "XII", "2016-01-28", "2021-02-01"),
        Term("TW", "XIII", "2021-02-01", "2026-01-23"),
        Term("province", "2015-2020", "2015-01-01", "2020-01-01"),
        Term("province", "2020-2025", "2020-01-01", "2025-01-01"),
    ],
    digest="test",
)


def _span(text: str, quote: str) -> tuple[int, int]:
    """Offsets of an annotated quote; `...` in a quote skips words of the text."""
    pieces = [p.strip() for p in quote.split("...")]
    start = text.find(pieces[0])
    end = text.find(pieces[-1], start) + len(pieces[-1])
    assert start >= 0 and end >= start, quote
    return start, end


def gold_extraction(text: str, gold: dict) -> Extraction:
    """An Extraction as a perfect extractor would return it for an annotated text."""
    references, ids = [], {}
    for index, item in enumerate(gold["references"]):
        ref_id = f"r{index}"
        local = "@" in (item.get("canonical") or "")
        mentions = []
        for surface in item["surfaces"]:
            start = text.find(surface, mentions[-1].end if mentions else 0)
            mentions.append(Mention(start, start + len(surface), surface))
        references.append(
            Reference(
                id=ref_id,
                type=item.get("type"),
                number=item.get("number"),
                symbol=item.get("symbol"),
                year=item.get("year"),
                date=item.get("date"),
                issuer=item.get("issuer"),
                province=gold["province"] if local else None,
                title=item.get("title"),
                complete=not item.get("incomplete", False),
                mentions=mentions,
                level="province" if local else ("central" if item.get("symbol") else None),
                canonical=item.get("canonical"),
                label=item.get("label"),
            )
        )
        ids[item.get("canonical") or item.get("label")] = ref_id
    relations = []
    for item in gold["relations"]:
        start, end = _span(text, item["evidence"])
        sentence = text[start:end]
        cue = next((c for c in CUES if c in sentence), item["relation"])
        relations.append(
            Relation(ids[item["source"]], item["relation"], ids[item["target"]], cue, Evidence(start, end, sentence))
        )
    return Extraction(None, Context(gold["province"], None, gold.get("date")), references, relations)


def seed_texts() -> dict[str, dict]:
    """file name -> gold annotation of every seed text."""
    if not SEEDS.is_dir():
        pytest.skip(f"seeds not found at {SEEDS}")
    return {
        p.name: json.loads((SEEDS / "gold" / (p.stem + ".json")).read_text(encoding="utf-8"))
        for p in sorted(SEEDS.glob("*.txt"))
    }


def analyze_seed(path: str) -> Extraction:
    """Stands in for read + extract: the gold annotation of a seed text, kept valid for a
    copy of the text whose words were edited (the annotation follows by file name)."""
    text = Path(path).read_text(encoding="utf-8")
    gold = json.loads((SEEDS / "gold" / (Path(path).stem + ".json")).read_text(encoding="utf-8"))
    return gold_extraction(text, gold)


def copy_seeds(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name in seed_texts():
        (folder / name).write_text((SEEDS / name).read_text(encoding="utf-8"), encoding="utf-8")
    return folder


def test_gold_extraction_finds_every_surface_and_evidence():
    for name, gold in seed_texts().items():
        text = (SEEDS / name).read_text(encoding="utf-8")
        extraction = gold_extraction(text, gold)
        for ref in extraction.references:
            assert all(text[m.start : m.end] == m.text for m in ref.mentions), ref
        assert len(extraction.relations) == len(gold["relations"])
        assert not re.search(r"\.\.\.", "".join(r.evidence.text for r in extraction.relations))
