"""`rougegame new DIR`: a valid, clean, playable story with the schema beside it."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from rougegame import cli
from rougegame.story.loader import load_story
from rougegame.story.schema import build_schema
from rougegame.tools.lint import lint
from rougegame.tools.playtest import assert_story_complete
from rougegame.tools.scaffold import ScaffoldError, story_id, story_title, write_story
from rougegame.tools.search import exhaustive_playtest


def test_new_writes_a_clean_playable_story(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "lantern-keeper"
    assert cli.main(["new", str(folder)]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"Wrote a new story in {folder}:\n  {folder / 'story.yaml'}\n")
    assert f"rougegame playtest {folder} --exhaustive" in out
    files = sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())
    assert files == [
        "chapters/01_opening.yaml",
        "rougegame.schema.json",
        "story.yaml",
        "tests/test_story.py",
    ]
    manifest = (folder / "story.yaml").read_text(encoding="utf-8")
    assert manifest.startswith("# yaml-language-server: $schema=rougegame.schema.json\n")
    chapter = (folder / "chapters" / "01_opening.yaml").read_text(encoding="utf-8")
    assert chapter.startswith("# yaml-language-server: $schema=../rougegame.schema.json\n")
    schema = json.loads((folder / "rougegame.schema.json").read_text(encoding="utf-8"))
    assert schema == build_schema()

    story = load_story(folder, use_cache=False)
    assert (story.id, story.title) == ("lantern-keeper", "Lantern Keeper")
    assert lint(story) == [] and story.warnings == []
    report = exhaustive_playtest(story)
    assert report.complete and report.ok
    assert report.not_reached == [] and report.not_taken == []
    assert {e.id for e in report.endings.values() if e.count} == {"lighthouse", "home"}
    assert_story_complete(folder, require_all_choices=True)
    assert cli.main(["check", "--strict", str(folder)]) == 0


def test_the_story_test_it_writes_passes(tmp_path: Path) -> None:
    folder = tmp_path / "story"
    write_story(folder)
    spec = importlib.util.spec_from_file_location("story_test", folder / "tests" / "test_story.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert folder.resolve() == module.STORY
    module.test_every_scene_and_ending_is_reachable()


def test_title_and_id_options(tmp_path: Path) -> None:
    folder = tmp_path / "x"
    assert cli.main(["new", str(folder), "--title", 'A "Quoted" Title: Part 1', "--id", "q-1"]) == 0
    story = load_story(folder, use_cache=False)
    assert (story.id, story.title) == ("q-1", 'A "Quoted" Title: Part 1')


def test_refuses_to_overwrite(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "taken"
    folder.mkdir()
    (folder / "notes.txt").write_text("mine", encoding="utf-8")
    assert cli.main(["new", str(folder)]) == 1
    assert "is not empty; choose a new folder so nothing is overwritten" in capsys.readouterr().err
    assert [p.name for p in folder.iterdir()] == ["notes.txt"]
    afile = tmp_path / "file"
    afile.write_text("x", encoding="utf-8")
    with pytest.raises(ScaffoldError, match="is a file, not a folder"):
        write_story(afile)
    with pytest.raises(ScaffoldError, match="cannot be a story id"):
        write_story(tmp_path / "ok", sid="no spaces")
    empty = tmp_path / "empty"
    empty.mkdir()
    assert len(write_story(empty)) == 4  # an empty folder is fine


@pytest.mark.parametrize(
    ("name", "sid", "title"),
    [
        ("my-story", "my-story", "My Story"),
        ("The Lantern!", "the-lantern", "The Lantern!"),
        ("under_score", "under_score", "Under Score"),
        ("---", "my-story", "My Story"),
    ],
)
def test_names_from_the_folder(name: str, sid: str, title: str) -> None:
    assert story_id(name) == sid
    assert story_title(name) == title
