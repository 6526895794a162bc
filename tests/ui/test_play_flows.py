"""Pilot tests of the player's flows: new game, choose, undo, save, quit, relaunch, load."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from textual.pilot import Pilot

from rougegame.engine.saves import AUTOSAVE, SaveStore
from rougegame.story.model import Story
from rougegame.ui.app import RougeApp
from rougegame.ui.screens.confirm import ConfirmScreen, PromptScreen
from rougegame.ui.screens.saveload import SaveLoadScreen
from rougegame.ui.screens.story import StoryScreen
from rougegame.ui.screens.title import TitleScreen
from rougegame.ui.widgets.choices import ChoiceList
from rougegame.ui.widgets.passage import PassageView

SIZE = (100, 30)
MakeApp = Callable[..., RougeApp]
ScreenText = Callable[[RougeApp], str]
Notes = Callable[[RougeApp], list[str]]


def passage_plain(app: RougeApp) -> str:
    return app.screen.query_one(PassageView).text.plain


async def test_new_game_shows_the_first_passage_and_its_choices(
    make_app: MakeApp, screen_text: ScreenText
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        assert isinstance(app.screen, TitleScreen)
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, StoryScreen)
        assert app.session.game is not None
        assert app.session.game.state.node == "dock.quay"
        assert "Rain that is really condensation" in passage_plain(app)
        shown = screen_text(app)
        assert "1 ▸ Knock on the lock-keeper's door." in shown
        assert "NECTAR" in shown and "3/5" in shown
        assert "THE QUAY" in shown


async def test_choose_by_number_autosaves_and_undo_goes_back(
    make_app: MakeApp, saves: Path
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n", "1")
        await pilot.pause()
        game = app.session.game
        assert game is not None
        assert game.state.node == "dock.door"
        assert game.state.vars["keeper"] == "located"
        assert "Knocking is for guests" in passage_plain(app)
        autosaved = SaveStore(saves).load(AUTOSAVE, app.story).state
        assert autosaved.node == "dock.door"
        await pilot.press("u")
        await pilot.pause()
        assert game.state.node == "dock.quay"
        assert game.state.vars["keeper"] == "unknown"
        assert "Rain that is really" in passage_plain(app)
        # Undo autosaves too, so Continue resumes exactly where the player is.
        assert SaveStore(saves).load(AUTOSAVE, app.story).state.node == "dock.quay"
        await pilot.press("ctrl+z")
        await pilot.pause()
        assert game.state.node == "dock.quay"


async def test_choose_with_arrows_and_enter(make_app: MakeApp) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n")
        await pilot.pause()
        assert app.focused is app.screen.query_one(ChoiceList)
        await pilot.press("down", "down", "enter")
        await pilot.pause()
        assert app.session.game is not None
        assert app.session.game.state.node == "dock.quay"  # the wait falls back to the quay
        assert app.session.game.state.vars["dock_waited"] is True


async def test_choose_with_the_mouse(make_app: MakeApp) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n")
        await pilot.pause()
        choices = app.screen.query_one(ChoiceList)
        # The second line of the list is choice 2 (the list has a rule above it).
        await pilot.click(ChoiceList, offset=(10, 2))
        await pilot.pause()
        assert choices.is_mounted
        assert app.session.game is not None
        assert app.session.game.state.node == "lock.gate"


async def test_disabled_choice_is_greyed_with_its_reason(
    make_app: MakeApp, screen_text: ScreenText, notes: Notes
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n", "2")  # pay the toll: to the gate, trust 1
        await pilot.pause()
        game = app.session.game
        assert game is not None and game.state.node == "lock.gate"
        shown = screen_text(app)
        assert "Ask for your dose back." in shown
        assert "The lock-keeper does not trust you enough." in shown
        disabled = [v for v in game.choices() if not v.enabled]
        assert [v.number for v in disabled] == [2]
        await pilot.press("2")
        await pilot.pause()
        assert game.state.node == "lock.gate"
        assert "The lock-keeper does not trust you enough." in notes(app)


async def test_save_to_a_slot_quit_relaunch_and_load(make_app: MakeApp, saves: Path) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n", "1", "1")  # knock, promise: back on the quay with trust 2
        await pilot.pause()
        game = app.session.game
        assert game is not None
        assert game.state.vars["trust"] == 2
        await pilot.press("s")
        await pilot.pause()
        assert isinstance(app.screen, SaveLoadScreen)
        await pilot.press("enter")  # "+ New slot..."
        await pilot.pause()
        assert isinstance(app.screen, PromptScreen)
        await pilot.press("ctrl+a", "ctrl+k", *"before the gate", "enter")
        await pilot.pause()
        assert isinstance(app.screen, StoryScreen)
        assert (saves / "before the gate.save.json").is_file()
        before = game.state.copy()
        await pilot.press("1")  # go on playing after the save: to the gate
        await pilot.pause()
        await pilot.press("q")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await pilot.pause()
    assert app.return_code == 0

    again = make_app()
    async with again.run_test(size=SIZE) as pilot:
        await pilot.press("l")
        await pilot.pause()
        assert isinstance(again.screen, SaveLoadScreen)
        table = again.screen.query_one("DataTable")
        await pilot.press(*["down"] * (table.row_count - 1))  # the named slot is listed last
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(again.screen, StoryScreen)
        loaded = again.session.game
        assert loaded is not None
        assert loaded.state.same_as(before)
        assert loaded.state.vars["trust"] == 2
        assert "Rain that is really condensation" in passage_plain(again)
        # The history and undo were rebuilt from the save's path.
        assert [e.kind for e in loaded.log].count("choice") == 2
        assert loaded.can_undo


async def test_continue_resumes_exactly_at_the_autosave(make_app: MakeApp) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        title = app.screen
        assert "continue_game" not in [o.id for o in title.query_one("#menu").options]
        await pilot.press("n", "2")
        await pilot.pause()
        played = app.session.game
        assert played is not None
        state = played.state.copy()
        await pilot.press("ctrl+c")  # autosaves and exits at once
        await pilot.pause()
    assert app.return_code == 0

    again = make_app()
    async with again.run_test(size=SIZE) as pilot:
        menu = again.screen.query_one("#menu")
        assert menu.options[0].id == "continue_game"
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(again.screen, StoryScreen)
        resumed = again.session.game
        assert resumed is not None
        assert resumed.state.same_as(state)
        assert resumed.state.vars["nectar"] == 2


async def test_quit_without_confirmation_when_the_setting_is_off(make_app: MakeApp) -> None:
    from rougegame.engine.profile import Settings

    app = make_app(settings=Settings(typewriter=False, confirm_quit=False))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n", "q")
        await pilot.pause()
    assert app.return_code == 0


async def test_quit_can_be_cancelled(make_app: MakeApp) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n", "q")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, StoryScreen)
        assert app.is_running


async def test_terminate_signal_autosaves_and_exits(make_app: MakeApp, saves: Path) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n", "1")
        await pilot.pause()
        app.quit_on_signal()
        await pilot.pause()
    assert app.return_code == 0
    assert SaveStore(saves).load(AUTOSAVE, app.story).state.node == "dock.door"


async def test_quicksave_and_quickload(make_app: MakeApp, notes: Notes) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n")
        await pilot.pause()
        await pilot.press("f9")
        await pilot.pause()
        assert any("no quicksave" in n for n in notes(app))
        await pilot.press("f5", "1")
        await pilot.pause()
        assert app.session.game is not None
        assert app.session.game.state.node == "dock.door"
        await pilot.press("f9")
        await pilot.pause()
        assert app.session.game.state.node == "dock.quay"
        assert isinstance(app.screen, StoryScreen)


async def test_corrupt_save_shows_an_error_and_the_app_keeps_running(
    make_app: MakeApp, saves: Path, notes: Notes
) -> None:
    saves.mkdir(parents=True)
    (saves / "broken.save.json").write_text('{"format": "rougegame-save", "sche')
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("l")
        await pilot.pause()
        assert isinstance(app.screen, SaveLoadScreen)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, SaveLoadScreen)
        assert any("damaged" in n for n in notes(app))
        await pilot.press("escape", "n")
        await pilot.pause()
        assert isinstance(app.screen, StoryScreen)


async def test_corrupt_save_given_on_the_command_line(
    make_app: MakeApp, saves: Path, notes: Notes
) -> None:
    saves.mkdir(parents=True)
    payload = {"format": "rougegame-save", "schema": 1, "checksum": "0" * 64}
    (saves / "tampered.save.json").write_text(json.dumps(payload))
    app = make_app(load_slot="tampered")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, TitleScreen)
        assert any("checksum" in n for n in notes(app))
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, StoryScreen)


async def test_load_slot_from_the_command_line(make_app: MakeApp, tour_story: Story) -> None:
    first = make_app()
    async with first.run_test(size=SIZE) as pilot:
        await pilot.press("n", "1", "f5")
        await pilot.pause()
    app = make_app(load_slot="quicksave")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, StoryScreen)
        assert app.session.game is not None
        assert app.session.game.state.node == "dock.door"


async def test_overwrite_and_delete_ask_first(make_app: MakeApp, saves: Path) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n", "f5", "1", "s")
        await pilot.pause()
        table = app.screen.query_one("DataTable")
        keys = [table.coordinate_to_cell_key((r, 0)).row_key.value for r in range(table.row_count)]
        await pilot.press(*["down"] * keys.index("quicksave"), "enter")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await pilot.pause()
        store = SaveStore(saves)
        assert store.load("quicksave", app.story).state.node == "dock.door"
        await pilot.press("l")
        await pilot.pause()
        table = app.screen.query_one("DataTable")
        keys = [table.coordinate_to_cell_key((r, 0)).row_key.value for r in range(table.row_count)]
        await pilot.press(*["down"] * keys.index("quicksave"), "delete")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        await pilot.pause()
        assert store.exists("quicksave")
        await pilot.press("delete", "y")
        await pilot.pause()
        assert not store.exists("quicksave")
        assert isinstance(app.screen, SaveLoadScreen)


async def test_the_autosave_slot_cannot_be_overwritten_by_hand(
    make_app: MakeApp, notes: Notes
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n", "1", "s", "down", "enter")
        await pilot.pause()
        assert isinstance(app.screen, SaveLoadScreen)
        assert any("autosave" in n for n in notes(app))


async def test_slot_names_are_checked(make_app: MakeApp, saves: Path) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n", "s", "enter", "ctrl+a", "ctrl+k", *"../escape", "enter")
        await pilot.pause()
        assert isinstance(app.screen, PromptScreen)
        problem = app.screen.query_one("#problem").visual
        assert "cannot contain" in str(problem)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, SaveLoadScreen)
    assert not any(p.name.startswith("..") for p in saves.parent.iterdir())


async def test_new_game_over_a_game_in_progress_asks_first(make_app: MakeApp) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n", "1", "escape")
        await pilot.pause()
        assert isinstance(app.screen, TitleScreen)
        assert app.screen.query_one("#menu").options[0].id == "continue_game"
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert app.session.game is not None
        assert app.session.game.state.node == "dock.door"
        await pilot.press("n", "y")
        await pilot.pause()
        assert isinstance(app.screen, StoryScreen)
        assert app.session.game.state.node == "dock.quay"


async def test_ctrl_c_copies_selected_text_in_a_field_and_quits_elsewhere(
    make_app: MakeApp,
) -> None:
    from textual.widgets import Input

    async def open_slot_prompt(app: RougeApp, pilot: Pilot[None]) -> Input:
        await pilot.press("n")
        await pilot.pause()
        await pilot.press("s")
        await pilot.pause()
        await pilot.press("enter")  # "+ New slot..."
        await pilot.pause()
        assert isinstance(app.screen, PromptScreen)
        field = app.screen.query_one(Input)
        await pilot.press("ctrl+a", "ctrl+k", *"dock")
        await pilot.pause()
        assert field.value == "dock" and field.has_focus
        return field

    copied: list[str] = []
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        app.copy_to_clipboard = copied.append  # type: ignore[method-assign]
        field = await open_slot_prompt(app, pilot)
        field.select_all()
        await pilot.pause()
        assert field.selected_text == "dock"
        await pilot.press("ctrl+c")
        await pilot.pause()
        assert copied == ["dock"]
        assert isinstance(app.screen, PromptScreen)  # still naming the slot
        assert app.return_code is None
        field.action_end()  # nothing selected: ctrl+c quits, as everywhere else
        await pilot.pause()
        assert field.selected_text == ""
        await pilot.press("ctrl+c")
        await pilot.pause()
    assert app.return_code == 0 and copied == ["dock"]
