"""The error panel: story problems with file:line:column, node, message and hint.

It opens when a reload finds problems (the game keeps running on the last good story) and when
the story fails at run time (the game is left as it was before the choice).
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Footer, Static

from rougegame.story.problems import Problem


def problem_text(problem: Problem) -> Text:
    text = Text()
    label = "ERROR" if problem.severity == "error" else "WARNING"
    text.append(f" {label} ", "bold reverse")
    if problem.where is not None:
        text.append(f" {problem.where}", "bold")
    if problem.node:
        text.append(f"  [{problem.node}]", "italic")
    text.append("\n")
    text.append(problem.message)
    if problem.hint:
        text.append("\nhint: ", "bold")
        text.append(problem.hint, "italic")
    return text


class ProblemsScreen(ModalScreen[None]):
    """A scrollable list of problems; escape or enter closes it."""

    CSS_PATH = "problems.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,enter", "close", "Close"),
    ]

    def __init__(self, problems: list[Problem], title: str) -> None:
        super().__init__()
        self.problems = problems
        self.heading = title

    def compose(self) -> ComposeResult:
        with Vertical(id="panel") as panel:
            panel.border_title = Text(self.heading)
            count = len(self.problems)
            yield Static(
                Text(
                    f"{count} problem{'s' if count != 1 else ''}. Fix the files and press "
                    "ctrl+r to reload."
                ),
                id="summary",
            )
            with VerticalScroll(id="list"):
                for problem in self.problems:
                    yield Static(problem_text(problem), classes=f"problem -{problem.severity}")
        yield Footer()

    def action_close(self) -> None:
        self.dismiss(None)
