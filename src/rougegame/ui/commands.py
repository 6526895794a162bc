"""The command palette (ctrl+p): every game action, and the choices of the current passage.

The actions come from the same key table as the bindings and the Help screen; an action that is
not available right now (undo with nothing to undo, save on the title screen) is not offered.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, cast

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content
from textual.markup import escape

from rougegame.ui.keys import all_keys, effective_key

if TYPE_CHECKING:
    from rougegame.ui.app import RougeApp


class GameCommands(Provider):
    """Game actions by name, plus "Choose: ..." for each choice on offer."""

    def _commands(self) -> list[tuple[str, str, Callable[[], object]]]:
        app = cast("RougeApp", self.app)
        out: list[tuple[str, str, Callable[[], object]]] = []
        for key in all_keys():
            if not key.palette or not app.check_action(key.action, ()):
                continue
            keys = effective_key(key, app.keymap).split(",")[0]
            shown = key.key_display or app.get_key_display_for(keys)
            out.append(
                (
                    key.description,
                    escape(f"{key.help} ({shown})"),
                    partial(app.run_action, key.action),
                )
            )
        game = app.session.game
        if game is not None and app.story_screen() is not None and not game.is_ending:
            for view in game.choices():
                if view.enabled:
                    out.append(
                        (
                            f"Choose: {view.text}",
                            f"choice {view.number} of this passage",
                            partial(app.choose_index, view.index),
                        )
                    )
        return out

    async def discover(self) -> Hits:
        for name, help_text, command in self._commands():
            yield DiscoveryHit(Content(name), command, text=name, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, help_text, command in self._commands():
            score, offsets = matcher.fuzzy_search.match(query, name)
            if score > 0:
                # Highlight by hand: story text (a choice) must never be read as markup.
                shown = Content(name)
                for offset in offsets:
                    shown = shown.stylize("reverse", offset, offset + 1)
                yield Hit(matcher.match(name), shown, command, text=name, help=help_text)
