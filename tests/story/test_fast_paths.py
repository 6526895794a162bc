"""The fast paths taken for speed give exactly what the general code gives."""

from __future__ import annotations

import re
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rougegame.story.expressions import (
    ExprRuntimeError,
    _compare,
    compile_expr,
    parse_effect,
    parse_expression,
    rewrite_refs,
)
from rougegame.story.text import paragraphs
from rougegame.story.yamlsafe import load_yaml


class Env:
    def __init__(self, values: dict[str, Any]) -> None:
        self.vars = values
        self.visits: dict[str, int] = {}
        self.unlocked: dict[str, int] = {}


VALUES: list[Any] = [0, 1, 2, 2.0, 2.5, -1, True, False, "a", "b", ""]
OPERATORS = ["==", "!=", "<", "<=", ">", ">="]


def outcome(func: Any, *args: Any) -> tuple[str, Any]:
    try:
        value = func(*args)
    except ExprRuntimeError as exc:
        return ("error", str(exc))
    return (type(value).__name__, value)


@pytest.mark.parametrize("op", OPERATORS)
@pytest.mark.parametrize("right", ["2", "2.0", "true", '"a"', "y"])
def test_compiled_comparisons_follow_the_general_rules(op: str, right: str) -> None:
    compiled = compile_expr(parse_expression(f"x {op} {right}"))
    for a in VALUES:
        for b in VALUES:
            env = Env({"x": a, "y": b})
            expected_right = b if right == "y" else compile_expr(parse_expression(right))(env)
            assert outcome(compiled, env) == outcome(_compare, op, a, expected_right), (a, b)


def test_parsing_is_remembered_but_errors_are_raised_every_time() -> None:
    assert parse_expression("n > 1") is parse_expression("n > 1")
    assert parse_expression("n > 1", 4) != parse_expression("n > 1")  # columns differ
    assert parse_effect("n += 1") is parse_effect("n += 1")
    for _ in range(2):
        with pytest.raises(Exception, match="expected a value"):
            parse_expression("n >")


def test_rewriting_references_keeps_what_does_not_change() -> None:
    plain = parse_expression("n > 1 and not flag")
    assert rewrite_refs(plain, lambda _kind, name: name) is plain
    visits = parse_expression("visits(hall) > 1 or n < 2")
    resolved = rewrite_refs(visits, lambda kind, name: f"a.{name}" if kind == "node" else name)
    assert resolved != visits
    assert resolved[2] is visits[2]  # the untouched half is the same object
    assert resolved[1][2][2][0][1] == "a.hall"


def reference_paragraphs(text: str) -> list[str]:
    """The definition: blank lines split, lines fold, runs of spaces and space-before-mark go."""
    out = []
    for block in re.split(r"\n\s*\n", text.strip()):
        lines = [line.strip() for line in block.splitlines()]
        joined = re.sub(r"(?<=\S) {2,}(?=\S)", " ", " ".join(line for line in lines if line))
        joined = re.sub(r"(?<=\w) +(?=[.,;:!?](?:\s|$))", "", joined)
        if joined:
            out.append(joined)
    return out


@given(st.text(alphabet="ab .,;:!?*\n\t\r\u2028\u00a0", max_size=40))
def test_paragraphs_match_their_definition(text: str) -> None:
    assert paragraphs(text) == reference_paragraphs(text)


def test_repeated_plain_scalars_read_the_same_each_time() -> None:
    text = "a: yes\nb: 0x10\nc: nectar > 2\nd: ~\ne: '1'\nf: 1.5\n"
    for _ in range(3):
        value, problems = load_yaml(text, "f.yaml")
        assert problems == []
        assert value == {"a": True, "b": 16, "c": "nectar > 2", "d": None, "e": "1", "f": 1.5}
    for _ in range(2):  # a refused scalar is refused every time, never remembered as fine
        value, problems = load_yaml("a: =\n", "f.yaml")
        assert value is None and problems[0].code == "yaml-tag"
    value, _ = load_yaml("yes: 1\n1: 2\n~: 3\n", "f.yaml")
    assert list(value) == ["yes", "1", "~"]  # non-text keys keep the text they were written as
