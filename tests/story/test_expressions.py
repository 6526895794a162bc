"""The story's expression language: grammar, types, bounds, refusals and error columns."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rougegame.story.expressions import (
    MAX_NUMBER,
    MAX_OPERATORS,
    MAX_SOURCE,
    MAX_STRING,
    ExprError,
    ExprRuntimeError,
    Value,
    compile_expr,
    parse_effect,
    parse_expression,
    references,
    rewrite_refs,
    static_type,
    tokenize,
)


@dataclass
class Env:
    vars: dict[str, Value] = field(default_factory=dict)
    visits: dict[str, int] = field(default_factory=dict)
    unlocked: dict[str, Any] = field(default_factory=dict)


def run(source: str, env: Env | None = None, **variables: Value) -> Value:
    env = env or Env()
    env.vars.update(variables)
    return compile_expr(parse_expression(source))(env)


def parse_error(source: str) -> ExprError:
    with pytest.raises(ExprError) as info:
        parse_expression(source)
    return info.value


def runtime_error(source: str, **variables: Value) -> str:
    with pytest.raises(ExprRuntimeError) as info:
        run(source, **variables)
    return str(info.value)


# -- values and operators ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("1 + 2 * 3", 7),
        ("(1 + 2) * 3", 9),
        ("1 - 2 - 3", -4),
        ("8 / 4 / 2", 1),
        ("2 * 3 % 4", 2),
        ("-2 - -3", 1),
        ("- - 1", 1),
        ("-(2 + 3)", -5),
        ("10 - 2 * 3 + 1", 5),
        ("not true and false", False),
        ("not (true and false)", True),
        ("true or false and false", True),
        ("(true or false) and false", False),
        ("not not true", True),
        ("1 + 1 == 2 and 3 > 2", True),
        ("1 < 2 == true", True),
        ("2 >= 2", True),
        ("2 <= 1", False),
        ("1 != 2", True),
    ],
)
def test_precedence_and_associativity(source: str, expected: Value) -> None:
    assert run(source) == expected


def test_literals() -> None:
    assert run("42") == 42
    assert run("2.5") == 2.5
    assert run('"double"') == "double"
    assert run("'single'") == "single"
    assert run(r"'it\'s'") == "it's"
    assert run("true") is True
    assert run("false") is False


def test_division_keeps_whole_numbers_whole_and_gives_fractions_otherwise() -> None:
    assert run("7 / 2") == 3.5
    six_halves = run("6 / 2")
    assert six_halves == 3 and isinstance(six_halves, int)
    assert run("7 % 3") == 1
    assert run("1.5 + 1.25") == 2.75


def test_variables_are_read_from_the_environment() -> None:
    assert run("nectar * 2 + trust", nectar=3, trust=1) == 7
    assert run("mood == 'calm'", mood="calm") is True
    assert run("not met", met=False) is True


def test_strings_join_with_plus_and_compare_but_do_not_multiply() -> None:
    assert run('"Canal " + "City"') == "Canal City"
    assert run('name + "!"', name="Rouge") == "Rouge!"
    assert run('"a" < "b"') is True
    assert "cannot use `*` on a string and a number" in runtime_error('"a" * 3')
    assert "cannot use `+` on a string and a number" in runtime_error('"a" + 1')
    assert "cannot use `-`" in runtime_error('"a" - "b"')


def test_equality_across_types_is_false_not_an_error() -> None:
    assert run('1 == "1"') is False
    assert run('1 != "1"') is True
    assert run("1 == true") is False
    assert run("1 == 1.0") is True


def test_ordering_needs_two_numbers_or_two_strings() -> None:
    assert "cannot order a boolean and a boolean" in runtime_error("true < false")
    assert "cannot order a number and a string" in runtime_error('1 < "2"')


def test_and_or_give_booleans() -> None:
    assert run("1 and 2") is True
    assert run("0 or 0") is False
    assert run("true and 1") is True


def test_negation_needs_a_number() -> None:
    assert "cannot negate a string" in runtime_error('-"a"')
    assert "cannot negate a boolean" in runtime_error("- true")


# -- functions --------------------------------------------------------------------------------


def test_visits_visited_and_unlocked() -> None:
    env = Env(visits={"dock.quay": 3}, unlocked={"sara": 1})
    assert run("visits(dock.quay)", env) == 3
    assert run("visits(dock.gate)", env) == 0
    assert run("visited(dock.quay)", env) is True
    assert run("visited(dock.gate)", env) is False
    assert run("unlocked(sara)", env) is True
    assert run("unlocked(nectar)", env) is False


def test_min_and_max() -> None:
    assert run("min(3, 1 + 1)") == 2
    assert run("max(n, 10)", n=12) == 12
    assert run("min(max(1, 2), 3)") == 2
    assert "`min` takes numbers" in runtime_error('min("a", 1)')


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("min(1)", "`min` takes 2 argument(s), not 1"),
        ("max(3, 2, 1)", "`max` takes 2 argument(s), not 3"),
        ("visits(1)", "`visits` takes a node id, found `1`"),
        ("unlocked(and)", "`unlocked` takes a codex id, found `and`"),
        ("visited()", "`visited` takes a node id, found `)`"),
    ],
)
def test_function_arguments_are_checked(source: str, message: str) -> None:
    assert parse_error(source).message == message


# -- bounds -----------------------------------------------------------------------------------


def test_division_and_modulo_by_zero_are_runtime_errors() -> None:
    assert runtime_error("1 / 0") == "division by zero"
    assert runtime_error("5 % z", z=0) == "modulo by zero"


def test_numbers_are_bounded() -> None:
    assert parse_error("10000000000000000").message == "number 10000000000000000 is too large"
    assert run(str(MAX_NUMBER)) == MAX_NUMBER
    assert "out of range" in runtime_error("999999999999999 * 10")
    assert "out of range" in runtime_error("n + n", n=MAX_NUMBER)
    assert "out of range" in runtime_error("0 - n - n", n=MAX_NUMBER)


def test_strings_are_bounded() -> None:
    half = "x" * (MAX_STRING // 2)
    assert run("s + s", s=half) == half * 2
    assert f"longer than {MAX_STRING}" in runtime_error("s + s + 'x'", s=half)


def test_source_length_is_bounded() -> None:
    error = parse_error("1" + " " * MAX_SOURCE)
    assert "longer than" in error.message


def test_huge_exponents_are_refused_at_parse_time() -> None:
    error = parse_error("9 ** 9 ** 9")
    assert error.message == "there is no power operator `**`"
    assert error.column == 3
    assert error.hint is not None and "multiply" in error.hint


def test_deep_nesting_is_refused() -> None:
    error = parse_error("(" * 60 + "1" + ")" * 60)
    assert error.message == "expression nested too deeply"
    assert error.column == 41


@pytest.mark.parametrize(
    "source",
    [
        "-" * 999 + "1",
        "1" + "+1" * 999,
        "x" + " * x" * 400,
        "not " * 300 + "true",
        "min(" * 50 + "1" + ", 1)" * 50,
    ],
)
def test_long_chains_are_refused_cleanly_not_with_recursion_errors(source: str) -> None:
    error = parse_error(source)
    assert "operators" in error.message or "nested too deeply" in error.message


def test_the_operator_limit_leaves_room_for_real_conditions() -> None:
    source = " and ".join(f"n > {i}" for i in range(MAX_OPERATORS // 2))
    assert run(source, n=1000) is True


# -- refusals ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "message", "column"),
    [
        ("x.__class__", "there is no attribute access in story expressions", 1),
        ("().__class__", "unexpected character '.'", 3),
        ("a[0]", "unexpected character '['", 2),
        ("__import__('os')", "unknown function `__import__`", 1),
        ("open('f')", "unknown function `open`", 1),
        ("foo(1)", "unknown function `foo`", 1),
        ("lambda: 1", "unexpected character ':'", 7),
        ("1 if 2 else 3", "unexpected `if` after the expression", 3),
        ("x = 1", "`=` assigns; to compare, write `==`", 3),
        ("a && b", "`&&` is not an operator here", 3),
        ("a || b", "`||` is not an operator here", 3),
        ("!a", "`!` is not an operator here", 1),
        ("", "empty expression", 1),
        ("   ", "empty expression", 1),
        ("(1", "expected `)` but found the end of the expression", 3),
        ("1 2", "unexpected `2` after the expression", 3),
        ("n >>= 2", "expected a value but found `>=`", 4),
        ("and", "unexpected `and`", 1),
        ("dock.quay", "`dock.quay` looks like a node id, which only functions take", 1),
        ("a.b.c", "unexpected character '.'", 4),
        ("`cmd`", "unexpected character '`'", 1),
        ("x; y", "unexpected character ';'", 2),
    ],
)
def test_refused_with_message_and_column(source: str, message: str, column: int) -> None:
    error = parse_error(source)
    assert error.message == message
    assert error.column == column


def test_refusals_carry_hints() -> None:
    assert parse_error("a[0]").hint == "there is no indexing in story expressions"
    assert parse_error("().x").hint == "there is no attribute access in story expressions"
    assert parse_error("a && b").hint == "use `and`"
    assert parse_error("x = 1").hint == "write `==`"
    assert parse_error("dock.quay").hint == "did you mean `visits(dock.quay)`?"
    hint = parse_error("eval(1)").hint
    assert hint is not None and "visits" in hint and "min" in hint


def test_columns_count_from_the_start_of_the_longer_text() -> None:
    ast = parse_expression("n > 1", offset=10)
    assert references(ast) == [("var", "n", 11)]
    with pytest.raises(ExprError) as info:
        parse_expression("n >", offset=10)
    assert info.value.column == 14
    assert [t.column for t in tokenize("a + b", 4)] == [5, 7, 9, 10]


# -- effects ----------------------------------------------------------------------------------


def test_effects_parse_to_operation_target_and_value() -> None:
    assert parse_effect("trust += 2").op == "add"
    assert parse_effect("trust -= 2").op == "sub"
    effect = parse_effect('mood = "grim"')
    assert (effect.op, effect.target, effect.value) == ("set", "mood", ("lit", "grim"))
    unlock = parse_effect("unlock sara")
    assert (unlock.op, unlock.target, unlock.value, unlock.column) == ("unlock", "sara", None, 8)


def test_effect_value_columns_count_from_the_start_of_the_effect() -> None:
    effect = parse_effect("nine = spared")
    assert effect.value is not None
    assert references(effect.value) == [("var", "spared", 8)]


@pytest.mark.parametrize(
    ("source", "message", "column"),
    [
        ("n =+ 1", "expected a value but found `+`", 4),
        ("n = (1", "expected `)` but found the end of the expression", 7),
        (
            "n == 1",
            "an effect is `name = value`, `name += value`, `name -= value` or `unlock id`",
            1,
        ),
        ("true = 1", "`true` is a keyword, not a variable", 1),
        ("unlock", "`unlock` takes one codex id", 1),
        ("unlock a b", "`unlock` takes one codex id", 1),
        ("n = ", "empty expression", 5),
        ("n += 1 / 0)", "unexpected `)` after the expression", 11),
    ],
)
def test_bad_effects(source: str, message: str, column: int) -> None:
    with pytest.raises(ExprError) as info:
        parse_effect(source)
    assert info.value.message == message
    assert info.value.column == column


def test_effect_length_is_bounded() -> None:
    with pytest.raises(ExprError, match="longer than"):
        parse_effect("n = " + "1" * MAX_SOURCE)


# -- analysis helpers used by the linker ------------------------------------------------------


def test_references_and_rewrite() -> None:
    ast = parse_expression("visits(quay) > n and unlocked(sara) or not visited(lock.gate)")
    assert references(ast) == [
        ("node", "quay", 8),
        ("var", "n", 16),
        ("codex", "sara", 31),
        ("node", "lock.gate", 52),
    ]
    rewritten = rewrite_refs(ast, lambda kind, name: f"dock.{name}" if "." not in name else name)
    names = [name for _, name, _ in references(rewritten)]
    assert names == ["dock.quay", "n", "dock.sara", "lock.gate"]
    neg = rewrite_refs(parse_expression("-visits(a)"), lambda k, n: "c." + n)
    assert references(neg) == [("node", "c.a", 9)]


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("1", float),
        ("'a'", str),
        ("true", bool),
        ("n", float),
        ("s", str),
        ("b", bool),
        ("s + 'x'", str),
        ("n + 1", float),
        ("n > 1", bool),
        ("not b", bool),
        ("visited(x)", bool),
        ("visits(x)", float),
        ("-n", float),
        ("undeclared", None),
    ],
)
def test_static_types(source: str, expected: type | None) -> None:
    types = {"n": int, "s": str, "b": bool}
    assert static_type(parse_expression(source), types) is expected


# -- fuzzing: any text either parses or raises ExprError; evaluation only ExprRuntimeError ------

_ALPHABET = st.sampled_from(
    [*"nab0123456789 +-*/%<>=!()\"'.,_[]&|", "and ", "or ", "not ", "visits(", "min("]
)


@settings(max_examples=300, deadline=None, database=None)
@given(st.lists(_ALPHABET, max_size=40).map("".join))
def test_parser_never_fails_with_anything_but_expr_error(source: str) -> None:
    try:
        ast = parse_expression(source)
    except ExprError as exc:
        assert exc.column >= 1
        return
    try:
        compile_expr(ast)(Env(vars={"n": 3, "a": "x", "b": True}))
    except ExprRuntimeError:
        pass
    except KeyError:
        pass  # an undeclared variable: the linker refuses these before anything runs
