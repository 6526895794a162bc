"""The playtest strategies: random runs, guided runs and the exhaustive search.

- :func:`random_playtest` plays seeded random playthroughs from the start (like ChoiceScript's
  randomtest);
- :func:`guided_playtest` keeps an archive of the states where play first reached a new node
  with a new mix of number variables, and starts each run from one of the least explored of
  them, so that scenes behind unusual resources (a near-empty Nectar reserve, a high trust) are
  found far sooner than by runs from the start;
- :func:`exhaustive_playtest` searches every reachable state breadth-first, up to a budget, and
  then looks for traps: states from which no ending can be reached.

Each starts at the story's start, or at ``start`` with the variables in ``values`` set first,
entered as :meth:`Game.at <rougegame.engine.game.Game.at>` enters it; a ``start`` or a value
that does not fit the story raises ValueError. The same arguments always give the same report.
"""

from __future__ import annotations

import random
from collections import deque
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass

from rougegame.engine.game import Game, GameState, StoryRuntimeError
from rougegame.story.expressions import Value, references
from rougegame.story.model import Story
from rougegame.tools.explore import Driver, Findings, failed_start
from rougegame.tools.report import SOFTLOCK, TRAP, ChoiceId, Report, new_report

DEFAULT_RUNS = 200
DEFAULT_MAX_STEPS = 500
DEFAULT_BUDGET = 100_000


def _walk(
    driver: Driver,
    report: Report,
    findings: Findings,
    path: list[ChoiceId],
    max_steps: int,
    rng: random.Random,
    prefer_new: bool,
    on_step: Callable[[Game, list[ChoiceId]], None] | None = None,
) -> None:
    """Play random choices from the driver's current state until an ending, a problem, or
    ``max_steps`` choices in ``path``; record it all in ``report``."""
    game = driver.game
    while True:
        node = game.state.node
        try:
            available = driver.look()
        except StoryRuntimeError as exc:
            findings.add("error", exc.node, exc.message, path, game.state)
            report.failed_runs += 1
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
            report.softlocked_runs += 1
            break
        if len(path) >= max_steps:
            report.step_limited += 1
            break
        fresh = [c for c in available if (node, c.index) not in report.taken] if prefer_new else []
        choice = rng.choice(fresh or available)
        report.taken.add((node, choice.index))
        try:
            game.choose(choice.index)
        except StoryRuntimeError as exc:
            where = choice.loc if exc.node == node else None
            step = (node, choice.index)
            findings.add("error", exc.node, exc.message, [*path, step], game.state, where)
            report.failed_runs += 1
            break
        path.append((node, choice.index))
        if on_step is not None:
            on_step(game, path)
    report.reached.update(game.state.visits)


def _begin(
    story: Story, mode: str, start: str | None, values: Mapping[str, Value] | None
) -> tuple[Report, Driver, GameState | None]:
    """A fresh report and driver, and the first state (None when the story fails at once,
    which the report then describes)."""
    values = dict(values or {})
    report = new_report(story, mode, start, values)
    driver = Driver(story, start, values)
    try:
        return report, driver, driver.begin()
    except StoryRuntimeError as exc:
        return failed_start(report, driver, exc), driver, None


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
    """Play ``runs`` seeded random playthroughs from the start."""
    report, driver, first = _begin(story, "random", start, values)
    report.runs, report.seed, report.max_steps = runs, seed, max_steps
    if first is None:
        return report
    findings = Findings(driver, first)
    rng = random.Random(seed)
    for _run in range(runs):
        driver.load(first)
        _walk(driver, report, findings, [], max_steps, rng, prefer_new)
    report.findings = findings.done()
    return report


def _gating_numbers(story: Story) -> list[str]:
    """The number variables that situations are told apart by: the story's gauge when it has
    one (its main resource), else every number variable some choice's condition reads."""
    if story.gauge:
        return [story.gauge]
    read: set[str] = set()
    for node in story.nodes.values():
        for choice in node.choices:
            if choice.condition is not None:
                read.update(n for k, n, _c in references(choice.condition) if k == "var")
    return [
        name
        for name, var in story.variables.items()
        if name in read
        and isinstance(var.initial, (int, float))
        and not isinstance(var.initial, bool)
    ]


@dataclass
class _Cell:
    """A situation: the first state found at a node with a given mix of number variables."""

    state: GameState
    path: list[ChoiceId]
    chosen: int = 0  # runs started here
    seen: int = 0  # runs that passed through


def guided_playtest(
    story: Story,
    *,
    runs: int = DEFAULT_RUNS,
    seed: int = 0,
    max_steps: int = DEFAULT_MAX_STEPS,
    start: str | None = None,
    values: Mapping[str, Value] | None = None,
) -> Report:
    """Random runs that each start from a rarely explored state found by earlier runs."""
    report, driver, first = _begin(story, "guided", start, values)
    report.runs, report.seed, report.max_steps = runs, seed, max_steps
    if first is None:
        return report
    findings = Findings(driver, first)
    numbers = _gating_numbers(story)

    def cell_of(state: GameState) -> Hashable:
        return (state.node, tuple(state.vars[n] for n in numbers))

    archive: dict[Hashable, _Cell] = {cell_of(first): _Cell(first.copy(), [])}
    order: list[Hashable] = [cell_of(first)]

    def remember(game: Game, path: list[ChoiceId]) -> None:
        key = cell_of(game.state)
        cell = archive.get(key)
        if cell is None:
            state = game.state.copy()
            state.path = []
            archive[key] = _Cell(state, list(path))
            order.append(key)
        else:
            cell.seen += 1

    rng = random.Random(seed)
    for _run in range(runs):
        weights = [
            1.0 / ((1 + c.chosen) * (1 + c.seen) ** 0.5) for c in map(archive.__getitem__, order)
        ]
        cell = archive[rng.choices(order, weights)[0]]
        cell.chosen += 1
        driver.load(cell.state)
        _walk(driver, report, findings, list(cell.path), max_steps, rng, True, remember)
    report.states = len(archive)
    report.findings = findings.done()
    return report


def exhaustive_playtest(
    story: Story,
    *,
    budget: int = DEFAULT_BUDGET,
    start: str | None = None,
    values: Mapping[str, Value] | None = None,
) -> Report:
    """Search every reachable state breadth-first, up to ``budget`` states."""
    report, driver, first = _begin(story, "exhaustive", start, values)
    report.budget = budget
    if first is None:
        return report
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
        self.findings = Findings(driver, first)
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
                where = choice.loc if exc.node == node else None
                self.findings.add("error", exc.node, exc.message, path, state, where)
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
