"""Find the relations between the documents a text cites.

A relation is stated by a cue phrase ("thực hiện", "căn cứ", "thay thế" ...,
see `kg/data/cues.csv`) standing right before its target, with only connective
words between ("việc", "các", "một số điều của"). Its source is found by
reading back from the cue:

- a citation right before the cue, with only connectives between
  ("Kế hoạch số 129-KH/TU về việc thực hiện ..."): chains fall out of this;
- a type word standing for a document the text has introduced
  ("Kế hoạch được ban hành nhằm cụ thể hóa ..."), or for a new document
  without a number ("Chương trình hành động thực hiện Nghị quyết số 28-NQ/TW");
- nothing, the cue opening its clause ("Thực hiện Kết luận số 01-KL/TW, ...",
  "Căn cứ Luật ...;"): the source is the document the sentence or the next one
  issues ("... ban hành Kế hoạch số 129-KH/TU"), or the text's own document.

A citation right after a target, joined by a comma or "và", is one more target
of the same source: lists come out of that.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from functools import cache
from operator import attrgetter
from typing import NamedTuple

from kg import lexicon
from kg.model import local_id
from kg.phrases import PhraseFinder, lower_case
from kg.recognize import Citation, _issuer_re, _type_word_re, issuing_verb_before, read_issuing_clause
from kg.spans import SpanIndex


# Records made for every sentence, cue and link: named tuples cost a third of frozen dataclasses to make.
class Sentence(NamedTuple):
    start: int
    end: int


class Link(NamedTuple):
    source: Citation
    relation: str
    target: Citation
    cue: tuple[int, int]
    sentence: Sentence


class _Cue(NamedTuple):
    start: int
    end: int
    relation: str
    reverse: bool
    clause_wide: bool


# ---- sentences ------------------------------------------------------------------


# One character class opens the pattern, so that the engine skips to the characters that can end a sentence.
_SENTENCE_END_RE = re.compile(r"[.!?…\n](?:(?<=[.!?…])[.!?…]*[”\"»)]?(?=[ ]+[\"“(]?(?P<next>\w))|(?<=\n)\n*)")


def _word_before(text: str, start: int, end: int) -> str:
    """The run of non-spaces that ends text[start:end] (or its last line break), as `(\\S+)$` finds it."""
    if end > start and text[end - 1] == "\n":
        end -= 1
    piece = text[start:end]
    return piece.rsplit(None, 1)[-1] if piece and not piece[-1].isspace() else ""


def _ends_sentence(text: str, match: re.Match) -> bool:
    if match.group(0)[0] == "\n":
        # A heading's type word goes on in a lower-case line: "KẾ HOẠCH\nthực hiện ..."
        following = text[match.end() : match.end() + 1]
        return not following.islower()
    following = match.group("next")
    if not (following.isupper() or following.isdigit()):
        return False
    word = _word_before(text, max(0, match.start() - 12), match.start())
    return word not in lexicon.connectives("abbreviation") and not (len(word) == 1 and word.isupper())


def sentences(text: str) -> list[Sentence]:
    """Sentences and lines: a line break always ends one."""
    found = []
    start = 0
    for match in _SENTENCE_END_RE.finditer(text):
        if not _ends_sentence(text, match):
            continue
        end = match.end() if match.group(0)[0] != "\n" else match.start()
        _add_trimmed(found, text, start, end)
        start = match.end()
    _add_trimmed(found, text, start, len(text))
    return found


def _add_trimmed(found: list[Sentence], text: str, start: int, end: int) -> None:
    """The sentence text[start:end] without the spaces around it, unless it is all spaces."""
    piece = text[start:end]
    left_stripped = piece.lstrip()
    if left_stripped:
        found.append(Sentence(end - len(left_stripped), start + len(piece.rstrip())))


# ---- patterns from the lexicon ---------------------------------------------------


def _cue_finder(cues: list[lexicon.Cue]) -> PhraseFinder:
    def pattern(chosen: list[int]) -> re.Pattern:
        alternatives = "|".join(f"(?P<c{i}>{lexicon.phrase_pattern(cues[i].phrase)})" for i in chosen)
        return re.compile(rf"(?i:{alternatives})(?![^\W\d_])")

    return PhraseFinder([c.phrase for c in cues], pattern)


@cache
def _cue_finders() -> tuple[tuple[PhraseFinder, tuple[lexicon.Cue, ...]], ...]:
    """Cue finders: plain phrases, and phrases with a gap of words ("theo * ban hành kèm theo")."""
    finders = []
    for gapped in (False, True):
        phrases = sorted(
            (c for c in lexicon.cues() if (lexicon.ANY_WORDS_TOKEN in c.phrase.split()) == gapped),
            key=lambda c: len(c.phrase),
            reverse=True,
        )
        finders.append((_cue_finder(phrases), tuple(phrases)))
    return tuple(finders)


def _connective_re(kind: str) -> str:
    words = lexicon.alternation(lexicon.connectives(kind))
    return rf"(?:[ \n,:()\-]|(?i:{words})(?![^\W\d_]))"


@cache
def _link_re() -> re.Pattern:
    """What may stand between a source and its cue."""
    return re.compile(rf"{_connective_re('link')}*")


@cache
def _subject_lead_re() -> re.Pattern:
    """Words before a clause's subject: bullets, "Việc xây dựng" before "Kế hoạch số ..."."""
    return re.compile(
        rf"[ \n\-+*•·]*(?:(?i:việc)(?:[ \n]+[^\W\d_]+){{1,3}}?[ \n]+(?={_type_word_re().pattern}[ \n]+(?i:số)))?"
    )


@cache
def _reporting_re() -> re.Pattern:
    """A reporting verb closing its clause: what follows is what the subject says, not does."""
    verbs = "|".join(map(lexicon.phrase_pattern, lexicon.connectives("reporting")))
    return re.compile(rf"(?<![^\W\d_])(?i:{verbs})[ \n]*[,:]")


@cache
def _plural_re() -> re.Pattern:
    return re.compile(rf"(?<![^\W\d_])(?i:{'|'.join(map(re.escape, lexicon.connectives('plural')))})(?![^\W\d_])")


@cache
def _head_re() -> re.Pattern:
    """A type word standing for a document, with its issuer, before a cue."""
    return re.compile(
        rf"(?P<head>{_type_word_re().pattern})(?P<of>[ \n]+của[ \n]+(?P<issuer>{_issuer_re().pattern}))?"
        rf"(?P<gap>{_link_re().pattern})$"
    )


@cache
def _this_document_re() -> re.Pattern:
    return re.compile(rf"[ \n]+(?P<head>{_type_word_re().pattern})[ \n]+(?i:này)(?![^\W\d_])")


@cache
def _lead_re() -> re.Pattern:
    """What may stand between a cue and its target (plural type words included)."""
    plural = rf"(?:(?i:các|những|hai|ba|bốn|năm)[ \n]+{_type_word_re().pattern}[ \n]*:?)"
    described = rf"(?:{_type_word_re().pattern}(?:[ \n]+[a-zà-ỹđ]+){{1,6}}[ \n]+(?=(?i:số)))"  # "Quy chế làm việc số"
    return re.compile(rf"(?:{_connective_re('lead')}|{plural}|{described})*")


_LIST_RE = re.compile(r"[ \n]*(?:,|;|và|hoặc|cùng với|cùng)(?:[ \n]*(?:,|và))?[ \n]*(?:(?i:các|những)[ \n]+)?")
_TITLE_RE = re.compile(r"[ \n]+(?i:về)[ \n][^;.\n]*?(?=[ \n]*(?:,|;|và|hoặc)[ \n]*$)")
_CLAUSE_LEAD_RE = re.compile(r"[ \n\-+*•·]*(?i:(?:để|nhằm|đồng thời|tiếp tục|trong đó|theo đó)[ \n,]*)*$")
_MAX_GAP = 120
_LEADING_SPACE_RE = re.compile(r"\s*")


def text_start(text: str) -> int:
    """Where the text's first line starts, past the spaces before it (without copying the text)."""
    return _LEADING_SPACE_RE.match(text).end()


_PARALLEL_RE = re.compile(r"(?<![^\W\d_])(?:đồng thời|cũng như)(?![^\W\d_])")
_COORDINATION_RE = re.compile(r"(?:,|;|(?<![^\W\d_])(?:đồng thời|và|cũng như)(?![^\W\d_]))")
_MAX_EXTENT = 600  # how far back a citation's date, issuer and title may start
_FOCUS_DEPTH = 50  # how many earlier documents a back-reference looks through
_MAX_SUBJECT_GAP = 160
_CLAUSE_OPENING_CUE_RE = re.compile(r"[ \n\-+*•·]*(?i:căn cứ|thực hiện|triển khai|theo)(?![^\W\d_])")


def _fullmatch(pattern: re.Pattern, text: str) -> bool:
    return len(text) <= _MAX_GAP and pattern.fullmatch(text) is not None


# ---- the reader ---------------------------------------------------------------------


class _Reader:
    def __init__(self, text: str, citations: list[Citation]):
        self.text = text
        self.lowered = lower_case(text)
        self.citations = SpanIndex(citations, attrgetter("start"), attrgetter("end"))
        self.header = next((c for c in citations if c.kind == "header"), None)
        self.text_start = text_start(text)
        self.first_line_end = text.find("\n", self.text_start)  # -1: the text is one line
        self.links: list[Link] = []
        self.sources: set[int] = set()
        self.unnumbered: list[Citation] = []
        self.pending: list[tuple[_Cue, Citation, Sentence]] = []
        self.incoming: dict[int, tuple[Citation | str, str, _Cue]] = {}
        self.clause_marks = [m.start() for m in re.finditer(r"[;:]", text)]
        self.cues = SpanIndex(self._find_cues(), attrgetter("start"), attrgetter("end"))
        self.by_type: dict[str, list[Citation]] = {}
        for citation in self.citations.items:
            if citation.kind in ("numbered", "header"):
                self.by_type.setdefault(lexicon.type_code(citation.type), []).append(citation)

    def _find_cues(self) -> list[_Cue]:
        spans = SpanIndex(
            [c for c in self.citations.items if c.kind != "named"], attrgetter("start"), lambda c: max(c.end, c.ext_end)
        )
        (plain, plain_phrases), (gapped, gapped_phrases) = _cue_finders()
        found = {m.start(): self._cue(m, plain_phrases) for m in plain.finditer(self.text, self.lowered)}
        for match in gapped.finditer(self.text, self.lowered):
            if spans.overlapping(match.start(), match.end()):
                continue  # the gap may not run over a citation
            for start in [start for start in found if match.start() <= start < match.end()]:
                del found[start]
            found[match.start()] = self._cue(match, gapped_phrases)
        return [cue for start, cue in sorted(found.items()) if spans.covering(start) is None]

    @staticmethod
    def _cue(match: re.Match, phrases: tuple[lexicon.Cue, ...]) -> _Cue:
        cue = phrases[int(match.lastgroup[1:])]
        return _Cue(match.start(), match.end(), cue.relation, cue.direction == "reverse", cue.scope == "clause")

    # -- where a sentence's citations are

    def in_sentence(self, sentence: Sentence) -> list[Citation]:
        return self.citations.between(sentence.start, sentence.end)

    def cue_before(self, target: Citation, sentence: Sentence) -> _Cue | None:
        cue = self.cues.last_ending_by(target.start, sentence.start)
        if cue is not None and _fullmatch(_lead_re(), self.text[cue.end : target.start]):
            return cue
        return None

    # -- sources

    def citation_before(self, position: int, sentence: Sentence, exclude: Citation | None = None) -> Citation | None:
        window = self.citations.between(max(sentence.start, position - _MAX_EXTENT), position)
        before = [c for c in window if c.ext_end <= position and c is not exclude]
        if before and _fullmatch(_link_re(), self.text[before[-1].ext_end : position]):
            return before[-1]
        return None

    def head_before(self, position: int, sentence: Sentence) -> tuple[re.Match, bool] | None:
        """A type word before the cue: (its match, whether it touches the cue)."""
        window_start = max(sentence.start, position - _MAX_GAP)
        match = _head_re().search(self.text, window_start, position)
        if not match:
            return None
        head_start = match.start("head")
        if head_start > 0 and self.text[head_start - 1].isalpha():
            return None
        return match, not match.group("gap").strip()

    def focus(self, doc_type: str, position: int) -> Citation | None:
        """The latest document of this type the text has introduced before `position`."""
        same_type = [c for c in self.by_type.get(lexicon.type_code(doc_type), []) if c.start < position]
        same_type = same_type[-_FOCUS_DEPTH:]
        for introduced in (
            [c for c in same_type if c.kind == "header"],
            [c for c in same_type if c.issued],
            [c for c in same_type if id(c) in self.sources],
            same_type,
        ):
            if introduced:
                return introduced[-1]
        return None

    def is_headline(self, sentence: Sentence) -> bool:
        """A news headline restates its body: a first line with no full stop, more text below."""
        if self.first_line_end < 0 or sentence.start != self.text_start:
            return False
        return not self.text[self.text_start : self.first_line_end].rstrip().endswith((".", ";", ":"))

    def own_document(self, doc_type: str) -> Citation | None:
        """The text's own document, when it is of this type."""
        if self.header is not None and lexicon.type_code(self.header.type) == lexicon.type_code(doc_type):
            return self.header
        return None

    def source_for(self, cue: _Cue, target: Citation, sentence: Sentence, clause_start: int) -> Citation | str | None:
        previous = self.citation_before(cue.start, sentence, exclude=target)
        if previous is not None and not _COORDINATION_RE.search(self.text, previous.ext_end, cue.start):
            return previous
        if previous is not None:
            # "A thực hiện B, đồng thời triển khai C": C's source is B's; "B và theo C" joins two objects.
            incoming = self.incoming.get(id(previous))
            if incoming and incoming[0] != "pending":
                return incoming[0]
        head = self.head_before(cue.start, sentence)
        if head is not None:
            match, touching = head
            word = lexicon.canonical_type_word(match.group("head"))
            sentence_initial = not self.text[clause_start : match.start("head")].strip(" \n,;:-")
            capitalised = match.group("head")[0].isupper()
            issuing = issuing_verb_before(self.text, max(sentence.start, match.start("head") - 20), match.start("head"))
            this = re.search(r"(?i:này)", match.group("gap"))
            heading = match.group("head").isupper()
            own = self.own_document(word)
            if own is not None and (this or heading or touching):
                return own
            joined = _PARALLEL_RE.search(match.group("gap")) or re.search(
                r"(?<![^\W\d_])và(?![^\W\d_])", match.group("gap")
            )
            if not touching and (capitalised or sentence_initial) and not joined:
                focused = self.focus(word, match.start("head"))
                if focused is not None:
                    return focused
            headline = self.is_headline(sentence) or heading
            issuing_document = issuing and self.citation_before(issuing.start(), sentence)
            if touching and issuing_document:
                return issuing_document  # "Nghị quyết 139/NQ-CP ban hành Chương trình hành động thực hiện ..."
            introduces = not cue.clause_wide and not cue.reverse
            # "nhiều huyện ủy đã xây dựng kế hoạch ...": many plans, not one document
            generic = not capitalised and _plural_re().search(self.text, clause_start, match.start("head"))
            if (
                touching
                and introduces
                and target.kind != "named"
                and (capitalised or issuing)
                and not (headline or generic)
            ):
                return self._unnumbered(match, word, target, cue, sentence)
        if _CLAUSE_LEAD_RE.fullmatch(self.text, clause_start, cue.start):
            return "pending"
        subject = self.subject_of_clause(clause_start, cue.start, cue.clause_wide)
        if subject is not None:
            return subject
        if cue.clause_wide:
            return self.last_in_clause(clause_start, cue.start)
        return None

    def subject_of_clause(self, clause_start: int, position: int, loose: bool) -> Citation | None:
        """The document a clause opens with, when the cue comes later in the same clause.

        "Kế hoạch số 89-KH/ĐU được thực hiện theo ...", "Quyết định này có hiệu
        lực từ ngày ký, thay thế ...": the clause is about its first document.
        With a loose cue the clause may name other documents before the cue.
        """
        opening = _subject_lead_re().match(self.text, clause_start, position)
        start = opening.end() if opening else clause_start
        if position - start > _MAX_SUBJECT_GAP * (2 if loose else 1):
            return None
        if _reporting_re().search(self.text, start, position):
            return None  # "Báo cáo số 210-BC/TU nêu rõ, thực hiện ...": what follows is reported, not done by it
        first = self.citations.starting_at(start)
        if first is not None and first.kind in ("numbered", "header"):
            between = self.citations.between(first.start + 1, position)
            return first if (loose or not between) and ";" not in self.text[first.ext_end : position] else None
        head = _type_word_re().match(self.text, start, position)
        if head is None or not head.group(0)[0].isupper():
            return None
        if not loose and self.citations.between(head.start() + 1, position):
            return None
        word = lexicon.canonical_type_word(head.group(0))
        return self.own_document(word) or self.focus(word, head.start())

    def last_in_clause(self, clause_start: int, position: int) -> Citation | None:
        """For a loose cue ("gắn với"): the last document named earlier in the clause."""
        clause_start = max(clause_start, position - 2 * _MAX_SUBJECT_GAP)
        named = [c for c in self.citations.between(clause_start, position) if c.ext_end <= position]
        heads = [
            m
            for m in _type_word_re().finditer(self.text, clause_start, position)
            if m.group(0)[0].isupper() and self.citations.covering(m.start()) is None
        ]
        if heads and (not named or heads[-1].start() > named[-1].start):
            last = self.focus(lexicon.canonical_type_word(heads[-1].group(0)), heads[-1].start())
            start, end = heads[-1].span()
        else:
            last = named[-1] if named else None
            start, end = (named[-1].start, named[-1].ext_end) if named else (position, position)
        object_of_a_cue = self.cues.last_ending_by(start, clause_start) is not None and _fullmatch(
            _lead_re(), self.text[self.cues.last_ending_by(start, clause_start).end : start]
        )
        if object_of_a_cue and _PARALLEL_RE.search(self.text, end, position):
            return None  # "cụ thể hóa Nghị quyết, đồng thời gắn với ...": a second predicate of someone else
        return last

    def _unnumbered(self, head: re.Match, word: str, target: Citation, cue: _Cue, sentence: Sentence) -> Citation:
        start = head.start("head")
        for known in self.unnumbered:
            if known.start == start:
                return known
        target_name = local_id(target.number, target.symbol, target.year, target.family)
        cue_text = self.text[cue.start : cue.end].lower()
        citation = Citation(start, target.end, "unnumbered", word, ext_end=head.end("head"))
        citation.label = f"{word} {cue_text} {target_name or self.text[target.start : target.end]}"
        read_issuing_clause(self.text, citation, sentence.start, self.citations)  # "Huyện ủy X xây dựng kế hoạch ..."
        self.unnumbered.append(citation)
        self._relate_target(citation, sentence)  # "... để cụ thể hóa Chương trình hành động thực hiện ..."
        return citation

    def issued_after(self, position: int, sentence: Sentence) -> Citation | None:
        for citation in self.in_sentence(sentence):
            if citation.start >= position and citation.issued:
                return citation
        return None

    # -- the walk

    def read(self, all_sentences: list[Sentence]) -> None:
        for index, sentence in enumerate(all_sentences):
            self.incoming: dict[int, tuple[Citation | str, str, _Cue]] = {}
            cited = self.in_sentence(sentence)
            for position, target in enumerate(cited):
                if not self._relate_target(target, sentence):
                    self._continue_list(cited[position - 1] if position else None, target, sentence)
            self.pending = self._settle(self.pending, sentence, all_sentences[index + 1 : index + 2])
            self._read_passives_of_own_document(sentence)

    def _relate_target(self, target: Citation, sentence: Sentence) -> bool:
        """Relate a target to the source its cue points at; False when no cue stands before it."""
        clause_start = self._clause_start(sentence, target.start)
        cue = self.cue_before(target, sentence)
        if cue is None:
            return False
        if cue.reverse:
            for affected in self.passive_subjects(cue.start, clause_start, target):
                self._add(target, cue.relation, affected, cue, sentence)
            return True
        source = self.source_for(cue, target, sentence, clause_start)
        if source == "pending":
            earlier = [link for link in self.links[-_FOCUS_DEPTH:] if link.sentence == sentence]
            if earlier and not _CLAUSE_OPENING_CUE_RE.match(self.text, clause_start):
                source = earlier[-1].source  # "...; đồng thời cụ thể hóa ..." goes on with the same subject
            else:
                self.pending.append((cue, target, sentence))
                self.incoming[id(target)] = ("pending", cue.relation, cue)
                return True
        if source is not None:
            self._add(source, cue.relation, target, cue, sentence)
            self.incoming[id(target)] = (source, cue.relation, cue)
        return True

    def _continue_list(self, previous: Citation | None, target: Citation, sentence: Sentence) -> None:
        """A target listed right after another gets the same source and relation."""
        if previous is None or id(previous) not in self.incoming or not self._listed(previous, target):
            return
        source, relation, cue = self.incoming[id(previous)]
        self.incoming[id(target)] = (source, relation, cue)
        if source == "pending":
            self.pending.append((cue, target, sentence))
        else:
            self._add(source, relation, target, cue, sentence)

    def passive_subjects(self, position: int, clause_start: int, new: Citation) -> list[Citation]:
        """What "... được thay thế bởi X" is said of: the clause's last document of
        X's type (a plan replaces a plan), else its last document; with the
        documents listed before it."""
        clause_start = max(clause_start, position - 2 * _MAX_SUBJECT_GAP)
        in_clause = [c for c in self.citations.between(clause_start, position) if c.ext_end <= position]
        if not in_clause:
            return []
        same_type = [c for c in in_clause if lexicon.type_code(c.type) == lexicon.type_code(new.type)]
        subjects = [(same_type or in_clause)[-1]]
        while True:
            index = in_clause.index(subjects[0])
            if index == 0 or not self._listed(in_clause[index - 1], subjects[0]):
                return subjects
            subjects.insert(0, in_clause[index - 1])

    def _read_passives_of_own_document(self, sentence: Sentence) -> None:
        """ "... được thay thế bởi Kế hoạch này": the text's own document is the source."""
        if self.header is None:
            return  # a text without a header has no own document
        for cue in self.cues.between(sentence.start, sentence.end):
            if not cue.reverse:
                continue
            this = _this_document_re().match(self.text, cue.end, sentence.end)
            own = this and (self.own_document(lexicon.canonical_type_word(this.group("head"))))
            if own:
                for affected in self.passive_subjects(cue.start, self._clause_start(sentence, cue.start), own):
                    self._add(own, cue.relation, affected, cue, sentence)

    def _clause_start(self, sentence: Sentence, position: int) -> int:
        index = bisect_left(self.clause_marks, position) - 1
        if index >= 0 and self.clause_marks[index] >= sentence.start:
            return self.clause_marks[index] + 1
        return sentence.start

    def _listed(self, previous: Citation, target: Citation) -> bool:
        gap = self.text[previous.ext_end : target.start]
        if _fullmatch(_LIST_RE, gap):
            return True
        item_end = gap.find(";")
        if item_end >= 0 and not self._has_cue(previous.ext_end, previous.ext_end + item_end):
            return _fullmatch(_LIST_RE, gap[item_end:])  # "...; " ends one item of a list of clauses
        title = _TITLE_RE.match(gap)
        return (
            bool(title)
            and not self._has_cue(previous.ext_end, target.start)
            and _fullmatch(_LIST_RE, gap[title.end() :])
        )

    def _has_cue(self, start: int, end: int) -> bool:
        return bool(self.cues.between(start, end))

    def _settle(self, pending, sentence: Sentence, following: list[Sentence]):
        """Give pending targets their source: the document issued now or next, or the text's own.

        A preamble goes on while its clauses end with ";" or ",": the document
        issued by the sentence that closes it is the source of all of them.
        """
        if not pending:
            return pending
        issued = self.issued_after(pending[-1][1].end, sentence)
        if issued is None and following:
            if self.text[sentence.end - 1] in ";,":
                return pending
            issued = self.issued_after(following[0].start, following[0])
        source = issued or self.header
        if source is not None:
            for cue, target, where in pending:
                self._add(source, cue.relation, target, cue, where)
        return []

    def _add(self, source: Citation, relation: str, target: Citation, cue: _Cue, sentence: Sentence) -> None:
        if source is target:
            return
        self.links.append(Link(source, relation, target, (cue.start, cue.end), sentence))
        self.sources.add(id(source))


def relate(text: str, citations: list[Citation], spans: list[Sentence]) -> tuple[list[Link], list[Citation]]:
    """The relations a text states (in its sentences `spans`), and the documents without a number they involve."""
    if not citations:
        return [], []  # a relation needs a cited document
    reader = _Reader(text, citations)
    reader.read(spans)
    return reader.links, reader.unnumbered
