"""The session behind the screens (no Textual): load rebuilds history, reload migrates, export."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from rougegame.engine.saves import AUTOSAVE, SaveError, SaveStore
from rougegame.story.loader import load_story
from rougegame.story.model import Story
from rougegame.ui.session import Session


def clock() -> float:
    return 0.0


def test_choose_autosaves_and_records_the_ending(tour_story: Story, tmp_path: Path) -> None:
    session = Session(tour_story, tmp_path, clock=clock)
    session.new_game()
    outcome = session.choose(1)  # pay the toll
    assert outcome.unlocked == ["The toll"]
    assert not outcome.ending
    assert SaveStore(tmp_path).load(AUTOSAVE, tour_story).state.node == "lock.gate"
    outcome = session.choose(1)  # ride through
    assert outcome.ending and outcome.new_ending
    assert [e[1] for e in session.endings()] == ["Through the Lock"]
    session.new_game()
    session.choose(1)
    again = session.choose(1)
    assert again.ending and not again.new_ending
    assert session.endings()[0][3] == 2  # reached twice


def test_load_replays_the_path_for_history_and_undo(tour_story: Story, tmp_path: Path) -> None:
    session = Session(tour_story, tmp_path, clock=clock)
    game = session.new_game()
    session.choose(0)
    session.choose(0)
    session.save("slot")
    log = list(game.log)
    fresh = Session(tour_story, tmp_path, clock=clock)
    assert fresh.load("slot") == []
    assert fresh.game is not None
    assert fresh.game.log == log
    assert fresh.game.can_undo
    fresh.game.undo()
    assert fresh.game.state.node == "dock.door"


def test_load_of_a_changed_story_keeps_the_state(tour_story: Story, tmp_path: Path) -> None:
    session = Session(tour_story, tmp_path / "saves", clock=clock)
    session.new_game()
    session.choose(0)
    session.save("slot")
    copy = tmp_path / "tour"
    shutil.copytree(Path(tour_story.root), copy)
    dock = copy / "chapters" / "01_dock.yaml"
    dock.write_text(dock.read_text().replace("Knocking is for guests", "Knock, knock"))
    changed = load_story(copy, use_cache=False)
    other = Session(changed, tmp_path / "saves", clock=clock)
    notes = other.load("slot")
    assert any("another version" in n for n in notes)
    assert other.game is not None
    assert other.game.state.node == "dock.door"


def test_reload_refuses_a_story_with_another_id(tour_story: Story, tmp_path: Path) -> None:
    session = Session(tour_story, tmp_path, clock=clock)
    session.new_game()
    copy = tmp_path / "tour"
    shutil.copytree(Path(tour_story.root), copy)
    manifest = copy / "story.yaml"
    manifest.write_text(manifest.read_text().replace("id: feature-tour", "id: other-story"))
    with pytest.raises(SaveError, match="id changed"):
        session.reload(load_story(copy, use_cache=False))
    assert session.story is tour_story


def test_codex_new_marks_and_the_title_view(tour_story: Story, tmp_path: Path) -> None:
    session = Session(tour_story, tmp_path, clock=clock)
    session.new_game()
    assert [(i.entry.id, i.new) for i in session.codex()] == [("quay", True)]
    session.mark_codex_seen()
    session.choose(0)
    assert [(i.entry.id, i.new) for i in session.codex()] == [("keeper", True), ("quay", False)]
    session.game = None
    again = Session(tour_story, tmp_path, clock=clock)
    assert {i.entry.id for i in again.codex()} == {"keeper", "quay"}


def test_export_writes_markdown_in_the_saves_folder(tour_story: Story, tmp_path: Path) -> None:
    session = Session(tour_story, tmp_path, clock=clock)
    session.new_game()
    session.choose(0)
    path = session.export_transcript(datetime(2128, 1, 10, 21, 30, tzinfo=UTC))
    assert path.parent == tmp_path
    assert path.name == "transcript-feature-tour-21280110-213000.md"
    text = path.read_text()
    assert "## The Quay" in text
    assert "[toll: one dose]" in text
    assert "*NO PASSAGE AFTER DARK*" in text


def test_nothing_to_save_without_a_game(tour_story: Story, tmp_path: Path) -> None:
    session = Session(tour_story, tmp_path, clock=clock)
    with pytest.raises(SaveError):
        session.save("slot")
    assert session.autosave() is None
    assert session.continue_info() is None


def test_an_unwritable_saves_folder_is_a_warning_not_a_crash(
    tour_story: Story, tmp_path: Path
) -> None:
    blocker = tmp_path / "saves"
    blocker.write_text("a file where the folder should be")
    session = Session(tour_story, blocker, clock=clock)
    session.new_game()
    outcome = session.choose(0)
    assert any("Autosave failed" in w for w in outcome.warnings)
    assert session.game is not None and session.game.state.node == "dock.door"


def test_continue_ignores_the_autosave_of_another_story(
    tour_story: Story, load_files: Callable[[dict[str, str]], Story], tmp_path: Path
) -> None:
    other = load_files(
        {
            "chapters/a.yaml": """\
            chapter: a
            title: A
            nodes:
              start:
                text: Hello.
                choices:
                  - {text: On., to: start}
            """
        }
    )
    theirs = Session(other, tmp_path, clock=clock)
    theirs.new_game()
    theirs.choose(0)
    assert theirs.continue_info() is not None
    assert Session(tour_story, tmp_path, clock=clock).continue_info() is None
