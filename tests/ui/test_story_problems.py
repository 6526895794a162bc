"""Stories that fail while playing, softlocks, and stories without a gauge or a dossier."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from rougegame.story.loader import load_story
from rougegame.ui.app import RougeApp
from rougegame.ui.screens.problems import ProblemsScreen
from rougegame.ui.screens.story import StoryScreen
from rougegame.ui.widgets.statusbar import StatusBar

SIZE = (100, 30)
MakeApp = Callable[..., RougeApp]
MakeStory = Callable[..., Path]
ScreenText = Callable[[RougeApp], str]

CHAPTER = """\
chapter: a
title: The Test
nodes:
  start:
    text: "Brackets [b]like this[/b] stay as they are."
    choices:
      - text: Divide by nothing.
        to: end
        effects: [n = 1 / (n - 1)]
      - text: Walk into the dead end.
        to: dead_end
      - text: Finish.
        to: end
  dead_end:
    text: Nothing happens here, ever.
    choices:
      - text: A door that never opens.
        to: end
        if: flag
  end:
    text: The end.
    ending: {id: the_end, title: The End}
"""


async def test_a_runtime_error_shows_the_problem_and_changes_nothing(
    make_app: MakeApp, make_story: MakeStory, screen_text: ScreenText
) -> None:
    story = load_story(make_story({"chapters/a.yaml": CHAPTER}), use_cache=False)
    app = make_app(story)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n")
        await pilot.pause()
        assert "Brackets [b]like this[/b] stay as they are." in screen_text(app)
        await pilot.press("1")
        await pilot.pause()
        assert isinstance(app.screen, ProblemsScreen)
        shown = screen_text(app)
        assert "a.start" in shown and "zero" in shown
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, StoryScreen)
        game = app.session.game
        assert game is not None
        assert game.state.node == "a.start" and game.state.vars["n"] == 1
        await pilot.press("3")
        await pilot.pause()
        assert game.is_ending


async def test_a_softlock_says_so_and_undo_gets_out(
    make_app: MakeApp, make_story: MakeStory, screen_text: ScreenText
) -> None:
    story = load_story(make_story({"chapters/a.yaml": CHAPTER}), use_cache=False)
    app = make_app(story)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n", "2")
        await pilot.pause()
        assert "There is no way on from here" in screen_text(app)
        await pilot.press("1", "enter")  # nothing to choose: nothing happens
        await pilot.pause()
        assert app.session.game is not None
        assert app.session.game.state.node == "a.dead_end"
        await pilot.press("u")
        await pilot.pause()
        assert app.session.game.state.node == "a.start"


async def test_no_gauge_and_no_dossier(
    make_app: MakeApp, make_story: MakeStory, screen_text: ScreenText
) -> None:
    story = load_story(make_story({"chapters/a.yaml": CHAPTER}), use_cache=False)
    app = make_app(story)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n")
        await pilot.pause()
        assert app.screen.query_one(StatusBar).gauge is None
        assert "NECTAR" not in screen_text(app)
        assert "NINE" not in screen_text(app)
        await pilot.press("d")
        await pilot.pause()
        assert isinstance(app.screen, StoryScreen)  # the dossier key does nothing here
