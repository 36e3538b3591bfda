"""Resolve citations to document identities.

Citations of the same document become one `Reference` with all its mentions. A
reference gets its family (Party, State, law), its issuer's level, the province
of a local issuer, the Party term its number belongs to and a canonical key.
Nothing is guessed: a local document's province comes from a place named with
its issuer, from the sentence, from what the text is about, or from the caller's
context, and stays empty when none of these tells; a term comes from a date.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache

from kg import lexicon
from kg.model import Context, Evidence, Mention, Reference, Relation, local_id
from kg.normalize import NormalText, fold
from kg.phrases import lower_case, match_starts, trie_pattern
from kg.recognize import (
    _DATE_RE,
    _PLACE_KINDS,
    PLACE_DATE_RE,
    Citation,
    parse_date,
    place_finder,
    place_names,
)
from kg.relate import Link, Sentence, text_start

_LOCAL_LEVELS = ("province", "district", "commune", "local")

# ---- what the text is about ------------------------------------------------------


_PLACE_PREFIX_RE = re.compile(rf"(?:{_PLACE_KINDS}|{lexicon.alternation(lexicon.connectives('place_lead'))})[ \n]+$")


def _places(text: str, start: int = 0, end: int | None = None):
    """(province, counts as a strong sign) for each place named in text[start:end].

    A district or an ambiguous name counts only after "tỉnh", "huyện", "Tỉnh ủy"...
    """
    places = place_names()
    for position, name in place_finder().finditer(text, start, end):
        province, district = places[name]
        prefixed = _PLACE_PREFIX_RE.search(text, max(0, position - 25), position) is not None
        if prefixed:
            yield province, True
        elif district is None and name not in lexicon.ambiguous_place_names():
            yield province, False


def _province_votes(text: str) -> Counter:
    places = place_names()
    votes: Counter = Counter()
    for province, strong in _places(text):
        votes[province] += 2 if strong else 1
    for match in _header_places(text):
        votes[_folded_places()[(match.group("place") or match.group("dated")).lower()]] += 3
    headline = _HEADLINE_PLACE_RE.match(text, text_start(text))
    if headline and headline.group("place").strip() in places:
        votes[places[headline.group("place").strip()][0]] += 3
    return votes


@cache
def _folded_places() -> dict[str, str]:
    return {name.lower(): province for name, (province, _) in place_names().items()}


# Where a header's place can stand: after one of these words, or at the start of a line.
_HEADER_PLACE_KINDS = lexicon.connectives("header_place")
_HEADER_PLACE_ZONE = 600


@cache
def _header_place_re() -> re.Pattern:
    """A place in a document's upper-case header ("UBND TỈNH QUẢNG TRỊ") or place-and-date line."""
    names = trie_pattern(place_names())
    any_case_names = trie_pattern(name.lower() for name in place_names())  # the same names under (?i:)
    kinds = "|".join(map(re.escape, _HEADER_PLACE_KINDS))
    return re.compile(
        rf"(?i:(?<![^\W\d_])(?:{kinds})[ \n]+(?P<place>{any_case_names})(?![^\W\d_]))"
        rf"|(?:^|\n)[ ]*(?P<dated>{names}),[ ]*(?i:ngày)",
    )


_HEADER_PLACE_START_RE = re.compile(trie_pattern(["\n", *_HEADER_PLACE_KINDS]))  # one trie: scanned for at C speed


def _header_places(text: str) -> Iterator[re.Match]:
    """The matches of `_header_place_re` in the head of the text, tried only where one can start:
    at the start of a line, or where a kind word stands in any case (found in the lower-cased head)."""
    head = text[:_HEADER_PLACE_ZONE]
    lowered = lower_case(head)
    if lowered is None:
        yield from _header_place_re().finditer(text, 0, _HEADER_PLACE_ZONE)
        return
    resume = 0
    for start in [0, *match_starts(_HEADER_PLACE_START_RE, lowered, 1)]:
        if start >= resume and (match := _header_place_re().match(text, start, _HEADER_PLACE_ZONE)):
            yield match
            resume = match.end()


_HEADLINE_PLACE_RE = re.compile(r"(?P<place>[^:\n]{2,40}):")


def province_named(name: str) -> str | None:
    """The gazetteer's name for a province written `name`: any alias, any case, with or without diacritics."""
    for key in (lambda n: fold(n).strip().lower(), _bare_letters):
        wanted = key(name)
        matches = {p.name for p in lexicon.provinces() if wanted in (key(n) for n in (p.name, *p.aliases))}
        if len(matches) == 1:
            return matches.pop()
    return None


def _bare_letters(name: str) -> str:
    decomposed = unicodedata.normalize("NFD", fold(name).strip().lower().replace("đ", "d"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@cache
def _provinces_by_name() -> dict[str, lexicon.Province]:
    return {p.name: p for p in lexicon.provinces()}


def province_on(name: str | None, date: str | None) -> str | None:
    """The province that held `name`'s territory on `date`: Bắc Kạn after 1 July 2025 is Thái Nguyên."""
    by_name = _provinces_by_name()
    seen = set()
    while date and name in by_name and name not in seen:
        seen.add(name)
        province = by_name[name]
        if province.valid_to is None or date <= province.valid_to or province.successor is None:
            break
        name = province.successor
    return name


def text_province(text: str) -> str | None:
    """The province a text is about, when one clearly dominates."""
    votes = _province_votes(text).most_common(2)
    if not votes or votes[0][1] < 2:
        return None
    if len(votes) > 1 and votes[0][1] < 2 * votes[1][1]:
        return None
    return votes[0][0]


def sentence_province(text: str, sentence: Sentence) -> str | None:
    """The one province a sentence names, if it names exactly one."""
    named = {province for province, _ in _places(text, sentence.start, sentence.end)}
    return named.pop() if len(named) == 1 else None


def text_date(text: str) -> str | None:
    """The text's own date: a date line near the top, or the place-and-date line of a document."""
    head = text[:_HEAD]
    place_date = _place_date(head)
    if place_date:
        date = _DATE_RE.match(head, place_date.end())
        if date and parse_date(date)[0]:
            return parse_date(date)[0]
    for line in head.split("\n")[:8]:
        stripped = line.strip()
        match = _DATE_RE.search(stripped)
        if not match:
            continue
        rest = (stripped[: match.start()] + stripped[match.end() :]).strip(" ,|-[]()")
        if not _FIVE_WORDS_RE.search(rest):  # "Thứ Sáu, 22/12/2023, 05:25 [GMT+7]"
            iso, _ = parse_date(match)
            if iso:
                return iso
    return None


_HEAD = 600
_FIVE_WORDS_RE = re.compile(r"[^\W\d_]+(?:[\W\d_]+[^\W\d_]+){4}")
_COMMA_DATE_RE = re.compile(r",[ \n]*(?i:ngày)[ \n]*(?=\d)")


def _place_date(head: str) -> re.Match | None:
    """`PLACE_DATE_RE.search(head)`, started after the last comma before the first ", ngày":
    a place-and-date line ends with that and holds no other comma."""
    comma_date = _COMMA_DATE_RE.search(head)
    if comma_date is None:
        return None
    return PLACE_DATE_RE.search(head, head.rfind(",", 0, comma_date.start()) + 1)


# ---- documents -----------------------------------------------------------------


@dataclass
class _Document:
    citations: list[Citation]
    province: str | None = None
    district: str | None = None


def _key(citation: Citation) -> tuple:
    if citation.kind in ("numbered", "header"):
        return ("numbered", int(citation.number), citation.symbol.upper(), citation.year)
    if citation.kind == "incomplete":
        return ("incomplete", citation.type, int(citation.number))
    if citation.kind == "named":
        return ("named", citation.title.lower())
    return ("unnumbered", citation.start)


def _place(place: str | None) -> tuple[str | None, str | None]:
    if place is None:
        return None, None
    return place_names().get(place, (None, None))


def _local_code(citation: Citation) -> bool:
    code = lexicon.issuer_code(citation.issuer_code or "")
    return code is not None and code.level in _LOCAL_LEVELS


def _level(citation: Citation) -> str | None:
    if citation.symbol is None:
        return citation.issuer_level
    code = lexicon.issuer_code(citation.issuer_code or "")
    level = code.level if code else None
    if level == "local":
        # UBND, HĐND: a province's, a district's or a commune's; only the issuer's name tells which
        return citation.issuer_level if citation.issuer_level in _LOCAL_LEVELS else None
    return level


def _party_term(date: str | None, symbol: str) -> str | None:
    """The term of the issuing committee on `date`: Central Committee for /TW, provincial otherwise."""
    if date is None:
        return None
    body = "TW" if symbol.endswith("TW") else "province"
    for term in lexicon.terms():
        if term.body == body and term.start <= date and (term.end is None or date < term.end):
            return term.name
    return None


@cache
def _registry() -> dict[tuple[str, int], list[lexicon.CentralDocument]]:
    """The registry of central documents by symbol and number."""
    entries: dict[tuple[str, int], list[lexicon.CentralDocument]] = {}
    for document in lexicon.central_documents():
        entries.setdefault((document.symbol, int(document.number)), []).append(document)
    return entries


def _registry_term(number: str, symbol: str, text_date: str | None) -> tuple[str | None, bool]:
    """(term, ambiguous) from the registry of central documents issued before the text."""
    known = _registry().get((symbol, int(number)), [])
    if text_date:
        known = [d for d in known if d.date is None or d.date <= text_date]
    if len(known) == 1:
        return known[0].term, False
    return None, len(known) > 1


def _canonical(reference: Reference) -> str | None:
    if reference.number is None:
        return None
    key = local_id(reference.number, reference.symbol, reference.year, reference.family)
    key = key or f"{reference.type} {reference.number}"
    return f"{key}@{reference.province}" if reference.province else key


def _titled_key(named: Citation, titled: list[Citation]) -> tuple | None:
    """ "Luật Đất đai" names the document last cited as "Luật Đất đai số 31/2024/QH15"."""
    same = [c for c in titled if c.title.lower() == named.title.lower()]
    before = [c for c in same if c.start < named.start]
    chosen = before[-1] if before else (same[0] if same else None)
    return _key(chosen) if chosen else None


class _Resolver:
    def __init__(self, normal: NormalText, sentences: list[Sentence], context: Context):
        self.normal = normal
        self.sentences = sentences
        self.sentence_starts = [sentence.start for sentence in sentences]
        self.context = context
        self.warnings: list[str] = []

    def sentence_of(self, position: int) -> Sentence:
        index = bisect_right(self.sentence_starts, position) - 1
        if index >= 0 and position < self.sentences[index].end:
            return self.sentences[index]
        return Sentence(position, position)

    def group(self, citations: list[Citation]) -> list[_Document]:
        documents: dict[tuple, list[_Document]] = {}
        ordered: list[_Document] = []
        titled = [c for c in citations if c.kind in ("numbered", "header") and c.title]
        for citation in citations:
            key = _key(citation)
            if citation.kind == "named":
                key = _titled_key(citation, titled) or key
            province, district = _place(citation.place)  # named with its issuer
            candidates = documents.setdefault(key, [])
            document = next((d for d in candidates if province is None or d.province in (None, province)), None)
            if document is None:
                document = _Document([], province, district)
                candidates.append(document)
                ordered.append(document)
            document.citations.append(citation)
            document.province = document.province or province
            document.district = document.district or district
        return self._merge_incomplete(ordered)

    def _merge_incomplete(self, documents: list[_Document]) -> list[_Document]:
        """ "Chỉ thị 05" after "Chỉ thị số 05-CT/TW" is the same document."""
        complete = {}
        for document in documents:
            first = document.citations[0]
            if first.kind in ("numbered", "header"):
                complete.setdefault((first.type, int(first.number)), []).append(document)
        kept = []
        for document in documents:
            first = document.citations[0]
            if first.kind == "incomplete":
                matches = complete.get((first.type, int(first.number)), [])
                if len(matches) == 1:
                    matches[0].citations.extend(document.citations)
                    matches[0].citations.sort(key=lambda c: c.start)
                    continue
            kept.append(document)
        return kept

    def reference(self, index: int, document: _Document, province_of_text: str | None) -> Reference:
        citations = document.citations
        first = next((c for c in citations if c.kind in ("numbered", "header")), citations[0])

        def pick(attribute: str):
            """The first value any citation of the document gives."""
            for citation in citations:
                value = getattr(citation, attribute)
                if value:
                    return value
            return None

        dates = {c.date for c in citations if c.date}
        if len(dates) > 1:
            self.warnings.append(f"{first.number}-{first.symbol}: several dates {sorted(dates)}; kept the first")
        for citation in citations:
            self.warnings.extend(citation.warnings)
        level = next(filter(None, map(_level, citations)), None)
        reference = Reference(
            id=f"r{index}",
            type=pick("type"),
            number=first.number,
            symbol=first.symbol,
            year=first.year,
            date=pick("date"),
            issuer=pick("issuer"),
            title=pick("title") if first.kind != "named" else first.title,
            complete=first.symbol is not None or first.kind in ("named", "unnumbered"),
            self=any(c.kind == "header" for c in citations),
            mentions=[self.mention(c) for c in citations],
            family=first.family,
            level=level,
        )
        if first.kind in ("named", "unnumbered"):
            reference.label = first.label or first.title
        if first.kind == "incomplete":
            reference.complete = False
        if (
            level in _LOCAL_LEVELS
            or any(_local_code(c) for c in citations)
            or (first.kind == "incomplete" and first.issuer_level in _LOCAL_LEVELS)
        ):
            province = document.province or self._sentence_place(citations) or province_of_text
            reference.province = province_on(province, reference.date or self.context.date)
            reference.district = document.district
        self._settle_term(reference, pick("term"), introduced=any(c.issued or c.kind == "header" for c in citations))
        reference.canonical = _canonical(reference)
        return reference

    def _sentence_place(self, citations: list[Citation]) -> str | None:
        for citation in citations:
            province = sentence_province(self.normal.text, self.sentence_of(citation.start))
            if province:
                return province
        return None

    def _settle_term(self, reference: Reference, written: str | None, introduced: bool) -> None:
        """The Party term a number belongs to, only where something settles it: the
        term written after it (for a local document only as years: local congresses
        number their terms their own way); its own date; for a central document, the
        registry; for the document a text issues or is, the text's date."""
        if reference.family != "party" or reference.number is None or reference.symbol is None:
            return
        if written and (reference.level == "central" or written[0].isdigit()):
            reference.term = written
        elif reference.date:
            reference.term = _party_term(reference.date, reference.symbol)
        elif reference.level == "central":
            reference.term, ambiguous = _registry_term(reference.number, reference.symbol, self.context.date)
            if ambiguous:
                self.warnings.append(
                    f"{reference.number}-{reference.symbol}: the number exists in several terms; no date tells which"
                )
        elif introduced:
            reference.term = _party_term(self.context.date, reference.symbol)

    def mention(self, citation: Citation) -> Mention:
        start, end = self.normal.span(citation.start, citation.end)
        return Mention(start, end, self.normal.original[start:end])

    def evidence(self, sentence: Sentence) -> Evidence:
        start, end = self.normal.span(sentence.start, sentence.end)
        return Evidence(start, end, self.normal.original[start:end])


def resolve(
    normal: NormalText,
    citations: list[Citation],
    links: list[Link],
    unnumbered: list[Citation],
    sentences: list[Sentence],
    context: Context,
) -> tuple[list[Reference], list[Relation], list[str]]:
    """References (one per document) and relations between their ids."""
    resolver = _Resolver(normal, sentences, context)
    related = {id(link.source) for link in links} | {id(link.target) for link in links}
    kept = [c for c in citations + unnumbered if c.kind not in ("named", "unnumbered") or id(c) in related]
    kept.sort(key=lambda c: c.start)
    documents = resolver.group(kept)
    province_of_text = context.province
    references = [resolver.reference(i + 1, d, province_of_text) for i, d in enumerate(documents)]
    reference_of = {id(c): ref.id for d, ref in zip(documents, references, strict=True) for c in d.citations}
    relations: list[Relation] = []
    seen = set()
    for link in links:
        source, target = reference_of.get(id(link.source)), reference_of.get(id(link.target))
        if source is None or target is None or source == target or (source, link.relation, target) in seen:
            continue
        seen.add((source, link.relation, target))
        cue_start, cue_end = normal.span(*link.cue)
        relations.append(
            Relation(
                source, link.relation, target, normal.original[cue_start:cue_end], resolver.evidence(link.sentence)
            )
        )
    return references, relations, resolver.warnings
