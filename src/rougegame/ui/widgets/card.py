"""A dossier card: one member of the Immortal Nine, their status, and what the codex says."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static

from rougegame.ui.text import literal

STATUS_LABELS = {
    "unknown": "? UNKNOWN",
    "located": "◆ LOCATED",
    "eliminated": "× ELIMINATED",
    "spared": "◇ SPARED",
}
STATUS_NOTES = {
    "unknown": "Whereabouts unknown. The file is a name and little else.",
    "located": "Located. The trail is warm.",
    "eliminated": "Eliminated.",
    "spared": "Spared. Rouge let them go.",
}


class DossierCard(Vertical):
    """A bordered card whose colour follows the status (classes ``-unknown`` ... ``-spared``)."""

    def __init__(self, name: str, status: str, note: str | None, *, id: str | None = None) -> None:
        known = status if status in STATUS_LABELS else "unknown"
        super().__init__(id=id, classes=f"dossier-card -{known}")
        self.member = name
        self.status = known
        self.note = note
        self.border_title = Text(name.upper())

    def compose(self) -> ComposeResult:
        yield Static(Text(STATUS_LABELS[self.status]), classes="card-status")
        body = literal(self.note) if self.note else Text(STATUS_NOTES[self.status])
        yield Static(body, classes="card-body")
