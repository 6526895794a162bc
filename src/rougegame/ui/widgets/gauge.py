"""The Nectar gauge: a bar of cells that turns bold amber when low and red when critical.

It is a part of the status bar's one line rather than a widget of its own.
"""

from __future__ import annotations

from textual.content import Content

LOW = 0.4
CRITICAL = 0.2
CELLS = 10
# The gauge's colour and weight at each level (the theme's variables).
LEVEL_STYLES = {"ok": "$warning", "low": "$warning bold", "critical": "$error bold"}


class NectarGauge:
    """``NECTAR ██████░░░░ 6/10``, with ``LOW`` or ``CRITICAL`` after it when it is."""

    __slots__ = ("label", "maximum", "minimum", "value")

    def __init__(self, label: str, minimum: float, maximum: float, value: float) -> None:
        self.label = label
        self.minimum = minimum
        self.maximum = maximum
        self.value = value

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

    def render(self) -> Content:
        level = self.level
        filled = round(self.fraction * CELLS)
        if self.value > self.minimum:
            filled = max(filled, 1)
        number = f"{self.value:g}/{self.maximum:g}"
        warning = {"low": " LOW", "critical": " CRITICAL"}.get(level, "")
        return Content.assemble(
            (self.label.upper(), "bold"),
            " ",
            "█" * filled,
            ("░" * (CELLS - filled), "dim"),
            " ",
            (number, "bold"),
            (warning, "reverse bold" if level == "critical" else "bold"),
        ).stylize_before(LEVEL_STYLES[level])
