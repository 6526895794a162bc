"""Untrusted story files: only plain YAML, every limit enforced, every refusal naming the file.

A story downloaded from a stranger must never run code, and no file, however built, may make the
loader spend unbounded time or memory: alias bombs, deep nesting, huge files, huge numbers,
binary and mis-encoded files all end as a clear problem that names the file.
"""

from __future__ import annotations

import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import pytest

from rougegame.story.loader import load_story
from rougegame.story.problems import Problem, StoryError
from rougegame.story.yamlsafe import (
    MAX_ALIAS_CHARS,
    MAX_ALIAS_VALUES,
    MAX_DEPTH,
    MAX_FILE_BYTES,
    load_yaml,
)

MakeStory = Callable[..., Path]

# Generous ceilings: the refusals below take milliseconds and a few MB. Blowing these means a
# limit stopped working, not that the machine is slow.
SECONDS = 5.0
PEAK_BYTES = 64 * 2**20

CHAPTER_HEAD = "chapter: a\ntitle: A\nnodes:\n"
LOOP_NODE = "  s:\n    text: '{v}'\n    choices: [{text: go, to: s, effects: [v += 1]}]\n"
FILE = "story/chapters/a.yaml"


def problems_loading(root: Path) -> list[Problem]:
    with pytest.raises(StoryError) as info:
        load_story(root, use_cache=False)
    assert info.value.problems
    return info.value.problems


def only_problem(data: str | bytes) -> Problem:
    value, problems = load_yaml(data, "f.yaml")
    assert value is None
    assert len(problems) == 1, problems
    return problems[0]


def bounded(action: Callable[[], object]) -> tuple[object, float, int]:
    """Run ``action``; return its result, the seconds it took and its peak Python memory."""
    tracemalloc.start()
    start = time.perf_counter()
    try:
        result = action()
    finally:
        seconds = time.perf_counter() - start
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    return result, seconds, peak


# -- no code from a story ------------------------------------------------------------------

TAGGED = [
    "a: !!python/object/apply:os.system ['echo owned']",
    "a: !!python/object/new:os.system ['echo owned']",
    "a: !!python/object:builtins.object {}",
    "a: !!python/name:os.system",
    "a: !!python/module:os",
    "a: !!python/tuple [1, 2]",
    "a: !!python/bytes aGVsbG8=",
    "a: !!binary aGVsbG8=",
    "a: !!set {x, y}",
    "a: !!omap [x: 1]",
    "a: !!pairs [x: 1]",
    "a: !<tag:yaml.org,2002:python/object/apply:os.system> ['echo owned']",
    "a: !custom value",
    "a: !custom {b: 1}",
    "a: !custom [1]",
    "%TAG !py! tag:yaml.org,2002:python/\n---\na: !py!object/apply:os.system ['echo owned']",
    "%TAG ! tag:yaml.org,2002:python/\n---\na: !name:os.system x",
]


@pytest.mark.parametrize("text", TAGGED)
def test_tags_that_could_build_objects_are_refused(text: str) -> None:
    problem = only_problem(text + "\n")
    assert problem.code == "yaml-tag"
    assert problem.message.startswith("the tag ")
    assert problem.where is not None and problem.where.file == "f.yaml"
    assert problem.where.line >= 1


def test_a_story_with_a_python_tag_runs_nothing(make_story: MakeStory, tmp_path: Path) -> None:
    marker = tmp_path / "owned"
    root = make_story(
        {
            "chapters/a.yaml": CHAPTER_HEAD
            + "  start:\n"
            + f"    text: !!python/object/apply:os.mkdir [{str(marker)!r}]\n"
            + "    ending: {id: e, title: E}\n"
        }
    )
    problems = problems_loading(root)
    assert [p.code for p in problems if p.code == "yaml-tag"] == ["yaml-tag"]
    tag = next(p for p in problems if p.code == "yaml-tag")
    assert tag.where is not None and tag.where.file == FILE and tag.where.line == 5
    assert not marker.exists()


def test_merge_keys_are_refused_with_their_position() -> None:
    problem = only_problem("base: &b {x: 1}\nother:\n  <<: *b\n  y: 2\n")
    assert problem.code == "yaml-merge"
    assert (problem.where.line, problem.where.column) == (3, 3)  # type: ignore[union-attr]


# -- bombs ----------------------------------------------------------------------------------


def billion_laughs(levels: int = 9, width: int = 9) -> str:
    lines = ['l0: &l0 "lol"']
    for i in range(1, levels + 1):
        lines.append(f"l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * width) + "]")
    return "\n".join(lines) + "\n"


def test_the_billion_laughs_is_refused_in_bounded_time_and_memory() -> None:
    text = billion_laughs()  # 9**9 = 387 million strings once expanded
    assert len(text) < 1000
    (value, problems), seconds, peak = bounded(lambda: load_yaml(text, "f.yaml"))  # type: ignore[misc]
    assert value is None
    assert [p.code for p in problems] == ["yaml-bomb"]
    assert seconds < SECONDS and peak < PEAK_BYTES


def test_a_bomb_of_long_text_is_refused_by_its_characters() -> None:
    # Few values, but each alias repeats a megabyte of text: a loader that walks every passage
    # would spend minutes on this 1 MB file.
    text = 'big: &big "' + "x" * 1_000_000 + '"\nmany: [' + ", ".join(["*big"] * 5) + "]\n"
    (value, problems), seconds, peak = bounded(lambda: load_yaml(text, "f.yaml"))  # type: ignore[misc]
    assert value is None
    [problem] = problems
    assert problem.code == "yaml-bomb"
    assert f"{MAX_ALIAS_CHARS:,} characters" in problem.message
    assert problem.where is not None and problem.where.line == 2
    assert seconds < SECONDS and peak < PEAK_BYTES


def test_a_story_whose_nodes_alias_a_large_node_is_refused_quickly(make_story: MakeStory) -> None:
    # 30 KB on disk, 600 nodes of 1000 choices once expanded: minutes of linking if allowed.
    choices = ", ".join(f"{{text: c{j}, to: n{j % 600}}}" for j in range(1000))
    nodes = [f"  n0: &node {{text: hi, choices: [{choices}]}}"]
    nodes += [f"  n{i}: *node" for i in range(1, 600)]
    manifest = "format: 1\nid: bomb\ntitle: B\nversion: '1'\nstart: a.n0\n"
    root = make_story({"story.yaml": manifest, "chapters/a.yaml": CHAPTER_HEAD + "\n".join(nodes)})
    problems, seconds, peak = bounded(lambda: problems_loading(root))
    bomb = [p for p in problems if p.code == "yaml-bomb"]  # type: ignore[attr-defined]
    assert len(bomb) == 1
    assert f"{MAX_ALIAS_VALUES:,} values" in bomb[0].message
    assert bomb[0].where is not None and bomb[0].where.file == FILE
    assert seconds < SECONDS and peak < PEAK_BYTES


def test_aliases_within_the_allowance_still_work(make_story: MakeStory) -> None:
    # What authors do: share one list of choices between nodes.
    root = make_story(
        {
            "chapters/a.yaml": CHAPTER_HEAD
            + "  start:\n    text: Hub.\n    choices: &back\n"
            + "      - {text: Back to the hub, to: start}\n      - {text: Leave, to: end}\n"
            + "".join(f"  room{i}:\n    text: Room {i}.\n    choices: *back\n" for i in range(50))
            + "  end:\n    text: Bye.\n    ending: {id: bye, title: Bye}\n"
        }
    )
    story = load_story(root, use_cache=False)
    assert [c.target for c in story.nodes["a.room49"].choices] == ["a.start", "a.end"]


def test_an_alias_to_its_own_container_is_refused() -> None:
    assert only_problem("a: &a [1, *a]\n").code == "yaml-alias"
    assert only_problem("a: *nowhere\n").code in ("yaml-alias", "yaml-syntax")


# -- nesting --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "[" * 1_000_000,
        "{a: " * 200_000,
        "".join(" " * i + "- \n" for i in range(MAX_DEPTH + 10)),
        "".join(" " * i + "k:\n" for i in range(MAX_DEPTH + 10)) + " " * (MAX_DEPTH + 10) + "v\n",
    ],
    ids=["flow-lists", "flow-maps", "block-lists", "block-maps"],
)
def test_deep_nesting_is_refused_before_it_costs_anything(text: str) -> None:
    problem, seconds, peak = bounded(lambda: only_problem(text))
    assert problem.code == "yaml-depth"  # type: ignore[attr-defined]
    assert seconds < SECONDS and peak < PEAK_BYTES


def test_deep_nesting_in_a_chapter_names_the_file(make_story: MakeStory) -> None:
    root = make_story({"chapters/a.yaml": CHAPTER_HEAD + "  start: " + "[" * 5000 + "\n"})
    [problem] = [p for p in problems_loading(root) if p.code == "yaml-depth"]
    assert problem.where is not None and problem.where.file == FILE
    assert problem.where.line == 4


# -- size -----------------------------------------------------------------------------------


def test_an_oversized_chapter_is_refused_without_being_read(make_story: MakeStory) -> None:
    root = make_story({})
    (root / "chapters").mkdir()
    huge = root / "chapters" / "huge.yaml"
    with huge.open("wb") as f:  # sparse: costs no disk, and would cost 20 MB to read
        f.truncate(MAX_FILE_BYTES + 1)
    problems, seconds, peak = bounded(lambda: problems_loading(root))
    [problem] = [p for p in problems if p.code == "too-large"]  # type: ignore[attr-defined]
    assert problem.where is not None and problem.where.file == "story/chapters/huge.yaml"
    assert "20 MiB" in problem.message
    assert peak < 4 * 2**20 and seconds < SECONDS


def test_oversized_text_is_refused_by_the_yaml_reader_too() -> None:
    problem = only_problem(b"a: 1\n" + b"#" * MAX_FILE_BYTES)
    assert problem.code == "too-large"
    assert "20 MiB limit" in problem.message


def test_an_oversized_single_file_story_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "one.yaml"
    with path.open("wb") as f:
        f.truncate(MAX_FILE_BYTES + 1)
    problems = problems_loading(path)
    assert [p.code for p in problems] == ["too-large"]
    assert problems[0].where is not None and problems[0].where.file == str(path)


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("1" * 5000, "yaml-number"),  # Python refuses to convert over 4300 digits
        ("0x" + "f" * 5000, "yaml-number"),
        ("1" + "0" * 100, "yaml-number"),
        ("-" + "9" * 200, "yaml-number"),
        ("1" + ":30" * 1000, "yaml-number"),  # a YAML 1.1 sexagesimal number
        ("1." + "5" * 400, "yaml-number"),
    ],
)
def test_numbers_with_too_many_digits_are_refused(value: str, code: str) -> None:
    problem = only_problem(f"a: {value}\n")
    assert problem.code == code
    assert "quote the value" in (problem.hint or "")
    key = only_problem(f"{value}: a\n")
    assert key.code == code


@pytest.mark.parametrize("initial", [".inf", "-.inf", ".nan", "1" + "0" * 20])
def test_variables_outside_the_language_limits_are_refused(
    make_story: MakeStory, initial: str
) -> None:
    manifest = f"format: 1\nid: t\ntitle: T\nversion: '1'\nstart: a.s\nvariables:\n  v: {initial}\n"
    chapter = CHAPTER_HEAD + LOOP_NODE
    root = make_story({"story.yaml": manifest, "chapters/a.yaml": chapter})
    problems = problems_loading(root)
    assert [p.code for p in problems] == ["range"]
    assert problems[0].where is not None and problems[0].where.file == "story/story.yaml"


@pytest.mark.parametrize("bound", ["min: .nan", "max: .inf", "min: -1.0e+999", "max: 1.0e+16"])
def test_variable_bounds_outside_the_limits_are_refused(make_story: MakeStory, bound: str) -> None:
    manifest = (
        "format: 1\nid: t\ntitle: T\nversion: '1'\nstart: a.s\n"
        f"variables:\n  v: {{initial: 1, {bound}}}\n"
    )
    chapter = CHAPTER_HEAD + LOOP_NODE
    root = make_story({"story.yaml": manifest, "chapters/a.yaml": chapter})
    assert [p.code for p in problems_loading(root)] == ["range"]


# -- binary and encodings ------------------------------------------------------------------

BAD_BYTES = {
    "png": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
    "gzip": (b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03", "binary"),
    "utf16": ("chapter: a\n".encode("utf-16"), "binary"),
    "elf": (b"\x7fELF\x02\x01\x01\x00", "binary"),
    "nul-late": (b"chapter: a\n" * 2000 + b"\x00", "binary"),
    "latin1": ("chapter: caf\u00e9\n".encode("latin-1"), "encoding"),
    "lone-continuation": (b"chapter: a\ntitle: \x80\n", "encoding"),
    "truncated-multibyte": (b"chapter: a\ntitle: \xe2\x82", "encoding"),
    "overlong": (b"chapter: a\ntitle: \xc0\xaf\n", "encoding"),
    "surrogate": (b"chapter: a\ntitle: \xed\xa0\x80\n", "encoding"),
    "beyond-unicode": (b"chapter: a\ntitle: \xf4\x90\x80\x80\n", "encoding"),
}


@pytest.mark.parametrize("name", sorted(BAD_BYTES))
def test_binary_and_mis_encoded_chapters_are_named_clearly(
    make_story: MakeStory, name: str
) -> None:
    data, code = BAD_BYTES[name]
    root = make_story({})
    (root / "chapters").mkdir()
    (root / "chapters" / "a.yaml").write_bytes(data)
    problems = problems_loading(root)
    [problem] = [p for p in problems if p.code == code]
    assert problem.where is not None and problem.where.file == FILE
    assert problem.where.line >= 1 and problem.where.column >= 1
    assert "hint" in problem.format()
    if code == "encoding":
        assert problem.message.startswith("invalid UTF-8 (byte 0x")


def test_a_binary_manifest_is_named_too(tmp_path: Path) -> None:
    root = tmp_path / "story"
    root.mkdir()
    (root / "story.yaml").write_bytes(b"\x00\x01\x02\x03")
    [problem] = problems_loading(root)
    assert problem.code == "binary"
    assert problem.where is not None and problem.where.file == "story/story.yaml"
