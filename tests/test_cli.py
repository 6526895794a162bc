"""The command line: exit codes 0/1/2, the schema, the slot list, and never a traceback."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from rougegame import cli
from rougegame.engine.game import Game
from rougegame.engine.saves import SaveStore
from rougegame.story.loader import load_story

ROOT = Path(__file__).resolve().parents[1]
TOUR = ROOT / "examples" / "tour"

MakeStory = Callable[..., Path]

WARNINGS_ONLY = {
    "story.yaml": "format: 1\nid: w\ntitle: W\nstart: a.s\n",
    "chapters/a.yaml": (
        "chapter: a\ntitle: A\nnodes:\n"
        "  s:\n    text: s\n    ending: {id: e, title: E}\n"
        "  lost:\n    text: l\n    ending: {id: f, title: F}\n"
    ),
}
BROKEN = {
    "story.yaml": "format: 1\nid: b\ntitle: B\nstart: a.s\n",
    "chapters/a.yaml": (
        "chapter: a\ntitle: A\nnodes:\n"
        "  s:\n    text: '{nope}'\n    choices: [{text: go, to: gone}]\n"
    ),
}


def run_main(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def run_process(
    *argv: str, cwd: Path | None = None, stdin: str = ""
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "ROUGEGAME_CACHE": "off"}
    env.pop("ROUGEGAME_DEBUG", None)
    return subprocess.run(
        [sys.executable, "-m", "rougegame", *argv],
        capture_output=True,
        text=True,
        input=stdin,
        timeout=60,
        cwd=cwd,
        env=env,
        check=False,
    )


# -- check --------------------------------------------------------------------------------------


def test_check_a_valid_story(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_main(capsys, "check", str(TOUR))
    assert code == cli.EXIT_OK
    assert "OK: The Lock-Keeper's Night (feature-tour 1.0)" in out
    assert "2 chapters, 6 nodes, 10 choices" in out
    assert "1 ending," in out
    assert err == ""


def test_check_a_single_chapter_file(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_main(capsys, "check", str(TOUR / "chapters" / "02_lock.yaml"))
    assert code == cli.EXIT_OK
    assert "feature-tour" in out


def test_check_prints_every_problem_and_exits_1(
    capsys: pytest.CaptureFixture[str], make_story: MakeStory
) -> None:
    root = make_story(BROKEN)
    code, out, _ = run_main(capsys, "check", str(root))
    assert code == cli.EXIT_PROBLEMS
    assert "story/chapters/a.yaml:5:13: error: [a.s] undeclared variable `nope`" in out
    assert "leads to `gone`, which does not exist" in out
    assert "2 error(s), 0 warning(s)." in out


def test_warnings_pass_unless_strict(
    capsys: pytest.CaptureFixture[str], make_story: MakeStory
) -> None:
    root = make_story(WARNINGS_ONLY)
    code, out, _ = run_main(capsys, "check", str(root))
    assert code == cli.EXIT_OK
    assert "warning: [a.lost]" in out
    assert "OK: W" in out
    code, out, _ = run_main(capsys, "check", "--strict", str(root))
    assert code == cli.EXIT_PROBLEMS
    assert "error: [a.lost]" in out


def test_check_as_json(capsys: pytest.CaptureFixture[str], make_story: MakeStory) -> None:
    code, out, _ = run_main(capsys, "check", "--format", "json", str(make_story(BROKEN)))
    assert code == cli.EXIT_PROBLEMS
    report = json.loads(out)
    assert report["ok"] is False
    assert {p["code"] for p in report["problems"]} == {"undeclared", "missing-target"}
    first = report["problems"][0]
    assert (first["file"], first["line"], first["column"]) == ("story/chapters/a.yaml", 5, 13)
    code, out, _ = run_main(capsys, "check", "--format", "json", str(TOUR))
    assert code == cli.EXIT_OK
    assert json.loads(out)["stats"]["nodes"] == 6


@pytest.mark.parametrize(
    "argv",
    [
        ["check", "--bogus"],
        ["check", "--format", "xml", "x"],
        ["check", "a", "b"],
        ["no-such-command"],
        ["saves", "--saves"],
        ["play", "--load"],
    ],
)
def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str], argv: list[str]) -> None:
    with pytest.raises(SystemExit) as info:
        cli.main(argv)
    assert info.value.code == cli.EXIT_USAGE
    assert "usage: rougegame" in capsys.readouterr().err


def test_a_bad_option_value_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_main(capsys, "check", "--max-words", "0", str(TOUR))
    assert code == cli.EXIT_USAGE
    assert "--max-words" in err


# -- schema, saves, help ------------------------------------------------------------------------


def test_schema_prints_json_with_definitions(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_main(capsys, "schema")
    assert code == cli.EXIT_OK
    schema = json.loads(out)
    assert {"manifest", "chapter", "node", "choice"} <= set(schema["$defs"])


def test_saves_lists_slots(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    folder = tmp_path / "saves"
    code, out, _ = run_main(capsys, "saves", "--saves", str(folder))
    assert (code, out.strip()) == (cli.EXIT_OK, f"No saves in {folder}.")
    story = load_story(TOUR)
    game = Game(story, clock=lambda: 0.0)
    game.choose(0)
    game.state.play_time = 3725.0
    SaveStore(folder).save("before the lock", game)
    (folder / "broken.save.json").write_text("{")
    code, out, _ = run_main(capsys, "saves", "--saves", str(folder))
    assert code == cli.EXIT_OK
    lines = out.splitlines()
    good = next(line for line in lines if line.startswith("before the lock"))
    assert "1h02m" in good and "The Quay / Door" in good
    bad = next(line for line in lines if line.startswith("broken"))
    assert "unreadable: the save `broken` is damaged or cut short" in bad


def test_saves_uses_the_environment(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("ROUGEGAME_SAVES", str(tmp_path / "from-env"))
    _, out, _ = run_main(capsys, "saves")
    assert str(tmp_path / "from-env") in out


def test_help_lists_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        cli.main(["--help"])
    assert info.value.code == 0
    out = capsys.readouterr().out
    for command in ("play", "check", "saves", "schema"):
        assert f"    {command}" in out
    with pytest.raises(SystemExit):
        cli.main(["--version"])
    assert capsys.readouterr().out.strip() == "rougegame 0.1.0"


def test_play_is_the_default_command(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[argparse.Namespace] = []

    def fake_play(args: argparse.Namespace) -> int:
        seen.append(args)
        return 0

    monkeypatch.setattr(cli, "cmd_play", fake_play)
    assert cli.main([]) == 0
    assert seen[0].command == "play" and seen[0].story is None


def test_play_options_work_without_the_word_play(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[argparse.Namespace] = []

    def fake_play(args: argparse.Namespace) -> int:
        seen.append(args)
        return 0

    monkeypatch.setattr(cli, "cmd_play", fake_play)
    assert cli.main(["--story", str(TOUR), "--saves", "somewhere"]) == 0
    assert seen[0].command == "play"
    assert seen[0].story == str(TOUR) and seen[0].saves == "somewhere"


def test_play_refuses_a_broken_story(
    capsys: pytest.CaptureFixture[str], make_story: MakeStory
) -> None:
    code, out, err = run_main(capsys, "play", "--story", str(make_story(BROKEN)))
    assert code == cli.EXIT_PROBLEMS
    assert "cannot be played" in err and "undeclared variable `nope`" in err
    assert out == ""


def test_play_plain_runs_without_textual(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr("sys.stdin", __import__("io").StringIO("1\n"))
    code, out, _ = run_main(
        capsys, "play", "--plain", "--story", str(TOUR), "--saves", str(tmp_path)
    )
    assert code == cli.EXIT_OK
    assert "Rain that is really condensation" in out
    assert "Knocking is for guests" in out  # choice 1 was taken


# -- last lines of defence ----------------------------------------------------------------------


def test_an_unexpected_error_is_a_message_not_a_traceback(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def explode(_args: argparse.Namespace) -> int:
        raise RuntimeError("boom")

    monkeypatch.setattr(cli, "cmd_schema", explode)
    code, _, err = run_main(capsys, "schema")
    assert code == 3
    assert "rougegame: internal error: RuntimeError: boom" in err
    assert "Traceback" not in err
    monkeypatch.setenv("ROUGEGAME_DEBUG", "1")
    with pytest.raises(RuntimeError):
        cli.main(["schema"])


@pytest.mark.parametrize(("error", "code"), [(KeyboardInterrupt, 130), (BrokenPipeError, 0)])
def test_interrupts_and_closed_pipes(
    monkeypatch: pytest.MonkeyPatch, error: type[BaseException], code: int
) -> None:
    def interrupted(_args: argparse.Namespace) -> int:
        raise error

    monkeypatch.setattr(cli, "cmd_schema", interrupted)
    assert cli.main(["schema"]) == code


BAD_INPUTS: dict[str, bytes] = {
    "binary.yaml": b"\x00\x01\x02\xff",
    "latin1.yaml": "title: caf\xe9\n".encode("latin-1"),
    "bomb.yaml": (
        "a: &a [1,1,1,1,1,1,1,1,1,1]\n"
        + "".join(
            f"{n}: &{n} [" + ",".join([f"*{p}"] * 10) + "]\n"
            for p, n in zip("abcdef", "bcdefg", strict=True)
        )
    ).encode(),
    "deep.yaml": b"[" * 500 + b"]" * 500,
    "tags.yaml": b"!!python/object/apply:os.system ['echo hacked']\n",
    "expr.yaml": (
        b"format: 1\nid: x\ntitle: X\nstart: a.s\nchapters:\n  - chapter: a\n    title: A\n"
        b"    nodes:\n      s:\n        text: '{if " + b"-" * 1500 + b"1: x}'\n"
        b"        ending: {id: e, title: E}\n"
    ),
    "empty.yaml": b"",
}


@pytest.mark.parametrize("name", sorted(BAD_INPUTS))
def test_no_input_gives_a_traceback(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(BAD_INPUTS[name])
    result = run_process("check", str(path))
    assert result.returncode == cli.EXIT_PROBLEMS, result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert "error:" in result.stdout
    assert "hacked" not in result.stdout + result.stderr


def test_no_traceback_for_missing_or_odd_paths(tmp_path: Path) -> None:
    for argv in (
        ["check", str(tmp_path / "missing")],
        ["check", str(tmp_path)],
        ["play", "--story", str(tmp_path / "missing")],
    ):
        result = run_process(*argv)
        assert result.returncode == cli.EXIT_PROBLEMS
        assert "Traceback" not in result.stdout + result.stderr
    result = run_process("saves", "--saves", str(tmp_path / "missing"))
    assert result.returncode == cli.EXIT_OK
    result = run_process("check", "--strictly")
    assert result.returncode == cli.EXIT_USAGE
    assert "Traceback" not in result.stderr


def test_the_console_script_runs(tmp_path: Path) -> None:
    script = Path(sys.executable).parent / "rougegame"
    if not script.exists():
        pytest.skip("the rougegame console script is not installed in this environment")
    result = subprocess.run(
        [str(script), "check", str(TOUR)],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
        env={**os.environ, "ROUGEGAME_CACHE": "off"},
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "OK: The Lock-Keeper's Night" in result.stdout


def test_python_dash_m_runs_the_cli(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import runpy

    monkeypatch.setattr(sys, "argv", ["rougegame", "check", str(TOUR)])
    with pytest.raises(SystemExit) as info:
        runpy.run_module("rougegame", run_name="__main__")
    assert info.value.code == 0
    assert "OK: The Lock-Keeper's Night" in capsys.readouterr().out
