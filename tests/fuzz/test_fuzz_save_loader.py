"""Deterministic fuzzing of the save loader: mutated saves load or give a SaveError, harmlessly.

A corpus of real saves (the tour at its start, midway and at an ending) is mutated with a fixed
seed, at the byte level (flips, cuts, splices, random bytes) and at the JSON level (values
replaced by other JSON of any type, keys dropped or added, deep nesting), half of the JSON-level
ones resealed with a valid checksum so that the shape checks behind it are reached too. Every
input must load into a playable state or give a SaveError; the slot list never fails; the other
slot and the profile in the folder are never touched.
"""

from __future__ import annotations

import contextlib
import json
import random
from pathlib import Path
from typing import Any

from fuzz_helpers import mutate

from rougegame.engine.game import Game, StoryRuntimeError
from rougegame.engine.profile import Profile, save_profile
from rougegame.engine.saves import SaveError, SaveStore, checksum
from rougegame.story.loader import load_story
from rougegame.story.model import Story

TOUR = Path(__file__).resolve().parents[2] / "examples" / "tour"
SEED = 2128_07
INPUTS = 3000


def corpus(story: Story, store: SaveStore) -> list[bytes]:
    game = Game(story)
    saves = [store.save("seed", game).read_bytes()]
    game.choose(0)
    game.choose(0)
    saves.append(store.save("seed", game).read_bytes())
    while not game.is_ending:
        game.choose(game.available()[-1].index)
    saves.append(store.save("seed", game).read_bytes())
    store.delete("seed")
    return saves


def random_json(rng: random.Random, depth: int = 0) -> Any:
    kind = rng.randrange(9 if depth < 3 else 6)
    if kind == 0:
        return None
    if kind == 1:
        return rng.choice([True, False])
    if kind == 2:
        return rng.choice([0, -1, 1, 2**31, 10**15 + 1, -(10**20), rng.randint(-9, 9)])
    if kind == 3:
        return rng.choice([0.5, -0.0, 1e308, float("nan"), float("inf")])
    if kind == 4:
        return rng.choice(["", "dock.quay", "x" * 20_000, "\x1b[31m", "\ud800", "../../etc"])
    if kind == 5:
        return rng.choice(["lock.through", "feature-tour", "rougegame-save", "autosave"])
    if kind == 6:
        return [random_json(rng, depth + 1) for _ in range(rng.randint(0, 3))]
    if kind == 7:
        return {rng.choice(["node", "vars", "id", "x"]): random_json(rng, depth + 1)}
    nested: Any = 1
    for _ in range(rng.randint(1, 3000)):
        nested = [nested]
    return nested


def mutate_json(rng: random.Random, data: bytes) -> bytes:
    payload = json.loads(data)
    for _ in range(rng.randint(1, 3)):
        target = payload
        while isinstance(target, dict) and target and rng.random() < 0.6:
            key = rng.choice(list(target))
            if not isinstance(target[key], dict):
                break
            target = target[key]
        if not isinstance(target, dict) or not target:
            continue
        key = rng.choice(list(target))
        action = rng.randrange(3)
        if action == 0:
            del target[key]
        elif action == 1:
            target[key] = random_json(rng)
        else:
            target[rng.choice(["extra", "node", "schema", "path"])] = random_json(rng)
    if rng.random() < 0.5:
        with contextlib.suppress(ValueError, RecursionError):
            payload["checksum"] = checksum(payload)  # a forger who knows the format
    try:
        return json.dumps(payload).encode()
    except (ValueError, RecursionError):
        return data


def test_mutated_saves_load_or_give_a_save_error(tmp_path: Path) -> None:
    story = load_story(TOUR, use_cache=False)
    store = SaveStore(tmp_path / "saves")
    seeds = corpus(story, store)
    good = Game(story)
    good.choose(0)
    store.save("good", good)
    save_profile(store.root, Profile())
    untouched = {
        name: (store.root / name).read_bytes() for name in ("good.save.json", "profile.json")
    }
    rng = random.Random(SEED)
    slot = store.root / "fuzzed.save.json"
    outcomes = {"loaded": 0, "refused": 0}
    for i in range(INPUTS):
        seed = rng.choice(seeds)
        data = mutate_json(rng, seed) if rng.random() < 0.5 else mutate(rng, seed)
        slot.write_bytes(data)
        try:
            loaded = store.load("fuzzed", story)
        except SaveError as exc:
            assert exc.message
            outcomes["refused"] += 1
        else:
            outcomes["loaded"] += 1
            game = Game(story, loaded.state)
            assert game.state.node in story.nodes
            try:
                game.passage()
                game.choices()
            except StoryRuntimeError:
                pass  # the tour has none; kept so the assertion is about saves only
        if i % 50 == 0:
            listed = {info.name: info for info in store.slots()}
            assert listed["good"].ok
    print(f"save fuzz: {INPUTS} inputs, {outcomes}")
    assert sum(outcomes.values()) == INPUTS
    assert outcomes["loaded"] > INPUTS // 20 and outcomes["refused"] > INPUTS // 2, outcomes
    for name, data in untouched.items():
        assert (store.root / name).read_bytes() == data
    assert store.load("good", story).state.same_as(good.state)
