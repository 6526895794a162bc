"""Fixtures for the UI tests: apps on a temporary saves folder, and reading what they show.

Every app made here plays the tour story (or one given), writes only under the test's tmp_path,
has the typewriter off and a frozen clock, so play time reads 0:00:00.
"""

from __future__ import annotations

import io
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console

from rougegame.engine.profile import Settings
from rougegame.story.model import Story
from rougegame.ui.app import RougeApp

ROOT = Path(__file__).resolve().parents[2]
TOUR = ROOT / "examples" / "tour"

MakeApp = Callable[..., RougeApp]
ScreenText = Callable[[RougeApp], str]
Notes = Callable[[RougeApp], list[str]]


def frozen_clock() -> float:
    return 1000.0


@pytest.fixture
def tour_copy(tmp_path: Path) -> Path:
    """A copy of the tour story that a test may edit."""
    target = tmp_path / "tour"
    shutil.copytree(TOUR, target)
    return target


@pytest.fixture
def saves(tmp_path: Path) -> Path:
    return tmp_path / "saves"


@pytest.fixture
def make_app(tour_story: Story, saves: Path) -> MakeApp:
    """``make_app(story=None, **kwargs)``: a RougeApp with test-friendly defaults."""

    def make(story: Story | None = None, **kwargs: Any) -> RougeApp:
        kwargs.setdefault("saves_dir", saves)
        kwargs.setdefault("settings", Settings(typewriter=False))
        kwargs.setdefault("clock", frozen_clock)
        return RougeApp(story or tour_story, **kwargs)

    return make


def _screen_text(app: RougeApp) -> str:
    console = Console(
        width=app.size.width,
        height=app.size.height,
        file=io.StringIO(),
        force_terminal=True,
        color_system="truecolor",
        record=True,
        legacy_windows=False,
    )
    console.print(
        app.screen._compositor.render_update(full=True, screen_stack=app._background_screens)
    )
    return console.export_text()


@pytest.fixture
def screen_text() -> ScreenText:
    """What the terminal shows right now, as plain text."""
    return _screen_text


@pytest.fixture
def notes() -> Notes:
    """The messages of every notification shown so far."""
    return lambda app: [n.message for n in app._notifications]
