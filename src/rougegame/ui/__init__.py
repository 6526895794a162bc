"""The Textual game: the only part of rougegame that imports Textual."""
