"""Story prose: interpolation, conditional text, literal braces, control characters, styles."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from rougegame.story.expressions import Value, compile_expr
from rougegame.story.text import (
    TextError,
    compile_template,
    format_value,
    paragraphs,
    parse_text,
    plain,
    sanitize,
    segment_refs,
    spans,
)


@dataclass
class Env:
    vars: dict[str, Value] = field(default_factory=dict)
    visits: dict[str, int] = field(default_factory=dict)
    unlocked: dict[str, Any] = field(default_factory=dict)


def render(text: str, **variables: Value) -> str:
    return compile_template(parse_text(text), compile_expr).render(Env(vars=dict(variables)))


def text_error(text: str) -> TextError:
    with pytest.raises(TextError) as info:
        parse_text(text)
    return info.value


def test_plain_text_is_one_literal_and_renders_without_an_env() -> None:
    template = compile_template(parse_text("Rain on the dome."), compile_expr)
    assert template.static == "Rain on the dome."
    assert parse_text("") == []


def test_interpolation() -> None:
    assert parse_text("You have {nectar} doses.") == [
        ("lit", "You have "),
        ("var", "nectar", 10),
        ("lit", " doses."),
    ]
    assert render("You have {nectar} doses.", nectar=3) == "You have 3 doses."
    assert render("{ name }!", name="Rouge") == "Rouge!"


def test_values_are_formatted_for_players() -> None:
    assert render("{a} {b} {c} {d} {e}", a=True, b=False, c=2.5, d=3.0, e=7) == (
        "true false 2.5 3 7"
    )
    assert format_value(1 / 3) == "0.33"


def test_conditional_text_with_and_without_else() -> None:
    text = "Naomi {if trust >= 5: grins}{else: frowns} at the monitor."
    assert render(text, trust=5) == "Naomi grins at the monitor."
    assert render(text, trust=1) == "Naomi frowns at the monitor."
    assert render("A{if flag: B}C", flag=False) == "AC"
    assert render("{if flag:}x", flag=True) == "x"


def test_conditional_text_can_interpolate_and_quote_colons() -> None:
    text = '{if n > 1: {n} doses}{else: one dose}; {if s == "a:b": quoted colon}'
    assert render(text, n=3, s="a:b") == "3 doses; quoted colon"
    assert render(text, n=1, s="x") == "one dose; "


def test_condition_refs_are_reported_for_the_linker() -> None:
    refs = segment_refs(parse_text("{a} {if b > 1: {c}}{else: {d}}"))
    assert [(kind, item if kind == "var" else item[0]) for kind, item, _ in refs] == [
        ("var", "a"),
        ("cond", "bin"),
        ("var", "c"),
        ("var", "d"),
    ]


def test_double_braces_are_literal() -> None:
    assert render("{{not a variable}} and }}{{") == "{not a variable} and }{"
    assert render("{{n}} is {n}", n=2) == "{n} is 2"


def test_square_brackets_and_markup_like_text_stay_as_written() -> None:
    assert render("[bold]static[/bold] [toll: one dose]") == "[bold]static[/bold] [toll: one dose]"


@pytest.mark.parametrize(
    ("text", "message", "offset"),
    [
        ("{x", "`{` is never closed", 0),
        ("ok }", "`}` without a matching `{`", 3),
        ("{if x a}", "`{if ...}` needs a colon between the condition and the text", 1),
        ("{1bad}", "`{1bad}` is neither `{name}` nor `{if condition: text}`", 0),
        ("{}", "`{}` is neither `{name}` nor `{if condition: text}`", 0),
        ("{else: b}", "`{else: ...}` must come right after an `{if ...: ...}`", 0),
        ("{if x: a} {else: b}", "`{else: ...}` must come right after an `{if ...: ...}`", 10),
        ("{if x: a}{else: b}{else: c}", "this `{if}` already has an `{else}`", 18),
        ("{if x: {if y: z}}", "conditional text cannot nest another `{if ...}`", 7),
        ("ab {if (x: a}", "in the condition: expected `)` but found the end of the expression", 9),
        (
            "{if x.__class__: a}",
            "in the condition: there is no attribute access in story expressions",
            4,
        ),
    ],
)
def test_malformed_text(text: str, message: str, offset: int) -> None:
    error = text_error(text)
    assert error.message == message
    assert error.offset == offset


def test_control_characters_are_made_visible() -> None:
    assert sanitize("bell\x07 esc\x1b[31m del\x7f c1\x85") == "bell␇ esc␛[31m del␡ c1\ufffd"
    assert sanitize("tab\tand\nnewline") == "tab\tand\nnewline"
    assert parse_text("a\x1b[2Jb") == [("lit", "a␛[2Jb")]
    assert render("{s}", s="\x1b]0;title\x07") == "␛]0;title␇"


def test_paragraphs_split_at_blank_lines_and_fold_single_newlines() -> None:
    assert paragraphs("one\ntwo\n\n\nthree  \n  four\n\n") == ["one two", "three four"]
    assert paragraphs("") == []


def test_spans_split_emphasis_and_strong() -> None:
    assert spans("a *b* **c** d") == [
        ("a ", ""),
        ("b", "em"),
        (" ", ""),
        ("c", "strong"),
        (" d", ""),
    ]
    assert spans("2 * 3 * 4") == [("2 * 3 * 4", "")]
    assert spans("**unclosed") == [("**unclosed", "")]
    assert spans("") == []
    assert plain("**x** and *y*") == "x and y"
