"""What a step makes (passages, choice views, log entries) is built without the frozen
record's __init__, for speed: the objects are the same as the ones it would make."""

from __future__ import annotations

import pytest

from rougegame.engine.game import ChoiceView, Game, LogEntry, Passage
from rougegame.records import FrozenError, field_names
from rougegame.story.model import Story


def test_passages_views_and_log_entries_equal_their_constructed_twins(tour_story: Story) -> None:
    game = Game(tour_story)
    passage = game.passage()
    twin = Passage(*(getattr(passage, name) for name in field_names(Passage)))
    assert passage == twin
    assert repr(passage) == repr(twin)
    views = game.choices()
    assert views and all(
        view == ChoiceView(view.index, view.number, view.text, view.enabled, view.reason, view.kind)
        for view in views
    )
    assert all(
        hash(view) == hash(ChoiceView(*(getattr(view, name) for name in field_names(ChoiceView))))
        for view in views
    )
    game.choose(views[0].index)
    for entry in game.log:
        assert entry == LogEntry(entry.kind, entry.node_id, entry.text, entry.title)
    with pytest.raises(FrozenError):
        views[0].text = "changed"
    with pytest.raises(FrozenError):
        passage.title = "changed"
