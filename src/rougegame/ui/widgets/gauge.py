"""The Nectar gauge: a bar of cells that turns amber when low and red when critical."""

from __future__ import annotations

from textual.content import Content
from textual.reactive import reactive
from textual.widget import Widget

LOW = 0.4
CRITICAL = 0.2


class NectarGauge(Widget):
    """``NECTAR ██████░░░░ 6/10``; classes ``-low`` and ``-critical`` follow the level."""

    DEFAULT_CSS = """
    NectarGauge {
        width: auto;
        height: 1;
        color: $warning;
        &.-low { color: $warning; text-style: bold; }
        &.-critical { color: $error; text-style: bold; }
    }
    """

    value: reactive[float] = reactive(0.0)
    cells: reactive[int] = reactive(10)

    def __init__(
        self,
        label: str = "Nectar",
        minimum: float = 0,
        maximum: float = 10,
        *,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(id=id, classes=classes)
        self.label = label
        self.minimum = minimum
        self.maximum = maximum

    @property
    def fraction(self) -> float:
        span = self.maximum - self.minimum
        if span <= 0:
            return 1.0
        return max(0.0, min(1.0, (self.value - self.minimum) / span))

    @property
    def level(self) -> str:
        """``ok``, ``low`` or ``critical``."""
        if self.value <= self.minimum or self.fraction <= CRITICAL:
            return "critical"
        if self.fraction <= LOW:
            return "low"
        return "ok"

    def watch_value(self) -> None:
        level = self.level
        self.set_class(level == "low", "-low")
        self.set_class(level == "critical", "-critical")

    def render(self) -> Content:
        filled = round(self.fraction * self.cells)
        if self.value > self.minimum:
            filled = max(filled, 1)
        number = f"{self.value:g}/{self.maximum:g}"
        warning = {"low": " LOW", "critical": " CRITICAL"}.get(self.level, "")
        return Content.assemble(
            (self.label.upper(), "bold"),
            " ",
            ("█" * filled, ""),
            ("░" * (self.cells - filled), "dim"),
            " ",
            (number, "bold"),
            (warning, "reverse bold" if self.level == "critical" else "bold"),
        )
