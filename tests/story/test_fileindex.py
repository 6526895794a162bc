"""Warm loads: the index of story files' hashes (no file it shows untouched is read, and it is
never trusted for a file that may have changed), and the cache entry of the whole story."""

from __future__ import annotations

import json
import os
import pickle
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from rougegame.story import fileindex, loader
from rougegame.story.loader import clear_memory_cache, load_story
from rougegame.story.model import Story

MakeStory = Callable[..., Path]

MANIFEST = "format: 1\nid: indexed\ntitle: Indexed\nstart: a.start\nvariables: {n: 0}\n"


def chapter(name: str, text: str) -> str:
    return (
        f"chapter: {name}\ntitle: {name.upper()}\nnodes:\n  start:\n    text: {text}\n"
        "    ending: {id: " + name + ", title: The end}\n"
    )


FILES = {"story.yaml": MANIFEST, "chapters/a.yaml": chapter("a", "Alpha text.")}
FILES_TWO = {**FILES, "chapters/b.yaml": chapter("b", "Bravo text.")}


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    folder = tmp_path / "cache"
    monkeypatch.setenv("ROUGEGAME_CACHE", str(folder))
    clear_memory_cache()
    yield folder
    clear_memory_cache()


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """The story files read (by their name in messages), counted."""
    counts: Counter[str] = Counter()
    read = loader._read

    def counting(path: Path, display: str) -> bytes:
        counts[display] += 1
        return read(path, display)

    monkeypatch.setattr(loader, "_read", counting)
    return counts


@pytest.fixture
def settled(monkeypatch: pytest.MonkeyPatch) -> None:
    """Files count as settled as soon as they are written (no waiting for a slow clock)."""
    monkeypatch.setattr(fileindex, "SETTLED_NS", -(10**12))


def warm(root: Path) -> Story:
    clear_memory_cache()  # a new process: only the cache folder is left
    return load_story(root)


def index_file(cache: Path) -> Path:
    (found,) = cache.glob("index-*.json")
    return found


def text_of(story: Story, node: str) -> str:
    return story.nodes[node].text


@pytest.mark.usefixtures("settled")
def test_a_warm_load_reads_no_file_the_index_shows_untouched(
    make_story: MakeStory, cache: Path, reads: Counter[str]
) -> None:
    root = make_story(FILES_TWO)
    first = load_story(root)
    assert set(reads) == {"story/story.yaml", "story/chapters/a.yaml", "story/chapters/b.yaml"}
    reads.clear()
    again = warm(root)
    assert reads == Counter()
    assert again.content_hash == first.content_hash
    assert text_of(again, "b.start") == "Bravo text."


@pytest.mark.usefixtures("settled")
def test_a_file_written_since_is_read_again_even_at_the_same_size(
    make_story: MakeStory, cache: Path, reads: Counter[str]
) -> None:
    root = make_story(FILES_TWO)
    first = load_story(root)
    b = root / "chapters" / "b.yaml"
    b.write_text(chapter("b", "Brave text."), encoding="utf-8")  # same size, new content
    reads.clear()
    again = warm(root)
    assert reads == Counter({"story/chapters/b.yaml": 1})
    assert text_of(again, "b.start") == "Brave text."
    assert again.content_hash != first.content_hash


def test_a_file_just_written_is_hashed_on_every_load_until_it_settles(
    make_story: MakeStory, cache: Path, reads: Counter[str]
) -> None:
    root = make_story(FILES)
    load_story(root)
    warm(root)
    assert reads["story/chapters/a.yaml"] == 2
    assert not list(cache.glob("index-*.json"))  # nothing settled: nothing to keep


@pytest.mark.usefixtures("settled")
@pytest.mark.parametrize(
    "damage",
    [
        "not json at all {",
        '{"version": 1, "files": {"chapters/a.yaml": "nope"}}',
        '{"version": 1, "files": {"story/chapters/a.yaml": [1, 2, 3, "4", "00"]}}',
        '{"version": 1, "files": {"story/chapters/a.yaml": [1, 2, 3, 4, "abcd"]}}',
        '{"version": 99, "files": {}}',
        "[]",
    ],
)
def test_a_damaged_index_is_ignored_and_written_again(
    make_story: MakeStory, cache: Path, reads: Counter[str], damage: str
) -> None:
    root = make_story(FILES)
    load_story(root)
    index_file(cache).write_text(damage, encoding="utf-8")
    reads.clear()
    story = warm(root)
    assert text_of(story, "a.start") == "Alpha text."
    assert reads["story/chapters/a.yaml"] == 1
    reads.clear()
    warm(root)
    assert reads == Counter()


@pytest.mark.usefixtures("settled")
def test_an_index_wrong_about_a_file_is_corrected_by_its_content(
    make_story: MakeStory, cache: Path, reads: Counter[str]
) -> None:
    root = make_story(FILES)
    load_story(root)
    path = index_file(cache)
    data = json.loads(path.read_text(encoding="utf-8"))
    data["files"]["story/chapters/a.yaml"][-1] = "ab" * 32  # a hash of nothing in the cache
    path.write_text(json.dumps(data), encoding="utf-8")
    story = warm(root)
    assert text_of(story, "a.start") == "Alpha text."
    fixed = json.loads(path.read_text(encoding="utf-8"))["files"]["story/chapters/a.yaml"]
    assert fixed[-1] != "ab" * 32
    reads.clear()
    warm(root)
    assert reads == Counter()


@pytest.mark.usefixtures("settled")
def test_files_no_longer_in_the_story_leave_the_index(make_story: MakeStory, cache: Path) -> None:
    root = make_story(FILES_TWO)
    load_story(root)
    assert "story/chapters/b.yaml" in json.loads(index_file(cache).read_text())["files"]
    (root / "chapters" / "b.yaml").unlink()
    story = warm(root)
    assert "b.start" not in story.nodes
    assert "story/chapters/b.yaml" not in json.loads(index_file(cache).read_text())["files"]


@pytest.mark.usefixtures("settled")
def test_an_index_in_use_is_touched_now_and_then_so_pruning_keeps_it(
    make_story: MakeStory, cache: Path
) -> None:
    root = make_story(FILES)
    load_story(root)
    path = index_file(cache)
    long_ago = time.time() - 3 * 86_400
    os.utime(path, (long_ago, long_ago))
    warm(root)
    assert path.stat().st_mtime > time.time() - 60
    recently = time.time() - 3600
    os.utime(path, (recently, recently))
    warm(root)  # touched within the day: left as it is
    assert abs(path.stat().st_mtime - recently) < 1


@pytest.mark.usefixtures("settled")
def test_an_index_that_cannot_be_written_only_costs_speed(
    make_story: MakeStory, cache: Path, reads: Counter[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_story(FILES)

    def refuse(*_args: object, **_kwargs: object) -> None:
        raise PermissionError("read-only")

    monkeypatch.setattr(Path, "replace", refuse)
    story = load_story(root)
    assert text_of(story, "a.start") == "Alpha text."
    reads.clear()
    assert text_of(warm(root), "a.start") == "Alpha text."
    assert reads["story/chapters/a.yaml"] == 1


# -- the whole story's entry --------------------------------------------------------------------


@pytest.fixture
def heads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The cache entries whose head a load reads, by name."""
    read: list[str] = []
    read_head = loader._read_head

    def recording(path: Path) -> object:
        read.append(path.name)
        return read_head(path)

    monkeypatch.setattr(loader, "_read_head", recording)
    return read


def story_entries(cache: Path) -> list[Path]:
    found = []
    for path in cache.glob("*.pickle"):
        with path.open("rb") as f:
            head = pickle.load(f)
        if isinstance(head, tuple) and head[:1] == ("rougegame-story",):
            found.append(path)
    return found


@pytest.mark.usefixtures("settled")
def test_the_linked_story_is_kept_and_a_warm_load_reads_it_alone(
    make_story: MakeStory, cache: Path, heads: list[str], reads: Counter[str]
) -> None:
    root = make_story(FILES_TWO)
    first = load_story(root)  # parses: each file gets its entry, and the linked story its own
    (entry,) = story_entries(cache)
    heads.clear()
    reads.clear()
    story = warm(root)
    assert heads == [entry.name] and reads == Counter()
    assert story.content_hash == first.content_hash
    assert list(story.nodes) == ["a.start", "b.start"]
    assert list(story.chapters) == ["a", "b"] and story.chapter_of("b.start").title == "B"
    assert text_of(story, "b.start") == "Bravo text."
    assert story.ending_nodes == first.ending_nodes and story.variables == first.variables
    assert [e.id for e in story.endings] == ["a", "b"]


@pytest.mark.usefixtures("settled")
def test_a_changed_file_makes_another_story_entry(make_story: MakeStory, cache: Path) -> None:
    root = make_story(FILES_TWO)
    load_story(root)
    warm(root)
    (root / "chapters" / "b.yaml").write_text(chapter("b", "Brave text."), encoding="utf-8")
    assert text_of(warm(root), "b.start") == "Brave text."
    assert text_of(warm(root), "b.start") == "Brave text."
    assert len(story_entries(cache)) == 2


@pytest.mark.usefixtures("settled")
@pytest.mark.parametrize("damage", ["cut", "garbage", "elsewhere"])
def test_a_damaged_story_entry_is_ignored(
    make_story: MakeStory, cache: Path, heads: list[str], damage: str
) -> None:
    root = make_story(FILES_TWO)
    load_story(root)
    warm(root)
    (entry,) = story_entries(cache)
    data = entry.read_bytes()
    if damage == "cut":
        entry.write_bytes(data[: len(data) // 2])
    elif damage == "garbage":
        entry.write_bytes(pickle.dumps(("rougegame-story", (1, 2), "x", [])))
    else:  # its chapters' nodes said to be in some other file
        tag, fields, chapter_of, places = pickle.loads(data)
        places = [(c, i, "../../etc/passwd", o, n, crc) for c, i, _name, o, n, crc in places]
        entry.write_bytes(pickle.dumps((tag, fields, chapter_of, places)))
    heads.clear()
    story = warm(root)
    assert len(heads) > 1  # read from every file's entry instead
    assert text_of(story, "b.start") == "Bravo text."


@pytest.mark.usefixtures("settled")
def test_a_story_entry_whose_chapter_entries_are_gone_reads_the_chapter_files(
    make_story: MakeStory, cache: Path, reads: Counter[str]
) -> None:
    root = make_story(FILES_TWO)
    load_story(root)
    warm(root)
    (entry,) = story_entries(cache)
    for path in cache.glob("*.pickle"):
        if path != entry:
            path.unlink()
    reads.clear()
    story = warm(root)
    assert reads == Counter()  # nothing read until a chapter's nodes are needed
    assert text_of(story, "b.start") == "Bravo text."
    assert reads == Counter({"story/chapters/b.yaml": 1})
