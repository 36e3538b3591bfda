"""Reference data: the registry of central documents, the gazetteers and the term table.

Read from `kg/data/` (or another folder) when the files are there; a missing file is an
empty table, so the graph stage works before the data is written, only with fewer
documents resolved. The CSV columns are:

- central_documents.csv: number,symbol,type,date,issuer,term,title
- provinces.csv: name,kind,aliases,valid_from,valid_to,successor (aliases split on `;`)
- districts.csv: name,kind,province,valid_to
- terms.csv: body,term,start,end (body: a level, e.g. central or province; dates ISO or a year)
"""

from __future__ import annotations

import csv
import hashlib
from collections import defaultdict
from dataclasses import dataclass
from datetime import date as Date
from importlib.resources import files
from pathlib import Path

from kg.identity import registry_key, slug
from kg.vocab import vocabulary

FILES = ("central_documents.csv", "provinces.csv", "districts.csv", "terms.csv")
LEVEL_FALLBACK = {"district": "province", "commune": "province"}  # when a level has no rows


@dataclass(frozen=True)
class RegistryEntry:
    number: str
    symbol: str
    type: str | None
    date: str | None
    issuer: str | None
    term: str | None
    title: str | None


@dataclass(frozen=True)
class Province:
    name: str
    kind: str | None
    aliases: tuple[str, ...]
    valid_from: str | None
    valid_to: str | None
    successor: str | None


@dataclass(frozen=True)
class District:
    name: str
    kind: str | None
    province: str
    valid_to: str | None


@dataclass(frozen=True)
class Term:
    level: str
    term: str
    start: Date
    end: Date | None


def _rows(path: Path) -> list[dict[str, str | None]]:
    if not path.is_file():
        return []
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return [
            {key.strip(): (value.strip() or None) if value else None for key, value in row.items() if key}
            for row in csv.DictReader(handle)
        ]


def _date(value: str | None) -> Date | None:
    """An ISO date, or a bare year (a term table may give only years)."""
    if not value:
        return None
    if len(value) == 4 and value.isdigit():
        return Date(int(value), 1, 1)
    return Date.fromisoformat(value)


class ReferenceData:
    def __init__(
        self,
        central: list[RegistryEntry] = (),
        provinces: list[Province] = (),
        districts: list[District] = (),
        terms: list[Term] = (),
        digest: str = "",
    ) -> None:
        self.central = list(central)
        self.provinces = list(provinces)
        self.districts = list(districts)
        self.terms = list(terms)
        self.digest = digest  # changes when any file changes: sources are then rebuilt
        self._central = defaultdict(list)
        for entry in self.central:
            self._central[registry_key(entry.number, entry.symbol)].append(entry)
        self._province_names = {}
        for province in self.provinces:
            for name in (province.name, *province.aliases):
                self._province_names[slug(name)] = province.name

    @classmethod
    def load(cls, data_dir: Path | str | None = None) -> ReferenceData:
        folder = Path(data_dir) if data_dir else Path(str(files("kg").joinpath("data")))
        digest = hashlib.sha256()
        for name in FILES:
            path = folder / name
            digest.update(name.encode() + b"\0" + (path.read_bytes() if path.is_file() else b""))
        vocab = vocabulary()
        central = [
            RegistryEntry(r["number"], r["symbol"], r.get("type"), r.get("date"), r.get("issuer"), r.get("term"), r.get("title"))
            for r in _rows(folder / "central_documents.csv")
            if r.get("number") and r.get("symbol")
        ]
        provinces = [
            Province(
                r["name"],
                r.get("kind"),
                tuple(a.strip() for a in (r.get("aliases") or "").split(";") if a.strip()),
                r.get("valid_from"),
                r.get("valid_to"),
                r.get("successor"),
            )
            for r in _rows(folder / "provinces.csv")
            if r.get("name")
        ]
        districts = [
            District(r["name"], r.get("kind"), r["province"], r.get("valid_to"))
            for r in _rows(folder / "districts.csv")
            if r.get("name") and r.get("province")
        ]
        terms = [
            Term(vocab.level(r["body"]) or r["body"].casefold(), r["term"], _date(r["start"]), _date(r.get("end")))
            for r in _rows(folder / "terms.csv")
            if r.get("body") and r.get("term") and r.get("start")
        ]
        return cls(central, provinces, districts, terms, digest.hexdigest())

    def central_entries(self, number: str, symbol: str) -> list[RegistryEntry]:
        return list(self._central.get(registry_key(number, symbol), ()))

    def province_name(self, name: str) -> str:
        """The gazetteer's name for a province written another way (`TP. Hà Nội`)."""
        return self._province_names.get(slug(name), name)

    def term_at(self, level: str, day: Date) -> str | None:
        for body in (level, LEVEL_FALLBACK.get(level)):
            rows = [t for t in self.terms if t.level == body]
            if rows:
                matching = [t.term for t in rows if t.start <= day and (t.end is None or day < t.end)]
                return matching[0] if len(matching) == 1 else None
        return None

    def canonical_term(self, term: str) -> str:
        """The term table's spelling of a term written `khóa XIII` or `2020 – 2025`."""
        wanted = slug(term)
        for row in self.terms:
            known = slug(row.term)
            if wanted == known or wanted.endswith("-" + known):
                return row.term
        return term
