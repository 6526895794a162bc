"""Starting the game: a slot given at start, the first theme, the collector, what gets imported."""

from __future__ import annotations

import gc
import json
import subprocess
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from textual import events
from textual.color import Color
from textual.css import stylesheet as stylesheet_module
from textual.message import Message
from textual.screen import Screen

from rougegame import cli
from rougegame.engine.game import Game
from rougegame.engine.profile import Settings
from rougegame.engine.saves import AUTOSAVE, SaveStore
from rougegame.story.model import Story
from rougegame.ui.app import RougeApp
from rougegame.ui.screens.mode import ModeScreen
from rougegame.ui.screens.story import StoryScreen
from rougegame.ui.screens.title import TitleScreen
from rougegame.ui.widgets.choices import ChoiceList
from rougegame.ui.widgets.statusbar import StatusBar

ROOT = Path(__file__).resolve().parents[2]
TOUR = ROOT / "examples" / "tour"
SIZE = (100, 30)
MakeApp = Callable[..., RougeApp]
Notes = Callable[[RougeApp], list[str]]


@pytest.fixture
def titles_built(monkeypatch: pytest.MonkeyPatch) -> list[TitleScreen]:
    """Every title screen made while the test runs."""
    built: list[TitleScreen] = []
    init = TitleScreen.__init__

    def recording(self: TitleScreen, *args: Any, **kwargs: Any) -> None:
        init(self, *args, **kwargs)
        built.append(self)

    monkeypatch.setattr(TitleScreen, "__init__", recording)
    return built


@pytest.fixture
def collector_off() -> Iterator[None]:
    """The garbage collector off while the test runs, and on again after it."""
    was = gc.isenabled()
    gc.disable()
    yield
    if was:
        gc.enable()


def save_after_one_choice(story: Story, saves: Path, slot: str) -> Game:
    game = Game(story)
    game.choose_number(1)
    SaveStore(saves).save(slot, game)
    return game


# -- a slot given at start ----------------------------------------------------------------------


async def test_a_slot_given_at_start_opens_on_the_story_without_building_the_title(
    make_app: MakeApp,
    tour_story: Story,
    saves: Path,
    notes: Notes,
    titles_built: list[TitleScreen],
) -> None:
    saved = save_after_one_choice(tour_story, saves, "mine")
    app = make_app(load_slot="mine")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, StoryScreen)
        assert app.session.game is not None
        assert app.session.game.state.node == saved.state.node
        assert titles_built == []
        assert "Loaded “mine”." in notes(app)
        await pilot.press("escape")  # back to the title: made now, with the game to resume
        await pilot.pause()
        assert isinstance(app.screen, TitleScreen)
        assert len(titles_built) == 1
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, StoryScreen)


async def test_the_autosave_given_at_start_says_where_the_player_is(
    make_app: MakeApp, tour_story: Story, saves: Path, notes: Notes
) -> None:
    game = save_after_one_choice(tour_story, saves, AUTOSAVE)
    node = game.node
    app = make_app(load_slot=AUTOSAVE)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, StoryScreen)
        chapter = tour_story.chapters[node.chapter].title
        assert f"{chapter} · {node.title}" in notes(app)


async def test_a_missing_slot_given_at_start_leaves_the_title_screen(
    make_app: MakeApp, notes: Notes
) -> None:
    app = make_app(load_slot="nowhere")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, TitleScreen)
        assert app.session.game is None
        assert any("nowhere" in n for n in notes(app))


# -- the first theme ----------------------------------------------------------------------------


def looks(app: RougeApp) -> tuple[object, ...]:
    """Colours of the story screen that come from the theme, and the app's theme classes."""
    screen = app.screen
    return (
        screen.styles.background,
        screen.query_one(StatusBar).styles.background,
        screen.query_one(ChoiceList).styles.border_top,
        app.has_class("-dark-mode"),
        app.has_class("-light-mode"),
        app.has_class(f"-theme-{app.theme}"),
    )


@pytest.mark.parametrize("theme", ["rouge-redstar", "nord", "textual-light"])
async def test_the_theme_chosen_at_start_looks_as_when_chosen_in_play(
    make_app: MakeApp, tour_story: Story, saves: Path, theme: str
) -> None:
    save_after_one_choice(tour_story, saves, "mine")
    app = make_app(load_slot="mine", settings=Settings(typewriter=False, theme=theme))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.theme == theme
        at_start = looks(app)
        expected = app.get_css_variables()["background"]
        assert app.screen.styles.background == Color.parse(expected)
        app.theme = "textual-dark"
        await pilot.pause()
        assert looks(app) != at_start
        app.theme = theme
        await pilot.pause()
        assert looks(app) == at_start


# -- the garbage collector ----------------------------------------------------------------------


@pytest.mark.usefixtures("collector_off")
async def test_the_collector_paused_for_start_up_runs_once_the_first_screen_is_up(
    make_app: MakeApp,
) -> None:
    app = make_app(resume_gc=True)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, TitleScreen)
        assert gc.isenabled()


@pytest.mark.usefixtures("collector_off")
async def test_the_app_leaves_the_collector_alone_unless_asked(make_app: MakeApp) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n")
        await pilot.pause()
    assert not gc.isenabled()


def test_play_pauses_the_collector_while_the_game_starts(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    seen: list[tuple[bool, bool]] = []

    def fake_run(app: RougeApp, *args: Any, **kwargs: Any) -> None:
        seen.append((gc.isenabled(), app._resume_gc))

    monkeypatch.setattr(RougeApp, "run", fake_run)
    assert gc.isenabled()
    assert cli.main(["play", "--story", str(TOUR), "--saves", str(tmp_path)]) == 0
    assert seen == [(False, True)]
    assert gc.isenabled()


# -- what starting imports ----------------------------------------------------------------------

IMPORTS = """
import json, sys
from rougegame import cli
cli.main(["play", "--story", sys.argv[1]])  # a story that cannot be read: stops before the UI
import rougegame.ui.app
print(json.dumps(sorted(m for m in sys.modules if m.startswith("rougegame."))))
"""


def test_starting_imports_only_what_the_first_screen_needs(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-c", IMPORTS, str(tmp_path / "missing")],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    modules = set(json.loads(result.stdout.splitlines()[-1]))
    assert "rougegame.ui.app" in modules
    assert not {m for m in modules if m.startswith(("rougegame.tools.", "rougegame.ui.screens."))}
    assert "rougegame.ui.commands" not in modules
    assert "rougegame.ui.transcript" not in modules


# -- styling the first screens ------------------------------------------------------------------


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """How many times each stylesheet (the app's, a screen's, a widget's defaults) is parsed."""
    counts: Counter[str] = Counter()
    parse = stylesheet_module.parse

    def counting(scope: str, css: str, read_from: Any, **kwargs: Any) -> Any:
        # The same source is parsed again for another scope or precedence; that is not a repeat.
        options = kwargs.get("is_default_rules"), kwargs.get("tie_breaker")
        counts[f"{read_from} {scope} {options}"] += 1
        return parse(scope, css, read_from, **kwargs)

    monkeypatch.setattr(stylesheet_module, "parse", counting)
    return counts


@pytest.mark.parametrize(
    ("slot", "screen", "css"),
    [("mine", StoryScreen, "story.tcss"), (None, TitleScreen, "title.tcss")],
)
async def test_the_first_screen_is_shown_with_each_stylesheet_parsed_once(
    make_app: MakeApp,
    tour_story: Story,
    saves: Path,
    parses: Counter[str],
    slot: str | None,
    screen: type[Screen[None]],
    css: str,
) -> None:
    save_after_one_choice(tour_story, saves, "mine")
    app = make_app(load_slot=slot)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, screen)
    assert any(css in source for source in parses)
    assert {source: n for source, n in parses.items() if n > 1} == {}


@pytest.mark.parametrize(
    ("size", "classes"),
    [
        ((60, 20), {"-narrow", "-short"}),
        ((120, 40), {"-normal", "-tall"}),
        ((170, 50), {"-wide", "-tall"}),
    ],
)
async def test_the_story_screen_starts_with_the_classes_of_the_terminal_size(
    make_app: MakeApp,
    tour_story: Story,
    saves: Path,
    monkeypatch: pytest.MonkeyPatch,
    size: tuple[int, int],
    classes: set[str],
) -> None:
    restyled: list[object] = []
    update_styles = RougeApp.update_styles

    def recording(self: RougeApp, node: Any, animate: bool = True) -> None:
        restyled.append(node)
        update_styles(self, node, animate=animate)

    monkeypatch.setattr(RougeApp, "update_styles", recording)
    save_after_one_choice(tour_story, saves, "mine")
    app = make_app(load_slot="mine")
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, StoryScreen)
        breakpoints = {"-narrow", "-normal", "-wide", "-short", "-tall"}
        assert screen.classes & breakpoints == classes
        # Styled as its widgets were mounted, and not again as a whole: not for its size, nor
        # when it is first resumed.
        assert restyled.count(screen) == 0


async def test_only_the_first_resume_of_a_mode_screen_skips_restyling(
    make_app: MakeApp, tour_story: Story, saves: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    resumes: list[bool] = []
    post = ModeScreen.post_message

    def recording(self: ModeScreen, message: Message) -> bool:
        sent = post(self, message)
        if isinstance(message, events.ScreenResume) and isinstance(self, StoryScreen):
            resumes.append(message.refresh_styles)
        return sent

    monkeypatch.setattr(ModeScreen, "post_message", recording)
    save_after_one_choice(tour_story, saves, "mine")
    app = make_app(load_slot="mine")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await app.switch_mode("title")
        await pilot.pause()
        assert isinstance(app.screen, TitleScreen)
        await app.switch_mode("story")
        await pilot.pause()
        assert isinstance(app.screen, StoryScreen)
    assert resumes == [False, True]
