"""Safe YAML reading: located values, and every refusal with its file:line:column."""

from __future__ import annotations

from typing import Any

import pytest

from rougegame.story.problems import Location, Problem
from rougegame.story.yamlsafe import MAX_DEPTH, Mapping, Sequence, load_yaml


def only_problem(data: str | bytes) -> Problem:
    value, problems = load_yaml(data, "f.yaml")
    assert value is None
    assert len(problems) == 1
    return problems[0]


def loaded(data: str | bytes) -> Any:
    value, problems = load_yaml(data, "f.yaml")
    assert problems == []
    return value


def test_values_remember_where_they_start() -> None:
    root = loaded("a:\n  b: 1\n  c:\n    - x\n    - y: 2\n")
    assert isinstance(root, Mapping)
    assert root.loc == Location("f.yaml", 1, 1)
    assert root.key_locs["a"] == Location("f.yaml", 1, 1)
    inner = root["a"]
    assert inner.value_locs["b"] == Location("f.yaml", 2, 6)
    assert inner.where("missing") == inner.loc
    items = inner["c"]
    assert isinstance(items, Sequence)
    assert items.where(1) == Location("f.yaml", 5, 7)
    assert items.where(7) == items.loc
    assert root == {"a": {"b": 1, "c": ["x", {"y": 2}]}}


def test_scalars_are_plain_values() -> None:
    root = loaded("a: 2024-01-01\nb: null\nc: ~\nd: 0x10\ne: 2.5\nf: yes\ng: '3'\n1: one\n")
    assert root == {
        "a": "2024-01-01",
        "b": None,
        "c": None,
        "d": 16,
        "e": 2.5,
        "f": True,
        "g": "3",
        "1": "one",
    }


def test_a_byte_order_mark_is_ignored() -> None:
    assert loaded("\ufeffa: 1".encode()) == {"a": 1}


def test_aliases_to_earlier_values_work() -> None:
    assert loaded("a: &x {k: 1}\nb: *x\n") == {"a": {"k": 1}, "b": {"k": 1}}


@pytest.mark.parametrize(
    ("text", "where", "message"),
    [
        ("a: 1\nb:\n  c: 1\n  c: 2\n", (4, 3), "duplicate key `c` (first defined at line 3)"),
        ("a: !!python/object:os.system x\n", (1, 4), "python/object:os.system is not allowed"),
        ("a: !!python/object/apply:os.system [ls]\n", (1, 4), "is not allowed in a story file"),
        ("a: !custom x\n", (1, 4), "the tag !custom is not allowed"),
        ("a: !!set {x}\n", (1, 4), "is not allowed in a story file"),
        ("base: &b {x: 1}\nother:\n  <<: *b\n", (3, 3), "merge keys (<<) are not supported"),
        ("a: 1\n---\nb: 2\n", (2, 1), "more than one YAML document in this file"),
        ("a: *nope\n", (1, 4), "unknown alias *nope"),
        ("? [1]\n: x\n", (1, 3), "a mapping key must be a plain value"),
        ("a: b: c\n", (1, 5), "YAML syntax: mapping values are not allowed"),
        ("a: [1, 2\n", (2, 1), "YAML syntax:"),
    ],
)
def test_refusals_are_located(text: str, where: tuple[int, int], message: str) -> None:
    problem = only_problem(text)
    assert problem.where == Location("f.yaml", *where)
    assert message in problem.message


def test_duplicate_keys_explain_what_yaml_would_do() -> None:
    problem = only_problem("nodes:\n  start: {text: a}\n  start: {text: b}\n")
    assert problem.code == "duplicate-key"
    assert problem.hint is not None and "keeps only the last" in problem.hint


def test_tabs_are_named_in_the_message_and_hint() -> None:
    problem = only_problem("a:\n\tb: 1\n")
    assert problem.where == Location("f.yaml", 2, 1)
    assert "tab" in problem.message
    assert problem.hint == "YAML indents with spaces, never tabs"


def test_an_unquoted_colon_gets_a_quoting_hint() -> None:
    problem = only_problem("text: Pay the toll: one dose.\n")
    assert problem.hint is not None and "quoted" in problem.hint


def test_alias_bombs_are_refused() -> None:
    lines = ["a: &a [1,1,1,1,1,1,1,1,1,1]"]
    for prev, name in zip("abcdef", "bcdefg", strict=True):
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 10) + "]")
    problem = only_problem("\n".join(lines) + "\n")
    assert problem.code == "yaml-bomb"


def test_deep_nesting_is_refused() -> None:
    problem = only_problem("[" * (MAX_DEPTH + 6) + "]" * (MAX_DEPTH + 6))
    assert problem.code == "yaml-depth"
    assert problem.where == Location("f.yaml", 1, MAX_DEPTH + 1)


def test_binary_and_bad_encodings_are_refused_with_a_position() -> None:
    binary = only_problem(b"a: 1\nb\x00")
    assert binary.code == "binary"
    assert binary.where == Location("f.yaml", 2, 2)
    bad = only_problem(b"a: 1\nb: \xff\n")
    assert bad.code == "encoding"
    assert bad.message == "invalid UTF-8 (byte 0xff)"
    assert bad.where == Location("f.yaml", 2, 4)


def test_an_empty_document_is_none() -> None:
    assert loaded("") is None
    assert loaded("# only a comment\n") is None


def test_more_syntax_problems_get_specific_hints() -> None:
    colon = only_problem("a: 1\nb\nc: 2\n")
    assert colon.hint == "each key needs a colon after it; check the indentation of the line above"
    quote = only_problem('key: "unclosed\n')
    assert quote.where == Location("f.yaml", 2, 1)
    assert quote.hint == "check the indentation and quoting around this position"


def test_aliases_to_scalars_and_to_their_own_container() -> None:
    assert loaded("a: &x 1\nb: *x\n") == {"a": 1, "b": 1}
    problem = only_problem("a: &x [*x]\n")
    assert problem.message == "an alias may not refer to its own enclosing value"
    assert problem.where == Location("f.yaml", 1, 8)


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ('a: "quoted"\n', (1, 5)),  # inside the quotes
        ("a: 'single'\n", (1, 5)),
        ("a: |\n  block\n", (2, 3)),  # the first line of the block, at its indentation
        ("a: >\n\n    folded\n", (2, 5)),  # a blank first line: still the line after `>`
        ("a: |\n", (2, 1)),  # an empty block at the end of the file
        ("a: |", (1, 4)),
        ("a: plain\n", (1, 4)),
    ],
)
def test_text_values_are_located_where_their_text_starts(text: str, where: tuple[int, int]) -> None:
    root = loaded(text)
    assert root.value_locs["a"] == Location("f.yaml", *where)


def test_a_position_inside_a_value() -> None:
    base = Location("f.yaml", 4, 7)
    text = "one\ntwo {x}\nthree"
    assert base.at_offset(text, 0) == Location("f.yaml", 4, 7)
    assert base.at_offset(text, text.index("{x}")) == Location("f.yaml", 5, 11)
    assert base.at_offset(text, text.index("three")) == Location("f.yaml", 6, 7)
    assert Location("f.yaml").at_offset(text, 5) == Location("f.yaml")
