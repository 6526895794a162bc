"""Loading stories: every problem with its file:line:column, node and hint, all at once."""

from __future__ import annotations

import os
import pickle
from collections.abc import Callable
from pathlib import Path

import pytest

from rougegame.story import loader
from rougegame.story.loader import (
    cache_dir,
    chapter_files,
    clear_memory_cache,
    load_story,
    resolve_path,
    shipped_story,
)
from rougegame.story.model import Story
from rougegame.story.problems import Location, Problem, StoryError

MakeStory = Callable[..., Path]
LoadFiles = Callable[[dict[str, str]], Story]
ProblemsOf = Callable[[dict[str, str]], list[Problem]]

ENDING = "ending: {id: done, title: Done}"


def find(problems: list[Problem], message: str) -> Problem:
    """The one problem whose message contains ``message``."""
    found = [p for p in problems if message in p.message]
    assert len(found) == 1, [p.format() for p in problems]
    return found[0]


def at(text: str, needle: str, file: str = "story/chapters/a.yaml", nth: int = 1) -> Location:
    """Where the ``nth`` occurrence of ``needle`` starts in ``text``, as an editor shows it."""
    index = -1
    for _ in range(nth):
        index = text.index(needle, index + 1)
    line = text.count("\n", 0, index) + 1
    return Location(file, line, index - (text.rfind("\n", 0, index) + 1) + 1)


def chapter_a(nodes: str) -> str:
    """Chapter `a` whose nodes start on line 4 (``nodes`` is written at column 1)."""
    indented = "".join(f"  {line}\n" if line else "\n" for line in nodes.splitlines())
    return "chapter: a\ntitle: Chapter A\nnodes:\n" + indented


# -- a valid story ----------------------------------------------------------------------------


def test_a_valid_story_loads(load_files: LoadFiles) -> None:
    story = load_files(
        {
            "chapters/01_a.yaml": chapter_a(
                "start:\n"
                "  title: The start\n"
                "  speaker: Naomi\n"
                "  location: The dock\n"
                "  text: Hello.\n"
                "  choices:\n"
                "    - text: On.\n"
                "      to: b.end\n"
            ),
            "chapters/02_b.yaml": (
                f"chapter: b\ntitle: B\nnodes:\n  end:\n    text: Bye.\n    {ENDING}\n"
            ),
        }
    )
    assert story.id == "test-story"
    assert story.title == "A Test Story"
    assert story.version == "1.0"
    assert list(story.chapters) == ["a", "b"]
    assert list(story.nodes) == ["a.start", "b.end"]
    start = story.nodes["a.start"]
    assert (start.title, start.speaker, start.location) == ("The start", "Naomi", "The dock")
    assert start.choices[0].target == "b.end"
    assert story.nodes["b.end"].title == "End"  # the default title comes from the id
    assert story.stats() == {
        "chapters": 2,
        "nodes": 2,
        "choices": 1,
        "words": 2,
        "endings": 1,
        "variables": 4,
        "codex": 3,
    }
    assert story.first_node("b") == "b.end"
    assert story.chapter_of("b.end").title == "B"
    assert [e.id for e in story.endings] == ["done"]
    assert story.variables["n"].label == "Number"
    assert story.variables["word"].label == "word"


def test_chapter_files_load_in_name_order_and_nodes_keep_their_order(load_files: LoadFiles) -> None:
    story = load_files(
        {
            "chapters/20_z.yaml": (
                f"chapter: z\ntitle: Z\nnodes:\n  b:\n    text: b\n    {ENDING}\n"
            ),
            "chapters/10_a.yaml": chapter_a(
                "start:\n  text: s\n  choices: [{text: go, to: z.b}]\n"
                "middle:\n  text: m\n  choices: [{text: go, to: start}]\n"
                "alpha:\n  text: m\n  choices: [{text: go, to: start}]\n"
            ),
            "chapters/.hidden.yaml": "not: a chapter\n",
            "chapters/notes.txt": "ignored\n",
        }
    )
    assert list(story.chapters) == ["a", "z"]
    assert story.chapters["a"].nodes == ["a.start", "a.middle", "a.alpha"]


def test_chapter_files_are_yaml_files_only(make_story: MakeStory) -> None:
    root = make_story({"story.yaml": "format: 1\nid: t\ntitle: T\nstart: a.start\n"})
    chapters = root / "chapters"
    chapters.mkdir()
    (chapters / "b.yml").write_text("x", encoding="utf-8")
    (chapters / "a.yaml").write_text("x", encoding="utf-8")
    (chapters / "folder.yaml").mkdir()
    (chapters / "a.yaml.bak").write_text("x", encoding="utf-8")
    assert [p.name for p in chapter_files(root)] == ["a.yaml", "b.yml"]
    (chapters / "a.yaml").unlink()
    (chapters / "b.yml").unlink()
    (chapters / "folder.yaml").rmdir()
    (chapters / "a.yaml.bak").unlink()
    chapters.rmdir()
    chapters.write_text("not a folder", encoding="utf-8")
    assert chapter_files(root) == []


# -- unknown keys, duplicate keys, bad YAML ---------------------------------------------------


def test_unknown_keys_are_located_with_did_you_mean_hints(problems_of: ProblemsOf) -> None:
    problems = problems_of(
        {
            "chapters/a.yaml": chapter_a(
                "start:\n"  # line 4
                "  txt: Hello.\n"  # line 5
                "  text: Hello.\n"
                "  choices:\n"
                "    - text: On.\n"  # line 8
                "      too: start\n"  # line 9
                "      to: start\n"
            )
        }
    )
    txt = find(problems, "unknown key `txt` in node `start`")
    assert txt.where == Location("story/chapters/a.yaml", 5, 5)
    assert txt.node == "a.start"
    assert txt.hint == "did you mean `text`?"
    too = find(problems, "unknown key `too` in a choice")
    assert too.where == Location("story/chapters/a.yaml", 9, 9)
    assert too.hint == "did you mean `to`?"


def test_an_unknown_key_with_nothing_close_lists_the_allowed_ones(problems_of: ProblemsOf) -> None:
    problems = problems_of(
        {"chapters/a.yaml": chapter_a(f"start:\n  text: a\n  zzz: 1\n  {ENDING}\n")}
    )
    problem = find(problems, "unknown key `zzz`")
    assert problem.hint == "allowed: choices, effects, ending, location, speaker, text, title"


def test_duplicate_node_ids_are_an_error_with_both_lines(problems_of: ProblemsOf) -> None:
    problems = problems_of(
        {
            "chapters/a.yaml": chapter_a(
                f"start:\n  text: a\n  {ENDING}\nstart:\n  text: b\n  {ENDING}\n"
            )
        }
    )
    problem = find(problems, "duplicate key `start` (first defined at line 4)")
    assert problem.where == Location("story/chapters/a.yaml", 7, 3)
    assert problem.code == "duplicate-key"


def test_bad_yaml_is_located_and_reported_with_every_other_problem(
    problems_of: ProblemsOf,
) -> None:
    problems = problems_of(
        {
            "chapters/a.yaml": chapter_a(
                "start:\n  text: s\n  choices: [{text: go, to: b.end}, {text: x, to: nowhere}]\n"
            ),
            "chapters/b.yaml": (
                "chapter: b\ntitle: B\nnodes:\n  end:\n    text: Pay the toll: now\n"
            ),
            "chapters/c.yaml": "chapter: c\ntitle: [unclosed\n",
        }
    )
    syntax = [p for p in problems if p.code == "yaml-syntax"]
    assert [str(p.where) for p in syntax] == [
        "story/chapters/b.yaml:5:23",
        "story/chapters/c.yaml:3:1",
    ]
    # The files that did parse are still linked and checked.
    assert find(problems, "leads to `nowhere`").where == Location("story/chapters/a.yaml", 6, 52)


def test_a_broken_manifest_is_reported(problems_of: ProblemsOf) -> None:
    problems = problems_of({"story.yaml": "id: x\n  title: y\n"})
    assert problems[0].code == "yaml-syntax"
    assert problems[0].where is not None and problems[0].where.file == "story/story.yaml"


# -- references -------------------------------------------------------------------------------


def test_missing_targets_suggest_the_closest_node(problems_of: ProblemsOf) -> None:
    text = chapter_a(
        "start:\n"
        "  text: s\n"
        "  choices:\n"
        "    - {text: one, to: strat}\n"  # a typo in this chapter
        "    - {text: two, to: gate}\n"  # a node of another chapter, written without it
        "    - {text: three, to: b.gaet}\n"  # a typo in another chapter
        "    - {text: four, to: zzz.qqq}\n"  # nothing close
    )
    problems = problems_of(
        {
            "chapters/a.yaml": text,
            "chapters/b.yaml": (
                f"chapter: b\ntitle: B\nnodes:\n  gate:\n    text: g\n    {ENDING}\n"
            ),
        }
    )
    missing = [p for p in problems if p.code == "missing-target"]
    assert [(p.where, p.node, p.hint) for p in missing] == [
        (at(text, "strat"), "a.start", "did you mean `a.start`?"),
        (at(text, "gate"), "a.start", "did you mean `b.gate`?"),
        (at(text, "b.gaet"), "a.start", "did you mean `b.gate`?"),
        (at(text, "zzz.qqq"), "a.start", None),
    ]
    assert missing[1].message == "choice `two` leads to `gate`, which does not exist"


def test_a_choice_without_a_target(problems_of: ProblemsOf) -> None:
    text = chapter_a("start:\n  text: s\n  choices:\n    - text: a\n    - {text: b, to: ''}\n")
    problems = problems_of({"chapters/a.yaml": text})
    assert [(p.message, p.where) for p in problems] == [
        ("a choice needs `to`", at(text, "text: a")),
        ("`to` is empty", at(text, "'}")),  # just inside the quotes
    ]


def test_a_bad_start_node(problems_of: ProblemsOf) -> None:
    manifest = "format: 1\nid: s\ntitle: S\nstart: a.strat\n"
    problems = problems_of(
        {"story.yaml": manifest, "chapters/a.yaml": chapter_a(f"start:\n  text: a\n  {ENDING}\n")}
    )
    problem = find(problems, "the start node `a.strat` does not exist")
    assert problem.where == Location("story/story.yaml", 4, 8)
    assert problem.hint == "did you mean `a.start`?"


def test_undeclared_variables_in_conditions_and_effects_point_at_the_name(
    problems_of: ProblemsOf,
) -> None:
    text = chapter_a(
        "start:\n"
        "  text: s\n"
        "  choices:\n"
        "    - text: go\n"
        "      to: start\n"
        "      if: n >= 1 and nectr > 2\n"
        "      effects: [n += 1, status = spared]\n"
    )
    problems = problems_of({"chapters/a.yaml": text})
    nectr = find(problems, "undeclared variable `nectr`")
    assert nectr.where == at(text, "nectr")
    assert nectr.node == "a.start"
    assert nectr.hint is not None and "declare it under `variables:`" in nectr.hint
    spared = find(problems, "undeclared variable `spared`")
    assert spared.where == at(text, "spared")
    assert spared.hint is not None and "put it in double quotes" in spared.hint


def test_a_misspelt_variable_gets_a_did_you_mean(problems_of: ProblemsOf) -> None:
    problems = problems_of(
        {"chapters/a.yaml": chapter_a(f"start:\n  text: s\n  effects: [flga = true]\n  {ENDING}\n")}
    )
    assert find(problems, "undeclared variable `flga`").hint == "did you mean `flag`?"


def test_undeclared_names_in_text_point_at_the_name(problems_of: ProblemsOf) -> None:
    text = chapter_a(
        "start:\n"
        "  text: |\n"
        "    You have {dose} doses.\n"
        "    {if mod > 1: Calm.}{else: {if_not}}\n"
        "  choices:\n"
        "    - text: 'Pay {price}, {if visited(nowhere): again}'\n"
        "      to: end\n"
        "end:\n"
        "  text: e\n"
        '  ending: {id: e, title: E, epilogue: "So {late}; {if unlocked(sarra): x}"}\n'
    )
    problems = problems_of({"chapters/a.yaml": text})
    assert [(p.message, p.where, p.node) for p in problems] == [
        ("undeclared variable `dose`", at(text, "dose"), "a.start"),
        ("undeclared variable `mod`", at(text, "mod"), "a.start"),
        ("undeclared variable `if_not`", at(text, "if_not"), "a.start"),
        ("undeclared variable `price`", at(text, "price"), "a.start"),
        ("no node `a.nowhere`", at(text, "nowhere"), "a.start"),
        ("undeclared variable `late`", at(text, "late"), "a.end"),
        ("no codex entry `sarra`", at(text, "sarra"), "a.end"),
    ]


def test_unknown_codex_ids_in_unlock_and_unlocked(problems_of: ProblemsOf) -> None:
    text = chapter_a(
        "start:\n"
        "  text: s\n"
        "  effects: [unlock sarah]\n"
        "  choices:\n"
        "    - {text: a, to: start, if: unlocked(nectr)}\n"
    )
    problems = problems_of({"chapters/a.yaml": text})
    sarah = find(problems, "no codex entry `sarah`")
    assert sarah.where == at(text, "unlock sarah")
    assert sarah.hint == "did you mean `sara`?"
    assert find(problems, "no codex entry `nectr`").where == at(text, "nectr")


def test_visits_of_a_missing_node(problems_of: ProblemsOf) -> None:
    text = chapter_a(
        "start:\n  text: s\n  choices:\n    - {text: a, to: start, if: visits(strt)}\n"
    )
    problem = find(problems_of({"chapters/a.yaml": text}), "no node `a.strt`")
    assert problem.where == at(text, "strt")
    assert problem.hint == "did you mean `a.start`?"


# -- types ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("effect", "message", "hint"),
    [
        ('n = "x"', '`n = "x"` gives text to `n`, which holds a number', None),
        ("flag += 1", "`flag += 1`: `flag` is not a number", "use `=` to set text or true/false"),
        ("word -= 1", "`word -= 1`: `word` is not a number", "use `=` to set text or true/false"),
        ("n += word", "`n += word` gives text to `n`, which holds a number", None),
        ("flag = 1", "`flag = 1` gives a number to `flag`, which holds true/false", None),
        (
            "word = n",
            "`word = n` gives a number to `word`, which holds text",
            'strings need quotes: `word = "n"`',
        ),
        (
            "word = flag",
            "`word = flag` gives true/false to `word`, which holds text",
            'strings need quotes: `word = "flag"`',
        ),
    ],
)
def test_effects_must_keep_a_variables_type(
    problems_of: ProblemsOf, effect: str, message: str, hint: str | None
) -> None:
    text = chapter_a(f"start:\n  text: s\n  effects: ['{effect}']\n  {ENDING}\n")
    problems = problems_of({"chapters/a.yaml": text})
    assert [(p.message, p.hint, p.where) for p in problems] == [(message, hint, at(text, effect))]


def test_yaml_booleans_where_text_was_meant_get_a_quoting_hint(problems_of: ProblemsOf) -> None:
    text = chapter_a(f"start:\n  text: yes\n  {ENDING}\n")
    problem = find(problems_of({"chapters/a.yaml": text}), "`text` in node `start` must be")
    assert problem.message.endswith("must be text, not a boolean")
    assert problem.where == at(text, "yes")
    assert problem.hint is not None and "quotes" in problem.hint


def test_string_effects_that_do_type_check(load_files: LoadFiles) -> None:
    story = load_files(
        {
            "chapters/a.yaml": chapter_a(
                "start:\n  text: s\n"
                '  effects: [word += "!", word = word + "?", \'n = min(n, 2)\']\n'
                f"  {ENDING}\n"
            )
        }
    )
    assert [e.op for e in story.nodes["a.start"].effects] == ["add", "set", "set"]


# -- endings ----------------------------------------------------------------------------------


def test_a_node_with_both_choices_and_an_ending(problems_of: ProblemsOf) -> None:
    text = chapter_a(
        "start:\n  text: s\n  choices: [{text: a, to: start}]\n  ending: {id: e, title: E}\n"
    )
    problem = find(problems_of({"chapters/a.yaml": text}), "either `choices` or an `ending`")
    assert problem.message == "a node has either `choices` or an `ending`, not both"
    assert problem.where == at(text, "{id: e")
    assert problem.code == "ending-choices"


def test_duplicate_ending_ids(problems_of: ProblemsOf) -> None:
    text = chapter_a(
        "start:\n  text: s\n  choices: [{text: a, to: other}]\n"
        "other:\n  text: o\n  ending: {id: same, title: One}\n"
        "third:\n  text: t\n  ending: {id: same, title: Two}\n"
    )
    problem = find(problems_of({"chapters/a.yaml": text}), "ending id `same`")
    assert problem.message == "ending id `same` is also used by node a.other"
    assert problem.where == at(text, "{id: same", nth=2)
    assert problem.node == "a.third"


# -- all problems together --------------------------------------------------------------------


def test_every_problem_is_reported_together_in_file_order(problems_of: ProblemsOf) -> None:
    problems = problems_of(
        {
            "story.yaml": "format: 1\nid: s\ntitle: S\nstart: a.start\ngauge: nope\n",
            "chapters/a.yaml": chapter_a(
                "start:\n  text: '{x}'\n  colour: red\n  choices: [{text: a, to: b.nowhere}]\n"
            ),
            "chapters/b.yaml": (
                "chapter: b\ntitle: B\nnodes:\n  one:\n    text: t\n    kind: once\n"
            ),
        }
    )
    places = [str(p.where) for p in problems]
    assert places == sorted(places, key=lambda s: (s.split(":")[0], *map(int, s.split(":")[1:])))
    messages = {p.message for p in problems}
    assert {
        "undeclared variable `x`",
        "unknown key `colour` in node `start`",
        "choice `a` leads to `b.nowhere`, which does not exist",
        "unknown key `kind` in node `one`",
        "undeclared variable `nope`",
    } <= messages
    assert all(p.severity == "error" for p in problems)


def test_story_error_message_lists_every_problem(problems_of: ProblemsOf) -> None:
    problems = problems_of({"chapters/a.yaml": chapter_a("start:\n  text: s\n  a: 1\n  b: 2\n")})
    error = StoryError(problems)
    assert str(error).count("unknown key") == 2


# -- chapter variables and codex --------------------------------------------------------------


def test_chapter_variables_and_codex_merge_into_the_story(load_files: LoadFiles) -> None:
    story = load_files(
        {
            "chapters/a.yaml": (
                "chapter: a\ntitle: A\n"
                "variables:\n  a_paid: false\n"
                "codex:\n  places:\n    lock: {title: Lock Seven, text: A pump house.}\n"
                "nodes:\n  start:\n    text: s\n    choices: [{text: go, to: b.end}]\n"
            ),
            "chapters/b.yaml": (
                "chapter: b\ntitle: B\nnodes:\n  end:\n"
                "    text: '{if a_paid: Paid.}'\n    effects: [unlock lock]\n"
                f"    {ENDING}\n"
            ),
        }
    )
    assert story.variables["a_paid"].initial is False
    assert story.codex["lock"].section == "places"
    assert story.chapters["a"].variables.keys() == {"a_paid"}


def test_chapter_declarations_must_be_unique_across_the_story(problems_of: ProblemsOf) -> None:
    problems = problems_of(
        {
            "chapters/a.yaml": (
                "chapter: a\ntitle: A\n"
                "variables:\n  n: 3\n  mine: 1\n"  # lines 4-5
                "codex:\n  lore:\n    sara: {title: S, text: s}\n"  # line 8
                f"nodes:\n  start:\n    text: s\n    {ENDING}\n"
            ),
            "chapters/b.yaml": (
                "chapter: b\ntitle: B\nvariables:\n  mine: 2\n"
                "nodes:\n  x:\n    text: s\n    ending: {id: other, title: O}\n"
            ),
        }
    )
    assert [(p.message, str(p.where)) for p in problems] == [
        (
            "variable `n` is declared twice (also at story/story.yaml:7:3)",
            "story/chapters/a.yaml:4:3",
        ),
        (
            "codex id `sara` is declared twice (also at story/story.yaml:13:5)",
            "story/chapters/a.yaml:8:5",
        ),
        (
            "variable `mine` is declared twice (also at story/chapters/a.yaml:5:3)",
            "story/chapters/b.yaml:4:3",
        ),
    ]


def test_two_files_with_the_same_chapter_id(problems_of: ProblemsOf) -> None:
    problems = problems_of(
        {
            "chapters/1.yaml": chapter_a(f"start:\n  text: s\n  {ENDING}\n"),
            "chapters/2.yaml": chapter_a("other:\n  text: s\n  ending: {id: two, title: T}\n"),
        }
    )
    problem = find(problems, "chapter id `a` is also used by story/chapters/1.yaml")
    assert problem.where == Location("story/chapters/2.yaml", 1, 10)


# -- manifest and file checks -----------------------------------------------------------------

MANIFEST_PROBLEMS = """\
format: 2
id: bad id
title: T
start: a.start
gauge: word
variables:
  n: {initial: 1, min: 5, max: 0, colour: red}
  s: {initial: hi, min: 0}
  1x: 3
  and: 1
  l: [1]
  m: {min: 1}
  b: {initial: 1, max: "x"}
codex:
  people:
    z: {title: Z, text: z}
  lore:
    x: {title: X}
    bad-id: {title: q, text: q}
    y: str
dossier:
  - {id: d, name: D, variable: n, codex: nope}
  - str
  - {id: e, name: E, variable: undeclared_v}
"""


@pytest.mark.parametrize(
    ("where", "message"),
    [
        ("1:9", "this is story format 2; this version of rougegame reads format 1"),
        ("2:5", "story id `bad id` may only use letters, digits, `_`, `.` and `-`"),
        ("5:8", "undeclared variable `word`"),
        ("7:16", "`n` has min above max"),
        ("7:35", "unknown key `colour` in variable `n`"),
        ("8:16", "`min`/`max` only make sense for numbers; `s` starts as text"),
        ("9:3", "`1x` is not a valid variable name"),
        ("10:3", "`and` is a keyword and cannot be a variable"),
        ("11:6", "variable `l` must start as a number, text or true/false, not a list"),
        ("12:3", "variable `m` needs `initial`"),
        ("13:25", "`max` of `b` must be a number"),
        ("15:3", "unknown codex section `people`"),
        ("18:8", "codex entry `x` needs `text`"),
        ("19:5", "`bad-id` is not a valid codex id"),
        ("20:8", "codex entry `y` must be a mapping (key: value lines), not text"),
        ("22:5", 'dossier variable `n` must hold text such as "unknown"'),
        ("22:5", "no codex entry `nope`"),
        ("23:5", "a dossier card must be a mapping (key: value lines), not text"),
        ("24:5", "undeclared variable `undeclared_v`"),
    ],
)
def test_manifest_problems(problems_of: ProblemsOf, where: str, message: str) -> None:
    problems = problems_of(
        {
            "story.yaml": MANIFEST_PROBLEMS,
            "chapters/a.yaml": chapter_a(f"start:\n  text: s\n  {ENDING}\n"),
        }
    )
    assert (f"story/story.yaml:{where}", message) in [(str(p.where), p.message) for p in problems]


def test_the_gauge_needs_bounds(problems_of: ProblemsOf) -> None:
    manifest = "format: 1\nid: s\ntitle: S\nstart: a.start\ngauge: g\nvariables:\n  g: 1\n"
    problems = problems_of(
        {"story.yaml": manifest, "chapters/a.yaml": chapter_a(f"start:\n  text: s\n  {ENDING}\n")}
    )
    assert [(p.message, str(p.where)) for p in problems] == [
        ("the gauge `g` needs a number variable with min and max", "story/story.yaml:5:8")
    ]


def test_an_empty_manifest(problems_of: ProblemsOf) -> None:
    messages = [p.message for p in problems_of({"story.yaml": ""})]
    assert "the manifest must be a mapping (key: value lines), not nothing" in messages
    assert "the manifest needs `id`" in messages
    assert "the story has no nodes" in messages


NODE = "chapter: a\ntitle: A\nnodes:\n  s:\n    text: t\n"


@pytest.mark.parametrize(
    ("chapter", "needle", "message"),
    [
        (
            "chapter: 9a\ntitle: A\nnodes:\n  s:\n    text: t\n",
            "9a",
            "`9a` is not a valid chapter id",
        ),
        (
            "chapter: a\ntitle: yes\nnodes: {}\n",
            "yes",
            "`title` in a chapter file must be text, not a boolean",
        ),
        ("chapter: a\ntitle: A\nnodes: {}\n", "{}", "this chapter has no nodes"),
        ("chapter: a\ntitle: A\n", "chapter", "a chapter needs `nodes`"),
        (
            "chapter: a\ntitle: A\nnodes: [x]\n",
            "[x]",
            "`nodes` must be a mapping (key: value lines), not a list",
        ),
        ("- a list\n", "-", "a chapter file must be a mapping (key: value lines), not a list"),
        ("chapter: a\ntitle: A\nnodes:\n  5x:\n    text: t\n", "5x", "`5x` is not a valid node id"),
        (
            "chapter: a\ntitle: A\nnodes:\n  s: words\n",
            "words",
            "node `s` must be a mapping (key: value lines), not text",
        ),
        (
            "chapter: a\ntitle: A\nnodes:\n  s:\n    text: [1]\n",
            "[1]",
            "`text` in node `s` must be text, not a list",
        ),
        (NODE + "    effects: 5\n", "5", "`effects` must be a list of effects"),
        (NODE + "    effects: [5]\n", "5]", "an effect must be text like `x += 1`, not a number"),
        (NODE + "    choices: {text: a}\n", "{text", "`choices` must be a list"),
        (
            NODE + "    choices: [words]\n",
            "words",
            "a choice must be a mapping (key: value lines), not text",
        ),
        (
            NODE + "    choices: [{text: a, to: s, kind: onse}]\n",
            "onse",
            "unknown choice kind `onse`",
        ),
        (NODE + "    choices: [{to: s}]\n", "{to", "a choice needs `text`"),
        (
            NODE + "    choices: [{text: a, to: s, if: 5}]\n",
            "5}",
            "`if` must be a condition like `trust >= 3`",
        ),
        (
            NODE + "    choices: [{text: a, to: s, if: 'n >>= 2'}]\n",
            ">= 2",
            "bad condition `n >>= 2`: expected a value but found `>=`",
        ),
        (
            NODE + "    effects: [n =+ 1]\n",
            "+ 1",
            "bad effect `n =+ 1`: expected a value but found `+`",
        ),
        (
            NODE + "    ending: words\n",
            "words",
            "`ending` must be a mapping (key: value lines), not text",
        ),
        (
            NODE + "    ending: {id: e, title: [x]}\n",
            "[x]",
            "`title` in `ending` must be text, not a list",
        ),
        (
            "chapter: a\ntitle: A\nnodes:\n  s:\n    text: '{if n >}'\n",
            "if n",
            "in `text`: `{if ...}` needs a colon between the condition and the text",
        ),
        (
            "chapter: a\ntitle: A\nnodes:\n  s:\n    text: |\n      One.\n        Two {x\n",
            "{x",
            "in `text`: `{` is never closed",
        ),
        (
            NODE + "    choices: [{text: '}', to: s}]\n",
            "}'",
            "in `text`: `}` without a matching `{`",
        ),
        (
            NODE + "    ending: {id: e, title: E, epilogue: '{if}'}\n",
            "if}",
            "in `epilogue`: `{if ...}` needs a colon between the condition and the text",
        ),
        (
            NODE + "    speaker: {name: x}\n",
            "{name",
            "`speaker` in node `s` must be text, not a mapping",
        ),
        (
            "chapter: a\ntitle: A\nvariables: [x]\nnodes:\n  s:\n    text: t\n",
            "[x]",
            "`variables` must be a mapping (key: value lines), not a list",
        ),
        (
            "chapter: a\ntitle: A\ncodex: 5\nnodes:\n  s:\n    text: t\n",
            "5",
            "`codex` must be a mapping (key: value lines), not a number",
        ),
        (
            "chapter: a\ntitle: A\ncodex:\n  lore: [x]\nnodes:\n  s:\n    text: t\n",
            "[x]",
            "codex section `lore` must be a mapping (key: value lines), not a list",
        ),
    ],
)
def test_chapter_problems(problems_of: ProblemsOf, chapter: str, needle: str, message: str) -> None:
    problems = problems_of({"chapters/a.yaml": chapter})
    assert (at(chapter, needle), message) in [(p.where, p.message) for p in problems]


def test_a_comma_inside_a_flow_list_gets_a_quoting_hint(problems_of: ProblemsOf) -> None:
    problems = problems_of({"chapters/a.yaml": NODE + "    effects: [n = min(n, 2)]\n"})
    assert (
        problems[0].message
        == "bad effect `n = min(n`: expected `)` but found the end of the expression"
    )
    assert (
        problems[0].hint == "in a `[...]` list a comma starts a new effect: put this one in quotes"
    )


def test_a_text_error_in_a_block_is_on_the_right_line(problems_of: ProblemsOf) -> None:
    problems = problems_of(
        {
            "chapters/a.yaml": chapter_a(
                f"start:\n  text: |\n    Line one.\n    Line {{two\n  {ENDING}\n"
            )
        }
    )
    problem = find(problems, "in `text`: `{` is never closed")
    assert problem.where is not None and problem.where.line == 7
    assert problem.hint == "write `{{` for a literal brace"


def test_a_fallback_needs_no_text_and_the_kinds_are_read(load_files: LoadFiles) -> None:
    story = load_files(
        {
            "chapters/a.yaml": chapter_a(
                "start:\n  text: s\n  choices:\n"
                "    - {text: a, to: start, kind: once}\n"
                "    - {text: b, to: start}\n"
                "    - {to: end, kind: fallback}\n"
                f"end:\n  text: e\n  {ENDING}\n"
            )
        }
    )
    assert [(c.kind, c.text) for c in story.nodes["a.start"].choices] == [
        ("once", "a"),
        ("sticky", "b"),
        ("fallback", ""),
    ]


def test_control_characters_in_titles_and_names_are_made_visible(load_files: LoadFiles) -> None:
    story = load_files(
        {
            "chapters/a.yaml": (
                'chapter: a\ntitle: "Bad\\e[2J"\nnodes:\n  start:\n'
                '    title: "T\\a"\n    speaker: "S\\x1b"\n    location: "L\\x7f"\n'
                f'    text: "x\\e[31m"\n    {ENDING}\n'
            )
        }
    )
    node = story.nodes["a.start"]
    assert story.chapters["a"].title == "Bad␛[2J"
    assert (node.title, node.speaker, node.location) == ("T␇", "S␛", "L␡")
    assert "\x1b" not in node.text


# -- where a story can be -----------------------------------------------------------------------


def test_a_chapter_file_inside_a_story_folder_loads_the_whole_story(make_story: MakeStory) -> None:
    root = make_story(
        {
            "chapters/a.yaml": chapter_a("start:\n  text: s\n  choices: [{text: a, to: b.end}]\n"),
            "chapters/b.yaml": f"chapter: b\ntitle: B\nnodes:\n  end:\n    text: e\n    {ENDING}\n",
        }
    )
    assert resolve_path(root / "chapters" / "b.yaml") == (root, root / "chapters" / "b.yaml")
    assert list(load_story(root / "chapters" / "b.yaml").nodes) == ["a.start", "b.end"]
    assert list(load_story(root / "story.yaml").nodes) == ["a.start", "b.end"]


def test_a_chapter_file_named_from_inside_its_folder(
    make_story: MakeStory, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_story({"chapters/a.yaml": chapter_a(f"start:\n  text: s\n  {ENDING}\n")})
    monkeypatch.chdir(root / "chapters")
    assert resolve_path("a.yaml") == (root, Path("a.yaml"))
    assert list(load_story("a.yaml").nodes) == ["a.start"]
    monkeypatch.chdir(root)
    assert resolve_path("chapters/a.yaml") == (Path(), Path("chapters/a.yaml"))


def test_a_single_file_story_with_inline_chapters(tmp_path: Path) -> None:
    path = tmp_path / "tiny.yaml"
    path.write_text(
        "format: 1\nid: tiny\ntitle: Tiny\nstart: one.hello\n"
        "variables:\n  n: 1\n"
        "chapters:\n"
        "  - chapter: one\n    title: One\n    nodes:\n"
        "      hello:\n        text: Hi {n}.\n        choices: [{text: Onward, to: two.bye}]\n"
        "  - chapter: two\n    title: Two\n    nodes:\n"
        f"      bye:\n        text: Bye.\n        {ENDING}\n"
    )
    story = load_story(path)
    assert list(story.nodes) == ["one.hello", "two.bye"]
    assert story.files == [str(path)]
    assert len(story.content_hash) == 16


def test_a_single_file_story_reports_problems_at_its_lines(tmp_path: Path) -> None:
    path = tmp_path / "tiny.yaml"
    path.write_text(
        "format: 1\nid: tiny\ntitle: Tiny\nstart: one.hello\nchapters:\n"
        "  - chapter: one\n    title: One\n    nodes:\n"
        "      hello:\n        text: Hi.\n        foo: 1\n        ending: {id: e, title: E}\n"
    )
    with pytest.raises(StoryError) as info:
        load_story(path)
    assert [(p.message, p.where) for p in info.value.problems] == [
        ("unknown key `foo` in node `hello`", Location(str(path), 11, 9))
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "format: 1\nid: t\ntitle: T\nstart: a.b\nchapters: nope\n",
            "`chapters` must be a list of chapters",
        ),
        ("- just\n- a list\n", "the manifest must be a mapping (key: value lines), not a list"),
        ("a: [\n", "YAML syntax: did not find expected node content (while parsing a flow node)"),
        ("chapter: a\ntitle: A\nnodes: {}\n", "this is a chapter file outside a story folder"),
    ],
)
def test_bad_single_files(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "one.yaml"
    path.write_text(text)
    with pytest.raises(StoryError) as info:
        load_story(path)
    assert message in [p.message for p in info.value.problems]


def test_paths_that_are_not_stories(tmp_path: Path) -> None:
    with pytest.raises(StoryError) as info:
        load_story(tmp_path / "missing")
    assert info.value.problems[0].message == "no such file or folder"
    with pytest.raises(StoryError) as info:
        load_story(tmp_path)
    assert info.value.problems[0].message == "no story.yaml in this folder"


def test_oversized_and_binary_files_are_refused(make_story: MakeStory) -> None:
    root = make_story({"chapters/a.yaml": chapter_a(f"start:\n  text: s\n  {ENDING}\n")})
    with (root / "chapters" / "b.yaml").open("wb") as f:
        f.truncate(21 * 1024 * 1024)  # sparse: costs no disk
    (root / "chapters" / "c.yaml").write_bytes(b"chapter: c\x00\n")
    with pytest.raises(StoryError) as info:
        load_story(root)
    codes = {p.where.file if p.where else "": p.code for p in info.value.problems}
    assert codes["story/chapters/b.yaml"] == "too-large"
    assert codes["story/chapters/c.yaml"] == "binary"


def test_the_shipped_story_folder_is_found() -> None:
    folder = shipped_story()
    assert (folder / "story.yaml").is_file()
    assert resolve_path(None) == (folder, None)


# -- content hash and cache ---------------------------------------------------------------------


def test_the_content_hash_follows_the_files(make_story: MakeStory) -> None:
    root = make_story({"chapters/a.yaml": chapter_a(f"start:\n  text: s\n  {ENDING}\n")})
    first = load_story(root).content_hash
    assert load_story(root).content_hash == first
    (root / "chapters" / "a.yaml").write_text(chapter_a(f"start:\n  text: changed\n  {ENDING}\n"))
    assert load_story(root).content_hash != first


def test_cache_location_follows_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    for off in ("off", "0", "", "no"):
        monkeypatch.setenv("ROUGEGAME_CACHE", off)
        assert cache_dir() is None
    monkeypatch.setenv("ROUGEGAME_CACHE", str(tmp_path / "c"))
    assert cache_dir() == tmp_path / "c"
    monkeypatch.delenv("ROUGEGAME_CACHE")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_dir() == tmp_path / "xdg" / "rougegame"


def test_parsed_files_are_cached_by_content_and_damaged_entries_rebuilt(
    make_story: MakeStory, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    monkeypatch.setenv("ROUGEGAME_CACHE", str(cache))
    root = make_story({"chapters/a.yaml": chapter_a(f"start:\n  text: s\n  {ENDING}\n")})
    clear_memory_cache()
    story = load_story(root)
    entries = sorted(cache.glob("*.pickle"))
    assert len(entries) == 3  # the manifest, one chapter, and the linked story
    assert not list(cache.glob("*.tmp"))

    # A second load (in a fresh process, as far as the memory cache knows) parses nothing.
    clear_memory_cache()

    def no_parsing(*_args: object) -> None:
        raise AssertionError("a cached file was parsed again")

    with monkeypatch.context() as m:
        m.setattr(loader, "parse_chapter", no_parsing)
        m.setattr(loader, "parse_manifest", no_parsing)
        again = load_story(root)
    assert list(again.nodes) == list(story.nodes)
    assert again.content_hash == story.content_hash

    # Damaged entries are ignored and rewritten.
    for entry in entries:
        entry.write_bytes(b"not a pickle")
    clear_memory_cache()
    assert list(load_story(root).nodes) == ["a.start"]
    for entry in entries:
        assert entry.read_bytes() != b"not a pickle"
        pickle.loads(entry.read_bytes())  # rewritten whole


def test_an_unwritable_cache_only_costs_speed(
    make_story: MakeStory, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("a file where the cache folder should be")
    monkeypatch.setenv("ROUGEGAME_CACHE", str(blocker / "cache"))
    root = make_story({"chapters/a.yaml": chapter_a(f"start:\n  text: s\n  {ENDING}\n")})
    clear_memory_cache()
    assert list(load_story(root).nodes) == ["a.start"]


def test_the_cache_is_never_written_next_to_the_story(make_story: MakeStory) -> None:
    root = make_story({"chapters/a.yaml": chapter_a(f"start:\n  text: s\n  {ENDING}\n")})
    before = sorted(p.name for p in root.rglob("*"))
    load_story(root)
    assert sorted(p.name for p in root.rglob("*")) == before
    assert os.environ["ROUGEGAME_CACHE"] == "off"


def test_problems_format_and_serialise() -> None:
    problem = Problem(
        "no node `a.b`", Location("f.yaml", 3, 4), node="a.c", hint="did you mean `a.d`?"
    )
    assert (
        problem.format() == "f.yaml:3:4: error: [a.c] no node `a.b`\n    hint: did you mean `a.d`?"
    )
    assert Problem("bad", Location("f.yaml")).format() == "f.yaml: error: bad"
    assert Problem("bad").format() == "error: bad"
    assert problem.as_dict() == {
        "severity": "error",
        "code": "invalid",
        "file": "f.yaml",
        "line": 3,
        "column": 4,
        "node": "a.c",
        "message": "no node `a.b`",
        "hint": "did you mean `a.d`?",
    }
    assert Problem("x").as_dict()["file"] is None


def test_empty_values_get_a_hint(problems_of: ProblemsOf) -> None:
    problems = problems_of(
        {"chapters/a.yaml": NODE + "    title:\n    ending: {id: e, title: E}\n"}
    )
    assert problems[0].hint == "the value is empty; write the text after the colon"


def test_numbers_where_text_is_expected_are_read_as_text(load_files: LoadFiles) -> None:
    story = load_files(
        {
            "chapters/a.yaml": (
                "chapter: a\ntitle: 2128\nnodes:\n  start:\n    title: 1.5\n    text: 42\n"
                "    effects: n += 1\n"  # one effect needs no list
                f"    {ENDING}\n"
            )
        }
    )
    node = story.nodes["a.start"]
    assert (story.chapters["a"].title, node.title, node.text) == ("2128", "1.5", "42")
    assert [e.source for e in node.effects] == ["n += 1"]


def test_a_dossier_that_is_not_a_list(problems_of: ProblemsOf) -> None:
    manifest = "format: 1\nid: s\ntitle: S\nstart: a.start\ndossier: {a: 1}\n"
    problems = problems_of(
        {"story.yaml": manifest, "chapters/a.yaml": chapter_a(f"start:\n  text: s\n  {ENDING}\n")}
    )
    assert [(p.message, str(p.where)) for p in problems] == [
        ("`dossier` must be a list of cards", "story/story.yaml:5:10")
    ]


def test_a_codex_id_used_in_two_sections(problems_of: ProblemsOf) -> None:
    manifest = (
        "format: 1\nid: s\ntitle: S\nstart: a.start\ncodex:\n"
        "  lore:\n    x: {title: X, text: x}\n  places:\n    x: {title: X, text: x}\n"
    )
    problems = problems_of(
        {"story.yaml": manifest, "chapters/a.yaml": chapter_a(f"start:\n  text: s\n  {ENDING}\n")}
    )
    assert [(p.message, str(p.where)) for p in problems] == [
        ("codex id `x` is used twice", "story/story.yaml:9:5")
    ]


def test_too_many_chapter_files(make_story: MakeStory, monkeypatch: pytest.MonkeyPatch) -> None:
    root = make_story(
        {f"chapters/{i}.yaml": f"chapter: c{i}\ntitle: C\nnodes: {{}}\n" for i in range(3)}
    )
    monkeypatch.setattr(loader, "MAX_FILES", 2)
    with pytest.raises(StoryError) as info:
        load_story(root)
    assert info.value.problems[0].message == "more than 2 chapter files"


def test_an_unreadable_chapter_does_not_cause_false_missing_targets(tmp_path: Path) -> None:
    story = tmp_path / "s"
    (story / "chapters").mkdir(parents=True)
    (story / "story.yaml").write_text(
        "format: 1\nid: s\ntitle: S\nstart: one.a\n", encoding="utf-8"
    )
    (story / "chapters" / "1.yaml").write_text(
        "chapter: one\ntitle: One\nnodes:\n  a:\n    text: Hi\n    choices:\n"
        "      - {text: Onward, to: two.b}\n",
        encoding="utf-8",
    )
    (story / "chapters" / "2.yaml").write_text(
        "chapter: two\ntitle: Two\nnodes:\n  b:\n    text: x\n    text: y\n", encoding="utf-8"
    )
    with pytest.raises(StoryError) as info:
        load_story(story, use_cache=False)
    codes = [p.code for p in info.value.problems]
    assert codes == ["duplicate-key", "unchecked"]
    assert info.value.problems[1].severity == "warning"


def test_a_single_file_story_named_story_yaml_keeps_its_inline_chapters(tmp_path: Path) -> None:
    (tmp_path / "story.yaml").write_text(
        "format: 1\nid: one-file\ntitle: One file\nstart: one.a\nchapters:\n"
        "  - chapter: one\n    title: One\n    nodes:\n      a:\n        text: Hi\n"
        "        ending: {id: e, title: E}\n",
        encoding="utf-8",
    )
    story = load_story(tmp_path / "story.yaml", use_cache=False)
    assert list(story.nodes) == ["one.a"]
