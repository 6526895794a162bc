"""The one Problem type: where something is wrong, what, and a hint; and how it prints."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

from rougegame.story.text import sanitize

Severity = Literal["error", "warning"]


@dataclass(frozen=True, slots=True)
class Location:
    """A position in a file, 1-based as editors show it."""

    file: str
    line: int = 0
    column: int = 0

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


@dataclass(frozen=True, slots=True)
class Problem:
    """Something wrong with a story or a save, as a value rather than an exception."""

    message: str
    where: Location | None = None
    node: str | None = None
    hint: str | None = None
    severity: Severity = "error"
    code: str = "invalid"

    def __post_init__(self) -> None:
        # Messages quote story text (an unknown key, a bad value): keep terminal controls out.
        object.__setattr__(self, "message", sanitize(self.message))
        if self.hint is not None:
            object.__setattr__(self, "hint", sanitize(self.hint))

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


@dataclass
class ProblemList:
    """Collects problems while loading so that all are shown together."""

    items: list[Problem] = field(default_factory=list)

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
