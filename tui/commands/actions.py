"""`branchwise actions`: the actions trees can call, their parameters, and whether configured."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from engine.actions.config import Config
from engine.actions.registry import ActionImpl, Param
from engine.text import json_text, plain


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "actions",
        help="list the actions trees can call, and whether they are configured",
        description="List every registered action (built in or from an installed plugin): its "
        "parameters, whether it has side effects, and whether the operator's config lets it "
        "run automatically. An action that is not configured falls back to manual steps; the "
        "listing says what to set. Credentials are never printed.",
    )
    parser.add_argument("--format", choices=("text", "json"), default="text", help="output format")


def run(args: argparse.Namespace) -> int:
    from engine.actions.catalog import default_registry, plugin_warnings
    from engine.actions.config import load_config

    config = load_config()
    rows = [describe(action, config) for action in default_registry()]
    if args.format == "json":
        sys.stdout.write(json_text(rows, indent=2) + "\n")
    else:
        sys.stdout.write(format_text(rows))
    for warning in plugin_warnings():
        print(f"branchwise: warning: {plain(config.mask.text(warning))}", file=sys.stderr)
    return 0


def describe(action: ActionImpl, config: Config) -> dict[str, Any]:
    """One action as plain data: texts without control characters, the setup hint masked."""
    from engine.actions.catalog import setup_hint

    spec = action.spec
    configured = _configured(action, config)
    row = {
        "name": spec.name,
        "summary": spec.summary,
        "params": [_param(p) for p in spec.params],
        "side_effects": spec.side_effects,
        "configured": configured,
        "setup": None if configured else config.mask.text(setup_hint(action, config)),
        "result": spec.result,
    }
    cleaned: dict[str, Any] = _plain_texts(row)
    return cleaned


def _configured(action: ActionImpl, config: Config) -> bool:
    try:
        return bool(action.configured(config))
    except Exception:  # a plugin's own check failing means it cannot run, not that we stop
        return False


def _param(param: Param) -> dict[str, Any]:
    return {"name": param.name, "kind": param.kind, "required": param.required, "help": param.help}


def _plain_texts(value: Any) -> Any:
    if isinstance(value, str):
        return plain(value).replace("\n", " ")
    if isinstance(value, dict):
        return {k: _plain_texts(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain_texts(v) for v in value]
    return value


def format_text(rows: list[dict[str, Any]]) -> str:
    """A table of name, side effects, configured and summary; parameters and setup beneath."""
    if not rows:
        return "no actions are registered\n"
    header = ("ACTION", "SIDE EFFECTS", "CONFIGURED", "SUMMARY")
    table = [
        (r["name"], _yes_no(r["side_effects"]), _yes_no(r["configured"]), r["summary"])
        for r in rows
    ]
    widths = [max(len(line[i]) for line in (header, *table)) for i in range(3)]
    lines = [_aligned(header, widths)]
    for row, cells in zip(rows, table, strict=True):
        lines.append(_aligned(cells, widths))
        lines.append(f"    parameters: {_params_text(row['params'])}")
        if row["setup"]:
            lines.append(f"    to configure: {row['setup']}")
    return "\n".join(lines) + "\n"


def _aligned(cells: tuple[str, str, str, str], widths: list[int]) -> str:
    padded = [cell.ljust(width) for cell, width in zip(cells, widths, strict=False)]
    return "  ".join([*padded, cells[3]]).rstrip()


def _yes_no(flag: bool) -> str:
    return "yes" if flag else "no"


def _params_text(params: list[dict[str, Any]]) -> str:
    if not params:
        return "none"
    shown = (f"{p['name']} ({p['kind']}{', required' if p['required'] else ''})" for p in params)
    return ", ".join(shown)
