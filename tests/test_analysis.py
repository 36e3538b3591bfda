"""`kg show`, `kg stats` and `kg analyze` (kg.analyze) on the fixture graph of tests/fixtures."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg import build, open_store
from kg.analyze import analyze
from kg.cli import main

CORPUS = Path(__file__).parent / "fixtures" / "corpus"


@pytest.fixture(scope="module")
def store_path(tmp_path_factory) -> str:
    location = str(tmp_path_factory.mktemp("fixture") / "kg-store")
    build([CORPUS], store=location)
    return location


def invoke(*arguments: str) -> str:
    result = CliRunner().invoke(main, list(arguments))
    assert result.exit_code == 0, result.output
    return result.output


def test_show_gives_statements_relations_and_evidence(store_path):
    shown = invoke("show", "01-KL/TW", "--store", store_path)
    assert shown.startswith(
        "Kết luận 01-KL/TW · central · 2021-05-18\n<https://kg.example.org/eli/vn/dang/tw/kl/xiii/1>"
    )
    assert "  eli:date_document    2021-05-19  [" in shown and "ha-tinh-2022-12-ke-hoach-129.txt]" in shown
    assert "Relations out: 1\n  implements -> 05-CT/TW  [1 source]" in shown
    assert "Relations in: 2\n  implements <- 129-KH/TU  [1 source]\n  implements <- 45-KH/TU  [1 source]" in shown
    assert "Evidence: 3" in shown
    assert "  129-KH/TU implements 01-KL/TW  (thực hiện; " in shown


def test_show_of_an_unknown_document_is_one_line(store_path):
    result = CliRunner().invoke(main, ["show", "99-CT/TW", "--store", store_path])
    assert result.exit_code == 1 and "no document" in result.output and "99-CT/TW" in result.output


def test_stats_reads_the_counts_the_build_kept(store_path):
    stats = invoke("stats", "--store", store_path)
    assert stats.startswith("texts: 6\ndocuments: 7\nrelations: 7\nunresolved: 2\nwarnings: 0\n")
    assert "share unresolved: 22.2% of 9 references" in stats
    assert "Documents by type:\n       5  Kế hoạch\n       1  Chỉ thị\n       1  Kết luận" in stats
    assert "Documents by level of the issuer:\n       4  province\n       2  central\n       1  district" in stats
    assert "       2  Quảng Bình" in stats
    assert "Relations by name:\n       7  implements" in stats


def test_analysis_of_reach_depth_centrality_cycles_and_lag(store_path):
    with open_store(store_path, read_only=True) as store:
        analysis = analyze(store, top=3)
    assert [(r.label, r.value) for r in analysis.reach] == [("05-CT/TW", 4), ("01-KL/TW", 3), ("17-KH/TU", 1)]
    assert [(r.label, r.value) for r in analysis.depth] == [("05-CT/TW", 3), ("01-KL/TW", 2), ("45-KH/TU", 1)]
    assert {r.label for r in analysis.central[:2]} == {"17-KH/TU", "18-KH/TU"}
    (cycle,) = analysis.cycles
    assert sorted((link.implementer, link.implemented) for link in cycle) == [
        ("17-KH/TU", "18-KH/TU"),
        ("18-KH/TU", "17-KH/TU"),
    ]
    assert all(len(link.sentences) == 1 and "quang-binh-2023" in link.sentences[0] for link in cycle)
    lags = {lag.level: (lag.links, lag.median_days, lag.min_days, lag.max_days) for lag in analysis.lag}
    assert lags == {"central": (1, 1829, 1829, 1829), "district": (1, 26, 26, 26), "province": (4, 283, -3, 661)}


def test_analyze_json_is_for_machines(store_path):
    report = json.loads(invoke("analyze", "--format", "json", "--store", store_path))
    assert report["documents"] == 7 and report["implements_links"] == 7
    assert report["cycles"][0][0]["sentences"]
    assert "Cycles of implements (data errors): 1" in invoke("analyze", "--store", store_path)
