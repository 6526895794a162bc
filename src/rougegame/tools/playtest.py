"""``rougegame playtest``: automated playthroughs, their report, and a helper for pytest.

Random mode plays seeded random playthroughs (like ChoiceScript's randomtest); ``--exhaustive``
searches every reachable state breadth-first (see :mod:`rougegame.tools.explore`). Both report node
and choice coverage, the endings reached, and every runtime error, softlock and trap with the
choice path that reproduces it. The exit code is 1 when anything was found.

A story's own tests call :func:`assert_story_complete`::

    from rougegame.tools.playtest import assert_story_complete

    def test_every_scene_and_ending_is_reachable():
        assert_story_complete("my-story")
"""

from __future__ import annotations

import argparse
import os
import shlex
import sys
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rougegame.story.expressions import Value
    from rougegame.story.model import Story
    from rougegame.tools.report import Finding, Report, Step

EXIT_OK, EXIT_FOUND, EXIT_USAGE = 0, 1, 2
LIST_LIMIT = 40


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "playtest",
        help="play a story automatically: random runs, or an exhaustive search",
        description="Play a story automatically and report coverage, endings, runtime errors "
        "and softlocks, each with the choice path that reproduces it. Exits 1 when it finds "
        "a problem.",
    )
    p.add_argument("path", nargs="?", help="a story folder or YAML file (default: shipped)")
    p.add_argument("--runs", type=int, default=200, metavar="N", help="random runs (default 200)")
    p.add_argument("--seed", type=int, default=0, metavar="S", help="random seed (default 0)")
    p.add_argument(
        "--max-steps",
        type=int,
        default=500,
        metavar="N",
        help="stop a random run after N choices (default 500)",
    )
    p.add_argument(
        "--prefer-new",
        action="store_true",
        help="random runs prefer choices no run has taken yet",
    )
    mode = p.add_mutually_exclusive_group()
    mode.add_argument(
        "--exhaustive",
        action="store_true",
        help="search every reachable state breadth-first instead of random runs",
    )
    mode.add_argument(
        "--guided",
        action="store_true",
        help="start each run from the least explored state found so far, to reach rare scenes",
    )
    p.add_argument(
        "--budget",
        type=int,
        default=100_000,
        metavar="STATES",
        help="stop the exhaustive search after this many states (default 100000)",
    )
    p.add_argument("--from", dest="start", metavar="NODE", help="start at this node")
    p.add_argument(
        "--set",
        dest="values",
        action="append",
        default=[],
        metavar="VAR=VALUE",
        help="give a variable a starting value (repeatable)",
    )
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.set_defaults(handler=cmd_playtest)


def cmd_playtest(args: argparse.Namespace) -> int:
    import json

    from rougegame.story.loader import load_story
    from rougegame.story.problems import StoryError, format_problems
    from rougegame.tools.explore import StartError
    from rougegame.tools.search import exhaustive_playtest, guided_playtest, random_playtest

    for name in ("runs", "max_steps", "budget"):
        if getattr(args, name) < 1:
            flag = "--" + name.replace("_", "-")
            print(f"rougegame playtest: {flag} must be at least 1", file=sys.stderr)
            return EXIT_USAGE
    try:
        story = load_story(args.path)
    except StoryError as exc:
        print("The story has problems and cannot be played:", file=sys.stderr)
        print(format_problems(exc.problems), file=sys.stderr)
        return EXIT_FOUND
    try:
        start, values = start_options(story, args.start, args.values)
    except StartError as exc:
        print(f"rougegame playtest: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if args.exhaustive:
        report = exhaustive_playtest(story, budget=args.budget, start=start, values=values)
    elif args.guided:
        report = guided_playtest(
            story,
            runs=args.runs,
            seed=args.seed,
            max_steps=args.max_steps,
            start=start,
            values=values,
        )
    else:
        report = random_playtest(
            story,
            runs=args.runs,
            seed=args.seed,
            max_steps=args.max_steps,
            start=start,
            values=values,
            prefer_new=args.prefer_new,
        )
    if args.format == "json":
        print(json.dumps(report_dict(report, story), indent=2, ensure_ascii=False))
    else:
        print(format_report(report, story, args.path))
    return EXIT_OK if report.ok else EXIT_FOUND


def start_options(
    story: Story, start: str | None, settings: Iterable[str]
) -> tuple[str | None, dict[str, Value]]:
    """Check ``--from NODE`` and ``--set VAR=VALUE``; raises StartError."""
    from rougegame.tools.explore import StartError, parse_value, resolve_node

    node = resolve_node(story, start) if start else None
    values: dict[str, Value] = {}
    for item in settings:
        name, sep, text = item.partition("=")
        if not sep or not name.strip():
            raise StartError(f"--set takes VAR=VALUE, not {item!r}")
        values[name.strip()] = parse_value(story, name.strip(), text.strip())
    return node, values


# -- the text report -------------------------------------------------------------------------


def _pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:.0f}%" if whole else "-"


def _value(value: Value) -> str:
    from rougegame.story.text import format_value

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


# -- the pytest helper ----------------------------------------------------------------------


def assert_story_complete(
    story: str | os.PathLike[str] | Story | None = None,
    *,
    budget: int = 100_000,
    runs: int = 500,
    seed: int = 0,
    max_steps: int = 2_000,
    ignore: Iterable[str] = (),
    require_all_choices: bool = False,
) -> Report:
    """Assert that every node and every ending of a story can be reached, without errors.

    The exhaustive search runs first, up to ``budget`` states; when it stops short of proving
    everything reachable, ``runs`` random playthroughs that prefer untaken choices go after
    what is left. Fails (AssertionError, with the report) on any runtime error, softlock or
    trap, any node or ending not reached (node ids or ending ids in ``ignore`` excepted) and,
    with ``require_all_choices``, any choice never taken. Returns the report.
    """
    from rougegame.story.loader import load_story
    from rougegame.story.model import Story
    from rougegame.story.problems import StoryError, format_problems
    from rougegame.tools.report import merge
    from rougegame.tools.search import exhaustive_playtest, guided_playtest

    if not isinstance(story, Story):
        try:
            story = load_story(story)
        except StoryError as exc:
            raise AssertionError(
                "the story does not load:\n" + format_problems(exc.problems)
            ) from None
    report = exhaustive_playtest(story, budget=budget)
    skip = set(ignore)

    def missing(r: Report) -> bool:
        endings = [e for e in r.endings_not_reached if e.id not in skip]
        return bool([n for n in r.not_reached if n not in skip] or endings) or (
            require_all_choices and bool(r.not_taken)
        )

    if not report.complete and missing(report) and runs > 0:
        extra = guided_playtest(story, runs=runs, seed=seed, max_steps=max_steps)
        report = merge(report, extra)
    problems: list[str] = []
    if report.findings:
        problems.append(f"{len(report.findings)} runtime error(s), softlock(s) or trap(s)")
    nodes = [n for n in report.not_reached if n not in skip]
    if nodes:
        problems.append(f"{len(nodes)} node(s) not reached: {', '.join(nodes[:20])}")
    endings = [e.id for e in report.endings_not_reached if e.id not in skip]
    if endings:
        problems.append(f"ending(s) not reached: {', '.join(endings)}")
    if require_all_choices and report.not_taken:
        problems.append(f"{len(report.not_taken)} choice(s) never taken")
    if problems:
        raise AssertionError(
            "; ".join(problems) + "\n\n" + format_report(report, story, story.root)
        )
    return report
