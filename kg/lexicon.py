"""The domain knowledge of kg, loaded once from the data files in `kg/data/`.

Type words, issuer codes and names, relation cues, connective words, the
gazetteer of provinces and districts, Party terms and the registry of central
documents are data: adding one is an edit to a CSV file, not to code.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib import resources

from kg.normalize import fold

NUMBER_TOKEN = "#"  # in cue and connective phrases: a number, a roman numeral or a letter


@dataclass(frozen=True)
class DocumentType:
    word: str
    code: str
    family: str  # party | state | law | both
    named: bool  # documents of this type are known by name ("Luật Đất đai", "Điều lệ Đảng")


@dataclass(frozen=True)
class IssuerCode:
    code: str
    name: str
    level: str  # central | province | district | commune | local
    family: str


@dataclass(frozen=True)
class IssuerName:
    name: str
    aliases: tuple[str, ...]
    level: str
    family: str


@dataclass(frozen=True)
class Cue:
    phrase: str
    relation: str
    direction: str  # forward: the document before the cue is the source; reverse: the target
    scope: str  # adjacent: the source stands right before the cue; clause: anywhere earlier in its clause


@dataclass(frozen=True)
class Province:
    name: str
    kind: str
    aliases: tuple[str, ...]
    valid_from: str | None
    valid_to: str | None
    successor: str | None


@dataclass(frozen=True)
class District:
    name: str
    kind: str
    province: str
    valid_to: str | None


@dataclass(frozen=True)
class Term:
    body: str  # TW (Party Central Committee), province, QH (National Assembly)
    name: str
    start: str
    end: str | None


@dataclass(frozen=True)
class CentralDocument:
    number: str
    symbol: str
    type: str
    date: str | None
    issuer: str
    term: str | None
    title: str


def _rows(name: str) -> list[dict[str, str]]:
    path = resources.files("kg") / "data" / name
    if not path.is_file():
        return []
    with path.open(encoding="utf-8", newline="") as handle:
        return [{key: fold(value.strip()) for key, value in row.items()} for row in csv.DictReader(handle)]


def _split(value: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in value.split("|") if part.strip())


@cache
def document_types() -> tuple[DocumentType, ...]:
    return tuple(
        DocumentType(r["word"], r["code"], r["family"], r["named"] == "yes") for r in _rows("document_types.csv")
    )


@cache
def type_codes() -> frozenset[str]:
    return frozenset(t.code for t in document_types() if t.code)


@cache
def _types_by_code() -> dict[str, tuple[DocumentType, ...]]:
    by_code: dict[str, list[DocumentType]] = {}
    for doc_type in document_types():
        by_code.setdefault(doc_type.code, []).append(doc_type)
    return {code: tuple(types) for code, types in by_code.items()}


def type_word_for(code: str, family: str) -> str | None:
    """The type word of a symbol's type code, when the code names one type only."""
    words = {
        t.word
        for t in _types_by_code().get(code, ())
        if t.family in (family, "both") and t.word != "Chương trình hành động"
    }
    return words.pop() if len(words) == 1 else None


@cache
def _codes_by_word() -> dict[str, str]:
    codes: dict[str, str] = {}
    for doc_type in document_types():
        codes.setdefault(doc_type.word, doc_type.code or doc_type.word)
    return codes


def type_code(word: str | None) -> str | None:
    """The symbol code of a type word, to compare "Chương trình hành động" with "Chương trình"."""
    return _codes_by_word().get(word, word) if word else word


@cache
def _words_by_lower_case() -> dict[str, str]:
    words: dict[str, str] = {}
    for doc_type in document_types():
        words.setdefault(doc_type.word.lower(), doc_type.word)
    return words


def canonical_type_word(word: str) -> str:
    """`KẾ HOẠCH`, `kế hoạch` -> `Kế hoạch`."""
    return _words_by_lower_case().get(word.lower(), word)


@cache
def issuer_codes() -> dict[str, IssuerCode]:
    return {r["code"]: IssuerCode(r["code"], r["name"], r["level"], r["family"]) for r in _rows("issuer_codes.csv")}


@cache
def issuer_suffixes() -> tuple[tuple[str, str, str], ...]:
    """(suffix, level, family): what an unknown issuer code ending so is ("BCĐ389TU" is provincial)."""
    rows = [(r["suffix"], r["level"], r["family"]) for r in _rows("issuer_suffixes.csv")]
    return tuple(sorted(rows, key=lambda row: len(row[0]), reverse=True))


def issuer_code(code: str) -> IssuerCode | None:
    """What the issuer part of a symbol says: from the code table, else from its ending."""
    known = issuer_codes().get(code) or issuer_codes().get(code.rstrip("0123456789"))  # QH14 is QH
    if known:
        return known
    for suffix, level, family in issuer_suffixes():
        if code.endswith(suffix):
            return IssuerCode(code, code, level, family)
    return None


@cache
def issuer_names() -> tuple[IssuerName, ...]:
    return tuple(
        IssuerName(r["name"], _split(r["aliases"]), r["level"], r["family"]) for r in _rows("issuer_names.csv")
    )


@cache
def cues() -> tuple[Cue, ...]:
    return tuple(Cue(r["phrase"], r["relation"], r["direction"], r["scope"]) for r in _rows("cues.csv"))


@cache
def connectives(kind: str) -> tuple[str, ...]:
    return tuple(r["phrase"] for r in _rows("connectives.csv") if r["kind"] == kind)


ANY_WORDS_TOKEN = "*"  # in cue phrases: a few words of any kind


def phrase_pattern(phrase: str) -> str:
    """A regex for a data phrase: any run of spaces, `#` for a number or numeral, `*` for a few words."""
    parts = []
    for word in phrase.split():
        if word == NUMBER_TOKEN:
            parts.append(r"(?:\d+|[IVXLC]+|một|hai|ba|bốn|năm|sáu|bảy|tám|chín|mười(?: lăm)?|[a-zđ])")
        elif word == ANY_WORDS_TOKEN:
            parts.append(r"[^;.\n]{1,120}?")
        else:
            parts.append(re.escape(word).replace(re.escape(NUMBER_TOKEN), r"\d+"))
    return r"\s+".join(parts)


def alternation(phrases: Iterable[str]) -> str:
    """One regex for any of the data phrases, the longest tried first."""
    return "|".join(phrase_pattern(p) for p in sorted(set(phrases), key=len, reverse=True))


@cache
def provinces() -> tuple[Province, ...]:
    return tuple(
        Province(
            r["name"],
            r["kind"],
            _split(r.get("aliases", "")),
            r.get("valid_from") or None,
            r.get("valid_to") or None,
            r.get("successor") or None,
        )
        for r in _rows("provinces.csv")
    )


@cache
def districts() -> tuple[District, ...]:
    return tuple(
        District(r["name"], r["kind"], r["province"], r.get("valid_to") or None) for r in _rows("districts.csv")
    )


@cache
def ambiguous_place_names() -> frozenset[str]:
    """Place names that are also common words or people's names: they count only with "tỉnh", "huyện"..."""
    return frozenset(r["name"] for r in _rows("ambiguous_place_names.csv"))


@cache
def terms() -> tuple[Term, ...]:
    return tuple(Term(r["body"], r["term"], r["start"], r.get("end") or None) for r in _rows("terms.csv"))


@cache
def central_documents() -> tuple[CentralDocument, ...]:
    return tuple(
        CentralDocument(
            r["number"], r["symbol"], r["type"], r.get("date") or None, r["issuer"], r.get("term") or None, r["title"]
        )
        for r in _rows("central_documents.csv")
    )
