"""Reference data as the graph stage uses it: the registry of central documents, the
gazetteers and the term table, loaded by `kg.lexicon` from `kg/data/`.

The same tables settle identity in the extractor (kg.resolve) and in the graph
(kg.identity); this module indexes them for the lookups the graph needs and tells, by a
checksum of the files, when they changed (every text is then rebuilt).
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable
from datetime import date as Date
from importlib.resources import files

from kg import lexicon
from kg.identity import registry_key, slug
from kg.lexicon import CentralDocument as RegistryEntry
from kg.lexicon import District, Province, Term

FILES = ("central_documents.csv", "provinces.csv", "districts.csv", "terms.csv")
# Which committee's terms a level's Party numbers follow: district and commune
# congresses keep the provincial cycle.
TERM_BODIES = {"central": "TW", "province": "province", "district": "province", "commune": "province"}

__all__ = ["ReferenceData", "RegistryEntry", "Province", "District", "Term"]


class ReferenceData:
    def __init__(
        self,
        central: Iterable[RegistryEntry] = (),
        provinces: Iterable[Province] = (),
        districts: Iterable[District] = (),
        terms: Iterable[Term] = (),
        digest: str = "",
    ) -> None:
        self.central = list(central)
        self.provinces = list(provinces)
        self.districts = list(districts)
        self.terms = list(terms)
        self.digest = digest  # changes when a file changes: the sources are then rebuilt
        self._central = defaultdict(list)
        for entry in self.central:
            self._central[registry_key(entry.number, entry.symbol)].append(entry)
        self._province_names = {
            slug(name): province.name for province in self.provinces for name in (province.name, *province.aliases)
        }

    @classmethod
    def shipped(cls) -> ReferenceData:
        """The tables in the package's `data/` folder."""
        digest = hashlib.sha256()
        for name in FILES:
            path = files("kg").joinpath("data", name)
            digest.update(name.encode() + b"\0" + (path.read_bytes() if path.is_file() else b""))
        return cls(
            lexicon.central_documents(), lexicon.provinces(), lexicon.districts(), lexicon.terms(), digest.hexdigest()
        )

    def central_entries(self, number: str, symbol: str) -> list[RegistryEntry]:
        return list(self._central.get(registry_key(number, symbol), ()))

    def province_name(self, name: str) -> str:
        """The gazetteer's name of a province written another way (`TP. Hà Nội`)."""
        return self._province_names.get(slug(name), name)

    def term_at(self, level: str, day: Date) -> str | None:
        body = TERM_BODIES.get(level)
        matching = [
            t.name
            for t in self.terms
            if t.body == body and t.start <= day.isoformat() and (t.end is None or day.isoformat() < t.end)
        ]
        return matching[0] if len(matching) == 1 else None

    def canonical_term(self, term: str) -> str:
        """The term table's spelling of a term written `khóa XIII` or `2020 – 2025`."""
        wanted = slug(term)
        for row in self.terms:
            known = slug(row.name)
            if wanted == known or wanted.endswith("-" + known):
                return row.name
        return term
