"""The tree format's JSON Schema, shipped as package data (tree.schema.json)."""
