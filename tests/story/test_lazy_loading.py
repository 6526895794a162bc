"""Loading for speed: chapters made ready on demand, the summary check, the cache's format and
size, and the garbage collector left as it was found."""

from __future__ import annotations

import gc
import os
import pickle
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from rougegame.engine.game import Game
from rougegame.story import linker, loader
from rougegame.story.loader import clear_memory_cache, load_story
from rougegame.story.model import Node, NodeTable
from rougegame.story.problems import Location, StoryError

MakeStory = Callable[..., Path]


def chapter(name: str, nodes: dict[str, str]) -> str:
    body = "".join(
        f"  {node}:\n    text: {name} {node}\n    choices:\n{spec}" for node, spec in nodes.items()
    )
    return f"chapter: {name}\ntitle: {name.title()}\nnodes:\n{body}"


def to(target: str, extra: str = "") -> str:
    return f"      - text: Go to {target}\n        to: {target}\n{extra}"


THREE_CHAPTERS = {
    "chapters/a.yaml": chapter(
        "a", {"start": to("b.one", "        if: n > 0\n"), "side": to("start")}
    ),
    "chapters/b.yaml": chapter(
        "b", {"one": to("two", "        effects: [n += 1]\n"), "two": to("c.end")}
    ),
    "chapters/c.yaml": "chapter: c\ntitle: C\nnodes:\n  end:\n    text: The end.\n"
    "    ending: {id: done, title: Done}\n",
}


def test_nodes_are_made_ready_a_chapter_at_a_time(make_story: MakeStory) -> None:
    story = load_story(make_story(THREE_CHAPTERS), use_cache=False)
    nodes = story.nodes
    assert isinstance(nodes, NodeTable)
    assert list(nodes) == ["a.start", "a.side", "b.one", "b.two", "c.end"]
    assert len(nodes) == 5 and "b.two" in nodes and "b.nope" not in nodes
    assert not any(nodes.is_ready(n) for n in nodes)  # knowing the ids reads no node
    assert story.chapter_of("b.two").id == "b"
    assert not nodes.is_ready("b.two")
    one = nodes["b.one"]
    assert nodes.is_ready("b.two") and not nodes.is_ready("a.start")
    assert one.choices[0].target == "b.two"  # resolved when made ready
    assert nodes.get("nowhere") is None
    with pytest.raises(KeyError):
        nodes["b.nope"]
    assert [e.id for e in story.endings] == ["done"]
    assert nodes.is_ready("c.end") and not nodes.is_ready("a.start")


def test_a_game_makes_ready_only_the_chapters_it_reaches(make_story: MakeStory) -> None:
    story = load_story(make_story(THREE_CHAPTERS), use_cache=False)
    game = Game(story)
    game.state.vars["n"] = 1
    assert not story.nodes.is_ready("c.end")
    game.choose(0)
    assert game.state.node == "b.one" and game.machine.built == {"a", "b"}
    assert not story.nodes.is_ready("c.end")
    game.choose(0)
    game.choose(0)
    assert game.is_ending and game.machine.built == {"a", "b", "c"}


def test_the_summary_check_and_the_node_by_node_check_agree(
    make_story: MakeStory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The node-by-node check (which runs when a summary shows a problem) finds the same story."""
    root = make_story(THREE_CHAPTERS)
    quick = load_story(root, use_cache=False)
    with monkeypatch.context() as m:
        m.setattr(linker._Linker, "summaries_pass", lambda self: False)
        slow = load_story(root, use_cache=False)
    assert list(slow.nodes) == list(quick.nodes)
    for node_id in quick.nodes:
        a, b = quick.nodes[node_id], slow.nodes[node_id]
        assert [c.target for c in a.choices] == [c.target for c in b.choices]
        assert a.static_paragraphs == b.static_paragraphs and a.text == b.text


@pytest.mark.parametrize(
    ("files", "code"),
    [
        ({"chapters/d.yaml": chapter("d", {"x": to("x", "        if: nope > 1\n")})}, "undeclared"),
        ({"chapters/d.yaml": chapter("d", {"x": to("a.gone")})}, "missing-target"),
        (
            {"chapters/d.yaml": chapter("d", {"x": to("x", "        effects: [word = 1]\n")})},
            "type",
        ),
        (
            {"chapters/d.yaml": chapter("d", {"x": to("x", "        effects: [unlock ghost]\n")})},
            "missing-codex",
        ),
        (
            {"chapters/d.yaml": chapter("d", {"x": to("x", "        if: visits(c.y) > 0\n")})},
            "missing-node",
        ),
        (
            {
                "chapters/d.yaml": "chapter: d\ntitle: D\nnodes:\n  end:\n    text: e\n"
                "    ending: {id: done, title: Done}\n",
            },
            "duplicate",
        ),
        (  # equal ASTs, ("lit", 1) == ("lit", True), must not hide the second effect
            {
                "chapters/d.yaml": chapter(
                    "d",
                    {
                        "x": to("x", "        effects: [n = 1]\n")
                        + to("y", "        effects: [n = true]\n"),
                        "y": to("x"),
                    },
                )
            },
            "type",
        ),
    ],
)
def test_a_problem_in_any_chapter_is_found_through_the_summaries(
    make_story: MakeStory, files: dict[str, str], code: str
) -> None:
    """Every chapter but one is sound: the one problem is still found, with its position."""
    with pytest.raises(StoryError) as info:
        load_story(make_story({**THREE_CHAPTERS, **files}), use_cache=False)
    assert [p.code for p in info.value.problems] == [code]
    where = info.value.problems[0].where
    assert where is not None and where.line > 0


def test_cache_entries_keep_their_nodes_after_the_head_and_check_them(
    make_story: MakeStory, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    monkeypatch.setenv("ROUGEGAME_CACHE", str(cache))
    root = make_story(THREE_CHAPTERS)
    clear_memory_cache()
    first = load_story(root)
    entries = sorted(cache.glob("*.pickle"))
    assert len(entries) == 5  # the manifest, three chapters, and the linked story
    tags = {e: head[0] for e in entries if isinstance(head := pickle.loads(e.read_bytes()), tuple)}
    chapters = [e for e, tag in tags.items() if tag == "rougegame-chapter"]
    assert len(chapters) == 3  # a head (chapter and summary) followed by the nodes' bytes
    for entry, tag in tags.items():  # without the story's entry, a load reads every head
        if tag == "rougegame-story":
            entry.unlink()
    # Damage the nodes of every chapter (past the head). A warm load reads only the heads: an
    # entry cut short is found then, the others when their chapter is first needed; each is
    # rebuilt from its chapter file, which still holds what was loaded.
    for entry in chapters:
        data = bytearray(entry.read_bytes())
        data[-3] ^= 0xFF
        entry.write_bytes(bytes(data))
    truncated = chapters[0]
    truncated.write_bytes(truncated.read_bytes()[:-10])
    clear_memory_cache()
    calls: list[str] = []
    real = loader.parse_chapter

    def counting(raw: object, file: str, fallback: str) -> object:
        calls.append(file)
        return real(raw, file, fallback)  # type: ignore[arg-type]

    with monkeypatch.context() as m:
        m.setattr(loader, "parse_chapter", counting)
        again = load_story(root)
        assert len(calls) == 1  # the one cut short
        assert [n.text for n in again.nodes.values()] == [n.text for n in first.nodes.values()]
    assert sorted(calls) == [
        "story/chapters/a.yaml",
        "story/chapters/b.yaml",
        "story/chapters/c.yaml",
    ]
    clear_memory_cache()
    with monkeypatch.context() as m:  # rebuilt: the next load reads every entry as it is
        m.setattr(loader, "parse_chapter", counting)
        load_story(root).nodes.load_chapter("b")
    assert len(calls) == 3


@pytest.fixture
def cached_root(make_story: MakeStory, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """THREE_CHAPTERS, loaded once so that its cache entries exist (in tmp_path / "cache")."""
    monkeypatch.setenv("ROUGEGAME_CACHE", str(tmp_path / "cache"))
    root = make_story(THREE_CHAPTERS)
    clear_memory_cache()
    load_story(root)
    clear_memory_cache()
    return root


def forget_cache(tmp_path: Path) -> None:
    for entry in (tmp_path / "cache").glob("*.pickle"):
        entry.unlink()


def edit_chapter_b(root: Path) -> None:
    chapter_b = root / "chapters" / "b.yaml"
    chapter_b.write_text(chapter_b.read_text().replace("b one", "b one, edited"))


def test_a_chapter_whose_entry_and_file_both_changed_says_so(
    cached_root: Path, tmp_path: Path
) -> None:
    story = load_story(cached_root)  # heads only
    forget_cache(tmp_path)  # the cache is cleared while the game runs...
    assert story.nodes["a.start"].text == "a start"  # ...which only costs a reread
    edit_chapter_b(cached_root)
    with pytest.raises(StoryError) as info:  # ...but an edited file cannot stand in
        story.nodes["b.one"]
    problem = info.value.problems[0]
    assert problem.code == "changed" and "load the story again" in (problem.hint or "")
    assert str(problem.where) == "story/chapters/b.yaml"
    assert not story.nodes.is_ready("b.one")


def test_the_cache_is_pruned_least_recently_used_first(tmp_path: Path) -> None:
    folder = tmp_path / "cache"
    folder.mkdir()
    now = time.time()
    for age, name in enumerate(["new.pickle", "mid.pickle", "index-old.json", "older.pickle"]):
        path = folder / name
        path.write_bytes(b"x" * 1000)
        os.utime(path, (now - age * 3600, now - age * 3600))
    (folder / "notes.txt").write_bytes(b"y" * 5000)  # not an entry: never touched
    loader._prune(folder, 3000)
    assert sorted(p.name for p in folder.iterdir()) == ["mid.pickle", "new.pickle", "notes.txt"]
    loader._prune(folder, 3000)  # under the limit: nothing goes
    assert len(list(folder.iterdir())) == 3


def test_a_load_that_writes_the_cache_prunes_it(
    make_story: MakeStory, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    cache.mkdir()
    stale = cache / "0123.pickle"
    stale.write_bytes(b"s" * 50_000)
    os.utime(stale, (1, 1))
    monkeypatch.setenv("ROUGEGAME_CACHE", str(cache))
    monkeypatch.setattr(loader, "CACHE_LIMIT", 40_000)
    clear_memory_cache()
    load_story(make_story(THREE_CHAPTERS))
    assert not stale.exists()
    assert len(list(cache.glob("*.pickle"))) == 5  # four files' entries and the story's


def test_loading_pauses_the_collector_and_freezes_only_large_stories(
    make_story: MakeStory, monkeypatch: pytest.MonkeyPatch
) -> None:
    frozen: list[bool] = []
    monkeypatch.setattr(gc, "freeze", lambda: frozen.append(gc.isenabled()))
    root = make_story(THREE_CHAPTERS)
    assert gc.isenabled()
    load_story(root, use_cache=False)
    assert gc.isenabled() and frozen == []
    monkeypatch.setattr(loader, "FREEZE_NODES", 5)
    load_story(root, use_cache=False)
    assert gc.isenabled() and frozen == [False]  # frozen while still paused
    with pytest.raises(StoryError):
        load_story(make_story({"chapters/a.yaml": "chapter: a\nnodes: 3\n"}, "broken"))
    assert gc.isenabled()
    gc.disable()
    try:
        load_story(root, use_cache=False)
        assert not gc.isenabled() and frozen == [False]  # left off, as it was found
    finally:
        gc.enable()


def test_locations_survive_pickling_as_equal_frozen_values() -> None:
    loc = Location("a.yaml", 3, 7)
    again = pickle.loads(pickle.dumps(loc))
    assert again == loc and hash(again) == hash(loc) and str(again) == "a.yaml:3:7"
    with pytest.raises(AttributeError):
        again.line = 4  # type: ignore[misc]


def test_entries_kept_in_memory_stay_under_their_limit(
    make_story: MakeStory, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_story(THREE_CHAPTERS)
    clear_memory_cache()
    load_story(root, use_cache=False)
    everything = sum(len(data) for data in loader._memo.values())
    assert len(loader._memo) == 4 and loader._memo_bytes == everything
    monkeypatch.setattr(loader, "MEMORY_LIMIT", everything // 2)
    clear_memory_cache()
    story = load_story(root, use_cache=False)
    assert 0 < loader._memo_bytes <= everything // 2
    assert [n.text for n in story.nodes.values()][-1] == "The end."  # nodes still readable
    clear_memory_cache()


def test_a_chapter_is_made_ready_once_even_with_two_readers() -> None:
    loads: list[str] = []
    release = threading.Event()

    def load(chapter_id: str) -> list[Node]:
        loads.append(chapter_id)
        release.wait(5)  # hold the first reader inside, so the second one has to wait
        return []

    table = NodeTable({"a.x": "a", "a.y": "a", "b.z": "b"}, load)
    assert repr(table) == "<NodeTable of 3 nodes, 0 ready>"
    readers = [threading.Thread(target=table.load_chapter, args=("a",)) for _ in range(2)]
    for reader in readers:
        reader.start()
    release.set()
    for reader in readers:
        reader.join(5)
    table.load_chapter("a")
    assert loads == ["a"]
    assert table.chapter_of("b.z") == "b" and loads == ["a"]


def test_places_are_packed_as_numbers_and_made_on_demand() -> None:
    from rougegame.story.model import optional_place, place, spots

    a, b = Location("ch.yaml", 3, 7), Location("ch.yaml", 9, 1)
    packed = spots(a, None, b)
    assert packed == ("ch.yaml", 3, 7, -1, 0, 9, 1)
    assert place(packed, 0) == a and optional_place(packed, 1) is None and place(packed, 2) == b
    with pytest.raises(LookupError):
        place(packed, 1)
    with pytest.raises(ValueError, match=r"other\.yaml"):
        spots(a, Location("other.yaml", 1, 1))
    # In a pickled node the places are plain numbers: no Location is made to read one back.
    data = pickle.dumps(packed, pickle.HIGHEST_PROTOCOL)
    assert b"Location" not in data and b"location" not in data


def test_node_places_read_back_from_the_cache(
    make_story: MakeStory, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("ROUGEGAME_CACHE", str(tmp_path / "cache"))
    root = make_story(THREE_CHAPTERS)
    clear_memory_cache()
    fresh = load_story(root)
    fresh_places = {
        n.id: (
            n.loc,
            n.text_loc,
            [(c.loc, c.target_loc, c.condition_loc, c.text_loc) for c in n.choices],
        )
        for n in fresh.nodes.values()
    }
    clear_memory_cache()
    cached = load_story(root)
    for node in cached.nodes.values():
        assert fresh_places[node.id] == (
            node.loc,
            node.text_loc,
            [(c.loc, c.target_loc, c.condition_loc, c.text_loc) for c in node.choices],
        )
    start = cached.nodes["a.start"]
    assert start.loc == Location("story/chapters/a.yaml", 4, 3)  # `start:` in a.yaml
    assert start.choices[0].condition_loc is not None and start.choices[1:] == []


def test_a_choice_into_a_chapter_that_cannot_be_read_leaves_the_game_as_it_was(
    cached_root: Path, tmp_path: Path
) -> None:
    from rougegame.engine.game import StoryRuntimeError

    game = Game(load_story(cached_root))
    game.state.vars["n"] = 1  # so that the choice into chapter b is open
    before = game.state.copy()
    forget_cache(tmp_path)
    edit_chapter_b(cached_root)
    with pytest.raises(StoryRuntimeError) as info:
        game.choose(0)  # a.start -> b.one
    assert "has changed since the story was loaded" in info.value.message
    assert info.value.node == "a.start"
    assert game.state == before and game.state.node == "a.start" and not game.can_undo
