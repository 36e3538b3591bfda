"""Pages of `kg viz` in headless Chromium: how fast a large page becomes interactive,
and the README's screenshot of the seeds graph.

python benchmarks/viz.py                      # prints a Markdown section
python benchmarks/viz.py --write              # also replaces it in docs/benchmarks.md
python benchmarks/viz.py --screenshot docs/img/seeds-graph.png   # needs ../shared/seeds

Uses Debian's Chromium (`apt-get install chromium`) through Playwright for Python; the
tests (tests/test_viz_browser.py) open pages with the same helpers.
"""

from __future__ import annotations

import argparse
import datetime as dt
import platform
import random
import re
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import networkx as nx

import kg
from kg.viz import Selection, make_view, view_graph, write

ROOT = Path(__file__).resolve().parent.parent
REPORT = ROOT / "docs" / "benchmarks.md"
SECTION = "## Visualisation"
SEEDS = ROOT.parent / "shared" / "seeds"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
VIEWPORT = {"width": 1400, "height": 850}


def launch(playwright):
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)


@dataclass
class OpenedPage:
    """A page opened from a file, with what it logged and every URL it asked for."""

    page: object
    errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)


def open_page(browser, path: Path, timeout_ms: float = 30_000) -> OpenedPage:
    """Opens `path` with every request but the file itself refused, and waits until the graph is drawn."""
    page = browser.new_page(viewport=VIEWPORT)
    opened = OpenedPage(page)
    page.on("console", lambda message: message.type in ("error", "warning") and opened.errors.append(message.text))
    page.on("pageerror", lambda error: opened.errors.append(str(error)))
    page.on("request", lambda request: opened.requests.append(request.url))

    def refuse_network(route):
        if route.request.url.startswith("file://"):
            route.continue_()
        else:
            opened.blocked.append(route.request.url)
            route.abort()

    page.route("**/*", refuse_network)
    page.goto(path.resolve().as_uri())
    wait_until(page, "document.body.dataset.ready === 'true'", timeout_ms)
    return opened


def wait_until(page, expression: str, timeout_ms: float = 10_000) -> None:
    """Polls `expression` from outside the page: Playwright's own polling evaluates it with
    eval() inside the page, which the page's Content-Security-Policy refuses."""
    deadline = time.perf_counter() + timeout_ms / 1000
    while not page.evaluate(expression):
        if time.perf_counter() > deadline:
            raise TimeoutError(f"{expression} still false after {timeout_ms / 1000:.0f} s")
        time.sleep(0.01)


def point_of(page, node_ids: list[str]) -> dict:
    """Where on the screen the mean position of these nodes is drawn."""
    return page.evaluate(
        """ids => {
            const positions = kgView.network.getPositions(ids);
            const x = ids.reduce((sum, id) => sum + positions[id].x, 0) / ids.length;
            const y = ids.reduce((sum, id) => sum + positions[id].y, 0) / ids.length;
            const dom = kgView.network.canvasToDOM({x, y});
            const box = document.getElementById('kg-network').getBoundingClientRect();
            return {x: box.left + dom.x, y: box.top + dom.y};
        }""",
        node_ids,
    )


def synthetic_graph(documents: int, seed: int = 5) -> nx.MultiDiGraph:
    """A graph shaped like the real one, in `view_graph`'s form: a few central documents,
    provincial plans implementing them, district plans implementing those."""
    rng = random.Random(seed)
    graph = nx.MultiDiGraph()
    central = max(10, documents // 50)
    provincial = (documents - central) // 3
    provinces = [f"Tỉnh {index:02d}" for index in range(63)]

    def add(uri, label, type_, code, level, province="", locality=""):
        graph.add_node(
            uri,
            label=label,
            kind="document",
            type=type_,
            type_code=code,
            level=level,
            province=province,
            locality=locality,
            date=f"20{rng.randint(16, 24)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
            title=f"về việc thực hiện nhiệm vụ số {uri.rsplit('/', 1)[-1]}",
            issuer="Bộ Chính trị" if level == "central" else "Ban Thường vụ",
            sources=1,
        )

    def link(source, target):
        sentence = f"{graph.nodes[source]['label']} được ban hành để thực hiện {graph.nodes[target]['label']}."
        evidence = [{"sentence": sentence, "cue": "thực hiện", "source": f"/corpus/{source.rsplit('/', 1)[-1]}.txt"}]
        graph.add_edge(source, target, key="implements", relation="implements", sources=1, evidence=evidence)

    for index in range(central):
        add(f"urn:central/{index}", f"{index + 1:02d}-CT/TW", "Chỉ thị", "CT", "central")
        if index:
            link(f"urn:central/{index}", f"urn:central/{rng.randrange(index)}")
    for index in range(provincial):
        province = provinces[index % len(provinces)]
        add(f"urn:province/{index}", f"{index + 1}-KH/TU", "Kế hoạch", "KH", "province", province, province)
        link(f"urn:province/{index}", f"urn:central/{rng.randrange(central)}")
    for index in range(documents - central - provincial):
        parent = rng.randrange(provincial)
        province = graph.nodes[f"urn:province/{parent}"]["province"]
        add(f"urn:district/{index}", f"{index + 1}-KH/HU", "Kế hoạch", "KH", "district", province, f"Huyện {index % 9}")
        link(f"urn:district/{index}", f"urn:province/{parent}")
    return graph


def time_page(browser, path: Path, searched: str) -> tuple[float, float]:
    """Seconds from opening the page to a drawn graph, and from pressing Enter in the
    search box to the document being focused."""
    started = time.perf_counter()
    opened = open_page(browser, path)
    ready = time.perf_counter() - started
    page = opened.page
    page.fill("#kg-search", searched)
    started = time.perf_counter()
    page.press("#kg-search", "Enter")
    wait_until(page, "kgView.state.focused !== null")
    searched_in = time.perf_counter() - started
    if opened.errors or opened.blocked:
        raise RuntimeError(f"the page logged {opened.errors} and asked for {opened.blocked}")
    page.close()
    return ready, searched_in


def measure(sizes=(500, 2000, 5000), repeat: int = 3) -> str:
    from playwright.sync_api import sync_playwright

    rows = []
    with tempfile.TemporaryDirectory() as folder, sync_playwright() as playwright:
        browser = launch(playwright)
        version = browser.version
        for size in sizes:
            graph = synthetic_graph(size)
            started = time.perf_counter()
            view = make_view(graph, Selection(), f"{size} documents", limit=size)
            path = Path(folder) / f"graph-{size}.html"
            write(view, path)
            build = time.perf_counter() - started
            runs = [time_page(browser, path, "17-KH/HU") for _ in range(repeat)]
            ready = statistics.median(run[0] for run in runs)
            search = statistics.median(run[1] for run in runs)
            megabytes = path.stat().st_size / 1e6
            rows.append(
                f"| {size:,} nodes, {view.graph.number_of_edges():,} edges | {megabytes:.1f} MB | {build:.2f} s"
                f" | {ready:.2f} s | {search * 1000:.0f} ms | {ready + search:.2f} s |"
            )
        browser.close()
    return "\n".join(
        [
            SECTION,
            "",
            f"Measured {dt.date.today().isoformat()} on {platform.machine()}, Python {platform.python_version()},"
            f" kg {kg.__version__}, Chromium {version} headless (Playwright), median of {repeat}.",
            "Command: `python benchmarks/viz.py --write`. Synthetic graphs shaped like the real one (central"
            " directives, provincial plans implementing them, district plans implementing those).",
            "",
            "| page | size | written by `kg viz` | opened until drawn | search until focused | interactive |",
            "|---|---|---|---|---|---|",
            *rows,
            "",
            "Positions are computed in Python (a layered layout), so the page runs no physics: it is"
            " stabilised when first drawn. The force layout is a toggle that stops once stabilised.",
            "",
        ]
    )


def screenshot(output: Path) -> None:
    """The whole seeds graph as `kg viz` draws it."""
    from playwright.sync_api import sync_playwright

    if not SEEDS.is_dir():
        sys.exit(f"{SEEDS} is not beside this checkout")
    with tempfile.TemporaryDirectory() as folder, sync_playwright() as playwright:
        store = str(Path(folder) / "kg-store")
        kg.build([SEEDS], store=store)
        with kg.open_store(store, read_only=True) as opened:
            graph = view_graph(opened)
        page_path = Path(folder) / "seeds.html"
        write(make_view(graph, Selection(), "kg · the seeds graph", limit=len(graph)), page_path)
        browser = launch(playwright)
        save_screenshot(open_page(browser, page_path), output)
        browser.close()


def save_screenshot(opened: OpenedPage, output: Path) -> None:
    output.parent.mkdir(parents=True, exist_ok=True)
    opened.page.screenshot(path=str(output))


def replace_section(report: Path, section: str) -> None:
    text = report.read_text(encoding="utf-8")
    pattern = re.compile(rf"^{re.escape(SECTION)}\n.*?(?=^## |\Z)", re.S | re.M)
    text = pattern.sub(lambda _: section, text) if pattern.search(text) else text.rstrip("\n") + "\n\n" + section
    report.write_text(text, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--write", action="store_true", help=f"replace the section in {REPORT.relative_to(ROOT)}")
    parser.add_argument("--screenshot", type=Path, help="write a screenshot of the seeds graph instead")
    arguments = parser.parse_args()
    if arguments.screenshot:
        screenshot(arguments.screenshot)
        return
    section = measure()
    print(section)
    if arguments.write:
        replace_section(REPORT, section)


if __name__ == "__main__":
    main()
