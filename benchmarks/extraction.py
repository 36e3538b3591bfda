"""Extraction speed: MB/s and texts/s on the gold texts, and on hostile input (the same
inputs tests/test_linear_time.py bounds), each also at half its size: a time that
doubles when the input doubles is linear.

python benchmarks/extraction.py            # prints a Markdown section
python benchmarks/extraction.py --write    # also replaces it in docs/benchmarks.md
"""

from __future__ import annotations

import argparse
import datetime as dt
import platform
import re
import statistics
import sys
import time
from pathlib import Path

import kg
from kg import extract

ROOT = Path(__file__).resolve().parent.parent
REPORT = ROOT / "docs" / "benchmarks.md"
SECTION = "## Extraction"
MEGABYTE = 1_000_000
# Long runs of what references are made of: unit -> size in characters.
ADVERSARIAL = {
    "số 1-": 2 * MEGABYTE,
    "/": 2 * MEGABYTE,
    "1234567890": 2 * MEGABYTE,
    "ngày ": 2 * MEGABYTE,
    "ngày 1/1/20": 2 * MEGABYTE,
    "05 - ": 2 * MEGABYTE,
    "thực hiện Kế hoạch được ban hành ": 2 * MEGABYTE,
    "Kế hoạch số 1-KH/": MEGABYTE,  # a citation every 17 characters, in one sentence
    "Căn cứ Luật Đất đai số 31/2024/QH15;\n": MEGABYTE,  # a preamble that never ends
    "Ngày 2/12/2022, BTV Tỉnh ủy Hà Tĩnh ban hành Kế hoạch số 12-KH/TU thực hiện Chỉ thị 05-CT/TW. ": MEGABYTE,
}


def repeated(unit: str, size: int) -> str:
    return (unit * (size // len(unit) + 1))[:size]


def cpu() -> str:
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown CPU"


def timed(texts: list[str], repeat: int = 3) -> float:
    runs = []
    for _ in range(repeat):
        started = time.perf_counter()
        for text in texts:
            extract(text)
        runs.append(time.perf_counter() - started)
    return statistics.median(runs)


def measure() -> str:
    texts = [path.read_text(encoding="utf-8") for path in sorted((ROOT / "tests" / "gold").glob("*.txt"))]
    size = sum(len(text.encode("utf-8")) for text in texts)
    seconds = timed(texts)
    bare = re.compile(r"\d{1,5}[ -]*[A-ZĐ]+/[A-ZĐ]+")
    started = time.perf_counter()
    for text in texts:
        bare.findall(text)
    bare_seconds = time.perf_counter() - started
    lines = [
        SECTION,
        "",
        f"Measured {dt.date.today().isoformat()} on {platform.machine()} ({cpu()}),"
        f" Python {platform.python_version()}, kg {kg.__version__}, one core.",
        "Command: `python benchmarks/extraction.py --write`.",
        "",
        "| input | size | time | throughput | time ÷ time at half the size (2 is linear) |",
        "|---|---|---|---|---|",
        f"| the {len(texts)} gold texts (news, portal posts, official documents) | {size / 1e6:.2f} MB"
        f" | {seconds:.2f} s | {size / 1e6 / seconds:.2f} MB/s, {len(texts) / seconds:.0f} texts/s | |",
        f"| the same bytes, one compiled regex for Party symbols only (the floor) | {size / 1e6:.2f} MB"
        f" | {bare_seconds:.3f} s | {size / 1e6 / bare_seconds:.0f} MB/s | |",
    ]
    for unit, length in ADVERSARIAL.items():
        text = repeated(unit, length)
        megabytes = len(text.encode("utf-8")) / 1e6
        half_seconds = timed([repeated(unit, length // 2)], repeat=1)
        hostile_seconds = timed([text], repeat=1)
        lines.append(
            f"| hostile: `{unit.strip()}` repeated | {megabytes:.2f} MB | {hostile_seconds:.2f} s"
            f" | {megabytes / hostile_seconds:.2f} MB/s | {hostile_seconds / half_seconds:.2f}× |"
        )
    return "\n".join(lines) + "\n"


def write(section: str, heading: str = SECTION) -> None:
    """Replace the section under `heading` in docs/benchmarks.md, or append it."""
    existing = REPORT.read_text(encoding="utf-8") if REPORT.exists() else "# Benchmarks\n\n"
    pattern = re.compile(rf"^{re.escape(heading)}\n.*?(?=^## |\Z)", re.M | re.S)
    updated = (
        pattern.sub(section + "\n", existing) if pattern.search(existing) else existing.rstrip() + "\n\n" + section
    )
    REPORT.write_text(updated, encoding="utf-8")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="replace the section in docs/benchmarks.md")
    arguments = parser.parse_args()
    result = measure()
    sys.stdout.write(result)
    if arguments.write:
        write(result)
