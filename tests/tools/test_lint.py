"""Story lint: each warning with its code, file:line and hint, on the tour and broken copies."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from rougegame.story.loader import load_story
from rougegame.story.model import Story
from rougegame.tools.lint import can_finish, lint, reachable

MakeStory = Callable[..., Path]

MANIFEST = """\
format: 1
id: lint-me
title: Lint Me
start: a.start
variables:
  gold: 0
  key: false
  unused: 3
  constant: 1
  tally: 0
codex:
  lore:
    secret: {title: Secret, text: Hidden.}
    lost: {title: Lost, text: Never found.}
    found: {title: Found, text: Found.}
"""

CHAPTER = """\
chapter: a
title: A
nodes:
  start:
    effects: [unlock found, tally += 1]
    text: |
      Gold {gold}. {if constant > 5: Rich.}
    choices:
      - text: Go left.
        to: left
      - text: Go  right.
        to: right
      - text: go right.
        to: right
        if: key
  left:
    text: Left.
    effects: [gold += 1]
    choices:
      - text: Back.
        to: start
      - text: Door.
        to: loop
        if: gold >= 2
  right:
    text: One two three four five six seven eight nine.
    choices:
      - text: Win.
        to: win
        if: key
        reason: Locked.
      - text: Win.
        to: win
        if: not key
  loop:
    text: Round.
    choices:
      - text: Again.
        to: loop
  win:
    text: Won.
    ending: {id: win, title: Win}
  orphan:
    text: Nobody comes here.
    effects: [unlock lost]
  orphan_end:
    text: Never.
    ending: {id: lost_end, title: Lost}
"""


def load(make_story: MakeStory) -> Story:
    root = make_story({"story.yaml": MANIFEST, "chapters/a.yaml": CHAPTER})
    return load_story(root, use_cache=False)


def test_the_tour_is_clean(tour_story: Story) -> None:
    assert lint(tour_story) == []


def test_every_kind_of_warning_with_its_place(make_story: MakeStory) -> None:
    problems = lint(load(make_story), max_words=8)
    found = {(p.code, str(p.where), p.node) for p in problems}
    ch, mf = "story/chapters/a.yaml", "story/story.yaml"
    assert found == {
        ("duplicate-choice", f"{ch}:13:9", "a.start"),
        ("long-passage", f"{ch}:26:11", "a.right"),
        ("duplicate-choice", f"{ch}:32:9", "a.right"),
        ("no-way-out", f"{ch}:35:3", "a.loop"),
        ("dead-end", f"{ch}:43:3", "a.orphan"),
        ("unreachable", f"{ch}:43:3", "a.orphan"),
        ("unreachable-ending", f"{ch}:46:3", "a.orphan_end"),
        ("never-written", f"{mf}:7:3", None),
        ("unused-variable", f"{mf}:8:3", None),
        ("never-written", f"{mf}:9:3", None),
        ("never-read", f"{mf}:10:3", None),
        ("never-unlocked", f"{mf}:13:5", None),
        ("never-unlocked", f"{mf}:14:5", None),
    }
    assert all(p.severity == "warning" and p.hint for p in problems)
    assert [str(p.where) for p in problems] == sorted(
        (str(p.where) for p in problems), key=lambda w: (w.split(":")[0], int(w.split(":")[1]))
    )


def test_messages_and_hints_say_what_to_do(make_story: MakeStory) -> None:
    by_code: dict[str, list[str]] = {}
    for p in lint(load(make_story), max_words=8):
        by_code.setdefault(p.code, []).append(f"{p.message} | {p.hint}")
    assert by_code["duplicate-choice"] == [
        "choices 2 and 3 both read “go right.” | players cannot tell them apart: reword one, "
        "or merge them",
        "choices 1 and 2 both read “Win.” | if their conditions never hold at the same time "
        "this is harmless; otherwise reword one",
    ]
    assert "`unlock lost` to a scene players reach" in " ".join(by_code["never-unlocked"])
    assert "only unlocked in nodes no path reaches (a.orphan)" in " ".join(
        by_code["never-unlocked"]
    )
    assert "is never unlocked" in " ".join(by_code["never-unlocked"])
    assert by_code["long-passage"] == [
        "the passage is 9 words long, over the limit of 8 | split it into two nodes joined by "
        "a choice (`--max-words N` changes the limit)"
    ]
    assert by_code["unreachable-ending"] == [
        "no path from the start reaches the ending `lost_end` | add a choice with "
        "`to: a.orphan_end` to a scene players reach"
    ]
    assert any("`tally` is changed but never read" in m for m in by_code["never-read"])


def test_duplicate_hint_depends_on_the_conditions(make_story: MakeStory) -> None:
    dupes = [p for p in lint(load(make_story)) if p.code == "duplicate-choice"]
    start, right = sorted(dupes, key=lambda p: p.node or "")[::-1]
    assert start.node == "a.start"
    assert start.hint == "players cannot tell them apart: reword one, or merge them"
    assert right.node == "a.right"
    assert right.hint is not None and right.hint.startswith("if their conditions never hold")


def test_the_word_limit_is_configurable(make_story: MakeStory) -> None:
    story = load(make_story)
    assert not [p for p in lint(story) if p.code == "long-passage"]
    long = [p.node for p in lint(story, max_words=2) if p.code == "long-passage"]
    assert long == ["a.start", "a.right", "a.orphan"]


def test_a_missing_target_stays_an_error(tour_story: Story, make_story: MakeStory) -> None:
    story = load(make_story)
    story.nodes["a.left"].choices[0].target = "a.nowhere"
    errors = [p for p in lint(story) if p.severity == "error"]
    assert [(e.code, e.node) for e in errors] == [("missing-target", "a.left")]
    assert "leads to `a.nowhere`, which does not exist" in errors[0].message


def test_graph_helpers(make_story: MakeStory) -> None:
    story = load(make_story)
    assert reachable(story) == {"a.start", "a.left", "a.right", "a.loop", "a.win"}
    assert reachable(story, "a.loop") == {"a.loop"}
    assert can_finish(story) == {"a.start", "a.left", "a.right", "a.win", "a.orphan_end"}


def test_a_story_without_endings_has_no_way_out_warnings(make_story: MakeStory) -> None:
    root = make_story(
        {
            "chapters/a.yaml": """\
            chapter: a
            title: A
            nodes:
              start:
                text: Round and round.
                choices: [{text: Again., to: start}]
            """
        }
    )
    codes = {p.code for p in lint(load_story(root, use_cache=False))}
    assert "no-way-out" not in codes
    assert "unused-variable" in codes  # the base manifest's variables are not used here
