"""The benchmark runs end to end on a tiny story: its generator writes the agreed shape, and
``bench.py --json`` ends with one JSON object holding exactly the agreed keys.

No timing is asserted here: speed targets live in benchmarks/, not in the test suite.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from rougegame.engine.game import Game
from rougegame.story.loader import load_story

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "benchmarks"
sys.path.insert(0, str(BENCH))

import gen_story  # noqa: E402

KEYS = {
    "cold_load_s",
    "warm_load_s",
    "edit_reload_s",
    "step_us",
    "save_ms",
    "state_bytes",
    "load_save_ms",
    "peak_rss_mb",
    "first_frame_s",
    "textual_floor_s",
    "nodes",
    "words",
}


def test_the_generated_story_has_the_agreed_shape(tmp_path: Path) -> None:
    words = gen_story.generate(250, tmp_path / "s")
    assert sorted(p.name for p in (tmp_path / "s" / "chapters").iterdir()) == [
        "c0000.yaml",
        "c0001.yaml",
        "c0002.yaml",
    ]
    story = load_story(tmp_path / "s", use_cache=False)
    assert len(story.nodes) == 250
    assert {name: var.initial for name, var in story.variables.items()} == {"nectar": 3, "x": 0}
    assert [len(story.chapters[c].nodes) for c in story.chapters] == [100, 100, 50]
    assert story.warnings == []
    ids = list(story.nodes)
    for i, node_id in enumerate(ids):
        node = story.nodes[node_id]
        assert 100 <= node.words <= 118
        forward, long_way = node.choices
        assert forward.target == ids[(i + 1) % 250]
        assert forward.condition_source == "nectar > 2"
        assert forward.effects == []
        assert long_way.target == ids[(i + 7) % 250]
        assert long_way.condition is None
        assert [e.source for e in long_way.effects] == ["x = 1"]
    assert words == sum(story.nodes[n].words for n in ids)
    assert gen_story.generate(250, tmp_path / "again") == words  # the same seed, the same story
    assert (tmp_path / "again" / "chapters" / "c0001.yaml").read_text() == (
        tmp_path / "s" / "chapters" / "c0001.yaml"
    ).read_text()


def test_the_generated_story_plays_around_its_loop(tmp_path: Path) -> None:
    gen_story.generate(120, tmp_path / "s")
    game = Game(load_story(tmp_path / "s", use_cache=False))
    for _ in range(130):  # the first choice always holds: once round the loop and on
        game.choose(game.choices()[0].index)
    assert game.state.node == "c0000.n10"
    game.choose(1)
    assert game.state.node == "c0000.n17"
    assert game.state.vars == {"nectar": 3, "x": 1}


def test_the_generator_refuses_a_story_too_small_for_its_jumps(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="at least 8 nodes"):
        gen_story.generate(7, tmp_path / "s")


def test_bench_prints_every_figure_as_json_last(tmp_path: Path) -> None:
    done = subprocess.run(
        [
            sys.executable,
            str(BENCH / "bench.py"),
            "--nodes",
            "200",
            "--runs",
            "1",
            "--frames",
            "1",
            "--json",
            "--keep",
            str(tmp_path / "work"),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.strip().splitlines()
    results = json.loads(lines[-1])
    assert set(results) == KEYS
    assert results["nodes"] == 200
    assert results["words"] == gen_story.generate(200, tmp_path / "same")
    for key in KEYS - {"nodes", "words"}:
        assert isinstance(results[key], (int, float)) and results[key] > 0, key
    assert results["state_bytes"] > 1000  # a save after 2,000 steps holds their path
    assert results["peak_rss_mb"] > 10
    assert results["first_frame_s"] < 120 and results["textual_floor_s"] < 120
    assert any(line.lstrip().startswith("step_us") for line in lines[:-1])  # the table, too
    assert (tmp_path / "work" / "saves" / "bench.save.json").is_file()
