"""Ctrl+C, SIGTERM and SIGHUP while playing: the game autosaves first and exits cleanly.

These run the real game in a subprocess: the Textual app on a pseudo-terminal, plain mode on
pipes. A game is loaded from a slot, the signal (or the Ctrl+C keystroke) arrives, and the
autosave must then hold the game in progress, with a clean exit code.
"""

from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from rougegame.engine.game import Game
from rougegame.engine.saves import AUTOSAVE, SaveStore
from rougegame.story.model import Story

TOUR = Path(__file__).resolve().parents[2] / "examples" / "tour"
GAME = [sys.executable, "-m", "rougegame", "play"]
ENV = {**os.environ, "ROUGEGAME_CACHE": "off", "TERM": "xterm-256color"}

pty = pytest.importorskip("pty")


def saved_game(tour_story: Story, saves: Path) -> Game:
    game = Game(tour_story)
    game.choose(0)  # knock: the passage says "You are not a guest."
    SaveStore(saves).save("start", game)
    return game


def autosaved_turns(saves: Path) -> int:
    payload = json.loads((saves / f"{AUTOSAVE}.save.json").read_text(encoding="utf-8"))
    turns: int = payload["state"]["turns"]
    return turns


def read_until(fd: int, marker: bytes, seconds: float) -> bytes:
    """Read from ``fd`` until ``marker`` shows up (or the time is up); what was read."""
    seen = b""
    end = time.monotonic() + seconds
    while marker not in seen and time.monotonic() < end:
        ready, _, _ = select.select([fd], [], [], 0.1)
        if ready:
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                break
            if not chunk:
                break
            seen += chunk
    return seen


@pytest.mark.slow
@pytest.mark.parametrize("how", ["SIGTERM", "SIGHUP", "ctrl+c"])
def test_the_app_autosaves_and_exits_cleanly(tour_story: Story, tmp_path: Path, how: str) -> None:
    import fcntl
    import struct
    import termios

    saves = tmp_path / "saves"
    game = saved_game(tour_story, saves)
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    process = subprocess.Popen(
        [*GAME, "--story", str(TOUR), "--saves", str(saves), "--load", "start"],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env=ENV,
        cwd=tmp_path,
        start_new_session=True,
    )
    os.close(slave)
    try:
        shown = read_until(master, b"guest", 30)
        assert b"guest" in shown, "the game did not show the loaded passage"
        assert not (saves / f"{AUTOSAVE}.save.json").exists()
        if how == "ctrl+c":
            os.write(master, b"\x03")
        else:
            process.send_signal(getattr(signal, how))
        read_until(master, b"\x00never", 1)  # keep the terminal drained while it exits
        code = process.wait(timeout=20)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        os.close(master)
    assert code == 0
    assert autosaved_turns(saves) == game.state.turns


@pytest.mark.parametrize(("sig", "expected"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_plain_mode_signals_exit_with_the_game_autosaved(
    tour_story: Story, tmp_path: Path, sig: signal.Signals, expected: int
) -> None:
    saves = tmp_path / "saves"
    process = subprocess.Popen(
        [*GAME, "--plain", "--story", str(TOUR), "--saves", str(saves)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=ENV,
        cwd=tmp_path,
    )
    assert process.stdin is not None and process.stdout is not None
    try:
        process.stdin.write(b"1\n")
        process.stdin.flush()
        # Wait for the prompt: the choice has been autosaved and the game waits for input.
        shown = read_until(process.stdout.fileno(), b"back to the quay.\n> ", 30)
        assert b"back to the quay.\n> " in shown
        process.send_signal(sig)
        code = process.wait(timeout=20)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert code == expected  # the conventional codes: 128 + the signal's number
    assert process.stderr is not None and b"Traceback" not in process.stderr.read()
    assert autosaved_turns(saves) == 1
