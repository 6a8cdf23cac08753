"""Fast tests of the engine: no user interface involved."""
