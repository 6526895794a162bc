"""Pilot tests of the screens: each opens and closes; endings, codex, history, settings, keys."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from textual.command import CommandPalette
from textual.screen import Screen

from rougegame.engine.profile import PROFILE_FILE, SETTINGS_FILE, Settings, load_profile
from rougegame.ui.app import RougeApp
from rougegame.ui.screens.about import AboutScreen
from rougegame.ui.screens.codex import CodexScreen
from rougegame.ui.screens.dossier import DossierScreen
from rougegame.ui.screens.ending import EndingScreen
from rougegame.ui.screens.gallery import GalleryScreen
from rougegame.ui.screens.help import HelpScreen
from rougegame.ui.screens.history import HistoryScreen
from rougegame.ui.screens.saveload import SaveLoadScreen
from rougegame.ui.screens.settings import SettingsScreen
from rougegame.ui.screens.story import StoryScreen
from rougegame.ui.screens.title import TitleScreen
from rougegame.ui.widgets.choices import ChoiceList
from rougegame.ui.widgets.passage import PassageView
from rougegame.ui.widgets.statusbar import StatusBar

SIZE = (100, 30)
MakeApp = Callable[..., RougeApp]
ScreenText = Callable[[RougeApp], str]
Notes = Callable[[RougeApp], list[str]]

STORY_SCREENS: list[tuple[str, type[Screen[object]]]] = [
    ("j", CodexScreen),
    ("d", DossierScreen),
    ("h", HistoryScreen),
    ("s", SaveLoadScreen),
    ("l", SaveLoadScreen),
    ("question_mark", HelpScreen),
    ("o", SettingsScreen),
]
TITLE_SCREENS: list[tuple[str, type[Screen[object]]]] = [
    ("e", GalleryScreen),
    ("a", AboutScreen),
    ("j", CodexScreen),
    ("l", SaveLoadScreen),
    ("o", SettingsScreen),
    ("f1", HelpScreen),
]


async def test_every_story_screen_opens_and_closes(make_app: MakeApp) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n", "1")
        await pilot.pause()
        for key, kind in STORY_SCREENS:
            await pilot.press(key)
            await pilot.pause()
            assert isinstance(app.screen, kind), key
            await pilot.press("escape")
            await pilot.pause()
            assert isinstance(app.screen, StoryScreen), key
            assert app.focused is app.screen.query_one(ChoiceList)


async def test_every_title_screen_opens_and_closes(make_app: MakeApp) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        for key, kind in TITLE_SCREENS:
            await pilot.press(key)
            await pilot.pause()
            assert isinstance(app.screen, kind), key
            await pilot.press("escape")
            await pilot.pause()
            assert isinstance(app.screen, TitleScreen), key


async def test_title_menu_runs_its_entries(make_app: MakeApp) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        menu = app.screen.query_one("#menu")
        ids = [o.id for o in menu.options]
        assert ids == ["new_game", "load", "endings", "codex", "settings", "about", "quit_game"]
        await pilot.press("down", "down", "enter")
        await pilot.pause()
        assert isinstance(app.screen, GalleryScreen)
        await pilot.press("escape", "up", "up", "enter")
        await pilot.pause()
        assert isinstance(app.screen, StoryScreen)


async def test_escape_goes_to_the_title_and_resume_comes_back(make_app: MakeApp) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n", "1", "escape")
        await pilot.pause()
        assert isinstance(app.screen, TitleScreen)
        prompt = str(app.screen.query_one("#menu").options[0].prompt)
        assert "Resume" in prompt
        await pilot.press("c")
        await pilot.pause()
        assert isinstance(app.screen, StoryScreen)
        assert app.session.game is not None
        assert app.session.game.state.node == "dock.door"


async def test_reaching_an_ending_adds_it_to_the_gallery(
    make_app: MakeApp, saves: Path, screen_text: ScreenText
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n", "2", "1")  # pay the toll, ride through in silence
        await pilot.pause()
        game = app.session.game
        assert game is not None and game.is_ending
        assert "Read the epilogue" in screen_text(app)
        profile, _ = load_profile(saves)
        assert set(profile.endings_for("feature-tour")) == {"through_the_lock"}
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, EndingScreen)
        shown = screen_text(app)
        assert "Through the Lock" in shown
        assert "NEW IN THE GALLERY" in shown
        assert "Endings found: 1 of 1" in shown
        assert "[The End]" in shown  # the epilogue's brackets are text, not markup
        await pilot.press("t")
        await pilot.pause()
        assert isinstance(app.screen, TitleScreen)
        assert app.session.game is None
        await pilot.press("e")
        await pilot.pause()
        assert isinstance(app.screen, GalleryScreen)
        assert "Through the Lock" in screen_text(app)
        assert "1 of 1 found" in screen_text(app)

    # The gallery outlives the playthrough and the app.
    again = make_app()
    async with again.run_test(size=SIZE) as pilot:
        await pilot.press("e")
        await pilot.pause()
        assert "Through the Lock" in screen_text(again)


async def test_ending_screen_undo_goes_back_into_the_story(make_app: MakeApp) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n", "2", "1", "enter")
        await pilot.pause()
        assert isinstance(app.screen, EndingScreen)
        await pilot.press("u")
        await pilot.pause()
        assert isinstance(app.screen, StoryScreen)
        assert app.session.game is not None
        assert app.session.game.state.node == "lock.gate"


async def test_gallery_hides_endings_not_found(make_app: MakeApp, screen_text: ScreenText) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("e")
        await pilot.pause()
        shown = screen_text(app)
        assert "0 of 1 found" in shown
        assert "? ? ?" in shown
        assert "Through the Lock" not in shown


async def test_brackets_in_story_text_show_literally(
    make_app: MakeApp, screen_text: ScreenText
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n")
        await pilot.pause()
        assert "[toll: one dose]." in screen_text(app)
        await pilot.press("1", "j")
        await pilot.pause()
        entry = app.screen.query_one("#entry-text")
        assert str(entry.visual) == "An old android who counts the barges [and the dead]."
        shown = screen_text(app)
        assert "[and the" in shown and "dead]." in shown
        assert entry.size.height == 2


async def test_emphasis_and_strong_are_styled_not_shown_as_asterisks(make_app: MakeApp) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n")
        await pilot.pause()
        text = app.screen.query_one(PassageView).text
        assert "*" not in text.plain
        styles = {str(span.style) for span in text.spans}
        assert {"italic", "bold"} <= styles


async def test_speaker_line_above_the_passage(make_app: MakeApp, screen_text: ScreenText) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n", "1")
        await pilot.pause()
        shown = screen_text(app).splitlines()
        speaker = next(i for i, line in enumerate(shown) if "— THE LOCK-KEEPER —" in line)
        words = next(i for i, line in enumerate(shown) if "Knocking is for guests" in line)
        assert speaker < words and shown[speaker + 1].strip() == ""


async def test_the_speaker_line_is_there_while_the_passage_is_typed(
    make_app: MakeApp, screen_text: ScreenText
) -> None:
    app = make_app(settings=Settings(typewriter=True, typewriter_speed=5))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n", "enter", "1")
        await pilot.pause()
        passage = app.screen.query_one(PassageView)
        assert passage.typing and passage.speaker == "— THE LOCK-KEEPER —"
        assert "— THE LOCK-KEEPER —" in screen_text(app)
        await pilot.press("enter")
        await pilot.pause()
        assert not passage.typing and passage.speaker == "— THE LOCK-KEEPER —"
        assert "Knocking is for guests" in screen_text(app)


async def test_earlier_passages_stay_above_the_current_one(
    make_app: MakeApp, screen_text: ScreenText
) -> None:
    app = make_app()
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.press("n", "1")
        await pilot.pause()
        shown = screen_text(app)
        assert shown.index("Rain that is really") < shown.index("▸ Knock on the lock-keeper's")
        assert shown.index("▸ Knock on the lock-keeper's") < shown.index("Knocking is for")
        earlier = app.screen.query(".earlier-passage")
        assert len(earlier) == 1


async def test_codex_marks_what_is_new_since_it_was_last_opened(
    make_app: MakeApp, screen_text: ScreenText
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n", "j")
        await pilot.pause()
        first = screen_text(app)
        assert "● The quay" in first
        assert "The lock-keeper" not in first  # not unlocked yet
        await pilot.press("escape", "1", "j")
        await pilot.pause()
        second = screen_text(app)
        assert "● The lock-keeper" in second
        assert "● The quay" not in second and "The quay" in second


async def test_codex_on_the_title_screen_shows_entries_ever_unlocked(
    make_app: MakeApp, screen_text: ScreenText
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("j")
        await pilot.pause()
        assert "Nothing here yet" in screen_text(app)
        await pilot.press("escape", "n", "1", "escape")
        await pilot.pause()
        app.session.game = None
        await pilot.press("j")
        await pilot.pause()
        assert "The lock-keeper" in screen_text(app)


async def test_dossier_cards_follow_the_story_variables(
    make_app: MakeApp, screen_text: ScreenText
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n", "d")
        await pilot.pause()
        card = app.screen.query_one(".dossier-card")
        assert card.has_class("-unknown")
        assert "UNKNOWN" in screen_text(app)
        await pilot.press("escape", "1", "d")
        await pilot.pause()
        card = app.screen.query_one(".dossier-card")
        assert card.has_class("-located")
        assert "LOCATED" in screen_text(app)
        body = str(card.query_one(".card-body").visual)
        assert "counts the barges [and the dead]" in body  # the card's codex entry, unlocked


async def test_status_bar_shows_the_nine_and_a_low_gauge(
    make_app: MakeApp, screen_text: ScreenText
) -> None:
    app = make_app()
    async with app.run_test(size=(140, 30)) as pilot:
        await pilot.press("n")
        await pilot.pause()
        bar = app.screen.query_one(StatusBar)
        assert bar.gauge is not None and bar.gauge.level == "ok"
        assert "NINE · 0/1 found · 0 resolved" in screen_text(app)
        await pilot.resize_terminal(*SIZE)
        await pilot.pause()
        assert "NINE · 0/1 ✓0" in screen_text(app)
        assert app.session.game is not None
        app.session.game.state.vars["nectar"] = 1
        app.screen.sync()
        await pilot.pause()
        assert bar.gauge.level == "critical"
        assert "CRITICAL" in screen_text(app)
        app.session.game.state.vars["nectar"] = 2
        app.screen.sync()
        await pilot.pause()
        assert bar.gauge.level == "low"
        assert "LOW" in screen_text(app) and "CRITICAL" not in screen_text(app)


async def test_status_bar_cuts_where_the_player_is_short_to_keep_the_rest(
    make_app: MakeApp, screen_text: ScreenText
) -> None:
    app = make_app()
    async with app.run_test(size=(70, 24)) as pilot:
        await pilot.press("n")
        await pilot.pause()
        bar = app.screen.query_one(StatusBar)
        (line,) = [row for row in screen_text(app).splitlines() if "◷" in row]
        shown = line.strip().split("…")[0]
        assert len(shown) > 5 and bar.where.plain.startswith(shown)  # cut short, with "…"
        assert "NECTAR" in line and "NINE" in line


async def test_history_lists_everything_and_exports_markdown(
    make_app: MakeApp, saves: Path, screen_text: ScreenText, notes: Notes
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n", "1", "2", "h")
        await pilot.pause()
        assert isinstance(app.screen, HistoryScreen)
        await pilot.press("home")
        await pilot.pause()
        shown = screen_text(app)
        assert "Rain that is really" in shown
        assert "▸ Knock on the lock-keeper's door." in shown
        await pilot.press("e")
        await pilot.pause()
        files = list(saves.glob("transcript-feature-tour-*.md"))
        assert len(files) == 1
        text = files[0].read_text()
        assert text.startswith("# The Lock-Keeper's Night")
        assert "> **Knock on the lock-keeper's door.**" in text
        assert "> **Say nothing and go back to the quay.**" in text
        assert "*The lock-keeper:*" in text
        assert str(files[0]) in notes(app)


async def test_settings_change_and_persist(make_app: MakeApp, saves: Path) -> None:
    app = make_app(settings=None)
    async with app.run_test(size=SIZE) as pilot:
        assert app.theme == "rouge-redstar"
        await pilot.press("o")
        await pilot.pause()
        assert isinstance(app.screen, SettingsScreen)
        app.screen.query_one("#confirm_quit").toggle()
        app.screen.query_one("#typewriter").toggle()
        await pilot.pause()
        app.screen.query_one("#theme").value = "nord"
        await pilot.pause()
        assert app.theme == "nord"
    written = json.loads((saves / SETTINGS_FILE).read_text())
    assert written["confirm_quit"] is False
    assert written["typewriter"] is False
    assert written["theme"] == "nord"

    again = make_app(settings=None)
    async with again.run_test(size=SIZE) as pilot:
        await pilot.press("n", "q")
        await pilot.pause()
    assert again.theme == "nord"
    assert again.return_code == 0  # quit without asking


async def test_a_corrupt_settings_file_falls_back_to_defaults(
    make_app: MakeApp, saves: Path, notes: Notes
) -> None:
    saves.mkdir(parents=True)
    (saves / SETTINGS_FILE).write_text("{not json")
    (saves / PROFILE_FILE).write_bytes(b"\xff\xfe")
    app = make_app(settings=None)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.settings == Settings()
        shown = notes(app)
        assert any("settings file could not be read" in n for n in shown)
        assert any("endings gallery could not be read" in n for n in shown)
        await pilot.press("n", "1")
        await pilot.pause()
        assert isinstance(app.screen, StoryScreen)


async def test_keys_can_be_remapped_from_the_settings(make_app: MakeApp, notes: Notes) -> None:
    settings = Settings(typewriter=False, keys={"undo": "b", "codex": "k", "nonsense": "x"})
    app = make_app(settings=settings)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()  # notes about the start pop up once the first screen is drawn
        assert any("nonsense" in n for n in notes(app))
        await pilot.press("n", "1", "b")
        await pilot.pause()
        assert app.session.game is not None
        assert app.session.game.state.node == "dock.quay"
        await pilot.press("k")
        await pilot.pause()
        assert isinstance(app.screen, CodexScreen)
        await pilot.press("escape", "question_mark")
        await pilot.pause()
        help_text = "\n".join(str(s.visual) for s in app.screen.query(".help-keys"))
        assert "Undo" in help_text and "[undo]" in help_text
        line = next(x for x in help_text.splitlines() if "[undo]" in x)
        assert line.startswith("b ")


async def test_help_lists_every_key_from_the_bindings(make_app: MakeApp) -> None:
    from rougegame.ui.keys import all_keys

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("question_mark")
        await pilot.pause()
        help_text = "\n".join(str(s.visual) for s in app.screen.query(".help-keys"))
        for key in all_keys():
            if not key.id.startswith("choose_"):
                assert f"[{key.id}]" in help_text, key.id


async def test_command_palette_runs_game_actions_and_choices(make_app: MakeApp) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n", "ctrl+p")
        await pilot.pause()
        assert CommandPalette.is_open(app)
        await pilot.press(*"dossier")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, DossierScreen)
        await pilot.press("escape", "ctrl+p", *"choose pay")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause()
        assert app.session.game is not None
        assert app.session.game.state.node == "lock.gate"


async def test_typewriter_types_and_any_key_finishes(make_app: MakeApp) -> None:
    app = make_app(settings=Settings(typewriter=True, typewriter_speed=5))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n")
        await pilot.pause()
        passage = app.screen.query_one(PassageView)
        choices = app.screen.query_one(ChoiceList)
        assert passage.typing
        assert not choices.visible
        await pilot.press("1")  # finishes the text; does not choose
        await pilot.pause()
        assert not passage.typing
        assert choices.visible
        assert app.session.game is not None
        assert app.session.game.state.node == "dock.quay"
        await pilot.press("1")
        await pilot.pause()
        assert app.session.game.state.node == "dock.door"
        assert passage.typing
        await pilot.press("j")  # other keys finish the typing and do their job
        await pilot.pause()
        assert not passage.typing
        assert isinstance(app.screen, CodexScreen)


async def test_resizing_reflows_at_80x24_and_200x60(
    make_app: MakeApp, screen_text: ScreenText
) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("n")
        await pilot.pause()
        small = screen_text(app)
        assert "Rain that is really condensation" in small
        assert "1 ▸ Knock on the lock-keeper's door." in small
        assert all(len(line) <= 80 for line in small.splitlines())
        await pilot.resize_terminal(200, 60)
        await pilot.pause()
        large = screen_text(app)
        assert "[toll: one dose]." in large
        assert "3 ▸ Wait for the lock-keeper to come out." in large
        column = app.screen.query_one("#column")
        assert column.size.width == 100  # a readable measure, centred
        assert column.region.x == (200 - 100) // 2
        assert column.region.height == 60 - 2  # between the status bar and the keys


async def test_page_keys_scroll_the_transcript_while_choices_keep_focus(make_app: MakeApp) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("n", "1", "2", "3")  # knock, back, wait: a transcript taller than 24
        await pilot.pause()
        transcript = app.screen.query_one("#transcript")
        bottom = transcript.scroll_y
        assert bottom > 0
        await pilot.press("pageup")
        await pilot.pause()
        assert transcript.scroll_y < bottom
        assert app.focused is app.screen.query_one(ChoiceList)
        await pilot.press("pagedown", "pagedown")
        await pilot.pause()
        assert transcript.scroll_y == transcript.max_scroll_y


async def test_the_highlighted_choice_survives_a_dialog(make_app: MakeApp) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n", "down", "j", "escape")
        await pilot.pause()
        choices = app.screen.query_one(ChoiceList)
        assert choices.highlighted == 1
        await pilot.press("1")  # a new passage highlights its first choice
        await pilot.pause()
        assert choices.highlighted == 0


async def test_an_opened_game_shows_a_short_transcript_that_grows_with_play(
    make_app: MakeApp, make_story: Callable[..., Path]
) -> None:
    from rougegame.story.loader import load_story
    from rougegame.ui.screens.story import EARLIER_LIMIT, EARLIER_ON_OPEN

    loop = load_story(
        make_story(
            {
                "chapters/a.yaml": "chapter: a\ntitle: A\nnodes:\n  start:\n    text: Round.\n"
                "    choices:\n      - {text: Again., to: start}\n"
            }
        ),
        use_cache=False,
    )
    app = make_app(loop)
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.press("n")
        await pilot.pause()
        game = app.session.game
        assert game is not None
        for _ in range(EARLIER_ON_OPEN + 10):
            game.choose(0)
        app.show_story(reset=True)  # as when a save is loaded or the autosave continued
        await pilot.pause()
        earlier = list(app.screen.query(".earlier").results())
        assert len(earlier) == EARLIER_ON_OPEN  # the most recent part only: quick to draw
        await pilot.press("1")
        await pilot.pause()
        after = list(app.screen.query(".earlier").results())
        assert after[: len(earlier)] == earlier  # kept, not drawn again
        assert len(after) == EARLIER_ON_OPEN + 2 <= EARLIER_LIMIT  # the choice and the passage
