"""Recognise document citations in normalised text.

A citation is one place where a document is named: a number with its symbol
("Kế hoạch số 129-KH/TU"), a number without one ("Nghị quyết số 04"), a named
law ("Luật Tổ chức chính quyền địa phương"), or the document's own number in its
header ("Số: 30/2016/QĐ-UBND"). Around each citation the words that belong to
it are read too: its date, its issuer with a place, and its title.

Everything here works on `NormalText.text`; offsets are normalised offsets.
"""

from __future__ import annotations

import datetime as dt
import re
from bisect import bisect_right
from dataclasses import dataclass, field
from functools import cache
from operator import attrgetter

from kg import lexicon
from kg.phrases import (
    UPPER_LETTERS,
    NameFinder,
    PhraseFinder,
    first_word,
    lower_case,
    trie_pattern,
)
from kg.spans import SpanIndex

# ---- the shapes of numbers and symbols --------------------------------------

_UPPER = "A-ZĐƯ"
# A code segment: upper-case letters, then at most one trailing lower-case letter
# of the conventional spellings (TTg, CTr, QĐi, QyĐ), then digits (QH14, BCĐ389).
# A lower-case letter followed by another letter is a glued word ("TWngày").
_SEGMENT = rf"[{_UPPER}]+(?:[a-z][{_UPPER}]+)*(?:[a-z](?![^\W\d_]))?\d*"
_DASH = r"[ \n]{0,2}-[ \n]{0,2}"
_SLASH = r"[ \n]{0,2}/[ \n]{0,2}"
_YEAR = r"(?:19|20)\d\d"

# The number's first digit opens the pattern (the look-behind follows it), so that the
# engine skips to digits.
_SYMBOL_RE = re.compile(
    rf"""(?P<number>\d(?<![\w/.-]\d)\d{{0,4}})
    (?:
        {_DASH}(?P<party_type>{_SEGMENT}){_SLASH}(?P<party_issuer>{_SEGMENT}(?:-{_SEGMENT})*)
      | (?:{_SLASH}(?P<year>{_YEAR}))?{_SLASH}(?P<state_head>{_SEGMENT})
        (?P<state_tail>(?:{_DASH}{_SEGMENT})*)
      | [ ](?P<bare_type>{_SEGMENT})-(?P<bare_issuer>{_SEGMENT}(?:-{_SEGMENT})*)
    )
    (?![{_UPPER}\d/_]|\.(?:jpe?g|png|gif|pdf|docx?|html?)\b)""",
    re.VERBOSE,
)

# Opening with a digit (`\d\d?`, not `\d{1,2}`), the pattern is scanned for at the speed of C.
_DATE_RE = re.compile(
    rf"""(?P<day>\d\d?)
    (?: [ \n]*(?P<sep>[/.-])[ \n]*(?P<month>\d{{1,2}})[ \n]*(?P=sep)[ \n]*(?P<year>{_YEAR})(?!\d)
      | [ \n]+tháng[ \n]+(?P<month2>\d{{1,2}})[ \n]+năm[ \n]+(?P<year2>{_YEAR})(?!\d) )""",
    re.VERBOSE | re.IGNORECASE,
)

_NUMBER_WORD = r"(?i:số)"


@dataclass
class Citation:
    """One place a document is named, with what the surrounding words say of it."""

    start: int  # mention span (type word .. symbol), normalised offsets
    end: int
    kind: str  # numbered | incomplete | named | header, and unnumbered (made by relate)
    type: str | None = None
    number: str | None = None
    symbol: str | None = None
    year: str | None = None
    family: str | None = None  # party | state | law
    issuer_code: str | None = None
    ext_end: int = 0  # end of the date, issuer and quoted title that follow
    date: str | None = None
    issuer: str | None = None
    issuer_level: str | None = None
    place: str | None = None  # a place named with the issuer
    term: str | None = None  # written after it: "khóa XII", "nhiệm kỳ 2020 - 2025"
    title: str | None = None
    issued: bool = False  # the object of "ban hành": a document the text introduces
    label: str | None = None  # the name of a document without a number
    warnings: list[str] = field(default_factory=list)


# ---- lexicon-derived patterns -------------------------------------------------


@cache
def _type_word_re() -> re.Pattern:
    words = lexicon.alternation(t.word for t in lexicon.document_types())
    return re.compile(rf"(?i:{words})")


@cache
def _prefix_re() -> re.Pattern:
    """Type word and "số" right before a number: anchored at the end of a window."""
    return re.compile(rf"(?:(?P<word>{_type_word_re().pattern})[ \n]*)?(?:(?P<so>{_NUMBER_WORD})[ \n]*:?[ \n]*)?$")


@cache
def _incomplete_finder() -> PhraseFinder:
    words = [t.word for t in lexicon.document_types()]

    def pattern(chosen: list[int]) -> re.Pattern:
        return re.compile(
            rf"(?P<word>(?i:{lexicon.alternation(words[i] for i in chosen)}))[ ]+(?:(?P<so>{_NUMBER_WORD})[ \n]*:?[ \n]*)?"
            r"(?P<number>\d{1,4})(?![\d%/.,-]\d|\d|[ \n]*[/%-]|[^\W\d_])"
        )

    return PhraseFinder(words, pattern)


@cache
def _named_finder() -> PhraseFinder:
    named_types = [t.word for t in lexicon.document_types() if t.named]
    stop = lexicon.alternation(lexicon.connectives("name_end"))
    word = r"[^\W\d_]+"

    def pattern(chosen: list[int]) -> re.Pattern:
        named = lexicon.alternation(named_types[i] for i in chosen)
        return re.compile(
            rf"(?P<word>(?i:{named}))[ \n]+(?P<name>[{UPPER_LETTERS}][^\W\d_]*(?:,?[ \n]+{word}){{0,12}}?)"
            rf"(?=[ \n]*(?:[;.:()\n“\"]|,(?![ ]+(?!(?i:{stop})(?![^\W\d_]))[a-zà-ỹđ])|$)|[ \n]+(?i:{stop})(?![^\W\d_]))"
        )

    return PhraseFinder(named_types, pattern)


@cache
def _issuer_re() -> re.Pattern:
    names = []
    for issuer in lexicon.issuer_names():
        names.append(issuer.name)
        names.extend(issuer.aliases)
    return re.compile(rf"(?:{lexicon.alternation(names)})(?![^\W\d_])")


@cache
def _issuer_first_word_re() -> re.Pattern:
    """The first words of the issuers' names, where `_issuer_re` can match."""
    return re.compile(
        trie_pattern({name.split()[0] for issuer in lexicon.issuer_names() for name in (issuer.name, *issuer.aliases)})
    )


@cache
def _issuer_index() -> dict[str, lexicon.IssuerName]:
    index = {}
    for issuer in lexicon.issuer_names():
        for name in (issuer.name, *issuer.aliases):
            index[name] = issuer
    return index


# The words that name a kind of place before its name: "tỉnh", "huyện", "TP."
_PLACE_KINDS = f"(?:{lexicon.alternation(lexicon.connectives('place_kind'))})"


@cache
def place_names() -> dict[str, tuple[str, str | None]]:
    """Every place name the gazetteer knows -> (province, district or None)."""
    index: dict[str, tuple[str, str | None]] = {}
    for province in lexicon.provinces():
        for name in (province.name, *province.aliases):
            index[name] = (province.name, None)
    ambiguous = set()
    for district in lexicon.districts():
        if district.name in index and index[district.name] != (district.province, district.name):
            ambiguous.add(district.name)
        index.setdefault(district.name, (district.province, district.name))
    for name in ambiguous:
        if index[name][1] is not None:
            del index[name]
    return index


@cache
def place_finder() -> NameFinder:
    return NameFinder(place_names())


_PLACE_LEAD_RE = re.compile(rf"[ \n]+(?:(?i:{_PLACE_KINDS})[ \n]+)?")


def read_place(text: str, position: int) -> tuple[str | None, int]:
    """A place named at `position`, after spaces and a kind word ("tỉnh", "huyện")."""
    lead = _PLACE_LEAD_RE.match(text, position)
    if not lead:
        return None, position
    place = place_finder().match(text, lead.end())
    return (place, lead.end() + len(place)) if place else (None, position)


# ---- reading what follows a citation -----------------------------------------


def parse_date(match: re.Match) -> tuple[str | None, str | None]:
    """ISO date of a `_DATE_RE` match, or (None, warning) for an impossible one."""
    day = match.group("day")
    month = match.group("month") or match.group("month2")
    year = match.group("year") or match.group("year2")
    try:
        return dt.date(int(year), int(month), int(day)).isoformat(), None
    except ValueError:
        return None, f"impossible date {match.group(0)!r} dropped"


@cache
def _date_after_re() -> re.Pattern:
    """What leads from a citation to its date: ", ngày", "(ngày", "vừa được Quốc hội thông qua ngày"."""
    passed = rf"(?:(?:vừa|đã)[ \n]+)?(?:được[ \n]+(?:{_issuer_re().pattern}[ \n]+)?)?(?i:ban hành|ký|thông qua)[ \n]+"
    return re.compile(rf"[ \n]*,?[ \n]*(?:\([ \n]*)?(?:{passed})?(?i:ngày)[ \n]*(?=\d)")


_OF_RE = re.compile(r"[ \n]*,?[ \n]*(?:của|do)[ \n]+")
_QUOTED_RE = re.compile(r"[ \n]*[“\"«]([^”\"»\n]{3,400})[”\"»]")
_YEAR_SUFFIX_RE = re.compile(rf"[ \n]+năm[ \n]+{_YEAR}(?!\d)")
_CLOSE_RE = re.compile(r"[ \n]*\)")


def _read_date(text: str, position: int, citation: Citation) -> int:
    lead = _date_after_re().match(text, position)
    if not lead:
        return position
    date = _DATE_RE.match(text, lead.end())
    if not date or _opens_issuing_clause(text, date.end()):
        return position
    iso, warning = parse_date(date)
    if warning:
        citation.warnings.append(warning)
    citation.date = citation.date or iso
    end = date.end()
    close = _CLOSE_RE.match(text, end)
    return close.end() if close and "(" in text[position : lead.end()] else end


_SPACES_RE = re.compile(r"[ \n]*")
_ISSUING_AHEAD_RE = re.compile(r"(?i:ban hành|ký)")


def _opens_issuing_clause(text: str, position: int) -> bool:
    """ "..., ngày 3/10/2022 Ban Thường vụ Huyện ủy đã ban hành ...": the date is the next document's."""
    issuer = _issuer_re().match(text, _SPACES_RE.match(text, position).end())
    return bool(issuer) and _ISSUING_AHEAD_RE.search(text, issuer.end(), issuer.end() + 60) is not None


def read_issuer(text: str, position: int) -> tuple[str | None, str | None, str | None, int]:
    """An issuer name starting at `position`, and a place named right after it."""
    match = _issuer_re().match(text, position)
    if not match:
        return None, None, None, position
    issuer = _issuer_index().get(match.group(0))
    name = issuer.name if issuer else match.group(0)
    place, after = read_place(text, match.end())
    return name, issuer.level if issuer else None, place, max(after, match.end())


_TERM_RE = re.compile(r"[ \n]*,?[ \n]*(?i:khóa|nhiệm kỳ)[ \n]+(?P<term>[IVXLC]+|\d{4}[ \n]*-[ \n]*\d{4})(?![^\W\d_])")
_ASIDE_RE = re.compile(r"[ \n]*\([^()\d\n]{1,30}\)")  # "(cũ)", "(trước sắp xếp)"


@cache
def _unknown_issuer_re() -> re.Pattern:
    """An issuer the lexicon does not know: capitalised words up to a verb, a cue or a citation."""
    stops = lexicon.alternation([*lexicon.connectives("issuer_stop"), *(c.phrase for c in lexicon.cues())])
    next_citation = rf"{_type_word_re().pattern}[ \n]+(?:{_NUMBER_WORD}|\d)"
    word = r"[^\W\d_][^\s,;.:“”\"()]*"
    return re.compile(rf"[{_UPPER}][^\s,;.:“”\"()]*(?:[ ](?!(?i:{stops})(?![^\W\d_])|{next_citation}){word}){{0,9}}")


def _read_unknown_issuer(text: str, position: int) -> tuple[str | None, int]:
    match = _unknown_issuer_re().match(text, position)
    return (match.group(0), match.end()) if match else (None, position)


def _read_after(text: str, citation: Citation) -> None:
    """Date, issuer, quoted title and "năm YYYY" that follow a citation, in any order."""
    position = citation.end
    for _ in range(4):
        moved = _read_date(text, position, citation)
        of = _OF_RE.match(text, moved)
        if of and citation.issuer is None:
            issuer, level, place, after = read_issuer(text, of.end())
            if issuer is None:
                issuer, after = _read_unknown_issuer(text, of.end())
                places = list(place_finder().finditer(text, of.end(), after)) if issuer else []
                place = places[-1][1] if places else None
            if issuer:
                citation.issuer, citation.issuer_level, citation.place = issuer, level, place
                moved = after
        term = _TERM_RE.match(text, moved)
        if term:
            citation.term = citation.term or term.group("term")
            moved = term.end()
        aside = _ASIDE_RE.match(text, moved)
        if aside:
            moved = aside.end()
        quoted = _QUOTED_RE.match(text, moved)
        if quoted and citation.title is None:
            citation.title = quoted.group(1).strip()
            moved = quoted.end()
        year = _YEAR_SUFFIX_RE.match(text, moved)
        if year:
            moved = year.end()
        if moved == position:
            break
        position = moved
    citation.ext_end = position


# ---- the symbol -----------------------------------------------------------------

_CASE_FIXES = {"TTG": "TTg", "CTR": "CTr", "QĐI": "QĐi", "QYĐ": "QyĐ", "TTR": "TTr"}


def _fix_case(segment: str) -> str:
    return _CASE_FIXES.get(segment.upper(), segment)


def _segments(raw: str) -> list[str]:
    raw = raw.strip()
    if "-" not in raw:
        return [_fix_case(raw.replace("TƯ", "TW"))] if raw else []
    return [_fix_case(s.replace("TƯ", "TW")) for s in _SEGMENT_SEPARATOR_RE.split(raw) if s]


_SEGMENT_SEPARATOR_RE = re.compile(r"\s*-\s*")


def _party_issuer(code: str) -> bool:
    issuer = lexicon.issuer_code(code)
    return issuer is not None and issuer.family == "party"


def _from_symbol(match: re.Match) -> tuple[str, str | None, str, str] | None:
    """(symbol, year, family, issuer code) of a symbol match, or None when it is no symbol."""
    codes = lexicon.type_codes()
    issuers = lexicon.issuer_codes()
    if match.group("party_type"):
        doc_type = _fix_case(match.group("party_type"))
        issuer = _segments(match.group("party_issuer"))
        if doc_type not in codes:
            return None
        return f"{doc_type}/{'-'.join(issuer)}", None, "party", issuer[0]
    if match.group("bare_type"):
        doc_type = _fix_case(match.group("bare_type"))
        tail = _segments(match.group("bare_issuer"))
        if doc_type not in codes:
            return None
        if _party_issuer(tail[0]):
            return f"{doc_type}/{'-'.join(tail)}", None, "party", tail[0]
        return f"{doc_type}-{'-'.join(tail)}", None, "state", tail[0]
    head = _fix_case(match.group("state_head").replace("TƯ", "TW"))
    tail = _segments(match.group("state_tail") or "")
    year = match.group("year")
    if re.fullmatch(r"(?:NQ-)?(?:UBTV)?QH\d\d", "-".join([head, *tail])) and year:
        return "-".join([head, *tail]), year, "law", tail[-1] if tail else head
    if not tail:
        return None
    if head in codes or head in issuers or head.startswith("UBND"):
        if not year and len(tail) == 1 and _party_issuer(tail[0]) and head in codes:
            return f"{head}/{tail[0]}", None, "party", tail[0]  # swapped separators: 22/CT-TW
        issuer = tail[0] if head in codes else head
        return f"{head}-{'-'.join(tail)}", year, "state", issuer
    return None


@cache
def _prefix_word_re() -> re.Pattern:
    """Where `_prefix_re` can match but at its end: the first word of a type word, or "số", in lower case."""
    return re.compile(trie_pattern([*(first_word(t.word) for t in lexicon.document_types()), "số"]))


def _prefix_before(text: str, start: int, lowered: str | None) -> re.Match:
    """`_prefix_re().search` in the 60 characters before `start`, tried where a type word or
    "số" stands (found in the lower-cased text), else where it matches empty."""
    window = max(0, start - 60)
    if lowered is None:
        return _prefix_re().search(text, window, start)
    word = _prefix_word_re().search(lowered, window, start)
    while word:
        if match := _prefix_re().match(text, word.start(), start):
            return match
        word = _prefix_word_re().search(lowered, word.start() + 1, start)
    if start > window and text[start - 1] == "\n":
        return _prefix_re().match(text, start - 1, start)  # `$` matches before a last line break
    return _prefix_re().match(text, start, start)


def _type_from_prefix(text: str, start: int, lowered: str | None) -> tuple[int, str | None, int | None]:
    """Where the citation starts once its type word and "số" are included.

    Returns the start, the type word, and where "số" stands (None without it).
    """
    match = _prefix_before(text, start, lowered)
    if match.start() == start:
        return start, None, None
    word = match.group("word")
    if word and match.start("word") > 0 and text[match.start("word") - 1].isalpha():
        word = None  # the end of another word
    number_word_at = match.start("so") if match.group("so") else None
    if word:
        return match.start("word"), lexicon.canonical_type_word(word), number_word_at
    return (number_word_at if number_word_at is not None else start), None, number_word_at


def _numbered(text: str, lowered: str | None) -> list[Citation]:
    found = []
    for match in _SYMBOL_RE.finditer(text):
        parsed = _from_symbol(match)
        if parsed is None:
            continue
        symbol, year, family, issuer_code = parsed
        start, word, number_word_at = _type_from_prefix(text, match.start(), lowered)
        if (
            family == "state"
            and not word
            and number_word_at is None
            and symbol.split("-")[0] not in lexicon.type_codes()
        ):
            continue  # a công văn symbol needs "số" or a type word to be told from other codes
        code = symbol.split("/")[0] if family == "party" else symbol.split("-")[0]
        doc_type = word or lexicon.type_word_for(code, family)
        if family == "law" and not word:
            doc_type = "Luật" if symbol.startswith("QH") else doc_type
        citation = Citation(
            start, match.end(), "numbered", doc_type, match.group("number"), symbol, year, family, issuer_code
        )
        if _is_header(text, number_word_at):
            citation.kind, citation.start = "header", number_word_at
        found.append(citation)
    return found


def _incomplete(text: str, lowered: str | None, numbered: SpanIndex[Citation]) -> list[Citation]:
    found = []
    for match in _incomplete_finder().finditer(text, lowered):
        if numbered.covering(match.start("number")):
            continue
        word, number = match.group("word"), match.group("number")
        if not match.group("so"):
            if not word[0].isupper() or re.fullmatch(_YEAR, number):
                continue
        found.append(Citation(match.start(), match.end(), "incomplete", lexicon.canonical_type_word(word), number))
    return found


_NAMED_NUMBER_RE = re.compile(rf"[ \n]*{_NUMBER_WORD}?[ \n]*:?[ \n]*$")


def _named(text: str, lowered: str | None, numbered: SpanIndex[Citation]) -> list[Citation]:
    """Documents known by name; a name right before a number names that numbered citation."""
    found = []
    for match in _named_finder().finditer(text, lowered):
        if numbered.covering(match.start()):
            continue
        word = lexicon.canonical_type_word(match.group("word"))
        title = f"{word} {match.group('name').strip()}"
        following = numbered.first_from(match.start() + 1)
        # "Luật Đất đai số 31/2024/QH15"; the number's own prefix may have taken the name's
        # last word as its type word ("... pháp luật số 80/2015/QH13").
        if following and (
            following.start < match.end("name") or _NAMED_NUMBER_RE.fullmatch(text[match.end("name") : following.start])
        ):
            following.start, following.type, following.title = match.start(), word, title
            continue
        found.append(Citation(match.start(), match.end("name"), "named", word, title=title))
    return found


_HEADER_ZONE = 1000


def _is_header(text: str, number_word_at: int | None) -> bool:
    """ "Số: ..." on a header line at the top: the text's own number."""
    if number_word_at is None or number_word_at > _HEADER_ZONE or text[number_word_at] != "S":
        return False
    line_start = text.rfind("\n", 0, number_word_at) + 1
    return not re.search(r"[a-zà-ỹđ]", text[line_start:number_word_at])


_ISSUING_VERBS = ("ban hành", "ký", "xây dựng")
_ISSUING_RE = re.compile(rf"(?i:{'|'.join(_ISSUING_VERBS)})[ \n]*$")


def issuing_verb_before(text: str, start: int, end: int) -> re.Match | None:
    """`_ISSUING_RE.search(text, start, end)`: the verb can only end where the spaces
    before `end` start, so it is tried there, the longest first (the leftmost)."""
    verb_end = start + len(text[start:end].rstrip(" \n"))
    for length in sorted({len(verb) for verb in _ISSUING_VERBS}, reverse=True):
        if verb_end - length >= start and (match := _ISSUING_RE.match(text, verb_end - length, end)):
            return match
    return None


_LEADING_DATE_RE = re.compile(r"[nN](?i:gày)[ \n]*(?=\d)")  # (?i:n) is [nN]: the engine skips to those at C speed


_LIST_JOIN_RE = re.compile(r"[ \n]*(?:,|;|và)[ \n]*(?:và[ \n]*)?")


def _share_list_dates(text: str, citations: list[Citation]) -> None:
    """ "số 18-NQ/TW, số 19-NQ/TW và số 20-NQ/TW ngày 16/6/2022": the date is all three's."""
    for index in range(len(citations) - 2, -1, -1):
        current, following = citations[index], citations[index + 1]
        if (
            current.date is None
            and current.ext_end == current.end
            and following.date
            and _LIST_JOIN_RE.fullmatch(text, current.end, following.start)
        ):
            current.date = following.date


_ISSUING_WINDOW = 240


def read_issuing_clause(text: str, citation: Citation, clause_start: int, taken: SpanIndex[Citation]) -> None:
    """An issuing clause before the citation: "Ngày 2/12/2022, BTV Tỉnh ủy đã ban hành ..."."""
    if not issuing_verb_before(text, max(clause_start, citation.start - 30), citation.start):
        return
    citation.issued = True
    clause_start = max(clause_start, citation.start - _ISSUING_WINDOW)

    def outside(position: int) -> bool:
        return taken.covering(position) is None

    # An issuer can start only where the first word of one of its names stands.
    name = _issuer_first_word_re().search(text, clause_start)
    while name and name.start() < citation.start:
        position = name.start()
        if text[position].isupper() and (position == 0 or not text[position - 1].isalpha()) and outside(position):
            issuer, level, place, after = read_issuer(text, position)
            if issuer and (citation.issuer is None or place):
                citation.issuer, citation.issuer_level, citation.place = issuer, level, place
            if issuer:
                name = _issuer_first_word_re().search(text, after)
                continue
        name = _issuer_first_word_re().search(text, position + 1)
    dates = [
        date
        for lead in _LEADING_DATE_RE.finditer(text, clause_start, citation.start)
        if outside(lead.start()) and (date := _DATE_RE.match(text, lead.end()))
    ]
    if dates and citation.date is None:
        citation.date, warning = parse_date(dates[-1])
        if warning:
            citation.warnings.append(warning)


@cache
def _title_line_re() -> re.Pattern:
    """An upper-case type word on a line of its own: "QUYẾT ĐỊNH", "KẾ HOẠCH"."""
    return re.compile(rf"(?:^|\n)[ ]*(?P<word>{_type_word_re().pattern})[ ]*(?:\n|$)")


# "Hà Tĩnh, ngày 2 tháng 12 năm 2022", on a line of its own or beside the number in a header.
PLACE_DATE_RE = re.compile(r"(?:^|\n|[ \t]{3,})[ ]*(?P<place>[^\W\d_][^\n,:]{1,40}),[ \n]*(?i:ngày)[ \n]*(?=\d)")


@cache
def _header_issuer_re() -> re.Pattern:
    """Issuer names in any case: headers are written in capitals."""
    return re.compile(rf"(?i:{_issuer_re().pattern})")


@cache
def _issuer_index_folded() -> dict[str, lexicon.IssuerName]:
    return {name.lower(): issuer for name, issuer in _issuer_index().items()}


def _read_header(text: str, citation: Citation) -> None:
    """The place-and-date line of a document's header: its date; its title line: its type."""
    zone = text[: _HEADER_ZONE + 300]
    issuers = list(_header_issuer_re().finditer(zone, 0, citation.start))
    issuer = max(issuers, key=lambda match: len(match.group(0))) if issuers else None
    known = issuer and _issuer_index_folded().get(re.sub(r"\s+", " ", issuer.group(0)).lower())
    if known and citation.issuer is None:  # "ỦY BAN NHÂN DÂN\nHUYỆN NGHI XUÂN" above "Số: ..."
        citation.issuer, citation.issuer_level = known.name, known.level
        citation.place, _ = read_place(zone[issuer.end() : issuer.end() + 80].title(), 0)
    if citation.type is None:
        title = _title_line_re().search(zone, citation.end)
        if title:
            citation.type = lexicon.canonical_type_word(title.group("word"))
    for lead in PLACE_DATE_RE.finditer(zone):
        date = _DATE_RE.match(zone, lead.end())
        if date:
            citation.date, warning = parse_date(date)
            if warning:
                citation.warnings.append(warning)
            return


def recognize(text: str, sentence_starts: list[int] | None = None) -> list[Citation]:
    """All citations in a normalised text, in text order."""
    lowered = lower_case(text)
    citations = _numbered(text, lowered)
    numbered = SpanIndex(citations, attrgetter("start"), attrgetter("end"))
    citations += _incomplete(text, lowered, numbered)
    citations += _named(text, lowered, numbered)
    citations.sort(key=lambda c: c.start)
    headers = [c for c in citations if c.kind == "header"]
    for later in headers[1:]:
        later.kind = "numbered"
    starts = sentence_starts or [0]
    for citation in citations:
        _read_after(text, citation)
    _share_list_dates(text, citations)
    taken = SpanIndex(citations, attrgetter("start"), attrgetter("ext_end"))
    for citation in citations:
        sentence_start = starts[max(0, bisect_right(starts, citation.start) - 1)]
        clause_start = max(sentence_start, text.rfind(";", sentence_start, citation.start) + 1)
        read_issuing_clause(text, citation, clause_start, taken)
        if citation.kind == "header":
            _read_header(text, citation)
    return citations
