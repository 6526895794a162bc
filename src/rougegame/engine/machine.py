"""The story as a ``transitions`` state machine.

Every node is a state; every choice is a transition from its node, triggered by ``c<index>``
(the choice's position in its node), guarded by the choice's condition (and, for once-only
choices, by not having been taken), with the choice's effects as its ``before`` callback. Entering
a state runs the node's own effects through the machine's ``after_state_change`` callback.

States are added one chapter at a time, the first time play reaches that chapter, so a large
story starts quickly. ``auto_transitions`` is off: the only ways between nodes are the choices.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from transitions import Machine

from rougegame.story.model import Choice, Story

logging.getLogger("transitions").setLevel(logging.WARNING)


def trigger_name(choice: Choice) -> str:
    return f"c{choice.index}"


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
            send_event=False,
            ignore_invalid_triggers=False,
            after_state_change=self._entered,
            model_override=False,
        )

    def _entered(self, *_args: Any, **_kwargs: Any) -> None:
        self._on_enter(self.model.state)

    def ensure_chapter(self, chapter_id: str) -> None:
        """Add the states and transitions of one chapter, once."""
        if chapter_id in self.built:
            return
        self.built.add(chapter_id)
        chapter = self.story.chapters[chapter_id]
        self.machine.add_states(chapter.nodes)
        for node_id in chapter.nodes:
            for choice in self.story.nodes[node_id].choices:
                self.machine.add_transition(
                    trigger_name(choice),
                    node_id,
                    choice.target,
                    conditions=[_bind(self._guard, choice)],
                    before=[_bind(self._on_choice, choice)],
                )

    def place(self, node_id: str) -> None:
        """Put the machine in a node without running any callback (new game, undo, load)."""
        self.ensure_chapter(self.story.nodes[node_id].chapter)
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
        self.ensure_chapter(self.story.nodes[choice.target].chapter)
        trigger: Callable[[str], bool] = getattr(self.model, "trigger")  # noqa: B009
        return trigger(trigger_name(choice))


def _bind(func: Callable[[Choice], Any], choice: Choice) -> Callable[..., Any]:
    def bound(*_args: Any, **_kwargs: Any) -> Any:
        return func(choice)

    return bound
