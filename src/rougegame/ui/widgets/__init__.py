"""The game's own widgets: the Nectar gauge, the passage, the choices, the status bar, cards."""
