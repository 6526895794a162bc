"""Fixtures for the security tests: a save store in a temporary folder and a game in progress."""

from __future__ import annotations

from pathlib import Path

import pytest
from security_helpers import Clock

from rougegame.engine.game import Game
from rougegame.engine.saves import SaveStore
from rougegame.story.model import Story


@pytest.fixture
def store(tmp_path: Path) -> SaveStore:
    return SaveStore(tmp_path / "saves")


@pytest.fixture
def played(tour_story: Story) -> Game:
    """The tour two choices in, 75 seconds of play."""
    clock = Clock()
    game = Game(tour_story, clock=clock)
    game.choose(0)
    game.choose(0)
    clock.now = 75.0
    return game
