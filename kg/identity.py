"""Which real document a reference names, and the URI it gets (docs/identity.md).

A number and symbol alone are not an identity: Party numbers restart in every term of
the issuing committee, State numbers every year, and local symbols (`/TU`, `/HU`,
`-UBND`) repeat in every locality. A reference whose text settles all of that gets the
document's URI, shared by every text that names the document. Anything else stays a
node of its own source (unresolved), with the candidates the registry knows of.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date as Date
from functools import lru_cache
from typing import TYPE_CHECKING

from kg.model import Reference
from kg.vocab import vocabulary

if TYPE_CHECKING:
    from kg.registry import ReferenceData, RegistryEntry

DEFAULT_BASE = "https://kg.example.org"
JURISDICTION = "vn"
PARTY_SEGMENT = "dang"


# ---- URI pieces ---------------------------------------------------------------------------

# Names, codes and numbers repeat from text to text: each is spelled into a segment once.
_SEGMENTS_CACHED = 1 << 16


def _ascii(text: str, d_stroke: str) -> str:
    text = text.replace("đ", d_stroke).replace("Đ", d_stroke).replace("\u00d0", d_stroke)
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@lru_cache(maxsize=_SEGMENTS_CACHED)
def slug(name: str) -> str:
    """A place or body name as a URI segment: `Hà Tĩnh` -> `ha-tinh`."""
    return re.sub(r"[^a-z0-9]+", "-", _ascii(name, "d").casefold()).strip("-")


@lru_cache(maxsize=_SEGMENTS_CACHED)
def code_slug(code: str) -> str:
    """A symbol code as a URI segment. `Đ` becomes `dd` (Telex) because diacritics are
    part of a symbol: `HD` (Hướng dẫn) and `HĐ` (Hợp đồng) must not meet."""
    return re.sub(r"[^a-z0-9]+", "-", _ascii(code, "dd").casefold()).strip("-")


@lru_cache(maxsize=_SEGMENTS_CACHED)
def number_slug(number: str) -> str:
    """`05` -> `5`, `30/2020` -> `30-2020`: numbers compare as integers."""
    return "-".join(re.sub(r"^0+(?=\d)", "", part) for part in code_slug(number).split("-"))


def registry_key(number: str, symbol: str) -> tuple[str, str]:
    return number_slug(number), code_slug(symbol)


def split_symbol(symbol: str) -> tuple[str | None, str]:
    """(type code, issuer part): `KH/TU` -> (KH, TU), `QĐ-TTg` -> (QĐ, TTg),
    `QH14` -> (None, QH14), `BNN-TT` -> (None, BNN-TT) since BNN is no type code."""
    head, _, rest = re.sub(r"\s+", "", symbol).partition("/")
    if not rest:
        head, _, rest = head.partition("-")
    if rest and vocabulary().type_code(head):
        return head, rest
    return None, re.sub(r"\s+", "", symbol)


def family_of_symbol(symbol: str, number: str) -> str:
    """The numbering family a symbol's form tells (domain.md §2)."""
    if re.fullmatch(r"QH\d+", symbol.strip(), re.IGNORECASE):
        return "law"
    if "/" in symbol and "/" not in number:
        return "party"
    return "state"


def id_local(family: str, number: str, symbol: str) -> str:
    """The number and symbol as written on the document: `05-CT/TW`, `719/QĐ-TTg`."""
    return f"{number}-{symbol}" if family == "party" else f"{number}/{symbol}"


def place_path(province: str, district: str | None = None) -> str:
    return "/".join(slug(part) for part in (province, district) if part)


def place_uri(base: str, province: str, district: str | None = None) -> str:
    return f"{base}/place/{place_path(province, district)}"


def agent_uri(base: str, issuer: str, locality: str | None) -> str:
    return f"{base}/agent/{locality + '/' if locality else ''}{slug(issuer)}"


def document_uri(
    base: str,
    family: str,
    symbol: str,
    number: str,
    period: str,
    locality: str | None = None,
) -> str:
    """{base}/eli/vn[/dang][/{locality}]/{issuer}[/{type}]/{term or year}/{number}"""
    type_code, issuer = split_symbol(symbol)
    segments = [base, "eli", JURISDICTION]
    if family == "party":
        segments.append(PARTY_SEGMENT)
    if locality:
        segments.append(locality)
    segments.append(code_slug(issuer))
    if type_code:
        segments.append(code_slug(type_code))
    segments += [slug(period), number_slug(number)]
    return "/".join(segments)


# ---- identity -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Identity:
    """The outcome for one reference: a document URI, or why there is none."""

    uri: str | None
    family: str | None = None
    id_local: str | None = None  # number and symbol as written: 129-KH/TU
    period: str | None = None  # the Party term or State year the number belongs to
    period_basis: str | None = None  # what settled it: text, date, registry, source date
    locality: str | None = None  # place path of a local document
    unresolved: str | None = None  # why not, when uri is None
    candidates: tuple[str, ...] = ()


def _parse_date(value: str | None) -> Date | None:
    try:
        return Date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _split_number(number: str, year: str | None) -> tuple[str, str | None]:
    """(number as in the symbol, year): a year is part of a State number when stated,
    `30/2020` -> (`30/2020`, `2020`); `30` with year 2020 -> (`30/2020`, `2020`)."""
    _, _, tail = number.partition("/")
    if re.fullmatch(r"\d{4}", tail):
        return number, tail
    return (f"{number}/{year}", year) if year else (number, None)


def identify_entry(entry: RegistryEntry, base: str) -> Identity:
    family = family_of_symbol(entry.symbol, entry.number)
    number, year = _split_number(entry.number, None)
    code = id_local(family, number, entry.symbol)
    if family == "party":
        period = entry.term
    else:
        issued = _parse_date(entry.date)
        period = year or (str(issued.year) if issued else None)
    if not period:
        return Identity(None, family, code, unresolved="registry entry without term or date")
    uri = document_uri(base, family, entry.symbol, number, period)
    return Identity(uri, family, code, period, "registry")


def identify(ref: Reference, source_date: str | None, data: ReferenceData, base: str) -> Identity:
    if not ref.number:
        return Identity(None, unresolved="no number")
    if not ref.complete or not ref.symbol:
        return Identity(None, unresolved="incomplete")
    family = ref.family or family_of_symbol(ref.symbol, ref.number)
    number, year = _split_number(ref.number, ref.year if family != "party" else None)
    code = id_local(family, number, ref.symbol)
    entries = data.central_entries(ref.number, ref.symbol)
    level = ref.level or ("central" if entries else None)
    if level is None:
        return Identity(None, family, code, unresolved="level unknown")
    locality = None
    if level != "central":
        entries = []
        locality, missing = _locality(ref, level, data)
        if missing:
            return Identity(None, family, code, unresolved=missing)
    if family == "party":
        period, basis, candidates = _settle_term(ref, level, source_date, entries, data, base)
        missing = "term unknown"
    else:
        period, basis, candidates = _settle_year(year, ref.date, entries, base)
        missing = "year unknown"
    if period is None:
        reason = "ambiguous: several registry documents" if candidates else missing
        return Identity(None, family, code, locality=locality, unresolved=reason, candidates=candidates)
    uri = document_uri(base, family, ref.symbol, number, period, locality)
    return Identity(uri, family, code, period, basis, locality)


def _locality(ref: Reference, level: str, data: ReferenceData) -> tuple[str | None, str | None]:
    """(place path, None) for a local document, or (None, why unknown)."""
    province = data.province_name(ref.province) if ref.province else None
    if province is None:
        return None, "locality unknown"
    if level == "district" and not ref.district:
        return None, "district unknown"
    path = place_path(province, ref.district if level in ("district", "commune") else None)
    if level == "commune":
        # A province has hundreds of Đảng ủy with their own /ĐU numbers: the body names it.
        if not ref.issuer:
            return None, "commune unknown"
        path = f"{path}/{slug(ref.issuer)}"
    return path, None


def _settle_term(
    ref: Reference,
    level: str,
    source_date: str | None,
    entries: list[RegistryEntry],
    data: ReferenceData,
    base: str,
) -> tuple[str | None, str | None, tuple[str, ...]]:
    if ref.term:
        return data.canonical_term(ref.term), "text", ()
    stated = _parse_date(ref.date)
    if stated:
        term = data.term_at(level, stated)
        if term:
            return term, "date", ()
        entries = [e for e in entries if _parse_date(e.date) == stated]
    issued_before = _parse_date(source_date)
    if issued_before and not stated:
        # A text cites documents issued before it, never after.
        entries = [e for e in entries if (_parse_date(e.date) or issued_before) <= issued_before]
    terms = {e.term for e in entries if e.term}
    if len(terms) == 1:
        return terms.pop(), "registry", ()
    if len(terms) > 1:
        uris = sorted(filter(None, (identify_entry(e, base).uri for e in entries)))
        return None, None, tuple(uris)
    if issued_before and not stated:
        # Nothing in the registry: the term in force when the text was written.
        term = data.term_at(level, issued_before)
        if term:
            return term, "source date", ()
    return None, None, ()


def _settle_year(
    year: str | None,
    stated_date: str | None,
    entries: list[RegistryEntry],
    base: str,
) -> tuple[str | None, str | None, tuple[str, ...]]:
    if year:
        return year, "text", ()
    stated = _parse_date(stated_date)
    if stated:
        return str(stated.year), "date", ()
    # Unlike a five-year Party term, the source's year is no good guess of a State year.
    identities = {identify_entry(e, base) for e in entries}
    periods = {i.period for i in identities if i.period}
    if len(periods) == 1:
        return periods.pop(), "registry", ()
    return None, None, tuple(sorted(i.uri for i in identities if i.uri))
