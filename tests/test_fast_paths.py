"""The fast paths of extraction find what the plain patterns they stand for find.

Each scan that skips ahead (a trie, a pattern opening with a character class, a search
tried only where a match can start, a lower-cased copy of the text) is compared with the
plain, slower form of the same pattern on texts made of the pieces references are made
of, in any case, with the letters where lower-casing and case-insensitive matching differ.
"""

import os
import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg import lexicon
from kg.normalize import _RETONE, _RETONE_CONTEXT
from kg.phrases import UPPER_LETTERS, WORD_RE, NameFinder, lower_case, trie_pattern
from kg.recognize import (
    _DATE_RE,
    _ISSUING_RE,
    _SYMBOL_RE,
    _YEAR,
    PLACE_DATE_RE,
    _incomplete_finder,
    _prefix_before,
    _prefix_re,
    issuing_verb_before,
    place_names,
)
from kg.relate import _SENTENCE_END_RE, _cue_finder, _word_before
from kg.resolve import _header_place_re, _header_places, _place_date

EXAMPLES = int(os.environ.get("KG_HYPOTHESIS_EXAMPLES", "150"))
SETTINGS = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])

PIECES = [
    "Kế hoạch số 129-KH/TU",
    "KẾ HOẠCH",
    "kế  hoạch\nsố",
    "Số: 30/2016/QĐ-UBND",
    "Chỉ thị 05",
    "Thông tri 12",
    "thực hiện",
    "Tiếp tục THỰC HIỆN",
    "sửa đổi, bổ sung",
    "theo đề nghị của Sở Nội vụ tại",
    "ban hành",
    "Ký",
    "xây dựng",
    "Tỉnh ủy Hà Tĩnh",
    "TỈNH QUẢNG TRỊ",
    "huyện Nghi Xuân",
    "Hà Tĩnh, ngày 2 tháng 12 năm 2022",
    "ngày 16/6/2022",
    "18.5.2021",
    "2-12-2022",
    "05 - CT/TƯ",
    "22/CT-TW",
    "31/2024/QH15",
    "1/ 2",
    "hoá",
    "Thuỷ",
    "quý",
    "İ",
    "ı",
    "ſ",
    "²",
    ". ",
    "… ",
    "!\n",
    "?” ",
    ", ",
    ";",
    ":",
    "(",
    "\n",
    "   ",
    "“",
]
texts = st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=6)), max_size=25).map("".join)


def spans(pattern: re.Pattern, text: str, start: int = 0, end: int | None = None) -> list:
    end = len(text) if end is None else end
    return [(match.span(), match.groupdict()) for match in pattern.finditer(text, start, end)]


@SETTINGS
@given(st.lists(st.text(alphabet="abcđ ", min_size=1, max_size=4), max_size=8), st.text(alphabet="abcđ ", max_size=20))
def test_a_trie_matches_like_the_alternation_sorted_longest_first(words, text):
    alternation = re.compile("(?:" + "|".join(map(re.escape, sorted(set(words), key=len, reverse=True))) + r")(?!b)")
    trie = re.compile(f"(?:{trie_pattern(words)})(?!b)")
    for position in range(len(text) + 1):
        expected = alternation.match(text, position) if words else None
        found = trie.match(text, position)
        assert (found and found.group(0)) == (expected and expected.group(0))


@SETTINGS
@given(texts)
def test_case_insensitive_type_words_stand_where_their_lower_case_does(text):
    lowered = lower_case(text)
    if lowered is None:
        assert any(letter in text for letter in "İıſ")
        return
    for doc_type in lexicon.document_types():
        pattern = re.compile(f"(?=(?i:{lexicon.phrase_pattern(doc_type.word)}))")
        lower = re.compile(f"(?={lexicon.phrase_pattern(doc_type.word.lower())})")
        assert [m.start() for m in pattern.finditer(text)] == [m.start() for m in lower.finditer(lowered)]


@SETTINGS
@given(texts)
def test_rewritten_patterns_match_as_their_plain_forms(text):
    symbol = re.compile(
        _SYMBOL_RE.pattern.replace(r"(?P<number>\d(?<![\w/.-]\d)\d{0,4})", r"(?<![\w/.-])(?P<number>\d{1,5})"),
        re.VERBOSE,
    )
    assert symbol.pattern != _SYMBOL_RE.pattern
    assert spans(_SYMBOL_RE, text) == spans(symbol, text)
    sentence_end = re.compile(r"[.!?…]+[”\"»)]?(?=[ ]+[\"“(]?(?P<next>\w))|\n+")
    assert spans(_SENTENCE_END_RE, text) == spans(sentence_end, text)
    date = re.compile(
        rf"(?P<day>\d{{1,2}})[ \n]*(?P<sep>[/.-])[ \n]*(?P<month>\d{{1,2}})[ \n]*(?P=sep)[ \n]*(?P<year>{_YEAR})(?!\d)"
        rf"|(?P<day2>\d{{1,2}})[ \n]+tháng[ \n]+(?P<month2>\d{{1,2}})[ \n]+năm[ \n]+(?P<year2>{_YEAR})(?!\d)",
        re.IGNORECASE,
    )
    assert [m.span() for m in _DATE_RE.finditer(text)] == [m.span() for m in date.finditer(text)]
    retone = re.compile(r"(?<![qQ])(" + "|".join(_RETONE) + r")(?![^\W\d_])")
    assert spans(_RETONE_CONTEXT, text) == spans(retone, text)


@SETTINGS
@given(texts, st.data())
def test_searches_read_from_the_end_of_a_window_find_the_leftmost_match(text, data):
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, len(text)))
    expected = _ISSUING_RE.search(text, start, end)
    found = issuing_verb_before(text, start, end)
    assert (found and found.span()) == (expected and expected.span())
    before = re.compile(r"(\S+)$").search(text, start, end)
    assert _word_before(text, start, end) == (before.group(1) if before else "")
    expected = _prefix_re().search(text, max(0, end - 60), end)
    assert _prefix_before(text, end, lower_case(text)).span() == expected.span()


@SETTINGS
@given(texts)
def test_header_places_and_the_place_date_line_are_found_as_by_a_full_search(text):
    assert spans(_header_place_re(), text, 0, 600) == [(m.span(), m.groupdict()) for m in _header_places(text)]
    head = text[:600]
    expected, found = PLACE_DATE_RE.search(head), _place_date(head)
    assert (found and found.span()) == (expected and expected.span())


def _phrases_at_word_starts(finder, text: str) -> list:
    """What a finder finds when its patterns are tried at every word that can start a phrase."""
    found, resume = [], 0
    for word in WORD_RE.finditer(text):
        key = word.group(0).lower()
        if (
            word.start() >= resume
            and key in finder.patterns
            and (match := finder.patterns[key].match(text, word.start()))
        ):
            found.append((match.span(), match.groupdict()))
            resume = match.end()
    return found


@SETTINGS
@given(texts)
def test_phrase_finders_find_the_phrases_standing_at_word_starts(text):
    if any(WORD_RE.match(character) and not character.isalpha() for character in text):
        return  # "²" is a word character but not a letter: the finders do not take it for part of a word
    for finder in (_incomplete_finder(), _cue_finder(list(lexicon.cues()))):
        found = [(m.span(), m.groupdict()) for m in finder.finditer(text, lower_case(text))]
        assert found == _phrases_at_word_starts(finder, text)


def test_a_letter_matched_apart_from_its_lower_case_leaves_the_phrase_found():
    text = "Thông trı 5 và Thông tri 6"  # the engine takes ı for i; "trı".lower() is not "tri"
    assert [m.group(0) for m in _incomplete_finder().finditer(text, lower_case(text))] == ["Thông trı 5", "Thông tri 6"]


@SETTINGS
@given(texts, st.data())
def test_names_are_found_longest_first_at_capitalised_word_starts(text, data):
    finder = NameFinder(place_names())
    end = data.draw(st.integers(0, len(text)))
    names = sorted(place_names(), key=len, reverse=True)
    expected, resume = [], 0
    for word in re.finditer(rf"(?<![^\W\d_])[{UPPER_LETTERS}][^\W\d_]*", text[:end]):
        at = word.start()
        longest = next(
            (n for n in names if text.startswith(n, at) and not text[at + len(n) : at + len(n) + 1].isalnum()), None
        )
        first = longest and WORD_RE.match(longest)
        if at >= resume and first and first.group(0) == word.group(0) and at + len(longest) <= end:
            expected.append((at, longest))
            resume = at + len(longest)
    assert list(finder.finditer(text, 0, end)) == expected
