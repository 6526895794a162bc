"""The dossier of the Immortal Nine: a card per member, its status from the story's variables."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, cast

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Grid, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Footer, Static

from rougegame.ui.widgets.card import DossierCard

if TYPE_CHECKING:
    from rougegame.ui.app import RougeApp


class DossierScreen(ModalScreen[None]):
    """Cards in a grid that reflows with the terminal's width."""

    CSS_PATH = "dossier.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,d", "close", "Close")]

    @property
    def rouge(self) -> RougeApp:
        return cast("RougeApp", self.app)

    def compose(self) -> ComposeResult:
        session = self.rouge.session
        story = session.story
        game = session.game
        statuses = {cid: status for cid, _name, status in game.dossier()} if game else {}
        unlocked = set(game.state.unlocked) if game else set()
        found = sum(1 for s in statuses.values() if s != "unknown")
        resolved = sum(1 for s in statuses.values() if s in ("eliminated", "spared"))
        with Vertical(id="panel") as panel:
            panel.border_title = "Dossier: the Immortal Nine"
            files = len(story.dossier)
            panel.border_subtitle = (
                f"{found} found · {resolved} resolved · {files} file{'s' if files != 1 else ''}"
            )
            if not story.dossier:
                yield Static(Text("This story keeps no dossier."), id="nothing")
            with VerticalScroll(id="cards"), Grid(id="grid"):
                for card in story.dossier:
                    note = None
                    if card.codex and card.codex in unlocked and card.codex in story.codex:
                        note = story.codex[card.codex].text
                    yield DossierCard(card.name, statuses.get(card.id, "unknown"), note)
        yield Footer()

    def action_close(self) -> None:
        self.dismiss(None)
