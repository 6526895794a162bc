"""Save slots: round trips, atomic writes, refusals, damaged files and saves from older stories."""

from __future__ import annotations

import errno
import json
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from rougegame.engine import saves
from rougegame.engine.game import Game
from rougegame.engine.saves import (
    AUTOSAVE,
    MAX_SLOT_LEN,
    QUICKSAVE,
    SAVE_SCHEMA,
    SaveError,
    SaveStore,
    atomic_write,
    checksum,
    default_saves_dir,
    validate_slot,
    write_json,
)
from rougegame.story.loader import load_story
from rougegame.story.model import Story
from shared_helpers import Clock

MakeStory = Callable[..., Path]


def files_in(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def rewrite(path: Path, change: Callable[[dict[str, Any]], None], *, reseal: bool = True) -> None:
    """Edit a save's JSON; ``reseal`` recomputes the checksum as a careful hand-editor would."""
    payload = json.loads(path.read_text())
    change(payload)
    if reseal:
        payload["checksum"] = checksum(payload)
    path.write_text(json.dumps(payload))


# -- round trip ---------------------------------------------------------------------------------


def test_a_save_round_trips_to_the_identical_state(
    store: SaveStore, played: Game, tour_story: Story
) -> None:
    path = store.save("my slot", played)
    assert path == store.root / "my slot.save.json"
    loaded = store.load("my slot", tour_story)
    assert loaded.state == played.state
    assert (loaded.slot, loaded.notes, loaded.moved) == ("my slot", [], False)
    resumed = Game(tour_story, loaded.state)
    assert resumed.passage() == played.passage()
    assert [v.index for v in resumed.choices()] == [v.index for v in played.choices()]


def test_a_save_holds_what_the_slot_list_and_a_migration_need(
    store: SaveStore, played: Game
) -> None:
    payload = json.loads(store.save(QUICKSAVE, played).read_text())
    assert payload["format"] == "rougegame-save"
    assert payload["schema"] == SAVE_SCHEMA
    assert payload["slot"] == QUICKSAVE
    assert payload["story"] == {
        "id": "feature-tour",
        "version": "1.0",
        "hash": played.story.content_hash,
    }
    assert (payload["chapter"], payload["chapter_title"], payload["node_title"]) == (
        "dock",
        "The Quay",
        "Wet stone",
    )
    assert payload["play_time"] == 75.0
    assert payload["turns"] == 2
    assert payload["state"]["path"] == [["dock.quay", 0], ["dock.door", 0]]
    assert payload["saved_at"].endswith("+00:00")
    assert payload["checksum"] == checksum(payload)


def test_saving_again_replaces_the_slot(store: SaveStore, played: Game, tour_story: Story) -> None:
    store.save(AUTOSAVE, played)
    played.choose(2)  # wait, and come back by the fallback
    store.save(AUTOSAVE, played)
    assert files_in(store.root) == ["autosave.save.json"]
    assert store.load(AUTOSAVE, tour_story).state.vars["dock_waited"] is True


# -- atomic writes ------------------------------------------------------------------------------


def test_writes_leave_no_temporary_files(store: SaveStore, played: Game) -> None:
    for slot in ("a", "b", "a"):
        store.save(slot, played)
    assert files_in(store.root) == ["a.save.json", "b.save.json"]


def test_a_failed_write_keeps_the_old_file_and_cleans_up(
    store: SaveStore, played: Game, tour_story: Story, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = store.save("slot", played)
    old = path.read_bytes()
    played.choose(1)

    def disk_full(_fd: int, _data: object) -> int:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(saves.os, "write", disk_full)
    with pytest.raises(SaveError) as info:
        store.save("slot", played)
    assert info.value.message == "the disk is full: could not write slot.save.json"
    assert info.value.hint == "the previous file is untouched"
    assert path.read_bytes() == old
    assert files_in(store.root) == ["slot.save.json"]
    monkeypatch.undo()
    assert store.load("slot", tour_story).state.node == "dock.quay"


def test_a_failed_rename_keeps_the_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "file.json"
    target.write_bytes(b"old")

    def refuse(_self: Path, _target: Path) -> None:
        raise OSError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(Path, "replace", refuse)
    with pytest.raises(SaveError, match="read-only"):
        atomic_write(target, b"new")
    assert target.read_bytes() == b"old"
    assert files_in(tmp_path) == ["file.json"]


def test_atomic_write_refuses_to_write_through_a_symlink(tmp_path: Path) -> None:
    real = tmp_path / "real"
    real.write_text("keep")
    link = tmp_path / "link"
    link.symlink_to(real)
    with pytest.raises(SaveError, match="symbolic link"):
        atomic_write(link, b"x")
    assert real.read_text() == "keep"


def test_write_json(tmp_path: Path) -> None:
    write_json(tmp_path / "x.json", {"é": [1, 2]})
    assert json.loads((tmp_path / "x.json").read_text(encoding="utf-8")) == {"é": [1, 2]}


# -- slot names ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("a/b", "slot names cannot contain `/`, `\\` or `..`"),
        ("a\\b", "slot names cannot contain `/`, `\\` or `..`"),
        ("..", "slot names cannot contain `/`, `\\` or `..`"),
        ("a..b", "slot names cannot contain `/`, `\\` or `..`"),
        ("bell\x07", "slot names cannot contain control characters"),
        ("new\nline", "slot names cannot contain control characters"),
        ("x" * (MAX_SLOT_LEN + 1), f"slot names are at most {MAX_SLOT_LEN} characters"),
        ("", "a slot needs a name"),
        ("   ", "a slot needs a name"),
        (".hidden", "`.hidden` is not a valid slot name"),
        ("-dash", "`-dash` is not a valid slot name"),
        ("star*", "`star*` is not a valid slot name"),
    ],
)
def test_bad_slot_names_are_refused(
    store: SaveStore, played: Game, name: str, message: str
) -> None:
    with pytest.raises(SaveError) as info:
        validate_slot(name)
    assert info.value.message == message
    with pytest.raises(SaveError):
        store.save(name, played)
    assert not store.root.exists() or files_in(store.root) == []


@pytest.mark.parametrize(
    "name", ["a", "x" * MAX_SLOT_LEN, "Chapter 2 (before Ash)", "it's_v1.2", AUTOSAVE, QUICKSAVE]
)
def test_good_slot_names(name: str) -> None:
    assert validate_slot(name) == name


def test_a_slot_that_is_a_symlink_is_refused(
    store: SaveStore, played: Game, tmp_path: Path
) -> None:
    store.ensure()
    outside = tmp_path / "outside.json"
    outside.write_text("precious")
    (store.root / "evil.save.json").symlink_to(outside)
    with pytest.raises(SaveError, match="symbolic link"):
        store.save("evil", played)
    assert outside.read_text() == "precious"


# -- damaged saves ------------------------------------------------------------------------------


def damage_truncated(path: Path) -> None:
    path.write_bytes(path.read_bytes()[:100])


def damage_binary(path: Path) -> None:
    path.write_bytes(b"\xff\xfe\x00garbage")


def damage_not_json(path: Path) -> None:
    path.write_text("this is not json")


def damage_list(path: Path) -> None:
    path.write_text("[1, 2, 3]")


def damage_deep(path: Path) -> None:
    path.write_text("[" * 100_000 + "]" * 100_000)


def damage_checksum(path: Path) -> None:
    rewrite(path, lambda p: p["state"]["vars"].update(nectar=5), reseal=False)


def damage_schema(path: Path) -> None:
    rewrite(path, lambda p: p.update(schema=SAVE_SCHEMA + 1))


def damage_no_schema(path: Path) -> None:
    rewrite(path, lambda p: p.update(schema="1"))


def damage_format(path: Path) -> None:
    rewrite(path, lambda p: p.update(format="something-else"))


def damage_no_state(path: Path) -> None:
    rewrite(path, lambda p: p.pop("state"))


def damage_other_story(path: Path) -> None:
    rewrite(path, lambda p: p["story"].update(id="another-story"))


def damage_turns(path: Path) -> None:
    rewrite(path, lambda p: p["state"].update(turns=-1))


def damage_path(path: Path) -> None:
    rewrite(path, lambda p: p["state"].update(path=[["dock.quay", "zero"]]))


def damage_vars(path: Path) -> None:
    rewrite(path, lambda p: p["state"].update(vars=[1, 2]))


def damage_node(path: Path) -> None:
    rewrite(path, lambda p: p["state"].update(node=7))


def damage_play_time(path: Path) -> None:
    rewrite(path, lambda p: p["state"].update(play_time="long"))


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (damage_truncated, "the save `slot` is damaged or cut short"),
        (damage_binary, "the save `slot` is damaged (not text)"),
        (damage_not_json, "the save `slot` is damaged or cut short"),
        (damage_list, "`slot` is not a rougegame save file"),
        (damage_deep, "the save `slot` is damaged or cut short"),
        (damage_checksum, "the save `slot` failed its checksum: it was changed or damaged"),
        (damage_schema, "the save `slot` was made by a newer version of rougegame"),
        (damage_no_schema, "the save `slot` has no valid format version"),
        (damage_format, "`slot` is not a rougegame save file"),
        (damage_no_state, "the save `slot` is missing its story or state"),
        (damage_other_story, "the save `slot` belongs to another story ('another-story')"),
        (damage_turns, "the save `slot` is malformed: turns is not a whole number"),
        (damage_path, "the save `slot` is malformed: a step of the choice path is malformed"),
        (damage_vars, "the save `slot` is malformed: variables are not a mapping"),
        (damage_node, "the save `slot` is malformed: no current node"),
        (damage_play_time, "the save `slot` is malformed: play time is not a number"),
    ],
)
def test_a_damaged_save_gives_a_clear_error_and_leaves_other_slots_alone(
    store: SaveStore,
    played: Game,
    tour_story: Story,
    damage: Callable[[Path], None],
    message: str,
) -> None:
    store.save("good", played)
    good_bytes = (store.root / "good.save.json").read_bytes()
    damage(store.save("slot", played))
    with pytest.raises(SaveError) as info:
        store.load("slot", tour_story)
    assert info.value.message == message
    assert (store.root / "good.save.json").read_bytes() == good_bytes
    assert store.load("good", tour_story).state == played.state
    listed = {s.name: s for s in store.slots()}
    assert listed["good"].ok
    if message.startswith(("the save `slot` is malformed", "the save `slot` belongs")):
        assert listed["slot"].ok  # readable; only this story cannot use it
    else:
        assert listed["slot"].problem == message


def test_a_newer_save_says_how_to_load_it(
    store: SaveStore, played: Game, tour_story: Story
) -> None:
    damage_schema(store.save("slot", played))
    with pytest.raises(SaveError) as info:
        store.load("slot", tour_story)
    assert info.value.hint == "update the game to load it"
    assert str(info.value) == (
        "the save `slot` was made by a newer version of rougegame (update the game to load it)"
    )


def test_an_oversized_save_is_refused_without_reading_it(
    store: SaveStore, tour_story: Story
) -> None:
    store.ensure()
    with (store.root / "huge.save.json").open("wb") as f:
        f.truncate(saves.MAX_SAVE_BYTES + 1)
    with pytest.raises(SaveError, match="too large"):
        store.load("huge", tour_story)


def test_a_missing_slot(store: SaveStore, tour_story: Story) -> None:
    with pytest.raises(SaveError, match="there is no save called `nope`"):
        store.load("nope", tour_story)
    with pytest.raises(SaveError, match="there is no save called `nope`"):
        store.delete("nope")


def test_hand_edited_fields_of_the_wrong_type_do_not_break_the_slot_list(
    store: SaveStore, played: Game
) -> None:
    def scramble(payload: dict[str, Any]) -> None:
        payload.update(saved_at=5, chapter_title=None, play_time="x", turns=True)
        payload["story"]["id"] = ["x"]

    rewrite(store.save("odd", played), scramble)
    rewrite(store.save("inf", played), lambda p: p.update(play_time=float("inf")))
    listed = {s.name: s for s in store.slots()}
    odd = listed["odd"]
    assert (odd.saved_at, odd.chapter_title, odd.play_time, odd.turns, odd.story_id) == (
        "",
        "",
        0.0,
        0,
        "",
    )
    assert odd.node_title == "Wet stone"
    assert listed["inf"].play_time == 0.0


# -- the slot list ------------------------------------------------------------------------------


def test_the_slot_list(store: SaveStore, played: Game, monkeypatch: pytest.MonkeyPatch) -> None:
    assert store.slots() == []
    assert store.latest() is None
    stamps = iter(["2026-01-01T00:00:00+00:00", "2026-01-02T00:00:00+00:00"])

    class FixedTime:
        @staticmethod
        def now(_tz: object) -> Any:
            class Stamp:
                @staticmethod
                def isoformat(timespec: str) -> str:
                    return next(stamps)

            return Stamp()

    monkeypatch.setattr(saves, "datetime", FixedTime)
    store.save("older", played)
    store.save("newer", played)
    monkeypatch.undo()
    (store.root / "broken.save.json").write_text("{")
    (store.root / ".hidden.save.json").write_text("{}")
    (store.root / "notes.txt").write_text("not a save")
    slots = store.slots()
    assert [s.name for s in slots if s.ok] == ["newer", "older"]
    newer = slots[[s.name for s in slots].index("newer")]
    assert (newer.chapter_title, newer.node_title, newer.turns, newer.play_time) == (
        "The Quay",
        "Wet stone",
        2,
        75.0,
    )
    assert newer.story_id == "feature-tour"
    broken = next(s for s in slots if s.name == "broken")
    assert not broken.ok and broken.saved_at  # the file's time stands in
    latest = store.latest()
    assert latest is not None and latest.name == "newer"
    assert store.latest("another-story") is None
    assert store.exists("older") and not store.exists("gone") and not store.exists("../x")
    store.delete("older")
    assert not store.exists("older")


def test_the_saves_folder(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, played: Game) -> None:
    monkeypatch.setenv("ROUGEGAME_SAVES", str(tmp_path / "env"))
    assert default_saves_dir() == tmp_path / "env"
    assert SaveStore().root == tmp_path / "env"
    monkeypatch.delenv("ROUGEGAME_SAVES")
    assert default_saves_dir() == Path("saves")
    blocker = tmp_path / "blocker"
    blocker.write_text("a file, not a folder")
    with pytest.raises(SaveError, match="cannot create the saves folder"):
        SaveStore(blocker / "saves").save("x", played)


# -- saves from another version of the story ----------------------------------------------------

V1_FILES = {
    "story.yaml": """\
        format: 1
        id: changing
        title: Changing
        version: "1"
        start: a.one
        codex:
          lore:
            old: {title: Old, text: Old.}
        variables:
          trust: 1
          mood: calm
        """,
    "chapters/a.yaml": """\
        chapter: a
        title: Chapter A
        nodes:
          one:
            text: One.
            choices: [{text: Onward, to: b.two, effects: [trust += 1, unlock old]}]
        """,
    "chapters/b.yaml": """\
        chapter: b
        title: Chapter B
        nodes:
          intro:
            text: Intro.
            choices: [{text: Onward, to: two}]
          two:
            text: Two.
            choices: [{text: Once, to: two, kind: once}, {text: Back, to: intro}]
        """,
}


V1 = {name: textwrap.dedent(text) for name, text in V1_FILES.items()}


def version_two(make_story: MakeStory, *, drop_two: bool = False, drop_b: bool = False) -> Story:
    files = dict(V1)
    files["story.yaml"] = (
        V1["story.yaml"].replace('version: "1"', 'version: "2"').replace("mood: calm", "mood: 5")
        + "  nectar: {initial: 3, min: 0, max: 5}\n"
    )
    if drop_two:
        files["chapters/b.yaml"] = (
            files["chapters/b.yaml"].split("  two:")[0].replace("to: two", "to: intro")
        )
        files["chapters/a.yaml"] = files["chapters/a.yaml"].replace("b.two", "b.intro")
    if drop_b:
        del files["chapters/b.yaml"]
        files["chapters/a.yaml"] = files["chapters/a.yaml"].replace("b.two", "one")
    return load_story(make_story(files, name="v2"))


@pytest.fixture
def v1_save(make_story: MakeStory, store: SaveStore) -> Game:
    story = load_story(make_story(V1, name="v1"))
    game = Game(story, clock=Clock())
    game.choose(0)
    game.choose(0)  # the once-only choice in b.two
    store.save("old", game)
    return game


def test_a_save_loads_into_a_new_version_when_its_node_still_exists(
    make_story: MakeStory, store: SaveStore, v1_save: Game
) -> None:
    story = version_two(make_story)
    loaded = store.load("old", story)
    assert loaded.state.node == "b.two"
    assert not loaded.moved
    assert loaded.state.vars == {"trust": 2, "mood": 5, "nectar": 3}
    assert loaded.notes == [
        "`mood` had a value of the wrong type and was reset",
        "This save was made with another version of the story; "
        "new variables start at their defaults.",
    ]
    assert loaded.state.once == {"b.two#0"}
    assert loaded.state.unlocked == {"old": 0}
    game = Game(story, loaded.state)
    assert [v.text for v in game.choices()] == ["Back"]


def test_when_the_saved_node_is_gone_play_resumes_at_its_chapter_start(
    make_story: MakeStory, store: SaveStore, v1_save: Game
) -> None:
    story = version_two(make_story, drop_two=True)
    loaded = store.load("old", story)
    assert loaded.moved
    assert loaded.state.node == "b.intro"
    assert loaded.notes[0] == (
        "The passage this save was made at no longer exists in this version of the story; "
        "you continue from the start of “Chapter B”."
    )
    assert "b.two" not in loaded.state.visits
    assert loaded.state.once == set()
    Game(story, loaded.state).choose(0)


def test_when_the_saved_chapter_is_gone_play_resumes_at_the_story_start(
    make_story: MakeStory, store: SaveStore, v1_save: Game
) -> None:
    story = version_two(make_story, drop_b=True)
    loaded = store.load("old", story)
    assert loaded.moved
    assert loaded.state.node == "a.one"
    assert "the start of the story" in loaded.notes[0]


def test_out_of_range_and_unknown_values_in_a_save_are_tamed(
    store: SaveStore, played: Game, tour_story: Story
) -> None:
    def tamper(payload: dict[str, Any]) -> None:
        state = payload["state"]
        state["vars"].update(nectar=99, trust=float("nan"), mood="x" * 20_000, ghost=1)
        state["visits"]["no.such"] = 3
        state["visits"]["dock.quay"] = -4
        state["unlocked"]["ghost"] = 1
        state["unlocked"]["keeper"] = "soon"
        state["once"].append("no.such#0")
        state["location"] = 5

    rewrite(store.save("odd", played), tamper)
    loaded = store.load("odd", tour_story)
    state = loaded.state
    assert state.vars["nectar"] == 5  # clamped to its max
    assert state.vars["trust"] == 1 and state.vars["mood"] == "calm"  # reset to their defaults
    assert "ghost" not in state.vars
    assert state.visits == {"dock.door": 1}
    assert state.unlocked == {"quay": 0, "keeper": 0}
    assert state.once == {"dock.quay#0"}
    assert state.location is None


def test_a_save_is_plain_json_a_player_can_read(store: SaveStore, played: Game) -> None:
    text = store.save("slot", played).read_text(encoding="utf-8")
    assert text.endswith("\n")
    assert text.count("\n") > 20  # indented, one value a line
    assert json.loads(text)["state"]["vars"]["mood"] == "hopeful"


def test_a_slot_that_cannot_be_read(store: SaveStore, tour_story: Story) -> None:
    store.ensure()
    (store.root / "folder.save.json").mkdir()
    with pytest.raises(SaveError, match="cannot read the save `folder`"):
        store.load("folder", tour_story)
    (listed,) = store.slots()
    assert not listed.ok and listed.problem is not None


def test_other_write_errors_are_described(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def failing(_fd: int, _data: object) -> int:
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(saves.os, "write", failing)
    with pytest.raises(SaveError, match=r"could not write x\.json: Input/output error"):
        atomic_write(tmp_path / "x.json", b"data")
    assert list(tmp_path.iterdir()) == []
