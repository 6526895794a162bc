"""`rougegame graph`: Mermaid and DOT maps with labels, conditions and marks, escaped safely."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from rougegame import cli
from rougegame.story.loader import load_story
from rougegame.story.model import Story
from rougegame.tools.graph import (
    build_map,
    dot_text,
    edge_label,
    mermaid_id,
    mermaid_text,
    to_dot,
    to_mermaid,
)

MakeStory = Callable[..., Path]
ROOT = Path(__file__).resolve().parents[2]
TOUR = ROOT / "examples" / "tour"

MARKS = """\
chapter: a
title: A
nodes:
  start:
    text: s
    choices:
      - text: On.
        to: b.middle
      - text: Nowhere.
        to: stuck
  stuck:
    text: Stuck.
  orphan:
    text: Nobody comes.
    choices: [{text: Out., to: b.end}]
"""
MARKS_B = """\
chapter: b
title: B
nodes:
  middle:
    text: m
    choices:
      - text: "Say \\"hi\\"; #1 --> {n} <b> & | end"
        to: end
        if: n >= 2 and word != "a;b"
        kind: once
      - kind: fallback
        to: end
  end:
    text: e
    ending: {id: fin, title: The "End"}
"""


@pytest.fixture
def marked(make_story: MakeStory) -> Story:
    root = make_story({"chapters/a.yaml": MARKS, "chapters/b.yaml": MARKS_B})
    return load_story(root, use_cache=False)


def test_mermaid_map_of_the_tour(tour_story: Story) -> None:
    text = to_mermaid(build_map(tour_story))
    lines = text.splitlines()
    assert lines[:5] == [
        "---",
        'title: "The Lock-Keeper\'s Night"',
        "---",
        "stateDiagram-v2",
        "    direction LR",
    ]
    assert '    state "Wet stone · dock.quay" as dock__quay' in lines
    assert '    state "Through · lock.through · ENDING: Through the Lock" as lock__through' in lines
    assert "    [*] --> dock__quay" in lines
    assert "    dock__quay --> dock__door: Knock on the lock-keeper's door. (once)" in lines
    assert (
        "    dock__quay --> lock__gate: Pay the toll: one dose. [if nectar #gt;= 1 and not paid]"
        in lines
    )
    assert (
        "    dock__door --> dock__quay: Promise you mean no harm. | "
        "Say nothing and go back to the quay." in lines
    )
    assert "    dock__wait --> dock__quay: auto" in lines
    assert "    lock__thanks --> lock__through: auto: (The barge moves on.)" in lines
    assert "    lock__through --> [*]" in lines
    assert "    class lock__through ending" in lines
    assert len([x for x in lines if x.startswith("    state ")]) == 6


def test_dot_map_of_the_tour(tour_story: Story) -> None:
    text = to_dot(build_map(tour_story))
    assert text.startswith('digraph "feature-tour" {\n')
    assert text.rstrip().endswith("}")
    assert '    subgraph "cluster_dock" {' in text and '    subgraph "cluster_lock" {' in text
    assert '    "__start__" -> "dock.quay";' in text
    assert (
        '    "dock.quay" -> "lock.gate" [label="Pay the toll: one dose.\\n'
        '[if nectar >= 1 and not paid]"];' in text
    )
    assert (
        '    "lock.thanks" -> "lock.through" [label="auto: (The barge moves on.)", style=dashed];'
        in text
    )
    assert 'label="Through\\nlock.through\\nENDING: Through the Lock", peripheries=2' in text
    arrows = re.findall(r'^    "[a-z.]+" -> "[a-z.]+"', text, flags=re.M)
    assert len(arrows) == sum(len(n.choices) for n in tour_story.nodes.values())


def test_marks_for_dead_ends_unreachable_nodes_and_endings(marked: Story) -> None:
    smap = build_map(marked)
    assert smap.nodes["a.stuck"].dead_end and not smap.nodes["a.stuck"].unreachable
    assert smap.nodes["a.orphan"].unreachable
    assert smap.nodes["b.end"].ending == 'The "End"'
    mermaid = to_mermaid(smap)
    assert "    class a__stuck deadend" in mermaid
    assert "    class a__orphan unreachable" in mermaid
    assert "    class b__end ending" in mermaid
    assert "DEAD END" in mermaid and "UNREACHABLE" in mermaid
    dot = to_dot(smap)
    assert (
        '"a.orphan" [label="Orphan\\na.orphan\\nUNREACHABLE", style="rounded,dashed,filled"' in dot
    )
    assert '"a.stuck" [label="Stuck\\na.stuck\\nDEAD END", fillcolor="#ffe3e3"' in dot


def test_labels_are_escaped(marked: Story) -> None:
    mermaid = to_mermaid(build_map(marked, "b"))
    arrow = next(x for x in mermaid.splitlines() if x.startswith("    b__middle --> b__end"))
    label = arrow.split(": ", 1)[1]
    bare = re.sub(r"#\w+;", "", label)  # what is left outside Mermaid's entity codes
    for raw in ('"', ";", "#", "<", ">", "{", "}", "&"):
        assert raw not in bare
    assert label.startswith(
        "Say #quot;hi#quot;#59; #35;1 --#gt; #123;n#125; #lt;b#gt; #amp; #124; end"
    )
    assert "[if n #gt;= 2 and word != #quot;a#59;b#quot;] (once) | auto" in label
    assert 'state "End · b.end · ENDING: The #quot;End#quot;" as b__end' in mermaid
    dot = to_dot(build_map(marked, "b"))
    assert '[label="Say \\"hi\\"; #1 --> {n} <b> & | end\\n[if n >= 2 and word != \\"a;b\\"]' in dot
    assert dot_text('back\\slash "q"\nline') == '"back\\\\slash \\"q\\"\\nline"'
    assert mermaid_text('a "b"\n  c') == "a #quot;b#quot; c"


def test_one_chapter_with_stand_ins_for_the_others(marked: Story) -> None:
    smap = build_map(marked, "b")
    assert [n for n, node in smap.nodes.items() if not node.external] == ["b.middle", "b.end"]
    assert [n for n, node in smap.nodes.items() if node.external] == ["a.start", "a.orphan"]
    mermaid = to_mermaid(smap)
    assert "[*] -->" not in mermaid  # the start is in another chapter
    assert '    state "a.start (A)" as a__start' in mermaid
    assert "    class a__start external" in mermaid
    assert "    a__start --> b__middle: On." in mermaid
    dot = to_dot(smap)
    assert "__start__" not in dot
    assert '"a.start" [label="a.start\\nA", style="dashed"' in dot


def test_label_width(tour_story: Story) -> None:
    smap = build_map(tour_story)
    edge = next(e for e in smap.edges if e.text.startswith("Wait for"))
    assert edge_label(edge, 12) == ["Wait for th…", "[if not dock_wa…]"]
    assert edge_label(edge, 0)[0] == "Wait for the lock-keeper to come out."


def test_mermaid_ids_are_unique() -> None:
    taken: dict[str, str] = {}
    assert mermaid_id("a.b__c", taken) == "a__b__c"
    assert mermaid_id("a__b.c", taken) == "a__b__c_2"


def test_the_command(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert cli.main(["graph", str(TOUR)]) == 0
    assert capsys.readouterr().out.startswith("---\ntitle:")
    assert cli.main(["graph", str(TOUR), "--format", "dot", "--chapter", "lock"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("digraph") and '"lock.gate"' in out and "cluster_dock" not in out
    target = tmp_path / "map.mmd"
    assert cli.main(["graph", str(TOUR), "--out", str(target)]) == 0
    assert capsys.readouterr().out == f"Wrote {target} (6 nodes, 10 arrows).\n"
    assert target.read_text(encoding="utf-8").startswith("---\ntitle:")


def test_command_errors(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert cli.main(["graph", str(TOUR), "--chapter", "dcok"]) == 2
    assert "no chapter `dcok`; did you mean `dock`?" in capsys.readouterr().err
    assert cli.main(["graph", str(tmp_path)]) == 1
    assert "cannot be drawn" in capsys.readouterr().err
    assert cli.main(["graph", str(TOUR), "--out", str(tmp_path / "no" / "such" / "x.dot")]) == 1
    assert "cannot write" in capsys.readouterr().err


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz is not installed")
def test_graphviz_accepts_the_dot(marked: Story, tour_story: Story) -> None:
    for story in (marked, tour_story):
        result = subprocess.run(
            ["dot", "-Tsvg"],
            input=to_dot(build_map(story)),
            capture_output=True,
            text=True,
            check=False,
            timeout=60,
        )
        assert result.returncode == 0, result.stderr
        assert "<svg" in result.stdout
