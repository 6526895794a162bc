"""Killing the game while it saves never leaves a slot unreadable.

A child process saves the same slot over and over, each save a new generation, and reports each
generation once it is on disk. The test kills it with SIGKILL at a random moment (while writing
the temporary file, syncing it, renaming it or syncing the folder), then loads the slot: it must
hold the last reported generation or the one being written, never anything torn. Some rounds
start from an empty slot, where "no save yet" is the only other allowed outcome. Two hundred and
forty kills in all; the figures are in docs/SECURITY.md.
"""

from __future__ import annotations

import os
import random
import signal
import time
from pathlib import Path

import pytest

from rougegame.engine.game import Game
from rougegame.engine.saves import SUFFIX, SaveError, SaveStore
from rougegame.story.model import Story

KILLS = 240
FRESH_EVERY = 6  # every sixth round kills the very first save of a new slot
SEED = 20260401


def saver(store: SaveStore, game: Game, slot: str, first: int, report: int) -> None:
    """The child: save generation after generation, reporting each one that is on disk."""
    generation = first
    while True:
        generation += 1
        game.state.turns = generation
        store.save(slot, game)
        os.write(report, generation.to_bytes(8, "little"))


def run_round(store: SaveStore, game: Game, slot: str, first: int, delay: float) -> int:
    """Start a saver, kill it after ``delay`` seconds; the last generation it reported."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child never returns
        try:
            os.close(read_end)
            saver(store, game, slot, first, write_end)
        finally:
            os._exit(1)
    os.close(write_end)
    deadline = time.perf_counter() + delay
    while time.perf_counter() < deadline:
        pass  # spin rather than sleep, so the kill lands at a less regular moment
    os.kill(pid, signal.SIGKILL)
    _, status = os.waitpid(pid, 0)
    assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL
    reported = b""
    while chunk := os.read(read_end, 4096):
        reported += chunk
    os.close(read_end)
    if not reported:
        return first
    return int.from_bytes(reported[-8:], "little")


@pytest.mark.slow
def test_sigkill_at_random_moments_never_loses_a_save(tour_story: Story, tmp_path: Path) -> None:
    rng = random.Random(SEED)
    store = SaveStore(tmp_path / "saves")
    game = Game(tour_story)
    store.save("slot", game)
    generation = 0
    outcomes = {"previous": 0, "new": 0, "none yet": 0}
    for round_ in range(KILLS):
        fresh = round_ % FRESH_EVERY == FRESH_EVERY - 1
        slot = f"fresh {round_}" if fresh else "slot"
        first = 0 if fresh else generation
        last = run_round(store, game, slot, first, rng.uniform(0.0, 0.03))
        try:
            turns = store.load(slot, tour_story).state.turns
        except SaveError as exc:
            # Only a slot that never finished its first save may be missing; never damaged.
            assert fresh and last == 0, (round_, exc.message)
            assert exc.message == f"there is no save called `{slot}`"
            outcomes["none yet"] += 1
            continue
        assert turns in (last, last + 1), (round_, last, turns)
        outcomes["previous" if turns == last else "new"] += 1
        if not fresh:
            generation = turns
    assert sum(outcomes.values()) == KILLS
    # The kills landed both before and after renames, so both sides were really exercised.
    print(f"kills: {KILLS}, outcomes: {outcomes}, generations: {generation}")
    assert outcomes["previous"] > 10 and outcomes["new"] > 10, outcomes
    assert generation > KILLS // 4  # the slot kept moving forward through it all
    # Temporary files of interrupted writes stay hidden: every listed slot is readable.
    listed = store.slots()
    assert listed and all(info.ok for info in listed)
    leftovers = [p for p in store.root.iterdir() if p.name.endswith(".tmp")]
    assert all(p.name.startswith(".") and SUFFIX in p.name for p in leftovers)
