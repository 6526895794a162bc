"""rougegame: a terminal interactive-fiction game with a YAML story engine.

The package is split into rooms whose imports only point down:
``story`` (what a story is), ``engine`` (how it runs), ``tools`` (what authors run),
``ui`` (the Textual game) and ``cli`` (the command line).
"""

__version__ = "0.1.0"
