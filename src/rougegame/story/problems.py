"""The one Problem type: where something is wrong, what, and a hint; and how it prints."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Literal

from rougegame.records import FrozenRecord, Record
from rougegame.story.text import sanitize

# A record's __slots__ name its fields in their order (see rougegame.records), not sorted.
# ruff: noqa: RUF023

Severity = Literal["error", "warning"]

_set = object.__setattr__


class Location(FrozenRecord):
    """A position in a file, 1-based as editors show it."""

    __slots__ = ("file", "line", "column")

    file: str
    line: int
    column: int

    def __init__(self, file: str, line: int = 0, column: int = 0) -> None:
        _set(self, "file", file)
        _set(self, "line", line)
        _set(self, "column", column)

    def __reduce__(self) -> tuple[type[Location], tuple[str, int, int]]:
        # For pickle and copy (``model`` registers a faster way to rebuild one with copyreg).
        return Location, (self.file, self.line, self.column)

    def __str__(self) -> str:
        if self.line <= 0:
            return self.file
        return f"{self.file}:{self.line}:{self.column}"

    def at_offset(self, text: str, offset: int) -> Location:
        """Where ``text[offset]`` is, when ``text`` is a value that starts here.

        Exact for one-line values and literal (``|``) blocks, whose lines share one
        indentation; close for folded ones.
        """
        if self.line <= 0:
            return self
        line_index = text.count("\n", 0, offset)
        line_start = text.rfind("\n", 0, offset) + 1
        return Location(self.file, self.line + line_index, self.column + offset - line_start)


class Problem(FrozenRecord):
    """Something wrong with a story or a save, as a value rather than an exception."""

    __slots__ = ("message", "where", "node", "hint", "severity", "code")

    message: str
    where: Location | None
    node: str | None
    hint: str | None
    severity: Severity
    code: str

    def __init__(
        self,
        message: str,
        where: Location | None = None,
        node: str | None = None,
        hint: str | None = None,
        severity: Severity = "error",
        code: str = "invalid",
    ) -> None:
        # Messages quote story text (an unknown key, a bad value): keep terminal controls out.
        _set(self, "message", sanitize(message))
        _set(self, "where", where)
        _set(self, "node", node)
        _set(self, "hint", sanitize(hint) if hint is not None else None)
        _set(self, "severity", severity)
        _set(self, "code", code)

    def __reduce__(self) -> tuple[type[Problem], tuple[Any, ...]]:
        # Chapters keep their problems in the cache. (Sanitising again on the way back in
        # changes nothing: a sanitised text has no control characters left.)
        return Problem, self._values()

    def brief(self) -> str:
        """``where: message (hint)`` on one line, for a message to the player."""
        place = f"{self.where}: " if self.where is not None else ""
        return place + self.message + (f" ({self.hint})" if self.hint else "")

    def format(self) -> str:
        place = f"{self.where}: " if self.where is not None else ""
        node = f"[{self.node}] " if self.node else ""
        text = f"{place}{self.severity}: {node}{self.message}"
        if self.hint:
            text += f"\n    hint: {self.hint}"
        return sanitize(text)  # a file name may hold control characters too

    def as_dict(self) -> dict[str, object]:
        return {
            "severity": self.severity,
            "code": self.code,
            "file": self.where.file if self.where else None,
            "line": self.where.line if self.where else None,
            "column": self.where.column if self.where else None,
            "node": self.node,
            "message": self.message,
            "hint": self.hint,
        }


class StoryError(Exception):
    """Raised when a story cannot be loaded; carries every problem found."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = list(problems)
        super().__init__(format_problems(self.problems))


class ProblemList(Record):
    """Collects problems while loading so that all are shown together."""

    __slots__ = ("items",)

    items: list[Problem]

    def __init__(self, items: list[Problem] | None = None) -> None:
        self.items = [] if items is None else items

    def error(
        self,
        message: str,
        where: Location | None = None,
        *,
        node: str | None = None,
        hint: str | None = None,
        code: str = "invalid",
    ) -> None:
        self.items.append(Problem(message, where, node, hint, "error", code))

    def warning(
        self,
        message: str,
        where: Location | None = None,
        *,
        node: str | None = None,
        hint: str | None = None,
        code: str = "warning",
    ) -> None:
        self.items.append(Problem(message, where, node, hint, "warning", code))

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.items if p.severity == "error"]

    def __bool__(self) -> bool:
        return bool(self.errors)


def format_problems(problems: Iterable[Problem]) -> str:
    return "\n".join(p.format() for p in problems)


def did_you_mean(word: str, options: Iterable[str]) -> str | None:
    """A 'did you mean' hint for a misspelt name, or None when nothing is close."""
    import difflib  # only a story with problems needs it; loading a good one should not pay

    pool = list(options)
    close = difflib.get_close_matches(word, pool, n=1, cutoff=0.6)
    if not close:
        tail = word.rsplit(".", 1)[-1]
        close = [o for o in pool if o.rsplit(".", 1)[-1] == tail][:1]
    return f"did you mean `{close[0]}`?" if close else None
