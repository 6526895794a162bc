"""What a playtest found: coverage, endings and findings, as plain data.

:class:`Report` is filled in by the strategies in :mod:`rougegame.tools.search` and printed by
:mod:`rougegame.tools.playtest` (as text or JSON). A :class:`Finding` is a runtime error, a
softlock (a passage that is not an ending and offers no choice) or a trap (states from which no
ending can be reached), with the shortest choice path seen to it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from rougegame.story.expressions import Value
from rougegame.story.model import Story
from rougegame.story.problems import Location
from rougegame.tools.lint import reachable

ChoiceId = tuple[str, int]  # (node id, the choice's position in the node)

SOFTLOCK = "no choice is available and this is not an ending"
TRAP = "from here no sequence of choices reaches an ending: play can only go round in circles"


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
    """What a playtest found. ``mode``: "random", "guided", "exhaustive" or "exhaustive+guided"."""

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
    softlocked_runs: int = 0
    failed_runs: int = 0
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


def new_report(story: Story, mode: str, start: str | None, values: Mapping[str, Value]) -> Report:
    """An empty report. From the story's start every node counts; from elsewhere, only the nodes
    reachable (in the graph) from there."""
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


def merge(first: Report, second: Report) -> Report:
    """An exhaustive report completed by the runs of another strategy from the same start."""
    endings = {}
    for key, stat in first.endings.items():
        other = second.endings.get(key)
        count = stat.count + (other.count if other else 0)
        endings[key] = EndingStat(stat.id, stat.title, stat.node, count, stat.shortest)
    findings = {(f.kind, f.node, f.message): f for f in second.findings}
    findings.update({(f.kind, f.node, f.message): f for f in first.findings})
    return replace(
        first,
        mode=f"{first.mode}+{second.mode}",
        reached=first.reached | second.reached,
        taken=first.taken | second.taken,
        endings=endings,
        findings=list(findings.values()),
        runs=second.runs,
        seed=second.seed,
        max_steps=second.max_steps,
        finished_runs=second.finished_runs,
        softlocked_runs=second.softlocked_runs,
        failed_runs=second.failed_runs,
        step_limited=second.step_limited,
    )
