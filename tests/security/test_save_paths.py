"""Slot names and the saves folder: nothing is read or written outside it, links included.

Slot names come from the player (and from file names in a folder a player may have copied
files into). Every name is validated before it becomes a path; symbolic links, hard links,
pipes and folders planted in the saves folder are refused or replaced, never followed; and an
audit hook proves that a whole session of saving, loading, listing and deleting touches nothing
outside the folder.
"""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

import pytest
from security_helpers import snapshot

from rougegame.engine import saves
from rougegame.engine.game import Game
from rougegame.engine.profile import Profile, load_profile, save_profile
from rougegame.engine.saves import SaveError, SaveStore, validate_slot
from rougegame.story.model import Story

BAD_NAMES = [
    "",
    " ",
    "..",
    ".",
    "../outside",
    "../../etc/passwd",
    "/etc/passwd",
    "a/b",
    "a\\b",
    "..\\outside",
    "C:\\outside",
    "~",
    "~root",
    "$HOME",
    "%2e%2e%2foutside",
    ".hidden",
    "-flag",
    "a\x00b",
    "a\nb",
    "tab\there",
    "\x1b[31m",
    "nul\x7f",
    "é",
    "\u202eevil",  # right-to-left override
    "\uff0e\uff0e\uff0foutside",  # full-width dots and slash
    "x" * 65,
    "star*",
    "pipe|",
    "a:b",
    "q?",
    "<x>",
]


@pytest.mark.parametrize("name", BAD_NAMES)
def test_bad_slot_names_are_refused_everywhere(
    store: SaveStore, played: Game, tour_story: Story, tmp_path: Path, name: str
) -> None:
    before = snapshot(tmp_path)
    with pytest.raises(SaveError) as info:
        validate_slot(name)
    assert info.value.message
    for action in (
        lambda: store.save(name, played),
        lambda: store.load(name, tour_story),
        lambda: store.delete(name),
        lambda: store.read_payload(name),
        lambda: store.path_for(name),
    ):
        with pytest.raises(SaveError):
            action()
    assert store.exists(name) is False
    assert snapshot(tmp_path) == before


@contextmanager
def deadline(seconds: int) -> Iterator[None]:
    """Fail (instead of hanging the suite) when the block takes longer than ``seconds``."""

    def expire(signum: int, frame: Any) -> None:
        raise TimeoutError(f"blocked for {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


@pytest.fixture
def outside(tmp_path: Path, played: Game) -> Path:
    """A valid save of the same story, outside the saves folder: following a link would work."""
    elsewhere = SaveStore(tmp_path / "elsewhere")
    return elsewhere.save("precious", played)


def test_a_slot_linked_to_a_file_outside_is_never_followed(
    store: SaveStore, played: Game, tour_story: Story, outside: Path
) -> None:
    store.ensure()
    original = outside.read_bytes()
    (store.root / "linked.save.json").symlink_to(outside)
    for action in (
        lambda: store.load("linked", tour_story),
        lambda: store.save("linked", played),
        lambda: store.delete("linked"),
    ):
        with pytest.raises(SaveError, match="symbolic link"):
            action()
    [info] = store.slots()
    assert info.name == "linked" and info.problem is not None and "symbolic link" in info.problem
    assert store.latest() is None
    assert outside.read_bytes() == original
    assert (store.root / "linked.save.json").is_symlink()


def test_a_link_that_appears_after_the_check_is_still_not_followed(
    store: SaveStore, tour_story: Story, outside: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A link swapped in between validating the path and opening it: the open itself refuses.
    store.ensure()
    (store.root / "raced.save.json").symlink_to(outside)
    monkeypatch.setattr(SaveStore, "path_for", lambda self, slot: self.root / f"{slot}.save.json")
    with pytest.raises(SaveError, match="symbolic link"):
        store.load("raced", tour_story)


def test_a_dangling_link_creates_nothing_outside(
    store: SaveStore, played: Game, tmp_path: Path
) -> None:
    store.ensure()
    target = tmp_path / "created-through-link.json"
    (store.root / "dangling.save.json").symlink_to(target)
    with pytest.raises(SaveError):
        store.save("dangling", played)
    assert not target.exists()


def test_a_hard_link_to_a_file_outside_is_replaced_not_written_through(
    store: SaveStore, played: Game, tour_story: Story, outside: Path
) -> None:
    store.ensure()
    original = outside.read_bytes()
    slot = store.root / "hard.save.json"
    os.link(outside, slot)
    store.save("hard", played)
    assert outside.read_bytes() == original
    assert slot.stat().st_ino != outside.stat().st_ino
    assert store.load("hard", tour_story).state == played.state


def test_a_predictable_temporary_name_cannot_be_used_to_write_outside(
    store: SaveStore, played: Game, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store.ensure()
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    monkeypatch.setattr(saves.secrets, "token_hex", lambda n: "deadbeef")
    trap = store.root / f".slot.save.json.{os.getpid()}.deadbeef.tmp"
    trap.symlink_to(victim)
    with pytest.raises(SaveError):
        store.save("slot", played)
    assert victim.read_text() == "precious"
    assert trap.is_symlink()


def test_a_pipe_in_the_folder_is_refused_without_waiting(
    store: SaveStore, played: Game, tour_story: Story
) -> None:
    store.ensure()
    os.mkfifo(store.root / "pipe.save.json")
    os.mkfifo(store.root / "profile.json")
    with deadline(10):
        with pytest.raises(SaveError, match="not a regular file"):
            store.load("pipe", tour_story)
        [info] = store.slots()
        assert info.problem is not None
        store.save("pipe", played)  # replaces the pipe with a save
        assert store.load("pipe", tour_story).state == played.state
        profile, note = load_profile(store.root)
        assert note is not None and "not a regular file" in note
        save_profile(store.root, profile)  # and a real profile replaces the pipe
        assert load_profile(store.root)[1] is None


def test_a_profile_linked_outside_is_not_followed(
    store: SaveStore, tmp_path: Path, tour_story: Story
) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    real = Profile()
    real.record_ending(tour_story.id, "x", "X")
    save_profile(elsewhere, real)
    original = (elsewhere / "profile.json").read_bytes()
    store.ensure()
    (store.root / "profile.json").symlink_to(elsewhere / "profile.json")
    profile, note = load_profile(store.root)
    assert note is not None and profile.endings_for(tour_story.id) == {}
    with pytest.raises(SaveError, match="symbolic link"):
        save_profile(store.root, profile)
    assert (elsewhere / "profile.json").read_bytes() == original


def test_a_folder_where_a_slot_should_be(store: SaveStore, played: Game, tour_story: Story) -> None:
    store.ensure()
    (store.root / "dir.save.json").mkdir()
    with pytest.raises(SaveError):
        store.load("dir", tour_story)
    with pytest.raises(SaveError):
        store.save("dir", played)
    assert (store.root / "dir.save.json").is_dir()


def test_a_saves_folder_that_is_a_file(tmp_path: Path, played: Game) -> None:
    (tmp_path / "saves").write_text("not a folder")
    store = SaveStore(tmp_path / "saves")
    with pytest.raises(SaveError, match="cannot create the saves folder"):
        store.save("slot", played)
    assert store.slots() == []


def test_an_unreadable_listing_is_an_empty_list(
    store: SaveStore, played: Game, monkeypatch: pytest.MonkeyPatch
) -> None:
    store.save("slot", played)

    def refuse(self: Path) -> Iterator[Path]:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "iterdir", refuse)
    assert store.slots() == []


# -- an audit of every file operation -------------------------------------------------------

WATCHED = {
    "open",
    "os.rename",
    "os.replace",
    "os.remove",
    "os.unlink",
    "os.rmdir",
    "os.mkdir",
    "os.listdir",
    "os.scandir",
    "os.symlink",
    "os.link",
    "os.chmod",
    "os.chown",
    "os.truncate",
    "shutil.copyfile",
    "shutil.move",
    "shutil.rmtree",
}


class Audit:
    """Every path the game's file operations name while ``recording`` is on."""

    def __init__(self) -> None:
        self.recording = False
        self.paths: list[tuple[str, str]] = []

    def __call__(self, event: str, args: tuple[Any, ...]) -> None:
        if not self.recording or event not in WATCHED:
            return
        two_paths = event in ("os.rename", "os.replace", "os.symlink", "os.link", "shutil.move")
        for arg in args[: 2 if two_paths else 1]:
            if isinstance(arg, (str, bytes, os.PathLike)):
                self.paths.append((event, os.fsdecode(arg)))


_AUDIT = Audit()
sys.addaudithook(_AUDIT)  # hooks cannot be removed; this one records only inside `audited`


@pytest.fixture
def audited() -> Callable[[], list[tuple[str, str]]]:
    _AUDIT.paths.clear()
    _AUDIT.recording = True

    def stop() -> list[tuple[str, str]]:
        _AUDIT.recording = False
        return list(_AUDIT.paths)

    yield stop  # type: ignore[misc]
    _AUDIT.recording = False


def test_a_whole_session_touches_nothing_outside_the_saves_folder(
    store: SaveStore,
    played: Game,
    tour_story: Story,
    outside: Path,
    audited: Callable[[], list[tuple[str, str]]],
) -> None:
    store.ensure()
    (store.root / "linked.save.json").symlink_to(outside)
    (store.root / "junk.save.json").write_bytes(b"\x00junk")
    _AUDIT.paths.clear()
    for name in ["one", "two", "autosave", "quicksave", "linked", *BAD_NAMES]:
        with suppress(SaveError):
            store.save(name, played)
        with suppress(SaveError):
            store.load(name, tour_story)
        store.exists(name)
    store.slots()
    store.latest(tour_story.id)
    store.delete("two")
    save_profile(store.root, Profile())
    load_profile(store.root)
    touched = audited()
    assert len(touched) > 30
    assert {"open", "os.rename", "os.scandir", "os.mkdir"} <= {event for event, _ in touched}
    root = store.root.resolve()
    # The folder itself, or an entry directly in it (resolving the folder, not the entry, so
    # a link in the folder counts as in it: what matters is that it is never followed).
    outside_paths = [
        (event, path)
        for event, path in touched
        if Path(path).resolve() != root and Path(path).parent.resolve() != root
    ]
    assert outside_paths == []
    assert outside.read_bytes() == SaveStore(outside.parent).path_for("precious").read_bytes()
