"""The story screen: earlier passages dimmed above the current one, the choices, the status bar.

The screen follows the game held by the app: :meth:`StoryScreen.sync` brings it up to date after
a choice, an undo, a load or a reload, appending new transcript blocks rather than rebuilding.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, cast

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.widget import AwaitMount, Widget
from textual.widgets import Footer, OptionList, Static

from rougegame.engine.game import Game, StoryRuntimeError
from rougegame.records import FrozenRecord
from rougegame.ui.keys import CHOICE_KEYS, STORY_KEYS, bindings, effective_key
from rougegame.ui.screens.mode import ModeScreen
from rougegame.ui.text import prose
from rougegame.ui.widgets.choices import ENDING_ID, STUCK_ID, ChoiceList
from rougegame.ui.widgets.passage import PassageView
from rougegame.ui.widgets.statusbar import StatusBar

if TYPE_CHECKING:
    from rougegame.ui.app import RougeApp

EARLIER_LIMIT = 120  # transcript blocks kept on screen; the History screen has them all
# Transcript blocks shown when a game is opened (a save loaded, the autosave continued): enough
# to read the way in, and quick to draw; more build up, up to EARLIER_LIMIT, as play goes on.
EARLIER_ON_OPEN = 12
# Keys that, while a passage is being typed, only finish the typing (other keys also act).
SKIP_KEYS = {"enter", "space", "up", "down", "pageup", "pagedown", "home", "end"}

# A record's __slots__ name its fields in their order (see rougegame.records), not sorted.
# ruff: noqa: RUF023

_set = object.__setattr__


class Block(FrozenRecord):
    """One piece of the transcript: a chapter heading, a passage or a choice taken."""

    __slots__ = ("index", "kind", "node_id", "text", "speaker")

    index: int  # position of its entry in the game's log
    kind: str  # "chapter", "passage" or "choice"
    node_id: str
    text: str
    speaker: str | None

    def __init__(
        self, index: int, kind: str, node_id: str, text: str, speaker: str | None = None
    ) -> None:
        _set(self, "index", index)
        _set(self, "kind", kind)
        _set(self, "node_id", node_id)
        _set(self, "text", text)
        _set(self, "speaker", speaker)


def transcript_blocks(game: Game) -> list[Block]:
    story = game.story
    blocks: list[Block] = []
    chapter: str | None = None
    for i, entry in enumerate(game.log):
        node = story.nodes.get(entry.node_id)
        if entry.kind != "passage":
            if entry.text:
                blocks.append(Block(i, "choice", entry.node_id, entry.text))
            continue
        if node is not None and node.chapter != chapter:
            chapter = node.chapter
            blocks.append(Block(i, "chapter", entry.node_id, story.chapters[chapter].title))
        speaker = node.speaker if node is not None else None
        blocks.append(Block(i, "passage", entry.node_id, entry.text, speaker))
    return blocks


def block_widget(block: Block) -> Widget:
    if block.kind == "chapter":
        line = Content.assemble(
            ("━━  ", "$primary"), (block.text.upper(), "bold"), ("  ━━", "$primary")
        )
        return Static(line, classes="earlier chapter-rule")
    if block.kind == "choice":
        line = Content.assemble(("▸ ", "$primary"), block.text)
        return Static(line, classes="earlier earlier-choice")
    text = Text()
    if block.speaker:
        text.append(f"— {block.speaker.upper()} —\n\n", "bold")
    text.append_text(prose(block.text.split("\n\n")))
    return Static(text, classes="earlier earlier-passage")


class StoryScreen(ModeScreen):
    """Where the story is read and played."""

    CSS_PATH = "story.tcss"
    BINDINGS: ClassVar[list[BindingType]] = list(bindings(STORY_KEYS))
    AUTO_FOCUS = "#choices"

    def __init__(self) -> None:
        super().__init__()
        self._shown: list[tuple[Block, Widget]] = []
        self._current: Block | None = None
        self._ready = False
        self._synced_at_mount = False
        self._opened: Game | None = None  # the game the transcript was last opened for
        self._oldest = 0  # the log position of the oldest block the transcript may show

    @property
    def rouge(self) -> RougeApp:
        return cast("RougeApp", self.app)

    def compose(self) -> ComposeResult:
        yield StatusBar()
        with Vertical(id="column"):
            with VerticalScroll(id="transcript"):  # earlier blocks, then the current passage
                yield PassageView(id="current")
            yield ChoiceList(id="choices")
        yield Footer()

    def on_mount(self) -> None:
        self.set_interval(1.0, self._tick)
        self._ready = True
        self.sync(reset=True, animate=self.rouge.take_animate())
        self._synced_at_mount = True

    def on_screen_resume(self) -> None:
        if self._synced_at_mount:  # the screen is shown for the first time: it is up to date
            self._synced_at_mount = False
        elif self._ready:
            self.sync()

    def _tick(self) -> None:
        game = self.rouge.session.game
        if game is not None and self.app.screen is self:
            self.query_one(StatusBar).tick(game)

    # -- bringing the screen up to date -----------------------------------------------------
    def sync(self, reset: bool = False, animate: bool = False) -> None:
        game = self.rouge.session.game
        if game is None or not self._ready:
            return
        self.query_one(StatusBar).show(game)
        self.app.refresh_bindings()  # undo, save ... may have become (un)available
        blocks = transcript_blocks(game)
        if not blocks:
            return
        cut = max((i for i, b in enumerate(blocks) if b.kind == "passage"), default=0)
        if reset or game is not self._opened:
            self._opened = game
            opening = blocks[:cut][-EARLIER_ON_OPEN:]
            self._oldest = opening[0].index if opening else 0
        earlier = [b for b in blocks[:cut] if b.index >= self._oldest][-EARLIER_LIMIT:]
        current = blocks[cut]
        mounting = self._show_earlier(earlier, reset)
        choices = self.query_one(ChoiceList)
        if reset or current != self._current:
            self._current = current
            settings = self.rouge.settings
            speed = settings.typewriter_speed if animate and settings.typewriter else 0
            try:
                passage = game.passage()
                text, speaker = prose(passage.paragraphs), passage.speaker
            except StoryRuntimeError as exc:
                self.rouge.story_problem(exc)
                text, speaker = prose(current.text.split("\n\n")), current.speaker
            choices.visible = speed <= 0
            self._fill_choices(game, keep_highlight=False)
            self.query_one(PassageView).show(text, speaker, float(speed))
            self.call_later(self._reveal_when_laid_out, mounting)
        else:
            self._fill_choices(game, keep_highlight=True)

    def _show_earlier(self, blocks: list[Block], reset: bool) -> AwaitMount | None:
        """Show ``blocks`` above the current passage, reusing the widgets already there."""
        transcript = self.query_one("#transcript", VerticalScroll)
        shown = [b for b, _w in self._shown]
        keep: list[tuple[Block, Widget]] | None = None
        if not reset:
            if not shown:
                keep = []
            elif blocks and blocks[0] in shown:
                start = shown.index(blocks[0])
                tail = shown[start:]
                if blocks[: len(tail)] == tail:
                    for _block, widget in self._shown[:start]:
                        widget.remove()
                    keep = self._shown[start:]
        if keep is None:
            transcript.remove_children([widget for _block, widget in self._shown])
            keep = []
        self._shown = keep
        new = blocks[len(keep) :]
        widgets = [block_widget(b) for b in new]
        self._shown.extend(zip(new, widgets, strict=True))
        if not widgets:
            return None
        return transcript.mount_all(widgets, before=self.query_one(PassageView))

    def _fill_choices(self, game: Game, keep_highlight: bool) -> None:
        choices = self.query_one(ChoiceList)
        try:
            if game.is_ending:
                choices.show_ending()
            elif game.is_stuck:
                choices.show_stuck()
            else:
                choices.show_choices(game.choices(), keep_highlight)
        except StoryRuntimeError as exc:
            choices.show_stuck()
            self.rouge.story_problem(exc)

    async def _reveal_when_laid_out(self, mounting: AwaitMount | None) -> None:
        if mounting is not None:
            await mounting
        self.call_after_refresh(self._reveal)

    def _reveal(self) -> None:
        """Scroll so that the last choice taken and the new passage are in view."""
        transcript = self.query_one("#transcript", VerticalScroll)
        anchor: Widget = self.query_one(PassageView)
        if self._shown and self._shown[-1][0].kind in ("choice", "chapter"):
            anchor = self._shown[-1][1]
            if len(self._shown) > 1 and self._shown[-2][0].kind == "choice":
                anchor = self._shown[-2][1]
        transcript.scroll_to_widget(anchor, top=True, animate=False)

    def action_scroll_story(self, direction: int) -> None:
        transcript = self.query_one("#transcript", VerticalScroll)
        if direction < 0:
            transcript.scroll_page_up(animate=False)
        else:
            transcript.scroll_page_down(animate=False)

    # -- typing -----------------------------------------------------------------------------
    def finish_typing(self) -> bool:
        """Show the whole passage if it is still being typed; True when it was."""
        passage = self.query_one(PassageView)
        if passage.typing:
            passage.finish()
            return True
        return False

    def on_passage_view_finished(self, _event: PassageView.Finished) -> None:
        choices = self.query_one(ChoiceList)
        choices.visible = True
        if self.app.screen is self:
            choices.focus()

    def on_key(self, event: events.Key) -> None:
        """Any key finishes the typing; keys that would choose are used up by it."""
        if not self.finish_typing():
            return
        choosing = {
            k.strip()
            for key in CHOICE_KEYS
            for k in effective_key(key, self.rouge.keymap).split(",")
        }
        if event.key in choosing or event.key in SKIP_KEYS:
            event.stop()
            event.prevent_default()

    # -- choosing ---------------------------------------------------------------------------
    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        option_id = event.option.id
        if option_id == ENDING_ID:
            self.rouge.action_show_ending()
        elif option_id and option_id != STUCK_ID:
            self.rouge.choose_index(int(option_id))
