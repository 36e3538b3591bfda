"""Hard and hostile input through the command line (issue 6, item 1): every bad file is one
line naming it and the reason, the batch goes on, a summary lists the failures, exit 2;
what can be read is read, whatever its encoding, normal form or markup."""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
import unicodedata
from pathlib import Path

import pytest
from test_read import cp1258

PLAN = "Ngày 02/12/2022, Ban Thường vụ Tỉnh ủy Hà Tĩnh ban hành Kế hoạch số 129-KH/TU về việc thực hiện Kết luận số 01-KL/TW."
WANTED = {("129", "KH/TU"), ("01", "KL/TW")}

READABLE = {
    "utf8.txt": PLAN.encode("utf-8"),
    "cp1258.txt": cp1258(PLAN),
    "utf16.txt": PLAN.encode("utf-16"),
    # Decomposed, the look-alike U+00D0 beside a real U+0110, zero-width characters inside numbers.
    "nfd-eth-zw.txt": unicodedata.normalize("NFD", "\u00d0ảng bộ và Đảng ủy. " + PLAN)
    .replace("01-KL", "0\u200b1-\u200dKL")
    .replace("129-KH", "129\u2060-KH\ufeff")
    .encode("utf-8"),
    "markup.txt": (
        '<html><body><p class="lead">Ngày 02/12/2022, Ban Thường vụ Tỉnh ủy Hà Tĩnh ban hành <b>Kế hoạch</b> số'
        " 129-<i>KH</i>/TU</p><p>về việc thực hiện <a href='/kl?id=1&amp;x=2'>Kết&nbsp;luận s&#7889;"
        " 01&#8209;KL/TW</a>.</p></body></html>"
    ).encode("utf-8"),
}
UNREADABLE = {
    "empty.txt": (b"", "empty file"),
    "blank.txt": (b" \n\t\r\n ", "empty file"),
    "photo.txt": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary file (a PNG image)"),
    "scan.txt": (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "binary file (a PDF document)"),
    # Vietnamese UTF-8 with two damaged bytes: cp1258 would read it as mojibake.
    "damaged.txt": (PLAN.encode("utf-8")[:20] + b"\xff" + PLAN.encode("utf-8")[20:] + b"\xc3", "invalid UTF-8"),
}


def kg(*args: str | Path, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "kg", *map(str, args)], capture_output=True, text=True, timeout=timeout
    )


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A scraped folder: readable texts in every form, and files nothing can read, not even root."""
    folder = tmp_path / "scraped"
    (folder / "sub").mkdir(parents=True)
    for name, content in READABLE.items():
        (folder / name).write_bytes(content)
    for name, (content, _) in UNREADABLE.items():
        (folder / "sub" / name).write_bytes(content)
    os.mkfifo(folder / "sub" / "pipe.txt")  # reading would block forever
    (folder / "sub" / "gone.txt").symlink_to(tmp_path / "deleted.txt")
    return folder


UNREADABLE_REASONS = {
    **{f"sub/{name}": reason for name, (_, reason) in UNREADABLE.items()},
    "sub/pipe.txt": "not a regular file",
    "sub/gone.txt": "broken symbolic link",
}


def assert_each_failure_reported_once(stderr: str, folder: Path) -> None:
    lines = [line for line in stderr.splitlines() if line.strip() and "Building" not in line]
    for relative, reason in UNREADABLE_REASONS.items():
        path = str(folder / relative)
        (line,) = [line for line in lines if f"{path}: " in line and "could not be read" not in line]
        assert reason in line, line
    summary = lines[-1]
    assert summary.startswith(f"kg: {len(UNREADABLE_REASONS)} file(s) could not be read: ")
    assert all(str(folder / relative) in summary for relative in UNREADABLE_REASONS)


def test_extract_reads_every_readable_form_and_reports_each_bad_file(folder):
    result = kg("extract", folder)
    assert result.returncode == 2, result.stderr
    assert_each_failure_reported_once(result.stderr, folder)
    extractions = {Path(e["source"]).name: e for e in map(json.loads, result.stdout.splitlines())}
    assert set(extractions) == set(READABLE)
    for name, extraction in extractions.items():
        original = (
            (folder / name).read_bytes().decode({"utf16.txt": "utf-16", "cp1258.txt": "cp1258"}.get(name, "utf-8"))
        )
        assert {(r["number"], r["symbol"]) for r in extraction["references"]} == WANTED, name
        assert [r["relation"] for r in extraction["relations"]] == ["implements"], name
        for reference in extraction["references"]:
            for mention in reference["mentions"]:
                assert original[mention["start"] : mention["end"]] == mention["text"], name


def test_references_inside_markup_keep_offsets_into_the_markup(folder):
    result = kg("extract", folder / "markup.txt", "--format", "json")
    (extraction,) = json.loads(result.stdout)
    mentions = {m["text"] for r in extraction["references"] for m in r["mentions"]}
    assert mentions == {"Kế hoạch</b> số 129-<i>KH</i>/TU", "Kết&nbsp;luận s&#7889; 01&#8209;KL/TW"}
    relation = extraction["relations"][0]
    assert "<b>Kế hoạch</b>" in relation["evidence"]["text"]


def test_build_skips_bad_files_lists_them_and_builds_the_rest(folder, tmp_path):
    store = tmp_path / "store"
    result = kg("build", folder, "--store", store)
    assert result.returncode == 2, result.stderr
    assert_each_failure_reported_once(result.stderr, folder)
    assert f"failed {len(UNREADABLE_REASONS)}" in result.stdout
    assert f"texts: {len(READABLE)} (built {len(READABLE)}" in result.stdout
    tree = kg("trace", "01-KL/TW", "--store", store).stdout.splitlines()
    assert tree[1:] == [
        f"└─ Kế hoạch 129-KH/TU · Hà Tĩnh · 2022-12-02  [{len(READABLE)} sources]"
    ]  # one plan in five forms
    assert kg("check", "--store", store).returncode == 0


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
def test_a_file_without_read_permission_is_reported_and_skipped(tmp_path):
    (tmp_path / "good.txt").write_text(PLAN, encoding="utf-8")
    locked = tmp_path / "locked.txt"
    locked.write_text(PLAN, encoding="utf-8")
    locked.chmod(0)
    for command in (["extract", tmp_path], ["build", tmp_path, "--store", tmp_path / "store"]):
        result = kg(*command)
        assert result.returncode == 2
        assert f"{locked}: permission denied" in result.stderr


def test_a_file_the_system_refuses_to_read_is_reported_and_skipped(tmp_path, monkeypatch):
    """The same for root, who reads every file whatever its mode: the refusal comes from
    the operating system's answer, given here in place of the system."""
    from click.testing import CliRunner

    from kg.cli import main

    (tmp_path / "good.txt").write_text(PLAN, encoding="utf-8")
    locked = tmp_path / "locked.txt"
    locked.write_text(PLAN, encoding="utf-8")
    real_read_bytes, real_open = Path.read_bytes, open

    def refused(path):
        if str(path) == str(locked):
            raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(Path, "read_bytes", lambda path: refused(path) or real_read_bytes(path))
    monkeypatch.setattr("builtins.open", lambda path, *a, **k: refused(path) or real_open(path, *a, **k))
    for command in (["extract", str(tmp_path)], ["build", str(tmp_path), "--store", str(tmp_path / "store")]):
        result = CliRunner().invoke(main, command)
        assert result.exit_code == 2
        assert f"{locked}: permission denied" in result.stderr
        assert "129-KH/TU" in result.stdout or "texts: 1 (built 1" in result.stdout


def test_a_50_megabyte_file_without_a_newline_finishes_in_bounded_time_and_memory(tmp_path):
    """Prose on one line, as a page scraped whole; the bounds are generous on purpose
    (about 80 s and 0.5 GB at the time of writing; quadratic work would take days)."""
    prose = "Các cấp ủy, tổ chức đảng tiếp tục đẩy mạnh học tập và làm theo tư tưởng Hồ Chí Minh. " * 70
    block = (prose + PLAN + " ").encode("utf-8")
    big = tmp_path / "one-line.txt"
    with big.open("wb") as handle:
        for _ in range(50_000_000 // len(block) + 1):
            handle.write(block)
    assert big.stat().st_size >= 50_000_000
    started = time.monotonic()
    result = kg("extract", big, "--format", "table", timeout=900)
    seconds = time.monotonic() - started
    assert result.returncode == 0, result.stderr
    assert seconds < 600
    assert resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss < 3_000_000  # KB: under 3 GB
    assert "129-KH/TU@Hà Tĩnh -> 01-KL/TW" in result.stdout
