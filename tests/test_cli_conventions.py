"""Conventions every `kg` command keeps: shell completion through click's mechanism,
--quiet and --verbose on standard error, and the exit statuses `kg --help` documents."""

from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli import main

TEXTS = Path(__file__).parent / "fixtures" / "viz"


def complete(env: dict[str, str]):
    return CliRunner().invoke(main, [], prog_name="kg", env=env)


@pytest.mark.parametrize(
    "shell, marker",
    [
        ("bash", "complete -o nosort -F _kg_completion kg"),
        ("zsh", "#compdef kg"),
        ("fish", "complete --no-files --command kg"),
    ],
)
def test_each_shell_gets_a_completion_script(shell, marker):
    result = complete({"_KG_COMPLETE": f"{shell}_source"})
    assert result.exit_code == 0
    assert marker in result.stdout


def test_completing_a_command_name_offers_the_commands_it_starts():
    result = complete({"_KG_COMPLETE": "bash_complete", "COMP_WORDS": "kg que", "COMP_CWORD": "1"})
    assert result.exit_code == 0
    assert result.stdout.split() == ["plain,queries", "plain,query"]
    options = complete({"_KG_COMPLETE": "bash_complete", "COMP_WORDS": "kg report 01-KL/TW --fo", "COMP_CWORD": "3"})
    assert options.stdout.split() == ["plain,--format"]


def test_help_says_how_to_enable_completion_and_what_the_exit_statuses_mean():
    shown = CliRunner().invoke(main, ["--help"]).stdout
    for line in (
        'eval "$(_KG_COMPLETE=bash_source kg)"',
        'eval "$(_KG_COMPLETE=zsh_source kg)"',
        "_KG_COMPLETE=fish_source kg | source",
    ):
        assert line in shown
    words = " ".join(shown.split())
    assert "Exit status: 0 on success; 1 when the command fails:" in words and "2 on a usage error" in words


def build(tmp_path, *options: str):
    return CliRunner().invoke(main, [*options, "build", str(TEXTS), "--store", str(tmp_path / "kg-store")])


def test_build_shows_a_progress_bar_by_default_nothing_when_quiet_and_each_text_when_verbose(tmp_path):
    normal = build(tmp_path / "normal")
    assert normal.exit_code == 0 and normal.stderr.startswith("Building")
    quiet = build(tmp_path / "quiet", "-q")
    assert quiet.exit_code == 0 and quiet.stderr == ""
    assert quiet.stdout == normal.stdout  # the summary is the result: it stays
    verbose = build(tmp_path / "verbose", "--verbose")
    assert verbose.exit_code == 0
    assert sorted(verbose.stderr.splitlines()) == [f"{path.resolve()}: read" for path in sorted(TEXTS.iterdir())]


def test_quiet_leaves_informational_lines_out_but_not_errors(tmp_path):
    assert build(tmp_path).exit_code == 0
    store = str(tmp_path / "kg-store")
    output = tmp_path / "report.md"
    written = CliRunner().invoke(main, ["report", "01-KL/TW", "--store", store, "-o", str(output)])
    assert written.exit_code == 0 and written.stderr.startswith(f"{output}: Provinces valid on 2021-05-18: 1 of 63")
    quiet = CliRunner().invoke(main, ["-q", "report", "01-KL/TW", "--store", store, "-o", str(output)])
    assert quiet.exit_code == 0 and quiet.stderr == "" and output.read_text(encoding="utf-8").startswith("# Coverage")
    unknown = CliRunner().invoke(main, ["-q", "report", "99-KL/TW", "--store", store])
    assert unknown.exit_code == 1 and "99-KL/TW" in unknown.stderr


@pytest.mark.parametrize(
    "arguments, status",
    [
        (["report", "99-KL/TW"], 1),  # a document that is not there
        (["report"], 2),  # a missing argument
        (["report", "01-KL/TW", "--format", "pdf"], 2),  # a value of the wrong form
        (["viz", "--relation", "follows"], 2),
        (["export", "--format", "csv"], 2),  # csv needs a folder
        (["--no-such-option", "stats"], 2),
    ],
)
def test_exit_statuses_are_the_documented_ones(tmp_path, arguments, status):
    assert build(tmp_path).exit_code == 0
    result = CliRunner().invoke(main, [*arguments, "--store", str(tmp_path / "kg-store")])
    assert result.exit_code == status, result.output
    assert result.stderr.strip().splitlines()[-1].startswith("Error: ")
