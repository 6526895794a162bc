"""The Textual application (a first, minimal story screen)."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widgets import Footer, Header, OptionList, Static
from textual.widgets.option_list import Option

from rougegame.engine.game import Game
from rougegame.engine.saves import AUTOSAVE, SaveError, SaveStore
from rougegame.story.model import Story


class RougeApp(App[int]):
    TITLE = "Rouge Redstar"
    BINDINGS: ClassVar[list[BindingType]] = [Binding("q", "quit", "Quit", id="quit")]

    def __init__(
        self,
        story: Story,
        saves_dir: Path | str | None = None,
        load_slot: str | None = None,
        story_path: str | None = None,
    ) -> None:
        super().__init__()
        self.story = story
        self.store = SaveStore(saves_dir)
        self.game = Game(story)
        self.load_slot = load_slot

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll():
            yield Static(id="passage")
        yield OptionList(id="choices")
        yield Footer()

    def on_mount(self) -> None:
        if self.load_slot:
            try:
                loaded = self.store.load(self.load_slot, self.story)
                self.game = Game(self.story, loaded.state)
            except SaveError as exc:
                self.notify(str(exc), severity="error")
        self.refresh_story()

    def refresh_story(self) -> None:
        passage = self.game.passage()
        self.query_one("#passage", Static).update(Text("\n\n".join(passage.paragraphs)))
        options = self.query_one("#choices", OptionList)
        options.clear_options()
        for view in self.game.choices():
            options.add_option(
                Option(
                    Text(f"{view.number}. {view.text}"),
                    id=str(view.index),
                    disabled=not view.enabled,
                )
            )

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        if event.option.id is not None:
            self.game.choose(int(event.option.id))
            try:
                self.store.save(AUTOSAVE, self.game)
            except SaveError as exc:
                self.notify(str(exc), severity="error")
            self.refresh_story()
