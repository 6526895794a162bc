"""Property-based tests: random stories, random play, random expressions.

- Random story structures, valid and broken, either load or fail with problems (StoryError):
  never another exception, and a story that loads can be played.
- Random choice sequences keep the engine's invariants: the current node exists, only available
  choices can be taken (a refused one changes nothing), undo restores the exact previous state,
  and a save round trip gives back the identical state.
- The expression parser never raises anything but ExprError, evaluation nothing but
  ExprRuntimeError; the text parser nothing but TextError.
"""

from __future__ import annotations

import contextlib
import json
import tempfile
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rougegame.engine.game import ChoiceUnavailable, Game, StoryRuntimeError
from rougegame.engine.saves import SaveStore, parse_payload, restore
from rougegame.story.expressions import (
    ExprError,
    ExprRuntimeError,
    compile_expr,
    parse_effect,
    parse_expression,
)
from rougegame.story.loader import load_story
from rougegame.story.model import Story
from rougegame.story.problems import StoryError
from rougegame.story.text import TextError, parse_text

SETTINGS = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# -- random story structures ----------------------------------------------------------------


def dump(value: Any) -> str:
    return yaml.dump(value, Dumper=yaml.CSafeDumper, sort_keys=False)


NAMES = ["start", "hub", "left", "right", "end", "x1", "1bad", "bad-name", "", "a.b"]
VARS = ["n", "flag", "word", "undeclared"]
CONDITIONS = [
    "n > 1",
    "flag",
    "not flag and n < 3",
    "word == 'calm'",
    "visits(hub) < 2",
    "visited(a.end)",
    "unlocked(lore1)",
    "min(n, 2) == max(1, n)",
    "n / 0 > 1",
    "undeclared",
    "n >",
    "n ** 2",
    "flag.x",
    "visits(nowhere)",
    "",
]
EFFECTS = [
    "n += 1",
    "n -= 1",
    "n = n * 2",
    "flag = not flag",
    "word = word + 'x'",
    "word = 1",
    "unlock lore1",
    "unlock missing",
    "n == 1",
    "undeclared = 1",
    "n = n % 0",
    "",
]
TEXTS = [
    "Plain text.",
    "Value {n} and {word}.",
    "{if flag: Yes.}{else: No.}",
    "{if n > 1: more {word}}",
    "Unclosed {brace",
    "Stray } brace",
    "{undeclared}",
    "{if : empty}",
    "{{literal}}",
    "*em* and **strong** and [markup]",
    "",
]

junk = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-3, 3),
    st.floats(allow_nan=False, allow_infinity=False, width=16),
    st.text(max_size=6),
    st.lists(st.integers(0, 2), max_size=2),
    st.dictionaries(st.sampled_from(["x", "text", "to"]), st.integers(0, 1), max_size=2),
)


def maybe(good: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """Usually a plausible value, sometimes junk of any type (deferred: keeps reprs short)."""
    return st.deferred(lambda: st.one_of(good, good, good, junk))


def field_dict(fields: dict[str, st.SearchStrategy[Any]]) -> st.SearchStrategy[dict[str, Any]]:
    """A mapping with a random subset of the fields, plus sometimes an unknown key."""
    return st.deferred(
        lambda: st.fixed_dictionaries(
            {}, optional={**{k: maybe(v) for k, v in fields.items()}, "unknown_key": junk}
        )
    )


targets = st.sampled_from(
    ["start", "hub", "left", "right", "end", "a.start", "b.start", "nowhere", "b.nowhere"]
)
choice = field_dict(
    {
        "text": st.sampled_from(TEXTS),
        "to": targets,
        "if": st.sampled_from(CONDITIONS),
        "reason": st.sampled_from(["Not yet.", ""]),
        "effects": st.lists(st.sampled_from(EFFECTS), max_size=3),
        "kind": st.sampled_from(["sticky", "once", "fallback", "sometimes"]),
    }
)
ending = field_dict(
    {
        "id": st.sampled_from(["e1", "e2", "bad id"]),
        "title": st.sampled_from(["The End", ""]),
        "epilogue": st.sampled_from(TEXTS),
    }
)
node = field_dict(
    {
        "text": st.sampled_from(TEXTS),
        "title": st.sampled_from(["A title", ""]),
        "speaker": st.just("Naomi"),
        "location": st.just("The dock"),
        "effects": st.lists(st.sampled_from(EFFECTS), max_size=3),
        "choices": st.lists(choice, max_size=4),
        "ending": ending,
    }
)
variable = st.one_of(
    st.integers(-5, 5),
    st.booleans(),
    st.sampled_from(["calm", "unknown"]),
    field_dict(
        {
            "initial": st.integers(-5, 5),
            "min": st.integers(-5, 0),
            "max": st.integers(0, 5),
            "label": st.just("A label"),
        }
    ),
)
codex = st.fixed_dictionaries(
    {},
    optional={
        section: st.dictionaries(
            st.sampled_from(["lore1", "lore2", "bad id"]),
            field_dict({"title": st.just("T"), "text": st.just("Text.")}),
            max_size=2,
        )
        for section in ("characters", "places", "lore", "bestiary")
    },
)
manifest = field_dict(
    {
        "format": st.sampled_from([1, 1, 2]),
        "id": st.sampled_from(["random-story", "bad id!"]),
        "title": st.just("Random"),
        "version": st.just("1"),
        "start": st.sampled_from(["a.start", "a.hub", "b.start", "nowhere", "start"]),
        "variables": st.dictionaries(st.sampled_from([*VARS[:3], "1x"]), variable, max_size=3),
        "codex": codex,
        "dossier": st.lists(
            field_dict(
                {
                    "id": st.just("card"),
                    "name": st.just("Card"),
                    "variable": st.sampled_from(VARS),
                    "codex": st.sampled_from(["lore1", "nope"]),
                }
            ),
            max_size=2,
        ),
        "gauge": st.sampled_from(VARS),
    }
)
chapter = st.builds(
    lambda cid, title, nodes, extra: {"chapter": cid, "title": title, "nodes": nodes, **extra},
    maybe(st.sampled_from(["a", "b", "bad id"])),
    maybe(st.just("A chapter")),
    maybe(st.dictionaries(st.sampled_from(NAMES), node, max_size=5)),
    st.fixed_dictionaries({}, optional={"variables": st.just({"local_flag": False})}),
)
chapter_file = st.one_of(
    chapter.map(lambda c: dump(c)),
    chapter.map(lambda c: dump(c)),
    chapter.map(lambda c: dump(c)),
    junk.map(dump),
    st.text(max_size=40),
)


def play_a_little(story: Story, picks: list[int]) -> None:
    """Play a loaded story; only the story's own runtime errors may stop it."""
    try:
        game = Game(story)
        for pick in picks:
            game.passage()
            options = game.choices()
            if not options:
                break
            game.choose(options[pick % len(options)].index)
    except (StoryRuntimeError, ChoiceUnavailable):
        pass  # a story error (division by zero) or a disabled choice picked: both are values


# -- random play on valid stories -----------------------------------------------------------


VALID_CONDITIONS = ["n < 4", "not flag", "visits(n0) < 3", "unlocked(lore1)"]


@st.composite
def valid_story_data(draw: st.DrawFn) -> dict[str, Any]:
    """A story that always loads, as data: a random graph over declared variables and codex."""
    count = draw(st.integers(2, 7))
    names = [f"n{i}" for i in range(count)]
    nodes: dict[str, Any] = {}
    for name in names:
        spec: dict[str, Any] = {
            "text": draw(st.sampled_from(["Here.", "n is {n}.", "{if flag: Lit.}{else: Dark.}"]))
        }
        effects = draw(st.lists(st.sampled_from(["n += 1", "unlock lore1", "flag = true"])))
        if effects:
            spec["effects"] = effects
        if name != names[0] and draw(st.integers(0, 4)) == 0:
            spec["ending"] = {"id": f"end_{name}", "title": "The End"}
        else:
            choices = []
            for j in range(draw(st.integers(1, 4))):
                c: dict[str, Any] = {"text": f"Go {j} to {{n}}", "to": draw(st.sampled_from(names))}
                cond = draw(st.sampled_from([None, *VALID_CONDITIONS]))
                if cond:
                    c["if"] = cond
                    if draw(st.booleans()):
                        c["reason"] = "Not now."
                c["kind"] = draw(st.sampled_from(["sticky", "sticky", "once", "fallback"]))
                eff = draw(st.lists(st.sampled_from(["n -= 1", "flag = not flag", "n += 2"])))
                if eff:
                    c["effects"] = eff
                choices.append(c)
            spec["choices"] = choices
        nodes[name] = spec
    return {
        "story.yaml": {
            "format": 1,
            "id": "random-play",
            "title": "Random play",
            "version": "1",
            "start": "a.n0",
            "variables": {"n": {"initial": 0, "min": -3, "max": 6}, "flag": False},
            "codex": {"lore": {"lore1": {"title": "Lore", "text": "Lore."}}},
        },
        "chapters/a.yaml": {"chapter": "a", "title": "A", "nodes": nodes},
    }


def as_files(data: dict[str, Any]) -> dict[str, str]:
    return {name: dump(value) for name, value in data.items()}


valid_stories = valid_story_data().map(as_files)


def paths_in(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path to a value inside nested mappings and lists."""
    found = [path]
    if isinstance(value, dict):
        for key, item in value.items():
            found += paths_in(item, (*path, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            found += paths_in(item, (*path, i))
    return found


PLAUSIBLE = st.sampled_from([*CONDITIONS, *EFFECTS, *TEXTS, "a.n0", "a.n1", "n9", "b.n0"])


@st.composite
def broken(draw: st.DrawFn, data: dict[str, Any]) -> dict[str, Any]:
    """``data`` with a few random breakages: values deleted, swapped for junk, keys added."""
    data = json.loads(json.dumps(data))
    for _ in range(draw(st.integers(0, 3))):
        paths = paths_in(data)[1:]
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent: Any = data
        for key in path[:-1]:
            parent = parent[key]
        op = draw(st.sampled_from(["delete", "junk", "plausible", "add-key"]))
        if op == "delete":
            del parent[path[-1]]
        elif op == "add-key" and isinstance(parent[path[-1]], dict):
            parent[path[-1]][draw(st.sampled_from(["extra", "if", "to", "text"]))] = draw(junk)
        else:
            parent[path[-1]] = draw(junk if op == "junk" else PLAUSIBLE)
    return data


def load_files(files: dict[str, str], root: Path) -> Story | None:
    """Write and load a story that must load; None when it fails as it starts."""
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    story = load_story(root, use_cache=False)
    try:
        Game(story)
    except StoryRuntimeError:
        return None  # a loop of fallbacks at the start: reported, not played
    return story


wild_story = st.builds(
    lambda m, chapters: {
        "story.yaml": dump(m),
        **{f"chapters/{i:02d}.yaml": text for i, text in enumerate(chapters)},
    },
    manifest,
    st.lists(chapter_file, max_size=3),
)
near_valid_story = valid_story_data().flatmap(broken).map(as_files)


@SETTINGS
@given(st.one_of(near_valid_story, near_valid_story, wild_story), st.lists(st.integers(0, 9)))
def test_random_stories_load_or_report_problems(files: dict[str, str], picks: list[int]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        for name, text in files.items():
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            (root / name).write_text(text, encoding="utf-8")
        try:
            story = load_story(root, use_cache=False)
        except StoryError as exc:
            assert exc.problems
            for problem in exc.problems:
                assert problem.message and problem.format()
                assert problem.where is not None and problem.where.file
            return
    play_a_little(story, picks)


def check_invariants(story: Story, picks: list[int], saves: Path) -> None:
    game = Game(story)
    store = SaveStore(saves)
    for pick in picks:
        state = game.state
        assert state.node in story.nodes
        assert game.node.id == state.node
        available = {c.index for c in game.available()}
        shown = game.choices()
        assert {v.index for v in shown if v.enabled} == available
        assert all(v.reason for v in shown if not v.enabled)
        if game.is_ending:
            assert not game.node.choices
            break
        node_choices = game.node.choices
        index = pick % (len(node_choices) + 1) - 1 if node_choices else -1
        before = state.copy()
        log_before = list(game.log)
        if index not in available:
            try:
                game.choose(index)
            except ChoiceUnavailable:
                assert game.state == before and game.log == log_before
                continue
            raise AssertionError(f"choice {index} was taken but is not available")
        try:
            game.choose(index)
        except StoryRuntimeError:
            assert game.state == before and game.log == log_before
            continue
        after = game.state.copy()
        assert after.node in story.nodes
        assert after.turns == before.turns + 1
        assert after.path == [*before.path, (before.node, index)]
        # Undo restores the exact previous state, and taking the choice again is deterministic.
        assert game.undo()
        assert game.state == before and game.log == log_before
        game.choose(index)
        assert game.state == after
        # A save round trip (in memory here; through the folder below) is identical.
        data = json.dumps(store.payload("slot", game)).encode()
        loaded = restore(parse_payload(data, "slot"), story, "slot")
        assert loaded.notes == [] and not loaded.moved
        assert loaded.state.same_as(game.state)
        assert json.dumps(loaded.state.vars) == json.dumps(game.state.vars)
    store.save("slot", game)
    loaded = store.load("slot", story)
    assert loaded.state.same_as(game.state)
    assert Game.replay(story, loaded.state.path).state.same_as(game.state)


@SETTINGS
@given(valid_stories, st.lists(st.integers(0, 20), min_size=1, max_size=40))
def test_random_play_keeps_the_engine_invariants(files: dict[str, str], picks: list[int]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        story = load_files(files, Path(folder) / "story")
        if story is not None:
            check_invariants(story, picks, Path(folder) / "saves")


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(0, 20), min_size=1, max_size=60))
def test_random_play_on_the_tour_keeps_the_engine_invariants(
    tour_story: Story, picks: list[int]
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        check_invariants(tour_story, picks, Path(folder))


# -- the expression and text parsers --------------------------------------------------------

FRAGMENTS = [
    *"n s b0123456789 +-*/%<>=!()\"'.,_[]{}&|:;\\@#$~^`?\t\n",
    "and ",
    "or ",
    "not ",
    "true",
    "false",
    "unlock ",
    "visits(",
    "visited(",
    "unlocked(",
    "min(",
    "max(",
    "a.b",
    "==",
    "**",
    "//",
    "+=",
    "-=",
    "1.5",
    "999999999999999",
    "'x'",
    '"y"',
    "\x1b",
    "\u0663",  # an Arabic-Indic digit
    "\U0001d7d7",  # a mathematical bold digit
    "é",
]
expression_soup = st.lists(st.sampled_from(FRAGMENTS), max_size=50).map("".join)


class Env:
    def __init__(self) -> None:
        self.vars: dict[str, Any] = {"n": 3, "s": "word", "b": True}
        self.visits = {"a.b": 2}
        self.unlocked = {"x": 0}


def evaluate(source: str) -> None:
    try:
        ast = parse_expression(source)
    except ExprError as exc:
        assert exc.column >= 1 and exc.message
        return
    try:
        compile_expr(ast)(Env())  # type: ignore[arg-type]
    except ExprRuntimeError:
        pass
    except KeyError:
        pass  # an undeclared variable: the linker refuses it before anything runs


@settings(max_examples=400, deadline=None)
@given(st.one_of(expression_soup, st.text(max_size=60)))
def test_the_expression_parser_raises_only_expr_error(source: str) -> None:
    evaluate(source)
    with contextlib.suppress(ExprError):
        parse_effect(source)


@st.composite
def expressions(draw: st.DrawFn, depth: int = 0) -> str:
    """Well-formed expressions: they parse; evaluating them fails only as the language says."""
    if depth > 3 or draw(st.integers(0, 2)) == 0:
        return draw(
            st.sampled_from(
                ["n", "s", "b", "0", "7", "2.5", "'x'", "true", "visits(a.b)", "unlocked(x)"]
            )
        )
    kind = draw(st.sampled_from(["bin", "not", "neg", "call", "paren"]))
    left = draw(expressions(depth + 1))
    if kind == "not":
        return f"not {left}"
    if kind == "neg":
        return f"-{left}"
    if kind == "paren":
        return f"({left})"
    right = draw(expressions(depth + 1))
    if kind == "call":
        return f"{draw(st.sampled_from(['min', 'max']))}({left}, {right})"
    op = draw(st.sampled_from(["+", "-", "*", "/", "%", "==", "!=", "<", "<=", ">", ">=", "and"]))
    return f"{left} {op} {right}"


@settings(max_examples=300, deadline=None)
@given(expressions())
def test_well_formed_expressions_parse_and_evaluate_within_the_language(source: str) -> None:
    ast = parse_expression(source)
    try:
        value = compile_expr(ast)(Env())  # type: ignore[arg-type]
    except ExprRuntimeError:
        return
    assert isinstance(value, (bool, int, float, str))
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        assert abs(value) <= 10**15


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.lists(st.sampled_from([*FRAGMENTS, "{", "}", "{if ", "{else:"])).map("".join)))
def test_the_text_parser_raises_only_text_error(text: str) -> None:
    try:
        parse_text(text)
    except TextError as exc:
        assert exc.message and 0 <= exc.offset <= len(text)
