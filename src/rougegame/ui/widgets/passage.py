"""The current passage: a speaker line above the prose, optionally typed out letter by letter."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Static

FRAME_RATE = 30


class PassageView(Vertical):
    """Shows one passage. :meth:`show` with ``speed`` types it out; any key or click finishes."""

    DEFAULT_CSS = """
    PassageView {
        height: auto;
        & > #speaker { height: auto; margin: 0 0 1 0; color: $accent; text-style: bold; }
        & > #prose { height: auto; }
    }
    """

    class Finished(Message):
        """The whole passage is on screen (typing ended or was skipped)."""

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._text = Text()
        self._content = Content()
        self._shown = 0
        self._speed = 0.0
        self._timer: Timer | None = None

    def compose(self) -> ComposeResult:
        yield Static(id="speaker")
        yield Static(id="prose")

    @property
    def typing(self) -> bool:
        return self._timer is not None

    @property
    def text(self) -> Text:
        return self._text

    def show(self, text: Text, speaker: str | None = None, speed: float = 0.0) -> None:
        """Show ``text``; ``speed`` in characters per second, 0 for all at once."""
        self._stop()
        speaker_line = self.query_one("#speaker", Static)
        speaker_line.display = bool(speaker)
        if speaker:
            speaker_line.update(Text(f"— {speaker.upper()} —"))
        self._text = text
        if speed <= 0 or not text.plain:
            self._shown = len(text.plain)
            self.query_one("#prose", Static).update(text)
            self.post_message(self.Finished())
            return
        self._speed = speed
        self._shown = 0
        self._content = Content.from_rich_text(text)
        # Laid out in full from the start (drawn in the background colour), so the height and
        # the scroll position are right before the first letter appears.
        self.query_one("#prose", Static).update(Content.styled(text.plain, "$background"))
        self._timer = self.set_interval(1 / FRAME_RATE, self._advance)

    def _advance(self) -> None:
        step = max(1, round(self._speed / FRAME_RATE))
        self._shown = min(len(self._text.plain), self._shown + step)
        if self._shown >= len(self._text.plain):
            self.finish()
            return
        full = self._content
        # Keep the layout steady: the rest of the passage is laid out, drawn in the background
        # colour until it is typed.
        partial = full[: self._shown] + Content.styled(full.plain[self._shown :], "$background")
        self.query_one("#prose", Static).update(partial)

    def finish(self) -> None:
        """Show the whole passage now."""
        if self._timer is None:
            return
        self._stop()
        self._shown = len(self._text.plain)
        self.query_one("#prose", Static).update(self._text)
        self.post_message(self.Finished())

    def _stop(self) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer = None

    def on_click(self) -> None:
        self.finish()
