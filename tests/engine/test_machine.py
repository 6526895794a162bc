"""The story really runs on a `transitions` Machine: nodes are states, choices are transitions."""

from __future__ import annotations

import pytest
from transitions import Machine, MachineError

from rougegame.engine.game import ChoiceUnavailable, Game
from rougegame.engine.machine import StoryMachine, trigger_name
from rougegame.story.model import Choice, Story


class Recorder:
    """Callbacks for a StoryMachine that record what the machine asked for."""

    def __init__(self, allow: bool = True) -> None:
        self.allow = allow
        self.guarded: list[str] = []
        self.chosen: list[str] = []
        self.entered: list[str] = []

    def guard(self, choice: Choice) -> bool:
        self.guarded.append(choice.text)
        return self.allow

    def on_choice(self, choice: Choice) -> None:
        self.chosen.append(choice.text)

    def on_enter(self, node_id: str) -> None:
        self.entered.append(node_id)


def make(story: Story, allow: bool = True) -> tuple[StoryMachine, Recorder]:
    rec = Recorder(allow)
    return StoryMachine(story, rec.guard, rec.on_choice, rec.on_enter), rec


def test_it_is_a_transitions_machine_without_auto_transitions(tour_story: Story) -> None:
    sm, _ = make(tour_story)
    sm.place("dock.quay")
    assert isinstance(sm.machine, Machine)
    assert sm.machine.auto_transitions is False
    assert not [name for name in dir(sm.model) if name.startswith("to_")]
    assert sm.machine.get_triggers("dock.quay") == ["c0", "c1", "c2"]


def test_states_are_node_ids_added_one_chapter_at_a_time(tour_story: Story) -> None:
    sm, _ = make(tour_story)
    sm.place("dock.quay")
    assert set(sm.machine.states) == {"dock.quay", "dock.door", "dock.wait"}
    assert sm.built == {"dock"}
    sm.ensure_chapter("dock")  # a second time changes nothing
    assert len(sm.machine.states) == 3
    pay = tour_story.nodes["dock.quay"].choices[1]
    assert sm.fire(pay)  # into the next chapter: its states are added first
    assert sm.current == "lock.gate"
    assert set(sm.machine.states) == set(tour_story.nodes)


def test_each_choice_is_a_transition_with_a_guard_and_a_callback(tour_story: Story) -> None:
    sm, rec = make(tour_story)
    sm.place("dock.quay")
    assert rec.entered == []  # placing runs no callback
    for choice in tour_story.nodes["dock.quay"].choices:
        (transition,) = sm.machine.get_transitions(trigger_name(choice), "dock.quay")
        assert transition.dest == choice.target
        assert len(transition.conditions) == 1
        assert len(transition.before) == 1
    knock = tour_story.nodes["dock.quay"].choices[0]
    assert sm.fire(knock)
    assert rec.guarded == [knock.text]
    assert rec.chosen == [knock.text]
    assert rec.entered == ["dock.door"]
    assert sm.current == "dock.door"


def test_a_guard_that_refuses_leaves_the_state_alone(tour_story: Story) -> None:
    sm, rec = make(tour_story, allow=False)
    sm.place("dock.quay")
    assert sm.fire(tour_story.nodes["dock.quay"].choices[0]) is False
    assert sm.current == "dock.quay"
    assert rec.chosen == [] and rec.entered == []


def test_a_trigger_that_is_not_a_choice_here_is_refused(tour_story: Story) -> None:
    sm, _ = make(tour_story)
    sm.place("dock.wait")  # one choice here; the quay has three
    with pytest.raises(MachineError):
        sm.model.trigger("c2")
    with pytest.raises(AttributeError, match="Do not know event"):
        sm.model.trigger("to_lock.through")
    assert sm.current == "dock.wait"


def test_place_moves_without_callbacks(tour_story: Story) -> None:
    sm, rec = make(tour_story)
    sm.place("dock.quay")
    sm.place("lock.through")
    assert sm.current == "lock.through"
    assert "lock" in sm.built
    assert rec.entered == []


def test_the_game_drives_its_machine(tour_story: Story) -> None:
    game = Game(tour_story)
    assert game.machine.current == game.state.node == "dock.quay"
    game.choose(0)
    assert game.machine.current == game.state.node == "dock.door"
    game.undo()
    assert game.machine.current == "dock.quay"


def test_the_machine_guard_is_the_choice_condition(tour_story: Story) -> None:
    game = Game(tour_story)
    game.state.vars["nectar"] = 0
    pay = tour_story.nodes["dock.quay"].choices[1]
    assert game.machine.fire(pay) is False  # the guard, not the Game, refuses it
    assert game.state.node == "dock.quay"
    with pytest.raises(ChoiceUnavailable):
        game.choose(1)
    game.state.vars["nectar"] = 2
    game.choose(1)
    assert game.state.vars["nectar"] == 1  # the effect ran in the transition's callback
    assert game.state.node == "lock.gate"


def test_copied_states_and_transitions_match_ones_the_library_builds(tour_story: Story) -> None:
    """A chapter's states and transitions are copies of prototypes; each must carry what
    ``transitions`` itself would have given it, and the choice it stands for."""
    sm, rec = make(tour_story)
    sm.place(tour_story.start)
    for chapter_id in tour_story.chapters:
        sm.ensure_chapter(chapter_id)
    machine = sm.machine
    callbacks = {"conditions": [sm._check], "before": (sm._chosen,), "after": (), "prepare": ()}

    def plain(attrs: dict[str, object]) -> dict[str, object]:
        """Attributes with lists and tuples alike, and conditions by what they check."""
        out: dict[str, object] = {}
        for key, value in attrs.items():
            if key == "conditions":
                value = [(c.func, c.target) for c in value]  # type: ignore[attr-defined]
            elif isinstance(value, tuple):
                value = list(value)
            out[key] = value
        return out

    assert set(machine.states) == set(tour_story.nodes)
    for node_id, state in machine.states.items():
        built = machine.state_cls(node_id, ignore_invalid_triggers=False)
        assert type(state) is type(built) and plain(vars(state)) == plain(vars(built))
        assert state.name == node_id
    seen = 0
    for trigger, event in machine.events.items():
        for source, transitions in event.transitions.items():
            for transition in transitions:
                choice = transition.choice
                assert trigger == trigger_name(choice) and source == transition.source
                assert choice is tour_story.nodes[source].choices[choice.index]
                assert transition.dest == choice.target
                built = type(transition)(source, choice.target, **callbacks)
                attrs = dict(vars(transition))
                del attrs["choice"]
                assert plain(attrs) == plain(vars(built))
                seen += 1
    assert seen == sum(len(node.choices) for node in tour_story.nodes.values())
    # The copies work: firing one runs the guard, the choice's callback and the entry.
    first = tour_story.nodes[tour_story.start].choices[0]
    assert sm.fire(first)
    assert rec.guarded[-1] == rec.chosen[-1] == first.text
    assert rec.entered[-1] == first.target == sm.current


def test_copies_share_no_callback_list() -> None:
    from transitions import State

    from rougegame.engine.machine import _Copier

    prototype = State("\0name", on_enter=["a"], ignore_invalid_triggers=False)
    copier = _Copier(prototype, "\0name")
    (key,) = copier.keys
    assert copier.template[key] == "\0name" and vars(prototype)[key] == "\0name"
    assert copier.template["on_enter"] == ("a",)  # a tuple: copies cannot add to one another
    assert all(not isinstance(v, list) for v in copier.template.values())
    with pytest.raises(RuntimeError, match="cannot tell"):
        _Copier(prototype, "\0missing")
