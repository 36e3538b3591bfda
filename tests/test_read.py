"""Reading files: encodings people have, and one clear line for what cannot be read."""

import unicodedata

import pytest

from kg.read import ReadError, expand, read_source

TEXT = "Kế hoạch số 129-KH/TU của Tỉnh ủy Hà Tĩnh"


TONE_MARKS = "\u0300\u0301\u0303\u0309\u0323"


def cp1258(text: str) -> bytes:
    """Windows-1258 writes letters with their vowel marks whole and tones as combining marks."""
    letters = []
    for letter in unicodedata.normalize("NFC", text):
        marks = unicodedata.normalize("NFD", letter)
        shape = unicodedata.normalize("NFC", "".join(mark for mark in marks if mark not in TONE_MARKS))
        letters.append(shape + "".join(mark for mark in marks if mark in TONE_MARKS))
    return "".join(letters).encode("cp1258")


@pytest.mark.parametrize(
    "encoded,encoding",
    [
        (TEXT.encode("utf-8"), "utf-8"),
        (b"\xef\xbb\xbf" + TEXT.encode("utf-8"), "utf-8-sig"),
        (TEXT.encode("utf-16"), "utf-16"),
        (cp1258(TEXT), "cp1258"),
    ],
)
def test_encodings(tmp_path, encoded, encoding):
    path = tmp_path / "text.txt"
    path.write_bytes(encoded)
    source = read_source(path)
    assert source.encoding == encoding
    assert "129-KH/TU" in source.text
    assert len(source.sha256) == 64


@pytest.mark.parametrize(
    "content,reason",
    [
        (b"%PDF-1.7\n...", "binary file (a PDF document)"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "binary file (a PNG image)"),
        (b"abc\x00def", "binary file"),
        (b"", "empty file"),
        (b"  \n\t \n", "empty file"),
        (b"\xef\xbb\xbf\xff\xfe bad", "invalid utf-8-sig"),
        (b"\x81\x8d\x8f\x90\x9d", "undecodable text"),
    ],
)
def test_unreadable_files_name_the_file_and_the_reason(tmp_path, content, reason):
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    with pytest.raises(ReadError) as error:
        read_source(path)
    message = str(error.value)
    assert message.startswith(str(path) + ": ")
    assert reason in message
    assert "\n" not in message


def test_missing_file(tmp_path):
    with pytest.raises(ReadError, match="no such file"):
        read_source(tmp_path / "nowhere.txt")


def test_folders_expand_to_their_text_files_in_order(tmp_path):
    (tmp_path / "b").mkdir()
    for name in ("b/2.txt", "1.txt", "b/notes.md"):
        (tmp_path / name).write_text(TEXT, encoding="utf-8")
    assert list(expand([tmp_path])) == [str(tmp_path / "1.txt"), str(tmp_path / "b" / "2.txt")]
