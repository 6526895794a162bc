"""The compiled-story cache cannot be used to run code, and a shared cache folder is not used."""

from __future__ import annotations

import io
import pickle
import zlib
from pathlib import Path

import pytest

from rougegame.story import loader

TOUR = Path(__file__).resolve().parents[2] / "examples" / "tour"


class _Payload:
    """Unpickling this would create a file: proof that code ran."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[str, str]]:
        return (Path.write_text, (str(self.marker), "ran"))  # type: ignore[return-value]


def test_a_poisoned_cache_entry_is_refused_and_rebuilt(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = tmp_path / "cache"
    monkeypatch.setenv("ROUGEGAME_CACHE", str(cache))
    loader.clear_memory_cache()
    first = loader.load_story(TOUR)
    entries = sorted(cache.glob("*.pickle"))
    assert entries, "loading should have filled the cache"
    marker = tmp_path / "marker"
    for entry in entries:
        entry.write_bytes(pickle.dumps(_Payload(marker)))
    loader.clear_memory_cache()
    again = loader.load_story(TOUR)
    assert not marker.exists()
    assert list(again.nodes) == list(first.nodes)
    # The entries were rebuilt from the story files and now read back cleanly.
    loader.clear_memory_cache()
    assert list(loader.load_story(TOUR).nodes) == list(first.nodes)
    assert not marker.exists()


def test_a_cache_folder_others_can_write_to_is_not_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o777)
    monkeypatch.setenv("ROUGEGAME_CACHE", str(shared))
    assert loader.cache_dir() is None
    loader.clear_memory_cache()
    loader.load_story(TOUR)
    assert list(shared.iterdir()) == []


def test_a_private_cache_folder_is_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    private = tmp_path / "private"
    private.mkdir(mode=0o700)
    private.chmod(0o700)
    monkeypatch.setenv("ROUGEGAME_CACHE", str(private))
    assert loader.cache_dir() == private


def test_poisoned_nodes_behind_a_sound_head_are_refused_when_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The nodes of a chapter entry are read only when play needs them, and only then checked:
    bytes that pass the checksum but name other code are refused there, and the chapter is read
    from its file instead."""
    cache = tmp_path / "cache"
    monkeypatch.setenv("ROUGEGAME_CACHE", str(cache))
    loader.clear_memory_cache()
    first = loader.load_story(TOUR)
    marker = tmp_path / "marker"
    poison = pickle.dumps(_Payload(marker))
    poisoned = 0
    for entry in sorted(cache.glob("*.pickle")):
        stream = io.BytesIO(entry.read_bytes())
        head = pickle.load(stream)
        if not (isinstance(head, tuple) and head[0] == "rougegame-chapter"):
            continue
        tag, chapter, summary, _size, _crc = head
        forged = (tag, chapter, summary, len(poison), zlib.crc32(poison))
        entry.write_bytes(pickle.dumps(forged, pickle.HIGHEST_PROTOCOL) + poison)
        poisoned += 1
    assert poisoned >= 2
    loader.clear_memory_cache()
    again = loader.load_story(TOUR)
    texts = [node.text for node in again.nodes.values()]  # every chapter made ready
    assert texts == [node.text for node in first.nodes.values()]
    assert not marker.exists()
