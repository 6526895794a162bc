"""The playtest driver: one Game moved between saved states, and what it finds on the way.

Strategies (:mod:`rougegame.tools.search`) never replay from the start to reach a state: the
:class:`Driver` makes its one game at the start node (:meth:`Game.at`) and then puts it in a copy of
a saved :class:`GameState` (:meth:`Game.restore`), so each step costs one choice. It also computes
the key under which the exhaustive search treats two states as the same: the node, every variable,
the once-only choices taken, the codex entries unlocked, and the visit counts that some expression
reads with ``visits()`` or ``visited()``, capped where the expression cannot tell larger counts
apart (``visits(hub) >= 3`` cannot tell 4 from 40). Visit counts nothing reads do not split states,
so a hub the player keeps coming back to does not make the search endless.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Iterator, Mapping

from rougegame.engine.game import ChoiceUnavailable, Game, GameState, StoryRuntimeError
from rougegame.story.expressions import Ast, Value
from rougegame.story.model import Choice, Story
from rougegame.story.problems import Location
from rougegame.story.text import plain
from rougegame.tools.lint import _expressions
from rougegame.tools.report import ChoiceId, Finding, Report, Step

MAX_FINDINGS = 50


class StartError(ValueError):
    """A ``--from`` node or ``--set`` value that does not fit the story."""


def parse_value(story: Story, name: str, text: str) -> Value:
    """Turn ``--set name=text`` into a value of the variable's type, or raise StartError."""
    from rougegame.story.problems import did_you_mean

    var = story.variables.get(name)
    if var is None:
        hint = did_you_mean(name, story.variables)
        raise StartError(f"no variable `{name}`" + (f"; {hint}" if hint else ""))
    initial = var.initial
    value: Value
    if isinstance(initial, bool):
        if text.lower() not in ("true", "false"):
            raise StartError(f"`{name}` is true or false, not {text!r}")
        value = text.lower() == "true"
    elif isinstance(initial, (int, float)):
        try:
            value = int(text)
        except ValueError:
            try:
                value = float(text)
            except ValueError:
                raise StartError(f"`{name}` is a number, not {text!r}") from None
        if (var.minimum is not None and value < var.minimum) or (
            var.maximum is not None and value > var.maximum
        ):
            raise StartError(f"`{name}` must be between {var.minimum} and {var.maximum}")
    else:
        value = text[1:-1] if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'" else text
    return value


def resolve_node(story: Story, ref: str) -> str:
    """A node id from ``chapter.node`` or an unambiguous bare ``node``; StartError otherwise."""
    from rougegame.story.problems import did_you_mean

    if ref in story.nodes:
        return ref
    matches = [n for n in story.nodes if n.rsplit(".", 1)[-1] == ref]
    if len(matches) == 1:
        return matches[0]
    if matches:
        raise StartError(f"`{ref}` is in several chapters: write one of {', '.join(matches)}")
    hint = did_you_mean(ref, story.nodes)
    raise StartError(f"no node `{ref}`" + (f"; {hint}" if hint else ""))


class Driver:
    """One Game, moved between saved states; computes state keys for the search.

    :meth:`begin` makes the game; :meth:`load` and every other method need it made.
    """

    game: Game

    def __init__(self, story: Story, start: str | None, values: Mapping[str, Value]) -> None:
        self.story = story
        self.start = start or story.start
        self.values = dict(values)
        self.var_order = list(story.variables)
        caps: dict[str, int | None] = {}
        for ast, _node in _expressions(story):
            for node_id, cap in visit_caps(ast):
                old = caps.get(node_id, 0)
                caps[node_id] = None if cap is None or old is None else max(old, cap)
        self.tracked = sorted(caps.items())

    def begin(self) -> GameState:
        """Make the game: the start node entered with the start values, as :meth:`Game.at`
        enters it, and its passage rendered. Returns a copy of the state it stands in.

        Raises StoryRuntimeError when entering the start fails, and ValueError when the start
        node or a start value does not fit the story.
        """
        game = Game.at(self.story, self.start, vars=self.values)
        game.passage()
        game.log.clear()
        self.game = game
        return game.state.copy()

    def load(self, state: GameState) -> Game:
        """The game, put in a copy of ``state`` (its node not entered again), log emptied."""
        game = self.game
        game.restore(state.copy())
        return game

    def key(self, state: GameState) -> Hashable:
        visits = state.visits
        return (
            state.node,
            tuple(state.vars[name] for name in self.var_order),
            tuple(
                visits.get(n, 0) if cap is None else min(visits.get(n, 0), cap)
                for n, cap in self.tracked
            ),
            frozenset(state.once),
            frozenset(state.unlocked),
        )

    def look(self) -> list[Choice]:
        """The available choices, after rendering them as a player sees them.

        Raises StoryRuntimeError when a condition or a choice's text fails. (The passage itself
        was rendered when the choice that led here was taken, or by :meth:`begin`.)
        """
        game = self.game
        if game.is_ending:
            return []
        choices = game.node.choices
        return [choices[view.index] for view in game.choices() if view.enabled]

    def steps(self, path: Iterable[ChoiceId], start: GameState) -> list[Step]:
        """The visible numbers and texts of a path of (node, index) from ``start``."""
        game = self.load(start)
        out: list[Step] = []
        for node, index in path:
            number, text = 0, ""
            try:
                for view in game.choices():
                    if view.index == index:
                        number, text = view.number, plain(view.text)
                game.choose(index)
            except (StoryRuntimeError, ChoiceUnavailable):
                text = text or self.story.nodes[node].choices[index].text
                out.append(Step(node, index, number, text))
                break
            out.append(Step(node, index, number, text))
        return out

    def changed(self, state: GameState) -> dict[str, Value]:
        """The variables whose values differ from the start's."""
        base = {n: v.initial for n, v in self.story.variables.items()}
        base.update(self.values)
        return {n: v for n, v in state.vars.items() if base.get(n) != v}


_COMPARE = ("==", "!=", "<", "<=", ">", ">=")


def visit_caps(ast: Ast) -> Iterator[tuple[str, int | None]]:
    """(node id, cap) for every visit count a resolved expression reads.

    A count read only to compare it with a number L behaves the same for every value above L,
    so it is capped at L + 1; ``visited(n)`` is capped at 1; any other use needs the exact
    count (cap None).
    """
    tag = ast[0]
    if tag == "call":
        if ast[1] == "visited":
            yield ast[2][0][1], 1
        elif ast[1] == "visits":
            yield ast[2][0][1], None
        else:
            for arg in ast[2]:
                yield from visit_caps(arg)
    elif tag == "bin":
        left, right = ast[2], ast[3]
        for call, other in ((left, right), (right, left)):
            if (
                ast[1] in _COMPARE
                and call[0] == "call"
                and call[1] == "visits"
                and other[0] == "lit"
                and isinstance(other[1], (int, float))
                and not isinstance(other[1], bool)
            ):
                yield call[2][0][1], max(0, math.floor(other[1])) + 1
                return
        yield from visit_caps(left)
        yield from visit_caps(right)
    elif tag in ("and", "or"):
        yield from visit_caps(ast[1])
        yield from visit_caps(ast[2])
    elif tag in ("not", "neg"):
        yield from visit_caps(ast[1])


class Findings:
    """Collects findings, one per (kind, node, message), keeping the shortest path."""

    def __init__(self, driver: Driver, start: GameState) -> None:
        self.driver = driver
        self.start = start
        self.items: dict[tuple[str, str, str], tuple[Finding, list[ChoiceId]]] = {}

    def add(
        self,
        kind: str,
        node: str,
        message: str,
        path: list[ChoiceId],
        state: GameState,
        where: Location | None = None,
    ) -> None:
        key = (kind, node, message)
        found = self.items.get(key)
        if found is not None:
            found[0].count += 1
            if len(path) < len(found[1]):
                found[0].state = self.driver.changed(state)
                self.items[key] = (found[0], list(path))
            return
        if len(self.items) >= MAX_FINDINGS:
            return
        if where is None and node in self.driver.story.nodes:
            where = self.driver.story.nodes[node].loc
        finding = Finding(kind, node, message, [], where, self.driver.changed(state))
        self.items[key] = (finding, list(path))

    def done(self) -> list[Finding]:
        out = []
        for finding, path in self.items.values():
            finding.path = self.driver.steps(path, self.start)
            out.append(finding)
        return out


def failed_start(report: Report, driver: Driver, exc: StoryRuntimeError) -> Report:
    """The report when entering the start node already fails."""
    report.findings = [
        Finding(
            "error",
            exc.node,
            exc.message,
            [],
            driver.story.nodes[exc.node].loc if exc.node in driver.story.nodes else None,
        )
    ]
    report.complete = False
    return report
