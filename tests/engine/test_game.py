"""A game in progress: passages, choices of every kind, effects, undo, determinism, errors."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from rougegame.engine.game import (
    FALLBACK_LIMIT,
    UNDO_LIMIT,
    ChoiceUnavailable,
    Game,
    GameState,
    StoryRuntimeError,
)
from rougegame.story.loader import load_story
from rougegame.story.model import Story
from shared_helpers import Clock

MakeStory = Callable[..., Path]

CHAPTER_A = """\
chapter: a
title: Chapter A
variables:
  zero: 0
nodes:
  start:
    title: The start
    location: The dock
    speaker: Naomi
    text: |
      n is {n}. {if flag: Flag up.}{else: Flag down.}

      Second *paragraph*, word {word}.
    choices:
      - text: Add two
        to: start
        effects: [n += 2]
      - text: Once only
        to: start
        kind: once
        effects: [unlock sara, word = "used"]
      - text: Needs five
        to: b.room
        if: n >= 5
        reason: You need five.
      - text: Secret
        to: b.room
        if: flag
      - text: Divide
        to: start
        effects: [n = 1 / zero]
      - text: Broken room
        to: broken
      - text: Go to the hall
        to: hall
      - text: Drain
        to: start
        effects: [n -= 10]
      - text: "Raise the flag ({n} now)"
        to: start
        effects: [flag = true]
  broken:
    text: Never shown.
    effects: [n = 5 % zero]
    choices: [{text: back, to: start}]
  hall:
    text: The hall.
    effects: [unlock dock]
    choices:
      - {text: never, to: start, if: false}
      - {kind: fallback, to: start, if: false}
      - {kind: fallback, to: b.room, text: (You walk on.)}
"""

CHAPTER_B = """\
chapter: b
title: Chapter B
nodes:
  room:
    location: The room
    text: A room. Status {status}.
    effects: [unlock nectar, status = "located"]
    choices:
      - {text: End it, to: end}
      - {text: Get stuck, to: stuck}
      - {text: Loop, to: loop_a}
  end:
    text: Done.
    ending: {id: the_end, title: The End, epilogue: "n was {n}.\\n\\nThe end."}
  stuck:
    text: Nowhere to go.
    choices:
      - {text: nope, to: room, if: false}
  loop_a:
    text: a
    choices: [{kind: fallback, to: loop_b}]
  loop_b:
    text: b
    choices: [{kind: fallback, to: loop_a}]
"""

# The choices of a.start, by their index in the node.
ADD, ONCE, NEEDS_FIVE, SECRET, DIVIDE, BROKEN, HALL, DRAIN, FLAG = range(9)


@pytest.fixture
def story(make_story: MakeStory) -> Story:
    return load_story(make_story({"chapters/a.yaml": CHAPTER_A, "chapters/b.yaml": CHAPTER_B}))


@pytest.fixture
def game(story: Story) -> Game:
    return Game(story, clock=Clock(1000.0))


def snapshot(game: Game) -> tuple[GameState, int, int, str]:
    return game.state.copy(), len(game.log), len(game.undo_stack), game.machine.current


def assert_unchanged(game: Game, before: tuple[GameState, int, int, str]) -> None:
    state, log_len, undo_len, current = before
    assert game.state == state
    assert (len(game.log), len(game.undo_stack), game.machine.current) == (
        log_len,
        undo_len,
        current,
    )


# -- reading ------------------------------------------------------------------------------------


def test_the_first_passage(game: Game) -> None:
    passage = game.passage()
    assert passage.node_id == "a.start"
    assert (passage.title, passage.chapter_id, passage.chapter_title) == (
        "The start",
        "a",
        "Chapter A",
    )
    assert (passage.speaker, passage.location) == ("Naomi", "The dock")
    assert passage.paragraphs == ["n is 1. Flag down.", "Second *paragraph*, word calm."]
    assert passage.ending is None
    assert game.state.visits == {"a.start": 1}
    assert game.state.turns == 0
    assert not game.can_undo
    assert [(e.kind, e.node_id, e.title) for e in game.log] == [("passage", "a.start", "The start")]


def test_choices_show_enabled_and_disabled_ones_and_hide_the_rest(game: Game) -> None:
    views = game.choices()
    assert [(v.number, v.index, v.text, v.enabled, v.reason, v.kind) for v in views] == [
        (1, ADD, "Add two", True, None, "sticky"),
        (2, ONCE, "Once only", True, None, "once"),
        (3, NEEDS_FIVE, "Needs five", False, "You need five.", "sticky"),
        (4, DIVIDE, "Divide", True, None, "sticky"),
        (5, BROKEN, "Broken room", True, None, "sticky"),
        (6, HALL, "Go to the hall", True, None, "sticky"),
        (7, DRAIN, "Drain", True, None, "sticky"),
        (8, FLAG, "Raise the flag (1 now)", True, None, "sticky"),
    ]
    assert [c.index for c in game.available()] == [ADD, ONCE, DIVIDE, BROKEN, HALL, DRAIN, FLAG]


def test_choosing_a_sticky_choice_keeps_it(game: Game) -> None:
    passages = game.choose(ADD)
    assert [p.node_id for p in passages] == ["a.start"]
    assert passages[0].paragraphs[0] == "n is 3. Flag down."
    assert game.state.vars["n"] == 3
    assert game.state.visits["a.start"] == 2
    assert game.state.turns == 1
    assert game.state.path == [("a.start", ADD)]
    assert ADD in [v.index for v in game.choices()]


def test_a_once_only_choice_disappears_after_it_is_taken(game: Game) -> None:
    game.choose(ONCE)
    assert ONCE not in [v.index for v in game.choices()]
    assert game.state.once == {"a.start#1"}
    assert game.state.vars["word"] == "used"
    with pytest.raises(ChoiceUnavailable):
        game.choose(ONCE)
    assert [v.number for v in game.choices()] == list(range(1, 8))


def test_a_disabled_choice_cannot_be_taken_until_its_condition_holds(game: Game) -> None:
    with pytest.raises(ChoiceUnavailable):
        game.choose(NEEDS_FIVE)
    with pytest.raises(ChoiceUnavailable, match=r"You need five\."):
        game.choose_number(3)
    game.choose(ADD)
    game.choose(ADD)
    view = next(v for v in game.choices() if v.index == NEEDS_FIVE)
    assert view.enabled and view.reason is None
    game.choose_number(view.number)
    assert game.state.node == "b.room"


def test_a_hidden_choice_appears_when_its_condition_holds(game: Game) -> None:
    with pytest.raises(ChoiceUnavailable):
        game.choose(SECRET)
    game.choose(FLAG)
    assert SECRET in [v.index for v in game.choices()]
    assert game.passage().paragraphs[0] == "n is 1. Flag up."
    game.choose(SECRET)
    assert game.state.node == "b.room"


@pytest.mark.parametrize("index", [-1, 9, 100])
def test_choices_that_do_not_exist(game: Game, index: int) -> None:
    before = snapshot(game)
    with pytest.raises(ChoiceUnavailable):
        game.choose(index)
    with pytest.raises(ChoiceUnavailable):
        game.choose_number(index + 20)
    assert_unchanged(game, before)


def test_numbers_are_clamped_to_min_and_max(game: Game) -> None:
    for _ in range(4):
        game.choose(ADD)
    assert game.state.vars["n"] == 5
    game.choose(DRAIN)
    assert game.state.vars["n"] == 0


def test_a_fallback_is_taken_automatically_after_its_passage(game: Game) -> None:
    passages = game.choose(HALL)
    assert [p.node_id for p in passages] == ["b.room"]
    assert game.state.node == "b.room"
    assert game.state.visits["a.hall"] == 1
    assert [(e.kind, e.node_id, e.text) for e in game.log[1:]] == [
        ("choice", "a.start", "Go to the hall"),
        ("passage", "a.hall", "The hall."),
        ("choice", "a.hall", "(You walk on.)"),
        ("passage", "b.room", "A room. Status located."),
    ]
    assert game.state.path == [("a.start", HALL)]  # fallbacks follow by themselves on replay
    assert game.state.turns == 1


def test_location_carries_over_until_a_node_changes_it(game: Game) -> None:
    game.choose(ADD)
    assert game.passage().location == "The dock"
    game.choose(HALL)  # the hall has no location of its own; the room does
    assert game.state.location == "The room"
    game.undo()
    assert game.state.location == "The dock"


def test_codex_entries_are_unlocked_once_in_order_with_their_turn(game: Game) -> None:
    game.choose(ADD)
    game.choose(ONCE)  # turn 1: sara
    game.choose(HALL)  # turn 2: dock in the hall, nectar in the room
    assert list(game.state.unlocked.items()) == [("sara", 1), ("dock", 2), ("nectar", 2)]
    assert game.unlocked_since(2) == ["dock", "nectar"]


def test_an_ending(game: Game) -> None:
    game.choose(HALL)
    game.choose(0)
    assert game.is_ending
    assert not game.is_stuck
    assert game.choices() == []
    ending = game.passage().ending
    assert ending is not None
    assert (ending.id, ending.title, ending.epilogue) == (
        "the_end",
        "The End",
        ["n was 1.", "The end."],
    )


def test_a_softlock_is_reported_as_stuck(game: Game) -> None:
    game.choose(HALL)
    game.choose(1)
    assert game.is_stuck
    assert game.choices() == []


# -- errors leave everything as it was ---------------------------------------------------------


def test_division_by_zero_names_the_node_and_changes_nothing(game: Game) -> None:
    game.choose(ADD)
    before = snapshot(game)
    with pytest.raises(StoryRuntimeError) as info:
        game.choose(DIVIDE)
    assert info.value.node == "a.start"
    assert info.value.message == "division by zero"
    assert str(info.value) == "[a.start] division by zero"
    assert_unchanged(game, before)
    assert game.undo() and game.state.vars["n"] == 1  # the undo history is intact


def test_an_error_while_entering_a_node_changes_nothing(game: Game) -> None:
    before = snapshot(game)
    with pytest.raises(StoryRuntimeError) as info:
        game.choose(BROKEN)
    assert (info.value.node, info.value.message) == ("a.broken", "modulo by zero")
    assert_unchanged(game, before)
    assert "a.broken" not in game.state.visits


def test_a_loop_of_fallbacks_is_stopped(game: Game) -> None:
    game.choose(HALL)
    before = snapshot(game)
    with pytest.raises(StoryRuntimeError, match=f"more than {FALLBACK_LIMIT} fallbacks"):
        game.choose(2)
    assert_unchanged(game, before)


# -- undo ---------------------------------------------------------------------------------------


def test_undo_restores_the_exact_previous_state(game: Game) -> None:
    states = [game.state.copy()]
    logs = [list(game.log)]
    for index in (ADD, ONCE, FLAG, SECRET, 0):
        game.choose(index)
        states.append(game.state.copy())
        logs.append(list(game.log))
    assert game.is_ending
    for state, log in zip(reversed(states[:-1]), reversed(logs[:-1]), strict=True):
        assert game.undo()
        assert game.state == state
        assert game.log == log
        assert game.machine.current == state.node
    assert not game.can_undo
    assert game.undo() is False
    assert game.state.unlocked == {} and game.state.once == set()


def test_undo_is_bounded(game: Game) -> None:
    for _ in range(UNDO_LIMIT + 5):
        game.choose(ADD)
    undone = 0
    while game.undo():
        undone += 1
    assert undone == UNDO_LIMIT
    assert game.state.turns == 5


def test_play_continues_normally_after_undo(game: Game) -> None:
    game.choose(ONCE)
    game.undo()
    assert ONCE in [v.index for v in game.choices()]
    game.choose(ONCE)
    assert game.state.once == {"a.start#1"}
    assert game.state.unlocked == {"sara": 0}


# -- determinism, replay, play time -------------------------------------------------------------


def test_same_story_and_same_choices_give_the_same_state(story: Story) -> None:
    path = [ADD, ONCE, FLAG, HALL, 0]
    a, b = Game(story, clock=Clock(1000.0)), Game(story, clock=Clock(1000.0))
    for index in path:
        a.choose(index)
        b.choose(index)
    assert a.state == b.state
    assert a.log == b.log
    replayed = Game.replay(story, a.state.path, clock=Clock(1000.0))
    assert replayed.state == a.state
    assert replayed.state.same_as(a.state)


def test_replay_refuses_a_path_that_does_not_fit(story: Story) -> None:
    with pytest.raises(ChoiceUnavailable, match=r"replay expected node b\.room"):
        Game.replay(story, [("b.room", 0)])


def test_play_time_follows_the_clock_and_survives_undo(story: Story) -> None:
    clock = Clock(1000.0)
    game = Game(story, clock=clock)
    clock.now += 30
    assert game.play_time == 30
    game.choose(ADD)
    clock.now += 12
    game.commit_time()
    assert game.state.play_time == 42
    game.undo()
    clock.now += 8
    assert game.play_time == 50


def test_a_game_resumes_from_a_state(story: Story, game: Game) -> None:
    game.choose(HALL)
    resumed = Game(story, game.state.copy(), clock=Clock(1000.0))
    assert resumed.state == game.state
    assert resumed.passage() == game.passage()
    assert [(e.kind, e.node_id) for e in resumed.log] == [("passage", "b.room")]
    assert not resumed.can_undo
    resumed.choose(0)
    assert resumed.is_ending


def test_same_as_ignores_only_play_time(game: Game) -> None:
    other = game.state.copy()
    other.play_time = 99.0
    assert game.state.same_as(other)
    other.turns = 7
    assert not game.state.same_as(other)


def test_the_dossier_follows_its_variables(tour_story: Story) -> None:
    game = Game(tour_story)
    assert game.dossier() == [("keeper", "The lock-keeper", "unknown")]
    game.choose(0)  # knock: the keeper is located
    assert game.dossier() == [("keeper", "The lock-keeper", "located")]


def test_the_tour_plays_to_its_ending(tour_story: Story) -> None:
    game = Game(tour_story)
    game.choose_number(1)  # knock
    game.choose_number(1)  # promise: trust 2, back to the quay
    assert game.state.vars["mood"] == "hopeful"
    game.choose_number(2)  # wait: the fallback brings us back to the quay
    assert game.state.node == "dock.quay"
    assert [v.text for v in game.choices()] == ["Pay the toll: one dose."]
    game.choose_number(1)
    assert game.passage().location == "Lock Seven"
    assert game.state.vars["nectar"] == 2
    game.choose_number(1)  # thank the keeper, who was unlocked by knocking
    assert game.is_ending
    ending = game.passage()
    assert ending.paragraphs[0].startswith("Behind you, a lamp stays lit")
    assert ending.ending is not None
    assert ending.ending.epilogue == ["You pass through with 2 doses and a trust of 3. [The End]"]
    assert game.dossier() == [("keeper", "The lock-keeper", "spared")]


RUNTIME_LIMITS = """\
chapter: a
title: Runtime limits
variables:
  big: 1
  zero: 0
nodes:
  start:
    text: "word is {word}"
    choices:
      - {text: Double the word, to: start, effects: [word += word]}
      - {text: Grow, to: start, effects: [big += 999999999999999]}
      - {text: Peek, to: peek}
  peek:
    text: "{if 1 / zero > 0: never}"
    choices: [{text: back, to: start}]
"""


def test_strings_and_numbers_cannot_grow_without_bound(make_story: MakeStory) -> None:
    story = load_story(make_story({"chapters/a.yaml": RUNTIME_LIMITS}))
    game = Game(story)
    for _ in range(11):  # "calm" doubled 11 times is 8,192 characters
        game.choose(0)
    before = snapshot(game)
    with pytest.raises(StoryRuntimeError, match="`word` would grow over 10,000 characters"):
        game.choose(0)
    assert_unchanged(game, before)
    game.choose(1)
    with pytest.raises(StoryRuntimeError, match="`big` would go out of range"):
        game.choose(1)


def test_a_passage_that_cannot_render_names_its_node(make_story: MakeStory) -> None:
    story = load_story(make_story({"chapters/a.yaml": RUNTIME_LIMITS}))
    game = Game(story)
    before = snapshot(game)
    with pytest.raises(StoryRuntimeError) as info:
        game.choose(2)
    assert (info.value.node, info.value.message) == ("a.peek", "division by zero")
    assert_unchanged(game, before)
    resumed = Game(story, GameState("a.peek", dict(game.state.vars)))
    assert resumed.log[0].text == "{if 1 / zero > 0: never}"  # the history keeps the source
    with pytest.raises(StoryRuntimeError):
        resumed.passage()


def test_a_state_missing_a_variable_is_a_runtime_error_not_a_crash(story: Story) -> None:
    game = Game(story, GameState("a.start", {}))
    with pytest.raises(StoryRuntimeError, match="unknown variable 'n'"):
        game.passage()
