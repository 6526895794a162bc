"""The game's screens, each with its stylesheet next to it."""
