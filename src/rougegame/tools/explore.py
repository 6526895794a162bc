"""The playtest engines: seeded random playthroughs and a breadth-first search of the state space.

Both drive one :class:`~rougegame.engine.game.Game` and move it between states by assigning a copy
of a saved :class:`GameState` (never by replaying from the start), so a step costs one choice.
They report into a :class:`Report`: nodes reached, choices taken, endings, and findings (runtime
errors, softlocks and traps) with the choice path that reproduces each.

The exhaustive search treats two states as the same when everything that can change what happens
next is equal: the node, every variable, the once-only choices taken, the codex entries unlocked,
and the visit counts of the nodes that some expression asks about with ``visits()`` (or, capped at
one, ``visited()``). Visit counts nothing reads do not split states, so a hub the player returns to
does not make the search endless.
"""

from __future__ import annotations

import random
from collections import deque
from collections.abc import Hashable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field

from rougegame.engine.game import ChoiceUnavailable, Game, GameState, StoryRuntimeError
from rougegame.story.expressions import Ast, Value
from rougegame.story.model import Choice, Story
from rougegame.story.problems import Location
from rougegame.tools.lint import _expressions, reachable

DEFAULT_RUNS = 200
DEFAULT_MAX_STEPS = 500
DEFAULT_BUDGET = 100_000
MAX_FINDINGS = 50

ChoiceId = tuple[str, int]


@dataclass(frozen=True, slots=True)
class Step:
    """One choice of a reproducing path: where, which (position and visible number), its text."""

    node: str
    index: int
    number: int
    text: str


@dataclass
class Finding:
    """A runtime error, a softlock or a trap, with the shortest path seen to it."""

    kind: str  # "error", "softlock" or "trap"
    node: str
    message: str
    path: list[Step]
    where: Location | None = None
    state: dict[str, Value] = field(default_factory=dict)
    count: int = 1


@dataclass
class EndingStat:
    id: str
    title: str
    node: str
    count: int = 0
    shortest: list[Step] | None = None


@dataclass
class Report:
    """What a playtest found. ``mode`` is "random", "exhaustive" or "exhaustive+random"."""

    mode: str
    story_id: str
    story_title: str
    story_version: str
    start: str
    start_values: dict[str, Value]
    from_story_start: bool
    nodes: list[str]
    reached: set[str]
    choices: list[ChoiceId]
    taken: set[ChoiceId]
    endings: dict[str, EndingStat]
    findings: list[Finding] = field(default_factory=list)
    runs: int = 0
    seed: int | None = None
    max_steps: int = 0
    finished_runs: int = 0
    step_limited: int = 0
    budget: int = 0
    states: int = 0
    pending: int = 0
    complete: bool | None = None

    @property
    def ok(self) -> bool:
        return not self.findings

    @property
    def not_reached(self) -> list[str]:
        return [n for n in self.nodes if n not in self.reached]

    @property
    def not_taken(self) -> list[ChoiceId]:
        return [c for c in self.choices if c not in self.taken]

    @property
    def endings_not_reached(self) -> list[EndingStat]:
        return [e for e in self.endings.values() if e.count == 0]


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
    """One Game, moved between saved states; computes state keys for the search."""

    def __init__(self, story: Story, start: str | None, values: Mapping[str, Value]) -> None:
        self.story = story
        self.start = start or story.start
        self.values = dict(values)
        state = Game.initial_state(story)
        state.node = self.start
        state.vars.update(self.values)
        self.game = Game(story, state)
        self.var_order = list(story.variables)
        caps: dict[str, int | None] = {}
        for ast, _node in _expressions(story):
            for node_id, func in _visit_calls(ast):
                exact = func == "visits" or (node_id in caps and caps[node_id] is None)
                caps[node_id] = None if exact else 1
        self.tracked = sorted(caps.items())

    def begin(self) -> GameState:
        """Enter the start node as a new game does. Raises StoryRuntimeError."""
        game = self.game
        state = Game.initial_state(self.story)
        state.node = self.start
        state.vars.update(self.values)
        game.state = state
        game.machine.place(self.start)
        game.log.clear()
        game._enter(self.start)
        game._follow_fallbacks()
        game.log.clear()
        game.undo_stack.clear()
        return game.state.copy()

    def load(self, state: GameState) -> Game:
        game = self.game
        game.state = state.copy()
        game.machine.place(state.node)
        game.log.clear()
        game.undo_stack.clear()
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
        """Render the passage and the choices as a player sees them; the available choices.

        Raises StoryRuntimeError when the story fails to show this passage.
        """
        game = self.game
        game.passage()
        game.choices()
        if game.is_ending:
            return []
        return game.available()

    def steps(self, path: Iterable[ChoiceId], start: GameState) -> list[Step]:
        """The visible numbers and texts of a path of (node, index) from ``start``."""
        game = self.load(start)
        out: list[Step] = []
        for node, index in path:
            number, text = 0, ""
            try:
                for view in game.choices():
                    if view.index == index:
                        number, text = view.number, view.text
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


def _visit_calls(ast: Ast) -> Iterator[tuple[str, str]]:
    """(node id, "visits" or "visited") for every visit function a resolved expression calls."""
    tag = ast[0]
    if tag == "call":
        if ast[1] in ("visits", "visited"):
            yield ast[2][0][1], ast[1]
        else:
            for arg in ast[2]:
                yield from _visit_calls(arg)
    elif tag == "bin":
        yield from _visit_calls(ast[2])
        yield from _visit_calls(ast[3])
    elif tag in ("and", "or"):
        yield from _visit_calls(ast[1])
        yield from _visit_calls(ast[2])
    elif tag in ("not", "neg"):
        yield from _visit_calls(ast[1])


def new_report(story: Story, mode: str, start: str | None, values: Mapping[str, Value]) -> Report:
    first = start or story.start
    if first == story.start and not values:
        universe = list(story.nodes)
    else:
        seen = reachable(story, first)
        universe = [n for n in story.nodes if n in seen]
    choices = [
        (n, c.index) for n in universe for c in story.nodes[n].choices if c.kind != "fallback"
    ]
    endings: dict[str, EndingStat] = {}
    for n in universe:
        ending = story.nodes[n].ending
        if ending is not None:
            endings[ending.id] = EndingStat(ending.id, ending.title, n)
    return Report(
        mode=mode,
        story_id=story.id,
        story_title=story.title,
        story_version=story.version,
        start=first,
        start_values=dict(values),
        from_story_start=first == story.start and not values,
        nodes=universe,
        reached=set(),
        choices=choices,
        taken=set(),
        endings=endings,
    )


class _Findings:
    """Collects findings, one per (kind, node, message), keeping the shortest path."""

    def __init__(self, driver: Driver, start: GameState) -> None:
        self.driver = driver
        self.start = start
        self.items: dict[tuple[str, str, str], tuple[Finding, list[ChoiceId]]] = {}

    def add(
        self, kind: str, node: str, message: str, path: list[ChoiceId], state: GameState
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
        where = self.driver.story.nodes[node].loc if node in self.driver.story.nodes else None
        finding = Finding(kind, node, message, [], where, self.driver.changed(state))
        self.items[key] = (finding, list(path))

    def done(self) -> list[Finding]:
        out = []
        for finding, path in self.items.values():
            finding.path = self.driver.steps(path, self.start)
            out.append(finding)
        return out


SOFTLOCK = "no choice is available and this is not an ending"


def random_playtest(
    story: Story,
    *,
    runs: int = DEFAULT_RUNS,
    seed: int = 0,
    max_steps: int = DEFAULT_MAX_STEPS,
    start: str | None = None,
    values: Mapping[str, Value] | None = None,
    prefer_new: bool = False,
) -> Report:
    """Play ``runs`` seeded random playthroughs. The same arguments give the same report."""
    values = dict(values or {})
    report = new_report(story, "random", start, values)
    report.runs, report.seed, report.max_steps = runs, seed, max_steps
    driver = Driver(story, start, values)
    try:
        first = driver.begin()
    except StoryRuntimeError as exc:
        return _failed_start(report, driver, exc)
    findings = _Findings(driver, first)
    rng = random.Random(seed)
    for _run in range(runs):
        game = driver.load(first)
        path: list[ChoiceId] = []
        for _step in range(max_steps + 1):
            node = game.state.node
            try:
                available = driver.look()
            except StoryRuntimeError as exc:
                findings.add("error", exc.node, exc.message, path, game.state)
                break
            if game.is_ending:
                ending = game.node.ending
                assert ending is not None
                stat = report.endings.get(ending.id)
                if stat is not None:
                    stat.count += 1
                report.finished_runs += 1
                break
            if not available:
                findings.add("softlock", node, SOFTLOCK, path, game.state)
                break
            if len(path) >= max_steps:
                report.step_limited += 1
                break
            if prefer_new:
                fresh = [c for c in available if (node, c.index) not in report.taken]
                choice = rng.choice(fresh or available)
            else:
                choice = rng.choice(available)
            report.taken.add((node, choice.index))
            try:
                game.choose(choice.index)
            except StoryRuntimeError as exc:
                findings.add(
                    "error", exc.node, exc.message, [*path, (node, choice.index)], game.state
                )
                break
            path.append((node, choice.index))
        report.reached.update(game.state.visits)
    report.findings = findings.done()
    return report


def _failed_start(report: Report, driver: Driver, exc: StoryRuntimeError) -> Report:
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


def exhaustive_playtest(
    story: Story,
    *,
    budget: int = DEFAULT_BUDGET,
    start: str | None = None,
    values: Mapping[str, Value] | None = None,
) -> Report:
    """Search every reachable state breadth-first, up to ``budget`` states."""
    values = dict(values or {})
    report = new_report(story, "exhaustive", start, values)
    report.budget = budget
    driver = Driver(story, start, values)
    try:
        first = driver.begin()
    except StoryRuntimeError as exc:
        return _failed_start(report, driver, exc)
    search = _Search(driver, report, first)
    search.run(budget)
    report.findings = search.findings.done()
    return report


class _Search:
    """The breadth-first search: states are numbered in the order found."""

    def __init__(self, driver: Driver, report: Report, first: GameState) -> None:
        self.driver = driver
        self.report = report
        self.first = first
        self.findings = _Findings(driver, first)
        self.keys: dict[Hashable, int] = {driver.key(first): 0}
        self.parent: list[int] = [-1]
        self.via: list[ChoiceId] = [("", -1)]
        self.children: list[list[int]] = []
        self.pending: dict[int, GameState] = {0: first}
        self.queue: deque[int] = deque([0])
        self.settled: set[int] = set()  # endings, and states that lead to a reported problem
        report.reached.update(first.visits)

    def path_to(self, index: int) -> list[ChoiceId]:
        steps: list[ChoiceId] = []
        while index > 0:
            steps.append(self.via[index])
            index = self.parent[index]
        return steps[::-1]

    def run(self, budget: int) -> None:
        report = self.report
        while self.queue and len(self.children) < budget:
            self.expand(self.queue.popleft())
        report.states = len(self.children)
        report.pending = len(self.queue)
        report.complete = not self.queue
        if report.complete and report.endings:
            self.traps()

    def expand(self, index: int) -> None:
        driver, report = self.driver, self.report
        state = self.pending.pop(index)
        out: list[int] = []
        self.children.append(out)
        game = driver.load(state)
        node = state.node
        try:
            available = driver.look()
        except StoryRuntimeError as exc:
            self.findings.add("error", exc.node, exc.message, self.path_to(index), state)
            self.settled.add(index)
            return
        ending = game.node.ending
        if ending is not None:
            stat = report.endings.get(ending.id)
            if stat is not None:
                stat.count += 1
                if stat.shortest is None:
                    stat.shortest = driver.steps(self.path_to(index), self.first)
            self.settled.add(index)
            return
        if not available:
            self.findings.add("softlock", node, SOFTLOCK, self.path_to(index), state)
            self.settled.add(index)
            return
        for n, choice in enumerate(available):
            if n:
                game = driver.load(state)
            report.taken.add((node, choice.index))
            try:
                game.choose(choice.index)
            except StoryRuntimeError as exc:
                path = [*self.path_to(index), (node, choice.index)]
                self.findings.add("error", exc.node, exc.message, path, state)
                self.settled.add(index)
                continue
            child = game.state
            child.path = []
            report.reached.update(child.visits)
            key = driver.key(child)
            known = self.keys.get(key)
            if known is None:
                known = len(self.parent)
                self.keys[key] = known
                self.parent.append(index)
                self.via.append((node, choice.index))
                self.pending[known] = child
                self.queue.append(known)
            out.append(known)

    def traps(self) -> None:
        """Report where play enters states from which no ending (nor a known problem) is reached."""
        into: list[list[int]] = [[] for _ in self.children]
        for source, targets in enumerate(self.children):
            for target in targets:
                into[target].append(source)
        fine = set(self.settled)
        queue = deque(fine)
        while queue:
            for source in into[queue.popleft()]:
                if source not in fine:
                    fine.add(source)
                    queue.append(source)
        if len(fine) == len(self.children):
            return
        seen: set[str] = set()
        for index in range(len(self.children)):
            if index in fine or (index > 0 and self.parent[index] not in fine):
                continue
            path = self.path_to(index)
            game = self.driver.load(self.first)
            for _node, choice in path:
                game.choose(choice)
            if game.state.node in seen:
                continue
            seen.add(game.state.node)
            self.findings.add("trap", game.state.node, TRAP, path, game.state)


TRAP = "from here no sequence of choices reaches an ending: play can only go round in circles"
