"""The extraction pipeline: normalise -> recognise -> relate -> resolve."""

from __future__ import annotations

import dataclasses

from kg.model import Context, Extraction
from kg.normalize import normalize
from kg.recognize import recognize
from kg.relate import relate, sentences
from kg.resolve import resolve, text_date, text_province


def extract(text: str, context: Context | None = None, source: str | None = None) -> Extraction:
    """Everything `text` says about documents and their relations.

    `context` carries what the caller knows (the province or date of the text);
    what it leaves empty is read from the text itself when the text tells.
    """
    context = context or Context()
    normal = normalize(text)
    context = dataclasses.replace(
        context,
        province=context.province or text_province(normal.text),
        date=context.date or text_date(normal.text),
    )
    spans = sentences(normal.text)
    citations = recognize(normal.text, [s.start for s in spans])
    links, unnumbered = relate(normal.text, citations, spans)
    references, relations, warnings = resolve(normal, citations, links, unnumbered, spans, context)
    return Extraction(source, context, references, relations, warnings)
