"""Fake servers and fixtures tests use instead of real outside services."""
