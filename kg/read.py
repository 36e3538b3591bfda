"""Read files into texts: find the encoding, refuse what is not text.

Texts come from scrapers and portals in every encoding Vietnamese has been
written in. A file is decoded as UTF-8 (with or without a BOM), UTF-16 with a
BOM, or Windows-1258; anything else, and anything that is not text at all,
raises `ReadError` with one line a person can act on.
"""

from __future__ import annotations

import hashlib
import os
import stat
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

TEXT_SUFFIXES = (".txt",)

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
class Source:
    """A text as read from a file."""

    path: str
    text: str
    encoding: str
    sha256: str


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


def read_source(path: str | Path) -> Source:
    """Read one file; `-` reads standard input."""
    name = str(path)
    if name == "-":
        data = sys.stdin.buffer.read()
    else:
        _require_regular_file(Path(path), name)
        try:
            data = Path(path).read_bytes()
        except FileNotFoundError:
            raise ReadError(f"{name}: no such file") from None
        except PermissionError:
            raise ReadError(f"{name}: permission denied") from None
        except OSError as error:
            raise ReadError(f"{name}: cannot be read ({error.strerror})") from None
    text, encoding = decode(data, name)
    if not text.strip():
        raise ReadError(f"{name}: empty file, no text to read")
    return Source(name, text, encoding, hashlib.sha256(data).hexdigest())


def _require_regular_file(path: Path, name: str) -> None:
    """Refuse what is not a plain file before opening it: a FIFO or a device would block
    or never end, even for root."""
    if path.is_symlink() and not path.exists():
        raise ReadError(f"{name}: broken symbolic link (to {os.readlink(path)}); fix or remove the link")
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        raise ReadError(f"{name}: no such file") from None
    except OSError as error:
        raise ReadError(f"{name}: cannot be read ({error.strerror})") from None
    if stat.S_ISDIR(mode):
        raise ReadError(f"{name}: is a directory")
    if not stat.S_ISREG(mode):
        raise ReadError(f"{name}: not a regular file (a FIFO, socket or device); give kg the text as a file")


def file_sha256(path: str | Path) -> str:
    """Checksum of a file's bytes, read in blocks; ReadError when it is not a readable file."""
    name = str(path)
    _require_regular_file(Path(path), name)
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
    """Files as given, and the text files inside folders, in a stable order. Entries of a
    folder that only look like text files (FIFOs, broken links) are yielded too, so that
    reading them reports them instead of skipping them silently."""
    for path in paths:
        folder = Path(path)
        if str(path) != "-" and folder.is_dir():
            for child in sorted(folder.rglob("*")):
                if child.suffix.lower() in TEXT_SUFFIXES and not child.is_dir():
                    yield str(child)
        else:
            yield str(path)
