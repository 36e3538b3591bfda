"""Normalise text for matching, keeping a map back to the original offsets.

Recognition runs on a normalised copy of the text: NFC, `Đ` for the look-alike
U+00D0, one style of tone placement (`hóa`, `ủy`), plain spaces for the many
Unicode spaces, plain hyphens for dashes, and no zero-width characters. Every
normalised character remembers where it came from, so a span found in the copy
maps back to the exact characters of the text as decoded.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

_DROPPED = {"\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad"}
_SPACES = {"\u00a0", "\u2007", "\u202f", "\u2009", "\u200a", "\u2002", "\u2003", "\u3000", "\t"}
_DASHES = {"\u2010", "\u2011", "\u2012", "\u2013", "\u2014", "\u2015", "\u2212"}
_LOOKALIKES = {"\u00d0": "\u0110", "\u00f0": "\u0111"}  # Icelandic eth for Vietnamese Đ/đ

# Old-style tone placement on the second vowel of oa/oe/uy, rewritten to the
# first one ("hoá" -> "hóa", "uỷ" -> "ủy") so that one spelling matches both.
_TONES = "\u0301\u0300\u0309\u0303\u0323"
_GLIDE_PAIRS = {"o": "ae", "O": "AE", "u": "y", "U": "Y"}


def _retone_table() -> dict[str, str]:
    table = {}
    for first, seconds in _GLIDE_PAIRS.items():
        for second in seconds:
            for tone in _TONES:
                old = unicodedata.normalize("NFC", first + second + tone)
                new = unicodedata.normalize("NFC", first + tone + second)
                table[old] = new
    return table


_RETONE = _retone_table()
_RETONE_RE = re.compile("|".join(sorted(_RETONE, key=len, reverse=True)))
# The styles differ only in open syllables ("hoá", "thuỷ"; "hoàn" is the same in
# both), and "qu" is a consonant ("quý" stays).
_RETONE_CONTEXT = re.compile(r"(?<![qQ])(" + _RETONE_RE.pattern + r")(?![^\W\d_])")


@dataclass(frozen=True)
class NormalText:
    """A normalised text and, for each of its characters, the original offset."""

    text: str
    original: str
    offsets: tuple[int, ...]  # len(text) + 1 entries; the last is len(original)

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Map a normalised [start, end) span to the original text."""
        if end <= start:
            origin = self.offsets[start]
            return origin, origin
        return self.offsets[start], self._end_of(end - 1)

    def _end_of(self, index: int) -> int:
        """Original end of the character at normalised `index`."""
        origin = self.offsets[index]
        following = index + 1
        while following < len(self.text) and self.offsets[following] == origin:
            following += 1
        return self.offsets[following] if following <= len(self.text) else len(self.original)

    def original_text(self, start: int, end: int) -> str:
        first, last = self.span(start, end)
        return self.original[first:last]


def _clusters(text: str):
    """Yield (offset, cluster): a base character with its combining marks."""
    start = 0
    for index in range(1, len(text) + 1):
        if index == len(text) or not unicodedata.combining(text[index]):
            yield start, text[start:index]
            start = index


def normalize(text: str) -> NormalText:
    pieces: list[str] = []
    offsets: list[int] = []
    for origin, cluster in _clusters(text):
        if cluster in _DROPPED:
            continue
        if cluster in _SPACES:
            cluster = " "
        elif cluster in _DASHES:
            cluster = "-"
        elif cluster[0] in _LOOKALIKES:
            cluster = _LOOKALIKES[cluster[0]] + cluster[1:]
        composed = unicodedata.normalize("NFC", cluster) if len(cluster) > 1 else cluster
        pieces.append(composed)
        offsets.extend([origin] * len(composed))
    normal = "".join(pieces)
    normal = _RETONE_CONTEXT.sub(lambda match: _RETONE[match.group(1)], normal)
    offsets.append(len(text))
    return NormalText(normal, text, tuple(offsets))


def fold(text: str) -> str:
    """The normalised form of a short string, for keys and lookups."""
    return normalize(text).text
