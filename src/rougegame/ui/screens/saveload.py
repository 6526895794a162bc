"""The save/load dialog: every slot with its chapter, passage, date and play time.

In save mode: a new slot, or overwrite one (confirmed). In both modes: delete (confirmed). The
autosave and quicksave are listed too; unreadable slots are shown with what is wrong with them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, Literal, cast

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Footer, Static

from rougegame.engine.saves import AUTOSAVE, QUICKSAVE, SaveError, SlotInfo, validate_slot
from rougegame.ui.screens.confirm import ConfirmScreen, PromptScreen
from rougegame.ui.text import literal, local_time, short_duration

if TYPE_CHECKING:
    from rougegame.ui.app import RougeApp

NEW_SLOT = "\x00new"
SLOT_WIDTH, SAVED_WIDTH, PLAYED_WIDTH = 20, 16, 7
SPECIAL = {AUTOSAVE: "Autosave", QUICKSAVE: "Quicksave"}
Mode = Literal["save", "load"]


class SaveLoadScreen(ModalScreen[list[str] | None]):
    """Dismisses with the load's notes after a successful load, else None."""

    CSS_PATH = "saveload.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close"),
        Binding("delete,x", "delete_slot", "Delete", id="delete_slot"),
        Binding("n", "new_slot", "New slot", id="new_slot"),
    ]

    def __init__(self, mode: Mode) -> None:
        super().__init__()
        self.mode: Mode = mode
        self.infos: dict[str, SlotInfo] = {}

    @property
    def rouge(self) -> RougeApp:
        return cast("RougeApp", self.app)

    def compose(self) -> ComposeResult:
        with Vertical(id="panel") as panel:
            panel.border_title = "Save game" if self.mode == "save" else "Load game"
            yield DataTable(id="slots", cursor_type="row", zebra_stripes=True)
            yield Static(id="empty")
        yield Footer()

    def on_mount(self) -> None:
        self.refresh_slots(select=self.rouge.session.slot)

    def on_resize(self) -> None:
        if self.is_mounted and self.query_one(DataTable).columns:
            self.refresh_slots(select=self._selected())

    def _columns(self) -> None:
        """Slot, where (chapter · passage), date, play time: the middle column takes the rest."""
        table = self.query_one(DataTable)
        table.clear(columns=True)
        # The panel is 90% of the screen, at most 120 wide, inside a border and padding.
        width = max(40, min(int(self.app.size.width * 0.9), 120) - 6)
        fixed = SLOT_WIDTH + SAVED_WIDTH + PLAYED_WIDTH + 8  # + the cells' padding
        table.add_column("Slot", key="slot", width=SLOT_WIDTH)
        table.add_column("Where", key="where", width=max(12, width - fixed))
        table.add_column("Saved", key="saved", width=SAVED_WIDTH)
        table.add_column("Played", key="played", width=PLAYED_WIDTH)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "new_slot":
            return self.mode == "save"
        return True

    def refresh_slots(self, select: str | None = None) -> None:
        table = self.query_one(DataTable)
        self._columns()
        self.infos = {info.name: info for info in self.rouge.session.slots()}
        if self.mode == "save":
            table.add_row(Text("+ New slot…", "bold"), Text(), Text(), Text(), key=NEW_SLOT)
        for info in self._ordered():
            table.add_row(*self._cells(info), key=info.name)
        empty = self.query_one("#empty", Static)
        empty.display = not self.infos and self.mode == "load"
        empty.update(Text("No saves yet. In the story, s saves and F5 quicksaves."))
        keys = [NEW_SLOT] * (self.mode == "save") + [i.name for i in self._ordered()]
        if select in keys:
            table.move_cursor(row=keys.index(select))

    def _ordered(self) -> list[SlotInfo]:
        special = [self.infos[n] for n in (AUTOSAVE, QUICKSAVE) if n in self.infos]
        rest = [i for n, i in self.infos.items() if n not in SPECIAL]
        return special + rest

    def _cells(self, info: SlotInfo) -> tuple[Text, ...]:
        name = Text(SPECIAL[info.name], "italic") if info.name in SPECIAL else literal(info.name)
        when = Text(local_time(info.saved_at))
        if not info.ok:
            where = Text("unreadable: ", "bold")
            where.append(literal(info.problem or ""))
        elif info.story_id != self.rouge.story.id:
            where = Text("another story: ", "italic")
            where.append(literal(info.story_id))
        else:
            where = literal(info.chapter_title)
            where.append(" · ", "dim")
            where.append(literal(info.node_title))
        played = Text(short_duration(info.play_time)) if info.ok else Text()
        for cell in (name, where):
            cell.no_wrap = True
            cell.overflow = "ellipsis"
        return (name, where, when, played)

    def _selected(self) -> str | None:
        table = self.query_one(DataTable)
        if table.row_count == 0:
            return None
        row_key, _ = table.coordinate_to_cell_key(table.cursor_coordinate)
        return row_key.value

    # -- actions ----------------------------------------------------------------------------
    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        slot = event.row_key.value
        if slot is None:
            return
        if self.mode == "save":
            self._save_to(slot)
        else:
            self._load(slot)

    def action_close(self) -> None:
        self.dismiss(None)

    def action_new_slot(self) -> None:
        if self.mode == "save":
            self._save_to(NEW_SLOT)

    def _load(self, slot: str) -> None:
        info = self.infos.get(slot)
        if info is not None and not info.ok:
            self.rouge.say(f"{info.problem}.", "error", title="This save cannot be loaded")
            return
        try:
            notes = self.rouge.session.load(slot)
        except SaveError as exc:
            self.rouge.say(str(exc), "error", title="Could not load")
            return
        self.dismiss([f"Loaded “{SPECIAL.get(slot, slot)}”.", *notes])

    def _save_to(self, slot: str) -> None:
        if slot == NEW_SLOT:
            self.app.push_screen(
                PromptScreen(
                    "Name the new save",
                    self._free_name(),
                    check=self._check_name,
                    placeholder="letters, digits, spaces, - and _",
                ),
                self._named,
            )
            return
        if slot == AUTOSAVE:
            self.rouge.say(
                "The game writes the autosave after every choice; pick another slot.", "warning"
            )
            return
        shown = SPECIAL.get(slot, slot)

        def answer(yes: bool | None) -> None:
            if yes:
                self._write(slot)

        self.app.push_screen(
            ConfirmScreen(
                f"Overwrite “{shown}”?", "The game saved there is replaced.", "Overwrite"
            ),
            answer,
        )

    def _free_name(self) -> str:
        n = 1
        while f"Slot {n}" in self.infos:
            n += 1
        return f"Slot {n}"

    def _check_name(self, name: str) -> str | None:
        try:
            validate_slot(name)
        except SaveError as exc:
            return str(exc)
        if name in SPECIAL:
            return f"“{name}” is kept for the game's own saves."
        return None

    def _named(self, name: str | None) -> None:
        if not name:
            return
        if name in self.infos:
            self._save_to(name)
        else:
            self._write(name)

    def _write(self, slot: str) -> None:
        try:
            self.rouge.session.save(slot)
        except SaveError as exc:
            self.rouge.say(str(exc), "error", title="Could not save")
            return
        self.rouge.say(f"Saved to “{SPECIAL.get(slot, slot)}”.", title="Saved")
        self.dismiss(None)

    def action_delete_slot(self) -> None:
        slot = self._selected()
        if slot is None or slot == NEW_SLOT:
            return
        shown = SPECIAL.get(slot, slot)

        def answer(yes: bool | None) -> None:
            if not yes:
                return
            try:
                self.rouge.session.delete(slot)
            except SaveError as exc:
                self.rouge.say(str(exc), "error", title="Could not delete")
                return
            self.rouge.say(f"Deleted “{shown}”.")
            self.refresh_slots()

        self.app.push_screen(
            ConfirmScreen(f"Delete “{shown}”?", "This cannot be undone.", "Delete"), answer
        )
