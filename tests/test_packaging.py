"""The game works away from the checkout: the shipped story is package data, found from anywhere."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

PROBE = """
import json, sys
import rougegame
from rougegame.story.loader import load_story, shipped_story
story = load_story()
print(json.dumps({
    "package": rougegame.__file__,
    "folder": str(shipped_story()),
    "id": story.id,
    "nodes": len(story.nodes),
    "start": story.start,
}))
"""


def probe(cwd: Path, pythonpath: Path | None = None) -> dict[str, object]:
    env = {**os.environ, "ROUGEGAME_CACHE": "off"}
    if pythonpath is not None:
        env["PYTHONPATH"] = str(pythonpath)
    result = subprocess.run(
        [sys.executable, "-c", PROBE],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    report: dict[str, object] = json.loads(result.stdout)
    return report


def test_the_shipped_story_loads_with_the_current_directory_elsewhere(tmp_path: Path) -> None:
    report = probe(cwd=tmp_path)
    assert Path(str(report["folder"]), "story.yaml").is_file()
    assert not str(report["folder"]).startswith(str(tmp_path))
    assert isinstance(report["nodes"], int) and report["nodes"] > 0


def test_check_finds_the_shipped_story_from_anywhere(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "rougegame", "check"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**os.environ, "ROUGEGAME_CACHE": "off"},
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines()[-2].startswith("OK: ") or "OK: " in result.stdout


def test_a_wheel_ships_the_story_and_finds_it(tmp_path: Path) -> None:
    if importlib.util.find_spec("hatchling") is None:
        pytest.skip("hatchling is not installed, so no wheel can be built without the network")
    dist = tmp_path / "dist"
    build = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "--quiet",
            str(ROOT),
            "-w",
            str(dist),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert build.returncode == 0, build.stderr
    (wheel,) = dist.glob("rougegame-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        assert "rougegame/_story/story.yaml" in names
        shipped = sorted(p.name for p in (ROOT / "story" / "chapters").glob("*.yaml"))
        assert shipped, "the campaign has chapter files"
        for name in shipped:
            assert f"rougegame/_story/chapters/{name}" in names
        assert "rougegame/py.typed" in names
        assert not [n for n in names if n.startswith("tests/")]
        site = tmp_path / "site"
        archive.extractall(site)

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    report = probe(cwd=elsewhere, pythonpath=site)
    assert str(report["package"]).startswith(str(site))
    assert report["folder"] == str(site / "rougegame" / "_story")
    assert isinstance(report["nodes"], int) and report["nodes"] > 0
