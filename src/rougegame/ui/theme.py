"""The game's own Textual theme: crimson and steel, neon over red dust.

``rouge-redstar`` is registered by the app and is the default; the stock Textual themes stay
selectable in Settings and in the command palette.
"""

from __future__ import annotations

from textual.theme import Theme

THEME_NAME = "rouge-redstar"

ROUGE_THEME = Theme(
    name=THEME_NAME,
    primary="#D0243B",  # crimson: Rouge's battle shell
    secondary="#8FA3B5",  # brushed steel
    accent="#3CD7E8",  # a neon sign through the dust
    warning="#F2A93B",  # amber: a dose of Nectar
    error="#FF3B55",
    success="#57D39B",
    foreground="#E9E0DC",
    background="#120B0E",  # night over the canals
    surface="#1C1216",
    panel="#2B1A20",
    boost="#FFFFFF0A",
    dark=True,
    luminosity_spread=0.12,
    variables={
        "block-cursor-background": "#D0243B",
        "block-cursor-foreground": "#FFFFFF",
        "block-cursor-text-style": "bold",
        "footer-key-foreground": "#3CD7E8",
        "footer-description-foreground": "#B8A9A6",
        "input-selection-background": "#D0243B 40%",
        "scrollbar": "#4A2A33",
        "scrollbar-hover": "#6B3542",
        "scrollbar-active": "#D0243B",
        "border": "#8FA3B5",
        "border-blurred": "#4F5A66",
    },
)
