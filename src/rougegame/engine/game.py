"""A game in progress: state, available choices, choosing, undo, endings and history.

:class:`Game` is the API the UI and the author tools use. It never imports Textual. The same
story and the same choices always give the same state (play time aside).

A game begins at the story's start (``Game(story)``), in a saved state (``Game(story, state)``,
or :meth:`Game.restore` on a game that exists), or at any node with chosen starting values
(:meth:`Game.at`, which the playtests use to try one scene on its own).
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from rougegame.engine.machine import StoryMachine
from rougegame.records import FrozenRecord, Record, field_names
from rougegame.story.expressions import MAX_NUMBER, MAX_STRING, ExprRuntimeError, Value
from rougegame.story.model import Choice, Effect, Node, Story, Variable
from rougegame.story.problems import StoryError, did_you_mean
from rougegame.story.text import format_value, paragraphs

UNDO_LIMIT = 100
FALLBACK_LIMIT = 1000

# A record's __slots__ name its fields in their order (see rougegame.records), not sorted.
# ruff: noqa: RUF023

_set = object.__setattr__


class StoryRuntimeError(Exception):
    """A story problem found while playing (e.g. division by zero); names the node."""

    def __init__(self, node: str, message: str) -> None:
        super().__init__(f"[{node}] {message}")
        self.node = node
        self.message = message


class ChoiceUnavailable(Exception):
    """The player asked for a choice that is not on offer."""


class GameState(Record):
    """Everything that changes during play; saved and restored as a whole."""

    __slots__ = (
        "node",
        "vars",
        "visits",
        "once",
        "unlocked",
        "turns",
        "play_time",
        "path",
        "location",
    )

    node: str
    vars: dict[str, Value]
    visits: dict[str, int]
    once: set[str]
    unlocked: dict[str, int]
    turns: int
    play_time: float
    path: list[tuple[str, int]]
    location: str | None

    def __init__(
        self,
        node: str,
        vars: dict[str, Value],
        visits: dict[str, int] | None = None,
        once: set[str] | None = None,
        unlocked: dict[str, int] | None = None,
        turns: int = 0,
        play_time: float = 0.0,
        path: list[tuple[str, int]] | None = None,
        location: str | None = None,
    ) -> None:
        self.node = node
        self.vars = vars
        self.visits = {} if visits is None else visits
        self.once = set() if once is None else once
        self.unlocked = {} if unlocked is None else unlocked
        self.turns = turns
        self.play_time = play_time
        self.path = [] if path is None else path
        self.location = location

    def copy(self) -> GameState:
        return GameState(
            self.node,
            dict(self.vars),
            dict(self.visits),
            set(self.once),
            dict(self.unlocked),
            self.turns,
            self.play_time,
            list(self.path),
            self.location,
        )

    def same_as(self, other: GameState) -> bool:
        """Equal in everything but play time."""
        if other.__class__ is not self.__class__:
            return False
        names = _BUT_PLAY_TIME
        return [getattr(self, n) for n in names] == [getattr(other, n) for n in names]


_BUT_PLAY_TIME = tuple(name for name in field_names(GameState) if name != "play_time")


class _Journal(Record):
    """What one choice changed, so that it can be undone exactly (and cheaply)."""

    __slots__ = (
        "node",
        "vars",
        "visits",
        "once",
        "unlocked",
        "turns",
        "location",
        "path_len",
        "log_len",
    )

    node: str
    vars: dict[str, Value]
    visits: dict[str, int | None]
    once: list[str]
    unlocked: list[str]
    turns: int
    location: str | None
    path_len: int
    log_len: int

    def __init__(
        self,
        node: str,
        vars: dict[str, Value],
        visits: dict[str, int | None],
        once: list[str],
        unlocked: list[str],
        turns: int,
        location: str | None,
        path_len: int,
        log_len: int,
    ) -> None:
        self.node = node
        self.vars = vars
        self.visits = visits
        self.once = once
        self.unlocked = unlocked
        self.turns = turns
        self.location = location
        self.path_len = path_len
        self.log_len = log_len


class ChoiceView(FrozenRecord):
    """A choice as the player sees it: its number, its text, and why it is shut if it is."""

    __slots__ = ("index", "number", "text", "enabled", "reason", "kind")

    index: int  # the choice's position in its node (stable; what `choose` takes)
    number: int  # 1-based position among the visible choices (what the player presses)
    text: str
    enabled: bool
    reason: str | None
    kind: str

    def __init__(
        self, index: int, number: int, text: str, enabled: bool, reason: str | None, kind: str
    ) -> None:
        _set(self, "index", index)
        _set(self, "number", number)
        _set(self, "text", text)
        _set(self, "enabled", enabled)
        _set(self, "reason", reason)
        _set(self, "kind", kind)


class EndingView(FrozenRecord):
    """The ending a passage reaches: its id, its title and its epilogue in paragraphs."""

    __slots__ = ("id", "title", "epilogue")

    id: str
    title: str
    epilogue: list[str]

    def __init__(self, id: str, title: str, epilogue: list[str]) -> None:
        _set(self, "id", id)
        _set(self, "title", title)
        _set(self, "epilogue", epilogue)


class Passage(FrozenRecord):
    """What the player reads at a node: its prose, who speaks, where, and any ending."""

    __slots__ = (
        "node_id",
        "title",
        "chapter_id",
        "chapter_title",
        "speaker",
        "location",
        "paragraphs",
        "ending",
    )

    node_id: str
    title: str
    chapter_id: str
    chapter_title: str
    speaker: str | None
    location: str | None
    paragraphs: list[str]
    ending: EndingView | None

    def __init__(
        self,
        node_id: str,
        title: str,
        chapter_id: str,
        chapter_title: str,
        speaker: str | None,
        location: str | None,
        paragraphs: list[str],
        ending: EndingView | None,
    ) -> None:
        _set(self, "node_id", node_id)
        _set(self, "title", title)
        _set(self, "chapter_id", chapter_id)
        _set(self, "chapter_title", chapter_title)
        _set(self, "speaker", speaker)
        _set(self, "location", location)
        _set(self, "paragraphs", paragraphs)
        _set(self, "ending", ending)


class LogEntry(FrozenRecord):
    """One line of the playthrough's history: a passage shown or a choice taken."""

    __slots__ = ("kind", "node_id", "text", "title")

    kind: str  # "passage" or "choice"
    node_id: str
    text: str
    title: str

    def __init__(self, kind: str, node_id: str, text: str, title: str = "") -> None:
        _set(self, "kind", kind)
        _set(self, "node_id", node_id)
        _set(self, "text", text)
        _set(self, "title", title)


# Passages, choice views and log entries are made several times a step. Their frozen record
# __init__ sets each field through object.__setattr__; setting the slots through their
# descriptors makes the very same objects in half the time.
_new = object.__new__


def _slot_setters(cls: type, names: tuple[str, ...]) -> tuple[Callable[[Any, Any], None], ...]:
    assert field_names(cls) == names, f"{cls.__name__} has other fields"
    return tuple(cls.__dict__[name].__set__ for name in names)


_PASSAGE = _slot_setters(
    Passage,
    (
        "node_id",
        "title",
        "chapter_id",
        "chapter_title",
        "speaker",
        "location",
        "paragraphs",
        "ending",
    ),
)
_VIEW = _slot_setters(ChoiceView, ("index", "number", "text", "enabled", "reason", "kind"))
_LOG = _slot_setters(LogEntry, ("kind", "node_id", "text", "title"))


def _passage(
    node_id: str,
    title: str,
    chapter_id: str,
    chapter_title: str,
    speaker: str | None,
    location: str | None,
    paragraphs: list[str],
    ending: EndingView | None,
) -> Passage:
    passage: Passage = _new(Passage)
    s = _PASSAGE
    s[0](passage, node_id)
    s[1](passage, title)
    s[2](passage, chapter_id)
    s[3](passage, chapter_title)
    s[4](passage, speaker)
    s[5](passage, location)
    s[6](passage, paragraphs)
    s[7](passage, ending)
    return passage


def _view(
    index: int, number: int, text: str, enabled: bool, reason: str | None, kind: str
) -> ChoiceView:
    view: ChoiceView = _new(ChoiceView)
    s = _VIEW
    s[0](view, index)
    s[1](view, number)
    s[2](view, text)
    s[3](view, enabled)
    s[4](view, reason)
    s[5](view, kind)
    return view


def _log_entry(kind: str, node_id: str, text: str, title: str = "") -> LogEntry:
    entry: LogEntry = _new(LogEntry)
    s = _LOG
    s[0](entry, kind)
    s[1](entry, node_id)
    s[2](entry, text)
    s[3](entry, title)
    return entry


class Game:
    """A playthrough of one story."""

    def __init__(
        self,
        story: Story,
        state: GameState | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
        log: Iterable[LogEntry] | None = None,
    ) -> None:
        self.story = story
        self.clock = clock
        self._session_start = clock()
        self.undo_stack: deque[_Journal] = deque(maxlen=UNDO_LIMIT)
        self._journal: _Journal | None = None
        self.machine = StoryMachine(story, self._guard, self._apply_choice, self._enter)
        self.log: list[LogEntry] = list(log) if log is not None else []
        if state is None:
            self.state = self.initial_state(story)
            self.machine.place(story.start)
            self._enter(story.start)
            self._follow_fallbacks()
        else:
            self.state = state
            self.machine.place(state.node)
            if not self.log:
                self._log_passage(state.node)

    # -- construction ---------------------------------------------------------------------
    @staticmethod
    def initial_state(story: Story) -> GameState:
        return GameState(story.start, {n: v.initial for n, v in story.variables.items()})

    @classmethod
    def at(
        cls,
        story: Story,
        node_id: str,
        *,
        vars: Mapping[str, Value] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> Game:
        """A new game that begins at ``node_id`` instead of the story's start.

        The variables start at the story's initial values, with ``vars`` put over them. Then the
        node is entered exactly as play enters a node: its effects run, its visit is counted, its
        location becomes the current one, its passage goes into :attr:`log`, and when it offers
        nothing but fallback choices they are followed as after any choice (so ``state.node``
        may be a node after ``node_id``; the fallbacks and the passages they lead to are in the
        log too). No choice has been taken yet: ``state.turns`` is 0, ``state.path`` is empty
        and there is nothing to undo. ``Game.at(story, story.start)`` is the same game as
        ``Game(story)``; from any other node, ``state.path`` holds only the choices taken from
        there, so :meth:`replay` (which begins at the story's start) cannot rebuild the game.

        Raises ValueError, naming the node or the variable, when the story has no node
        ``node_id``, has no variable of a name in ``vars``, or a value does not fit its
        variable: a value of another type than the variable's initial value (true/false,
        number or text), a number outside the variable's ``min``/``max``, or a value beyond the
        limits of the story language (±10¹⁵, 10,000 characters). Raises
        :class:`StoryRuntimeError` when entering the node fails.
        """
        if node_id not in story.nodes:
            hint = did_you_mean(node_id, story.nodes)
            raise ValueError(f"the story has no node `{node_id}`" + (f"; {hint}" if hint else ""))
        state = cls.initial_state(story)
        state.node = node_id
        for name, value in (vars or {}).items():
            var = story.variables.get(name)
            if var is None:
                hint = did_you_mean(name, story.variables)
                raise ValueError(
                    f"the story has no variable `{name}`" + (f"; {hint}" if hint else "")
                )
            state.vars[name] = _start_value(var, value)
        # Made as a game loaded in `state` is (its log of the passage as it stood is dropped),
        # then the node is entered as play enters it.
        game = cls(story, state, clock=clock)
        game.log.clear()
        game._enter(node_id)
        game._follow_fallbacks()
        return game

    def restore(self, state: GameState, *, log: Iterable[LogEntry] = ()) -> None:
        """Put this game in ``state``, as it stands, as loading a save does.

        The node is not entered again: no effects run and no visit is counted. The game takes
        ``state`` itself, not a copy (copy it first to keep it). The undo history is emptied,
        the log becomes ``log`` (empty by default: unlike ``Game(story, state)``, no passage is
        added) and the play clock runs on from ``state.play_time``.
        """
        self.state = state
        self.machine.place(state.node)
        self.undo_stack.clear()
        self.log.clear()
        self.log.extend(log)
        self._session_start = self.clock()

    # -- the Env protocol seen by expressions ----------------------------------------------
    @property
    def vars(self) -> dict[str, Value]:
        return self.state.vars

    @property
    def visits(self) -> dict[str, int]:
        return self.state.visits

    @property
    def unlocked(self) -> dict[str, int]:
        return self.state.unlocked

    # -- reading --------------------------------------------------------------------------
    @property
    def node(self) -> Node:
        return self.story.nodes[self.state.node]

    @property
    def play_time(self) -> float:
        return self.state.play_time + (self.clock() - self._session_start)

    def commit_time(self) -> None:
        """Fold the running clock into the state (before saving)."""
        now = self.clock()
        self.state.play_time += now - self._session_start
        self._session_start = now

    def _eval(self, node: str, func: Callable[[Any], Value]) -> Value:
        try:
            return func(self)
        except (ExprRuntimeError, KeyError) as exc:
            raise _runtime_error(node, exc) from None

    def render(self, node: Node) -> str:
        if node.template is None:
            if node.static_paragraphs is not None:
                return "\n\n".join(node.static_paragraphs)
            return node.text
        return str(self._eval(node.id, node.template.render))

    def paragraphs(self, node: Node) -> list[str]:
        """The node's prose, rendered and split into paragraphs (cached when it never varies)."""
        template = node.template
        if template is not None and template.static is None:
            return paragraphs(self.render(node))
        if node.static_paragraphs is None:
            node.static_paragraphs = paragraphs(
                node.text if template is None else template.static or ""
            )
        return node.static_paragraphs

    def passage(self) -> Passage:
        node = self.node
        chapter = self.story.chapters[node.chapter]
        ending = None
        if node.ending is not None:
            e = node.ending
            text = e.epilogue if e.template is None else str(self._eval(node.id, e.template.render))
            ending = EndingView(e.id, e.title, paragraphs(text))
        return _passage(
            node.id,
            node.title,
            chapter.id,
            chapter.title,
            node.speaker,
            self.state.location,
            self.paragraphs(node),
            ending,
        )

    def is_available(self, choice: Choice) -> bool:
        if choice.kind == "once" and f"{self.state.node}#{choice.index}" in self.state.once:
            return False
        check = choice.check
        if check is None:
            return True
        try:  # `_eval`, inlined: this runs for every choice on every step
            return bool(check(self))
        except (ExprRuntimeError, KeyError) as exc:
            raise _runtime_error(self.state.node, exc) from None

    def choice_text(self, choice: Choice) -> str:
        template = choice.template
        if template is None:
            return choice.text
        if template.static is not None:
            return template.static
        return str(self._eval(self.state.node, template.render))

    def choices(self) -> list[ChoiceView]:
        """The choices the player sees: available ones, and disabled ones that have a reason."""
        views: list[ChoiceView] = []
        node = self.node
        for choice in node.choices:
            if choice.kind == "fallback":
                continue
            if choice.kind == "once" and f"{node.id}#{choice.index}" in self.state.once:
                continue
            ok = self.is_available(choice)
            if ok or choice.reason:
                views.append(
                    _view(
                        choice.index,
                        len(views) + 1,
                        self.choice_text(choice),
                        ok,
                        None if ok else choice.reason,
                        choice.kind,
                    )
                )
        return views

    def available(self) -> list[Choice]:
        return [c for c in self.node.choices if c.kind != "fallback" and self.is_available(c)]

    @property
    def is_ending(self) -> bool:
        return self.node.ending is not None

    @property
    def is_stuck(self) -> bool:
        """A softlock: not an ending and nothing to choose."""
        return not self.is_ending and not self.available()

    # -- acting ---------------------------------------------------------------------------
    def choose(self, index: int) -> list[Passage]:
        """Take the choice at ``index`` (its position in the node).

        Returns a list of exactly one :class:`Passage`: that of the node play now stands at,
        i.e. :meth:`passage` after the choice and after any fallback choices it led to. The
        passages of the nodes that fallbacks passed through on the way are not in that list; they
        are in :attr:`log`, which this call extends (from ``len(game.log)`` as it was before the
        call) with a ``"choice"`` entry for the choice, a ``"passage"`` entry for each node
        entered, and a ``"choice"`` entry for each fallback that has a text.

        Raises :class:`ChoiceUnavailable` for a choice not on offer and
        :class:`StoryRuntimeError` when the story itself fails; either way the state is
        unchanged.
        """
        node = self.node
        if not 0 <= index < len(node.choices):
            raise ChoiceUnavailable(f"there is no choice {index} here")
        choice = node.choices[index]
        if choice.kind == "fallback" or not self.is_available(choice):
            raise ChoiceUnavailable(f"choice {index} is not available here")
        journal = self._journal = _Journal(
            node.id,
            dict(self.state.vars),
            {},
            [],
            [],
            self.state.turns,
            self.state.location,
            len(self.state.path),
            len(self.log),
        )
        try:
            self.log.append(_log_entry("choice", node.id, self.choice_text(choice)))
            self.state.path.append((node.id, index))
            self._fire(choice)
            self._follow_fallbacks()
            result = [self.passage()]
        except StoryError as exc:  # a chapter that could no longer be read from disk
            self._rollback(journal)
            raise StoryRuntimeError(node.id, "; ".join(p.brief() for p in exc.problems)) from None
        except Exception:
            self._rollback(journal)
            raise
        finally:
            self._journal = None
        self.state.turns += 1
        self.undo_stack.append(journal)
        return result

    def choose_number(self, number: int) -> list[Passage]:
        """Take the choice the player sees as ``number`` (1-based)."""
        for view in self.choices():
            if view.number == number:
                if not view.enabled:
                    raise ChoiceUnavailable(view.reason or "that choice is not available")
                return self.choose(view.index)
        raise ChoiceUnavailable(f"there is no choice {number}")

    def undo(self) -> bool:
        """Go back to before the last choice. False when there is nothing to undo."""
        if not self.undo_stack:
            return False
        self._rollback(self.undo_stack.pop())
        return True

    def _rollback(self, journal: _Journal) -> None:
        """Put the state back exactly as it was when ``journal`` was opened."""
        state = self.state
        state.node = journal.node
        state.vars = journal.vars
        for node_id, count in journal.visits.items():
            if count is None:
                state.visits.pop(node_id, None)
            else:
                state.visits[node_id] = count
        for key in journal.once:
            state.once.discard(key)
        for codex_id in journal.unlocked:
            state.unlocked.pop(codex_id, None)
        state.turns = journal.turns
        state.location = journal.location
        del state.path[journal.path_len :]
        del self.log[journal.log_len :]
        self.machine.place(journal.node)

    @property
    def can_undo(self) -> bool:
        return bool(self.undo_stack)

    # -- machine callbacks ----------------------------------------------------------------
    def _fire(self, choice: Choice) -> None:
        if choice.kind == "once":
            key = f"{self.state.node}#{choice.index}"
            if key not in self.state.once:
                self.state.once.add(key)
                if self._journal is not None:
                    self._journal.once.append(key)
        if not self.machine.fire(choice):
            raise ChoiceUnavailable("the choice's condition no longer holds")

    def _guard(self, choice: Choice) -> bool:
        if choice.check is None:
            return True
        return bool(self._eval(self.machine.current, choice.check))

    def _apply_choice(self, choice: Choice) -> None:
        self._apply(choice.effects, self.machine.current)

    def _enter(self, node_id: str) -> None:
        state = self.state
        state.node = node_id
        count = state.visits.get(node_id)
        if self._journal is not None and node_id not in self._journal.visits:
            self._journal.visits[node_id] = count
        state.visits[node_id] = (count or 0) + 1
        node = self.story.nodes[node_id]
        if node.location is not None:
            state.location = node.location
        if node.effects:
            self._apply(node.effects, node_id)
        self._log_passage(node_id, node)

    def _log_passage(self, node_id: str, node: Node | None = None) -> None:
        if node is None:
            node = self.story.nodes[node_id]
        try:
            text = "\n\n".join(self.paragraphs(node))
        except StoryRuntimeError:
            text = node.text
        self.log.append(_log_entry("passage", node_id, text, node.title))

    def _apply(self, effects: list[Effect], node_id: str) -> None:
        state = self.state
        for eff in effects:
            if eff.op == "unlock":
                if eff.target not in state.unlocked:
                    state.unlocked[eff.target] = state.turns
                    if self._journal is not None:
                        self._journal.unlocked.append(eff.target)
                continue
            if eff.compiled is None:
                continue
            value = self._eval(node_id, eff.compiled)
            var = self.story.variables[eff.target]
            old = state.vars[eff.target]
            if eff.op == "add":
                new: Value = (
                    old + value
                    if isinstance(old, str) and isinstance(value, str)
                    else _num(old, node_id, eff) + _num(value, node_id, eff)
                )
            elif eff.op == "sub":
                new = _num(old, node_id, eff) - _num(value, node_id, eff)
            else:
                new = value
            if isinstance(var.initial, bool) != isinstance(new, bool) or isinstance(
                var.initial, str
            ) != isinstance(new, str):
                raise StoryRuntimeError(
                    node_id,
                    f"`{eff.source}` would give `{eff.target}` the value "
                    f"{format_value(new)!r} of another type",
                )
            if isinstance(new, str) and len(new) > 10_000:
                raise StoryRuntimeError(
                    node_id, f"`{eff.target}` would grow over 10,000 characters"
                )
            if isinstance(new, (int, float)) and not isinstance(new, bool) and abs(new) > 1e15:
                raise StoryRuntimeError(node_id, f"`{eff.target}` would go out of range")
            state.vars[eff.target] = var.clamp(new)

    def _follow_fallbacks(self) -> list[str]:
        entered: list[str] = []
        for _ in range(FALLBACK_LIMIT):
            node = self.node
            # Every condition of the node's choices is evaluated here, even when it has no
            # fallback: a condition that fails makes the choice that led here fail, and the
            # player stays where the story still works.
            if node.ending is not None or self.available():
                return entered
            fallback = next(
                (c for c in node.choices if c.kind == "fallback" and self.is_available(c)), None
            )
            if fallback is None:
                return entered
            if fallback.text:
                self.log.append(_log_entry("choice", node.id, self.choice_text(fallback)))
            self._fire(fallback)
            entered.append(self.state.node)
        raise StoryRuntimeError(
            self.state.node,
            f"more than {FALLBACK_LIMIT} fallbacks in a row (a loop of fallback choices?)",
        )

    # -- replay ---------------------------------------------------------------------------
    @classmethod
    def replay(cls, story: Story, path: Iterable[tuple[str, int]], **kwargs: Any) -> Game:
        """A new game with the given (node, choice index) path taken in order."""
        game = cls(story, **kwargs)
        for node_id, index in path:
            if game.state.node != node_id:
                raise ChoiceUnavailable(f"replay expected node {node_id}, found {game.state.node}")
            game.choose(index)
        return game

    def unlocked_since(self, turn: int) -> list[str]:
        return [cid for cid, t in self.state.unlocked.items() if t >= turn]

    def dossier(self) -> list[tuple[str, str, str]]:
        """(card id, name, status) for every dossier card."""
        out = []
        for card in self.story.dossier:
            value = self.state.vars.get(card.variable, "unknown")
            out.append((card.id, card.name, str(value)))
        return out


def _start_value(var: Variable, value: object) -> Value:
    """``value`` as a starting value for ``var`` (see :meth:`Game.at`), or ValueError."""
    expected, got = _kind(var.initial), _kind(value)
    if got != expected:
        raise ValueError(
            f"`{var.name}` is {expected}, not {value!r}" + (f" ({got})" if got else "")
        )
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        if len(value) > MAX_STRING:
            raise ValueError(f"`{var.name}` would be over {MAX_STRING:,} characters")
        return value
    if not isinstance(value, (int, float)):  # _kind knows no other kind
        raise ValueError(f"`{var.name}` cannot be {value!r}")
    if not -MAX_NUMBER <= value <= MAX_NUMBER:  # also NaN
        raise ValueError(f"`{var.name}` is {value!r}, outside ±10¹⁵")
    low, high = var.minimum, var.maximum
    if low is not None and high is not None and not low <= value <= high:
        bounds = f"between {_number(low)} and {_number(high)}"
    elif low is not None and value < low:
        bounds = f"at least {_number(low)}"
    elif high is not None and value > high:
        bounds = f"at most {_number(high)}"
    else:
        return value
    raise ValueError(f"`{var.name}` must be {bounds}, not {_number(value)}")


def _number(value: float) -> str:
    return str(int(value)) if value == int(value) else repr(value)


def _kind(value: object) -> str | None:
    """How a value is described to an author: the three kinds of story values, or None."""
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "text"
    return None


def _runtime_error(node: str, exc: Exception) -> StoryRuntimeError:
    if isinstance(exc, KeyError):
        return StoryRuntimeError(node, f"unknown variable {exc}")
    return StoryRuntimeError(node, str(exc))


def _num(value: Value, node: str, eff: Effect) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise StoryRuntimeError(node, f"`{eff.source}` needs numbers")
    return value
