"""Story and save text cannot drive the terminal or inject markup into the UI.

Every string a story or a save brings to the screen (prose, interpolated values, titles, names,
places, choices, reasons, endings, the codex, the dossier, slot details, problems found while
checking) reaches the player with its control characters replaced by visible symbols, and with
`[markup]` shown exactly as written.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from security_helpers import CONTROL, ESCAPES, yaml_quoted

from rougegame.engine.game import Game
from rougegame.engine.saves import SaveStore, checksum
from rougegame.story.loader import load_story
from rougegame.story.model import Story
from rougegame.story.text import paragraphs, sanitize, spans

MakeStory = Callable[..., Path]
ROOT = Path(__file__).resolve().parents[2]

HOSTILE = "".join(ESCAPES)
MARKUP = "[bold red]loud[/] [link=file:///etc/passwd]x[/link] [@click=app.quit]q[/]"


def q(label: str) -> str:
    """A YAML string holding ``label``, every escape and a piece of Rich markup."""
    return yaml_quoted(f"{label} {HOSTILE} {MARKUP}")


def hostile_files() -> dict[str, str]:
    manifest = f"""\
format: 1
id: hostile
title: {q("title")}
author: {q("author")}
version: {q("1")}
start: a.start
variables:
  word: {{initial: {q("word")}, label: {q("label")}}}
  n: {{initial: 1, label: {q("n")}}}
  status: unknown
codex:
  characters:
    who: {{title: {q("codex title")}, text: {q("codex text")}}}
dossier:
  - {{id: card, name: {q("card")}, variable: status, codex: who}}
"""
    chapter = f"""\
chapter: a
title: {q("chapter")}
nodes:
  start:
    title: {q("node title")}
    speaker: {q("speaker")}
    location: {q("location")}
    effects: [unlock who, n += 1]
    text: {yaml_quoted(f"The word is {{word}}. {HOSTILE} {{if n > 1: more {HOSTILE}}} {MARKUP}")}
    choices:
      - text: {yaml_quoted(f"Go {{word}} {HOSTILE}")}
        to: end
      - text: {q("disabled")}
        to: end
        if: n > 100
        reason: {q("reason")}
  end:
    text: {q("end")}
    ending:
      id: fin
      title: {q("ending")}
      epilogue: {yaml_quoted(f"Epilogue {{word}} {HOSTILE}")}
"""
    return {"story.yaml": manifest, "chapters/a.yaml": chapter}


@pytest.fixture
def hostile(make_story: MakeStory) -> Path:
    return make_story(hostile_files(), name="hostile")


def test_every_hostile_field_loads(hostile: Path) -> None:
    story = load_story(hostile, use_cache=False)
    assert story.title.startswith("title ")


def shown_strings(story: Story) -> list[str]:
    """Everything the game can show the player from this story, as it would show it."""
    game = Game(story)
    out = [story.title, story.author, story.version]
    out += [v.label for v in story.variables.values()]
    out += [f"{e.title} {e.text}" for e in story.codex.values()]
    out += [name for _, name, _ in game.dossier()] + [s for _, _, s in game.dossier()]
    out += [c.title for c in story.chapters.values()]
    passage = game.passage()
    out += [passage.title, passage.chapter_title, passage.speaker or "", passage.location or ""]
    out += passage.paragraphs
    for view in game.choices():
        out += [view.text, view.reason or ""]
    out += [entry.text for entry in game.log]
    game.choose(0)
    ending = game.passage().ending
    assert ending is not None
    out += [ending.title, *ending.epilogue, *game.passage().paragraphs]
    out += [entry.text for entry in game.log]
    return out


def test_no_control_character_reaches_the_player(hostile: Path) -> None:
    shown = shown_strings(load_story(hostile, use_cache=False))
    assert len(shown) > 25
    leaks = [s for s in shown if CONTROL.search(s)]
    assert leaks == []
    # They are shown as visible symbols instead, so an author can see what is in the file.
    assert any("\u241b[31m" in s for s in shown)  # ␛[31m


def test_markup_stays_literal_in_the_engine_output(hostile: Path) -> None:
    game = Game(load_story(hostile, use_cache=False))
    assert any(MARKUP in p for p in game.passage().paragraphs)


def test_markup_stays_literal_in_the_ui_text() -> None:
    from rougegame.ui.text import literal, prose, styled

    for paragraph in [MARKUP, f"*{MARKUP}*", f"**[b]{HOSTILE}[/b]**", "[/]", "\\[x]"]:
        text = styled(paragraph)
        assert text.plain == "".join(sanitize(chunk) for chunk, _ in spans(paragraph))
        assert {str(span.style) for span in text.spans} <= {"italic", "bold"}
        assert not CONTROL.search(text.plain)
    assert literal(MARKUP).plain == MARKUP
    assert not literal(HOSTILE).spans and not CONTROL.search(literal(HOSTILE).plain)
    assert prose([MARKUP, MARKUP]).plain == f"{MARKUP}\n\n{MARKUP}"


def test_sanitize_keeps_text_and_hides_only_controls() -> None:
    assert sanitize("Tab\there\nnew line, ünïcödé, 火星, emoji 🚀") == (
        "Tab\there\nnew line, ünïcödé, 火星, emoji 🚀"
    )
    assert sanitize("\x1b[31m\x07\x00\x7f\x9b") == "\u241b[31m\u2407\u2400\u2421\ufffd"
    for code in [*range(0x20), *range(0x7F, 0xA0)]:
        if chr(code) not in "\t\n":
            assert not CONTROL.search(sanitize(chr(code)))
    assert paragraphs(sanitize("a\r\nb")) == ["a\u240d b"]


# -- text carried by a save ----------------------------------------------------------------


def hostile_save(store: SaveStore, game: Game, slot: str) -> None:
    path = store.save(slot, game)
    payload = json.loads(path.read_text(encoding="utf-8"))
    for key in ("saved_at", "chapter_title", "node_title"):
        payload[key] = f"{key} {HOSTILE}"
    payload["state"]["location"] = f"location {HOSTILE}"
    payload["checksum"] = checksum(payload)  # a careful forger reseals it
    path.write_text(json.dumps(payload), encoding="utf-8")


def test_text_from_a_save_is_cleaned_before_it_is_shown(
    store: SaveStore, tour_story: Story
) -> None:
    hostile_save(store, Game(tour_story), "forged")
    [info] = store.slots()
    assert info.ok
    for text in (info.saved_at, info.chapter_title, info.node_title, info.name):
        assert not CONTROL.search(text)
    assert info.node_title.startswith("node_title \u241b")
    loaded = store.load("forged", tour_story)
    assert loaded.state.location is not None
    assert not CONTROL.search(loaded.state.location)
    assert not CONTROL.search(Game(tour_story, loaded.state).passage().location or "")


def test_a_slot_file_named_with_escapes_is_listed_harmlessly(store: SaveStore) -> None:
    store.ensure()
    (store.root / "\x1b[2Jwipe.save.json").write_text("{}", encoding="utf-8")
    [info] = store.slots()
    assert not info.ok
    assert not CONTROL.search(info.name) and not CONTROL.search(info.problem or "")


# -- the command line ----------------------------------------------------------------------


def run_cli(args: list[str], stdin: str, tmp_path: Path) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "ROUGEGAME_CACHE": "off", "TERM": "xterm-256color"}
    return subprocess.run(
        [sys.executable, "-m", "rougegame", *args],
        input=stdin.encode(),
        capture_output=True,
        cwd=tmp_path,
        env=env,
        timeout=60,
        check=False,
    )


def test_plain_mode_sends_no_control_characters(
    hostile: Path, tmp_path: Path, tour_story: Story
) -> None:
    saves = tmp_path / "saves"
    story = load_story(hostile, use_cache=False)
    hostile_save(SaveStore(saves), Game(story), "forged")
    commands = "look\nhistory\ncodex\nsaves\nload forged\nlook\n1\nhistory\nquit\n"
    result = run_cli(
        ["play", "--plain", "--story", str(hostile), "--saves", str(saves)], commands, tmp_path
    )
    assert result.returncode == 0, result.stderr.decode(errors="replace")
    out = result.stdout.decode("utf-8")
    assert "The word is word" in out and "Epilogue" in out  # it really played to the end
    assert MARKUP in out
    assert not CONTROL.search(out.replace("\r\n", "\n")), [
        line for line in out.splitlines() if CONTROL.search(line)
    ]
    assert not CONTROL.search(result.stderr.decode("utf-8"))


def test_check_reports_hostile_keys_without_sending_them(
    make_story: MakeStory, tmp_path: Path
) -> None:
    evil = yaml_quoted("\x1b]0;owned\x07\x1b[2J")
    root = make_story(
        {
            "chapters/a.yaml": f"""\
                chapter: a
                title: A
                nodes:
                  start:
                    text: Hi.
                    {evil}: 1
                    choices:
                      - {{text: Go, to: {yaml_quoted("nowhere" + chr(0x1B) + "[5m")}}}
                """
        },
        name="evil",
    )
    result = run_cli(["check", str(root)], "", tmp_path)
    assert result.returncode != 0
    out = result.stdout.decode("utf-8") + result.stderr.decode("utf-8")
    assert "unknown key" in out and "nowhere" in out
    assert not CONTROL.search(out), out
    assert "\u241b]0;owned\u2407" in out  # the key is still shown, harmlessly
