"""Score extraction against hand-annotated gold files.

A gold set is a folder of `NNN_*.txt` texts with `gold/NNN_*.json` beside them
(the format of the project's seeds). References are scored as documents keyed
by number, symbol (case and separators ignored) and year; references without a
symbol are scored apart; relations match on (source, relation, target), where
an endpoint without a number matches by overlapping position in the text.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from kg.extract import extract
from kg.model import Extraction, Reference
from kg.normalize import fold
from kg.read import read_source


def document_key(number: str | None, symbol: str | None, year: str | None) -> tuple | None:
    if number is None or symbol is None or not str(number).isdigit():
        return None
    return int(number), re.sub(r"[^\w]", "", fold(symbol)).upper(), year or None


def incomplete_key(doc_type: str | None, number: str | None) -> tuple | None:
    if number is None or not str(number).isdigit():
        return None
    return (doc_type or "").lower(), int(number)


@dataclass
class Score:
    true: int = 0
    false: int = 0
    missed: int = 0

    @property
    def precision(self) -> float:
        return self.true / (self.true + self.false) if self.true + self.false else 1.0

    @property
    def recall(self) -> float:
        return self.true / (self.true + self.missed) if self.true + self.missed else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def add(self, other: Score) -> None:
        self.true += other.true
        self.false += other.false
        self.missed += other.missed

    def to_dict(self) -> dict:
        return {
            "tp": self.true,
            "fp": self.false,
            "fn": self.missed,
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
        }


@dataclass
class Report:
    texts: int = 0
    references: Score = field(default_factory=Score)
    incomplete: Score = field(default_factory=Score)
    relations: dict[str, Score] = field(default_factory=dict)
    locality: Counter = field(default_factory=Counter)  # right / wrong / abstained
    dates: Counter = field(default_factory=Counter)  # right / wrong / missing
    errors: list[str] = field(default_factory=list)

    def relation(self, name: str) -> Score:
        return self.relations.setdefault(name, Score())

    @property
    def all_relations(self) -> Score:
        total = Score()
        for score in self.relations.values():
            total.add(score)
        return total

    def to_dict(self) -> dict:
        return {
            "texts": self.texts,
            "references": self.references.to_dict(),
            "incomplete_references": self.incomplete.to_dict(),
            "relations": {name: score.to_dict() for name, score in sorted(self.relations.items())},
            "all_relations": self.all_relations.to_dict(),
            "locality": dict(self.locality),
            "dates": dict(self.dates),
            "errors": self.errors,
        }


# ---- endpoints of relations ---------------------------------------------------


def _spans(text: str, surfaces: list[str]) -> list[tuple[int, int]]:
    spans, position = [], 0
    for surface in surfaces:
        found = text.find(surface, position)
        if found < 0:
            found = text.find(surface)
        if found >= 0:
            spans.append((found, found + len(surface)))
            position = found + len(surface)
    return spans


def _gold_endpoints(text: str, gold: dict) -> dict[str, tuple]:
    endpoints = {}
    for ref in gold["references"]:
        key = document_key(ref.get("number"), ref.get("symbol"), ref.get("year"))
        if key is not None:
            endpoint = ("doc", key)
        elif ref.get("number"):
            endpoint = ("incomplete", incomplete_key(ref.get("type"), ref.get("number")))
        else:
            endpoint = ("span", tuple(_spans(text, ref["surfaces"])))
        for name in (ref.get("canonical"), ref.get("label")):
            if name:
                endpoints[name] = endpoint
    return endpoints


def _predicted_endpoint(reference: Reference) -> tuple:
    key = document_key(reference.number, reference.symbol, reference.year)
    if key is not None:
        return ("doc", key)
    if reference.number:
        return ("incomplete", incomplete_key(reference.type, reference.number))
    return ("span", tuple((m.start, m.end) for m in reference.mentions))


def _same(predicted: tuple, gold: tuple) -> bool:
    if predicted[0] != gold[0]:
        return False
    if predicted[0] != "span":
        return predicted[1] == gold[1]
    return any(ps < ge and gs < pe for ps, pe in predicted[1] for gs, ge in gold[1])


def _name(endpoint: tuple) -> str:
    kind, value = endpoint
    if kind == "doc":
        return f"{value[0]} {value[1]}" + (f" ({value[2]})" if value[2] else "")
    if kind == "incomplete":
        return f"{value[0]} {value[1]}"
    return f"text at {value[0][0]}-{value[0][1]}" if value else "text (not found)"


# ---- scoring one text -----------------------------------------------------------


def score_text(text: str, gold: dict, extraction: Extraction, report: Report, name: str) -> None:
    report.texts += 1
    predicted = {}
    for reference in extraction.references:
        key = document_key(reference.number, reference.symbol, reference.year)
        if key is not None:
            predicted.setdefault(key, reference)
    expected = {}
    for ref in gold["references"]:
        key = document_key(ref.get("number"), ref.get("symbol"), ref.get("year"))
        if key is not None:
            expected[key] = ref
    for key in predicted.keys() & expected.keys():
        report.references.true += 1
        _score_attributes(predicted[key], expected[key], report, name)
    for key in predicted.keys() - expected.keys():
        report.references.false += 1
        report.errors.append(f"{name}: false reference {predicted[key].mentions[0].text!r}")
    for key in expected.keys() - predicted.keys():
        report.references.missed += 1
        report.errors.append(f"{name}: missed reference {expected[key]['surfaces'][0]!r}")
    _score_incomplete(gold, extraction, report, name)
    _score_relations(text, gold, extraction, report, name)


def _score_attributes(reference: Reference, gold: dict, report: Report, name: str) -> None:
    canonical = gold.get("canonical") or ""
    if "@" in canonical:
        province = canonical.split("@", 1)[1]
        if reference.province is None:
            report.locality["abstained"] += 1
        elif fold(reference.province) == fold(province):
            report.locality["right"] += 1
        else:
            report.locality["wrong"] += 1
            report.errors.append(f"{name}: {canonical} placed in {reference.province}")
    if gold.get("date"):
        if reference.date == gold["date"]:
            report.dates["right"] += 1
        elif reference.date is None:
            report.dates["missing"] += 1
            report.errors.append(f"{name}: {canonical} date {gold['date']} not found")
        else:
            report.dates["wrong"] += 1
            report.errors.append(f"{name}: {canonical} dated {reference.date}, gold {gold['date']}")


def _score_incomplete(gold: dict, extraction: Extraction, report: Report, name: str) -> None:
    predicted = {incomplete_key(r.type, r.number) for r in extraction.references if r.number and not r.symbol}
    expected = {incomplete_key(r.get("type"), r.get("number")) for r in gold["references"] if r.get("incomplete")}
    report.incomplete.true += len(predicted & expected)
    report.incomplete.false += len(predicted - expected)
    report.incomplete.missed += len(expected - predicted)
    for key in sorted(predicted - expected, key=str):
        report.errors.append(f"{name}: false incomplete reference {key[0]} {key[1]}")
    for key in sorted(expected - predicted, key=str):
        report.errors.append(f"{name}: missed incomplete reference {key[0]} {key[1]}")


def _score_relations(text: str, gold: dict, extraction: Extraction, report: Report, name: str) -> None:
    endpoints = _gold_endpoints(text, gold)
    expected = []
    for relation in gold["relations"]:
        source, target = endpoints.get(relation["source"]), endpoints.get(relation["target"])
        if source is None or target is None:
            report.errors.append(f"{name}: gold relation names an unknown document: {relation}")
            continue
        expected.append((source, relation["relation"], target))
    predicted = []
    for relation in extraction.relations:
        source = _predicted_endpoint(extraction.reference(relation.source))
        target = _predicted_endpoint(extraction.reference(relation.target))
        predicted.append((source, relation.relation, target))
    unmatched = list(expected)
    for source, relation, target in predicted:
        match = next((g for g in unmatched if g[1] == relation and _same(source, g[0]) and _same(target, g[2])), None)
        if match is not None:
            unmatched.remove(match)
            report.relation(relation).true += 1
        elif any(g[1] == relation and _same(source, g[0]) and _same(target, g[2]) for g in expected):
            continue  # a second statement of a relation already matched
        elif source[0] == "span" and target[0] == "span":
            continue  # between two unnumbered documents the gold does not name
        else:
            report.relation(relation).false += 1
            report.errors.append(f"{name}: false relation {_name(source)} {relation} {_name(target)}")
    for source, relation, target in unmatched:
        report.relation(relation).missed += 1
        report.errors.append(f"{name}: missed relation {_name(source)} {relation} {_name(target)}")


# ---- a whole gold set --------------------------------------------------------------


def gold_pairs(folder: str | Path) -> list[tuple[Path, Path]]:
    """(text, gold) file pairs of a gold folder, in name order."""
    folder = Path(folder)
    pairs = []
    for text in sorted(folder.glob("*.txt")):
        gold = folder / "gold" / f"{text.stem}.json"
        if gold.is_file():
            pairs.append((text, gold))
    return pairs


def evaluate(folder: str | Path) -> Report:
    """Extract every text of a gold folder and score it."""
    report = Report()
    for text_path, gold_path in gold_pairs(folder):
        source = read_source(text_path)
        gold = json.loads(gold_path.read_text(encoding="utf-8"))
        extraction = extract(source.text, source=source.path)
        score_text(source.text, gold, extraction, report, text_path.name)
    return report
