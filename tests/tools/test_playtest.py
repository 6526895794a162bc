"""`rougegame playtest`: coverage, endings, softlocks, errors and traps with their paths."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from rougegame import cli
from rougegame.story.expressions import Value, parse_expression
from rougegame.story.loader import load_story
from rougegame.story.model import Story
from rougegame.tools.explore import visit_caps
from rougegame.tools.plain import run_plain
from rougegame.tools.playtest import assert_story_complete
from rougegame.tools.report import format_report, report_dict
from rougegame.tools.search import exhaustive_playtest, guided_playtest, random_playtest

MakeStory = Callable[..., Path]
ROOT = Path(__file__).resolve().parents[2]
TOUR = ROOT / "examples" / "tour"

MANIFEST = """\
format: 1
id: planted
title: Planted Faults
start: a.start
variables:
  gold: {initial: 0, min: 0, max: 3}
  key: false
codex: {}
"""

# A softlock (a.stuck offers only a disabled choice), a runtime error (division by zero when
# gold is 1), a trap (a.loop never leads anywhere) and an ending no path reaches.
FAULTS = """\
chapter: a
title: A
nodes:
  start:
    text: You have {gold} gold.
    choices:
      - text: Go left.
        to: left
      - text: Go right.
        to: right
  left:
    text: Left.
    effects: [gold += 1]
    choices:
      - text: Back.
        to: start
      - text: Door.
        to: door
        if: gold >= 2
  right:
    text: Right.
    choices:
      - text: Divide.
        to: start
        effects: [gold = 6 / (gold - 1)]
      - text: Stuck.
        to: stuck
  stuck:
    text: Nothing here.
    choices:
      - text: Use the key.
        to: start
        if: key
        reason: You need a key.
  door:
    text: A door.
    choices:
      - text: Loop.
        to: loop
      - text: Win.
        to: win
  loop:
    text: Round.
    choices:
      - text: Round again.
        to: loop
  win:
    text: Won.
    ending: {id: win, title: Win}
  orphan_end:
    text: Never.
    ending: {id: lost_end, title: Lost}
"""


@pytest.fixture
def faults(make_story: MakeStory) -> Path:
    return make_story({"story.yaml": MANIFEST, "chapters/a.yaml": FAULTS}, name="faults")


def steps(finding_path: list[object]) -> list[tuple[str, int, str]]:
    return [(s.node, s.number, s.text) for s in finding_path]  # type: ignore[attr-defined]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


# -- the tour ------------------------------------------------------------------------------------


def test_random_runs_on_the_tour(tour_story: Story) -> None:
    report = random_playtest(tour_story, runs=50, seed=1)
    assert report.ok and report.findings == []
    assert report.reached == set(tour_story.nodes)
    # "Ask for your dose back" needs trust 3, which no path gives before the gate.
    assert report.not_taken == [("lock.gate", 2)]
    assert len(report.choices) == 8
    assert report.endings["through_the_lock"].count == 50
    assert (report.finished_runs, report.softlocked_runs, report.failed_runs) == (50, 0, 0)


def test_exhaustive_search_of_the_tour_is_complete(tour_story: Story) -> None:
    report = exhaustive_playtest(tour_story)
    assert report.complete is True and report.pending == 0
    assert report.ok
    assert report.not_reached == []
    assert report.not_taken == [("lock.gate", 2)]
    shortest = report.endings["through_the_lock"].shortest
    assert shortest is not None
    assert steps(shortest) == [
        ("dock.quay", 2, "Pay the toll: one dose."),
        ("lock.gate", 1, "Ride the barge through in silence."),
    ]


def test_same_seed_same_report(tour_story: Story, faults: Path) -> None:
    story = load_story(faults, use_cache=False)
    for subject in (tour_story, story):
        first = report_dict(random_playtest(subject, runs=40, seed=7, max_steps=60), subject)
        again = report_dict(random_playtest(subject, runs=40, seed=7, max_steps=60), subject)
        assert first == again
        assert json.dumps(first)  # JSON-ready
    guided = report_dict(guided_playtest(story, runs=40, seed=3, max_steps=60), story)
    assert guided == report_dict(guided_playtest(story, runs=40, seed=3, max_steps=60), story)


def test_the_command_on_the_tour(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "playtest", str(TOUR), "--runs", "20")
    assert code == 0 and err == ""
    assert "20 runs from the start, random choices, seed 0" in out
    assert "Nodes    6 of 6 reached (100%)" in out
    assert "Choices  7 of 8 taken (88%)" in out
    assert "tour/chapters/02_lock.yaml:14:9  lock.gate, choice 3: “Ask for your dose back.”" in out
    assert "through_the_lock “Through the Lock”: 20 runs (100%)" in out
    assert out.rstrip().endswith("No runtime errors, softlocks or traps.")
    code, out, _ = run(capsys, "playtest", str(TOUR), "--exhaustive")
    assert code == 0
    assert "exhaustive search: all " in out and "distinct states explored" in out
    assert "through_the_lock “Through the Lock”: reached, shortest path 2 choices" in out


# -- planted faults ------------------------------------------------------------------------------


def test_exhaustive_finds_each_planted_fault_with_its_shortest_path(faults: Path) -> None:
    story = load_story(faults, use_cache=False)
    report = exhaustive_playtest(story)
    assert report.complete is True
    by_kind = {f.kind: f for f in report.findings}
    assert set(by_kind) == {"softlock", "error", "trap"}

    softlock = by_kind["softlock"]
    assert softlock.node == "a.stuck"
    assert str(softlock.where) == "faults/chapters/a.yaml:28:3"
    assert steps(softlock.path) == [("a.start", 2, "Go right."), ("a.right", 2, "Stuck.")]

    error = by_kind["error"]
    assert (error.node, error.message) == ("a.right", "division by zero")
    assert str(error.where) == "faults/chapters/a.yaml:23:9"  # the choice whose effect failed
    assert error.state == {"gold": 1}
    assert steps(error.path) == [
        ("a.start", 1, "Go left."),
        ("a.left", 1, "Back."),
        ("a.start", 2, "Go right."),
        ("a.right", 1, "Divide."),
    ]

    trap = by_kind["trap"]
    assert trap.node == "a.loop"
    assert steps(trap.path)[-2:] == [("a.left", 2, "Door."), ("a.door", 1, "Loop.")]
    assert len(trap.path) == 5

    assert report.not_reached == ["a.orphan_end"]
    assert [e.id for e in report.endings_not_reached] == ["lost_end"]
    assert ("a.stuck", 0) in report.not_taken


def test_the_softlock_path_really_reproduces_it(faults: Path, tmp_path: Path) -> None:
    story = load_story(faults, use_cache=False)
    report = exhaustive_playtest(story)
    softlock = next(f for f in report.findings if f.kind == "softlock")
    script = "".join(f"{s.number}\n" for s in softlock.path)
    out = io.StringIO()
    assert run_plain(story, tmp_path, stdin=io.StringIO(script), stdout=out) == 0
    assert "There is no way on from here" in out.getvalue()
    assert "1. Use the key. (unavailable: You need a key.)" in out.getvalue()


def test_random_runs_find_the_faults_too(faults: Path) -> None:
    story = load_story(faults, use_cache=False)
    report = random_playtest(story, runs=60, seed=0, max_steps=50)
    kinds = {f.kind for f in report.findings}
    assert kinds == {"softlock", "error"}  # traps need the exhaustive search
    assert report.step_limited > 0  # runs that went round a.loop until the limit
    total = report.finished_runs + report.softlocked_runs + report.failed_runs
    assert total + report.step_limited == 60
    softlock = next(f for f in report.findings if f.kind == "softlock")
    assert softlock.count == report.softlocked_runs
    assert steps(softlock.path) == [("a.start", 2, "Go right."), ("a.right", 2, "Stuck.")]


def test_the_command_reports_faults_and_exits_1(
    capsys: pytest.CaptureFixture[str], faults: Path
) -> None:
    code, out, _ = run(capsys, "playtest", str(faults), "--exhaustive")
    assert code == 1
    assert (
        "SOFTLOCK in a.stuck (faults/chapters/a.yaml:28:3): no choice is available and this "
        "is not an ending"
    ) in out
    assert "    1. [a.start] 2 “Go right.”\n    2. [a.right] 2 “Stuck.”" in out
    assert f"  replay: printf '2\\n2\\n' | rougegame play --plain --story {faults}" in out
    assert "ERROR in a.right (faults/chapters/a.yaml:23:9): division by zero" in out
    assert "  variables changed: gold = 1" in out
    assert "TRAP in a.loop" in out
    assert "lost_end “Lost”: NOT reached (faults/chapters/a.yaml:50:3)" in out
    assert out.rstrip().endswith("Found: 1 error, 1 softlock, 1 trap.")


def test_json_output(capsys: pytest.CaptureFixture[str], faults: Path) -> None:
    code, out, _ = run(capsys, "playtest", str(faults), "--exhaustive", "--format", "json")
    assert code == 1
    data = json.loads(out)
    assert data["ok"] is False and data["complete"] is True and data["mode"] == "exhaustive"
    assert data["nodes"]["total"] == 8
    assert data["nodes"]["not_reached"] == [
        {"node": "a.orphan_end", "where": "faults/chapters/a.yaml:50:3"}
    ]
    softlock = next(f for f in data["findings"] if f["kind"] == "softlock")
    assert softlock["path"] == [
        {"node": "a.start", "choice": 1, "number": 2, "text": "Go right."},
        {"node": "a.right", "choice": 1, "number": 2, "text": "Stuck."},
    ]
    endings = {e["id"]: e for e in data["endings"]}
    assert endings["win"]["reached"] is True and endings["lost_end"]["reached"] is False
    assert [s["text"] for s in endings["win"]["shortest"]] == [
        "Go left.",
        "Back.",
        "Go left.",
        "Door.",
        "Win.",
    ]


# -- the search itself ---------------------------------------------------------------------------

COUNTER = """\
chapter: a
title: A
nodes:
  start:
    text: Tick {count}.
    choices:
      - text: Again.
        to: start
        effects: [count += 1]
      - text: Stop.
        to: done
  done:
    text: Done.
    ending: {id: done, title: Done}
"""


def test_the_budget_cuts_the_search_short_and_says_so(
    capsys: pytest.CaptureFixture[str], make_story: MakeStory
) -> None:
    manifest = MANIFEST.replace("  key: false\n", "  key: false\n  count: 0\n")
    root = make_story({"story.yaml": manifest, "chapters/a.yaml": COUNTER}, name="counter")
    report = exhaustive_playtest(load_story(root, use_cache=False), budget=50)
    assert report.complete is False
    assert report.states == 50 and report.pending > 0
    assert report.ok  # an unfinished search proves nothing but found nothing either
    code, out, _ = run(capsys, "playtest", str(root), "--exhaustive", "--budget", "50")
    assert code == 0
    assert f"stopped at its budget of 50 states with {report.pending} more waiting" in out
    assert "The search did not finish" in out


VISITS = """\
chapter: a
title: A
nodes:
  start:
    text: The hub.
    choices:
      - text: Walk around.
        to: walk
      - text: The secret door.
        to: secret
        if: visits(walk) >= 3
  walk:
    text: You walk.
    choices:
      - text: Back.
        to: start
  secret:
    text: Found it.
    ending: {id: secret, title: Secret}
"""


def test_visit_counts_that_matter_split_states_and_others_do_not(make_story: MakeStory) -> None:
    root = make_story({"story.yaml": MANIFEST, "chapters/a.yaml": VISITS}, name="visits")
    story = load_story(root, use_cache=False)
    report = exhaustive_playtest(story)
    assert report.complete is True
    assert report.endings["secret"].count == 2  # after three walks, and after four
    shortest = report.endings["secret"].shortest
    assert shortest is not None and len(shortest) == 7  # three walks there and back, then in
    # `visits(walk) >= 3` cannot tell 4 walks from 40: counts are capped at 4, so the search
    # ends with start at 0-4 walks, walk at 1-4 and the secret reached after 3 or 4.
    assert report.states == 11
    looped = VISITS.replace("if: visits(walk) >= 3", "if: gold >= 1")
    root = make_story({"story.yaml": MANIFEST, "chapters/a.yaml": looped}, name="hub")
    report = exhaustive_playtest(load_story(root, use_cache=False))
    assert report.complete is True and report.states == 2  # visits nobody reads do not count
    assert [f.kind for f in report.findings] == ["trap"]


@pytest.mark.parametrize(
    ("source", "caps"),
    [
        ("visits(a.x) >= 3", [("a.x", 4)]),
        ("2 < visits(a.x) and visited(a.y)", [("a.x", 3), ("a.y", 1)]),
        ("visits(a.x) + 1 > 2", [("a.x", None)]),
        ("min(visits(a.x), 3) == 1", [("a.x", None)]),
        ("not (visits(a.x) == 0.5)", [("a.x", 1)]),
    ],
)
def test_visit_caps(source: str, caps: list[tuple[str, int | None]]) -> None:
    assert list(visit_caps(parse_expression(source))) == caps


def test_an_error_entering_the_start_is_reported(make_story: MakeStory) -> None:
    chapter = FAULTS.replace(
        "    text: You have {gold} gold.\n", "    text: x\n    effects: [gold = 1 / gold]\n", 1
    )
    root = make_story({"story.yaml": MANIFEST, "chapters/a.yaml": chapter}, name="bad-start")
    story = load_story(root, use_cache=False)
    for report in (exhaustive_playtest(story), random_playtest(story, runs=3)):
        assert [(f.kind, f.node, f.message, f.path) for f in report.findings] == [
            ("error", "a.start", "division by zero", [])
        ]


# -- starting anywhere ---------------------------------------------------------------------------


def test_from_a_node_with_values(capsys: pytest.CaptureFixture[str], faults: Path) -> None:
    story = load_story(faults, use_cache=False)
    report = exhaustive_playtest(story, start="a.left", values={"gold": 1})
    assert report.start == "a.left" and not report.from_story_start
    assert report.endings["win"].shortest is not None
    # Starting at a.left runs its effects (gold += 1), so the door is open at once.
    assert steps(report.endings["win"].shortest) == [("a.left", 2, "Door."), ("a.door", 2, "Win.")]
    assert "lost_end" not in report.endings  # only what can be reached from a.left counts
    code, out, _ = run(
        capsys, "playtest", str(faults), "--exhaustive", "--from", "door", "--set", "gold=3"
    )
    assert code == 1  # the loop is still a trap
    assert "  from a.door with gold = 3" in out
    assert "Nodes    3 of 3 reached (100%)" in out
    assert "replay:" not in out  # plain mode always starts at the start


def test_from_a_node_that_only_falls_through(make_story: MakeStory) -> None:
    chapter = FAULTS.replace(
        "        reason: You need a key.\n",
        "        reason: You need a key.\n      - {kind: fallback, to: left}\n",
        1,
    )
    root = make_story({"story.yaml": MANIFEST, "chapters/a.yaml": chapter}, name="fall")
    story = load_story(root, use_cache=False)
    # Without the key a.stuck offers nothing but its fallback, so every run goes on at once to
    # a.left, whose effect runs on the way (gold 1: one more visit to a.left opens the door).
    report = exhaustive_playtest(story, start="a.stuck")
    assert {"a.stuck", "a.left"} <= report.reached
    shortest = report.endings["win"].shortest
    assert shortest is not None
    assert steps(shortest) == [
        ("a.left", 1, "Back."),
        ("a.start", 1, "Go left."),
        ("a.left", 2, "Door."),
        ("a.door", 2, "Win."),
    ]
    # With the key, a.stuck has a choice to offer and the run starts there.
    report = exhaustive_playtest(story, start="a.stuck", values={"key": True})
    shortest = report.endings["win"].shortest
    assert shortest is not None
    assert steps(shortest)[0] == ("a.stuck", 1, "Use the key.")


@pytest.mark.parametrize(
    ("start", "values", "message"),
    [
        ("a.nowhere", {}, "no node `a.nowhere`"),
        (None, {"gild": 1}, "no variable `gild`; did you mean `gold`?"),
        (None, {"gold": "lots"}, "`gold` is a number, not 'lots' (text)"),
        ("a.left", {"gold": 9}, "`gold` must be between 0 and 3, not 9"),
        (None, {"key": 1}, "`key` is true or false, not 1 (a number)"),
    ],
)
def test_a_start_that_does_not_fit_the_story_is_refused(
    faults: Path, start: str | None, values: dict[str, Value], message: str
) -> None:
    story = load_story(faults, use_cache=False)
    with pytest.raises(ValueError, match=re.escape(message)):
        exhaustive_playtest(story, start=start, values=values)
    with pytest.raises(ValueError, match=re.escape(message)):
        random_playtest(story, start=start, values=values)
    with pytest.raises(ValueError, match=re.escape(message)):
        guided_playtest(story, start=start, values=values)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--from", "nowhere"], "no node `nowhere`"),
        (["--from", "a.strat"], "no node `a.strat`; did you mean `a.start`?"),
        (["--set", "gold"], "--set takes VAR=VALUE, not 'gold'"),
        (["--set", "gild=1"], "no variable `gild`; did you mean `gold`?"),
        (["--set", "gold=lots"], "`gold` is a number, not 'lots'"),
        (["--set", "gold=9"], "`gold` must be between 0 and 3"),
        (["--set", "key=yes"], "`key` is true or false, not 'yes'"),
        (["--runs", "0"], "--runs must be at least 1"),
        (["--budget", "0"], "--budget must be at least 1"),
    ],
)
def test_bad_start_options_are_usage_errors(
    capsys: pytest.CaptureFixture[str], faults: Path, argv: list[str], message: str
) -> None:
    code, out, err = run(capsys, "playtest", str(faults), *argv)
    assert code == 2
    assert message in err and out == ""


def test_a_story_that_does_not_load(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, err = run(capsys, "playtest", str(tmp_path))
    assert code == 1 and out == ""
    assert "cannot be played" in err and "no story.yaml in this folder" in err


def test_exhaustive_and_guided_are_exclusive(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        cli.main(["playtest", str(TOUR), "--exhaustive", "--guided"])
    assert info.value.code == 2
    assert "not allowed with" in capsys.readouterr().err


def test_text_report_of_a_guided_run(tour_story: Story) -> None:
    report = guided_playtest(tour_story, runs=30, seed=0)
    assert report.ok and report.reached == set(tour_story.nodes)
    text = format_report(report, tour_story)
    assert "30 runs with random choices, seed 0, each starting from the least explored" in text


# -- the pytest helper ---------------------------------------------------------------------------


def test_assert_story_complete_passes_on_the_tour() -> None:
    report = assert_story_complete(TOUR)
    assert report.complete is True and report.mode == "exhaustive"


def test_assert_story_complete_fails_with_the_report(faults: Path) -> None:
    with pytest.raises(AssertionError) as info:
        assert_story_complete(faults)
    message = str(info.value)
    assert message.startswith(
        "3 runtime error(s), softlock(s) or trap(s); 1 node(s) not reached: a.orphan_end; "
        "ending(s) not reached: lost_end"
    )
    assert "SOFTLOCK in a.stuck" in message


def test_assert_story_complete_can_ignore_and_require(make_story: MakeStory) -> None:
    chapter = FAULTS.replace("        to: stuck\n", "        to: win\n")
    chapter = chapter.replace("        to: loop\n", "        to: win\n", 1)
    chapter = chapter.replace("gold = 6 / (gold - 1)", "gold = 2")
    root = make_story({"story.yaml": MANIFEST, "chapters/a.yaml": chapter}, name="ok")
    with pytest.raises(AssertionError, match=re.escape("node(s) not reached: a.stuck, a.loop")):
        assert_story_complete(root)
    report = assert_story_complete(root, ignore=["a.stuck", "a.loop", "a.orphan_end", "lost_end"])
    assert report.ok
    with pytest.raises(AssertionError, match=re.escape("choice(s) never taken")):
        assert_story_complete(
            root, ignore=["a.stuck", "a.loop", "a.orphan_end", "lost_end"], require_all_choices=True
        )


def test_assert_story_complete_on_a_story_that_does_not_load(tmp_path: Path) -> None:
    with pytest.raises(AssertionError, match="the story does not load"):
        assert_story_complete(tmp_path)


def test_the_guided_fallback_reaches_what_the_budget_missed(make_story: MakeStory) -> None:
    manifest = MANIFEST.replace("  key: false\n", "  key: false\n  count: 0\n")
    chapter = (
        COUNTER.replace(
            "      - text: Stop.\n",
            "      - text: The far door.\n        to: far\n        if: count >= 30\n"
            "      - text: Stop.\n",
        )
        + "  far:\n    text: Far.\n    ending: {id: far, title: Far}\n"
    )
    root = make_story({"story.yaml": manifest, "chapters/a.yaml": chapter}, name="far")
    report = assert_story_complete(root, budget=10, runs=300)
    assert report.mode == "exhaustive+guided"
    assert report.endings["far"].count > 0


def test_playtest_is_listed_in_help() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "rougegame", "--help"],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    for command in ("playtest", "graph", "new"):
        assert command in result.stdout
