"""A synthetic corpus with the structures of real ones, for measuring kg at scale.

python benchmarks/corpus.py N OUT [--seed S]

Writes N texts under OUT/texts in folders of 1,000 (streamed: memory does not grow with
N), and OUT/expected.jsonl: per text, the documents it names, the implements links it
states and the day it gives a plan, as `number-symbol@term` (central) and
`number-symbol@province[/district]` keys. The same N and seed give the same bytes; a plan
has the same day in every text that names it.

What the texts hold, drawn from the shipped reference data: central Party documents of
the registry; provincial plans of every province, those that existed before the
merge of 1 July 2025 and those after it; district plans implementing their province's
plan; news sentences and official-document headers with preambles; and numbers that
name no document (money, phone numbers, counts, article numbers) as noise. Each text
opens with front matter giving the day it was published.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from kg.lexicon import central_documents, districts, provinces

PER_FOLDER = 1000
# A province issues up to this many plans for one central document (a plan, then a plan for
# its review, ...), a district up to DISTRICT_PLANS for one plan of its province: the
# documents are bounded by the bodies that issue them, and a larger corpus holds more texts
# about them, as real corpora do. The numbers leave room for every slot.
PROVINCE_PLANS, PROVINCE_NUMBERS = 3, 400
DISTRICT_PLANS, DISTRICT_NUMBERS = 2, 400
MERGE = dt.date(2025, 7, 1)  # 63 provinces became 34
LAST_DAY = dt.date(2026, 6, 30)  # no plan from the future
PARTY_TYPES = {"CT/TW": "Chỉ thị", "KL/TW": "Kết luận", "NQ/TW": "Nghị quyết", "QĐ/TW": "Quy định"}


@dataclass(frozen=True)
class Text:
    name: str
    body: str
    documents: tuple[str, ...]
    implements: tuple[tuple[str, str], ...]
    dated: tuple[tuple[str, str], ...]  # (document, the day the text gives it)


def _noise(rng: random.Random) -> str:
    return rng.choice(
        [
            f"Hội nghị có {rng.randint(50, 900)} đại biểu tham dự.",
            f"Tổng kinh phí thực hiện là {rng.randint(1, 999)}.{rng.randint(100, 999)} triệu đồng.",
            f"Mọi ý kiến xin gửi về đường dây nóng 0{rng.randint(200, 299)}.{rng.randint(1000000, 9999999)}.",
            f"Năm {rng.randint(2016, 2025)}, toàn tỉnh kết nạp {rng.randint(1000, 9999)} đảng viên mới.",
            f"Theo Điều {rng.randint(2, 40)}, khoản {rng.randint(1, 9)} của quy chế làm việc, các chi bộ báo cáo hằng quý.",
            f"Có {rng.randint(10, 99)}/{rng.randint(100, 199)} tổ chức cơ sở đảng hoàn thành tốt nhiệm vụ.",
        ]
    )


class Generator:
    """Draws texts from one random stream, so each text depends on the seed and its index only."""

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self.central = [d for d in central_documents() if d.symbol in PARTY_TYPES and d.date]
        self.before_merge = [p.name for p in provinces() if not p.valid_from]
        self.after_merge = [p.name for p in provinces() if not p.valid_to]
        self.districts: dict[str, list[str]] = {}
        for district in districts():
            self.districts.setdefault(district.province, []).append(district.name)
        self._numbers: dict[str, list[int]] = {}

    def _plan_number(self, body: str, slot: int, slots: int, numbers: int) -> int:
        """The number of a body's plan in `slot` of its `slots` (one per document it
        implements and variant): each body numbers its plans once, without repeats, so one
        number is one plan."""
        if body not in self._numbers:
            self._numbers[body] = random.Random(f"{self.seed}:{body}").sample(range(1, numbers + 1), slots)
        return self._numbers[body][slot]

    def _plan_date(self, key: str, earliest: dt.date, latest: dt.date) -> dt.date:
        """The day plan `key` was issued: the same in every text that gives it, as a real
        plan has one date, between `earliest` and `latest` (when they leave room)."""
        draw = random.Random(f"{self.seed}:{key}").randint(7, 900)
        return max(min(earliest + dt.timedelta(days=draw), latest), earliest)

    def text(self, index: int) -> Text:
        rng = random.Random(self.seed * 1_000_003 + index)
        central_index = rng.randrange(len(self.central))
        central = self.central[central_index]
        central_key = f"{central.number}-{central.symbol}@{central.term}"
        central_day = dt.date.fromisoformat(central.date)
        # The text's time, before or after the merge, says which provinces it can be about.
        written = min(central_day + dt.timedelta(days=rng.randint(7, 900)), LAST_DAY)
        province = rng.choice(self.after_merge if written >= MERGE else self.before_merge)
        plan_slot = central_index * PROVINCE_PLANS + rng.randrange(PROVINCE_PLANS)
        plan = self._plan_number(province, plan_slot, len(self.central) * PROVINCE_PLANS, PROVINCE_NUMBERS)
        plan_key = f"{plan}-KH/TU@{province}"
        # A province that the merge made is dated after it, one it ended before it.
        earliest = max(central_day, MERGE) if province not in self.before_merge else central_day
        latest = LAST_DAY if province in self.after_merge else MERGE - dt.timedelta(days=1)
        issued = self._plan_date(plan_key, earliest, latest)
        after_merge = issued >= MERGE
        day, month, year = issued.day, issued.month, issued.year
        central_words = f"{central.type} số {central.number}-{central.symbol} ngày {_vietnamese_date(central.date)} của {central.issuer}"
        kind = rng.random()
        documents, implements = [central_key, plan_key], [(plan_key, central_key)]
        dated = [(plan_key, issued.isoformat())]
        if kind < 0.45:
            sentences = [
                f"Ngày {day}/{month}/{year}, Ban Thường vụ Tỉnh ủy {province} ban hành Kế hoạch số {plan}-KH/TU"
                f" về việc thực hiện {central_words} {central.title}.",
                _noise(rng),
                "Kế hoạch yêu cầu các cấp ủy tổ chức quán triệt đến toàn thể cán bộ, đảng viên.",
                _noise(rng),
            ]
        elif kind < 0.8 and province in self.districts and not after_merge:
            district = rng.choice(self.districts[province])
            district_plan = self._plan_number(
                f"{province}/{district}",
                plan_slot * DISTRICT_PLANS + rng.randrange(DISTRICT_PLANS),
                len(self.central) * PROVINCE_PLANS * DISTRICT_PLANS,
                DISTRICT_NUMBERS,
            )
            district_key = f"{district_plan}-KH/HU@{province}/{district}"
            # Districts ended with the merge: a district plan follows its province's, before it.
            district_issued = self._plan_date(district_key, issued, MERGE - dt.timedelta(days=1))
            dated = [(district_key, district_issued.isoformat())]
            sentences = [
                f"Thực hiện Kế hoạch số {plan}-KH/TU của Ban Thường vụ Tỉnh ủy {province} về triển khai"
                f" {central_words}, ngày {district_issued.day}/{district_issued.month}/{district_issued.year}"
                f" Ban Thường vụ Huyện ủy {district} đã ban hành Kế hoạch số {district_plan}-KH/HU để cụ thể hóa.",
                _noise(rng),
                f"Huyện ủy {district} giao Ban Tuyên giáo theo dõi, đôn đốc việc thực hiện.",
            ]
            documents.append(district_key)
            implements.append((district_key, plan_key))
        else:
            sentences = [
                f"TỈNH ỦY {province.upper()}\n*\nSố {plan}-KH/TU",
                f"{province}, ngày {day} tháng {month} năm {year}",
                f"KẾ HOẠCH\nthực hiện {central_words}",
                "-----",
                f"Căn cứ Điều lệ Đảng; căn cứ {central_words} {central.title};",
                f"Ban Thường vụ Tỉnh ủy xây dựng kế hoạch thực hiện như sau. {_noise(rng)}",
            ]
        # Collected news carries the day it was published, as front matter kg reads.
        latest_issued = max(dt.date.fromisoformat(day) for _, day in dated)
        published = min(latest_issued + dt.timedelta(days=rng.randint(0, 10)), LAST_DAY)
        body = f"---\ndate: {published.isoformat()}\n---\n" + "\n".join(sentences) + "\n"
        name = f"{index // PER_FOLDER:04}/{index:08}.txt"
        return Text(name, body, tuple(documents), tuple(implements), tuple(dated))

    def texts(self, count: int) -> Iterator[Text]:
        return (self.text(index) for index in range(count))


def _vietnamese_date(iso: str) -> str:
    year, month, day = iso.split("-")
    return f"{int(day):02}/{int(month):02}/{year}"


def write(count: int, out: Path, seed: int = 1) -> tuple[Path, int]:
    """Writes the corpus; returns the folder of its texts and their size in bytes. What the
    texts state is kept beside that folder, not in it: kg reads any .jsonl it is given."""
    size, texts = 0, out / "texts"
    with (out / "expected.jsonl").open("w", encoding="utf-8") as expected:
        for text in Generator(seed).texts(count):
            path = texts / text.name
            path.parent.mkdir(parents=True, exist_ok=True)
            data = text.body.encode("utf-8")
            path.write_bytes(data)
            size += len(data)
            record = {
                "text": text.name,
                "documents": text.documents,
                "implements": text.implements,
                "dated": text.dated,
            }
            expected.write(json.dumps(record, ensure_ascii=False) + "\n")
    return texts, size


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("count", type=int)
    parser.add_argument("out", type=Path)
    parser.add_argument("--seed", type=int, default=1)
    arguments = parser.parse_args()
    arguments.out.mkdir(parents=True, exist_ok=True)
    folder, written = write(arguments.count, arguments.out, arguments.seed)
    sys.stderr.write(f"{arguments.count} texts, {written / 1e6:.1f} MB in {folder}\n")
