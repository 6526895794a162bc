"""The numbered choice list: keys 1-9, arrows and Enter, or the mouse.

Disabled choices stay in the list, greyed, with the story's reason beside them. A choice too long
for one line wraps under its own text, not under its number.
"""

from __future__ import annotations

from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.content import Content
from textual.css.styles import RulesMap
from textual.strip import Strip
from textual.style import Style
from textual.visual import RenderOptions, Visual
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from rougegame.engine.game import ChoiceView
from rougegame.story.text import sanitize, spans

ENDING_ID = "ending"
STUCK_ID = "stuck"
_STYLES = {"": "", "em": "italic", "strong": "bold"}


class HangingPrompt(Visual):
    """A head (the number and the marker) and a body that wraps under itself, not under the
    head: a long choice reads as one block beside its number."""

    def __init__(self, head: Content, body: Content) -> None:
        self.head = head
        self.body = body
        self.indent = head.cell_length

    @property
    def plain(self) -> str:
        return self.head.plain + self.body.plain

    def _body_width(self, width: int) -> int:
        return max(1, width - self.indent)

    def render_strips(
        self, width: int, height: int | None, style: Style, options: RenderOptions
    ) -> list[Strip]:
        if width <= self.indent:  # too narrow to indent: all of it, wrapped
            return (self.head + self.body).render_strips(width, height, style, options)
        head = Strip.join(self.head.render_strips(self.indent, 1, style, options))
        body = self.body.render_strips(self._body_width(width), height, style, options)
        blank = Strip.blank(self.indent, style.rich_style)
        return [Strip.join([head if i == 0 else blank, line]) for i, line in enumerate(body)]

    def get_optimal_width(self, rules: RulesMap, container_width: int) -> int:
        return self.indent + self.body.get_optimal_width(rules, self._body_width(container_width))

    def get_height(self, rules: RulesMap, width: int) -> int:
        if width <= self.indent:
            return (self.head + self.body).get_height(rules, width)
        return max(1, self.body.get_height(rules, self._body_width(width)))


def choice_prompt(view: ChoiceView) -> HangingPrompt:
    marker = f"{view.number} " if view.number <= 9 else "  "
    head = Content.assemble(
        (f" {marker}", "$accent bold" if view.enabled else "dim"),
        ("▸ ", "$secondary" if view.enabled else "dim"),
    )
    parts: list[str | tuple[str, str]] = [
        (sanitize(chunk), _STYLES.get(kind, "")) for chunk, kind in spans(view.text)
    ]
    if not view.enabled and view.reason:
        parts.append(("  — " + sanitize(view.reason), "italic"))
    return HangingPrompt(head, Content.assemble(*parts))


class ChoiceList(OptionList, inherit_bindings=False):
    """The choices of the current passage. Option ids are the choices' indexes in their node.

    Only the arrows, home/end and Enter move and choose here: page up and page down are left
    to the story screen, which scrolls the transcript with them.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("down", "cursor_down", "Down", show=False),
        Binding("up", "cursor_up", "Up", show=False),
        Binding("home", "first", "First", show=False),
        Binding("end", "last", "Last", show=False),
        Binding("enter", "select", "Select", show=False),
    ]

    DEFAULT_CSS = """
    ChoiceList {
        height: auto;
        max-height: 50%;
        border: none;
        border-top: hkey $primary 50%;
        padding: 0 0;
        background: transparent;
        &:focus { border: none; border-top: hkey $primary; background-tint: transparent; }
        & > .option-list--option { padding: 0 1; }
    }
    """

    def show_choices(self, views: list[ChoiceView], keep_highlight: bool = False) -> None:
        """List ``views``; with ``keep_highlight`` the highlighted choice stays where it was."""
        before = self.highlighted_option.id if self.highlighted_option else None
        self.set_options(
            Option(choice_prompt(v), id=str(v.index), disabled=not v.enabled) for v in views
        )
        enabled = [i for i, v in enumerate(views) if v.enabled]
        same = [i for i in enabled if str(views[i].index) == before]
        self.highlighted = same[0] if keep_highlight and same else next(iter(enabled), None)

    def show_ending(self) -> None:
        self.set_options(
            [Option(Content.assemble(("  ◆ ", "$primary bold"), "Read the epilogue"), id=ENDING_ID)]
        )
        self.highlighted = 0

    def show_stuck(self) -> None:
        message = Content.assemble(
            ("  ▲ ", "$error bold"),
            "There is no way on from here: the story has no choice for this moment. "
            "Undo (u) or load a save (l).",
        )
        self.set_options([Option(message, id=STUCK_ID, disabled=True)])
