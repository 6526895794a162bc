"""Every ```yaml block in docs/*.md is checked against the story format.

How a block is checked depends on what it is:

- a block right after ``<!-- file: NAME/PATH -->`` is the content of that file in the story
  folder NAME that the page builds step by step: at the end of each section (``## ...``) that
  writes such files, the story must load; at the end of the page it must also pass
  ``rougegame check --strict`` and an exhaustive playtest with every node and ending reached;
- a single-file story (a manifest with inline ``chapters:``) must load;
- a manifest must load with a stub chapter holding its start node;
- a chapter file must load with a stub manifest that starts at its first node;
- a block right after ``<!-- run: NAME -->`` holds ``$ rougegame ...`` commands, each followed
  by its output: they are run in order, beside the story folder NAME as the page has built it
  so far, and must print exactly that;
- a mapping whose keys all end in ``_demo`` holds fragments: ``choices_demo`` (a list of
  choices), ``effects_demo``, ``ending_demo``, ``node_demo``, ``nodes_demo``, ``variables_demo``
  or ``codex_demo``; each is placed where it belongs in a chapter and must parse without a
  problem (references to variables or nodes the fragment does not show are not checked).
"""

from __future__ import annotations

import os
import re
import shlex
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from rougegame import cli
from rougegame.story.loader import load_story
from rougegame.story.parse import parse_chapter
from rougegame.story.problems import StoryError, format_problems
from rougegame.story.yamlsafe import load_yaml
from rougegame.tools.lint import lint
from rougegame.tools.search import exhaustive_playtest

DOCS = Path(__file__).resolve().parents[2] / "docs"
FENCE = re.compile(r"^(\s*)```(\w*)\s*$")
NOTE = re.compile(r"^\s*<!--\s*(file|run):\s*(\S+)\s*-->\s*$")


@dataclass(frozen=True)
class Snippet:
    page: str
    line: int
    text: str
    lang: str  # "yaml", or "" for a plain block
    file: str | None  # NAME/PATH from a `<!-- file: ... -->` note
    run: str | None  # NAME from a `<!-- run: NAME -->` note: commands to run and their output
    section: int  # how many `## ` headings come before it

    @property
    def where(self) -> str:
        return f"docs/{self.page}:{self.line}"


def snippets(page: Path) -> list[Snippet]:
    lines = page.read_text(encoding="utf-8").splitlines()
    found: list[Snippet] = []
    i = 0
    while i < len(lines):
        match = FENCE.match(lines[i])
        if not match:
            i += 1
            continue
        start = i
        body: list[str] = []
        i += 1
        while i < len(lines) and lines[i].strip() != "```":
            body.append(lines[i])
            i += 1
        assert i < len(lines), f"docs/{page.name}:{start + 1}: a ``` block is never closed"
        notes: dict[str, str] = {}
        j = start - 1
        while j >= 0 and not lines[j].strip():
            j -= 1
        if j >= 0 and (m := NOTE.match(lines[j])):
            notes[m.group(1)] = m.group(2)
        text = textwrap.dedent("\n".join(body)) + "\n"
        section = sum(1 for line in lines[:start] if line.startswith("## "))
        lang = match.group(2)
        if lang == "yaml" or (lang == "" and notes):
            found.append(
                Snippet(
                    page.name,
                    start + 1,
                    text,
                    lang,
                    notes.get("file"),
                    notes.get("run"),
                    section,
                )
            )
        i += 1
    return found


PAGES = sorted(DOCS.glob("*.md"))
ALL = [s for page in PAGES for s in snippets(page)]
LOOSE = [s for s in ALL if s.lang == "yaml" and s.file is None]
FOLDERS = sorted({(s.page, s.file.split("/", 1)[0]) for s in ALL if s.file})


def test_the_docs_have_snippets() -> None:
    assert {p.name for p in PAGES} >= {"WRITING.md", "story-format.md"}
    assert len([s for s in LOOSE if s.page == "story-format.md"]) >= 7
    assert FOLDERS, "WRITING.md builds a story in files marked <!-- file: ... -->"


def _load(root: Path, where: str) -> Any:
    try:
        return load_story(root, use_cache=False)
    except StoryError as exc:
        pytest.fail(f"{where}: the snippet does not load:\n{format_problems(exc.problems)}")


def _write(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


FRAGMENT_PLACES = {
    "choices": lambda v: {"nodes": {"demo": {"text": "x", "choices": v}}},
    "effects": lambda v: {"nodes": {"demo": {"text": "x", "effects": v}}},
    "ending": lambda v: {"nodes": {"demo": {"text": "x", "ending": v}}},
    "node": lambda v: {"nodes": {"demo": v}},
    "nodes": lambda v: {"nodes": v},
    "variables": lambda v: {"variables": v, "nodes": {"demo": {"text": "x"}}},
    "codex": lambda v: {"codex": v, "nodes": {"demo": {"text": "x"}}},
}


def _check_fragments(snippet: Snippet, data: dict[str, Any]) -> None:
    for key, value in data.items():
        kind = key.removesuffix("_demo")
        assert kind in FRAGMENT_PLACES, (
            f"{snippet.where}: `{key}`: a fragment key is one of "
            + ", ".join(f"{k}_demo" for k in FRAGMENT_PLACES)
        )
        chapter = {"chapter": "demo", "title": "Demo", **FRAGMENT_PLACES[kind](value)}
        text = yaml.safe_dump(chapter, sort_keys=False, allow_unicode=True)
        raw, problems = load_yaml(text.encode(), snippet.where)
        assert not problems, format_problems(problems)
        part, _nodes = parse_chapter(raw, snippet.where, "demo")
        assert not part.problems, f"{snippet.where}: `{key}`:\n{format_problems(part.problems)}"


@pytest.mark.parametrize("snippet", LOOSE, ids=[s.where for s in LOOSE])
def test_snippet(snippet: Snippet, tmp_path: Path) -> None:
    data = yaml.safe_load(snippet.text)
    assert isinstance(data, dict), f"{snippet.where}: a snippet is a YAML mapping"
    if all(str(k).endswith("_demo") for k in data):
        _check_fragments(snippet, data)
    elif "chapters" in data:
        _load(_write(tmp_path, {"single.yaml": snippet.text}) / "single.yaml", snippet.where)
    elif "format" in data or "start" in data:
        chapter, _, node = str(data["start"]).partition(".")
        stub = f"chapter: {chapter}\ntitle: Stub\nnodes:\n  {node}:\n    text: x\n"
        stub += "    ending: {id: stub, title: Stub}\n"
        files = {"story.yaml": snippet.text, f"chapters/{chapter}.yaml": stub}
        _load(_write(tmp_path / "story", files), snippet.where)
    elif "chapter" in data:
        first = next(iter(data["nodes"]))
        manifest = f"format: 1\nid: snippet\ntitle: Snippet\nstart: {data['chapter']}.{first}\n"
        files = {"story.yaml": manifest, "chapters/snippet.yaml": snippet.text}
        _load(_write(tmp_path / "story", files), snippet.where)
    else:
        pytest.fail(
            f"{snippet.where}: not a manifest, a chapter, a single-file story or `*_demo` "
            "fragments, so it cannot be checked"
        )


def _commands(snippet: Snippet) -> list[tuple[list[str], str]]:
    """The `$ rougegame ...` lines of a run block, each with the output shown after it."""
    found: list[tuple[list[str], str]] = []
    for line in snippet.text.splitlines():
        if line.startswith("$ "):
            argv = shlex.split(line[2:].split("  #", 1)[0])
            assert argv[0] == "rougegame", f"{snippet.where}: run blocks hold rougegame commands"
            found.append((argv[1:], ""))
        else:
            assert found, f"{snippet.where}: a run block starts with a `$ rougegame` line"
            argv, out = found[-1]
            found[-1] = (argv, out + line + "\n")
    return found


def _run(snippet: Snippet, cwd: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for argv, expected in _commands(snippet):
        old = Path.cwd()
        os.chdir(cwd)
        try:
            cli.main(argv)
        finally:
            os.chdir(old)
        out, err = capsys.readouterr()
        shown = [line.rstrip() for line in (out + err).rstrip().splitlines()]
        assert shown == expected.rstrip().splitlines(), (
            f"{snippet.where}: `rougegame {' '.join(argv)}` prints something else now"
        )


@pytest.mark.parametrize(("page", "name"), FOLDERS, ids=[f"{p}:{n}" for p, n in FOLDERS])
def test_story_built_step_by_step(
    page: str, name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / name
    mine = [
        s
        for s in ALL
        if s.page == page and (s.run == name or (s.file and s.file.split("/", 1)[0] == name))
    ]
    steps = 0
    for n, snippet in enumerate(mine):
        if snippet.run:
            _run(snippet, tmp_path, capsys)
            continue
        assert snippet.file is not None
        _write(root, {snippet.file.split("/", 1)[1]: snippet.text})
        later = [s for s in mine[n + 1 :] if s.file]
        if (not later or later[0].section != snippet.section) and (root / "story.yaml").is_file():
            _load(root, f"{snippet.where} (the end of its section)")
            steps += 1
    assert steps, f"docs/{page}: the story `{name}` never has a manifest and a chapter"
    story = _load(root, f"docs/{page}: the finished `{name}`")
    warnings = [p.format() for p in story.warnings + lint(story)]
    assert warnings == [], f"docs/{page}: the finished `{name}` has warnings"
    report = exhaustive_playtest(story)
    assert report.complete and report.ok, f"docs/{page}: `{name}` fails its playtest"
    assert report.not_reached == [] and report.endings_not_reached == []
