"""Actions a tree can invoke: the registry, the built-in actions and those of installed packages."""
