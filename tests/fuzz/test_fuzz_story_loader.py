"""Deterministic fuzzing of the story loader: mutated story files load or report problems.

A corpus of real story files (the tour) is mutated with a fixed seed: bits flipped, slices cut
and repeated, YAML and story tokens spliced in, lines swapped and re-indented, files replaced by
random bytes. Every input must end as a loaded story (which then plays a few turns) or as a
StoryError whose problems name a file; nothing else may escape, and no input may take long.
"""

from __future__ import annotations

import random
import shutil
import time
from pathlib import Path

from fuzz_helpers import mutate

from rougegame.engine.game import ChoiceUnavailable, Game, StoryRuntimeError
from rougegame.story.loader import clear_memory_cache, load_story
from rougegame.story.problems import StoryError

TOUR = Path(__file__).resolve().parents[2] / "examples" / "tour"
SEED = 7_2128
INPUTS = 1000
SLOWEST_ALLOWED = 5.0  # seconds for one input; a hang detector, not a speed target


def test_mutated_story_files_load_or_report_problems(tmp_path: Path) -> None:
    rng = random.Random(SEED)
    root = tmp_path / "story"
    shutil.copytree(TOUR, root)
    targets = [root / "story.yaml", *sorted((root / "chapters").glob("*.yaml"))]
    originals = {path: path.read_bytes() for path in targets}
    outcomes = {"loaded": 0, "problems": 0}
    slowest = 0.0
    for _ in range(INPUTS):
        for path, data in originals.items():
            path.write_bytes(data)
        for path in rng.sample(targets, rng.randint(1, 2)):
            path.write_bytes(mutate(rng, originals[path]))
        start = time.perf_counter()
        try:
            story = load_story(root, use_cache=False)
        except StoryError as exc:
            assert exc.problems
            assert all(p.where is not None and p.where.file for p in exc.problems)
            assert all(p.format() for p in exc.problems)
            outcomes["problems"] += 1
        else:
            outcomes["loaded"] += 1
            try:
                game = Game(story)
                for _turn in range(5):
                    views = [v for v in game.choices() if v.enabled]
                    if not views:
                        break
                    game.choose(rng.choice(views).index)
            except (StoryRuntimeError, ChoiceUnavailable):
                pass
        slowest = max(slowest, time.perf_counter() - start)
        clear_memory_cache()
    assert sum(outcomes.values()) == INPUTS
    # The corpus reaches both outcomes: small breakages still load, larger ones are reported.
    print(f"story fuzz: {INPUTS} inputs, {outcomes}, slowest {slowest:.3f} s")
    assert outcomes["loaded"] > INPUTS // 50 and outcomes["problems"] > INPUTS // 2, outcomes
    assert slowest < SLOWEST_ALLOWED
