"""The story model: plain record classes for a loaded story.

Loading happens in two steps (see ``loader``): each file is parsed and checked on its own into
these records with expression ASTs and text segments (which can be cached), then the whole
story is linked: references resolved across chapters and conditions compiled into closures
(the ``compiled``/``template`` fields, filled in by the linker). A story's nodes live in a
:class:`NodeTable`, which makes each chapter's nodes ready the first time one of them is needed.

The classes that are cached pickle as their constructor arguments, which is several times
faster to write and read than the generic state of an object with slots.
"""

from __future__ import annotations

import copyreg
import operator
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any, TypeVar

from rougegame.records import Record, field_names
from rougegame.story.expressions import Ast, Env, Value
from rougegame.story.problems import Location, Problem
from rougegame.story.text import Segment, Template

# A record's __slots__ name its fields in their order (see rougegame.records), not sorted.
# ruff: noqa: RUF023

_T = TypeVar("_T")


def pickles_as_arguments(cls: type[_T]) -> type[_T]:
    """Make a record class pickle as ``cls(*fields)`` instead of through its generic state."""
    names = field_names(cls)
    if len(names) < 2:  # attrgetter of one name gives the value, not a tuple of it
        raise TypeError(f"{cls.__name__} needs two fields or more to pickle as its arguments")
    get = operator.attrgetter(*names)

    def reduce(self: Any) -> tuple[type[_T], tuple[Any, ...]]:
        return cls, get(self)

    setattr(cls, "__reduce__", reduce)  # noqa: B010 - a dunder set on a class
    return cls


# Every value read from a story file gets a Location, and reading a cached chapter back makes a
# thousand of them. They are frozen records, whose __init__ sets each field through
# object.__setattr__; setting the slots through their descriptors makes the same objects in half
# the time.
_new = object.__new__
_set_file, _set_line, _set_column = (
    Location.__dict__[name].__set__ for name in ("file", "line", "column")
)
assert field_names(Location) == ("file", "line", "column")


def location(file: str, line: int, column: int) -> Location:
    """The same as ``Location(file, line, column)``, made faster."""
    loc: Location = _new(Location)
    _set_file(loc, file)
    _set_line(loc, line)
    _set_column(loc, column)
    return loc


def _reduce_location(loc: Location) -> tuple[Callable[..., Location], tuple[str, int, int]]:
    return location, (loc.file, loc.line, loc.column)


copyreg.pickle(Location, _reduce_location)

# The places of a node, a choice, an ending or an effect, packed as ``(file, line, column, line,
# column, ...)`` with a line of -1 for a place that is absent. A chapter's nodes hold a thousand
# places; packed, they unpickle as plain numbers, and a Location is made only when a tool or a
# message asks for one (play never does).
Spots = tuple[Any, ...]


def spots(*places: Location | None) -> Spots:
    """Pack places in one file (see :data:`Spots`)."""
    file = next((p.file for p in places if p is not None), "")
    packed: list[Any] = [file]
    for place in places:
        if place is None:
            packed += (-1, 0)
        else:
            if place.file != file:
                raise ValueError(f"{place} is not in {file}")
            packed += (place.line, place.column)
    return tuple(packed)


def place(packed: Spots, index: int) -> Location:
    """The ``index``-th place packed in ``packed``, which must be there."""
    found = optional_place(packed, index)
    if found is None:
        raise LookupError(f"no place {index} in {packed!r}")
    return found


def optional_place(packed: Spots, index: int) -> Location | None:
    line = packed[1 + 2 * index]
    if line < 0:
        return None
    return location(packed[0], line, packed[2 + 2 * index])


CHOICE_KINDS = ("sticky", "once", "fallback")
CODEX_SECTIONS = ("characters", "places", "lore")
DOSSIER_STATUSES = ("unknown", "located", "eliminated", "spared")


@pickles_as_arguments
class Variable(Record):
    """A story variable: its starting value, optional bounds, and the label the interface shows."""

    __slots__ = ("name", "initial", "minimum", "maximum", "label", "loc")

    name: str
    initial: Value
    minimum: float | None
    maximum: float | None
    label: str
    loc: Location | None

    def __init__(
        self,
        name: str,
        initial: Value,
        minimum: float | None = None,
        maximum: float | None = None,
        label: str = "",
        loc: Location | None = None,
    ) -> None:
        self.name = name
        self.initial = initial
        self.minimum = minimum
        self.maximum = maximum
        self.label = label
        self.loc = loc

    def clamp(self, value: Value) -> Value:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return value
        if self.minimum is not None and value < self.minimum:
            value = type(value)(self.minimum)
        if self.maximum is not None and value > self.maximum:
            value = type(value)(self.maximum)
        return value


@pickles_as_arguments
class CodexEntry(Record):
    """An entry of the codex, unlocked by an effect."""

    __slots__ = ("id", "section", "title", "text", "loc")

    id: str
    section: str
    title: str
    text: str
    loc: Location | None

    def __init__(
        self, id: str, section: str, title: str, text: str, loc: Location | None = None
    ) -> None:
        self.id = id
        self.section = section
        self.title = title
        self.text = text
        self.loc = loc


@pickles_as_arguments
class DossierCard(Record):
    """A card of the dossier, whose status is the value of a variable."""

    __slots__ = ("id", "name", "variable", "codex", "loc")

    id: str
    name: str
    variable: str
    codex: str | None
    loc: Location | None

    def __init__(
        self,
        id: str,
        name: str,
        variable: str,
        codex: str | None = None,
        loc: Location | None = None,
    ) -> None:
        self.id = id
        self.name = name
        self.variable = variable
        self.codex = codex
        self.loc = loc


@pickles_as_arguments
class Effect(Record):
    """A change a node or a choice makes: ``set``, ``add``, ``sub`` a variable, or ``unlock``."""

    __slots__ = ("op", "target", "value", "source", "spots", "compiled")

    op: str  # "set", "add", "sub" or "unlock"
    target: str
    value: Ast | None
    source: str
    spots: Spots  # loc
    compiled: Callable[[Env], Value] | None

    def __init__(
        self,
        op: str,
        target: str,
        value: Ast | None,
        source: str,
        spots: Spots,
        compiled: Callable[[Env], Value] | None = None,
    ) -> None:
        self.op = op
        self.target = target
        self.value = value
        self.source = source
        self.spots = spots
        self.compiled = compiled

    @property
    def loc(self) -> Location:
        return place(self.spots, 0)


@pickles_as_arguments
class Choice(Record):
    """A choice of a node: its text, where it leads, its condition and its effects."""

    __slots__ = (
        "index",
        "text",
        "segments",
        "target",
        "condition",
        "condition_source",
        "reason",
        "effects",
        "kind",
        "spots",
        "template",
        "check",
    )

    index: int
    text: str
    segments: list[Segment]
    target: str
    condition: Ast | None
    condition_source: str | None
    reason: str | None
    effects: list[Effect]
    kind: str
    spots: Spots  # loc, target_loc, condition_loc, text_loc
    template: Template | None
    check: Callable[[Env], Value] | None

    def __init__(
        self,
        index: int,
        text: str,
        segments: list[Segment],
        target: str,
        condition: Ast | None,
        condition_source: str | None,
        reason: str | None,
        effects: list[Effect],
        kind: str,
        spots: Spots,
        template: Template | None = None,
        check: Callable[[Env], Value] | None = None,
    ) -> None:
        self.index = index
        self.text = text
        self.segments = segments
        self.target = target
        self.condition = condition
        self.condition_source = condition_source
        self.reason = reason
        self.effects = effects
        self.kind = kind
        self.spots = spots
        self.template = template
        self.check = check

    @property
    def loc(self) -> Location:
        return place(self.spots, 0)

    @property
    def target_loc(self) -> Location:
        return place(self.spots, 1)

    @property
    def condition_loc(self) -> Location | None:
        return optional_place(self.spots, 2)

    @property
    def text_loc(self) -> Location | None:
        return optional_place(self.spots, 3)


@pickles_as_arguments
class Ending(Record):
    """The ending a node is, with its epilogue."""

    __slots__ = ("id", "title", "epilogue", "segments", "spots", "template")

    id: str
    title: str
    epilogue: str
    segments: list[Segment]
    spots: Spots  # loc, epilogue_loc
    template: Template | None

    def __init__(
        self,
        id: str,
        title: str,
        epilogue: str,
        segments: list[Segment],
        spots: Spots,
        template: Template | None = None,
    ) -> None:
        self.id = id
        self.title = title
        self.epilogue = epilogue
        self.segments = segments
        self.spots = spots
        self.template = template

    @property
    def loc(self) -> Location:
        return place(self.spots, 0)

    @property
    def epilogue_loc(self) -> Location | None:
        return optional_place(self.spots, 1)


@pickles_as_arguments
class Node(Record):
    """One passage of the story, with its choices (or its ending)."""

    __slots__ = (
        "id",
        "chapter",
        "name",
        "title",
        "speaker",
        "location",
        "text",
        "segments",
        "effects",
        "choices",
        "ending",
        "spots",
        "words",
        "template",
        "static_paragraphs",
    )

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
    spots: Spots  # loc, text_loc
    words: int
    template: Template | None
    static_paragraphs: list[str] | None

    def __init__(
        self,
        id: str,
        chapter: str,
        name: str,
        title: str,
        speaker: str | None,
        location: str | None,
        text: str,
        segments: list[Segment],
        effects: list[Effect],
        choices: list[Choice],
        ending: Ending | None,
        spots: Spots,
        words: int = 0,
        template: Template | None = None,
        static_paragraphs: list[str] | None = None,
    ) -> None:
        self.id = id
        self.chapter = chapter
        self.name = name
        self.title = title
        self.speaker = speaker
        self.location = location
        self.text = text
        self.segments = segments
        self.effects = effects
        self.choices = choices
        self.ending = ending
        self.spots = spots
        self.words = words
        self.template = template
        self.static_paragraphs = static_paragraphs

    @property
    def loc(self) -> Location:
        return place(self.spots, 0)

    @property
    def text_loc(self) -> Location:
        return place(self.spots, 1)


@pickles_as_arguments
class Chapter(Record):
    """A chapter file: its id, title, node ids in order, and what it declares itself."""

    __slots__ = ("id", "title", "file", "nodes", "loc", "variables", "codex", "problems")

    id: str
    title: str
    file: str
    nodes: list[str]
    loc: Location
    variables: dict[str, Variable]
    codex: dict[str, CodexEntry]
    problems: list[Problem]

    def __init__(
        self,
        id: str,
        title: str,
        file: str,
        nodes: list[str],
        loc: Location,
        variables: dict[str, Variable] | None = None,
        codex: dict[str, CodexEntry] | None = None,
        problems: list[Problem] | None = None,
    ) -> None:
        self.id = id
        self.title = title
        self.file = file
        self.nodes = nodes
        self.loc = loc
        self.variables = {} if variables is None else variables
        self.codex = {} if codex is None else codex
        self.problems = [] if problems is None else problems


@pickles_as_arguments
class Manifest(Record):
    """``story.yaml``: the story's title, start, variables, codex, dossier and gauge."""

    __slots__ = (
        "id",
        "title",
        "version",
        "author",
        "start",
        "start_loc",
        "variables",
        "codex",
        "dossier",
        "gauge",
        "gauge_loc",
        "file",
        "problems",
    )

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
    problems: list[Problem]

    def __init__(
        self,
        id: str,
        title: str,
        version: str,
        author: str,
        start: str,
        start_loc: Location,
        variables: dict[str, Variable],
        codex: dict[str, CodexEntry],
        dossier: list[DossierCard],
        gauge: str | None,
        gauge_loc: Location | None,
        file: str,
        problems: list[Problem] | None = None,
    ) -> None:
        self.id = id
        self.title = title
        self.version = version
        self.author = author
        self.start = start
        self.start_loc = start_loc
        self.variables = variables
        self.codex = codex
        self.dossier = dossier
        self.gauge = gauge
        self.gauge_loc = gauge_loc
        self.file = file
        self.problems = [] if problems is None else problems


class NodeTable(Mapping[str, Node]):
    """A story's nodes by id, in story order, each chapter's made ready when first needed.

    Every id is known from the start (``in``, ``len`` and iteration never load anything); reading
    a node asks ``load`` for its whole chapter once. Making a chapter ready (reading its cached
    nodes, resolving and compiling their conditions and texts) takes about a millisecond, so a
    large story starts without doing it for the chapters nobody visits.
    """

    __slots__ = ("_chapter_of", "_chapters", "_load", "_lock", "_nodes")

    def __init__(
        self,
        chapter_of: dict[str, str],
        load: Callable[[str], Iterable[Node]],
    ) -> None:
        self._chapter_of = chapter_of  # node id -> chapter id, in story order
        self._load = load
        self._chapters: dict[str, list[Node]] = {}  # the chapters made ready, their nodes in order
        self._lock = threading.Lock()
        self._nodes: dict[str, Node] = {}

    def __getitem__(self, node_id: str) -> Node:
        node = self._nodes.get(node_id)
        if node is None:
            self.load_chapter(self._chapter_of[node_id])
            node = self._nodes[node_id]
        return node

    def get(self, node_id: str, default: Any = None) -> Any:
        if node_id in self._chapter_of:
            return self[node_id]
        return default

    def __contains__(self, node_id: object) -> bool:
        return node_id in self._chapter_of

    def __iter__(self) -> Iterator[str]:
        return iter(self._chapter_of)

    def __len__(self) -> int:
        return len(self._chapter_of)

    def __repr__(self) -> str:
        return f"<NodeTable of {len(self)} nodes, {len(self._nodes)} ready>"

    def chapter_of(self, node_id: str) -> str:
        """The chapter a node belongs to, without making the chapter ready."""
        return self._chapter_of[node_id]

    def chapter_map(self) -> dict[str, str]:
        """Every node id and its chapter's id, in story order (the table's own: do not change)."""
        return self._chapter_of

    def is_ready(self, node_id: str) -> bool:
        return node_id in self._nodes

    def in_chapter(self, chapter_id: str) -> list[Node]:
        """One chapter's nodes, in order, made ready if they are not."""
        found = self._chapters.get(chapter_id)
        if found is None:
            self.load_chapter(chapter_id)
            found = self._chapters[chapter_id]
        return found

    def load_chapter(self, chapter_id: str) -> None:
        """Make one chapter's nodes ready (once, even when two threads ask at the same time)."""
        with self._lock:
            if chapter_id in self._chapters:
                return
            ready = []
            for node in self._load(chapter_id):
                ready.append(self._nodes.setdefault(node.id, node))
            self._chapters[chapter_id] = ready


class Story(Record):
    """A loaded, linked story, ready to play."""

    __slots__ = (
        "id",
        "title",
        "version",
        "author",
        "start",
        "variables",
        "codex",
        "dossier",
        "gauge",
        "chapters",
        "nodes",
        "content_hash",
        "root",
        "files",
        "warnings",
        "extra",
        "ending_nodes",
    )

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
    nodes: NodeTable
    content_hash: str
    root: str
    files: list[str]
    warnings: list[Problem]
    extra: dict[str, Any]
    ending_nodes: list[str]  # the nodes that are endings, in order

    def __init__(
        self,
        id: str,
        title: str,
        version: str,
        author: str,
        start: str,
        variables: dict[str, Variable],
        codex: dict[str, CodexEntry],
        dossier: list[DossierCard],
        gauge: str | None,
        chapters: dict[str, Chapter],
        nodes: NodeTable,
        content_hash: str,
        root: str,
        files: list[str],
        warnings: list[Problem] | None = None,
        extra: dict[str, Any] | None = None,
        ending_nodes: list[str] | None = None,
    ) -> None:
        self.id = id
        self.title = title
        self.version = version
        self.author = author
        self.start = start
        self.variables = variables
        self.codex = codex
        self.dossier = dossier
        self.gauge = gauge
        self.chapters = chapters
        self.nodes = nodes
        self.content_hash = content_hash
        self.root = root
        self.files = files
        self.warnings = [] if warnings is None else warnings
        self.extra = {} if extra is None else extra
        self.ending_nodes = [] if ending_nodes is None else ending_nodes

    def chapter_of(self, node_id: str) -> Chapter:
        return self.chapters[self.nodes.chapter_of(node_id)]

    def first_node(self, chapter_id: str) -> str:
        return self.chapters[chapter_id].nodes[0]

    @property
    def endings(self) -> list[Ending]:
        found = [self.nodes[n].ending for n in self.ending_nodes]
        return [e for e in found if e is not None]

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
