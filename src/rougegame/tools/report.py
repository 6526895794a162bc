"""What a playtest found (coverage, endings and findings) and how it prints, as text or JSON.

:class:`Report` is filled in by the strategies in :mod:`rougegame.tools.search`. A
:class:`Finding` is a runtime error, a softlock (a passage that is not an ending and offers no
choice) or a trap (states from which no ending can be reached), with the shortest choice path
seen to it.
"""

from __future__ import annotations

import shlex
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from rougegame.story.expressions import Value
from rougegame.story.model import Story
from rougegame.story.problems import Location
from rougegame.story.text import format_value
from rougegame.tools.lint import reachable

ChoiceId = tuple[str, int]  # (node id, the choice's position in the node)

SOFTLOCK = "no choice is available and this is not an ending"
TRAP = "from here no sequence of choices reaches an ending: play can only go round in circles"
LIST_LIMIT = 40


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
    """How often playtests reached one ending, and by which shortest path."""

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


# -- the text report -------------------------------------------------------------------------


def _pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:.0f}%" if whole else "-"


def _value(value: Value) -> str:
    return f'"{value}"' if isinstance(value, str) else format_value(value)


def _limited(lines: list[str], limit: int = LIST_LIMIT) -> list[str]:
    if len(lines) <= limit:
        return lines
    return [*lines[:limit], f"    ... and {len(lines) - limit} more (--format json lists all)"]


def _mode_line(report: Report) -> str:
    runs = f"{report.runs:,} run{'s' if report.runs != 1 else ''}"
    if report.mode == "random":
        return f"{runs} from the start, random choices, seed {report.seed}, at most " + (
            f"{report.max_steps:,} choices each"
        )
    if report.mode == "guided":
        return (
            f"{runs} with random choices, seed {report.seed}, each starting from the least "
            f"explored of the {report.states:,} distinct situations found"
        )
    if report.complete:
        line = f"exhaustive search: all {report.states:,} distinct states explored"
    else:
        line = (
            f"exhaustive search: stopped at its budget of {report.budget:,} states with "
            f"{report.pending:,} more waiting"
        )
    if report.mode.startswith("exhaustive+"):
        line += f"; then {runs} guided by what it found (seed {report.seed})"
    return line


def _reproduce(report: Report, finding: Finding, story_arg: str | None) -> str | None:
    if not report.from_story_start or not finding.path or any(s.number < 1 for s in finding.path):
        return None
    numbers = "".join(f"{s.number}\\n" for s in finding.path)
    story = f" --story {shlex.quote(story_arg)}" if story_arg else ""
    return f"printf '{numbers}' | rougegame play --plain{story}"


def _path_lines(path: list[Step]) -> list[str]:
    return [f"    {i}. [{s.node}] {s.number} “{s.text}”" for i, s in enumerate(path, 1)]


def format_report(report: Report, story: Story, story_arg: str | None = None) -> str:
    """The report as plain text for a terminal."""
    out = [f"Playtest of “{report.story_title}” ({report.story_id} {report.story_version})"]
    out.append("  " + _mode_line(report))
    start = f"  from {report.start}"
    if report.start_values:
        start += " with " + ", ".join(f"{k} = {_value(v)}" for k, v in report.start_values.items())
    out += [start, ""]
    reached = [n for n in report.nodes if n in report.reached]
    out.append(
        f"Nodes    {len(reached)} of {len(report.nodes)} reached "
        f"({_pct(len(reached), len(report.nodes))})"
    )
    if report.not_reached:
        out.append("  not reached:")
        out += _limited([f"    {story.nodes[n].loc}  {n}" for n in report.not_reached])
    taken = len(report.choices) - len(report.not_taken)
    out.append(
        f"Choices  {taken} of {len(report.choices)} taken ({_pct(taken, len(report.choices))})"
    )
    if report.not_taken:
        out.append("  never taken:")
        lines = []
        for node, index in report.not_taken:
            choice = story.nodes[node].choices[index]
            lines.append(f"    {choice.loc}  {node}, choice {index + 1}: “{choice.text.strip()}”")
        out += _limited(lines)
    got = len(report.endings) - len(report.endings_not_reached)
    out.append(f"Endings  {got} of {len(report.endings)} reached")
    for stat in report.endings.values():
        if stat.count == 0:
            where = story.nodes[stat.node].loc
            out.append(f"  {stat.id} “{stat.title}”: NOT reached ({where})")
        elif report.mode in ("random", "guided"):
            out.append(
                f"  {stat.id} “{stat.title}”: {stat.count:,} run{'s' if stat.count != 1 else ''}"
                f" ({_pct(stat.count, report.runs)})"
            )
        elif stat.shortest is None:
            out.append(f"  {stat.id} “{stat.title}”: reached by a guided run")
        else:
            length = len(stat.shortest)
            out.append(
                f"  {stat.id} “{stat.title}”: reached, shortest path {length} "
                f"choice{'s' if length != 1 else ''}"
            )
    if report.mode in ("random", "guided"):
        line = (
            f"Runs     {report.finished_runs:,} reached an ending, {report.softlocked_runs:,} "
            f"softlocked, {report.failed_runs:,} failed with an error"
        )
        if report.mode == "random":
            line += f", {report.step_limited:,} stopped at the step limit"
        out.append(line)
    if report.mode == "random" and report.step_limited:
        out += [
            "",
            f"{report.step_limited:,} run(s) made {report.max_steps:,} choices without an "
            "ending: a loop with no way out? `--exhaustive` can prove it either way.",
        ]
    if report.complete is False and report.states:
        out += [
            "",
            "The search did not finish, so what is listed as not reached may still be "
            "reachable: raise --budget, or start closer with --from NODE.",
        ]
    out.append("")
    for finding in report.findings:
        out += _finding_lines(report, finding, story_arg)
    if report.ok:
        out.append("No runtime errors, softlocks or traps.")
    else:
        kinds = _count_kinds(report.findings)
        parts = [f"{n} {k}{'s' if n != 1 else ''}" for k, n in kinds.items() if n]
        out.append("Found: " + ", ".join(parts) + ".")
    return "\n".join(out)


def _count_kinds(findings: Sequence[Finding]) -> dict[str, int]:
    kinds = {"error": 0, "softlock": 0, "trap": 0}
    for f in findings:
        kinds[f.kind] += 1
    return kinds


def _finding_lines(report: Report, finding: Finding, story_arg: str | None) -> list[str]:
    head = {"error": "ERROR", "softlock": "SOFTLOCK", "trap": "TRAP"}[finding.kind]
    where = f" ({finding.where})" if finding.where else ""
    out = [f"{head} in {finding.node}{where}: {finding.message}"]
    if finding.count > 1:
        unit = "states" if report.mode == "exhaustive" else "runs"
        out.append(f"  seen in {finding.count:,} {unit}")
    if finding.state:
        shown = ", ".join(f"{k} = {_value(v)}" for k, v in finding.state.items())
        out.append(f"  variables changed: {shown}")
    if finding.path:
        count = len(finding.path)
        out.append(f"  path ({count} choice{'s' if count != 1 else ''}):")
        out += _path_lines(finding.path)
    else:
        out.append("  at the start, before any choice")
    replay = _reproduce(report, finding, story_arg)
    if replay:
        out.append(f"  replay: {replay}")
    out.append("")
    return out


# -- JSON ------------------------------------------------------------------------------------


def _steps(path: list[Step] | None) -> list[dict[str, Any]] | None:
    if path is None:
        return None
    return [{"node": s.node, "choice": s.index, "number": s.number, "text": s.text} for s in path]


def report_dict(report: Report, story: Story) -> dict[str, Any]:
    """The report as JSON-ready data."""
    return {
        "ok": report.ok,
        "mode": report.mode,
        "story": {
            "id": report.story_id,
            "title": report.story_title,
            "version": report.story_version,
        },
        "start": report.start,
        "start_values": report.start_values,
        "runs": report.runs,
        "seed": report.seed,
        "max_steps": report.max_steps,
        "finished_runs": report.finished_runs,
        "softlocked_runs": report.softlocked_runs,
        "failed_runs": report.failed_runs,
        "step_limited": report.step_limited,
        "budget": report.budget,
        "states": report.states,
        "pending": report.pending,
        "complete": report.complete,
        "nodes": {
            "total": len(report.nodes),
            "reached": [n for n in report.nodes if n in report.reached],
            "not_reached": [
                {"node": n, "where": str(story.nodes[n].loc)} for n in report.not_reached
            ],
        },
        "choices": {
            "total": len(report.choices),
            "taken": len(report.choices) - len(report.not_taken),
            "not_taken": [
                {
                    "node": n,
                    "choice": i,
                    "text": story.nodes[n].choices[i].text,
                    "where": str(story.nodes[n].choices[i].loc),
                }
                for n, i in report.not_taken
            ],
        },
        "endings": [
            {
                "id": e.id,
                "title": e.title,
                "node": e.node,
                "reached": e.count > 0,
                "count": e.count,
                "shortest": _steps(e.shortest),
            }
            for e in report.endings.values()
        ],
        "findings": [
            {
                "kind": f.kind,
                "node": f.node,
                "where": str(f.where) if f.where else None,
                "message": f.message,
                "count": f.count,
                "variables": f.state,
                "path": _steps(f.path),
            }
            for f in report.findings
        ],
    }
