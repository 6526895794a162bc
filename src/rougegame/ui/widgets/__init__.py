"""The game's own widgets: the status bar and its Nectar gauge, the passage, the choices, cards."""
