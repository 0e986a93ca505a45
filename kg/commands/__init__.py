"""One module per CLI command; each registers itself on :data:`kg.commands.app.app`."""
