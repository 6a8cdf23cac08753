"""Installs a fake action plugin the way pip leaves one: a module and its dist-info on a path."""

from __future__ import annotations

import textwrap
from pathlib import Path


def install_plugin(site: Path, module: str, source: str, entry_points: str) -> Path:
    """Write `module`.py and its dist-info (METADATA, entry_points.txt) into `site`."""
    site.mkdir(parents=True, exist_ok=True)
    (site / f"{module}.py").write_text(textwrap.dedent(source), encoding="utf-8")
    dist_info = site / f"{module}-1.0.dist-info"
    dist_info.mkdir()
    (dist_info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {module}\nVersion: 1.0\n", encoding="utf-8"
    )
    (dist_info / "entry_points.txt").write_text(
        textwrap.dedent(entry_points.format(module=module)), encoding="utf-8"
    )
    return site
