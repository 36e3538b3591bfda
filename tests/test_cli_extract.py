"""`kg extract` and `kg eval` as a user runs them."""

import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from kg.cli import main

SCHEMA = json.loads((Path(__file__).parent.parent / "kg" / "data" / "extraction.schema.json").read_text("utf-8"))
PLAN = "Ban Thường vụ Tỉnh ủy ban hành Kế hoạch số 129-KH/TU về việc thực hiện Kết luận số 01-KL/TW."


@pytest.fixture
def texts(tmp_path):
    first = tmp_path / "a.txt"
    first.write_text(PLAN, encoding="utf-8")
    second = tmp_path / "b.txt"
    second.write_text("Chỉ thị số 05-CT/TW của Bộ Chính trị.", encoding="utf-8")
    return first, second


def run(*args, input=None):
    return CliRunner().invoke(main, list(map(str, args)), input=input)


def test_jsonl_one_object_per_file_in_input_order(texts):
    result = run("extract", *texts)
    assert result.exit_code == 0
    objects = [json.loads(line) for line in result.output.splitlines()]
    assert [o["source"] for o in objects] == [str(t) for t in texts]
    for extraction in objects:
        jsonschema.validate(extraction, SCHEMA)
    relation = objects[0]["relations"][0]
    assert relation["relation"] == "implements"


def test_json_is_one_list_of_the_same_objects(texts):
    lines = [json.loads(line) for line in run("extract", *texts).output.splitlines()]
    assert json.loads(run("extract", "--format", "json", *texts).output) == lines


def test_table_has_a_line_per_reference_and_relation(texts):
    output = run("extract", "--format", "table", texts[0]).output
    assert "129-KH/TU" in output and "01-KL/TW" in output
    assert "implements" in output


def test_context_options_place_local_documents(texts):
    extraction = json.loads(run("extract", "--province", "ha tinh", "--date", "2023-01-05", texts[0]).output)
    plan = next(r for r in extraction["references"] if r["number"] == "129")
    assert plan["province"] == "Hà Tĩnh"
    assert extraction["context"]["date"] == "2023-01-05"


@pytest.mark.parametrize(
    "option,value,message",
    [("--date", "5/1/2023", "YYYY-MM-DD"), ("--province", "Atlantis", "not a province")],
)
def test_bad_options_say_what_to_write(texts, option, value, message):
    result = run("extract", option, value, texts[0])
    assert result.exit_code == 2
    assert message in result.output


def test_bad_files_are_reported_and_skipped(tmp_path, texts):
    binary = tmp_path / "photo.txt"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    result = CliRunner().invoke(
        main, ["extract", str(texts[0]), str(binary), str(tmp_path / "gone.txt"), str(texts[1])]
    )
    assert result.exit_code == 2
    assert [json.loads(line)["source"] for line in result.stdout.splitlines()] == [str(texts[0]), str(texts[1])]
    errors = result.stderr.splitlines()
    assert f"kg: error: {binary}: binary file (a PNG image), not text; convert it to a .txt file first" in errors
    assert any("gone.txt: no such file" in line for line in errors)


def test_standard_input():
    result = run("extract", "-", input=PLAN.encode("utf-8"))
    assert json.loads(result.output)["references"][0]["number"] == "129"


def test_the_installed_command_runs():
    result = subprocess.run(
        [sys.executable, "-m", "kg", "extract", "-"], input=PLAN.encode("utf-8"), capture_output=True, check=True
    )
    assert b"129-KH/TU" in result.stdout


def test_eval_reports_scores(seeds):
    result = run("eval", seeds, "--format", "json")
    report = json.loads(result.output)
    assert report["texts"] == 5


def test_eval_refuses_a_folder_without_gold(tmp_path):
    result = run("eval", tmp_path)
    assert result.exit_code == 2
    assert "holds no NNN.txt with gold/NNN.json" in result.output


def test_jobs_give_the_same_output_in_the_order_of_the_files(tmp_path):
    for number in range(40):
        (tmp_path / f"{number:02}.txt").write_text(
            f"Ban Thường vụ Tỉnh ủy Hà Tĩnh ban hành Kế hoạch số {number + 1}-KH/TU thực hiện Chỉ thị số 05-CT/TW.\n",
            encoding="utf-8",
        )
    (tmp_path / "15.txt").write_bytes(b"\x89PNG\r\n")
    one, two = run("extract", tmp_path), run("extract", "--jobs", "2", tmp_path)
    assert (one.exit_code, two.exit_code) == (2, 2)
    assert one.stdout == two.stdout and one.stderr == two.stderr
    sources = [Path(json.loads(line)["source"]).name for line in two.stdout.splitlines()]
    assert sources == [f"{number:02}.txt" for number in range(40) if number != 15]
