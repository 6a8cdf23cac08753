"""`branchwise serve`: the terminal app in browsers, one walk per tab, behind a sign-in."""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from engine import locations
from engine.errors import BranchwiseError, UsageError
from tui.options import common_options

if TYPE_CHECKING:
    from tui.serving.options import ServeOptions

DESCRIPTION = """Serve the terminal app to browsers: each tab runs its own app on the server's
library, session store and action config, and opens on the library.

Without --auth, the server binds only this machine (127.0.0.1) and every tab walks as the login
name. --auth token: agents sign in with a personal token (add one with 'branchwise serve add-token
NAME'); the token's name is recorded as the agent of every session the tab walks. --auth proxy: a
reverse proxy that has signed the agent in passes the name in --user-header, trusted only from
--trusted-proxy addresses. A --host other than a loopback address needs --auth.

Needs the 'serve' extra: pip install 'branchwise[serve]'."""

DURATION = re.compile(r"(\d+(?:\.\d+)?)([smh]?)")
UNITS = {"": 1.0, "s": 1.0, "m": 60.0, "h": 3600.0}


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "serve",
        help="the terminal app in the browser, with sign-in (needs branchwise[serve])",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        parents=[common_options()],
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8000, help="port to bind (default 8000)")
    parser.add_argument("--auth", choices=("token", "proxy"), help="how agents are signed in")
    _tokens_option(parser)
    parser.add_argument(
        "--user-header",
        default="X-Forwarded-User",
        metavar="NAME",
        help="with --auth proxy: the header naming the agent (default X-Forwarded-User)",
    )
    parser.add_argument(
        "--trusted-proxy",
        action="append",
        default=[],
        metavar="ADDRESS",
        help="with --auth proxy: an address or network the proxy connects from (repeatable)",
    )
    parser.add_argument(
        "--max-sessions", type=int, metavar="N", help="at most N tabs' apps at once"
    )
    parser.add_argument(
        "--idle-timeout",
        metavar="TIME",
        help="end a tab's app after this long without a key or click (90, 90s, 30m, 2h); "
        "its walk stays open and resumable",
    )
    parser.add_argument(
        "--public-url",
        metavar="URL",
        help="the address agents open, when a reverse proxy does not pass the Host header on",
    )
    commands = parser.add_subparsers(dest="serve_command", metavar="COMMAND", title="commands")
    add = _token_command(
        commands,
        "add-token",
        "print a new token for an agent, once; only its hash is kept",
        "Print a new personal token for NAME, once. Only its hash is written to the tokens file "
        "(made readable by its owner only).",
    )
    add.add_argument("--replace", action="store_true", help="replace NAME's existing token")
    _token_command(
        commands,
        "remove-token",
        "take an agent's token out of the tokens file",
        "Remove NAME's token: NAME can no longer sign in (a tab already open keeps running "
        "until it ends).",
    )


def _token_command(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    name: str,
    summary: str,
    description: str,
) -> argparse.ArgumentParser:
    command = commands.add_parser(name, help=summary, description=description)
    command.add_argument("name", metavar="NAME", help="the agent's name, as sessions record it")
    _tokens_option(command)
    return command


def _tokens_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--tokens",
        type=Path,
        metavar="FILE",
        default=argparse.SUPPRESS,
        help=f"the tokens file (default {locations.tokens_file()})",
    )


def run(args: argparse.Namespace) -> int:
    tokens = getattr(args, "tokens", None) or locations.tokens_file()
    if args.serve_command == "add-token":
        return _add_token(tokens, args.name, args.replace)
    if args.serve_command == "remove-token":
        from tui.serving.tokens import remove_token

        remove_token(tokens, args.name)
        print(f"branchwise: {args.name} can no longer sign in", file=sys.stderr)
        return 0
    options = serve_options(args, tokens)
    try:
        from tui.serving.server import serve
    except ModuleNotFoundError as exc:
        if not (exc.name or "").startswith(("textual_serve", "aiohttp")):
            raise
        raise BranchwiseError(
            "serve needs the 'serve' extra: pip install 'branchwise[serve]'"
        ) from None
    return serve(options)


def _add_token(tokens: Path, name: str, replace: bool) -> int:
    from tui.serving.tokens import add_token

    token = add_token(tokens, name, replace=replace)
    print(token)
    print(
        f"branchwise: the token of {name} is shown only this once; its hash is in {tokens}",
        file=sys.stderr,
    )
    return 0


def serve_options(args: argparse.Namespace, tokens: Path) -> ServeOptions:
    """The options checked: every mistake said before anything is bound."""
    from tui.serving.options import ServeOptions
    from tui.serving.sign_in import is_loopback, parse_networks

    _check_auth(args, tokens)
    if not args.auth and not is_loopback(args.host):
        raise UsageError(
            f"--host {args.host}: other machines could walk without signing in; "
            "add --auth token or --auth proxy"
        )
    if args.max_sessions is not None and args.max_sessions < 1:
        raise UsageError("--max-sessions: at least 1")
    if not 0 < args.port < 65536:
        raise UsageError(f"--port {args.port}: not a port (1-65535)")
    if args.public_url is not None:
        _check_public_url(args.public_url)
    return ServeOptions(
        child=child_command(args),
        host=args.host,
        port=args.port,
        auth=args.auth,
        tokens=tokens if args.auth == "token" else None,
        user_header=args.user_header,
        trusted_proxies=parse_networks(args.trusted_proxy),
        max_sessions=args.max_sessions,
        idle_timeout=parse_duration(args.idle_timeout),
        public_url=args.public_url,
    )


def _check_public_url(url: str) -> None:
    """Sign-in and tabs compare a request's Origin with this address: without a scheme and a
    host it matches nothing, and every request would be refused without a word why."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise UsageError(
            f"--public-url {url!r}: a full address is needed, such as https://branchwise.example.com/"
        )


def _check_auth(args: argparse.Namespace, tokens: Path) -> None:
    if args.auth == "token":
        from tui.serving.tokens import read_tokens

        if not read_tokens(tokens):
            raise UsageError(f"--tokens {tokens}: no token yet (branchwise serve add-token NAME)")
    if args.auth == "proxy" and not args.trusted_proxy:
        raise UsageError("--auth proxy needs --trusted-proxy: the address the proxy connects from")
    if args.auth != "proxy" and args.trusted_proxy:
        raise UsageError("--trusted-proxy is for --auth proxy")


def parse_duration(given: str | None) -> float | None:
    """`90`, `90s`, `30m` or `2h` as seconds."""
    if given is None:
        return None
    match = DURATION.fullmatch(given.strip())
    if match is None or float(match.group(1)) <= 0:
        raise UsageError(f"--idle-timeout {given!r}: a time such as 90, 90s, 30m or 2h")
    return float(match.group(1)) * UNITS[match.group(2)]


def child_command(args: argparse.Namespace) -> list[str]:
    """How each tab's app is started: the library app with the server's library and store."""
    from tui.commands.run import open_store
    from tui.options import library_dirs

    command = [sys.executable, "-m", "tui.entry"]
    if getattr(args, "library", None):
        for directory in library_dirs(args):
            command += ["--library", str(directory.resolve())]
    store = open_store(args)  # a store the children could not open is said once, here
    if store is not None:
        store.close()
    if getattr(args, "db", None):
        command += ["--db", str(args.db)]
    return command
