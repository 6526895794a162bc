"""Story prose: interpolation, inline conditional text and the small style subset.

A passage's text is parsed once when the story loads into segments::

    ("lit", text) | ("var", name, offset) | ("if", condition_ast, then_segments, else_segments)

and rendered to a plain string against the game state. The style subset (``*emphasis*`` and
``**strong**``) is left in the rendered string and split into styled runs by :func:`spans`, which
the UI and plain mode use; nothing is ever handed to a markup parser. Control characters are
replaced by visible symbols so story text cannot drive the terminal.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from rougegame.records import FrozenRecord
from rougegame.story.expressions import Ast, Env, ExprError, Value, parse_expression

Segment = tuple[Any, ...]

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _visible(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code < 0x20:
        return chr(0x2400 + code)
    if code == 0x7F:
        return "\u2421"
    return "\ufffd"


def sanitize(text: str) -> str:
    """Replace control characters (except newline and tab) with harmless visible symbols."""
    return _CONTROL.sub(_visible, text)


class TextError(Exception):
    """A malformed template; ``offset`` is the 0-based index into the text."""

    def __init__(self, message: str, offset: int, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.offset = offset
        self.hint = hint


_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*$")


def _find_close(text: str, start: int) -> int:
    """Index of the `}` that closes the `{` at ``start``, allowing `{name}` inside."""
    depth = 0
    quote = ""
    i = start
    while i < len(text):
        ch = text[i]
        if quote:
            if ch == quote:
                quote = ""
        elif ch in "\"'" and depth == 1 and _in_condition(text, start, i):
            quote = ch
        elif ch == "{":
            depth += 1
            if depth > 2:
                raise TextError(
                    "conditional text cannot nest another `{if ...}`",
                    i,
                    "split it into two conditions side by side",
                )
        elif ch == "}":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    raise TextError("`{` is never closed", start, "write `{{` for a literal brace")


def _in_condition(text: str, start: int, i: int) -> bool:
    head = text[start + 1 : i]
    return head.lstrip().startswith("if ") and ":" not in head


def parse_text(text: str, allow_if: bool = True, base: int = 0) -> list[Segment]:
    """Parse prose into segments. Raises :class:`TextError` with an offset into ``text``."""
    if "{" not in text and "}" not in text:
        return [("lit", sanitize(text))] if text else []
    segments: list[Segment] = []
    buf: list[str] = []
    i = 0
    n = len(text)

    def flush() -> None:
        if buf:
            segments.append(("lit", sanitize("".join(buf))))
            buf.clear()

    while i < n:
        ch = text[i]
        if ch == "{":
            if text.startswith("{{", i):
                buf.append("{")
                i += 2
                continue
            close = _find_close(text, i)
            inner = text[i + 1 : close]
            stripped = inner.strip()
            if stripped.startswith("if ") or stripped == "if":
                if not allow_if:
                    raise TextError("conditional text cannot nest another `{if ...}`", base + i)
                flush()
                segments.append(_parse_if(inner, base + i + 1))
            elif stripped.startswith("else:") or stripped == "else":
                if not segments or segments[-1][0] != "if" or buf:
                    raise TextError(
                        "`{else: ...}` must come right after an `{if ...: ...}`", base + i
                    )
                if segments[-1][3]:
                    raise TextError("this `{if}` already has an `{else}`", base + i)
                body_start = inner.index(":") + 1 if ":" in inner else len(inner)
                body = inner[body_start:].lstrip(" ")
                skipped = len(inner[body_start:]) - len(body)
                else_segs = parse_text(body, False, base + i + 1 + body_start + skipped)
                prev = segments[-1]
                segments[-1] = ("if", prev[1], prev[2], else_segs or [("lit", "")])
            elif _NAME.match(stripped):
                flush()
                segments.append(("var", stripped, base + i + 1))
            else:
                raise TextError(
                    f"`{{{inner}}}` is neither `{{name}}` nor `{{if condition: text}}`",
                    base + i,
                    "write `{{` and `}}` for literal braces",
                )
            i = close + 1
            continue
        if ch == "}":
            if text.startswith("}}", i):
                buf.append("}")
                i += 2
                continue
            raise TextError(
                "`}` without a matching `{`", base + i, "write `}}` for a literal brace"
            )
        buf.append(ch)
        i += 1
    flush()
    return segments


def _parse_if(inner: str, base: int) -> Segment:
    lead = len(inner) - len(inner.lstrip())
    body = inner.lstrip()[2:]
    colon = _condition_end(body)
    if colon < 0:
        raise TextError(
            "`{if ...}` needs a colon between the condition and the text",
            base,
            "write `{if trust >= 5: She smiles.}`",
        )
    cond_src = body[:colon]
    try:  # columns in the condition count from the start of the whole text
        cond = parse_expression(cond_src, base + lead + 2)
    except ExprError as exc:
        raise TextError(f"in the condition: {exc.message}", exc.column - 1, exc.hint) from None
    rest = body[colon + 1 :]
    text_part = rest.lstrip(" ")
    offset = base + lead + 2 + colon + 1 + (len(rest) - len(text_part))
    return ("if", cond, parse_text(text_part, False, offset), [])


def _condition_end(body: str) -> int:
    quote = ""
    for i, ch in enumerate(body):
        if quote:
            if ch == quote:
                quote = ""
        elif ch in "\"'":
            quote = ch
        elif ch == ":":
            return i
    return -1


def segment_refs(segments: list[Segment]) -> list[tuple[str, Any, int]]:
    """Variables and conditions used by the segments: ("var", name, offset) / ("cond", ast, 0).

    Offsets are 0-based in the text; the columns inside a condition are 1-based in the text.
    """
    found: list[tuple[str, Any, int]] = []
    for seg in segments:
        if seg[0] == "var":
            found.append(("var", seg[1], seg[2]))
        elif seg[0] == "if":
            found.append(("cond", seg[1], 0))
            found.extend(segment_refs(seg[2]))
            found.extend(segment_refs(seg[3]))
    return found


def format_value(value: Value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:.2f}".rstrip("0").rstrip(".")
    return sanitize(str(value))


CompiledText = Callable[[Env], str]


_set = object.__setattr__


class Template(FrozenRecord):
    """A compiled passage: call :meth:`render` with the game's Env."""

    __slots__ = ("segments", "static")

    segments: tuple[Segment, ...]
    static: str | None

    def __init__(self, segments: tuple[Segment, ...], static: str | None) -> None:
        _set(self, "segments", segments)
        _set(self, "static", static)

    def render(self, env: Env) -> str:
        if self.static is not None:
            return self.static
        return _render(self.segments, env)


def _render(segments: tuple[Segment, ...] | list[Segment], env: Env) -> str:
    out: list[str] = []
    for seg in segments:
        tag = seg[0]
        if tag == "lit":
            out.append(seg[1])
        elif tag == "var":
            out.append(format_value(env.vars[seg[1]]))
        else:
            out.append(_render(seg[2] if seg[4](env) else seg[3], env))
    return "".join(out)


def compile_template(segments: list[Segment], compile_cond: Callable[[Ast], Any]) -> Template:
    """Attach compiled conditions to ``if`` segments (as a fifth element)."""
    for seg in segments:
        if seg[0] != "lit":
            break
    else:  # most passages never vary: render them once, now
        return Template(tuple(segments), "".join([seg[1] for seg in segments]))

    def attach(segs: list[Segment]) -> list[Segment]:
        out: list[Segment] = []
        for seg in segs:
            if seg[0] == "if":
                out.append(("if", seg[1], attach(seg[2]), attach(seg[3]), compile_cond(seg[1])))
            else:
                out.append(seg)
        return out

    compiled = attach(segments)
    if all(seg[0] == "lit" for seg in compiled):
        return Template(tuple(compiled), "".join(seg[1] for seg in compiled))
    return Template(tuple(compiled), None)


def paragraphs(text: str) -> list[str]:
    """Split rendered prose into paragraphs at blank lines, folding single newlines.

    This runs for every passage shown, so the regular expressions only run when a cheap test
    says they may have something to do.
    """
    out: list[str] = []
    for block in _BLANK_LINE.split(text.strip()):
        lines = block.splitlines()
        if len(lines) == 1:
            joined = lines[0].strip()
        else:
            joined = " ".join([line for line in [part.strip() for part in lines] if line])
        if "  " in joined:
            joined = _SPACES.sub(" ", joined)
        if _MAYBE_SPACE_PUNCT.search(joined) is not None:
            joined = _SPACE_PUNCT.sub("", joined)
        if joined:
            out.append(joined)
    return out


_BLANK_LINE = re.compile(r"\n\s*\n")
_SPACES = re.compile(r"(?<=\S) {2,}(?=\S)")
# A conditional that renders empty can leave "nods ." behind: drop the space before the mark.
_SPACE_PUNCT = re.compile(r"(?<=\w) +(?=[.,;:!?](?:\s|$))")
_MAYBE_SPACE_PUNCT = re.compile(r" [.,;:!?]")
_STYLE = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*|\*(?=\S)(.+?)(?<=\S)\*")


def spans(paragraph: str) -> list[tuple[str, str]]:
    """Split a paragraph into (text, style) runs; style is "", "em" or "strong"."""
    runs: list[tuple[str, str]] = []
    pos = 0
    for match in _STYLE.finditer(paragraph):
        if match.start() > pos:
            runs.append((paragraph[pos : match.start()], ""))
        if match.group(1) is not None:
            runs.append((match.group(1), "strong"))
        else:
            runs.append((match.group(2), "em"))
        pos = match.end()
    if pos < len(paragraph):
        runs.append((paragraph[pos:], ""))
    return runs


def plain(paragraph: str) -> str:
    """The paragraph with style markers removed, for plain mode and transcripts."""
    return "".join(text for text, _ in spans(paragraph))
