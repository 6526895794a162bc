"""Two game processes writing the same slot: never a torn or mixed file; the last writer wins.

When the game is served to several players from one saves folder, two processes may save the
same slot at once. Each writes its own temporary file and renames it over the slot, so a reader
always sees one whole save, from one writer, and the slot ends as the last completed save.
"""

from __future__ import annotations

import os
from pathlib import Path

from rougegame.engine.game import Game
from rougegame.engine.saves import SaveStore
from rougegame.story.model import Story

SAVES_EACH = 60
WRITERS = {"a": 1_000_000, "b": 2_000_000}  # each writer's generations start here


def writer(store: SaveStore, game: Game, base: int) -> int:
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child never returns
        code = 1
        try:
            for i in range(1, SAVES_EACH + 1):
                game.state.turns = base + i
                store.save("shared", game)
            code = 0
        finally:
            os._exit(code)
    return pid


def test_two_writers_never_tear_or_mix_a_slot(tour_story: Story, tmp_path: Path) -> None:
    store = SaveStore(tmp_path / "saves")
    game = Game(tour_story)
    store.save("shared", game)
    pids = [writer(store, game, base) for base in WRITERS.values()]
    seen: list[int] = []
    running = set(pids)
    while running:
        turns = store.load("shared", tour_story).state.turns  # must never fail
        seen.append(turns)
        for pid in list(running):
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0
                running.discard(pid)
    allowed = {0} | {base + i for base in WRITERS.values() for i in range(1, SAVES_EACH + 1)}
    assert set(seen) <= allowed
    # The reader really saw both writers at work, interleaved.
    assert {turns // 1_000_000 for turns in seen} >= {1, 2}
    # Last writer wins: the slot holds the final save of one of the two writers.
    final = store.load("shared", tour_story).state.turns
    assert final in {base + SAVES_EACH for base in WRITERS.values()}
    assert [p.name for p in store.root.iterdir()] == ["shared.save.json"]
