"""Shared fixtures: the tour story, story folders written from YAML strings, isolated caches.

Every test runs with ``ROUGEGAME_CACHE=off`` and ``ROUGEGAME_SAVES`` pointing into its own
temporary folder, so no test reads or writes ``~/.cache`` or the checkout's ``saves/``.
"""

from __future__ import annotations

import os
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from rougegame.engine.game import Game
from rougegame.engine.saves import SaveStore
from rougegame.story.loader import clear_memory_cache, load_story
from rougegame.story.model import Story
from rougegame.story.problems import Problem, StoryError
from shared_helpers import Clock

# Property tests are derandomized by default so that `make test` gives the same result every
# run; HYPOTHESIS_PROFILE=explore searches with fresh random examples.
settings.register_profile(
    "repeatable",
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("explore", deadline=None, max_examples=500)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))

ROOT = Path(__file__).resolve().parents[1]
TOUR = ROOT / "examples" / "tour"

# A manifest for stories written by tests: one of each kind of variable, a codex entry in each
# section, and `start: a.start`. Tests that care about the manifest write their own.
BASE_MANIFEST = """\
format: 1
id: test-story
title: A Test Story
version: "1.0"
start: a.start
variables:
  n: {initial: 1, min: 0, max: 5, label: Number}
  word: calm
  flag: false
  status: unknown
codex:
  characters:
    sara: {title: Sara, text: A singer.}
  places:
    dock: {title: The dock, text: Wet stone.}
  lore:
    nectar: {title: Nectar, text: What androids need.}
"""

MakeStory = Callable[..., Path]
LoadFiles = Callable[[dict[str, str]], Story]
ProblemsOf = Callable[[dict[str, str]], list[Problem]]


@pytest.fixture(autouse=True)
def _isolated_env(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ROUGEGAME_CACHE", "off")
    monkeypatch.setenv("ROUGEGAME_SAVES", str(tmp_path_factory.mktemp("saves")))
    monkeypatch.delenv("ROUGEGAME_DEBUG", raising=False)


@pytest.fixture(scope="session")
def tour_story() -> Story:
    """examples/tour, loaded once (Game never changes the story it plays)."""
    return load_story(TOUR, use_cache=False)


def write_story(root: Path, files: dict[str, str]) -> Path:
    """Write ``files`` (relative path -> YAML text, dedented) under ``root``; return ``root``.

    When ``story.yaml`` is not among the files, :data:`BASE_MANIFEST` is written.
    """
    root.mkdir(parents=True, exist_ok=True)
    if "story.yaml" not in files:
        files = {"story.yaml": BASE_MANIFEST, **files}
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return root


@pytest.fixture
def make_story(tmp_path: Path) -> MakeStory:
    """``make_story(files, name="story")``: a story folder under tmp_path written from YAML."""

    def make(files: dict[str, str], name: str = "story") -> Path:
        return write_story(tmp_path / name, files)

    return make


@pytest.fixture
def load_files(make_story: MakeStory) -> Iterator[LoadFiles]:
    """Write a story folder and load it (raises StoryError like load_story)."""

    def load(files: dict[str, str]) -> Story:
        return load_story(make_story(files), use_cache=False)

    yield load
    clear_memory_cache()


@pytest.fixture
def problems_of(make_story: MakeStory) -> ProblemsOf:
    """Write a story folder that must fail to load; return the problems it reports."""

    def problems(files: dict[str, str]) -> list[Problem]:
        with pytest.raises(StoryError) as info:
            load_story(make_story(files), use_cache=False)
        assert info.value.problems, "a StoryError must carry at least one problem"
        return info.value.problems

    return problems


@pytest.fixture
def store(tmp_path: Path) -> SaveStore:
    """A save store in a temporary folder."""
    return SaveStore(tmp_path / "saves")


@pytest.fixture
def played(tour_story: Story) -> Game:
    """The tour after knocking and promising (trust 2, keeper located), 75 seconds in."""
    clock = Clock()
    game = Game(tour_story, clock=clock)
    game.choose(0)
    game.choose(0)
    clock.now = 75.0
    return game
