"""The ending: its title and epilogue, the playthrough's figures, and the endings found so far."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, cast

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Center, Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Button, Footer, Static

from rougegame.ui.text import clock, literal, prose
from rougegame.ui.transcript import epilogue

if TYPE_CHECKING:
    from rougegame.ui.app import RougeApp


def figure(label: str, value: str) -> Content:
    return Content.assemble((value, "bold $foreground"), "\n", (label.upper(), "$foreground-muted"))


class EndingScreen(Screen[None]):
    """Shown over the story screen when the player reads the epilogue."""

    CSS_PATH = "ending.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back to the story"),
        Binding("t", "title", "Title screen", id="ending_title"),
        Binding("u,ctrl+z", "undo", "Undo last choice", id="ending_undo"),
        Binding("h", "app.history", "History", id="ending_history"),
    ]

    @property
    def rouge(self) -> RougeApp:
        return cast("RougeApp", self.app)

    def compose(self) -> ComposeResult:
        session = self.rouge.session
        game = session.game
        ending = epilogue(game) if game else None
        with VerticalScroll(id="page"), Center(), Vertical(id="ending"):
            yield Static("◆  AN ENDING  ◆", id="kicker", markup=False)
            yield Static(literal(ending.title if ending else ""), id="ending-title")
            if ending is not None and ending.id == self.rouge.new_ending_id:
                yield Static("NEW IN THE GALLERY", id="new-badge", markup=False)
            yield Static(prose(ending.epilogue) if ending else Text(), id="epilogue")
            if game is not None:
                story = game.story
                with Horizontal(id="figures"):
                    yield Static(figure("passages", str(sum(game.state.visits.values()))))
                    yield Static(figure("choices", str(game.state.turns)))
                    yield Static(figure("time", clock(game.play_time)))
                    yield Static(figure("codex", f"{len(game.state.unlocked)}/{len(story.codex)}"))
            endings = session.endings()
            found = [e for e in endings if e[2] is not None]
            yield Static(
                Content(f"Endings found: {len(found)} of {len(endings)}"), id="found-count"
            )
            yield Static(self._gallery_line(endings), id="found-list")
            with Horizontal(id="buttons"):
                yield Button("Title screen", id="title", variant="primary")
                if game is not None and game.can_undo:
                    yield Button("Undo last choice", id="undo")
                yield Button("History", id="history")
        yield Footer()

    def _gallery_line(self, endings: list[tuple[str, str, str | None, int]]) -> Content:
        parts: list[str | tuple[str, str]] = []
        for i, (_eid, title, first, _times) in enumerate(endings):
            if i:
                parts.append(("   ", ""))
            if first is None:
                parts.append(("◇ ???", "$foreground-muted"))
            else:
                parts.append(("◆ ", "$primary"))
                parts.append((title, "$foreground"))
        return Content.assemble(*parts)

    def on_mount(self) -> None:
        self.query_one("#title", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "title":
            self.action_title()
        elif event.button.id == "undo":
            self.action_undo()
        elif event.button.id == "history":
            self.rouge.action_history()

    def action_back(self) -> None:
        self.dismiss(None)

    def action_title(self) -> None:
        self.rouge.leave_finished_game()

    def action_undo(self) -> None:
        self.dismiss(None)
        self.rouge.action_undo()
