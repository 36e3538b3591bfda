"""The objects that flow through the pipeline.

A `Source` is read from a file; `extract` turns its text and `Context` into an
`Extraction`: the `Reference`s it found (each with its `Mention`s) and the
`Relation`s between them. `to_dict`/`from_dict` give the JSON contract of
`kg extract` (see `kg/data/extraction.schema.json`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

RELATIONS = (
    "implements",
    "based_on",
    "guides",
    "amends",
    "replaces",
    "repeals",
    "summarizes",
    "cites",
)

LEVELS = ("central", "province", "district", "commune")


def local_id(number: str | None, symbol: str | None, year: str | None, family: str | None) -> str | None:
    """A document's number and symbol written the conventional way: 05-CT/TW, 719/QĐ-TTg, 30/2020/NĐ-CP."""
    if number is None or symbol is None:
        return None
    if family == "party":
        return f"{number}-{symbol}"
    return f"{number}/{year}/{symbol}" if year else f"{number}/{symbol}"


@dataclass(frozen=True)
class Context:
    """What is known about a text before reading it: where and when it is from."""

    province: str | None = None
    district: str | None = None
    date: str | None = None  # ISO YYYY-MM-DD

    def to_dict(self) -> dict:
        return {"province": self.province, "district": self.district, "date": self.date}

    @classmethod
    def from_dict(cls, data: dict) -> Context:
        return cls(data.get("province"), data.get("district"), data.get("date"))


@dataclass(frozen=True)
class Mention:
    """One place a document is named; offsets index the text as decoded."""

    start: int
    end: int
    text: str

    def to_dict(self) -> dict:
        return {"start": self.start, "end": self.end, "text": self.text}


@dataclass
class Reference:
    """One distinct document named in a text, with everything the text says of it."""

    id: str
    type: str | None
    number: str | None
    symbol: str | None
    year: str | None = None
    date: str | None = None
    issuer: str | None = None
    province: str | None = None
    title: str | None = None
    complete: bool = True
    self: bool = False
    mentions: list[Mention] = field(default_factory=list)
    # Resolution: which document this is, as far as the text allows.
    family: str | None = None  # party | state | law | None (no number)
    level: str | None = None  # one of LEVELS, or None when unknown
    district: str | None = None
    term: str | None = None  # Party term (khóa / nhiệm kỳ) the number belongs to
    canonical: str | None = None
    label: str | None = None  # a name for a document without a number

    @property
    def start(self) -> int:
        return self.mentions[0].start

    def to_dict(self) -> dict:
        return {
            "id": self.id,
            "type": self.type,
            "number": self.number,
            "symbol": self.symbol,
            "year": self.year,
            "date": self.date,
            "issuer": self.issuer,
            "province": self.province,
            "title": self.title,
            "complete": self.complete,
            "self": self.self,
            "mentions": [m.to_dict() for m in self.mentions],
            "family": self.family,
            "level": self.level,
            "district": self.district,
            "term": self.term,
            "canonical": self.canonical,
            "label": self.label,
        }

    @classmethod
    def from_dict(cls, data: dict) -> Reference:
        values = dict(data)
        values["mentions"] = [Mention(**m) for m in data.get("mentions", [])]
        known = cls.__dataclass_fields__
        return cls(**{k: v for k, v in values.items() if k in known})


@dataclass(frozen=True)
class Evidence:
    """The sentence that states a relation, as offsets into the decoded text."""

    start: int
    end: int
    text: str

    def to_dict(self) -> dict:
        return {"start": self.start, "end": self.end, "text": self.text}


@dataclass(frozen=True)
class Relation:
    """`source` --relation--> `target`, both reference ids of the same Extraction."""

    source: str
    relation: str
    target: str
    cue: str
    evidence: Evidence

    def to_dict(self) -> dict:
        return {
            "source": self.source,
            "relation": self.relation,
            "target": self.target,
            "cue": self.cue,
            "evidence": self.evidence.to_dict(),
        }

    @classmethod
    def from_dict(cls, data: dict) -> Relation:
        return cls(
            data["source"],
            data["relation"],
            data["target"],
            data["cue"],
            Evidence(**data["evidence"]),
        )


@dataclass
class Extraction:
    """Everything found in one text."""

    source: str | None
    context: Context
    references: list[Reference] = field(default_factory=list)
    relations: list[Relation] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def reference(self, ref_id: str) -> Reference:
        for ref in self.references:
            if ref.id == ref_id:
                return ref
        raise KeyError(ref_id)

    def to_dict(self) -> dict:
        return {
            "source": self.source,
            "context": self.context.to_dict(),
            "references": [r.to_dict() for r in self.references],
            "relations": [r.to_dict() for r in self.relations],
            "warnings": list(self.warnings),
        }

    @classmethod
    def from_dict(cls, data: dict) -> Extraction:
        return cls(
            data.get("source"),
            Context.from_dict(data.get("context") or {}),
            [Reference.from_dict(r) for r in data.get("references", [])],
            [Relation.from_dict(r) for r in data.get("relations", [])],
            list(data.get("warnings", [])),
        )
