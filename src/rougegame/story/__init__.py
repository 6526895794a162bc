"""What a story is: the model, the loader, problems, expressions, text and the schema."""
