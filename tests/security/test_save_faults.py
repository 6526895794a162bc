"""Faults while saving: a full disk or a read-only folder loses nothing and stops nothing.

Each fault is injected where the operating system would report it (``os.write``, ``os.fsync``,
``os.close``, ``os.open``, the rename). The save fails with a clear :class:`SaveError`, the old
file stays byte for byte, no temporary file is left behind, and the game plays on and saves again
once the fault is gone.
"""

from __future__ import annotations

import errno
import io
import os
import stat
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from security_helpers import snapshot

from rougegame.engine import saves
from rougegame.engine.game import Game
from rougegame.engine.profile import (
    Profile,
    Settings,
    load_profile,
    save_profile,
    save_settings,
)
from rougegame.engine.saves import SaveError, SaveStore
from rougegame.story.model import Story
from rougegame.tools.plain import run_plain

Fault = Callable[[pytest.MonkeyPatch], None]


def step(game: Game) -> None:
    """Take the first available choice."""
    game.choose(game.available()[0].index)


def enospc(*args: Any, **kwargs: Any) -> Any:
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def write_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "write", enospc)


def write_fails_midway(monkeypatch: pytest.MonkeyPatch) -> None:
    real = os.write
    calls = {"n": 0}

    def short_then_full(fd: int, data: Any) -> int:
        calls["n"] += 1
        if calls["n"] == 1:
            return real(fd, bytes(data)[: max(1, len(data) // 3)])  # a short write first
        return enospc()  # type: ignore[no-any-return]

    monkeypatch.setattr(os, "write", short_then_full)


def fsync_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "fsync", enospc)  # some file systems report a full disk here


def close_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    real = os.close

    def close(fd: int) -> None:
        real(fd)
        raise OSError(errno.EIO, os.strerror(errno.EIO))

    monkeypatch.setattr(os, "close", close)


def rename_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Path, "replace", enospc)


FAULTS = {
    "write": (write_fails, "the disk is full"),
    "short-write": (write_fails_midway, "the disk is full"),
    "fsync": (fsync_fails, "the disk is full"),
    "close": (close_fails, "could not write"),
    "rename": (rename_fails, "the disk is full"),
}


@pytest.fixture
def saved(store: SaveStore, played: Game, tour_story: Story) -> Iterator[SaveStore]:
    """A folder with two slots and a profile."""
    store.save("slot", played)
    store.save("other", Game(tour_story))
    save_profile(store.root, Profile())
    yield store


@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_a_fault_while_saving_keeps_the_old_save(
    saved: SaveStore,
    played: Game,
    tour_story: Story,
    monkeypatch: pytest.MonkeyPatch,
    fault: str,
) -> None:
    inject, message = FAULTS[fault]
    before = snapshot(saved.root)
    old_state = saved.load("slot", tour_story).state
    step(played)  # the game moved on since the last save
    with monkeypatch.context() as patch:
        inject(patch)
        with pytest.raises(SaveError) as info:
            saved.save("slot", played)
        with pytest.raises(SaveError):
            saved.save("new slot", played)
    assert message in info.value.message and "slot.save.json" in info.value.message
    assert info.value.hint == "the previous file is untouched"
    assert snapshot(saved.root) == before  # nothing changed, nothing left behind
    assert saved.load("slot", tour_story).state == old_state
    # The game plays on, and saves again once the disk has room.
    step(played)
    saved.save("slot", played)
    assert saved.load("slot", tour_story).state == played.state


@pytest.mark.parametrize("fault", ["write", "fsync", "rename"])
def test_the_profile_and_settings_survive_a_full_disk(
    saved: SaveStore, tour_story: Story, monkeypatch: pytest.MonkeyPatch, fault: str
) -> None:
    profile = Profile()
    profile.record_ending(tour_story.id, "through_the_lock", "Through the Lock")
    save_profile(saved.root, profile)
    save_settings(saved.root, Settings(theme="old"))
    before = snapshot(saved.root)
    profile.record_ending(tour_story.id, "another", "Another")
    with monkeypatch.context() as patch:
        FAULTS[fault][0](patch)
        with pytest.raises(SaveError, match="the disk is full"):
            save_profile(saved.root, profile)
        with pytest.raises(SaveError, match="the disk is full"):
            save_settings(saved.root, Settings(theme="new"))
    assert snapshot(saved.root) == before
    kept, note = load_profile(saved.root)
    assert note is None and list(kept.endings_for(tour_story.id)) == ["through_the_lock"]


def writes_are_refused(folder: Path) -> bool:
    probe = folder / ".probe"
    try:
        probe.write_bytes(b"x")
    except PermissionError:
        return True
    probe.unlink()
    return False


@pytest.fixture
def read_only(saved: SaveStore, monkeypatch: pytest.MonkeyPatch) -> Iterator[SaveStore]:
    """The saves folder made read-only; simulated where permissions do not bind (as root)."""
    mode = stat.S_IMODE(saved.root.stat().st_mode)
    saved.root.chmod(0o555)
    if not writes_are_refused(saved.root):
        real_open = os.open
        root = str(saved.root)

        def open_refusing_writes(path: Any, flags: int, *args: Any, **kwargs: Any) -> int:
            if flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT) and os.fspath(path).startswith(root):
                raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), os.fspath(path))
            return real_open(path, flags, *args, **kwargs)

        monkeypatch.setattr(os, "open", open_refusing_writes)
    yield saved
    monkeypatch.undo()
    saved.root.chmod(mode)


def test_a_read_only_folder_gives_a_clear_message_and_keeps_every_save(
    read_only: SaveStore, played: Game, tour_story: Story
) -> None:
    before = snapshot(read_only.root)
    step(played)
    for slot in ("slot", "brand new"):
        with pytest.raises(SaveError) as info:
            read_only.save(slot, played)
        assert info.value.message.startswith("the saves folder is read-only")
    with pytest.raises(SaveError, match="read-only"):
        save_profile(read_only.root, Profile())
    assert snapshot(read_only.root) == before
    # Reading still works: the player can load and keep playing.
    assert read_only.load("slot", tour_story).slot == "slot"
    assert {s.name for s in read_only.slots()} == {"slot", "other"}
    step(played)


def test_a_read_only_file_system_is_named_too(
    saved: SaveStore, played: Game, monkeypatch: pytest.MonkeyPatch
) -> None:
    def erofs(*args: Any, **kwargs: Any) -> int:
        raise OSError(errno.EROFS, os.strerror(errno.EROFS))

    monkeypatch.setattr(os, "open", erofs)
    with pytest.raises(SaveError, match="the saves folder is read-only"):
        saved.save("slot", played)


def test_plain_mode_warns_once_and_plays_on_when_autosave_fails(
    tour_story: Story, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = io.StringIO()
    monkeypatch.setattr(os, "write", enospc)
    code = run_plain(tour_story, tmp_path / "saves", stdin=io.StringIO("1\n1\n1\n"), stdout=out)
    assert code == 0
    text = out.getvalue()
    assert text.count("Autosave failed") == 1
    assert text.count("You chose") == 3
    assert not (tmp_path / "saves" / "autosave.save.json").exists()


def test_a_stale_temporary_file_from_a_crash_is_swept_away(saved: SaveStore, played: Game) -> None:
    old = saved.root / ".slot.save.json.999999.0123abcd.tmp"
    young = saved.root / ".slot.save.json.999998.4567cdef.tmp"
    other = saved.root / ".other.save.json.999999.0123abcd.tmp"
    for path in (old, young, other):
        path.write_bytes(b'{"half a sa')
    ancient = saves.STALE_TMP_SECONDS * 2
    for path in (old, other):
        stamp = path.stat().st_mtime - ancient
        os.utime(path, (stamp, stamp))
    saved.save("slot", played)
    assert not old.exists()  # left by a crash long ago
    assert young.exists()  # may belong to a writer at work right now
    assert other.exists()  # another slot's: swept when that slot is saved
    assert [s.name for s in saved.slots() if not s.ok] == []
