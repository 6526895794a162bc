"""Hot reload (ctrl+r and watching files): keep the player's place, show problems, keep running."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from rougegame.engine.profile import Settings
from rougegame.story.loader import load_story
from rougegame.ui.app import RougeApp
from rougegame.ui.screens.problems import ProblemsScreen
from rougegame.ui.screens.story import StoryScreen
from rougegame.ui.screens.title import TitleScreen
from rougegame.ui.widgets.passage import PassageView

SIZE = (100, 30)
MakeApp = Callable[..., RougeApp]
ScreenText = Callable[[RougeApp], str]
Notes = Callable[[RougeApp], list[str]]


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


async def test_ctrl_r_reloads_and_keeps_the_passage(
    make_app: MakeApp, tour_copy: Path, notes: Notes
) -> None:
    app = make_app(load_story(tour_copy, use_cache=False), story_path=str(tour_copy))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n", "1")
        await pilot.pause()
        before = app.session.game
        edit(tour_copy / "chapters" / "01_dock.yaml", "Knocking is for guests", "Knocking is rude")
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert isinstance(app.screen, StoryScreen)
        game = app.session.game
        assert game is not None and game is not before
        assert game.state.node == "dock.door"
        assert game.state.vars["keeper"] == "located"
        assert "Knocking is rude" in app.screen.query_one(PassageView).text.plain
        assert app.story is game.story
        assert any("6 passages" in n for n in notes(app))
        await pilot.press("2")  # the new story plays on
        await pilot.pause()
        assert game.state.node == "dock.quay"


async def test_a_broken_story_shows_the_error_panel_and_play_goes_on(
    make_app: MakeApp, tour_copy: Path, screen_text: ScreenText
) -> None:
    app = make_app(load_story(tour_copy, use_cache=False), story_path=str(tour_copy))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n", "1")
        await pilot.pause()
        good = app.story
        edit(tour_copy / "chapters" / "01_dock.yaml", "to: quay", "to: nowhere")
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert isinstance(app.screen, ProblemsScreen)
        shown = screen_text(app)
        assert "01_dock.yaml:" in shown
        assert "nowhere" in shown
        assert app.story is good
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, StoryScreen)
        await pilot.press("1")
        await pilot.pause()
        assert app.session.game is not None
        assert app.session.game.state.node == "dock.quay"


async def test_reload_when_the_passage_is_gone_moves_to_its_chapter(
    make_app: MakeApp, tour_copy: Path, notes: Notes
) -> None:
    app = make_app(load_story(tour_copy, use_cache=False), story_path=str(tour_copy))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n", "2")  # to lock.gate
        await pilot.pause()
        edit(tour_copy / "chapters" / "02_lock.yaml", "  gate:", "  great_gate:")
        edit(tour_copy / "chapters" / "02_lock.yaml", "to: gate", "to: great_gate")
        edit(tour_copy / "chapters" / "01_dock.yaml", "to: lock.gate", "to: lock.great_gate")
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert app.session.game is not None
        assert app.session.game.state.node == "lock.great_gate"
        assert app.session.game.state.vars["paid"] is True
        assert any("no longer exists" in n for n in notes(app))


async def test_reload_on_the_title_screen(make_app: MakeApp, tour_copy: Path) -> None:
    app = make_app(load_story(tour_copy, use_cache=False), story_path=str(tour_copy))
    async with app.run_test(size=SIZE) as pilot:
        edit(tour_copy / "story.yaml", "title: The Lock-Keeper's Night", "title: Another Night")
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert isinstance(app.screen, TitleScreen)
        assert app.story.title == "Another Night"


async def test_watching_the_files_reloads_on_change(
    make_app: MakeApp, tour_copy: Path, notes: Notes
) -> None:
    app = make_app(
        load_story(tour_copy, use_cache=False),
        story_path=str(tour_copy),
        settings=Settings(typewriter=False, watch_story=True),
        watch_interval=0.05,
    )
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n", "1")
        await pilot.pause()
        edit(tour_copy / "chapters" / "01_dock.yaml", "Knocking is for guests", "Knock louder")
        for _ in range(40):
            await pilot.pause(0.05)
            if "Knock louder" in app.screen.query_one(PassageView).text.plain:
                break
        assert "Knock louder" in app.screen.query_one(PassageView).text.plain
        assert app.session.game is not None
        assert app.session.game.state.node == "dock.door"
        edit(tour_copy / "chapters" / "01_dock.yaml", "to: quay", "to: nowhere")
        for _ in range(40):
            await pilot.pause(0.05)
            if isinstance(app.screen, ProblemsScreen):
                break
        assert isinstance(app.screen, ProblemsScreen)
        assert notes(app).count("Knock louder") == 0
