"""Untrusted saves: damaged, forged or foreign files give a clear SaveError and harm nothing else.

A save may be cut short, flipped by a bad disk, hand-edited, made by another story or a newer
game, or be plain garbage. Loading it raises :class:`SaveError` with a message for the player
(never another exception), and leaves every file in the saves folder (the other slots, the
profile, the bad slot itself) exactly as it was.
"""

from __future__ import annotations

import hashlib
import json
import random
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from security_helpers import snapshot

from rougegame.engine.game import Game
from rougegame.engine.profile import Profile, load_profile, save_profile
from rougegame.engine.saves import (
    MAX_PATH,
    MAX_SHOWN,
    SAVE_SCHEMA,
    LoadedSave,
    SaveError,
    SaveStore,
    checksum,
    parse_payload,
    restore,
    write_json,
)
from rougegame.story.model import Story


@pytest.fixture
def folder(store: SaveStore, played: Game, tour_story: Story) -> SaveStore:
    """A saves folder with a good slot, an autosave and a profile, all of which must survive."""
    store.save("good", played)
    store.save("autosave", Game(tour_story))
    profile = Profile()
    profile.record_ending(tour_story.id, "through_the_lock", "Through the Lock")
    save_profile(store.root, profile)
    return store


def load_outcome(data: bytes, story: Story) -> LoadedSave | SaveError:
    """What loading these bytes gives: a LoadedSave or a SaveError, nothing else, ever."""
    try:
        return restore(parse_payload(data, "slot"), story, "slot")
    except SaveError as exc:
        assert exc.message and "slot" in exc.message
        return exc


def assert_untouched(folder: SaveStore, before: dict[str, bytes | str], story: Story) -> None:
    assert snapshot(folder.root) == before
    assert folder.load("good", story).slot == "good"
    profile, note = load_profile(folder.root)
    assert note is None and "through_the_lock" in profile.endings_for(story.id)


def test_random_bytes(folder: SaveStore, tour_story: Story) -> None:
    rng = random.Random(7)
    bad = folder.root / "slot.save.json"
    for size in [0, 1, 2, 16, 100, 1000, 10_000, *(rng.randrange(1, 5000) for _ in range(40))]:
        bad.write_bytes(rng.randbytes(size))
        before = snapshot(folder.root)
        with pytest.raises(SaveError) as info:
            folder.load("slot", tour_story)
        assert info.value.message.startswith(("the save `slot` is damaged", "`slot` is not"))
        assert_untouched(folder, before, tour_story)


def test_truncation_at_every_offset(folder: SaveStore, played: Game, tour_story: Story) -> None:
    data = folder.save("slot", played).read_bytes()
    state = folder.load("slot", tour_story).state
    outcomes = [load_outcome(data[:cut], tour_story) for cut in range(len(data))]
    loaded = [o for o in outcomes if isinstance(o, LoadedSave)]
    # Only cutting the final newline leaves a whole save, and it is the same save.
    assert len(loaded) == 1 and loaded[0].state == state
    assert outcomes[len(data) - 1] is loaded[0]
    # And through the folder: the cut file is refused, the rest left as it was.
    bad = folder.root / "slot.save.json"
    for cut in range(0, len(data) - 1, 97):
        bad.write_bytes(data[:cut])
        before = snapshot(folder.root)
        with pytest.raises(SaveError):
            folder.load("slot", tour_story)
        assert_untouched(folder, before, tour_story)


def test_every_single_bit_flip_is_caught(
    folder: SaveStore, played: Game, tour_story: Story
) -> None:
    data = folder.save("slot", played).read_bytes()
    state = folder.load("slot", tour_story).state
    caught = harmless = 0
    for index in range(len(data)):
        for bit in range(8):
            flipped = bytearray(data)
            flipped[index] ^= 1 << bit
            outcome = load_outcome(bytes(flipped), tour_story)
            if isinstance(outcome, SaveError):
                caught += 1
            else:
                # A flip that changes no value (1e5 -> 1E5, say) is harmless; any other is not.
                assert outcome.state == state, (index, bit)
                harmless += 1
    assert caught + harmless == len(data) * 8
    assert caught >= len(data) * 8 - 8  # at most a handful of flips can be harmless


def test_a_checksum_catches_an_edit_that_keeps_the_json_valid(
    folder: SaveStore, played: Game, tour_story: Story
) -> None:
    path = folder.save("slot", played)
    payload = json.loads(path.read_text(encoding="utf-8"))
    payload["state"]["vars"]["nectar"] = 5
    path.write_text(json.dumps(payload), encoding="utf-8")
    before = snapshot(folder.root)
    with pytest.raises(SaveError) as info:
        folder.load("slot", tour_story)
    assert info.value.message == "the save `slot` failed its checksum: it was changed or damaged"
    assert_untouched(folder, before, tour_story)
    listed = {s.name: s for s in folder.slots()}
    assert listed["slot"].problem == info.value.message and listed["good"].ok


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda p: p["story"].update(id="another-story"), "belongs to another story"),
        (lambda p: p.update(schema=SAVE_SCHEMA + 1), "made by a newer version of rougegame"),
        (lambda p: p.update(schema=10**100), "made by a newer version of rougegame"),
        (lambda p: p.update(schema="2"), "has no valid format version"),
        (lambda p: p.update(format="other-game-save"), "is not a rougegame save file"),
        (lambda p: p.pop("checksum"), "failed its checksum"),
        (lambda p: p.update(checksum=None), "failed its checksum"),
        (lambda p: p.update(state=[]), "is missing its story or state"),
        (lambda p: p["state"].update(node=["a"]), "is malformed: no current node"),
        (lambda p: p["state"].update(vars=[1]), "is malformed: variables are not a mapping"),
        (lambda p: p["state"].update(turns=-1), "is malformed: turns is not a whole number"),
        (lambda p: p["state"].update(play_time=1e300), "is malformed: play time"),
        (lambda p: p["state"].update(path=[["x", 1, 2]]), "is malformed: a step of the choice"),
    ],
)
def test_foreign_and_forged_saves_are_refused_clearly(
    folder: SaveStore, played: Game, tour_story: Story, change: Any, message: str
) -> None:
    path = folder.save("slot", played)
    payload = json.loads(path.read_text(encoding="utf-8"))
    change(payload)
    if message != "failed its checksum":
        payload["checksum"] = checksum(payload)  # a forger who knows the format reseals it
    path.write_text(json.dumps(payload), encoding="utf-8")
    before = snapshot(folder.root)
    with pytest.raises(SaveError) as info:
        folder.load("slot", tour_story)
    assert message in info.value.message
    assert_untouched(folder, before, tour_story)


def test_a_newer_save_tells_the_player_what_to_do(
    folder: SaveStore, played: Game, tour_story: Story
) -> None:
    path = folder.save("slot", played)
    payload = json.loads(path.read_text(encoding="utf-8"))
    payload["schema"] = SAVE_SCHEMA + 1
    payload["state"] = {"a format": "from the future"}
    payload["checksum"] = checksum(payload)
    path.write_text(json.dumps(payload), encoding="utf-8")
    with pytest.raises(SaveError) as info:
        folder.load("slot", tour_story)
    assert info.value.hint == "update the game to load it"


def test_a_huge_foreign_story_id_does_not_make_a_huge_message(
    folder: SaveStore, played: Game, tour_story: Story
) -> None:
    path = folder.save("slot", played)
    payload = json.loads(path.read_text(encoding="utf-8"))
    payload["story"]["id"] = "x" * 1_000_000
    payload["checksum"] = checksum(payload)
    path.write_text(json.dumps(payload), encoding="utf-8")
    with pytest.raises(SaveError) as info:
        folder.load("slot", tour_story)
    assert len(str(info.value)) < 300


@pytest.mark.parametrize(
    "text",
    [
        '"\\ud800"',  # a lone surrogate: valid JSON, not encodable text
        "[" * 5000 + "]" * 5000,
        "{" + '"a":{' * 3000 + "}" * 3001,
        "9" * 10_000,
        "1e999999",
        "NaN",
        "-Infinity",
    ],
    ids=["surrogate", "deep-list", "deep-map", "huge-int", "huge-float", "nan", "infinity"],
)
def test_awkward_json_inside_a_save_is_refused(
    folder: SaveStore, played: Game, tour_story: Story, text: str
) -> None:
    path = folder.save("slot", played)
    raw = path.read_text(encoding="utf-8")
    for target in ('"Wet stone"', "2", '"hopeful"'):
        path.write_text(raw.replace(target, text, 1), encoding="utf-8")
        before = snapshot(folder.root)
        with pytest.raises(SaveError):
            folder.load("slot", tour_story)
        assert_untouched(folder, before, tour_story)
        assert {s.name: s.ok for s in folder.slots()}["slot"] is False


def test_a_resealed_surrogate_in_a_save_is_refused_not_crashed_on(
    folder: SaveStore, played: Game, tour_story: Story
) -> None:
    path = folder.save("slot", played)
    payload = json.loads(path.read_text(encoding="utf-8"))
    payload["state"]["location"] = "\ud800"
    body = {k: v for k, v in payload.items() if k != "checksum"}
    blob = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    payload["checksum"] = hashlib.sha256(blob.encode("utf-8", "surrogatepass")).hexdigest()
    path.write_text(json.dumps(payload), encoding="utf-8")  # ensure_ascii keeps it writable
    with pytest.raises(SaveError, match="failed its checksum"):
        folder.load("slot", tour_story)


# -- any JSON in any field ------------------------------------------------------------------

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**20), max_value=10**20)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)

FIELDS = [
    ("slot",),
    ("saved_at",),
    ("story",),
    ("story", "id"),
    ("story", "hash"),
    ("chapter",),
    ("chapter_title",),
    ("node_title",),
    ("play_time",),
    ("turns",),
    ("state",),
    ("state", "node"),
    ("state", "vars"),
    ("state", "vars", "nectar"),
    ("state", "vars", "mood"),
    ("state", "vars", "paid"),
    ("state", "visits"),
    ("state", "visits", "dock.quay"),
    ("state", "once"),
    ("state", "unlocked"),
    ("state", "unlocked", "quay"),
    ("state", "turns"),
    ("state", "play_time"),
    ("state", "path"),
    ("state", "location"),
    ("state", "extra"),
]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.tuples(st.sampled_from(FIELDS), json_values), min_size=1, max_size=3),
)
def test_a_resealed_save_with_any_json_anywhere_loads_or_is_refused(
    tour_story: Story, base_payload: dict[str, Any], edits: list[tuple[tuple[str, ...], Any]]
) -> None:
    payload = json.loads(json.dumps(base_payload))
    for path, value in edits:
        target: Any = payload
        for key in path[:-1]:
            if not isinstance(target, dict):
                break
            target = target.get(key)
        if isinstance(target, dict):
            target[path[-1]] = value
    payload["checksum"] = checksum(payload)
    data = json.dumps(payload).encode()
    outcome = load_outcome(data, tour_story)
    if isinstance(outcome, SaveError):
        return
    # Whatever loads is a state the game can play from.
    game = Game(tour_story, outcome.state)
    assert game.state.node in tour_story.nodes
    game.passage()
    game.choices()
    for name, value in game.state.vars.items():
        initial = tour_story.variables[name].initial
        assert type(value) is type(initial) or (
            isinstance(value, (int, float)) and isinstance(initial, (int, float))
        )


@pytest.fixture(scope="module")
def base_payload(tour_story: Story, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    game = Game(tour_story)
    game.choose(0)
    store = SaveStore(tmp_path_factory.mktemp("base"))
    payload: dict[str, Any] = json.loads(store.save("slot", game).read_text(encoding="utf-8"))
    return payload


def test_text_files_that_are_not_saves(folder: SaveStore, tour_story: Story) -> None:
    bad = folder.root / "slot.save.json"
    for text in ["", " ", "null", "[]", "{}", '"save"', "0", "{'a': 1}", "<xml/>", "a: 1\n"]:
        bad.write_text(text, encoding="utf-8")
        before = snapshot(folder.root)
        with pytest.raises(SaveError):
            folder.load("slot", tour_story)
        assert_untouched(folder, before, tour_story)


def test_the_profile_is_never_written_while_loading(folder: SaveStore, tour_story: Story) -> None:
    profile = folder.root / "profile.json"
    stamp = profile.stat().st_mtime_ns
    (folder.root / "slot.save.json").write_bytes(b"\xff\xfe garbage")
    for _ in range(3):
        with pytest.raises(SaveError):
            folder.load("slot", tour_story)
        folder.slots()
    assert profile.stat().st_mtime_ns == stamp
    assert isinstance(load_profile(folder.root)[0], Profile)


def reseal(path: Path, change: Any) -> None:
    payload = json.loads(path.read_text(encoding="utf-8"))
    change(payload)
    payload["checksum"] = checksum(payload)
    path.write_text(json.dumps(payload), encoding="utf-8")


def test_a_history_too_long_to_replay_is_dropped_not_replayed(
    folder: SaveStore, played: Game, tour_story: Story
) -> None:
    path = folder.save("slot", played)
    reseal(path, lambda p: p["state"].update(path=[["dock.quay", 0]] * (MAX_PATH + 1)))
    loaded = folder.load("slot", tour_story)
    assert loaded.state.path == []
    assert loaded.state.node == played.state.node and loaded.state.vars == played.state.vars
    assert any("too long to rebuild" in note for note in loaded.notes)


def test_text_a_save_brings_to_the_slot_list_is_bounded(
    folder: SaveStore, played: Game, tour_story: Story
) -> None:
    path = folder.save("slot", played)
    reseal(path, lambda p: p.update(node_title="x" * 1_000_000, chapter_title="y" * 500))
    reseal(path, lambda p: p["state"].update(location="z" * 100_000))
    info = {s.name: s for s in folder.slots()}["slot"]
    assert info.ok and len(info.node_title) <= MAX_SHOWN and len(info.chapter_title) <= MAX_SHOWN
    location = folder.load("slot", tour_story).state.location
    assert location is not None and len(location) <= MAX_SHOWN


def test_a_payload_that_cannot_be_encoded_is_a_save_error(folder: SaveStore) -> None:
    path = folder.root / "good.save.json"
    before = path.read_bytes()
    for payload in ({"text": "\ud800"}, {"value": object()}, {"n": float("nan"), "x": {1j: 2}}):
        with pytest.raises(SaveError, match=r"could not encode good\.save\.json"):
            write_json(path, payload)
    assert path.read_bytes() == before
    assert [p.name for p in folder.root.iterdir() if p.name.endswith(".tmp")] == []
