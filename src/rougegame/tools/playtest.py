"""``rougegame playtest``: automated playthroughs, their report, and a helper for pytest.

Random mode plays seeded random playthroughs (like ChoiceScript's randomtest), ``--guided``
starts each run from the least explored situation found so far, and ``--exhaustive`` searches
every reachable state breadth-first (the strategies are in :mod:`rougegame.tools.search`). Each
reports node and choice coverage, the endings reached, and every runtime error, softlock and trap
with the choice path that reproduces it (:mod:`rougegame.tools.report`). The exit code is 1 when
anything was found.

A story's own tests call :func:`assert_story_complete`::

    from rougegame.tools.playtest import assert_story_complete

    def test_every_scene_and_ending_is_reachable():
        assert_story_complete("my-story")
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rougegame.story.expressions import Value
    from rougegame.story.model import Story
    from rougegame.tools.report import Report

EXIT_OK, EXIT_FOUND, EXIT_USAGE = 0, 1, 2


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
    from rougegame.tools.report import format_report, report_dict
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
    from rougegame.tools.report import format_report, merge
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
