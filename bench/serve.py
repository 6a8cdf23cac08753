"""`branchwise serve` speed and weight: first paint in a browser, memory per tab, 20 tabs at once.

Run by hand from the repository root: `python bench/serve.py [--repeat N] [--tabs N]
[--memory-tabs N] [--only MEASURE]`. Needs the 'serve' and 'test' extras and Debian's chromium at
/usr/bin/chromium (for the first measure). Three measures:

1. Page load to the first screen painted in Chromium: a tab of `branchwise serve` (its library,
   search box and trees) against a bare Textual app (a label and two buttons) served by the same
   server, the two loaded in turn. The screen is read from the bytes the page's terminal receives,
   through a terminal emulator (pyte), as xterm.js draws on a canvas. Target: ratio of medians
   <= 1.3.
2. Memory per connected tab: the resident memory (RSS) of each tab's app process once it shows a
   tree's first question, the mean over several tabs, beside the bare app's. Target: <= 60 MiB.
3. 20 tabs at once, each a websocket speaking the page's protocol, as a different agent (behind
   --auth proxy), walking paya-connect/customer-portal-access to its outcome with keys: all must
   complete, and the store must hold 20 resolved sessions with their agents and full paths.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.tui import BARE_APP  # noqa: E402
from engine.sessions.store import Store  # noqa: E402
from tests.cli import isolated_env  # noqa: E402
from tests.serving.server import (  # noqa: E402
    CHROMIUM,
    CHROMIUM_ARGS,
    Served,
    client,
    free_port,
    open_tab,
    open_tree,
    serving,
)

# The bare app behind the same server class, with the same options but the child's command.
BARE_SERVER = """
import sys
from tui.serving.options import ServeOptions
from tui.serving.server import serve
serve(ServeOptions(child=[sys.executable, sys.argv[1]], port=int(sys.argv[2])))
"""
BRANCHWISE_FIRST = "branchwise · library"
BARE_FIRST = "Create User button?"
WALK = ["1", "1", "1", "y", "1", "1"]  # open-contacts ... to done-user-created; 1 = Continue
SCREENS = ["column headers", "to see the contact's", "for a button labelled",
           "sends them an email", "refresh the screen", "✓ Resolved"]  # fmt: skip
PATH = ["open-contacts", "find-contact", "open-profile", "create-user-visible",
        "create-user", "refresh-login-info", "done-user-created"]  # fmt: skip


@contextmanager
def bare_served(work: Path) -> Iterator[Served]:
    """The bare app behind the branchwise server class, on a free port."""
    (work / "bare.py").write_text(BARE_APP, encoding="utf-8")
    port = free_port()
    log_path = work / "bare-server.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [sys.executable, "-c", BARE_SERVER, str(work / "bare.py"), str(port)],
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=ROOT,
            env=isolated_env(work),
            encoding="utf-8",
        )
    served = Served(f"http://127.0.0.1:{port}/", process, work / "none", log_path)
    try:
        served.wait_logged("serving on")
        yield served
    finally:
        process.terminate()
        process.wait(20)


def first_paint(browser: Any, url: str, text: str) -> float:
    """Seconds from asking the browser for the page until its terminal shows `text`."""
    import pyte

    context = browser.new_context(viewport={"width": 1200, "height": 800})
    page = context.new_page()
    screen = pyte.Screen(80, 24)
    stream = pyte.ByteStream(screen)

    def opened(socket: Any) -> None:
        size = parse_qs(urlsplit(socket.url).query)
        screen.resize(lines=int(size["height"][0]), columns=int(size["width"][0]))
        socket.on(
            "framereceived", lambda data: stream.feed(data) if isinstance(data, bytes) else None
        )

    page.on("websocket", opened)
    start = time.perf_counter()
    page.goto(url)
    while not any(text in line for line in screen.display):
        if time.perf_counter() - start > 30:
            raise RuntimeError(f"{text!r} never painted at {url}")
        page.wait_for_timeout(5)
    took = time.perf_counter() - start
    context.close()
    return took


def bench_first_paint(repeat: int, work: Path) -> dict[str, float]:
    from playwright.sync_api import sync_playwright

    with serving(work) as branchwise, bare_served(work) as bare, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        pages = {"branchwise": (branchwise.url, BRANCHWISE_FIRST), "bare": (bare.url, BARE_FIRST)}
        times: dict[str, list[float]] = {name: [] for name in pages}
        for url, text in pages.values():  # the first load fills the caches
            first_paint(browser, url, text)
        for _ in range(repeat):  # interleaved, so a busy moment slows both
            for name, (url, text) in pages.items():
                times[name].append(first_paint(browser, url, text))
        browser.close()
    found = {f"{name}_s": statistics.median(values) for name, values in times.items()}
    found["ratio"] = found["branchwise_s"] / found["bare_s"]
    found["p10_ratio"] = p10(times["branchwise"]) / p10(times["bare"])
    return found


def p10(values: list[float]) -> float:
    return sorted(values)[len(values) // 10]


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for {pid}")


async def tab_memory(served: Served, tabs: int, bare: bool) -> float:
    """The mean RSS of `tabs` apps, each showing its first screen (a tree's first question)."""
    async with client() as http:
        opened = [await open_tab(http, served) for _ in range(tabs)]
        # All read at once: a tab left unread misses the server's heartbeat and is closed.
        shown = (tab.wait_for(BARE_FIRST) if bare else open_tree(tab) for tab in opened)
        await asyncio.gather(*shown)
        await asyncio.sleep(1)
        pids = served.app_pids()[-tabs:]
        return statistics.mean(rss_mib(pid) for pid in pids)


def bench_memory(tabs: int, work: Path) -> dict[str, float]:
    with serving(work) as branchwise:
        found = {"branchwise_mib": asyncio.run(tab_memory(branchwise, tabs, bare=False))}
    with bare_served(work) as bare:
        found["bare_mib"] = asyncio.run(tab_memory(bare, tabs, bare=True))
    return found


async def walk_as(served: Served, agent: str) -> tuple[float, int]:
    """One tab, as `agent`, walked to the outcome with keys: seconds it took, keys sent again."""
    start = time.perf_counter()
    async with client() as http:
        tab = await open_tab(http, served, headers={"X-Forwarded-User": agent})
        await open_tree(tab, timeout=180)
        for key, screen, before in zip(WALK, SCREENS, ["menu on the left", *SCREENS], strict=False):
            await tab.press_until(key, screen, before, timeout=180)
        await tab.websocket.close()
    return time.perf_counter() - start, tab.pressed_again


async def all_tabs(served: Served, tabs: int) -> list[tuple[float, int] | BaseException]:
    agents = [f"agent-{number:02d}" for number in range(1, tabs + 1)]
    return await asyncio.gather(*(walk_as(served, a) for a in agents), return_exceptions=True)


def bench_many_tabs(tabs: int, work: Path) -> dict[str, float]:
    proxy = ("--auth", "proxy", "--trusted-proxy", "127.0.0.1")
    start = time.perf_counter()
    with serving(work, *proxy) as served:
        results = asyncio.run(all_tabs(served, tabs))
        took = time.perf_counter() - start
    failed = [result for result in results if isinstance(result, BaseException)]
    for failure in failed:
        print(f"a tab failed: {str(failure).splitlines()[0]}", file=sys.stderr)
    with Store(served.db) as store:
        records = [store.load(summary.id) for summary in store.list_sessions(limit=1000)]
    complete = [
        r for r in records if r.status == "resolved" and [step.node_id for step in r.steps] == PATH
    ]
    walks = [result[0] for result in results if isinstance(result, tuple)]
    again = sum(result[1] for result in results if isinstance(result, tuple))
    return {
        "tabs": tabs,
        "completed": len(walks),
        "stored_resolved_full_path": len(complete),
        "distinct_agents": len({r.agent for r in complete}),
        "wall_s": took,
        "walk_median_s": statistics.median(walks) if walks else float("nan"),
        "pressed_again": again,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7, help="page loads of each app")
    parser.add_argument("--tabs", type=int, default=20, help="tabs walking at once")
    parser.add_argument("--memory-tabs", type=int, default=5, help="tabs weighed")
    parser.add_argument("--only", choices=("paint", "memory", "tabs"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as temporary:
        work = Path(temporary)
        for part in ("paint", "memory", "tabs"):
            (work / part).mkdir()
        if args.only in (None, "paint"):
            if not Path(CHROMIUM).exists():
                print("first paint: skipped, no chromium at /usr/bin/chromium")
            else:
                paint = bench_first_paint(args.repeat, work / "paint")
                print(
                    f"first paint: branchwise {paint['branchwise_s'] * 1000:.0f} ms, bare "
                    f"{paint['bare_s'] * 1000:.0f} ms (medians of {args.repeat}), ratio "
                    f"{paint['ratio']:.2f} (p10 ratio {paint['p10_ratio']:.2f}; target <= 1.3)"
                )
        if args.only in (None, "memory"):
            memory = bench_memory(args.memory_tabs, work / "memory")
            print(
                f"memory per tab: branchwise {memory['branchwise_mib']:.1f} MiB, bare "
                f"{memory['bare_mib']:.1f} MiB (RSS, mean of {args.memory_tabs}; target <= 60)"
            )
        if args.only in (None, "tabs"):
            many = bench_many_tabs(args.tabs, work / "tabs")
            print(
                f"{many['tabs']} tabs at once: {many['completed']} walks completed, "
                f"{many['stored_resolved_full_path']} stored resolved with the full path, "
                f"{many['distinct_agents']} agents; {many['wall_s']:.1f} s in all, "
                f"{many['walk_median_s']:.1f} s a walk (median); {many['pressed_again']} keys "
                "sent again (dropped while a screen was being replaced)"
            )
            if many["stored_resolved_full_path"] != args.tabs:
                return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
