"""Normalise text for matching, keeping a map back to the original offsets.

Recognition runs on a normalised copy of the text: NFC, `Đ` for the look-alike
U+00D0, one style of tone placement (`hóa`, `ủy`), plain spaces for the many
Unicode spaces, plain hyphens for dashes, no zero-width characters, and HTML tags and
entities read as a browser shows them. Every
normalised character remembers where it came from, so a span found in the copy
maps back to the exact characters of the text as decoded.
"""

from __future__ import annotations

import html
import html.entities
import re
import unicodedata
from bisect import bisect_left, bisect_right
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


def _retone_pattern() -> str:
    """The old-style pairs, each spelt as its glide then the toned vowels that may follow it:
    a pattern that opens with a plain letter is scanned for at the speed of C."""
    seconds: dict[str, set[str]] = {}
    for pair in _RETONE:
        seconds.setdefault(pair[0], set()).add(pair[1])
    # The styles differ only in open syllables ("hoá", "thuỷ"; "hoàn" is the same in
    # both), and "qu" is a consonant ("quý" stays).
    pairs = "|".join(f"{first}(?<![qQ]{first})[{''.join(sorted(tones))}]" for first, tones in sorted(seconds.items()))
    return rf"({pairs})(?![^\W\d_])"


_RETONE_CONTEXT = re.compile(_retone_pattern())


# Scraped pages saved as .txt keep their markup; it reads as a browser shows it: a tag that
# ends a block as a line break (sentences stay apart), any other tag as nothing (`129-<i>KH</i>/TU`
# is one number), an entity as its character.
# `[^<>]` cannot run past the next `<`, so a stray `<` costs one short scan, never a
# backtrack.
_TAG = r"<(?:/?[A-Za-z][A-Za-z0-9]*(?:\s[^<>]*)?/?|!--[^<>]*--|![A-Za-z][^<>]*)>"
_ENTITY = r"&(?:[A-Za-z][A-Za-z0-9]{1,31}|#[0-9]{1,7}|#[xX][0-9A-Fa-f]{1,6});"
_BLOCK_TAG = re.compile(r"</?(?:p|br|div|li|tr|td|th|h[1-6]|table|ul|ol|section|article|blockquote|hr)\b", re.I)

_REWRITTEN = "".join(sorted(_DROPPED | _SPACES | _DASHES | set(_LOOKALIKES)))
_SPECIAL_RE = re.compile(f"{_TAG}|{_ENTITY}|[{_REWRITTEN}]|.[\u0300-\u036f]+", re.DOTALL)
# Most texts hold none of these: one scan for a character that can be part of a special
# piece tells where the slower scan may start (a combining mark joins the character before it).
_SPECIAL_CHARACTER_RE = re.compile(f"[<&{_REWRITTEN}\u0300-\u036f]")


def _replacement(piece: str) -> str:
    if piece[0] == "<" and len(piece) > 1:
        return "\n" if _BLOCK_TAG.match(piece) else ""
    if piece[0] == "&" and len(piece) > 1:
        character = html.unescape(piece) if piece[1] == "#" else html.entities.html5.get(piece[1:], piece)
        return piece if character == piece else _replacement(character)
    if piece in _DROPPED:
        return ""
    if piece in _SPACES:
        return " "
    if piece in _DASHES:
        return "-"
    if piece[0] in _LOOKALIKES:
        piece = _LOOKALIKES[piece[0]] + piece[1:]
    return unicodedata.normalize("NFC", piece)


@dataclass(frozen=True)
class NormalText:
    """A normalised text, and the pieces that differ from the original.

    `pieces` holds (normal start, normal end, original start, original end) for
    every rewritten piece, in order; between them the two texts run in step.
    """

    text: str
    original: str
    pieces: tuple[tuple[int, int, int, int], ...] = ()

    def __post_init__(self):
        object.__setattr__(self, "_starts", [piece[0] for piece in self.pieces])

    def _start(self, position: int) -> int:
        index = bisect_right(self._starts, position) - 1
        if index < 0:
            return position
        normal_start, normal_end, original_start, original_end = self.pieces[index]
        if position < normal_end:
            return original_start
        return original_end + position - normal_end

    def _end(self, position: int) -> int:
        index = bisect_left(self._starts, position) - 1
        if index < 0:
            return position
        normal_start, normal_end, original_start, original_end = self.pieces[index]
        if position <= normal_end:
            return original_end
        return original_end + position - normal_end

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Map a normalised [start, end) span to the original text."""
        first = self._start(start)
        return (first, first) if end <= start else (first, self._end(end))

    def original_text(self, start: int, end: int) -> str:
        first, last = self.span(start, end)
        return self.original[first:last]


def normalize(text: str) -> NormalText:
    pieces: list[str] = []
    changed: list[tuple[int, int, int, int]] = []
    copied = normal_length = 0
    first_special = _SPECIAL_CHARACTER_RE.search(text)
    for match in _SPECIAL_RE.finditer(text, max(0, first_special.start() - 1)) if first_special else ():
        original = match.group(0)
        replacement = _replacement(original)
        if replacement == original:
            continue
        pieces.append(text[copied : match.start()])
        normal_length += match.start() - copied
        pieces.append(replacement)
        changed.append((normal_length, normal_length + len(replacement), match.start(), match.end()))
        normal_length += len(replacement)
        copied = match.end()
    pieces.append(text[copied:])
    normal = "".join(pieces)
    normal = _RETONE_CONTEXT.sub(lambda match: _RETONE[match.group(1)], normal)
    return NormalText(normal, text, tuple(changed))


def fold(text: str) -> str:
    """The normalised form of a short string, for keys and lookups."""
    return normalize(text).text


# The Vietnamese alphabet in its order, and the tones in dictionary order (none, huyền,
# sắc, hỏi, ngã, nặng): code-point order would put Đ after Z and "Bình" before "Bạc".
_ALPHABET = "aăâbcdđeêghiklmnoôơpqrstuưvxy"
_TONES = {"\u0300": 1, "\u0301": 2, "\u0309": 3, "\u0303": 4, "\u0323": 5}


def collation_key(text: str) -> tuple:
    """A sort key that orders Vietnamese words as a dictionary does: by letters first
    (ă after a, đ after d), then by tones."""
    letters, tones = [], []
    for character in text.casefold():
        decomposed = unicodedata.normalize("NFD", character)
        tone = next((_TONES[mark] for mark in decomposed if mark in _TONES), 0)
        letter = unicodedata.normalize("NFC", "".join(mark for mark in decomposed if mark not in _TONES))
        position = _ALPHABET.find(letter)
        letters.append((1, position) if position >= 0 else (0, ord(letter[0])) if letter else (0, 0))
        tones.append(tone)
    return tuple(letters), tuple(tones)
