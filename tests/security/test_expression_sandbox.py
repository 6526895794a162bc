"""The expression language cannot reach Python, and its arithmetic and strings stay bounded.

Conditions and effects come from untrusted story files. They may use only the story's own
variables and functions; anything that would reach Python's objects (attributes, indexing,
calls, dunder names, Python-only syntax) is refused when the story loads. At run time numbers stay
within ±10¹⁵ and strings within 10,000 characters, and division by zero is a story error that
names the node and leaves the game as it was.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from pathlib import Path

import pytest

from rougegame.engine.game import Game, StoryRuntimeError
from rougegame.story.expressions import (
    MAX_NUMBER,
    MAX_STRING,
    ExprError,
    ExprRuntimeError,
    compile_expr,
    parse_effect,
    parse_expression,
)
from rougegame.story.loader import load_story
from rougegame.story.problems import StoryError

MakeStory = Callable[..., Path]
SRC = Path(__file__).resolve().parents[2] / "src" / "rougegame"

ESCAPES = [
    "n.__class__",
    "n.__class__.__mro__",
    "'x'.__class__",
    "(n).real",
    "n .real",
    "a[0]",
    "a['x']",
    "__import__('os')",
    "__import__('os').system('echo owned')",
    "eval('1')",
    "exec('x = 1')",
    "open('/etc/passwd')",
    "getattr(n, 'real')",
    "globals()",
    "locals()",
    "vars()",
    "type(n)",
    "print(n)",
    "lambda: 1",
    "[x for x in n]",
    "{n: 1}",
    "{1, 2}",
    "f'{n}'",
    "n if n else 0",
    "n := 1",
    "n; n",
    "n @ n",
    "n << 2",
    "n >> 2",
    "n | 1",
    "n & 1",
    "n ^ 1",
    "~n",
    "n // 2",
    "n ** 2",
    "9 ** 9 ** 9",
    "n is n",
    "n in n",
    "not",
    "min(n)",
    "min(n, n, n)",
    "visits('a.b')",
    "visits(1)",
    "unlocked(n + 1)",
    "min.__call__(1, 2)",
    "`n`",
    "$n",
    "n\\",
    "0x10",
    "1e308",
    "1_000",
    "# comment",
    "n\x1b[31m",
    "'\x1b]0;owned\x07'",
]


@pytest.mark.parametrize("source", ESCAPES)
def test_python_cannot_be_reached_from_an_expression(source: str) -> None:
    with pytest.raises(ExprError) as info:
        parse_expression(source)
    assert info.value.column >= 1
    assert isinstance(info.value.message, str) and info.value.message


@pytest.mark.parametrize(
    "name", ["__builtins__", "__class__", "self", "os", "env", "__name__", "min", "eval"]
)
def test_names_are_only_declared_story_variables(make_story: MakeStory, name: str) -> None:
    # A name is never looked up anywhere but the story's own variables.
    assert parse_expression(name) == ("var", name, 1)
    root = make_story(
        {
            "chapters/a.yaml": f"""\
                chapter: a
                title: A
                nodes:
                  start:
                    text: Hi.
                    choices:
                      - {{text: Go, to: start, if: {name} == 1}}
                """
        }
    )
    with pytest.raises(StoryError) as info:
        load_story(root, use_cache=False)
    assert any(f"undeclared variable `{name}`" in p.message for p in info.value.problems)


def test_a_hostile_condition_in_a_story_is_a_problem_not_a_call(
    make_story: MakeStory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    root = make_story(
        {
            "chapters/a.yaml": """\
                chapter: a
                title: A
                nodes:
                  start:
                    text: "{if __import__('os').mkdir('owned'): boom}"
                    choices:
                      - text: Go
                        to: start
                        if: "__import__('os').mkdir('owned')"
                        effects: ["n = __import__('os').mkdir('owned')"]
                  other:
                    text: "{if __import__('os'): boom}"
                    choices:
                      - text: Go
                        to: start
                        if: "__import__('os')"
                        effects: ["n = __import__('os')"]
                """
        }
    )
    with pytest.raises(StoryError) as info:
        load_story(root, use_cache=False)
    found = [(p.node, p.message.split(": ")[-1]) for p in info.value.problems]
    assert (
        found
        == [("a.start", "unexpected character '.'")] * 3
        + [("a.other", "unknown function `__import__`")] * 3
    )
    assert not (tmp_path / "owned").exists()


def test_only_the_languages_own_functions_can_be_called() -> None:
    for name in ("visits", "visited", "unlocked", "min", "max"):
        parse_expression(f"{name}(a)" if name in ("visits", "visited", "unlocked") else "min(1, 2)")
    with pytest.raises(ExprError, match="unknown function `len`"):
        parse_expression("len(n)")


def test_effects_refuse_everything_but_assignment_and_unlock() -> None:
    for source in (
        "import os",
        "n.x = 1",
        "n[0] = 1",
        "del n",
        "n *= 2",
        "n **= 2",
        "unlock __import__('os')",
        "unlock a b",
        "x = 1; y = 2",
        "n = 1 if n else 2",
    ):
        with pytest.raises(ExprError):
            parse_effect(source)


def test_the_implementation_has_no_path_to_eval() -> None:
    """No module of the game calls eval, exec, compile or __import__, or YAML's unsafe loaders."""
    banned_calls = {"eval", "exec", "compile", "__import__", "breakpoint"}
    banned_attrs = {"unsafe_load", "full_load", "load_all", "UnsafeLoader", "FullLoader", "system"}
    found: list[str] = []
    for path in sorted(SRC.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        # A module may name its own things `compile`; then a call is to that, not the builtin.
        bound = {n.arg for n in ast.walk(tree) if isinstance(n, ast.arg)}
        bound |= {
            n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)
        }
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in banned_calls - bound
            ):
                found.append(f"{path.name}:{node.lineno} {node.func.id}()")
            if isinstance(node, ast.Attribute) and node.attr in banned_attrs:
                found.append(f"{path.name}:{node.lineno} .{node.attr}")
            if (
                isinstance(node, ast.Attribute)
                and node.attr in ("load", "Loader")
                and isinstance(node.value, ast.Name)
                and node.value.id == "yaml"
            ):
                found.append(f"{path.name}:{node.lineno} yaml.{node.attr}")
    assert found == []


# -- bounded arithmetic and strings ---------------------------------------------------------


class Env:
    def __init__(self, **values: object) -> None:
        self.vars = dict(values)
        self.visits: dict[str, int] = {}
        self.unlocked: dict[str, int] = {}


def run(source: str, **values: object) -> object:
    return compile_expr(parse_expression(source))(Env(**values))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "source",
    [
        "999999999999999 * 999999999999999",
        "n * n * n * n",
        "n + n",
        "0 - n - n",
        "n / 0.000001",
        "big * 10",
    ],
)
def test_numbers_never_leave_their_bounds(source: str) -> None:
    with pytest.raises(ExprRuntimeError, match="out of range"):
        run(source, n=MAX_NUMBER, big=MAX_NUMBER)


def test_strings_never_grow_past_their_bound() -> None:
    with pytest.raises(ExprRuntimeError, match=f"longer than {MAX_STRING:,}".replace(",", "")):
        run("s + s", s="x" * (MAX_STRING // 2 + 1))
    assert run("s + s", s="x" * (MAX_STRING // 2)) == "x" * MAX_STRING
    with pytest.raises(ExprRuntimeError):
        run("s * 1000", s="x")


def test_literals_are_bounded_when_the_story_loads() -> None:
    with pytest.raises(ExprError, match="too large"):
        parse_expression("1" + "0" * 16)
    with pytest.raises(ExprError, match="longer than"):
        parse_expression("'" + "x" * 5000 + "'")
    with pytest.raises(ExprError, match="longer than"):
        parse_effect("n = " + " + ".join(["1"] * 1000))


LOOP_STORY = {
    "story.yaml": """\
        format: 1
        id: loops
        title: Loops
        version: "1"
        start: a.start
        variables:
          n: 1
          zero: 0
          s: ab
        """,
    "chapters/a.yaml": """\
        chapter: a
        title: A
        nodes:
          start:
            text: "n is {n}."
            choices:
              - {text: Double, to: start, effects: [n += n]}
              - {text: Grow, to: start, effects: [s = s + s]}
              - {text: Divide, to: start, effects: [n = n / zero]}
              - {text: Modulo, to: start, effects: [n = n % zero]}
              - {text: Peek, to: peek}
              - {text: Trap, to: trap}
              - {text: End, to: end}
          peek:
            text: "{if n / zero > 1: Never shown.}"
            choices:
              - {text: Back, to: start}
          trap:
            text: A trap.
            choices:
              - {text: "Shown {if n / zero > 1: never}", to: start}
              - {text: Guarded, to: start, if: n / zero > 1}
          end:
            text: Done.
            ending: {id: done, title: Done, epilogue: "{if n / zero > 1: Never.}"}
        """,
}


@pytest.fixture
def loops(make_story: MakeStory) -> Game:
    return Game(load_story(make_story(LOOP_STORY), use_cache=False))


def test_repeated_doubling_stops_at_the_bound_with_the_node_named(loops: Game) -> None:
    taken = 0
    with pytest.raises(StoryRuntimeError) as info:
        for _ in range(200):
            loops.choose(0)
            taken += 1
    assert taken == 49  # 2**49 < 10**15 < 2**50
    assert info.value.node == "a.start"
    assert "out of range" in info.value.message
    assert loops.state.vars["n"] == 2**49
    assert loops.state.turns == taken


def test_repeated_string_growth_stops_at_the_bound(loops: Game) -> None:
    with pytest.raises(StoryRuntimeError) as info:
        for _ in range(200):
            loops.choose(1)
    assert info.value.node == "a.start"
    assert len(str(loops.state.vars["s"])) <= MAX_STRING


@pytest.mark.parametrize("index", [2, 3])
def test_division_by_zero_is_a_story_error_that_changes_nothing(loops: Game, index: int) -> None:
    loops.choose(0)
    before = loops.state.copy()
    log = list(loops.log)
    with pytest.raises(StoryRuntimeError) as info:
        loops.choose(index)
    assert info.value.node == "a.start"
    assert "by zero" in info.value.message
    assert str(info.value).startswith("[a.start] ")
    assert loops.state == before and loops.log == log
    loops.choose(0)  # and the game goes on
    assert loops.state.vars["n"] == 4


def test_division_by_zero_in_text_and_conditions_names_the_node(loops: Game) -> None:
    before = loops.state.copy()
    for index, node in ((4, "a.peek"), (5, "a.trap"), (6, "a.end")):
        with pytest.raises(StoryRuntimeError) as info:
            loops.choose(index)
        assert info.value.node == node
        assert "division by zero" in info.value.message
        assert loops.state == before
    assert [c.text for c in loops.choices()][:2] == ["Double", "Grow"]
