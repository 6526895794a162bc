"""Snapshot tests of the main screens (pytest-textual-snapshot).

The tour story, a frozen clock (play time 0:00:00) and saves with fixed dates make the
screenshots deterministic. Regenerate after a deliberate change of the look with
``pytest tests/ui/test_snapshots.py --snapshot-update`` and look at the SVGs before committing.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from rougegame.engine.game import Game
from rougegame.engine.profile import Settings
from rougegame.engine.saves import AUTOSAVE, SaveStore, checksum
from rougegame.story.model import Story
from rougegame.ui.app import RougeApp

SnapCompare = Callable[..., bool]
WIDE = (100, 30)
SAVED_AT = "2128-01-10T21:30:00+00:00"


@pytest.fixture(autouse=True)
def _utc() -> Iterator[None]:
    """Dates shown in UTC while the test runs; the process's own zone afterwards."""
    old = os.environ.get("TZ")
    os.environ["TZ"] = "UTC"
    time.tzset()
    yield
    if old is None:
        del os.environ["TZ"]
    else:
        os.environ["TZ"] = old
    time.tzset()


def frozen() -> float:
    return 0.0


def make(story: Story, saves: Path) -> RougeApp:
    return RougeApp(story, saves_dir=saves, settings=Settings(typewriter=False), clock=frozen)


def steps(*keys: str) -> Callable[[Pilot[Any]], Any]:
    """Press ``keys``, then clear notifications so no toast is in the picture."""

    async def run(pilot: Pilot[Any]) -> None:
        await pilot.pause()
        for key in keys:
            await pilot.press(key)
            await pilot.pause()
            pilot.app.clear_notifications()
        await pilot.pause()

    return run


def save_at(store: SaveStore, slot: str, game: Game) -> None:
    """Save ``game`` in ``slot`` with a fixed date."""
    path = store.save(slot, game)
    payload = json.loads(path.read_text())
    payload["saved_at"] = SAVED_AT
    payload["checksum"] = checksum(payload)
    path.write_text(json.dumps(payload))


def test_title_screen(snap_compare: SnapCompare, tour_story: Story, tmp_path: Path) -> None:
    assert snap_compare(make(tour_story, tmp_path), terminal_size=WIDE)


def test_story_screen(snap_compare: SnapCompare, tour_story: Story, tmp_path: Path) -> None:
    app = make(tour_story, tmp_path)
    assert snap_compare(app, terminal_size=WIDE, run_before=steps("n", "1"))


def test_story_screen_80x24(snap_compare: SnapCompare, tour_story: Story, tmp_path: Path) -> None:
    app = make(tour_story, tmp_path)
    assert snap_compare(app, terminal_size=(80, 24), run_before=steps("n", "2"))


def test_save_load_screen(snap_compare: SnapCompare, tour_story: Story, tmp_path: Path) -> None:
    store = SaveStore(tmp_path)
    game = Game(tour_story, clock=frozen)
    game.choose(0)
    save_at(store, AUTOSAVE, game)
    game.choose(0)
    save_at(store, "Before the lock", game)
    damaged = tmp_path / "damaged.save.json"
    damaged.write_text("{")
    stamp = datetime.fromisoformat(SAVED_AT).timestamp()
    os.utime(damaged, (stamp, stamp))
    app = make(tour_story, tmp_path)
    assert snap_compare(app, terminal_size=WIDE, run_before=steps("l"))


def test_codex_screen(snap_compare: SnapCompare, tour_story: Story, tmp_path: Path) -> None:
    app = make(tour_story, tmp_path)
    assert snap_compare(app, terminal_size=WIDE, run_before=steps("n", "1", "j"))


def test_dossier_screen(snap_compare: SnapCompare, tour_story: Story, tmp_path: Path) -> None:
    app = make(tour_story, tmp_path)
    assert snap_compare(app, terminal_size=WIDE, run_before=steps("n", "1", "d"))


def test_ending_screen(snap_compare: SnapCompare, tour_story: Story, tmp_path: Path) -> None:
    app = make(tour_story, tmp_path)
    assert snap_compare(app, terminal_size=WIDE, run_before=steps("n", "2", "1", "enter"))
