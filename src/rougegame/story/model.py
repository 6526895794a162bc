"""The story model: plain dataclasses for a loaded story.

Loading happens in two steps (see ``loader``): each file is parsed and checked on its own into
these dataclasses with expression ASTs and text segments (which can be cached), then the whole
story is linked: references resolved across chapters and conditions compiled into closures
(the ``compiled``/``template`` fields, filled in by the linker).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from rougegame.story.expressions import Ast, Env, Value
from rougegame.story.problems import Location, Problem
from rougegame.story.text import Segment, Template

CHOICE_KINDS = ("sticky", "once", "fallback")
CODEX_SECTIONS = ("characters", "places", "lore")
DOSSIER_STATUSES = ("unknown", "located", "eliminated", "spared")


@dataclass(slots=True)
class Variable:
    name: str
    initial: Value
    minimum: float | None = None
    maximum: float | None = None
    label: str = ""
    loc: Location | None = None

    def clamp(self, value: Value) -> Value:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return value
        if self.minimum is not None and value < self.minimum:
            value = type(value)(self.minimum)
        if self.maximum is not None and value > self.maximum:
            value = type(value)(self.maximum)
        return value


@dataclass(slots=True)
class CodexEntry:
    id: str
    section: str
    title: str
    text: str
    loc: Location | None = None


@dataclass(slots=True)
class DossierCard:
    id: str
    name: str
    variable: str
    codex: str | None = None
    loc: Location | None = None


@dataclass(slots=True)
class Effect:
    op: str  # "set", "add", "sub" or "unlock"
    target: str
    value: Ast | None
    source: str
    loc: Location
    compiled: Callable[[Env], Value] | None = None


@dataclass(slots=True)
class Choice:
    index: int
    text: str
    segments: list[Segment]
    target: str
    condition: Ast | None
    condition_source: str | None
    reason: str | None
    effects: list[Effect]
    kind: str
    loc: Location
    target_loc: Location
    condition_loc: Location | None = None
    template: Template | None = None
    check: Callable[[Env], Value] | None = None
    text_loc: Location | None = None


@dataclass(slots=True)
class Ending:
    id: str
    title: str
    epilogue: str
    segments: list[Segment]
    loc: Location
    template: Template | None = None
    epilogue_loc: Location | None = None


@dataclass(slots=True)
class Node:
    id: str  # chapter.node
    chapter: str
    name: str
    title: str
    speaker: str | None
    location: str | None
    text: str
    segments: list[Segment]
    effects: list[Effect]
    choices: list[Choice]
    ending: Ending | None
    loc: Location
    text_loc: Location
    words: int = 0
    template: Template | None = None
    static_paragraphs: list[str] | None = None


@dataclass(slots=True)
class Chapter:
    id: str
    title: str
    file: str
    nodes: list[str]
    loc: Location
    variables: dict[str, Variable] = field(default_factory=dict)
    codex: dict[str, CodexEntry] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)


@dataclass(slots=True)
class Manifest:
    id: str
    title: str
    version: str
    author: str
    start: str
    start_loc: Location
    variables: dict[str, Variable]
    codex: dict[str, CodexEntry]
    dossier: list[DossierCard]
    gauge: str | None
    gauge_loc: Location | None
    file: str
    problems: list[Problem] = field(default_factory=list)


@dataclass
class Story:
    id: str
    title: str
    version: str
    author: str
    start: str
    variables: dict[str, Variable]
    codex: dict[str, CodexEntry]
    dossier: list[DossierCard]
    gauge: str | None
    chapters: dict[str, Chapter]
    nodes: dict[str, Node]
    content_hash: str
    root: str
    files: list[str]
    warnings: list[Problem] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    def chapter_of(self, node_id: str) -> Chapter:
        return self.chapters[self.nodes[node_id].chapter]

    def first_node(self, chapter_id: str) -> str:
        return self.chapters[chapter_id].nodes[0]

    @property
    def endings(self) -> list[Ending]:
        return [n.ending for n in self.nodes.values() if n.ending is not None]

    def stats(self) -> dict[str, int]:
        return {
            "chapters": len(self.chapters),
            "nodes": len(self.nodes),
            "choices": sum(len(n.choices) for n in self.nodes.values()),
            "words": sum(n.words for n in self.nodes.values()),
            "endings": len(self.endings),
            "variables": len(self.variables),
            "codex": len(self.codex),
        }
