"""What authors run: lint, playtest, graph, plain mode and scaffold."""
