"""The Textual application: screens, keys, and every game action a player can take.

:class:`RougeApp` holds a :class:`~rougegame.ui.session.Session` (the story, the saves, the
profile and the game in progress) and the player's settings. It has two modes: ``title`` (the
title screen and what opens from it) and ``story`` (the story screen and its dialogs). Every
action lives here, so the keys, the command palette and the menus all run the same code.
Problems a player can cause become notifications or an error panel; the app keeps running.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import signal
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from textual.app import App
from textual.binding import Binding, BindingType
from textual.notifications import SeverityLevel
from textual.timer import Timer

from rougegame.engine.game import ChoiceUnavailable, StoryRuntimeError
from rougegame.engine.profile import Settings, load_settings, save_settings
from rougegame.engine.saves import AUTOSAVE, QUICKSAVE, SaveError
from rougegame.story.loader import chapter_files, load_story
from rougegame.story.model import Story
from rougegame.story.problems import Problem, StoryError
from rougegame.ui.keys import APP_KEYS, bindings, known_ids
from rougegame.ui.session import Session
from rougegame.ui.theme import ROUGE_THEME, THEME_NAME

if TYPE_CHECKING:
    from textual.command import Provider
    from textual.screen import Screen

    from rougegame.ui.screens.story import StoryScreen

# Actions that need a game in progress.
GAME_ACTIONS = {"choose", "undo", "save", "quicksave", "dossier", "history", "title"}


# Screens are imported when they are first shown: starting the game loads only the one it opens.
def _title_screen() -> Screen[None]:
    from rougegame.ui.screens.title import TitleScreen

    return TitleScreen()


def _story_screen() -> Screen[None]:
    from rougegame.ui.screens.story import StoryScreen

    return StoryScreen()


def _game_commands() -> type[Provider]:
    from rougegame.ui.commands import GameCommands

    return GameCommands


class RougeApp(App[int]):
    """Rouge Redstar, the game."""

    TITLE = "Rouge Redstar"
    CSS_PATH = "app.tcss"
    BINDINGS: ClassVar[list[BindingType]] = list(bindings(APP_KEYS))
    COMMANDS = App.COMMANDS | {_game_commands}
    MODES: ClassVar[dict[str, str | Callable[[], Screen[Any]]]] = {
        "title": _title_screen,
        "story": _story_screen,
    }
    DEFAULT_MODE = "title"
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-normal"), (160, "-wide")]  # noqa: RUF012
    VERTICAL_BREAKPOINTS = [(0, "-short"), (30, "-tall")]  # noqa: RUF012
    NOTIFICATION_TIMEOUT = 6.0

    def __init__(
        self,
        story: Story,
        saves_dir: Path | str | None = None,
        load_slot: str | None = None,
        story_path: str | None = None,
        *,
        settings: Settings | None = None,
        clock: Callable[[], float] = time.monotonic,
        watch_interval: float = 1.0,
        resume_gc: bool = False,
    ) -> None:
        """``resume_gc``: turn Python's garbage collector on once the first screen is drawn (the
        command line pauses it while the game starts)."""
        session = Session(story, saves_dir, clock=clock)
        # A slot given at start is loaded before any screen is built, so that the story screen is
        # the first one drawn; when it cannot be read, the game opens on the title screen instead.
        first_load: list[str] | SaveError | None = None
        if load_slot:
            try:
                first_load = session.load(load_slot)
            except SaveError as exc:
                first_load = exc
        start = "story" if isinstance(first_load, list) else "title"
        self.DEFAULT_MODE = start  # type: ignore[misc]  # read by App.__init__, per instance
        # The first screen's stylesheet is read with the app's own, so that showing it does not
        # parse the whole stylesheet once more (it only styles its own screen).
        super().__init__(css_path=[self.CSS_PATH, f"screens/{start}.tcss"])
        self.session = session
        self.load_slot = load_slot
        self._first_load = first_load
        self._resume_gc = resume_gc
        self.story_path = story_path
        self.watch_interval = watch_interval
        self.startup_notes: list[str] = list(self.session.notes)
        if settings is None:
            settings, note = load_settings(self.session.root)
            if note:
                self.startup_notes.append(note)
        self.settings = settings
        self.register_theme(ROUGE_THEME)
        if settings.theme in self.available_themes:
            self._start_theme(settings.theme)
        else:
            if settings.theme != THEME_NAME:
                self.startup_notes.append(f"Unknown theme {settings.theme!r}; using the default.")
            self._start_theme(THEME_NAME)
        unknown = sorted(set(settings.keys) - known_ids())
        if unknown:
            self.startup_notes.append(f"Unknown key ids in settings ignored: {', '.join(unknown)}.")
        self.keymap = {k: v for k, v in settings.keys.items() if k in known_ids()}
        self._watch_timer: Timer | None = None
        self._watch_signature: tuple[tuple[str, int, int], ...] = ()
        self._signals: list[int] = []
        self.quitting = False
        self.new_ending_id: str | None = None
        self._animate_next = False

    def _start_theme(self, name: str) -> None:
        """Choose the theme before the app runs.

        Setting ``theme`` restyles a running app: it schedules one more full parse of the
        stylesheet, which starting would pay for nothing. No stylesheet has been parsed yet here,
        so new CSS variables and the theme's class are all it takes, as long as the theme keeps
        the default's dark or light mode and ANSI colours (which set the app's colour filter);
        any other theme is set the ordinary way.
        """
        theme, default = self.get_theme(name), self.current_theme
        if theme is None or (theme.dark, theme.ansi) != (default.dark, default.ansi):
            self.theme = name
            return
        self.set_reactive(App.theme, name)
        self.set_class(True, f"-theme-{name}", update=False)
        self.stylesheet.set_variables(self.get_css_variables())

    # -- shortcuts --------------------------------------------------------------------------
    @property
    def story(self) -> Story:
        return self.session.story

    def say(self, message: str, severity: SeverityLevel = "information", title: str = "") -> None:
        """A notification; the message is plain text, never markup."""
        self.notify(message, title=title, severity=severity, markup=False)

    def get_key_display_for(self, key: str) -> str:
        """How a key is written in hints, e.g. ``^r`` for ``ctrl+r``."""
        return self.get_key_display(Binding(key, ""))

    def story_screen(self) -> StoryScreen | None:
        """The story screen, once it exists (it is made the first time a game starts)."""
        try:
            stack = self.get_screen_stack("story")
        except KeyError:
            return None
        from rougegame.ui.screens.story import StoryScreen

        base = stack[0] if stack else None
        return base if isinstance(base, StoryScreen) else None

    # -- start and stop ---------------------------------------------------------------------
    def on_mount(self) -> None:
        self.set_keymap(self.keymap)
        self.theme_changed_signal.subscribe(self, self._theme_changed)
        self.set_watching(self.settings.watch_story)
        self._install_signals()
        # Notes about the start pop up once the first screen is drawn, not before it.
        self.call_after_refresh(self._started)

    def _started(self) -> None:
        """The first screen is up: say what there is to say about the start, and let the
        garbage collector run again (the command line pauses it while the game starts)."""
        for note in self.startup_notes:
            self.say(note, "warning")
        first_load, self._first_load = self._first_load, None
        if isinstance(first_load, SaveError):
            self.say(str(first_load), "error", title="Could not load")
        elif first_load is not None and self.load_slot:
            for note in first_load:
                self.say(note, "warning", title="Loaded with changes")
            self._say_loaded(self.load_slot)
        if self._resume_gc:
            self._resume_gc = False
            gc.enable()

    def on_unmount(self) -> None:
        loop = asyncio.get_running_loop()
        for sig in self._signals:
            with contextlib.suppress(Exception):
                loop.remove_signal_handler(sig)
        self._signals.clear()

    def _install_signals(self) -> None:
        """SIGTERM and SIGHUP autosave and exit cleanly instead of killing the terminal."""
        if self.is_headless:
            return
        loop = asyncio.get_running_loop()
        for name in ("SIGTERM", "SIGHUP"):
            sig = getattr(signal, name, None)
            if sig is None:
                continue
            try:
                loop.add_signal_handler(sig, self.quit_on_signal)
            except (NotImplementedError, RuntimeError, ValueError):
                continue
            self._signals.append(sig)

    def quit_on_signal(self) -> None:
        self.finish(autosave=True)

    def finish(self, autosave: bool = True) -> None:
        """Autosave the game in progress (when asked) and exit with code 0."""
        if self.quitting:
            return
        self.quitting = True
        if autosave and self.session.game is not None:
            problem = self.session.autosave()
            if problem:
                self.log.warning(problem)
        self.exit(0)

    async def action_quit(self) -> None:
        self.finish(autosave=True)

    def action_quit_now(self) -> None:
        from textual.widgets import Input

        focused = self.focused
        if isinstance(focused, Input) and focused.selected_text:
            focused.action_copy()  # in a text field with text selected, ctrl+c copies it
            return
        self.finish(autosave=True)

    def action_quit_game(self) -> None:
        from rougegame.ui.screens.confirm import ConfirmScreen

        if not self.settings.confirm_quit:
            self.finish(autosave=True)
            return
        detail = (
            "Your place is autosaved; Continue brings you back to it."
            if self.session.game is not None
            else "See you on Mars."
        )

        def answer(yes: bool | None) -> None:
            if yes:
                self.finish(autosave=True)

        self.push_screen(ConfirmScreen("Quit Rouge Redstar?", detail, "Quit", "Stay"), answer)

    # -- availability -----------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        game = self.session.game
        if action in GAME_ACTIONS and game is None:
            return None
        if action == "undo" and (game is None or not game.can_undo):
            return None
        if action == "dossier" and not self.story.dossier:
            return None
        if action == "continue_game" and game is None and self.session.continue_info() is None:
            return None
        return True

    # -- starting a game --------------------------------------------------------------------
    def action_new_game(self) -> None:
        from rougegame.ui.screens.confirm import ConfirmScreen

        if self.session.continue_info() is None and self.session.game is None:
            self.start_new_game()
            return

        def answer(yes: bool | None) -> None:
            if yes:
                self.start_new_game()

        self.push_screen(
            ConfirmScreen(
                "Start a new game?",
                "The autosave is replaced at your first choice. "
                "Save to a slot first if you want to keep the game in progress.",
                "New game",
                "Cancel",
            ),
            answer,
        )

    def start_new_game(self) -> None:
        try:
            self.session.new_game()
        except StoryError as exc:  # a chapter that could no longer be read from disk
            self.show_problems(exc.problems)
            return
        self.show_story(reset=True, animate=True)

    def action_continue_game(self) -> None:
        """Back to the game in progress, or else the autosave."""
        if self.session.game is not None:
            self.show_story()
            return
        info = self.session.continue_info()
        if info is None:
            self.say("There is no autosave to continue from.", "warning")
            return
        self.load_game(info.name)

    def load_game(self, slot: str) -> bool:
        try:
            notes = self.session.load(slot)
        except SaveError as exc:
            self.say(str(exc), "error", title="Could not load")
            return False
        for note in notes:
            self.say(note, "warning", title="Loaded with changes")
        self.show_story(reset=True)
        self._say_loaded(slot)
        return True

    def _say_loaded(self, slot: str) -> None:
        game = self.session.game
        if slot == AUTOSAVE and game is not None:
            node = game.node
            chapter = self.story.chapters[node.chapter].title
            self.say(f"{chapter} · {node.title}", title="Welcome back")
        else:
            self.say(f"Loaded “{slot}”.", title="Loaded")

    def show_story(self, reset: bool = False, animate: bool = False) -> None:
        """Switch to the story screen, closing any dialogs there, and bring it up to date."""
        self.switch_mode("story")
        while len(self.screen_stack) > 1:
            self.pop_screen()
        screen = self.story_screen()
        if screen is not None and screen.is_mounted:
            screen.sync(reset=reset, animate=animate)
        else:
            self._animate_next = animate

    def take_animate(self) -> bool:
        """Whether the story screen, mounting now, should type its first passage out."""
        animate, self._animate_next = self._animate_next, False
        return animate

    def action_title(self) -> None:
        while len(self.screen_stack) > 1:
            self.pop_screen()
        self.switch_mode("title")

    def leave_finished_game(self) -> None:
        """From an ending back to the title; Continue still leads to the autosave there."""
        self.action_title()
        self.session.game = None

    # -- playing ----------------------------------------------------------------------------
    def action_choose(self, number: int) -> None:
        game = self.session.game
        if game is None:
            return
        screen = self.story_screen()
        if screen is not None and screen.finish_typing():
            return
        if game.is_ending:
            self.action_show_ending()
            return
        for view in game.choices():
            if view.number == number:
                if not view.enabled:
                    self.say(view.reason or "That choice is not available.", "warning")
                    return
                self.choose_index(view.index)
                return

    def choose_index(self, index: int) -> None:
        try:
            outcome = self.session.choose(index)
        except ChoiceUnavailable as exc:
            self.say(str(exc), "warning")
            return
        except StoryRuntimeError as exc:
            self.story_problem(exc)
            return
        screen = self.story_screen()
        if screen is not None:
            screen.sync(animate=True)
        for warning in outcome.warnings:
            self.say(warning, "error")
        if outcome.unlocked:
            self.say(", ".join(outcome.unlocked), title="New in the codex (j)")
        if outcome.new_ending:
            self.new_ending_id = outcome.ending_id

    def story_problem(self, exc: StoryRuntimeError) -> None:
        from rougegame.ui.screens.problems import ProblemsScreen

        problem = Problem(
            exc.message,
            node=exc.node,
            hint="this is a problem in the story files; the game is unchanged",
        )
        self.push_screen(ProblemsScreen([problem], "A problem in the story"))

    def action_undo(self) -> None:
        if self.session.game is None:
            return
        done, warning = self.session.undo()
        if not done:
            self.say("Nothing to undo.", "warning")
            return
        if warning:
            self.say(warning, "error")
        self.show_story()
        screen = self.story_screen()
        if screen is not None:
            screen.sync(reset=True)

    def action_show_ending(self) -> None:
        game = self.session.game
        if game is None or not game.is_ending:
            return
        from rougegame.ui.screens.ending import EndingScreen

        self.push_screen(EndingScreen())

    # -- saves ------------------------------------------------------------------------------
    def action_save(self) -> None:
        from rougegame.ui.screens.saveload import SaveLoadScreen

        if self.session.game is not None:
            self.push_screen(SaveLoadScreen("save"))

    def action_load(self) -> None:
        from rougegame.ui.screens.saveload import SaveLoadScreen

        self.push_screen(SaveLoadScreen("load"), self._loaded)

    def _loaded(self, notes: list[str] | None) -> None:
        if notes is None:
            return
        self.show_story(reset=True)
        first, *rest = notes
        self.say(first, title="Loaded")
        for note in rest:
            self.say(note, "warning", title="Loaded with changes")

    def action_quicksave(self) -> None:
        if self.session.game is None:
            return
        try:
            self.session.save(QUICKSAVE)
        except SaveError as exc:
            self.say(str(exc), "error", title="Quicksave failed")
            return
        self.say("Quicksaved. F9 brings you back here.")

    def action_quickload(self) -> None:
        if not self.session.store.exists(QUICKSAVE):
            self.say("There is no quicksave yet (F5 makes one).", "warning")
            return
        self.load_game(QUICKSAVE)

    # -- screens ----------------------------------------------------------------------------
    def action_codex(self) -> None:
        from rougegame.ui.screens.codex import CodexScreen

        self.push_screen(CodexScreen())

    def action_dossier(self) -> None:
        from rougegame.ui.screens.dossier import DossierScreen

        if self.session.game is not None:
            self.push_screen(DossierScreen())

    def action_history(self) -> None:
        from rougegame.ui.screens.history import HistoryScreen

        if self.session.game is not None:
            self.push_screen(HistoryScreen())

    def action_help(self) -> None:
        from rougegame.ui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def action_settings(self) -> None:
        from rougegame.ui.screens.settings import SettingsScreen

        if not isinstance(self.screen, SettingsScreen):
            self.push_screen(SettingsScreen())

    def action_endings(self) -> None:
        from rougegame.ui.screens.gallery import GalleryScreen

        self.push_screen(GalleryScreen())

    def action_about(self) -> None:
        from rougegame.ui.screens.about import AboutScreen

        self.push_screen(AboutScreen())

    # -- settings ---------------------------------------------------------------------------
    def save_settings(self) -> None:
        try:
            save_settings(self.session.root, self.settings)
        except SaveError as exc:
            self.say(str(exc), "error", title="Settings not saved")

    def _theme_changed(self, _theme: object) -> None:
        if self.theme != self.settings.theme:
            self.settings.theme = self.theme
            self.save_settings()

    # -- authoring: reloading the story -----------------------------------------------------
    def action_reload(self) -> None:
        self.reload_story()

    def reload_story(self, quiet: bool = False) -> bool:
        """Read the story files again; on problems keep playing the last good story."""
        from rougegame.ui.screens.problems import ProblemsScreen

        source = self.story_path or self.story.root
        try:
            story = load_story(source)
        except StoryError as exc:
            self.show_problems(exc.problems)
            return False
        except Exception as exc:  # a bug in loading must not end the game in progress
            self.show_problems(
                [Problem(f"the story could not be read: {type(exc).__name__}: {exc}")]
            )
            return False
        try:
            notes = self.session.reload(story)
        except SaveError as exc:
            self.show_problems([Problem(exc.message, hint=exc.hint)])
            return False
        if isinstance(self.screen, ProblemsScreen):
            self.screen.dismiss()
        screen = self.story_screen()
        if screen is not None and screen.is_mounted and self.session.game is not None:
            screen.sync(reset=True)
        for note in notes:
            self.say(note, "warning", title="Story reloaded")
        if not quiet or notes:
            count = len(story.nodes)
            self.say(f"{story.title}: {count} passages.", title="Story reloaded")
        self._watch_signature = self._signature()
        return True

    def show_problems(self, problems: list[Problem]) -> None:
        from rougegame.ui.screens.problems import ProblemsScreen

        title = "The story has problems; still playing the last good version"
        if isinstance(self.screen, ProblemsScreen):
            self.screen.dismiss()
        self.push_screen(ProblemsScreen(problems, title))

    def set_watching(self, on: bool) -> None:
        """Poll the story's files and reload when one changes."""
        if self._watch_timer is not None:
            self._watch_timer.stop()
            self._watch_timer = None
        if on:
            self._watch_signature = self._signature()
            self._watch_timer = self.set_interval(self.watch_interval, self._check_files)

    def _signature(self) -> tuple[tuple[str, int, int], ...]:
        root = Path(self.story_path or self.story.root)
        files = {Path(f) for f in self.story.files}
        if root.is_dir():
            with contextlib.suppress(OSError, StoryError):
                files.update(chapter_files(root))
        out = []
        for file in sorted(files):
            try:
                stat = file.stat()
            except OSError:
                out.append((str(file), -1, -1))
            else:
                out.append((str(file), stat.st_mtime_ns, stat.st_size))
        return tuple(out)

    def _check_files(self) -> None:
        signature = self._signature()
        if signature != self._watch_signature:
            self._watch_signature = signature
            self.reload_story(quiet=True)
