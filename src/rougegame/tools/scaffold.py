"""``rougegame new DIR``: write a small, valid, playable story to start from.

The story has a manifest, one chapter, a variable with a condition and an effect, a codex entry
and two endings; it passes ``rougegame check --strict`` and an exhaustive playtest. Each YAML file
starts with the yaml-language-server modeline, and the JSON Schema it points at is written next
to the story so that editors validate and complete as you type. A non-empty folder is never
touched.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

MANIFEST = """\
# yaml-language-server: $schema=rougegame.schema.json
# The manifest: what the story is, where it starts, and everything it keeps track of.
# Guide: docs/WRITING.md; reference: docs/story-format.md (in the rougegame repository).
format: 1
id: {id}
title: {title}
version: "0.1"
start: opening.arrival
variables:
  courage: {{initial: 1, min: 0, max: 3, label: Courage}}
codex:
  places:
    harbour: {{title: The harbour, text: Where every story here begins.}}
"""

CHAPTER = """\
# yaml-language-server: $schema=../rougegame.schema.json
chapter: opening
title: The Opening
nodes:
  arrival:
    title: Arrival
    location: The harbour
    effects: [unlock harbour]
    text: |
      You step off the ferry. The harbour smells of salt and engine oil, and the lighthouse
      on the point is dark for the first time in living memory.

      Courage: {courage}.
    choices:
      - text: Walk up into the town.
        to: town
      - text: Stand a moment and gather your nerve.
        to: arrival
        kind: once
        effects: [courage += 1]
  town:
    title: The town
    location: The high street
    text: |
      The shutters are down and the street is quiet.
      {if courage >= 2: You feel ready for whatever is up there.}{else: You feel very small.}
    choices:
      - text: Climb to the lighthouse.
        to: lighthouse
        if: courage >= 2
        reason: You do not have the nerve yet.
      - text: Take the last ferry home.
        to: home
  lighthouse:
    title: The lighthouse
    text: |
      The keeper opens the door before you knock. "*There* you are," she says.
    ending:
      id: lighthouse
      title: The Lighthouse
      epilogue: |
        By midnight the lamp turns again, and you are the one turning it.
  home:
    title: Home
    text: The ferry pulls away. The dark lighthouse watches you go.
    ending:
      id: home
      title: The Last Ferry
      epilogue: Some stories wait for you to come back.
"""

TEST = '''\
"""Run `pytest` in this folder: it proves every scene and every ending can be reached."""

from pathlib import Path

from rougegame.tools.playtest import assert_story_complete

STORY = Path(__file__).resolve().parents[1]


def test_every_scene_and_ending_is_reachable() -> None:
    assert_story_complete(STORY)
'''


def story_id(text: str) -> str:
    """A valid story id from a folder name: `My Story!` -> `my-story`."""
    slug = re.sub(r"[^a-z0-9_.-]+", "-", text.lower()).strip("-._")
    return (slug or "my-story")[:64]


def story_title(text: str) -> str:
    words = re.split(r"[-_\s]+", text.strip())
    return " ".join(w[:1].upper() + w[1:] for w in words if w) or "My Story"


def _yaml_text(value: str) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML)."""
    import json

    return json.dumps(value, ensure_ascii=False)


def files_for(title: str, sid: str) -> dict[str, str]:
    """The files of a new story, by path relative to its folder."""
    from rougegame.story.schema import schema_json

    return {
        "story.yaml": MANIFEST.format(id=sid, title=_yaml_text(title)),
        "chapters/01_opening.yaml": CHAPTER,
        "rougegame.schema.json": schema_json(),
        "tests/test_story.py": TEST,
    }


class ScaffoldError(Exception):
    """The folder cannot be used for a new story."""


def write_story(folder: Path, title: str | None = None, sid: str | None = None) -> list[Path]:
    """Write a new story into ``folder`` (which must be missing or empty). Returns the files."""
    if folder.exists() and not folder.is_dir():
        raise ScaffoldError(f"{folder} is a file, not a folder")
    if folder.is_dir() and any(folder.iterdir()):
        raise ScaffoldError(f"{folder} is not empty; choose a new folder so nothing is overwritten")
    name = folder.resolve().name
    sid = sid or story_id(name)
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}", sid):
        raise ScaffoldError(f"`{sid}` cannot be a story id: use letters, digits, `_`, `.`, `-`")
    written: list[Path] = []
    try:
        for rel, text in files_for(title or story_title(name), sid).items():
            path = folder / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("x", encoding="utf-8") as handle:
                handle.write(text)
            written.append(path)
    except OSError as exc:
        raise ScaffoldError(f"cannot write in {folder}: {exc.strerror or exc}") from None
    return written


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "new",
        help="start a new story in a new folder",
        description="Write a small, valid, playable story to start from into DIR (which must "
        "be new or empty), with the JSON Schema for editors and a test for pytest.",
    )
    p.add_argument("dir", metavar="DIR", help="the new story's folder")
    p.add_argument("--title", help="the story's title (default: from the folder name)")
    p.add_argument("--id", dest="story_id", help="the story's id (default: from the folder name)")
    p.set_defaults(handler=cmd_new)


def cmd_new(args: argparse.Namespace) -> int:
    folder = Path(args.dir)
    try:
        written = write_story(folder, args.title, args.story_id)
    except ScaffoldError as exc:
        print(f"rougegame new: {exc}", file=sys.stderr)
        return 1
    print(f"Wrote a new story in {folder}:")
    for path in written:
        print(f"  {path}")
    target = str(folder)
    print(
        "\nNext:\n"
        f"  play it:                  rougegame play --story {target}\n"
        f"  check it as you write:    rougegame check {target}\n"
        f"  prove every path works:   rougegame playtest {target} --exhaustive\n"
        f"  draw its map:             rougegame graph {target}\n"
        "  the guide:                docs/WRITING.md in the rougegame repository"
    )
    return 0
