"""The story as a ``transitions`` state machine.

Every node is a state; every choice is a transition from its node, triggered by ``c<index>``
(the choice's position in its node), guarded by the choice's condition (and, for once-only
choices, by not having been taken), with the choice's effects as its ``before`` callback. Entering
a state runs the node's own effects through the machine's ``after_state_change`` callback.

States are added one chapter at a time, the first time play reaches that chapter, so a large
story starts quickly. ``auto_transitions`` is off: the only ways between nodes are the choices.

The machine sends its event data to the callbacks, so one guard and one callback serve every
transition (each finds its choice from the transition's source and trigger): a chapter of a
hundred nodes adds its states and transitions in well under a millisecond, and holds no closure
per choice.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from transitions import EventData, Machine

from rougegame.story.model import Choice, Story

logging.getLogger("transitions").setLevel(logging.WARNING)

_NO_CALLBACKS: tuple[()] = ()


def trigger_name(choice: Choice) -> str:
    return f"c{choice.index}"


class _TriggerIndex(dict[str, int]):
    """``c<index>`` -> index, made as triggers are met."""

    def __missing__(self, trigger: str) -> int:
        index = self[trigger] = int(trigger[1:])
        return index


_INDEX = _TriggerIndex()


class StoryModel:
    """The object ``transitions`` drives; ``state`` is the current node id."""

    state: str


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
        self.machine = Machine(
            model=None,
            states=[],
            initial=None,
            auto_transitions=False,
            send_event=True,
            ignore_invalid_triggers=False,
            after_state_change=self._entered,
            model_override=False,
        )
        # Shared by every transition (``transitions`` keeps what it is given as it is).
        self._callbacks: dict[str, Any] = {
            "conditions": [self._check],
            "before": (self._chosen,),
            "after": _NO_CALLBACKS,
            "prepare": _NO_CALLBACKS,
        }

    def _choice(self, event: EventData) -> Choice:
        transition: Any = event.transition
        event_name: str = event.event.name
        return self.story.nodes[transition.source].choices[_INDEX[event_name]]

    def _check(self, event: EventData) -> bool:
        return self._guard(self._choice(event))

    def _chosen(self, event: EventData) -> None:
        self._on_choice(self._choice(event))

    def _entered(self, _event: EventData) -> None:
        self._on_enter(self.model.state)

    def ensure_chapter(self, chapter_id: str) -> None:
        """Add the states and transitions of one chapter, once."""
        if chapter_id in self.built:
            return
        self.built.add(chapter_id)
        chapter = self.story.chapters[chapter_id]
        nodes = self.story.nodes
        machine = self.machine
        # The machine's own classes, registered the way ``add_states`` and ``add_transition``
        # register them, without their per-call checks and model helpers (``is_<state>``, which
        # a node id with a dot in it could not be called by anyway): three times faster.
        states, new_state = machine.states, machine.state_cls
        events, new_transition = machine.events, machine.transition_cls
        for node_id in chapter.nodes:
            states[node_id] = new_state(node_id, ignore_invalid_triggers=False)
        for node_id in chapter.nodes:
            for choice in nodes[node_id].choices:
                trigger = trigger_name(choice)
                if trigger not in events:  # the first time: let the machine make the event
                    machine.add_transition(trigger, node_id, choice.target, **self._callbacks)
                    continue
                events[trigger].add_transition(
                    new_transition(node_id, choice.target, **self._callbacks)
                )

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
        self.ensure_chapter(self.story.nodes.chapter_of(choice.target))
        trigger: Callable[[str], bool] = getattr(self.model, "trigger")  # noqa: B009
        return trigger(trigger_name(choice))
