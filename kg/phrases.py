"""Find lexicon phrases in linear time.

A regular expression made of hundreds of alternatives is tried at every
character of a text. Phrases of the lexicon all start with a word, so these
finders look only where a word that can start one stands (found by one scan
for any of those words, which runs at the speed of C), then try an anchored
match of the phrases starting with that word, or a dictionary look-up, there.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterable, Iterator, Sequence

from kg.lexicon import ANY_WORDS_TOKEN, NUMBER_TOKEN

WORD_RE = re.compile(r"[^\W\d_]+")
UPPER_LETTERS = "".join(ch for ch in map(chr, range(0x41, 0x1F00)) if ch.isupper() and ch.isalpha())
_LETTER_RE = re.compile(r"[^\W\d_]")


def trie_pattern(sequences: Iterable[Sequence[str]], joiner: str = "") -> str:
    """An alternation of literal words (or of phrases: sequences of words joined by `joiner`),
    shared prefixes written once: the engine compares a character once per branch instead
    of once per word, and tries a longer word before its prefix, as an alternation sorted
    by length does."""
    tree: dict = {}
    for sequence in sequences:
        node = tree
        for unit in sequence:
            node = node.setdefault(unit, {})
        node[None] = {}

    def branches(node: dict, lead: str) -> str:
        units = sorted(unit for unit in node if unit is not None)
        children = [lead + re.escape(unit) + branches(node[unit], joiner) for unit in units]
        if not children:
            return ""
        if len(children) == 1 and None not in node:
            return children[0]
        return "(?:" + "|".join(children) + ")" + ("?" if None in node else "")

    return branches(tree, "") or "(?!)"


# A case-insensitive pattern of Vietnamese words matches where its lower case stands in
# text.lower(), but for three letters: the engine takes ı and İ for i and ſ for s, and İ
# lowers to two characters.
_CASE_EXCEPTIONS = ("İ", "ı", "ſ")


def lower_case(text: str) -> str | None:
    """`text.lower()`, where lower-case words stand at the positions where case-insensitive
    patterns of them match in `text`; None when some letter of the text may break that."""
    if any(letter in text for letter in _CASE_EXCEPTIONS):
        return None
    lowered = text.lower()
    return lowered if len(lowered) == len(text) else None


def match_starts(pattern: re.Pattern, text: str, start: int = 0, end: int | None = None) -> list[int]:
    """Every position in text[start:end] where `pattern` matches, overlapping matches included."""
    end = len(text) if end is None else end
    positions = []
    found = pattern.search(text, start, end)
    while found:
        positions.append(found.start())
        found = pattern.search(text, found.start() + 1, end)
    return positions


def first_word(phrase: str) -> str:
    match = WORD_RE.search(phrase)
    return match.group(0).lower() if match else ""


class PhraseFinder:
    """Matches of a pattern of phrases, tried only where a phrase can start.

    `pattern` builds the pattern from the indices of the phrases it is to hold: where a
    word stands, only the phrases that start with that word are tried, so the cost of a
    try does not grow with the size of the lexicon. A phrase is tried where its first word
    stands as a whole word; in a text whose lower case keeps positions and case-insensitive
    matches (see `lower_case`), only where the literal words it opens with stand, too.
    """

    def __init__(self, phrases: Sequence[str], pattern: Callable[[list[int]], re.Pattern]):
        by_word: dict[str, list[int]] = {}
        for index, phrase in enumerate(phrases):
            by_word.setdefault(first_word(phrase), []).append(index)
        self.patterns = {word: pattern(indices) for word, indices in by_word.items()}
        self._words_by_letter: dict[str, list[str]] = {}
        for word in sorted(self.patterns, key=len, reverse=True):
            self._words_by_letter.setdefault(word[:1], []).append(word)
        self._any_word = re.compile(trie_pattern(self.patterns))
        self._opening = re.compile(trie_pattern(map(_opening_words, phrases), r"\s+"))

    def _word_at(self, lowered: str, at: int, end: int) -> str | None:
        """The starting word standing at `at` as a whole word, if one does."""
        if at > 0 and lowered[at - 1].isalpha():
            return None
        run = WORD_RE.match(lowered, at)
        if run is None:
            return None
        if run.group(0).isalpha():  # then only the whole run can be a starting word
            word = run.group(0)
            return word if word in self.patterns and run.end() <= end else None
        for word in self._words_by_letter.get(lowered[at], ()):
            after = at + len(word)
            if (
                after <= end
                and lowered.startswith(word, at)
                and not (after < len(lowered) and lowered[after].isalpha())
            ):
                return word
        return None

    def finditer(self, text: str, lowered: str | None, start: int = 0, end: int | None = None) -> Iterator[re.Match]:
        """The matches in text[start:end]; `lowered` is `lower_case(text)`."""
        end = len(text) if end is None else end
        candidates = self._opening
        if lowered is None:
            lowered, candidates = text.lower(), self._any_word
            if len(lowered) != len(text):  # a letter whose lower case is longer: search the words one by one
                yield from self._finditer_by_words(text, start, end)
                return
        position = start
        while found := candidates.search(lowered, position, end):
            at = found.start()
            word = self._word_at(lowered, at, end)
            match = self.patterns[word].match(text, at, end) if word else None
            position = match.end() if match else at + 1
            if match:
                yield match

    def _finditer_by_words(self, text: str, start: int, end: int) -> Iterator[re.Match]:
        resume = start
        for word in WORD_RE.finditer(text, start, end):
            at, lowered = word.start(), word.group(0).lower()
            if at >= resume and lowered in self.patterns and (match := self.patterns[lowered].match(text, at, end)):
                yield match
                resume = match.end()


def _opening_words(phrase: str) -> list[str]:
    """The literal words a phrase opens with, in lower case (its first word when it opens with a
    number or a gap)."""
    words = list(
        itertools.takewhile(lambda word: not {NUMBER_TOKEN, ANY_WORDS_TOKEN} & set(word), phrase.lower().split())
    )
    return words or [first_word(phrase)]


class NameFinder:
    """Exact names (places, bodies), each found where it stands as a whole; names start with a letter."""

    def __init__(self, names: Iterable[str]):
        names = {name for name in names if _LETTER_RE.match(name)}
        capitalised = {name for name in names if name[0] in UPPER_LETTERS}
        # A name ends where no letter or digit follows: the longest such name wins.
        self._capitalised = re.compile(rf"{trie_pattern(capitalised)}(?![^\W_])")
        self._name = self._capitalised if capitalised == names else re.compile(rf"{trie_pattern(names)}(?![^\W_])")

    def match(self, text: str, position: int) -> str | None:
        """The longest name that starts at `position` and ends at a word boundary."""
        name = self._name.match(text, position)
        return name.group(0) if name else None

    def finditer(self, text: str, start: int = 0, end: int | None = None) -> Iterator[tuple[int, str]]:
        """(position, name) for every capitalised name starting a word in text[start:end], longest
        first, not overlapping."""
        bounded = end is not None and end < len(text)
        end = len(text) if end is None else end
        position = start
        while found := self._capitalised.search(text, position, end):
            at = found.start()
            if at > 0 and _LETTER_RE.match(text, at - 1):
                name = None
            else:  # short of the text's end, a longer name may go on past `end`
                name = self.match(text, at) if bounded else found.group(0)
            if name and at + len(name) <= end:
                yield at, name
                position = at + len(name)
            else:
                position = at + 1
