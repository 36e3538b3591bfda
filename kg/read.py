"""Read files into texts: find the encoding, refuse what is not text.

Texts come from scrapers and portals in every encoding Vietnamese has been
written in. A file is decoded as UTF-8 (with or without a BOM), UTF-16 with a
BOM, or Windows-1258; anything else, and anything that is not text at all,
raises `ReadError` with one line a person can act on.

Saved web pages, PDFs, Word files and JSON Lines records are read by the reader
their suffix names in `READERS`; each gives the text it holds and the metadata it
states (url, date, province, district), which a sidecar `NAME.json` overrides.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import json
import logging
import os
import re
import stat
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

_MAGIC = {
    b"%PDF": "a PDF document",
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"PK\x03\x04": "a ZIP archive (or a Word/Excel file)",
    b"\xd0\xcf\x11\xe0": "an old Office document",
    b"\x1f\x8b": "a gzip archive",
}
_VIETNAMESE = set("ăâđêôơưĂÂĐÊÔƠƯ") | {chr(c) for c in range(0x0300, 0x0324)}


class ReadError(Exception):
    """A file that cannot be read as text; the message names the file and the reason."""


@dataclass(frozen=True)
class Metadata:
    """What a file states about its text: where it was published, when, and where about."""

    url: str | None = None
    date: str | None = None
    province: str | None = None
    district: str | None = None

    def over(self, other: Metadata) -> Metadata:
        """These values, and `other`'s where these are empty."""
        return Metadata(*(getattr(self, name) or getattr(other, name) for name in _METADATA_FIELDS))

    @classmethod
    def of(cls, data: dict) -> Metadata:
        """The metadata fields of a JSON object; values that are not text are left out."""
        return cls(*(_string(data.get(name)) for name in _METADATA_FIELDS))


_METADATA_FIELDS = tuple(field.name for field in dataclasses.fields(Metadata))


def _string(value) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


@dataclass(frozen=True)
class Source:
    """A text as read from a file."""

    path: str  # the file read
    text: str  # what the extractor reads; mention offsets index it
    encoding: str  # how the bytes became text: a text encoding, or the format read
    sha256: str  # of the file's bytes
    location: str  # the text's identity: the file, or a record's url or FILE#LINE
    metadata: Metadata = Metadata()


@dataclass(frozen=True)
class _Part:
    """One text a reader found in a file."""

    text: str
    encoding: str
    metadata: Metadata = Metadata()
    line: int | None = None  # the line of a JSON Lines record


def decode(data: bytes, name: str) -> tuple[str, str]:
    """(text, encoding) of raw bytes, or ReadError."""
    if data.startswith(b"\xef\xbb\xbf"):
        return _strict(data, "utf-8-sig", name), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _strict(data, "utf-16", name), "utf-16"
    for magic, kind in _MAGIC.items():
        if data.startswith(magic):
            raise ReadError(f"{name}: binary file ({kind}), not text; convert it to a .txt file first")
    if b"\x00" in data[:4096]:
        raise ReadError(f"{name}: binary file (it contains NUL bytes), not text")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as error:
        _refuse_damaged_utf8(data, error, name)
    try:
        text = data.decode("cp1258")
    except UnicodeDecodeError:
        text = ""
    if text and _looks_vietnamese(text):
        return text, "cp1258"
    raise ReadError(f"{name}: undecodable text (tried UTF-8, UTF-16 with BOM and cp1258); save it as UTF-8")


def _refuse_damaged_utf8(data: bytes, error: UnicodeDecodeError, name: str) -> None:
    """Refuse UTF-8 with a few bad bytes: decoded as cp1258 it would be silent mojibake.
    cp1258 text almost never forms valid UTF-8 sequences, so more valid non-ASCII letters
    than bad bytes means the file was meant as UTF-8 and got damaged."""
    decoded = data.decode("utf-8", errors="replace")
    bad = decoded.count("\ufffd")
    letters = sum(1 for ch in decoded if ch > "\x7f") - bad
    if letters > bad:
        raise ReadError(
            f"{name}: invalid UTF-8 at byte {error.start} ({bad} bad byte(s)); repair or re-save it as UTF-8"
        )


def _strict(data: bytes, encoding: str, name: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as error:
        raise ReadError(f"{name}: invalid {encoding} at byte {error.start}; save it as UTF-8") from None


def _looks_vietnamese(text: str) -> bool:
    controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\n\r\t")
    return controls == 0 and any(ch in _VIETNAMESE for ch in text)


# ---- readers: (bytes, name) -> the texts of a file --------------------------------------------

# Front matter as static-site generators write it: `---`, `key: value` lines, `---`.
_FRONT_MATTER = re.compile(r"---[ \t]*\r?\n((?:[A-Za-z_][\w-]*[ \t]*:.*\r?\n)*)---[ \t]*(?:\r?\n|$)", re.ASCII)
_FRONT_LINE = re.compile(r"([A-Za-z_][\w-]*)[ \t]*:[ \t]*(.*?)[ \t]*$", re.ASCII | re.MULTILINE)


def read_text(data: bytes, name: str) -> Iterator[_Part]:
    """A plain text, with its front matter read as metadata. The front matter is blanked,
    not cut, so that offsets still index the file as written."""
    text, encoding = decode(data, name)
    front = _FRONT_MATTER.match(text)
    if not front:
        yield _Part(text, encoding)
        return
    fields = {key.lower(): value.strip().strip("\"'") for key, value in _FRONT_LINE.findall(front.group(1))}
    blank = re.sub(r"[^\r\n]", " ", front.group(0))
    yield _Part(blank + text[front.end() :], encoding, Metadata.of(fields))


def read_html(data: bytes, name: str) -> Iterator[_Part]:
    """The main text of a saved web page, without its menus, sidebars and footer, and the
    url and date its meta tags give."""
    import trafilatura

    # Only the page's markup is searched for a date: a date written in the article is
    # what the extractor reads, not the publication date.
    page = trafilatura.bare_extraction(
        data,
        with_metadata=True,
        include_comments=False,
        date_extraction_params={"extensive_search": False, "original_date": True},
    )
    if page is None or not (page.text or "").strip():
        raise ReadError(f"{name}: no article text found in the page; save the article's text as a .txt file")
    yield _Part(page.text, "html", Metadata(url=_string(page.url), date=_string(page.date)))


def read_pdf(data: bytes, name: str) -> Iterator[_Part]:
    """The text layer of a PDF, and its creation date."""
    from pypdf import PdfReader

    # pypdf logs each flaw it works around; a file that fails is one ReadError line instead.
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        pdf = PdfReader(io.BytesIO(data))
        # Layout mode places glyphs by position: the plain mode splits words at every font
        # change, which PDFs printed by browsers make around each Vietnamese letter.
        pages = [page.extract_text(extraction_mode="layout") for page in pdf.pages]
    except Exception as error:  # pypdf raises all kinds on damaged files
        raise ReadError(f"{name}: damaged or encrypted PDF ({error}); save it again or as a .txt file") from None
    # Layout mode pads columns with runs of spaces and blank lines; one of each is enough.
    text = re.sub(r"[ \t]+", " ", "\n\n".join(pages))
    text = re.sub(r" ?\n ?", "\n", text)
    text = _unwrap(re.sub(r"\n{3,}", "\n\n", text).strip())
    if not text:
        raise ReadError(f"{name}: a PDF without a text layer (a scan?); run OCR first")
    yield _Part(text, "pdf", Metadata(date=_pdf_date(pdf)))


def _unwrap(text: str) -> str:
    """Join the lines a PDF wrapped: a line break ends a sentence for the extractor. A break
    inside a number and symbol (`129-` / `KH/TU`) goes; one before a lower-case word or a
    digit, after no closing punctuation, becomes a space; before a capital it stays, since
    headers (issuer, number, place and date) are lines of their own."""
    text = re.sub(r"(?<=\w[-/])\n(?=\w)", "", text)
    return re.sub(r"(?<=[^\s.;:!?])\n(?=(\w))", lambda m: " " if m[1].islower() or m[1].isdigit() else "\n", text)


def _pdf_date(pdf) -> str | None:
    try:
        created = pdf.metadata and pdf.metadata.creation_date
    except ValueError:  # a creation date that is no date
        return None
    return created.date().isoformat() if created else None


def read_docx(data: bytes, name: str) -> Iterator[_Part]:
    """The paragraphs of a Word file, and of its tables (where official documents keep their
    header: issuer, number, place and date), in document order, one per line."""
    import docx
    from docx.table import Table

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as error:  # python-docx raises what zipfile and lxml raise
        raise ReadError(f"{name}: not a Word .docx file ({error}); save it as .docx or .txt") from None
    lines = []
    for block in document.iter_inner_content():
        if isinstance(block, Table):
            # A merged cell is returned once per grid cell it spans; its text counts once.
            cells = {id(cell._tc): cell for row in block.rows for cell in row.cells}
            lines += [cell.text for cell in cells.values()]
        else:
            lines.append(block.text)
    yield _Part("\n".join(lines), "docx")


def read_jsonl(data: bytes, name: str) -> Iterator[_Part | ReadError]:
    """One text per line, as scrapers write them: {"text", "url", "date", "province",
    "district"}. A bad line is reported as a ReadError and the others are read."""
    text, _ = decode(data, name)
    urls: dict[str, int] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{name}, line {number}"
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            yield ReadError(f"{where}: not JSON ({error.msg}); fix or remove the line")
            continue
        if not isinstance(record, dict) or not _string(record.get("text")):
            yield ReadError(f'{where}: no "text" in the record; give each line a {{"text": ...}} object')
            continue
        metadata = Metadata.of(record)
        # A record's url is its identity in the graph: a second one would overwrite the first.
        if metadata.url in urls:
            yield ReadError(f"{where}: url {metadata.url} already on line {urls[metadata.url]}; keep one record")
            continue
        if metadata.url:
            urls[metadata.url] = number
        yield _Part(record["text"], "jsonl", metadata, number)


# The one place that says how each kind of file is read; any other file is read as text.
READERS: dict[str, Callable[[bytes, str], Iterable[_Part | ReadError]]] = {
    ".txt": read_text,
    ".html": read_html,
    ".htm": read_html,
    ".pdf": read_pdf,
    ".docx": read_docx,
    ".jsonl": read_jsonl,
}


def sidecar(path: str | Path) -> str:
    """The metadata file of an input: `NAME.json` beside `NAME.html`, `NAME.pdf`, ..."""
    # String operations: a build asks this of every file, and pathlib costs several times more.
    return os.path.splitext(path)[0] + ".json"


def _sidecar_metadata(path: str | Path) -> Metadata:
    metadata_file = sidecar(path)
    if str(path) == "-" or metadata_file == str(path) or not os.path.isfile(metadata_file):
        return Metadata()
    try:
        with open(metadata_file, encoding="utf-8") as handle:
            data = json.loads(handle.read())
    except (OSError, ValueError) as error:
        raise ReadError(f"{metadata_file}: unreadable metadata of {path} ({error}); fix it or remove it") from None
    if not isinstance(data, dict):
        raise ReadError(f'{metadata_file}: metadata of {path} must be one JSON object {{"url": ..., "date": ...}}')
    return Metadata.of(data)


def read_sources(path: str | Path) -> tuple[list[Source], list[str]]:
    """The texts of one file, and one line for each record of it that could not be read;
    ReadError when the file itself cannot be read. `-` reads standard input as text."""
    name = str(path)
    data = _read_bytes(path, name)
    digest = hashlib.sha256(data).hexdigest()
    given = _sidecar_metadata(path)
    sources, failures = [], []
    for part in READERS.get(os.path.splitext(name)[1].lower(), read_text)(data, name):
        if isinstance(part, ReadError):
            failures.append(str(part))
            continue
        if not part.text.strip():
            raise ReadError(f"{name}: empty file, no text to read")
        metadata = given.over(part.metadata)
        location = name if part.line is None else metadata.url or f"{name}#{part.line}"
        sources.append(Source(name, part.text, part.encoding, digest, location, metadata))
    if not sources and not failures:
        raise ReadError(f"{name}: empty file, no text to read")
    return sources, failures


def read_source(path: str | Path) -> Source:
    """The one text of a file; `-` reads standard input."""
    sources, failures = read_sources(path)
    if failures:
        raise ReadError(failures[0])
    if len(sources) > 1:
        raise ReadError(f"{path}: holds {len(sources)} texts, not one; give it to kg extract or kg build")
    return sources[0]


def _read_bytes(path: str | Path, name: str) -> bytes:
    if name == "-":
        return sys.stdin.buffer.read()
    _require_regular_file(name)
    try:
        with open(name, "rb") as handle:
            return handle.read()
    except FileNotFoundError:
        raise ReadError(f"{name}: no such file") from None
    except PermissionError:
        raise ReadError(f"{name}: permission denied") from None
    except OSError as error:
        raise ReadError(f"{name}: cannot be read ({error.strerror})") from None


def _require_regular_file(name: str) -> None:
    """Refuse what is not a plain file before opening it: a FIFO or a device would block
    or never end, even for root."""
    try:
        mode = os.stat(name).st_mode
    except OSError as error:
        if os.path.islink(name) and not os.path.exists(name):
            raise ReadError(f"{name}: broken symbolic link (to {os.readlink(name)}); fix or remove the link") from None
        if isinstance(error, FileNotFoundError):
            raise ReadError(f"{name}: no such file") from None
        raise ReadError(f"{name}: cannot be read ({error.strerror})") from None
    if stat.S_ISDIR(mode):
        raise ReadError(f"{name}: is a directory")
    if not stat.S_ISREG(mode):
        raise ReadError(f"{name}: not a regular file (a FIFO, socket or device); give kg the text as a file")


def file_sha256(path: str | Path) -> str:
    """Checksum of a file's bytes, read in blocks; ReadError when it is not a readable file."""
    name = str(path)
    _require_regular_file(name)
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    except PermissionError:
        raise ReadError(f"{name}: permission denied") from None
    except OSError as error:
        raise ReadError(f"{name}: cannot be read ({error.strerror})") from None
    return digest.hexdigest()


def expand(paths: Iterable[str | Path]) -> Iterator[str]:
    """Files as given, and the files inside folders that a reader reads, in a stable order.
    Entries of a folder that only look like such files (FIFOs, broken links) are yielded
    too, so that reading them reports them instead of skipping them silently."""
    for path in paths:
        if str(path) != "-" and os.path.isdir(path):
            found = [
                os.path.join(folder, name)
                for folder, _, names in os.walk(Path(path))  # links to folders are not followed
                for name in names
                if os.path.splitext(name)[1].lower() in READERS
            ]
            yield from sorted(found, key=lambda file: file.split(os.sep))
        else:
            yield str(path)
