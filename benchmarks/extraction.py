"""Extraction speed: MB/s and texts/s on the gold texts, and on hostile input.

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
HOSTILE = {"số 1-": 1_000_000, "/": 1_000_000, "ngày 1/1/20": 1_000_000, "Kế hoạch số 1-KH/": 250_000}


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
        "| input | size | time | throughput |",
        "|---|---|---|---|",
        f"| the {len(texts)} gold texts (news, portal posts, official documents) | {size / 1e6:.2f} MB"
        f" | {seconds:.2f} s | {size / 1e6 / seconds:.2f} MB/s, {len(texts) / seconds:.0f} texts/s |",
        f"| the same bytes, one compiled regex for Party symbols only (the floor) | {size / 1e6:.2f} MB"
        f" | {bare_seconds:.3f} s | {size / 1e6 / bare_seconds:.0f} MB/s |",
    ]
    for unit, length in HOSTILE.items():
        text = (unit * (length // len(unit) + 1))[:length]
        hostile_seconds = timed([text], repeat=1)
        lines.append(
            f"| hostile: `{unit}` repeated | {length / 1e6:.2f} MB | {hostile_seconds:.2f} s"
            f" | {length / 1e6 / hostile_seconds:.2f} MB/s |"
        )
    return "\n".join(lines) + "\n"


def write(section: str) -> None:
    existing = REPORT.read_text(encoding="utf-8") if REPORT.exists() else "# Benchmarks\n\n"
    pattern = re.compile(rf"^{re.escape(SECTION)}\n.*?(?=^## |\Z)", re.M | re.S)
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
