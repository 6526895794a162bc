"""The history: every passage and choice of this playthrough, and a Markdown export of it."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, cast

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Footer, Static

from rougegame.engine.game import Game
from rougegame.engine.saves import SaveError
from rougegame.ui.screens.story import transcript_blocks
from rougegame.ui.text import prose

if TYPE_CHECKING:
    from rougegame.ui.app import RougeApp


def history_content(game: Game) -> Content:
    """The whole transcript as one piece of content (fast to lay out, however long)."""
    parts: list[Content] = []
    for block in transcript_blocks(game):
        if block.kind == "chapter":
            parts.append(Content.assemble(("━━ ", "$primary"), (block.text.upper(), "bold")))
        elif block.kind == "choice":
            parts.append(Content.assemble(("  ▸ ", "$primary"), (block.text, "italic $secondary")))
        else:
            body = Content.from_rich_text(prose(block.text.split("\n\n")))
            if block.speaker:
                body = Content.assemble((f"{block.speaker}: ", "bold $accent"), body)
            parts.append(body)
    return Content("\n\n").join(parts)


class HistoryScreen(ModalScreen[None]):
    """Scrollable, newest at the bottom; ``e`` exports it."""

    CSS_PATH = "history.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,h", "close", "Close"),
        Binding("e", "export", "Export to Markdown", id="export"),
        Binding("home", "top", "Top", show=False),
        Binding("end", "bottom", "Bottom", show=False),
    ]

    @property
    def rouge(self) -> RougeApp:
        return cast("RougeApp", self.app)

    def compose(self) -> ComposeResult:
        game = self.rouge.session.game
        with Vertical(id="panel") as panel:
            panel.border_title = "History"
            if game is not None:
                choices = sum(1 for e in game.log if e.kind == "choice")
                passages = sum(1 for e in game.log if e.kind == "passage")
                panel.border_subtitle = f"{passages} passages · {choices} choices"
            with VerticalScroll(id="log"):
                yield Static(history_content(game) if game else Content(""), id="text")
        yield Footer()

    def on_mount(self) -> None:
        log = self.query_one("#log", VerticalScroll)
        log.focus()
        self.call_after_refresh(log.scroll_end, animate=False)

    def action_top(self) -> None:
        self.query_one("#log", VerticalScroll).scroll_home(animate=False)

    def action_bottom(self) -> None:
        self.query_one("#log", VerticalScroll).scroll_end(animate=False)

    def action_export(self) -> None:
        try:
            path = self.rouge.session.export_transcript()
        except SaveError as exc:
            self.rouge.say(str(exc), "error", title="Export failed")
            return
        self.rouge.say(str(path), title="Transcript written")

    def action_close(self) -> None:
        self.dismiss(None)
