"""Starting a game anywhere (`Game.at`) and putting a game in a state (`Game.restore`)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from rougegame.engine.game import Game, StoryRuntimeError
from rougegame.story.expressions import Value
from rougegame.story.loader import load_story
from rougegame.story.model import Story
from shared_helpers import Clock

MakeStory = Callable[..., Path]

MANIFEST = """\
format: 1
id: anywhere
title: Starting Anywhere
version: "1.0"
start: a.start
variables:
  n: {initial: 1, min: 0, max: 5}
  coins: {initial: 0, min: 0}
  word: calm
  flag: false
codex:
  places:
    dock: {title: The dock, text: Wet stone.}
"""

CHAPTER = """\
chapter: a
title: Chapter A
variables:
  zero: 0
nodes:
  start:
    title: The start
    text: The start. n is {n}.
    effects: [n += 1]
    choices:
      - {text: To the middle, to: middle}
  middle:
    title: The middle
    location: The yard
    text: "The middle: n is {n}, word {word}."
    effects: [n += 2, word = "seen", unlock dock]
    choices:
      - {text: Back, to: start}
      - {text: Onward, to: corridor, if: flag}
      - {text: Finish, to: end}
  corridor:
    title: The corridor
    text: A corridor, {coins} coins.
    effects: [coins += 1]
    choices:
      - {kind: fallback, to: start, if: "false"}
      - {kind: fallback, to: middle, text: (You walk on.)}
  broken:
    text: Never shown.
    effects: [n = 1 / zero]
    choices: [{text: back, to: start}]
  end:
    text: Done.
    ending: {id: done, title: Done}
"""


@pytest.fixture
def story(make_story: MakeStory) -> Story:
    return load_story(make_story({"story.yaml": MANIFEST, "chapters/a.yaml": CHAPTER}))


def log_of(game: Game) -> list[tuple[str, str, str]]:
    return [(e.kind, e.node_id, e.text) for e in game.log]


# -- Game.at: entering the node as play does -------------------------------------------------------


def test_the_node_is_entered_with_the_given_values_under_its_effects(story: Story) -> None:
    game = Game.at(story, "a.middle", vars={"n": 2})
    assert game.state.node == "a.middle"
    # n starts at 2, then the node's own `n += 2` runs; the story's start (n += 1) never does.
    assert game.state.vars == {"n": 4, "coins": 0, "word": "seen", "flag": False, "zero": 0}
    assert game.state.visits == {"a.middle": 1}
    assert game.state.unlocked == {"dock": 0}
    assert game.state.location == "The yard"
    assert (game.state.turns, game.state.path, game.can_undo) == (0, [], False)
    # The log holds the passage as entered: rendered after the effects, and only once.
    assert log_of(game) == [("passage", "a.middle", "The middle: n is 4, word seen.")]
    assert game.passage().paragraphs == ["The middle: n is 4, word seen."]
    assert game.passage().location == "The yard"
    assert game.machine.current == "a.middle"


def test_the_effects_of_the_node_are_clamped_as_in_play(story: Story) -> None:
    game = Game.at(story, "a.middle", vars={"n": 5})
    assert game.state.vars["n"] == 5  # 5 + 2, held at the variable's max


def test_a_node_with_only_fallbacks_is_left_by_them(story: Story) -> None:
    game = Game.at(story, "a.corridor", vars={"coins": 3})
    assert game.state.node == "a.middle"
    assert game.state.visits == {"a.corridor": 1, "a.middle": 1}
    assert game.state.vars["coins"] == 4  # the corridor's effect ran on the way
    assert game.state.vars["n"] == 3  # and then the middle's
    assert log_of(game) == [
        ("passage", "a.corridor", "A corridor, 4 coins."),
        ("choice", "a.corridor", "(You walk on.)"),
        ("passage", "a.middle", "The middle: n is 3, word seen."),
    ]
    assert game.state.path == [] and game.state.turns == 0


def test_at_the_story_start_it_is_a_new_game(story: Story) -> None:
    at_start = Game.at(story, story.start, clock=Clock(1000.0))
    new = Game(story, clock=Clock(1000.0))
    assert at_start.state == new.state
    assert at_start.log == new.log
    assert at_start.state.vars["n"] == 2  # the start's effect ran once, not twice


def test_play_goes_on_from_there_and_undo_stops_at_the_entered_node(story: Story) -> None:
    game = Game.at(story, "a.middle", vars={"n": 0})
    entered = game.state.copy()
    passages = game.choose(0)
    assert [p.node_id for p in passages] == ["a.start"]
    assert game.state.vars["n"] == 3
    assert game.state.path == [("a.middle", 0)]
    assert game.state.visits == {"a.middle": 1, "a.start": 1}
    assert game.undo()
    assert game.state == entered
    assert log_of(game) == [("passage", "a.middle", "The middle: n is 2, word seen.")]
    assert not game.undo()


def test_values_of_every_kind_are_taken_as_given(story: Story) -> None:
    values: dict[str, Value] = {"n": 2.5, "coins": 1_000_000, "word": "", "flag": True, "zero": 0}
    game = Game.at(story, "a.end", vars=values)  # an ending: no effects, nothing to follow
    assert game.state.vars == values
    assert game.is_ending
    assert game.state.node == "a.end"


def test_the_values_given_are_not_kept_by_the_game(story: Story) -> None:
    values: dict[str, Value] = {"n": 3}
    game = Game.at(story, "a.middle", vars=values)
    assert values == {"n": 3}
    game.state.vars["coins"] = 2
    assert values == {"n": 3}


# -- Game.at: what it refuses --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("n", "3", "`n` is a number, not '3' (text)"),
        ("n", True, "`n` is a number, not True (true or false)"),
        ("n", None, "`n` is a number, not None"),
        ("flag", 1, "`flag` is true or false, not 1 (a number)"),
        ("flag", "true", "`flag` is true or false, not 'true' (text)"),
        ("word", 5, "`word` is text, not 5 (a number)"),
        ("word", ["calm"], "`word` is text, not ['calm']"),
        ("n", 6, "`n` must be between 0 and 5, not 6"),
        ("n", -0.5, "`n` must be between 0 and 5, not -0.5"),
        ("coins", -1, "`coins` must be at least 0, not -1"),
        ("coins", 10**16, "`coins` is 10000000000000000, outside ±10¹⁵"),
        ("coins", float("nan"), "`coins` is nan, outside ±10¹⁵"),
        ("coins", float("inf"), "`coins` is inf, outside ±10¹⁵"),
        ("word", "x" * 10_001, "`word` would be over 10,000 characters"),
    ],
)
def test_a_value_that_does_not_fit_its_variable_is_refused(
    story: Story, name: str, value: object, message: str
) -> None:
    with pytest.raises(ValueError) as info:
        Game.at(story, "a.end", vars={name: value})  # type: ignore[dict-item]
    assert str(info.value) == message


@pytest.mark.parametrize(
    ("node", "message"),
    [
        ("a.midle", "the story has no node `a.midle`; did you mean `a.middle`?"),
        ("middle", "the story has no node `middle`; did you mean `a.middle`?"),
        ("b.nowhere", "the story has no node `b.nowhere`"),
    ],
)
def test_an_unknown_node_is_refused(story: Story, node: str, message: str) -> None:
    with pytest.raises(ValueError) as info:
        Game.at(story, node)
    assert str(info.value) == message


def test_an_unknown_variable_is_refused(story: Story) -> None:
    with pytest.raises(ValueError) as info:
        Game.at(story, "a.middle", vars={"n": 2, "coin": 1})
    assert str(info.value) == "the story has no variable `coin`; did you mean `coins`?"
    with pytest.raises(ValueError, match=r"^the story has no variable `zzz`$"):
        Game.at(story, "a.middle", vars={"zzz": 1})


def test_a_node_that_fails_as_it_is_entered_raises_a_story_error(story: Story) -> None:
    with pytest.raises(StoryRuntimeError) as info:
        Game.at(story, "a.broken")
    assert info.value.node == "a.broken"
    assert "division by zero" in info.value.message


# -- Game.restore --------------------------------------------------------------------------------


def test_restore_puts_the_game_in_a_state_without_entering_it_again(story: Story) -> None:
    game = Game.at(story, "a.middle")
    saved = game.state.copy()
    game.choose(0)
    game.choose(0)
    assert len(game.undo_stack) == 2 and game.state.node == "a.middle"
    game.restore(saved.copy())
    assert game.state == saved  # no effects ran, no visit was counted
    assert game.state.visits == {"a.middle": 1}
    assert game.machine.current == "a.middle"
    assert game.log == [] and not game.can_undo
    game.choose(2)  # play goes on from the state restored
    assert game.is_ending and game.state.path == [("a.middle", 2)]


def test_restore_takes_the_state_itself_and_the_log_given(story: Story) -> None:
    game = Game.at(story, "a.middle")
    other = Game.at(story, "a.corridor")
    state = other.state.copy()
    game.restore(state, log=other.log)
    assert game.state is state
    assert game.log == other.log and game.log is not other.log


def test_restore_runs_the_play_clock_on_from_the_state(story: Story) -> None:
    clock = Clock(1000.0)
    game = Game.at(story, "a.middle", clock=clock)
    clock.now += 100  # time played before the restore does not count
    state = game.state.copy()
    state.play_time = 10.0
    game.restore(state)
    assert game.play_time == 10.0
    clock.now += 5
    assert game.play_time == 15.0
