"""Plain mode: numbered choices on stdin/stdout, commands, saves shared with the game, EOF."""

from __future__ import annotations

import io
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from rougegame import cli
from rougegame.engine.game import Game
from rougegame.engine.saves import AUTOSAVE, SaveStore
from rougegame.story.loader import load_story
from rougegame.story.model import Story
from rougegame.tools.plain import run_plain

MakeStory = Callable[..., Path]
ROOT = Path(__file__).resolve().parents[2]
TOUR = ROOT / "examples" / "tour"


def play(story: Story, saves: Path, script: str, load: str | None = None) -> tuple[int, str]:
    out = io.StringIO()
    code = run_plain(story, saves, load, stdin=io.StringIO(script), stdout=out)
    return code, out.getvalue()


def test_a_playthrough_to_the_ending(tour_story: Story, tmp_path: Path) -> None:
    code, out = play(tour_story, tmp_path, "1\n2\n1\n1\n")
    assert code == 0
    assert out.startswith(
        "The Lock-Keeper's Night, by rougegame contributors\n"
        "Type a choice number and press Enter; type `help` for the other commands.\n\n"
        "Chapter: The Quay\n\nLocation: The quay\n\n"
        "Rain that is really condensation drips from the dome. You have 3 doses.\n\n"
        "A sign reads NO PASSAGE AFTER DARK in letters someone painted twice."
    )
    assert (
        "Choices:\n1. Knock on the lock-keeper's door.\n2. Pay the toll: one dose.\n"
        "3. Wait for the lock-keeper to come out.\n> 1\n\n"
        "You chose: Knock on the lock-keeper's door.\n\nThe lock-keeper:\n" in out
    )
    assert (
        "3. Ask for your dose back. (unavailable: The lock-keeper does not trust you enough.)"
        in out
    )
    # the passage a fallback passes through is shown, then the fallback's text, then the ending
    assert (
        "The lock-keeper raises one hand. It might be a wave.\n\n(The barge moves on.)\n\n" in out
    )
    assert "THE END: Through the Lock\n\nYou pass through with 2 doses and a trust of 2." in out
    assert out.endswith("> \nGoodbye.\n")
    assert "\x1b" not in out and "*" not in out


def test_commands(tour_story: Story, tmp_path: Path) -> None:
    script = "help\n1\nhistory\nundo\nundo\nfoo\n\n9\ncodex\nlook\nquit\n1\n"
    code, out = play(tour_story, tmp_path, script)
    assert code == 0
    assert "  save NAME     save to a slot" in out
    assert "So far:\n  Wet stone\n    you chose: Knock on the lock-keeper's door.\n  Door\n" in out
    assert "> undo\nUndone.\n\nChapter: The Quay" in out
    assert "> undo\nThere is nothing to undo.\n" in out
    assert "> foo\nUnknown command `foo`. Type a choice number, or `help`.\n" in out
    assert "> \nType a choice number, or `help`.\n" in out
    assert "> 9\nThere is no choice 9; type a number from 1 to 3.\n" in out
    assert "> codex\nThe quay (places): Wet stone under a dome that never quite darkens.\n" in out
    assert out.endswith("> quit\nGoodbye.\n")  # the 1 after quit is never read


def test_a_disabled_choice_says_why(tour_story: Story, tmp_path: Path) -> None:
    _, out = play(tour_story, tmp_path, "2\n2\n")
    assert "1. Ride the barge through in silence.\n2. Ask for your dose back. (unavailable:" in out
    assert "> 2\nThat choice is unavailable: The lock-keeper does not trust you enough.\n" in out


def test_saves_are_shared_with_the_game(tour_story: Story, tmp_path: Path) -> None:
    code, out = play(tour_story, tmp_path, "1\nsave before the door\nsave ../x\nsaves\n")
    assert code == 0
    assert "Saved to slot `before the door`." in out
    assert "Not saved: slot names cannot contain" in out
    assert "Save slots, newest first:\n" in out
    store = SaveStore(tmp_path)
    assert {s.name for s in store.slots()} == {AUTOSAVE, "before the door"}
    loaded = store.load(AUTOSAVE, tour_story)
    assert loaded.state.node == "dock.door"
    game = Game(tour_story, store.load("before the door", tour_story).state)
    assert game.state.path == [("dock.quay", 0)]
    # and plain mode reads a slot the game wrote
    game.choose(1)
    store.save("from the game", game)
    code, out = play(tour_story, tmp_path, "load from the game\n", load=None)
    assert "(There is an autosave: type `load autosave` to continue it.)" in out
    assert "Loaded slot `from the game`." in out
    code, out = play(tour_story, tmp_path, "", load="from the game")
    assert code == 0 and "Rain that is really condensation" in out


def test_load_problems(
    tour_story: Story, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = play(tour_story, tmp_path, "load nothing\nload\n")
    assert "Not loaded: there is no save called `nothing`" in out
    assert "There are no saves yet" in out
    code, _ = play(tour_story, tmp_path, "", load="nothing")
    assert code == 1
    assert "cannot load `nothing`: there is no save called `nothing`" in capsys.readouterr().err


def test_restart_after_the_end(tour_story: Story, tmp_path: Path) -> None:
    _, out = play(tour_story, tmp_path, "2\n1\n1\nrestart\n")
    assert out.count("THE END: Through the Lock") == 1
    assert "> 1\nThe story is over. Type `restart`, `undo`, `load NAME` or `quit`.\n" in out
    assert "> restart\nStarting again from the beginning.\n\nChapter: The Quay" in out


SOFT = """\
chapter: a
title: A
nodes:
  start:
    text: Start.
    choices:
      - text: Divide.
        to: start
        effects: [n = 1 / (n - 1)]
      - text: Stuck.
        to: stuck
  stuck:
    text: Nothing.
    choices:
      - text: Leave.
        to: start
        if: flag
        reason: The door is shut.
"""


def test_story_faults_are_messages(make_story: MakeStory, tmp_path: Path) -> None:
    story = load_story(make_story({"chapters/a.yaml": SOFT}), use_cache=False)
    code, out = play(story, tmp_path / "saves", "1\n2\n1\nundo\n")
    assert code == 0
    assert "The story hit a problem: [a.start] division by zero. Your game is unchanged." in out
    assert "1. Leave. (unavailable: The door is shut.)\nThere is no way on from here" in out
    assert "> 1\nThat choice is unavailable: The door is shut.\n" in out
    assert "> undo\nUndone." in out


def test_through_the_command_line(tmp_path: Path) -> None:
    env = {"ROUGEGAME_CACHE": "off", "PATH": "/usr/bin:/bin"}
    result = subprocess.run(
        [sys.executable, "-m", "rougegame", "play", "--plain", "--story", str(TOUR)],
        input="2\n",
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
        cwd=tmp_path,
        env={**env, "ROUGEGAME_SAVES": str(tmp_path / "saves")},
    )
    assert result.returncode == 0, result.stderr
    assert "> 2\n\nYou chose: Pay the toll: one dose." in result.stdout
    assert result.stdout.endswith("> \nGoodbye.\n")
    assert (tmp_path / "saves" / "autosave.save.json").is_file()
    assert result.stderr == ""


def test_cli_routes_plain(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("quit\n"))
    assert cli.main(["play", "--plain", "--story", str(TOUR), "--saves", str(tmp_path)]) == 0
    assert capsys.readouterr().out.endswith("> quit\nGoodbye.\n")


def test_a_story_that_fails_as_it_starts(
    make_story: MakeStory, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    chapter = SOFT.replace(
        "    text: Start.\n", "    text: Start.\n    effects: [n = 1 / (n - 1)]\n"
    )
    story = load_story(make_story({"chapters/a.yaml": chapter}), use_cache=False)
    code, out = play(story, tmp_path, "1\n")
    assert code == 1 and out == ""
    assert "the story fails as it starts: [a.start] division by zero" in capsys.readouterr().err


class _Interrupting(io.StringIO):
    def readline(self, size: int | None = -1) -> str:
        raise KeyboardInterrupt


def test_ctrl_c_stops_cleanly(tour_story: Story, tmp_path: Path) -> None:
    out = io.StringIO()
    assert run_plain(tour_story, tmp_path, stdin=_Interrupting(), stdout=out) == 130
    assert out.getvalue().endswith(
        "> \nInterrupted. (The game was autosaved after your last choice.)\n"
    )
