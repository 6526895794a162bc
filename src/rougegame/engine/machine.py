"""The story as a ``transitions`` state machine.

Every node is a state; every choice is a transition from its node, triggered by ``c<index>``
(the choice's position in its node), guarded by the choice's condition (and, for once-only
choices, by not having been taken), with the choice's effects as its ``before`` callback. Entering
a state runs the node's own effects through the machine's ``after_state_change`` callback.

States are added one chapter at a time, the first time play reaches that chapter, so a large
story starts quickly. ``auto_transitions`` is off: the only ways between nodes are the choices.

The machine sends its event data to the callbacks, so one guard and one callback serve every
transition: each transition is a :class:`ChoiceTransition`, the machine's transition class, which
knows the choice it stands for. A chapter's states and transitions are copies of one state and
one transition that the machine built itself, which makes a chapter of a hundred nodes ready in
a fraction of a millisecond.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from transitions import EventData, Machine, Transition

from rougegame.story.model import Choice, Story

logging.getLogger("transitions").setLevel(logging.WARNING)

_NO_CALLBACKS: tuple[()] = ()
_new = object.__new__


class _TriggerNames(dict[int, str]):
    """Choice index -> trigger name, made once for each index met."""

    def __missing__(self, index: int) -> str:
        name = self[index] = f"c{index}"
        return name


_TRIGGERS = _TriggerNames()


def trigger_name(choice: Choice) -> str:
    return _TRIGGERS[choice.index]


class ChoiceTransition(Transition):
    """A transition that knows the story choice it stands for."""

    choice: Choice


class _StoryMachineBase(Machine):
    transition_cls = ChoiceTransition


class StoryModel:
    """The object ``transitions`` drives; ``state`` is the current node id."""

    state: str


class _Copier:
    """Makes objects like ``prototype``: same class, same settings, one attribute different.

    ``transitions`` keeps a state's and a transition's settings as plain attributes; building
    each through its ``__init__`` (which checks and wraps every argument) is most of the cost of
    adding a chapter to the machine. The attributes that vary are found by the marks the
    prototype was built with, not assumed; the prototype's callback lists become tuples, so that
    the copies can share them and nobody can add a callback to all of them by mistake.
    """

    def __init__(self, prototype: Any, *marks: str) -> None:
        self.cls = type(prototype)
        self.template: dict[str, Any] = {
            k: tuple(v) if isinstance(v, list) else v for k, v in vars(prototype).items()
        }
        keys = []
        for mark in marks:
            found = [k for k, v in self.template.items() if v is mark]
            if len(found) != 1:
                raise RuntimeError(f"cannot tell which attribute of {self.cls} holds {mark!r}")
            keys.append(found[0])
        self.keys = tuple(keys)


class StoryMachine:
    """Builds and owns the ``transitions.Machine`` for one story and one game."""

    def __init__(
        self,
        story: Story,
        guard: Callable[[Choice], bool],
        on_choice: Callable[[Choice], None],
        on_enter: Callable[[str], None],
    ) -> None:
        self.story = story
        self.model = StoryModel()
        self._guard = guard
        self._on_choice = on_choice
        self._on_enter = on_enter
        self.built: set[str] = set()
        self._attached = False
        self.machine = _StoryMachineBase(
            model=None,
            states=[],
            initial=None,
            auto_transitions=False,
            send_event=True,
            ignore_invalid_triggers=False,
            after_state_change=self._entered,
            model_override=False,
        )
        # Shared by every transition (``transitions`` keeps tuples as it is given them).
        self._callbacks: dict[str, Any] = {
            "conditions": [self._check],
            "before": (self._chosen,),
            "after": _NO_CALLBACKS,
            "prepare": _NO_CALLBACKS,
        }
        # Marks that the copiers look for among the prototypes' attributes.
        source, dest, name = "\0source", "\0dest", "\0name"
        self._states = _Copier(self.machine.state_cls(name, ignore_invalid_triggers=False), name)
        prototype = ChoiceTransition(source, dest, **self._callbacks)
        prototype.choice = None  # type: ignore[assignment]  # copies get theirs
        self._transitions = _Copier(prototype, source, dest)

    def _check(self, event: EventData) -> bool:
        transition: ChoiceTransition = event.transition  # type: ignore[assignment]
        return self._guard(transition.choice)

    def _chosen(self, event: EventData) -> None:
        transition: ChoiceTransition = event.transition  # type: ignore[assignment]
        self._on_choice(transition.choice)

    def _entered(self, _event: EventData) -> None:
        self._on_enter(self.model.state)

    def ensure_chapter(self, chapter_id: str) -> None:
        """Add the states and transitions of one chapter, once."""
        if chapter_id in self.built:
            return
        self.built.add(chapter_id)
        machine = self.machine
        # Registered the way ``add_states`` and ``add_transition`` register them, without their
        # per-call checks and model helpers (``is_<state>``, which a node id with a dot in it
        # could not be called by anyway).
        states, events = machine.states, machine.events
        state_cls, state_template, (name,) = (
            self._states.cls,
            self._states.template,
            self._states.keys,
        )
        cls, template, (source, dest) = (
            self._transitions.cls,
            self._transitions.template,
            self._transitions.keys,
        )
        triggers = _TRIGGERS
        for node in self.story.nodes.in_chapter(chapter_id):
            node_id = node.id
            state = _new(state_cls)
            state.__dict__ = attrs = state_template.copy()
            attrs[name] = node_id
            states[node_id] = state
            for choice in node.choices:
                trigger = triggers[choice.index]
                event = events.get(trigger)
                if event is None:  # the first time: let the machine make the event
                    machine.add_transition(trigger, node_id, choice.target, **self._callbacks)
                    made: Any = events[trigger].transitions[node_id][-1]
                    made.choice = choice
                    continue
                transition = _new(cls)
                transition.__dict__ = attrs = template.copy()
                attrs[source] = node_id
                attrs[dest] = choice.target
                attrs["choice"] = choice
                event.transitions[node_id].append(transition)

    def place(self, node_id: str) -> None:
        """Put the machine in a node without running any callback (new game, undo, load)."""
        self.ensure_chapter(self.story.nodes.chapter_of(node_id))
        if not self._attached:
            self.machine.add_model(self.model, initial=node_id)
            self._attached = True
        else:
            self.machine.set_state(node_id, model=self.model)

    @property
    def current(self) -> str:
        return self.model.state

    def fire(self, choice: Choice) -> bool:
        """Take a choice through the machine; False when its guard refuses."""
        machine = self.machine
        if choice.target not in machine.states:
            self.ensure_chapter(self.story.nodes.chapter_of(choice.target))
        event = machine.events[_TRIGGERS[choice.index]]
        result: bool = event.trigger(self.model)
        return result
