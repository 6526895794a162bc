"""The command line: ``rougegame [play|check|saves|schema|...]``.

Each subcommand imports what it needs when it runs, so ``rougegame check`` never loads Textual
and ``rougegame play`` starts fast. No input produces a Python traceback: story and save
problems print as messages, and exit codes are 0 (fine), 1 (problems found) and 2 (usage).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from rougegame import __version__

EXIT_OK = 0
EXIT_PROBLEMS = 1
EXIT_USAGE = 2

Handler = Callable[[argparse.Namespace], int]
_EXTRA: list[Callable[[argparse._SubParsersAction[argparse.ArgumentParser]], None]] = []


def register(adder: Callable[[argparse._SubParsersAction[argparse.ArgumentParser]], None]) -> None:
    """Let a tools module add its own subcommand."""
    _EXTRA.append(adder)


def _story_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument("--story", metavar="DIR", help="the story folder (default: the shipped story)")


def _saves_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--saves", metavar="DIR", help="the saves folder (default: $ROUGEGAME_SAVES or ./saves)"
    )


def build_parser(tools: bool = True) -> argparse.ArgumentParser:
    """The command line; ``tools=False`` leaves out the tools' subcommands (and their imports)."""
    parser = argparse.ArgumentParser(
        prog="rougegame",
        description="Rouge Redstar: a terminal interactive-fiction game, and its story tools.",
    )
    parser.add_argument("--version", action="version", version=f"rougegame {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    play = sub.add_parser("play", help="play the game (the default command)")
    _story_arg(play)
    _saves_arg(play)
    play.add_argument("--load", metavar="SLOT", help="start from this save slot")
    play.add_argument(
        "--plain",
        action="store_true",
        help="plain text on stdin/stdout, for screen readers, pipes and scripts",
    )
    play.set_defaults(handler=cmd_play)

    check = sub.add_parser("check", help="validate a story and print a summary or its problems")
    check.add_argument("path", nargs="?", help="a story folder or YAML file (default: shipped)")
    check.add_argument("--strict", action="store_true", help="treat warnings as errors")
    check.add_argument("--format", choices=("text", "json"), default="text")
    check.add_argument(
        "--max-words",
        type=int,
        default=400,
        metavar="N",
        help="warn about passages longer than N words (default 400)",
    )
    check.set_defaults(handler=cmd_check)

    saves = sub.add_parser("saves", help="list the save slots")
    _saves_arg(saves)
    saves.set_defaults(handler=cmd_saves)

    schema = sub.add_parser("schema", help="print the JSON Schema of the story format")
    schema.set_defaults(handler=cmd_schema)

    if tools:
        _load_tools()
        for adder in _EXTRA:
            adder(sub)
    return parser


def _load_tools() -> None:
    if _EXTRA:
        return
    import importlib

    for name in ("playtest", "graph", "scaffold"):
        try:
            module = importlib.import_module(f"rougegame.tools.{name}")
        except ModuleNotFoundError:
            continue
        adder = getattr(module, "add_parser", None)
        if adder is not None:
            _EXTRA.append(adder)


def saves_dir(args: argparse.Namespace) -> Path:
    from rougegame.engine.saves import default_saves_dir

    given = getattr(args, "saves", None)
    return Path(given) if given else default_saves_dir()


def cmd_play(args: argparse.Namespace) -> int:
    from rougegame.story.loader import load_story
    from rougegame.story.problems import StoryError, format_problems

    try:
        story = load_story(getattr(args, "story", None))
    except StoryError as exc:
        print("The story has problems and cannot be played:", file=sys.stderr)
        print(format_problems(exc.problems), file=sys.stderr)
        return EXIT_PROBLEMS
    if getattr(args, "plain", False):
        from rougegame.tools.plain import run_plain

        return run_plain(story, saves_dir(args), load=getattr(args, "load", None))
    import gc

    # Starting the interface makes a great many objects that live as long as the game, and next
    # to no garbage: the cyclic collector would only walk them again and again. It is paused
    # until the first screen is drawn (the app turns it back on then).
    collecting = gc.isenabled()
    gc.disable()
    try:
        from rougegame.ui.app import RougeApp

        app = RougeApp(
            story,
            saves_dir=saves_dir(args),
            load_slot=getattr(args, "load", None),
            story_path=getattr(args, "story", None),
            resume_gc=collecting,
        )
        app.run()
    finally:
        if collecting:
            gc.enable()
    return app.return_code or EXIT_OK


def cmd_check(args: argparse.Namespace) -> int:
    from rougegame.story.loader import load_story
    from rougegame.story.problems import Problem, StoryError, format_problems
    from rougegame.tools.lint import lint

    if args.max_words < 1:
        print("rougegame check: --max-words must be at least 1", file=sys.stderr)
        return EXIT_USAGE
    problems: list[Problem] = []
    stats: dict[str, int] = {}
    title = ""
    try:
        story = load_story(args.path)
    except StoryError as exc:
        problems = exc.problems
    else:
        title = f"{story.title} ({story.id} {story.version})"
        stats = story.stats()
        problems = list(story.warnings) + lint(story, max_words=args.max_words)
    if args.strict:
        problems = [Problem(p.message, p.where, p.node, p.hint, "error", p.code) for p in problems]
    errors = [p for p in problems if p.severity == "error"]
    warnings = [p for p in problems if p.severity == "warning"]
    if args.format == "json":
        print(
            json.dumps(
                {
                    "ok": not errors,
                    "story": title,
                    "stats": stats,
                    "errors": len(errors),
                    "warnings": len(warnings),
                    "problems": [p.as_dict() for p in problems],
                },
                indent=2,
                ensure_ascii=False,
            )
        )
        return EXIT_PROBLEMS if errors else EXIT_OK
    if problems:
        print(format_problems(problems))
    if errors:
        print(f"\n{len(errors)} error(s), {len(warnings)} warning(s).")
        return EXIT_PROBLEMS
    summary = ", ".join(_count(v, k) for k, v in stats.items())
    print(f"{'' if not warnings else chr(10)}OK: {title}\n  {summary}")
    if warnings:
        print(f"  {len(warnings)} warning(s); `--strict` makes them errors")
    return EXIT_OK


def _count(n: int, key: str) -> str:
    """`3 nodes`, `1 node`, `2 codex entries`."""
    if key == "codex":
        return f"{n:,} codex {'entry' if n == 1 else 'entries'}"
    return f"{n:,} {key.removesuffix('s') if n == 1 else key}"


def _duration(seconds: float) -> str:
    minutes, _ = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m" if hours else f"{minutes}m"


def cmd_saves(args: argparse.Namespace) -> int:
    from rougegame.engine.saves import SaveStore

    store = SaveStore(saves_dir(args))
    slots = store.slots()
    if not slots:
        print(f"No saves in {store.root}.")
        return EXIT_OK
    for info in slots:
        if info.ok:
            print(
                f"{info.name:<24} {info.saved_at:<26} {_duration(info.play_time):>7}  "
                f"{info.chapter_title} / {info.node_title}"
            )
        else:
            print(f"{info.name:<24} {info.saved_at:<26} {'':>7}  unreadable: {info.problem}")
    return EXIT_OK


def cmd_schema(_args: argparse.Namespace) -> int:
    from rougegame.story.schema import schema_json

    sys.stdout.write(schema_json())
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    words = list(sys.argv[1:] if argv is None else argv)
    if words and words[0].startswith("-") and words[0] not in ("-h", "--help", "--version"):
        words.insert(0, "play")  # `rougegame --story DIR` means `rougegame play --story DIR`
    # Playing (and --version) never needs the tools' subcommands: importing them would only
    # delay the game.
    parser = build_parser(tools=bool(words) and words[0] not in ("play", "--version"))
    args = parser.parse_args(words)
    if args.command is None:
        args = parser.parse_args(["play", *words])
    handler: Handler = args.handler
    try:
        return handler(args)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return EXIT_OK
    except Exception as exc:  # the last line of defence: a message, never a traceback
        if os.environ.get("ROUGEGAME_DEBUG"):
            raise
        print(f"rougegame: internal error: {type(exc).__name__}: {exc}", file=sys.stderr)
        print("  set ROUGEGAME_DEBUG=1 to see the details, and please report it.", file=sys.stderr)
        return 3
