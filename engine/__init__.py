"""branchwise engine: read, check, build, lint and walk decision trees (no user interface here)."""

from __future__ import annotations

__version__ = "0.1.0"
