"""Find lexicon phrases in linear time.

A regular expression made of hundreds of alternatives is tried at every
character of a text. Phrases of the lexicon all start with a word, so these
finders look only where a word that can start one stands (found by plain
substring search, which runs at the speed of C), then try an anchored match
or a dictionary look-up there.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

WORD_RE = re.compile(r"[^\W\d_]+")
UPPER_LETTERS = "".join(ch for ch in map(chr, range(0x41, 0x1F00)) if ch.isupper() and ch.isalpha())
_CAPITALISED_WORD_RE = re.compile(f"(?<![^\\W\\d_])[{UPPER_LETTERS}][^\\W\\d_]*")


def first_word(phrase: str) -> str:
    match = WORD_RE.search(phrase)
    return match.group(0).lower() if match else ""


def _word_starts(text: str, words: Iterable[str], start: int, end: int) -> list[int]:
    """Where any of `words` stands as a whole word in text[start:end], in order."""
    found = []
    for word in words:
        position = text.find(word, start, end)
        while position >= 0:
            after = position + len(word)
            if not (position > 0 and text[position - 1].isalpha()) and not (
                after < len(text) and text[after].isalpha()
            ):
                found.append(position)
            position = text.find(word, after, end)
    return sorted(found)


class PhraseFinder:
    """Matches of an anchored pattern, tried only at words that can start it."""

    def __init__(self, pattern: re.Pattern, starting_words: Iterable[str]):
        self.pattern = pattern
        self.starting_words = frozenset(word.lower() for word in starting_words)

    def finditer(self, text: str, start: int = 0, end: int | None = None) -> Iterator[re.Match]:
        end = len(text) if end is None else end
        lowered = text.lower()
        if len(lowered) != len(text):  # a letter whose lower case is longer: search the words one by one
            positions = [
                w.start() for w in WORD_RE.finditer(text, start, end) if w.group(0).lower() in self.starting_words
            ]
        else:
            positions = _word_starts(lowered, self.starting_words, start, end)
        resume = start
        for at in positions:
            if at < resume:
                continue
            match = self.pattern.match(text, at, end)
            if match:
                yield match
                resume = match.end()


class NameFinder:
    """Exact names (places, bodies) found where their first word stands; names start with a capital."""

    def __init__(self, names: Iterable[str]):
        self.by_first_word: dict[str, list[str]] = {}
        for name in sorted(set(names), key=len, reverse=True):
            words = WORD_RE.findall(name)
            if words:
                self.by_first_word.setdefault(words[0], []).append(name)

    def match(self, text: str, position: int) -> str | None:
        """The longest name that starts at `position` and ends at a word boundary."""
        word = WORD_RE.match(text, position)
        if not word:
            return None
        for name in self.by_first_word.get(word.group(0), ()):
            end = position + len(name)
            if text.startswith(name, position) and not (end < len(text) and text[end].isalnum()):
                return name
        return None

    def finditer(self, text: str, start: int = 0, end: int | None = None) -> Iterator[tuple[int, str]]:
        """(position, name) for every name in the text, longest first, not overlapping."""
        end = len(text) if end is None else end
        resume = start
        for word in _CAPITALISED_WORD_RE.finditer(text, start, end):
            at = word.start()
            if at < resume or word.group(0) not in self.by_first_word:
                continue
            name = self.match(text, at)
            if name and at + len(name) <= end:
                yield at, name
                resume = at + len(name)
