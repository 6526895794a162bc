"""How a story runs: the state machine, the game state and saves. Never imports Textual."""
